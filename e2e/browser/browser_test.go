// Package browser tests the exporter's HTML pages in a real browser:
// Debian's chromium, headless, driven over the DevTools protocol with
// chromedp. It is a module of its own so that the exporter's go.mod does
// not gain chromedp.
//
// The test builds the exporter, starts it with --demo, and loads /report
// for a healthy, a lame and an expired-signature zone, the runbook and the
// landing page; then again under --web.route-prefix. Set
// DNSHEALTH_SCREENSHOTS to a directory to keep a screenshot of each report.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/dnshealth/dnshealth_exporter/report"
)

// repoRoot is the exporter's module, from this directory.
const repoRoot = "../.."

var exporterBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dnshealth-browser-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exporterBin = filepath.Join(dir, "dnshealth_exporter")
	build := exec.Command("go", "build", "-o", exporterBin, ".")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the exporter:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// startExporter runs the exporter with --demo and extra flags on a free
// port, and returns its base URL once /-/healthy answers.
func startExporter(t *testing.T, prefix string, extra ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	args := append([]string{"--demo", "--demo.port=0", "--web.listen-address=" + addr}, extra...)
	cmd := exec.Command(exporterBin, args...)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "exporter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("exporter log:\n%s", b)
		}
	})
	base := "http://" + addr + prefix
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "-/healthy")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the exporter did not answer %s-/healthy: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browser is one headless Chromium with a fresh profile, and the console
// errors and exceptions its pages raised.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (Debian package chromium): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the test runs as root in CI
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	b := &browser{}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b.ctx = ctx
	// The first action starts the browser; chromedp enables the runtime
	// and log domains, whose events the listener reads.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return b
}

// listen records console errors and warnings, uncaught exceptions and
// browser log errors (such as a resource that failed to load).
func (b *browser) listen(ev any) {
	{
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				msg = "log " + string(ev.Entry.Level) + ": " + ev.Entry.Text + " " + ev.Entry.URL
			}
		}
		if msg != "" {
			b.mu.Lock()
			b.errors = append(b.errors, msg)
			b.mu.Unlock()
		}
	}
}

// load opens url and fails the test on any console error or exception
// the page raised while loading.
func (b *browser) load(t *testing.T, url string) {
	t.Helper()
	b.mu.Lock()
	b.errors = nil
	b.mu.Unlock()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	// Events arrive asynchronously: one round trip more lets those of the
	// load be delivered before they are read.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`1`)); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("%s: %s", url, e)
	}
}

// eval runs js in the page and decodes its value.
func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// checkDoc is the part of `check --output json` the graph must cover.
type checkDoc struct {
	Zone       string                 `json:"zone"`
	Diagnosis  struct{ Cause string } `json:"diagnosis"`
	Delegation struct {
		Parent *string `json:"parent"`
		Path   []struct {
			Zone    string   `json:"zone"`
			Servers []string `json:"servers"`
		} `json:"path"`
		ParentServers []struct {
			Nameserver string `json:"nameserver"`
			Address    string `json:"address"`
		} `json:"parent_servers"`
		NS          []string `json:"ns"`
		Nameservers []struct {
			Nameserver string `json:"nameserver"`
			Address    string `json:"address"`
			Status     string `json:"status"`
		} `json:"nameservers"`
	} `json:"delegation"`
	DNSSEC *struct {
		Status string `json:"status"`
		Chain  []struct {
			Zone string `json:"zone"`
		} `json:"chain"`
		DS []struct {
			KeyTag int `json:"key_tag"`
		} `json:"ds"`
		DNSKEYs []struct {
			KeyTag int `json:"key_tag"`
		} `json:"dnskeys"`
	} `json:"dnssec"`
	Findings []struct {
		Check string `json:"check"`
	} `json:"findings"`
}

// svgNode is a node of the report's graph, from its data attributes.
type svgNode struct {
	Kind    string `json:"kind"`
	Zone    string `json:"zone"`
	Name    string `json:"name"`
	Address string `json:"address"`
	Status  string `json:"status"`
}

const readNodes = `Array.from(document.querySelectorAll('svg.graph [data-kind]')).map(g => ({
	kind: g.dataset.kind, zone: g.dataset.zone, name: g.dataset.name || '', address: g.dataset.address || '',
	status: (g.getAttribute('class').match(/st-(\w+)/) || [])[1] || ''}))`

// checkReport loads the report of zone and checks it against the JSON
// document the same page carries (the probe behind the page, as
// `check --output json` writes it).
func checkReport(t *testing.T, b *browser, base, zone, wantCause string, anchors map[string]bool) {
	t.Helper()
	b.load(t, base+"report?module=demo&target="+zone)

	raw := eval[string](t, b, `document.getElementById('report-json').textContent`)
	var doc checkDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("%s: the page's JSON does not parse: %v", zone, err)
	}
	if doc.Zone != zone+"." {
		t.Errorf("JSON zone %q, want %q", doc.Zone, zone+".")
	}
	if doc.Diagnosis.Cause != wantCause {
		t.Errorf("%s: diagnosis %q, want %q", zone, doc.Diagnosis.Cause, wantCause)
	}
	h1 := eval[string](t, b, `document.querySelector('h1').textContent`)
	if h1 != zone {
		t.Errorf("heading %q, want %q", h1, zone)
	}

	nodes := eval[[]svgNode](t, b, readNodes)
	has := func(kind, z, name, addr string) bool {
		return slices.ContainsFunc(nodes, func(n svgNode) bool {
			return n.Kind == kind && n.Zone == z && (name == "" || n.Name == name) && (addr == "" || n.Address == addr)
		})
	}
	zones := []string{doc.Zone}
	for _, h := range doc.Delegation.Path {
		zones = append(zones, h.Zone)
	}
	if doc.DNSSEC != nil {
		for _, l := range doc.DNSSEC.Chain {
			zones = append(zones, l.Zone)
		}
	}
	for _, z := range zones {
		if !has("zone", z, "", "") {
			t.Errorf("%s: the graph has no box for zone %s", zone, z)
		}
	}
	for _, h := range doc.Delegation.Path {
		for _, s := range h.Servers {
			if !has("server", h.Zone, s, "") {
				t.Errorf("%s: the graph has no node for server %s of %s", zone, s, h.Zone)
			}
		}
	}
	if p := doc.Delegation.Parent; p != nil {
		for _, s := range doc.Delegation.ParentServers {
			if !has("server", *p, s.Nameserver, s.Address) {
				t.Errorf("%s: the graph has no node for parent server %s %s", zone, s.Nameserver, s.Address)
			}
		}
	}
	for _, s := range doc.Delegation.Nameservers {
		if !has("server", doc.Zone, s.Nameserver, s.Address) {
			t.Errorf("%s: the graph has no node for nameserver %s %s", zone, s.Nameserver, s.Address)
		}
	}
	for _, ns := range doc.Delegation.NS {
		if !has("server", doc.Zone, ns, "") {
			t.Errorf("%s: the graph has no node for delegated name %s", zone, ns)
		}
	}
	if d := doc.DNSSEC; d != nil {
		for _, ds := range d.DS {
			if !has("ds", doc.Zone, fmt.Sprintf("DS %d", ds.KeyTag), "") {
				t.Errorf("%s: the graph has no node for DS %d", zone, ds.KeyTag)
			}
		}
		for _, k := range d.DNSKEYs {
			if !has("dnskey", doc.Zone, fmt.Sprintf("DNSKEY %d", k.KeyTag), "") {
				t.Errorf("%s: the graph has no node for DNSKEY %d", zone, k.KeyTag)
			}
		}
	}

	// A lame server is drawn red: the status reaches the drawing.
	for _, s := range doc.Delegation.Nameservers {
		if s.Status == "ok" {
			continue
		}
		for _, n := range nodes {
			if n.Kind == "server" && n.Name == s.Nameserver && n.Address == s.Address && n.Status != "bad" {
				t.Errorf("%s: lame %s %s (%s) drawn %q, want bad", zone, s.Nameserver, s.Address, s.Status, n.Status)
			}
		}
	}

	// Every finding's check links to a section of the runbook.
	links := eval[[]string](t, b, `Array.from(document.querySelectorAll('a.runbook')).map(a => a.href)`)
	for _, f := range doc.Findings {
		if !slices.ContainsFunc(links, func(l string) bool { return strings.HasSuffix(l, "runbook#"+f.Check) }) {
			t.Errorf("%s: no runbook link for finding %s", zone, f.Check)
		}
	}
	for _, l := range links {
		if !strings.HasPrefix(l, base+"runbook#") {
			t.Errorf("%s: runbook link %s is not under %srunbook", zone, l, base)
			continue
		}
		if a := strings.TrimPrefix(l, base+"runbook#"); !anchors[a] {
			t.Errorf("%s: runbook link %s names no section of /runbook", zone, l)
		}
	}

	if dir := os.Getenv("DNSHEALTH_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, zone+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runbookAnchors loads /runbook and returns its element ids. Each check's
// section of docs/checks.md must be among them, with the id GitHub gives
// its heading.
func runbookAnchors(t *testing.T, b *browser, base string) map[string]bool {
	t.Helper()
	b.load(t, base+"runbook")
	ids := eval[[]string](t, b, `Array.from(document.querySelectorAll('[id]')).map(e => e.id)`)
	anchors := map[string]bool{}
	for _, id := range ids {
		anchors[id] = true
	}
	md, err := os.ReadFile(filepath.Join(repoRoot, "docs", "checks.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`^##\s+([a-z0-9_]+)\s*$`)
	n := 0
	sc := bufio.NewScanner(strings.NewReader(string(md)))
	for sc.Scan() {
		if m := heading.FindStringSubmatch(sc.Text()); m != nil {
			n++
			if !anchors[report.Anchor(m[1])] {
				t.Errorf("/runbook has no anchor for the section %q of docs/checks.md", m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("docs/checks.md has no check sections")
	}
	return anchors
}

// demoRow is one demo zone on the landing page.
type demoRow struct {
	Zone    string `json:"zone"`
	Group   string `json:"group"`
	Verdict string `json:"verdict"`
	Report  string `json:"report"`
}

const readDemo = `Array.from(document.querySelectorAll('tr.demo-zone')).map(tr => {
	let h = tr.closest('table').previousElementSibling;
	return {zone: tr.dataset.zone, group: h ? h.textContent : '',
		verdict: (tr.querySelector('.pill') || {}).textContent || '',
		report: (tr.querySelector('a') || {}).href || ''};
})`

func checkLanding(t *testing.T, b *browser, base string) {
	t.Helper()
	b.load(t, base)
	rows := eval[[]demoRow](t, b, readDemo)
	if len(rows) < 40 {
		t.Fatalf("the landing page lists %d demo zones, want the lab's 40 or more", len(rows))
	}
	want := map[string][2]string{
		"healthy.test":      {report.ClassHealthy, "healthy"},
		"lame-refused.test": {report.ClassLame, "error"},
		"sec-expired.test":  {report.ClassDNSSEC, "error"},
		"serial-drift.test": {report.ClassDelegation, "warning"},
	}
	for _, r := range rows {
		switch r.Verdict {
		case "healthy", "notice", "warning", "error":
		default:
			t.Errorf("demo zone %s shows status %q, want a verdict", r.Zone, r.Verdict)
		}
		if r.Report != base+"report?module=demo&target="+r.Zone {
			t.Errorf("demo zone %s links to %q, want its report", r.Zone, r.Report)
		}
		if w, ok := want[r.Zone]; ok {
			if !strings.HasPrefix(r.Group, w[0]) || r.Verdict != w[1] {
				t.Errorf("demo zone %s: group %q verdict %q, want group %q verdict %q", r.Zone, r.Group, r.Verdict, w[0], w[1])
			}
			delete(want, r.Zone)
		}
	}
	for z := range want {
		t.Errorf("the landing page does not list demo zone %s", z)
	}
}

func testPages(t *testing.T, base string) {
	b := newBrowser(t)
	anchors := runbookAnchors(t, b, base)
	t.Run("healthy", func(t *testing.T) { checkReport(t, b, base, "healthy.test", "healthy", anchors) })
	t.Run("lame", func(t *testing.T) { checkReport(t, b, base, "lame-refused.test", "partial_lame", anchors) })
	t.Run("expired", func(t *testing.T) { checkReport(t, b, base, "sec-expired.test", "signature_expired", anchors) })
	t.Run("landing", func(t *testing.T) { checkLanding(t, b, base) })
}

func TestPages(t *testing.T) {
	testPages(t, startExporter(t, "/"))
}

func TestPagesUnderRoutePrefix(t *testing.T) {
	base := startExporter(t, "/dns/", "--web.route-prefix=/dns")
	testPages(t, base)
	// The bare root redirects to the prefix, as Prometheus does.
	b := newBrowser(t)
	root := strings.TrimSuffix(base, "dns/")
	b.load(t, root)
	loc := eval[string](t, b, `location.href`)
	if loc != base {
		t.Errorf("%s led to %s, want %s", root, loc, base)
	}
}
