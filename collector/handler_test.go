package collector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

type probeFunc = func(ctx context.Context, zone, moduleName string, m *probe.Module) *probe.Report

// probeCall records what the handler asked the probe engine to do.
type probeCall struct {
	zone, module string
	deadline     time.Time
	hasDeadline  bool
	err          error // ctx.Err() when the probe returned
}

// recorder is a probe engine stand-in that records its calls and returns
// the report made by next (an empty, successful one when next is nil).
type recorder struct {
	mu    sync.Mutex
	calls []probeCall
	next  probeFunc
}

func (rec *recorder) probe(ctx context.Context, zone, moduleName string, m *probe.Module) *probe.Report {
	var r *probe.Report
	if rec.next != nil {
		r = rec.next(ctx, zone, moduleName, m)
	} else {
		r = &probe.Report{Zone: zone, Module: moduleName}
	}
	dl, ok := ctx.Deadline()
	rec.mu.Lock()
	rec.calls = append(rec.calls, probeCall{zone: zone, module: moduleName, deadline: dl, hasDeadline: ok, err: ctx.Err()})
	rec.mu.Unlock()
	return r
}

func (rec *recorder) Calls() []probeCall {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]probeCall(nil), rec.calls...)
}

func testConfig() *probe.Config {
	cfg := probe.DefaultConfig()
	cfg.Modules["fast"] = &probe.Module{Timeout: 2 * time.Second, RootServers: cfg.Modules["default"].RootServers}
	if err := cfg.Modules["fast"].Validate(""); err != nil {
		panic(err)
	}
	return cfg
}

func newTestHandler(t *testing.T, next probeFunc) (*Handler, *recorder) {
	t.Helper()
	rec := &recorder{next: next}
	cfg := testConfig()
	h := &Handler{
		Config:        func() *probe.Config { return cfg },
		Prober:        probe.NewProber(nil, 10),
		TimeoutOffset: 500 * time.Millisecond,
		Metrics:       NewExporterMetrics(prometheus.NewRegistry(), nil),
		probe:         rec.probe,
	}
	return h, rec
}

func get(t *testing.T, h http.Handler, url string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestHandlerBadRequest(t *testing.T) {
	long := strings.Repeat("a", 64) + ".example"
	// 63+63+63+62 characters and three dots: 254 in text, 256 octets on the wire.
	tooLong := strings.Join([]string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 62)}, ".")
	tests := []struct {
		name   string
		target string
	}{
		{"empty", ""},
		{"ipv4_address", "192.0.2.1"},
		{"ipv6_address", "2001:db8::1"},
		{"url", "https://example.org/"},
		{"label_64_octets", long},
		{"name_256_octets", tooLong},
		{"empty_label", "a..b"},
		{"root", "."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, wantErr := probe.ParseTarget(tc.target)
			if wantErr == nil {
				t.Fatalf("ParseTarget(%q) accepted the target; the test case is wrong", tc.target)
			}
			h, rec := newTestHandler(t, nil)
			w := get(t, h, "/probe?target="+url.QueryEscape(tc.target), nil)
			if w.Code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", w.Code)
			}
			if got := strings.TrimSpace(w.Body.String()); got != wantErr.Error() {
				t.Errorf("body %q, want %q", got, wantErr.Error())
			}
			assertNotProbed(t, rec)
			assertValue(t, "probes_total{outcome=error}", h.Metrics.ProbesTotal.WithLabelValues("default", OutcomeError), 1)
		})
	}
}

func TestHandlerUnknownModule(t *testing.T) {
	h, rec := newTestHandler(t, nil)
	w := get(t, h, "/probe?target=example.org&module=nope", nil)
	if w.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", w.Code)
	}
	if got, want := strings.TrimSpace(w.Body.String()), `unknown module "nope"`; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	assertValue(t, "module_unknown_total", h.Metrics.ModuleUnknownTotal, 1)
	// An unknown module name must not become a label.
	assertSeries(t, h.Metrics.ProbesTotal, "dnshealth_exporter_probes_total", 0)
	assertNotProbed(t, rec)
}

func TestHandlerMethod(t *testing.T) {
	h, _ := newTestHandler(t, nil)
	req := httptest.NewRequest(http.MethodPost, "/probe?target=example.org", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("status %d, want 405", w.Code)
	}
	if got := w.Header().Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow %q, want %q", got, "GET, HEAD")
	}
}

func TestHandlerIDNATarget(t *testing.T) {
	h, rec := newTestHandler(t, nil)
	w := get(t, h, "/probe?target=b%C3%BCcher.example", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	calls := rec.Calls()
	if len(calls) != 1 {
		t.Fatalf("probe ran %d times, want 1", len(calls))
	}
	if calls[0].zone != "xn--bcher-kva.example." || calls[0].module != "default" {
		t.Errorf("probed zone %q module %q, want %q module %q", calls[0].zone, calls[0].module, "xn--bcher-kva.example.", "default")
	}
	if want := `dnshealth_probe_info{module="default",zone="xn--bcher-kva.example"} 1`; !strings.Contains(w.Body.String(), want) {
		t.Errorf("body lacks %q:\n%s", want, w.Body.String())
	}
}

func TestHandlerOutcomes(t *testing.T) {
	failing := func(_ context.Context, zone, module string, _ *probe.Module) *probe.Report {
		return &probe.Report{Zone: zone, Module: module, Duration: time.Second, Findings: []probe.Finding{
			{Check: probe.CheckNoReachableAuthority, Severity: probe.SeverityError, Message: "all lame"},
		}}
	}
	tests := []struct {
		name        string
		next        probeFunc
		wantCode    int
		wantOutcome string
		wantBody    string
	}{
		{"success", nil, http.StatusOK, OutcomeSuccess, "probe_success 1"},
		{"failure", failing, http.StatusOK, OutcomeFailure, "probe_success 0"},
		{"panic", func(context.Context, string, string, *probe.Module) *probe.Report { panic("boom") },
			http.StatusInternalServerError, OutcomeError, "internal error"},
		{"nil_report", func(context.Context, string, string, *probe.Module) *probe.Report { return nil },
			http.StatusInternalServerError, OutcomeError, "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newTestHandler(t, tc.next)
			w := get(t, h, "/probe?target=example.org&module=fast", nil)
			if w.Code != tc.wantCode {
				t.Errorf("status %d, want %d", w.Code, tc.wantCode)
			}
			if !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("body lacks %q:\n%s", tc.wantBody, w.Body.String())
			}
			assertValue(t, "probes_total{module=fast,outcome="+tc.wantOutcome+"}", h.Metrics.ProbesTotal.WithLabelValues("fast", tc.wantOutcome), 1)
			assertSeries(t, h.Metrics.ProbesTotal, "dnshealth_exporter_probes_total", 1)
			wantObs := 0
			if tc.wantOutcome != OutcomeError {
				wantObs = 1
			}
			if got := histogramCount(t, h.Metrics.ProbeDuration); got != wantObs {
				t.Errorf("probe_duration_seconds has %d observations, want %d", got, wantObs)
			}
		})
	}
}

func histogramCount(t *testing.T, c prometheus.Collector) int {
	t.Helper()
	n := 0
	for _, mf := range gather(t, c) {
		for _, m := range mf.GetMetric() {
			n += int(m.GetHistogram().GetSampleCount())
		}
	}
	return n
}

func TestHandlerClientGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h, _ := newTestHandler(t, func(_ context.Context, zone, module string, _ *probe.Module) *probe.Report {
		cancel() // the scraper hangs up while the probe runs
		return &probe.Report{Zone: zone, Module: module}
	})
	req := httptest.NewRequest(http.MethodGet, "/probe?target=example.org", nil).WithContext(ctx)
	h.ServeHTTP(httptest.NewRecorder(), req)
	assertValue(t, "probes_total{outcome=error}", h.Metrics.ProbesTotal.WithLabelValues("default", OutcomeError), 1)
}

func TestProbeTimeout(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		offset  time.Duration
		module  time.Duration
		want    time.Duration
		wantErr bool
	}{
		{name: "no_header_uses_module", module: 10 * time.Second, offset: 500 * time.Millisecond, want: 10 * time.Second},
		{name: "no_module_timeout_uses_default", want: probe.DefaultTimeout},
		{name: "header_minus_offset", header: "5", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 4500 * time.Millisecond},
		{name: "fractional_header", header: "2.5", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 2 * time.Second},
		{name: "module_caps_header", header: "30", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 10 * time.Second},
		{name: "equal_to_cap", header: "10.5", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 10 * time.Second},
		{name: "zero_offset", header: "3", module: 10 * time.Second, want: 3 * time.Second},
		{name: "offset_eats_header_halves_it", header: "0.5", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 250 * time.Millisecond},
		{name: "offset_larger_than_header", header: "0.4", offset: time.Second, module: 10 * time.Second, want: 200 * time.Millisecond},
		{name: "huge_header", header: "1e300", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 10 * time.Second},
		{name: "infinite_header", header: "+Inf", offset: 500 * time.Millisecond, module: 10 * time.Second, want: 10 * time.Second},
		{name: "not_a_number", header: "abc", module: 10 * time.Second, wantErr: true},
		{name: "zero", header: "0", module: 10 * time.Second, wantErr: true},
		{name: "negative", header: "-1", module: 10 * time.Second, wantErr: true},
		{name: "nan", header: "NaN", module: 10 * time.Second, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := probeTimeout(tc.header, tc.offset, tc.module)
			if tc.wantErr {
				if err == nil {
					t.Errorf("got %s, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestHandlerDeadline(t *testing.T) {
	tests := []struct {
		name   string
		header string
		module string
		want   time.Duration
	}{
		{"header", "1.5", "fast", time.Second},
		{"header_capped_by_module", "60", "fast", 2 * time.Second},
		{"no_header", "", "default", probe.DefaultTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, rec := newTestHandler(t, nil)
			hdr := http.Header{}
			if tc.header != "" {
				hdr.Set(ScrapeTimeoutHeader, tc.header)
			}
			before := time.Now()
			w := get(t, h, "/probe?target=example.org&module="+tc.module, hdr)
			after := time.Now()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			calls := rec.Calls()
			if len(calls) != 1 || !calls[0].hasDeadline {
				t.Fatalf("calls %+v, want one with a deadline", calls)
			}
			// The deadline is arrival + timeout, and arrival lies between
			// before and after, so this holds however slow the machine is.
			dl := calls[0].deadline
			if dl.Before(before.Add(tc.want)) || dl.After(after.Add(tc.want)) {
				t.Errorf("deadline %s after the request, want %s", dl.Sub(before), tc.want)
			}
		})
	}

	t.Run("invalid_header", func(t *testing.T) {
		h, rec := newTestHandler(t, nil)
		hdr := http.Header{}
		hdr.Set(ScrapeTimeoutHeader, "soon")
		w := get(t, h, "/probe?target=example.org", hdr)
		if w.Code != http.StatusBadRequest {
			t.Errorf("status %d, want 400", w.Code)
		}
		if !strings.Contains(w.Body.String(), ScrapeTimeoutHeader) {
			t.Errorf("body %q does not name the header", w.Body.String())
		}
		assertNotProbed(t, rec)
	})

	t.Run("probe_blocks_until_deadline", func(t *testing.T) {
		h, rec := newTestHandler(t, func(ctx context.Context, zone, module string, _ *probe.Module) *probe.Report {
			<-ctx.Done()
			return &probe.Report{Zone: zone, Module: module, TimedOut: true}
		})
		hdr := http.Header{}
		hdr.Set(ScrapeTimeoutHeader, "0.6") // 100ms after the offset
		w := get(t, h, "/probe?target=example.org", hdr)
		if w.Code != http.StatusOK {
			t.Errorf("status %d, want 200", w.Code)
		}
		calls := rec.Calls()
		if len(calls) != 1 || !errors.Is(calls[0].err, context.DeadlineExceeded) {
			t.Errorf("calls %+v, want one ended by its deadline", calls)
		}
	})
}

func TestHandlerDebug(t *testing.T) {
	h, _ := newTestHandler(t, func(_ context.Context, zone, module string, _ *probe.Module) *probe.Report {
		r := lameReport()
		r.Zone, r.Module = zone, module
		return r
	})
	w := get(t, h, "/probe?target=example.org&module=fast&debug=true", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	body := w.Body.String()
	for _, want := range []string{
		"zone example.org. (module fast)",
		"findings:",
		"error lame_refused [ns2.example.net 192.0.2.2]: REFUSED",
		"metrics:",
		"# TYPE probe_success gauge",
		"probe_success 0",
		`dnshealth_delegation_lame{address="192.0.2.2",nameserver="ns2.example.net"} 1`,
		"module fast (probe timeout 2s):",
		"timeout: 2s",
		"ip_protocol: both",
		"#   a.root-servers.net. 198.41.0.4",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("debug output lacks %q", want)
		}
	}
	// The report comes first, then the metrics, then the module.
	if i, j, k := strings.Index(body, "findings:"), strings.Index(body, "\nmetrics:"), strings.Index(body, "\nmodule fast"); i >= j || j >= k {
		t.Errorf("sections out of order: findings at %d, metrics at %d, module at %d", i, j, k)
	}
}

func TestHandlerConcurrencyLimit(t *testing.T) {
	for _, queue := range []time.Duration{0, time.Millisecond} {
		t.Run("queue_"+queue.String(), func(t *testing.T) {
			started := make(chan struct{})
			release := make(chan struct{})
			h, _ := newTestHandler(t, func(_ context.Context, zone, module string, _ *probe.Module) *probe.Report {
				if zone == "held.example." {
					close(started)
					<-release
				}
				return &probe.Report{Zone: zone, Module: module}
			})
			h.MaxConcurrent = 1
			h.QueueTimeout = queue

			held := make(chan *httptest.ResponseRecorder)
			go func() { held <- get(t, h, "/probe?target=held.example", nil) }()
			<-started

			w := get(t, h, "/probe?target=example.org", nil)
			if w.Code != http.StatusServiceUnavailable {
				t.Errorf("status %d, want 503", w.Code)
			}
			body := w.Body.String()
			if !strings.HasPrefix(body, "too many probes: all 1 probe slots are busy") || strings.Count(body, "\n") != 1 {
				t.Errorf("body %q, want one line about the busy slots", body)
			}
			assertValue(t, "probes_rejected_total", h.Metrics.ProbesRejectedTotal, 1)

			close(release)
			if w := <-held; w.Code != http.StatusOK {
				t.Errorf("held probe: status %d, want 200", w.Code)
			}
			// The slot is free again.
			if w := get(t, h, "/probe?target=example.org", nil); w.Code != http.StatusOK {
				t.Errorf("after release: status %d, want 200", w.Code)
			}
			assertValue(t, "probes_total{outcome=success}", h.Metrics.ProbesTotal.WithLabelValues("default", OutcomeSuccess), 2)
		})
	}
}

func TestHandlerUnlimited(t *testing.T) {
	// With no limit, probes run side by side: both must be inside the probe
	// at once for either to finish.
	var arrived sync.WaitGroup
	arrived.Add(2)
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	h, _ := newTestHandler(t, func(ctx context.Context, zone, module string, _ *probe.Module) *probe.Report {
		arrived.Done()
		select {
		case <-both:
			return &probe.Report{Zone: zone, Module: module}
		case <-ctx.Done(): // serialised: fail at the probe deadline, not hang
			return &probe.Report{Zone: zone, Module: module, Findings: []probe.Finding{{Check: probe.CheckProbeTimeout, Severity: probe.SeverityError}}}
		}
	})
	h.MaxConcurrent = 0
	hdr := http.Header{}
	hdr.Set(ScrapeTimeoutHeader, "5")
	bodies := make(chan string, 2)
	for range 2 {
		go func() { bodies <- get(t, h, "/probe?target=example.org", hdr).Body.String() }()
	}
	for range 2 {
		if b := <-bodies; !strings.Contains(b, "probe_success 1") {
			t.Errorf("probe did not run alongside the other:\n%s", b)
		}
	}
}

func TestExporterMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := NewExporterMetrics(reg, probe.NewCache(10))
	m.InitModules([]string{"default"})
	m.ConfigLastReloadSuccessful.Set(1)

	problems, err := testutil.GatherAndLint(reg)
	checkLint(t, nil, problems, err) // the exporter's own metrics have no exceptions
	const want = `
dnshealth_exporter_cache_entries 0
dnshealth_exporter_config_last_reload_successful 1
dnshealth_exporter_probes_total{module="default",outcome="error"} 0
dnshealth_exporter_probes_total{module="default",outcome="failure"} 0
dnshealth_exporter_probes_total{module="default",outcome="success"} 0
`
	assertGathered(t, reg, want, "dnshealth_exporter_cache_entries", "dnshealth_exporter_config_last_reload_successful", "dnshealth_exporter_probes_total")
}

// TestHandlerQueueMetricsShowWaitingAndRunningProbes: with one slot, a
// request behind a running probe is counted as queued while the probe is
// in flight, and its wait for the slot lands in the queue-wait histogram;
// when both are done, nothing is queued or in flight.
func TestHandlerQueueMetricsShowWaitingAndRunningProbes(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h, _ := newTestHandler(t, func(_ context.Context, zone, module string, _ *probe.Module) *probe.Report {
		if zone == "held.example." {
			close(started)
			<-release
		}
		return &probe.Report{Zone: zone, Module: module}
	})
	h.MaxConcurrent = 1
	h.QueueTimeout = time.Minute
	m := h.Metrics

	held := make(chan *httptest.ResponseRecorder)
	go func() { held <- get(t, h, "/probe?target=held.example", nil) }()
	<-started
	queued := make(chan *httptest.ResponseRecorder)
	go func() { queued <- get(t, h, "/probe?target=example.org", nil) }()
	// Wait (boundedly, so that a missing gauge fails rather than hangs)
	// for the second request to queue.
	for i := 0; testutil.ToFloat64(m.ProbesQueued) != 1; i++ {
		if i == 10000 {
			t.Fatal("the request behind the running probe was never counted as queued")
		}
		time.Sleep(time.Millisecond)
	}
	assertValue(t, "probes_in_flight", m.ProbesInFlight, 1)
	assertValue(t, "probe_slots", m.ProbeSlots, 1)

	close(release)
	for _, c := range []chan *httptest.ResponseRecorder{held, queued} {
		if w := <-c; w.Code != http.StatusOK {
			t.Errorf("status %d, want 200", w.Code)
		}
	}
	assertValue(t, "probes_in_flight", m.ProbesInFlight, 0)
	assertValue(t, "probes_queued", m.ProbesQueued, 0)
	if n := histogramCount(t, m.ProbeQueueWait); n != 2 {
		t.Errorf("queue wait observed %d times, want 2", n)
	}
	var out dto.Metric
	if err := m.ProbeQueueWait.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.GetHistogram().GetSampleSum() <= 0 {
		t.Error("the queued request's wait was not observed")
	}
}
