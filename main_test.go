package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/promslog"

	"github.com/dnshealth/dnshealth_exporter/collector"
	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const goodConfig = `
modules:
  fast:
    timeout: 3s
`

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	writeFile(t, good, goodConfig)
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, bad, "modules:\n  fast:\n    timeuot: 3s\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"valid", []string{"--config.check", "--config.file", good}, 0, "good.yml is valid; modules: default, fast", ""},
		{"unknown_key", []string{"--config.check", "--config.file", bad}, 1, "", "timeuot"},
		{"missing_file", []string{"--config.check", "--config.file", filepath.Join(dir, "nope.yml")}, 1, "", "nope.yml"},
		{"no_file", []string{"--config.check"}, 0, "built-in default configuration", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr %q", code, tc.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("stdout %q lacks %q", stdout.String(), tc.wantStdout)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown_flag", []string{"--no-such-flag"}, "no-such-flag"},
		{"negative_concurrency", []string{"--probe.max-concurrent=-1"}, "--probe.max-concurrent"},
		{"negative_offset", []string{"--timeout-offset=-1s"}, "--timeout-offset"},
		{"demo_port_range", []string{"--demo.port=70000"}, "--demo.port"},
		{"bad_duration", []string{"--probe.queue-timeout=soon"}, "soon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestRunShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // as if SIGTERM came at once
	var stderr bytes.Buffer
	if code := run(ctx, []string{"--web.listen-address=127.0.0.1:0"}, io.Discard, &stderr); code != 0 {
		t.Errorf("exit code %d, want 0; log:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Shutting down") {
		t.Errorf("log lacks the shutdown line:\n%s", stderr.String())
	}
}

func TestRunListenError(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"--web.listen-address=256.0.0.1:1"}, io.Discard, &stderr); code != 1 {
		t.Errorf("exit code %d, want 1; log:\n%s", code, stderr.String())
	}
}

// newTestExporter builds the exporter from args with its reload loop
// running; hup stands in for SIGHUP. An unbuffered hup makes a second send
// wait until the loop has finished the reload the first one started.
func newTestExporter(t *testing.T, args ...string) (*exporter, chan os.Signal) {
	t.Helper()
	o, err := parseFlags(append([]string{"--log.level=error"}, args...), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.log.Writer = io.Discard
	e, err := newExporter(o, promslog.New(o.log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal)
	go e.reloadLoop(ctx, hup)
	t.Cleanup(func() { cancel(); <-e.stopped })
	return e, hup
}

func do(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

func TestRoutes(t *testing.T) {
	e, _ := newTestExporter(t)
	tests := []struct {
		name     string
		method   string
		path     string
		wantCode int
		wantBody []string
	}{
		{"healthy", http.MethodGet, "/-/healthy", 200, []string{"Healthy"}},
		{"reload_get", http.MethodGet, "/-/reload", 405, []string{"use POST"}},
		{"reload_post", http.MethodPost, "/-/reload", 200, []string{"reloaded"}},
		{"landing", http.MethodGet, "/", 200, []string{`name="target"`, `name="module"`, `value="default"`, `href="metrics"`, `href="-/healthy"`, `href="runbook"`, `action="report"`, "target=&lt;zone&gt;"}},
		{"not_found", http.MethodGet, "/nope", 404, nil},
		{"probe_without_target", http.MethodGet, "/probe", 400, []string{"target is empty"}},
		{"probe_unknown_module", http.MethodGet, "/probe?target=example.org&module=nope", 400, []string{`unknown module "nope"`}},
		{"metrics", http.MethodGet, "/metrics", 200, []string{
			"dnshealth_exporter_build_info{",
			"dnshealth_exporter_config_last_reload_successful 1",
			"dnshealth_exporter_cache_entries 0",
			`dnshealth_exporter_probes_total{module="default",outcome="success"} 0`,
			"dnshealth_exporter_module_unknown_total",
			"dnshealth_exporter_probes_rejected_total 0",
			"go_goroutines",
			"process_start_time_seconds",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, e.mux, tc.method, tc.path)
			if w.Code != tc.wantCode {
				t.Errorf("status %d, want %d; body %q", w.Code, tc.wantCode, w.Body.String())
			}
			for _, want := range tc.wantBody {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("body lacks %q", want)
				}
			}
		})
	}
	t.Run("metrics_lint", func(t *testing.T) {
		w := do(t, e.mux, http.MethodGet, "/metrics")
		problems, err := promlint.New(w.Body).Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	})
}

func TestReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dnshealth.yml")
	writeFile(t, path, goodConfig)
	e, hup := newTestExporter(t, "--config.file", path)
	modules := func() []string {
		var out []string
		for name := range e.config.Load().Modules {
			out = append(out, name)
		}
		return out
	}
	has := func(name string) bool { _, ok := e.config.Load().Modules[name]; return ok }

	t.Run("failed_reload_keeps_config", func(t *testing.T) {
		writeFile(t, path, "modules: [")
		w := do(t, e.mux, http.MethodPost, "/-/reload")
		if w.Code != http.StatusInternalServerError {
			t.Errorf("status %d, want 500", w.Code)
		}
		if !strings.HasPrefix(w.Body.String(), "failed to reload config: ") || !strings.Contains(w.Body.String(), path) {
			t.Errorf("body %q does not give the error", w.Body.String())
		}
		if !has("fast") {
			t.Errorf("modules %v, want the old configuration's", modules())
		}
		if got := testutil.ToFloat64(e.metrics.ConfigLastReloadSuccessful); got != 0 {
			t.Errorf("config_last_reload_successful = %v, want 0", got)
		}
	})

	t.Run("post", func(t *testing.T) {
		// The rollover memory belongs to the Prober and outlives a reload.
		mem := e.prober.Rollover
		mem.Observe("53|example.org.", []string{"key/13/1"}, time.Unix(0, 0))
		writeFile(t, path, "modules:\n  slow:\n    timeout: 20s\n")
		if w := do(t, e.mux, http.MethodPost, "/-/reload"); w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
		}
		if e.prober.Rollover != mem || mem.Len() != 1 {
			t.Errorf("the rollover memory did not survive the reload")
		}
		if !has("slow") || has("fast") || !has("default") {
			t.Errorf("modules %v, want default and slow", modules())
		}
		if got := testutil.ToFloat64(e.metrics.ConfigLastReloadSuccessful); got != 1 {
			t.Errorf("config_last_reload_successful = %v, want 1", got)
		}
		if w := do(t, e.mux, http.MethodGet, "/probe?target=example.org&module=fast"); w.Code != http.StatusBadRequest {
			t.Errorf("probe with the removed module: status %d, want 400", w.Code)
		}
	})

	t.Run("sighup", func(t *testing.T) {
		writeFile(t, path, "modules:\n  hup:\n    timeout: 4s\n")
		hup <- os.Interrupt // any signal value: the loop does not look at it
		hup <- os.Interrupt // returns once the first reload is done
		if !has("hup") {
			t.Errorf("modules %v, want hup after SIGHUP", modules())
		}
	})
}

func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dnshealth.yml")
	writeFile(t, path, goodConfig)
	e, _ := newTestExporter(t, "--demo", "--demo.port=0", "--config.file", path)
	zones := e.lab.Zones()
	if len(zones) == 0 {
		t.Fatal("the lab has no demo zones")
	}

	t.Run("module", func(t *testing.T) {
		m := e.config.Load().Modules[demoModule]
		if m == nil {
			t.Fatal("no demo module")
		}
		if m.Port != e.lab.Port() || len(m.RootServers) == 0 || m.TrustAnchors == nil || len(m.TrustAnchors.DS["."]) == 0 {
			t.Errorf("demo module port %d with %d root servers, want port %d and the lab's roots and trust anchor", m.Port, len(m.RootServers), e.lab.Port())
		}
	})

	t.Run("survives_reload", func(t *testing.T) {
		if w := do(t, e.mux, http.MethodPost, "/-/reload"); w.Code != http.StatusOK {
			t.Fatalf("reload: status %d, body %q", w.Code, w.Body.String())
		}
		cfg := e.config.Load()
		if cfg.Modules[demoModule] == nil || cfg.Modules["fast"] == nil {
			t.Errorf("after reload: demo %v, fast %v; want both", cfg.Modules[demoModule] != nil, cfg.Modules["fast"] != nil)
		}
	})

	t.Run("landing_page", func(t *testing.T) {
		body := do(t, e.mux, http.MethodGet, "/").Body.String()
		for _, z := range zones {
			name := strings.TrimSuffix(z.Name, ".")
			if want := `href="probe?module=demo&amp;target=` + name + `"`; !strings.Contains(body, want) {
				t.Errorf("landing page lacks %s", want)
			}
		}
		if !strings.Contains(body, `value="demo"`) {
			t.Error("landing page form does not default to module demo")
		}
	})

	t.Run("probe", func(t *testing.T) {
		z := zones[0]
		name := strings.TrimSuffix(z.Name, ".")
		w := do(t, e.mux, http.MethodGet, "/probe?module=demo&target="+name)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d, body %q", w.Code, w.Body.String())
		}
		if want := `dnshealth_probe_info{module="demo",zone="` + name + `"} 1`; !strings.Contains(w.Body.String(), want) {
			t.Errorf("body lacks %s:\n%s", want, w.Body.String())
		}
	})

	t.Run("report", func(t *testing.T) {
		name := strings.TrimSuffix(zones[0].Name, ".")
		w := do(t, e.mux, http.MethodGet, "/report?module=demo&target="+name)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<h1>"+name+"</h1>") {
			t.Fatalf("status %d, body %q", w.Code, w.Body.String())
		}
		debug := do(t, e.mux, http.MethodGet, "/probe?debug=true&module=demo&target="+name).Body.String()
		if want := "report: " + e.absolute("report?module=demo&target="+name) + "\n"; !strings.HasPrefix(debug, want) {
			t.Errorf("the debug view does not start with %q:\n%s", want, debug)
		}
	})
}

// TestProbeDeadlineReachesQueries runs the real probe engine behind the
// /probe handler against root servers that never answer: the request must
// end, and every query must carry a deadline no later than the one the
// scrape timeout header set. It lives here, not in collector/, because
// faking the network takes miekg/dns types, which collector must not import.
func TestProbeDeadlineReachesQueries(t *testing.T) {
	// An empty MemNet answers no query, like servers that drop every packet.
	ex := &dnstest.DeadlineRecorder{Next: dnstest.MemNet{}}
	m := &probe.Module{
		Timeout:     time.Second,
		RootServers: []probe.NameServer{{Name: "a.root.test.", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.53")}}},
	}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	cfg := &probe.Config{Modules: map[string]*probe.Module{"default": m}}
	prober := probe.NewProber(nil, 10)
	prober.Exchanger = ex
	h := &collector.Handler{
		Config:        func() *probe.Config { return cfg },
		Prober:        prober,
		TimeoutOffset: 500 * time.Millisecond,
		Metrics:       collector.NewExporterMetrics(prometheus.NewRegistry(), prober.Cache),
	}
	req := httptest.NewRequest(http.MethodGet, "/probe?target=example.org", nil)
	req.Header.Set(collector.ScrapeTimeoutHeader, "0.7") // a 200ms probe
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	after := time.Now()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	if !strings.Contains(w.Body.String(), "probe_success 0") {
		t.Errorf("a probe that reached no server succeeded:\n%s", w.Body.String())
	}
	deadlines := ex.Deadlines()
	if len(deadlines) == 0 {
		t.Fatal("the probe sent no query")
	}
	// The probe deadline is arrival + 200ms, and arrival is before after.
	for i, dl := range deadlines {
		if dl.IsZero() || dl.After(after.Add(200*time.Millisecond)) {
			t.Errorf("query %d: deadline %v, want one within the 200ms probe deadline (before %v)", i, dl, after.Add(200*time.Millisecond))
		}
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		command string
		check   func(*testing.T, *options)
	}{
		{"no_command_is_serve", nil, serveCommand, nil},
		{"server_flags_without_command", []string{"--web.listen-address=127.0.0.1:0", "--demo.port=0"}, serveCommand, func(t *testing.T, o *options) {
			if got := (*o.web.WebListenAddresses)[0]; got != "127.0.0.1:0" || o.demoPort != 0 {
				t.Errorf("listen %q, demo port %d", got, o.demoPort)
			}
		}},
		{"serve_by_name", []string{"serve", "--timeout-offset=1s"}, serveCommand, func(t *testing.T, o *options) {
			if o.timeoutOffset != time.Second {
				t.Errorf("timeout offset %s, want 1s", o.timeoutOffset)
			}
		}},
		{"check_defaults", []string{"check", "example.com"}, checkCommand, func(t *testing.T, o *options) {
			if o.check != (checkOptions{zone: "example.com", output: "text"}) {
				t.Errorf("check options %+v", o.check)
			}
		}},
		{"check_flags_anywhere", []string{"--demo", "check", "example.com", "--config.file", "x.yml", "--module=fast", "-o", "json"}, checkCommand, func(t *testing.T, o *options) {
			if !o.demo || o.configFile != "x.yml" || o.check != (checkOptions{zone: "example.com", module: "fast", output: "json"}) {
				t.Errorf("demo %t, config %q, check options %+v", o.demo, o.configFile, o.check)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.command != tc.command {
				t.Errorf("command %q, want %q", o.command, tc.command)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

// TestCheckCannotRun: whenever the probe cannot run, check exits 3 with one
// line on stderr and nothing on stdout. None of these sends a query.
func TestCheckCannotRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yml")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad_target_url", []string{"check", "https://example.com/"}, "is not a zone name"},
		{"bad_target_ip", []string{"check", "192.0.2.1"}, "is an IP address"},
		{"bad_target_label", []string{"check", "a..example"}, "empty label"},
		{"unknown_module", []string{"check", "--module", "nope", "example.com"}, `unknown module "nope"; the configuration has: default`},
		{"demo_without_demo", []string{"check", "--module", "demo", "healthy.test"}, `unknown module "demo"`},
		{"bad_config", []string{"check", "--config.file", missing, "example.com"}, "missing.yml"},
		{"bad_output", []string{"check", "--output", "yaml", "example.com"}, "yaml"},
		{"missing_zone", []string{"check"}, "zone"},
		{"unknown_flag", []string{"check", "--no-such-flag", "example.com"}, "no-such-flag"},
		{"too_many_args", []string{"check", "example.com", "example.org"}, "example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, &stdout, &stderr)
			if code != triage.ExitNotRun {
				t.Errorf("exit code %d, want %d; stderr %q", code, triage.ExitNotRun, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.want)
			}
			if n := strings.Count(stderr.String(), "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", n, stderr.String())
			}
		})
	}
	t.Run("unknown_module_with_demo", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"check", "--demo", "--module", "nope", "healthy.test"}, &stdout, &stderr)
		if code != triage.ExitNotRun || !strings.Contains(stderr.String(), `unknown module "nope"; the configuration has: default, demo`) {
			t.Errorf("exit code %d, stderr %q", code, stderr.String())
		}
	})
}

func TestColourOutput(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	regular, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	// /dev/null is a character device, as a terminal is.
	device, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer device.Close()
	tests := []struct {
		name string
		w    io.Writer
		env  func(string) string
		want bool
	}{
		{"buffer", &bytes.Buffer{}, env(), false},
		{"regular_file", regular, env(), false},
		{"character_device", device, env(), true},
		{"no_color", device, env("NO_COLOR", "1"), false},
		{"no_color_empty_is_unset", device, env("NO_COLOR", ""), true},
		{"dumb_terminal", device, env("TERM", "dumb"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := colourOutput(tc.w, tc.env); got != tc.want {
				t.Errorf("colourOutput = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestEmbeddedRunbook(t *testing.T) {
	rb := triage.ParseRunbook(checksRunbook)
	for _, check := range []probe.CheckID{probe.CheckLameRefused, probe.CheckRRSIGExpired, probe.CheckNoReachableAuthority} {
		if e, ok := rb.Entry(string(check)); !ok || len(e.Steps) == 0 {
			t.Errorf("the embedded runbook has no steps for %s", check)
		}
	}
}

// volatile are the parts of check's output that differ between runs: the
// lab's keys and signing time, the probe's clock, RTTs, the random label
// of the NXDOMAIN proof, and the order the probe lists parallel findings
// in its summary.
var volatile = []struct {
	re   *regexp.Regexp
	repl func(string) string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), fixed("<time>")},
	{regexp.MustCompile(`dnshealth-[0-9a-f]{8}\.`), fixed("dnshealth-<random>.")},
	{regexp.MustCompile(`\b(127\.53\.\d+\.\d+):\d+\b`), func(s string) string { return s[:strings.LastIndex(s, ":")] + ":<port>" }},
	{regexp.MustCompile(`\b\d+ queries\b`), fixed("<n> queries")},
	// An RTT's width varies, and the column after it is padded to it.
	{regexp.MustCompile(`\b\d+(\.\d+)?(ms|µs|ns)( {2,})?`), func(s string) string {
		if strings.HasSuffix(s, "  ") {
			return "<rtt>  "
		}
		return "<rtt>"
	}},
	{regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?s\b`), fixed("<duration>")},
	{regexp.MustCompile(`\b(keys?|DS|DNSKEY)((?: \d{1,5}\b)+)`), func(s string) string {
		return regexp.MustCompile(`\d+`).ReplaceAllString(s, "#")
	}},
	{regexp.MustCompile(`"(duration_seconds|rtt_seconds)": [-0-9.e]+`), func(s string) string { return s[:strings.Index(s, ":")] + `: "<seconds>"` }},
	{regexp.MustCompile(`"query_count": \d+`), fixed(`"query_count": "<n>"`)},
	{regexp.MustCompile(`"key_tag": \d+`), fixed(`"key_tag": "#"`)},
	{regexp.MustCompile(`"key_tags": \[[^\]]*\]`), func(s string) string { return regexp.MustCompile(`\d+`).ReplaceAllString(s, `"#"`) }},
	{regexp.MustCompile(`"days_to_expiry": -?[0-9.e+-]+`), func(s string) string {
		f, err := strconv.ParseFloat(s[strings.Index(s, ":")+2:], 64)
		if err != nil {
			return s
		}
		return fmt.Sprintf(`"days_to_expiry": %.1f`, f)
	}},
	{regexp.MustCompile(`\(([^()\n"]*\d+\.\d+\.\d+\.\d+[^()\n"]*)\)`), func(s string) string {
		items := strings.Split(s[1:len(s)-1], ", ")
		slices.Sort(items)
		return "(" + strings.Join(items, ", ") + ")"
	}},
}

func fixed(s string) func(string) string { return func(string) string { return s } }

func normalise(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllStringFunc(s, v.repl)
	}
	return withoutSteps(s)
}

var (
	stepRE      = regexp.MustCompile(`^ +\d+\. `)
	jsonStepsRE = regexp.MustCompile(`"steps": \[[^\]]+\]`)
)

// withoutSteps replaces the runbook's steps by a placeholder, so that
// editing docs/checks.md does not change the goldens; TestCheckGolden
// compares the steps with the runbook itself.
func withoutSteps(s string) string {
	s = jsonStepsRE.ReplaceAllString(s, `"steps": ["<from docs/checks.md>"]`)
	var out []string
	inSection, inStep := false, false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "What to do":
			inSection = true
		case inSection && stepRE.MatchString(l):
			if !inStep {
				out = append(out, "      <steps from docs/checks.md>")
			}
			inStep = true
			continue
		case inStep && strings.HasPrefix(l, "      ") && !strings.HasPrefix(l, "      runbook:") && !strings.HasPrefix(l, "      ("):
			continue // a step's wrapped line
		default:
			inStep = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestCheckGolden runs `check --demo` on demo zones through run(), in both
// formats, and compares the output, normalised, with testdata/check/.
// go test . -run TestCheckGolden -update rewrites the files.
func TestCheckGolden(t *testing.T) {
	tests := []struct {
		zone string
		code int
	}{
		{"healthy.test", triage.ExitOK},
		{"lame-refused.test", triage.ExitError},
		{"sec-expired.test", triage.ExitError},
		{"all-lame.test", triage.ExitError},
		{"serial-drift.test", triage.ExitWarning},
	}
	for _, tc := range tests {
		for _, format := range []string{"text", "json"} {
			t.Run(tc.zone+"/"+format, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), []string{"check", "--demo", tc.zone, "--output", format}, &stdout, &stderr)
				if code != tc.code {
					t.Errorf("exit code %d, want %d; stderr %q", code, tc.code, stderr.String())
				}
				if stderr.Len() != 0 {
					t.Errorf("stderr %q, want nothing", stderr.String())
				}
				if strings.Contains(stdout.String(), "\x1b[") {
					t.Error("colour codes in output that is not a terminal")
				}
				ext := "txt"
				if format == "json" {
					ext = "json"
					var doc struct {
						Version     int    `json:"version"`
						Zone        string `json:"zone"`
						Module      string `json:"module"`
						ExitCode    int    `json:"exit_code"`
						Remediation []struct {
							Check string   `json:"check"`
							Steps []string `json:"steps"`
						} `json:"remediation"`
					}
					if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
						t.Fatalf("not JSON: %v", err)
					}
					if doc.Version != triage.JSONVersion || doc.Zone != tc.zone+"." || doc.Module != demoModule || doc.ExitCode != code {
						t.Errorf("version %d zone %q module %q exit_code %d; want %d %q %q %d", doc.Version, doc.Zone, doc.Module, doc.ExitCode, triage.JSONVersion, tc.zone+".", demoModule, code)
					}
					// The steps are the embedded runbook's, <zone> filled in.
					rb := triage.ParseRunbook(checksRunbook)
					for _, rm := range doc.Remediation {
						e, _ := rb.Entry(rm.Check)
						var want []string
						for _, s := range e.Steps {
							want = append(want, strings.ReplaceAll(s, "<zone>", tc.zone))
						}
						if len(want) == 0 || !slices.Equal(rm.Steps, want) {
							t.Errorf("remediation of %s: steps %q, want the runbook's %q", rm.Check, rm.Steps, want)
						}
					}
				} else if code != triage.ExitOK && !strings.Contains(stdout.String(), "\n   1. ") {
					t.Error("the text has no numbered step")
				}
				got := normalise(stdout.String())
				path := filepath.Join("testdata", "check", tc.zone+"."+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (go test . -run TestCheckGolden -update creates it)", err)
				}
				if got != string(want) {
					t.Errorf("output differs from %s (go test . -run TestCheckGolden -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
				}
			})
		}
	}
}

func TestComputeExternalURL(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flag, listen, want string
		wantErr            bool
	}{
		{"", ":9553", "http://" + host + ":9553", false},
		{"https://proxy.example/dns/", ":9553", "https://proxy.example/dns", false},
		{"http://proxy.example", ":9553", "http://proxy.example", false},
		{`"http://proxy.example"`, ":9553", "", true},
		{"proxy.example/dns", ":9553", "", true},
	}
	for _, tc := range tests {
		u, err := computeExternalURL(tc.flag, tc.listen)
		if tc.wantErr {
			if err == nil {
				t.Errorf("computeExternalURL(%q) = %v, want an error", tc.flag, u)
			}
			continue
		}
		if err != nil || u.String() != tc.want {
			t.Errorf("computeExternalURL(%q) = %v, %v; want %s", tc.flag, u, err, tc.want)
		}
	}
}

func TestRoutePrefix(t *testing.T) {
	t.Run("from_external_url", func(t *testing.T) {
		e, _ := newTestExporter(t, "--web.external-url=http://proxy.example/dns/")
		for _, tc := range []struct {
			path     string
			wantCode int
			want     string
		}{
			{"/dns/-/healthy", 200, "Healthy"},
			{"/dns/", 200, `href="runbook"`},
			{"/dns/runbook", 200, `id="lame_refused"`},
			{"/dns/report?module=nope&target=example.org", 400, `unknown module "nope"`},
			{"/dns/report?target=", 400, "target is empty"},
			{"/-/healthy", 404, ""},
			{"/", 302, ""},
			{"/dns", 307, ""},
		} {
			w := do(t, e.handler, http.MethodGet, tc.path)
			if w.Code != tc.wantCode || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("GET %s: %d %q, want %d with %q", tc.path, w.Code, w.Body.String(), tc.wantCode, tc.want)
			}
			if tc.wantCode == 302 || tc.wantCode == 307 {
				if loc := w.Header().Get("Location"); loc != "/dns/" {
					t.Errorf("GET %s redirects to %q, want /dns/", tc.path, loc)
				}
			}
		}
		if got := e.absolute("report?target=x"); got != "http://proxy.example/dns/report?target=x" {
			t.Errorf("absolute link %q", got)
		}
	})
	t.Run("flag_overrides", func(t *testing.T) {
		// A proxy that strips /dns: links keep the external path, routes do not.
		e, _ := newTestExporter(t, "--web.external-url=http://proxy.example/dns", "--web.route-prefix=/")
		if w := do(t, e.handler, http.MethodGet, "/-/healthy"); w.Code != 200 {
			t.Errorf("GET /-/healthy: %d, want 200 with --web.route-prefix=/", w.Code)
		}
		if got := e.absolute("runbook"); got != "http://proxy.example/dns/runbook" {
			t.Errorf("absolute link %q", got)
		}
	})
}
