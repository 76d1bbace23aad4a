package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

func ptr[T any](v T) *T { return &v }

// sampleReport is a signed zone below test. with one lame address, a DS
// that matches its KSK and an expired SOA signature on one server.
func sampleReport(zone, ns1, ns2 string) *probe.Report {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	r := &probe.Report{
		Zone: zone, Module: "default", Time: now, Duration: 12 * time.Millisecond, Parent: "test.",
		Path: []probe.Hop{
			{Zone: ".", Servers: []string{"a.root-servers.test", "b.root-servers.test"}},
			{Zone: "test.", Servers: []string{"ns1.nic.test", "ns2.nic.test"}},
		},
		ParentServers: []probe.ParentServer{
			{Nameserver: "ns1.nic.test", Address: "127.53.1.1", OK: true, NS: []string{ns1, ns2}},
			{Nameserver: "ns2.nic.test", Address: "127.53.1.2", OK: true, NS: []string{ns1, ns2}},
		},
		DelegationNS: []string{ns1, ns2, "ns3.gone.example"},
		Servers: []probe.ServerResult{
			{Nameserver: ns1, Address: "192.0.2.1", Status: probe.StatusOK, Serial: 7, NSID: "fra1.anycast"},
			{Nameserver: ns2, Address: "192.0.2.2", Status: probe.StatusRefused, Detail: "answered REFUSED"},
		},
		DNSSEC: &probe.DNSSECReport{
			Status: probe.DNSSECBogus, Anchor: ".",
			Chain: []probe.ChainLink{
				{Zone: ".", Status: probe.DNSSECSecure, KeyTags: []uint16{20326}},
				{Zone: "test.", Status: probe.DNSSECSecure, KeyTags: []uint16{111}},
			},
			DS:      []probe.DSRecord{{KeyTag: 4917, Algorithm: 13, DigestType: 2, Matched: true}},
			DNSKEYs: []probe.KeyRecord{{KeyTag: 4917, Algorithm: 13, Flags: 257, SignsKeySet: true}, {KeyTag: 5336, Algorithm: 13, Flags: 256}},
			Signatures: []probe.SignatureObs{
				{Nameserver: ns1, Address: "192.0.2.1", Owner: zone, Type: "DNSKEY", Valid: true, Expiration: now.Add(48 * time.Hour)},
				{Nameserver: ns1, Address: "192.0.2.1", Owner: zone, Type: "SOA", Valid: false, Expiration: now.Add(-time.Hour), Detail: "RRSIG expired"},
			},
			EarliestExpiration: now.Add(-time.Hour),
		},
		SerialConsistent: ptr(true),
		Findings: []probe.Finding{
			{Check: probe.CheckLameRefused, Severity: probe.SeverityError, Nameserver: ns2, Address: "192.0.2.2", Message: "answered REFUSED"},
			{Check: probe.CheckRRSIGExpired, Severity: probe.SeverityError, Nameserver: ns1, Address: "192.0.2.1", Message: "SOA signature expired"},
		},
	}
	r.Diagnosis = &probe.Diagnosis{Cause: probe.CauseSignatureExpired, Severity: probe.SeverityError, Summary: "signatures of " + zone + " expired",
		Checks: []probe.CheckID{probe.CheckRRSIGExpired, probe.CheckLameRefused}}
	return r
}

// svgDoc is the inline SVG, parsed as XML: a drawing that is not
// well-formed does not parse.
type svgDoc struct {
	Groups []svgGroup `xml:"g"`
	Paths  []svgPath  `xml:"path"`
}

type svgGroup struct {
	Class   string `xml:"class,attr"`
	Kind    string `xml:"data-kind,attr"`
	Zone    string `xml:"data-zone,attr"`
	Name    string `xml:"data-name,attr"`
	Address string `xml:"data-address,attr"`
	Title   string `xml:"title"`
	Texts   []struct {
		Text string `xml:",chardata"`
	} `xml:"text"`
}

type svgPath struct {
	Class string `xml:"class,attr"`
}

func render(t *testing.T, r *probe.Report) (string, svgDoc) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, Options{Runbook: triage.ParseRunbook(runbookMD(t))}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if start < 0 || end < 0 {
		t.Fatal("the page has no SVG")
	}
	var doc svgDoc
	if err := xml.Unmarshal([]byte(page[start:end+len("</svg>")]), &doc); err != nil {
		t.Fatalf("the SVG is not well-formed XML: %v", err)
	}
	return page, doc
}

func runbookMD(t *testing.T) []byte {
	t.Helper()
	md, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func (d svgDoc) find(kind, zone, name, addr string) *svgGroup {
	for i, g := range d.Groups {
		if g.Kind == kind && g.Zone == zone && (name == "" || g.Name == name) && (addr == "" || g.Address == addr) {
			return &d.Groups[i]
		}
	}
	return nil
}

func (g *svgGroup) status() string {
	m := regexp.MustCompile(`\bst-(\w+)`).FindStringSubmatch(g.Class)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestGraphStructure(t *testing.T) {
	r := sampleReport("example.test.", "ns1.example.test", "ns2.example.test")
	_, doc := render(t, r)

	for _, z := range []string{".", "test.", "example.test."} {
		if doc.find("zone", z, "", "") == nil {
			t.Errorf("no box for zone %s", z)
		}
	}
	for _, h := range r.Path {
		for _, s := range h.Servers {
			if doc.find("server", h.Zone, s, "") == nil {
				t.Errorf("no node for server %s of %s", s, h.Zone)
			}
		}
	}
	for _, ps := range r.ParentServers {
		if doc.find("server", "test.", ps.Nameserver, ps.Address) == nil {
			t.Errorf("no node for parent server %s %s", ps.Nameserver, ps.Address)
		}
	}
	tests := []struct {
		kind, name, addr, status string
	}{
		{"server", "ns1.example.test", "192.0.2.1", stBad}, // ok, but serves an expired signature
		{"server", "ns2.example.test", "192.0.2.2", stBad}, // lame
		{"server", "ns3.gone.example", "", stBad},          // delegated, no address
		{"ds", "DS 4917", "", stOK},
		{"dnskey", "DNSKEY 4917", "", stOK},
		{"dnskey", "DNSKEY 5336", "", stBad}, // a ZSK of a bogus zone
		{"rrset", "DNSKEY", "", stOK},
		{"rrset", "SOA", "", stBad},
	}
	for _, tc := range tests {
		g := doc.find(tc.kind, "example.test.", tc.name, tc.addr)
		if g == nil {
			t.Errorf("no %s node %q", tc.kind, tc.name)
			continue
		}
		if got := g.status(); got != tc.status {
			t.Errorf("%s node %q is %q, want %q", tc.kind, tc.name, got, tc.status)
		}
	}
	if g := doc.find("zone", "example.test.", "", ""); g.status() != stBad {
		t.Errorf("the zone's box is %q, want bad for an error diagnosis", g.status())
	}

	kinds := map[string]int{}
	for _, p := range doc.Paths {
		for _, k := range []string{"e-delegation", "e-ds", "e-signs", "e-chain"} {
			if strings.Contains(p.Class, k) {
				kinds[k]++
			}
		}
	}
	want := map[string]int{
		"e-delegation": 2, // . -> test. -> example.test.
		"e-chain":      1, // .'s keys -> test.'s keys
		"e-ds":         2, // test.'s keys -> DS, DS -> DNSKEY 4917
		"e-signs":      2, // KSK -> DNSKEY set, ZSK -> SOA
	}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s arrows, want %d", kinds[k], k, n)
		}
	}
}

func TestGraphInsecureDelegation(t *testing.T) {
	r := sampleReport("example.test.", "ns1.example.test", "ns2.example.test")
	r.DNSSEC.Status, r.DNSSEC.DS, r.DNSSEC.DNSKEYs, r.DNSSEC.Signatures = probe.DNSSECInsecure, nil, nil, nil
	_, doc := render(t, r)
	g := doc.find("ds", "example.test.", "no DS", "")
	if g == nil {
		t.Fatal("an unsigned zone has no \"no DS\" node")
	}
	if g.status() != stInsecure {
		t.Errorf("the \"no DS\" node is %q, want insecure", g.status())
	}
	for _, p := range doc.Paths {
		if strings.Contains(p.Class, "e-ds") && !strings.Contains(p.Class, "st-insecure") {
			t.Errorf("the arrow to \"no DS\" is %q, want insecure", p.Class)
		}
	}
}

func TestHostileNamesAreEscaped(t *testing.T) {
	hostile := []string{
		`<script>alert(1)</script>.test.`,
		`"><img src=x onerror=alert(1)>.test`,
		`a&b'c.test`,
	}
	r := sampleReport(hostile[0], hostile[1], hostile[2])
	r.Findings[0].Message = `</td><script>alert(2)</script>`
	r.Diagnosis.Summary = `<b>bold</b>`
	page, doc := render(t, r)
	for _, bad := range []string{"<script", "<img", "<b>bold", "onerror=alert(1)>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	// The names survive escaping: the attributes decode to them.
	if doc.find("zone", hostile[0], "", "") == nil {
		t.Errorf("no zone box with data-zone %q", hostile[0])
	}
	for _, ns := range hostile[1:] {
		if doc.find("server", hostile[0], ns, "") == nil {
			t.Errorf("no server node with data-name %q", ns)
		}
	}
	var text strings.Builder
	for _, g := range doc.Groups {
		for _, tx := range g.Texts {
			text.WriteString(tx.Text + "\n")
		}
	}
	if !strings.Contains(text.String(), `"&gt;&lt;img`) && !strings.Contains(text.String(), `"><img`) {
		t.Errorf("the server's name is not drawn:\n%s", text.String())
	}
}

func TestReportContent(t *testing.T) {
	r := sampleReport("example.test.", "ns1.example.test", "ns2.example.test")
	page, _ := render(t, r)
	for _, want := range []string{
		`<h1>example.test</h1>`,
		`href="runbook#rrsig_expired"`, // the finding links its runbook section
		`href="runbook#lame_refused"`,
		`Re-sign now`, // a runbook step of rrsig_expired
		`href="probe?debug=true&amp;module=default&amp;target=example.test"`,
		`Triage of example.test`,             // the check command's text
		`id="report-json"`,                   // and its JSON
		`<td class="mono">fra1.anycast</td>`, // the instance that answered (NSID)
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<link rel=\"stylesheet\"") || strings.Contains(page, "src=\"http") {
		t.Error("the page loads a script or a resource: it must stand alone")
	}
}

func TestRunbookAnchors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRunbook(&buf, runbookMD(t), "1.0"); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, c := range probe.Checks {
		if !strings.Contains(page, `id="`+Anchor(string(c.ID))+`"`) {
			t.Errorf("the runbook page has no anchor for check %s", c.ID)
		}
		if Anchor(string(c.ID)) != string(c.ID) {
			t.Errorf("Anchor(%q) = %q: GitHub keeps lower-case IDs with underscores as they are", c.ID, Anchor(string(c.ID)))
		}
	}
}

func TestAnchor(t *testing.T) {
	tests := map[string]string{
		"lame_refused":                  "lame_refused",
		"What to do, most urgent first": "what-to-do-most-urgent-first",
		"The `debug` view":              "the-debug-view",
		"DNSSEC: RFC 4035 §4.3":         "dnssec-rfc-4035-43",
		"[Link](#x) text":               "link-text",
	}
	for in, want := range tests {
		if got := Anchor(in); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	md := "# Title\n\n## dup\n\n## dup\n\nA *b* **c** `<d>` [e](javascript:alert(1)) [f](#dup) <script>x</script>\n\n" +
		"- one\n  continued\n- two\n  1. nested\n\n| a | b |\n|---|---|\n| `x|y` | z |\n\n```\n<pre> & code\n```\n"
	got := string(renderMarkdown([]byte(md)))
	for _, want := range []string{
		`<h2 id="dup">dup</h2>`, `<h2 id="dup-1">dup</h2>`,
		`<em>b</em>`, `<strong>c</strong>`, `<code>&lt;d&gt;</code>`,
		`<a href="#">e</a>`, `<a href="#dup">f</a>`, `&lt;script&gt;x&lt;/script&gt;`,
		"<li>one continued", "<ol>\n<li>nested", `<td><code>x|y</code></td>`,
		"&lt;pre&gt; &amp; code",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered Markdown lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "javascript:") || strings.Contains(got, "<script>") {
		t.Errorf("rendered Markdown keeps something hostile:\n%s", got)
	}
}

func TestFaultClass(t *testing.T) {
	tests := []struct {
		checks []string
		want   string
	}{
		{nil, ClassHealthy},
		{[]string{string(probe.CheckLameRefused)}, ClassLame},
		{[]string{string(probe.CheckSOASerialMismatch)}, ClassDelegation},
		{[]string{string(probe.CheckRRSIGExpired)}, ClassDNSSEC},
		{[]string{string(probe.CheckRRSIGExpired), string(probe.CheckLameTimeout)}, ClassLame},
	}
	for _, tc := range tests {
		if got := FaultClass(tc.checks); got != tc.want {
			t.Errorf("FaultClass(%v) = %q, want %q", tc.checks, got, tc.want)
		}
	}
}

func TestDemoBoard(t *testing.T) {
	var (
		mu            sync.Mutex
		calls, active int
		peak          int
	)
	release := make(chan struct{})
	b := &DemoBoard{
		Zones: []DemoZone{
			{Name: "healthy.test.", Description: "fine"},
			{Name: "lame.test.", Checks: []string{string(probe.CheckLameRefused)}},
			{Name: "expired.test.", Checks: []string{string(probe.CheckRRSIGExpired)}},
			{Name: "drift.test.", Checks: []string{string(probe.CheckSOASerialMismatch)}},
			{Name: "more.test.", Checks: []string{string(probe.CheckLameTimeout)}},
		},
		Port:        53,
		Concurrency: 2,
		TTL:         time.Hour,
		Probe: func(ctx context.Context, zone string) *probe.Report {
			mu.Lock()
			calls++
			active++
			peak = max(peak, active)
			mu.Unlock()
			<-release
			mu.Lock()
			active--
			mu.Unlock()
			r := &probe.Report{Zone: zone, Diagnosis: &probe.Diagnosis{Cause: probe.CauseHealthy}}
			if zone != "healthy.test." {
				r.Diagnosis = &probe.Diagnosis{Cause: probe.CausePartialLame, Severity: probe.SeverityError}
			}
			return r
		},
	}
	done := b.Refresh()
	if again := b.Refresh(); again != done {
		t.Error("a second refresh started while one was under way")
	}
	close(release)
	<-done
	v := b.view(context.Background())
	if calls != len(b.Zones) {
		t.Errorf("%d probes for %d zones", calls, len(b.Zones))
	}
	if peak > b.Concurrency {
		t.Errorf("%d probes ran at once, want at most %d", peak, b.Concurrency)
	}
	// Within the TTL, a page reuses the results.
	<-b.Refresh()
	if calls != len(b.Zones) {
		t.Errorf("%d probes after a second page within the TTL, want %d", calls, len(b.Zones))
	}

	var order []string
	for _, g := range v.Groups {
		order = append(order, g.Name)
		for _, z := range g.Zones {
			if !z.Probed {
				t.Errorf("%s is not shown as probed", z.Name)
			}
			if z.Report != "report?module=demo&target="+z.Name {
				t.Errorf("%s links to %q", z.Name, z.Report)
			}
			wantVerdict := "error"
			if z.Name == "healthy.test" {
				wantVerdict = "healthy"
			}
			if z.Verdict != wantVerdict {
				t.Errorf("%s verdict %q, want %q", z.Name, z.Verdict, wantVerdict)
			}
		}
	}
	if want := []string{ClassHealthy, ClassLame, ClassDelegation, ClassDNSSEC}; strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("groups %q, want %q", order, want)
	}
}

// TestDemoBoardTimeout: a probe that never ends does not hold the page;
// the zone is shown as not probed.
func TestDemoBoardTimeout(t *testing.T) {
	b := &DemoBoard{
		Zones:   []DemoZone{{Name: "stuck.test."}},
		Timeout: time.Millisecond,
		Probe: func(ctx context.Context, zone string) *probe.Report {
			<-ctx.Done()
			return &probe.Report{Zone: zone}
		},
	}
	v := b.view(context.Background())
	if len(v.Groups) != 1 || v.Groups[0].Zones[0].Probed {
		t.Errorf("a probe cut by the board's timeout is shown as probed: %+v", v.Groups)
	}
}

func TestMarkdownEmphasisAroundCode(t *testing.T) {
	got := string(renderMarkdown([]byte("**Severity and `probe_success`.** Any `a*b*c` [x `y`](#z)\n")))
	want := `<p><strong>Severity and <code>probe_success</code>.</strong> Any <code>a*b*c</code> <a href="#z">x <code>y</code></a></p>`
	if !strings.Contains(got, want) {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
