package collector

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"go.yaml.in/yaml/v3"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// ScrapeTimeoutHeader is the header in which Prometheus sends the scrape
// timeout, in seconds.
const ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// DefaultModule is the module used when a request names none.
const DefaultModule = "default"

// Handler serves /probe?target=<zone>&module=<name>[&debug=true]: it runs one
// probe per request and answers with that probe's metrics. Set the fields,
// then do not change them while the handler serves.
type Handler struct {
	// Config returns the current configuration; it is called once per
	// request, so a reload never changes a module under a running probe.
	Config func() *probe.Config
	Prober *probe.Prober
	// Logger receives one line per finished probe at debug level and the
	// reasons requests were turned away; nil discards.
	Logger *slog.Logger
	// TimeoutOffset is taken off the scrape timeout Prometheus announces,
	// leaving time to send the answer back.
	TimeoutOffset time.Duration
	// Metrics counts probes; nil counts into a throwaway registry.
	Metrics *ExporterMetrics
	// MaxConcurrent caps the probes running at once; 0 or less means no cap.
	MaxConcurrent int
	// QueueTimeout is how long a request waits for a free slot before it
	// gets a 503. It never extends the probe's own deadline.
	QueueTimeout time.Duration
	// ReportURL, when set, gives the address of the HTML report of a zone
	// and module; the debug view prints it first.
	ReportURL func(zone, module string) string

	// probe replaces Prober.Probe in tests, so that the handler's timing,
	// limiting and error paths can be tested without a probe engine.
	probe func(ctx context.Context, zone, moduleName string, m *probe.Module) *probe.Report

	initOnce sync.Once
	slots    chan struct{} // nil when unlimited
	metrics  *ExporterMetrics
	logger   *slog.Logger
}

func (h *Handler) init() {
	h.initOnce.Do(func() {
		h.metrics = h.Metrics
		if h.metrics == nil {
			h.metrics = NewExporterMetrics(prometheus.NewRegistry(), nil)
		}
		if h.MaxConcurrent > 0 {
			h.slots = make(chan struct{}, h.MaxConcurrent)
			h.metrics.ProbeSlots.Set(float64(h.MaxConcurrent))
		}
		h.logger = h.Logger
		if h.logger == nil {
			h.logger = slog.New(slog.DiscardHandler)
		}
		if h.probe == nil {
			h.probe = h.Prober.Probe
		}
	})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.writeMetrics)
}

// Page returns a handler for a page drawn from one probe, such as /report:
// it takes target and module, answers bad ones with the same one-line 400s,
// shares the handler's probe slots and times the probe as /probe does, then
// calls render with the report.
func (h *Handler) Page(render func(w http.ResponseWriter, r *http.Request, report *probe.Report)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, func(w http.ResponseWriter, r *http.Request, report *probe.Report, _ string, _ *probe.Module, _ time.Duration, _ *slog.Logger) {
			render(w, r, report)
		})
	})
}

// responder writes the answer to a request once its probe has finished.
type responder func(w http.ResponseWriter, r *http.Request, report *probe.Report, moduleName string, module *probe.Module, timeout time.Duration, logger *slog.Logger)

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, respond responder) {
	h.init()
	logger := h.logger
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if rec == http.ErrAbortHandler {
			// net/http's own way to abort a response; let it through.
			panic(rec)
		}
		logger.Error("Probe handler panicked", "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
		// If the answer had begun, this appends to it; the log has the cause.
		http.Error(w, "internal error: the probe handler failed; see the exporter's log", http.StatusInternalServerError)
	}()

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: use GET", http.StatusMethodNotAllowed)
		return
	}

	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		logger.Debug("Invalid query string", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	moduleName := q.Get("module")
	if moduleName == "" {
		moduleName = DefaultModule
	}
	module, ok := h.Config().Modules[moduleName]
	if !ok {
		// Counted apart from probes_total: the module label would take any
		// value a client sends.
		h.metrics.ModuleUnknownTotal.Inc()
		logger.Debug("Unknown module", "module", moduleName)
		http.Error(w, fmt.Sprintf("unknown module %q", moduleName), http.StatusBadRequest)
		return
	}
	logger = logger.With("module", moduleName)

	outcome := OutcomeError
	defer func() { h.metrics.ProbesTotal.WithLabelValues(moduleName, outcome).Inc() }()

	zone, err := probe.ParseTarget(q.Get("target"))
	if err != nil {
		logger.Debug("Invalid target", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	logger = logger.With("zone", zone)
	_, err = parseDebug(q.Get("debug"))
	if err != nil {
		logger.Debug("Invalid debug parameter", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	timeout, err := probeTimeout(r.Header.Get(ScrapeTimeoutHeader), h.TimeoutOffset, module.Timeout)
	if err != nil {
		logger.Debug("Invalid scrape timeout", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The deadline starts now, so time spent queueing for a slot comes out
	// of the probe's budget and the answer still beats the scrape timeout.
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()

	queued := time.Now()
	release, err := h.acquire(ctx)
	h.metrics.ProbeQueueWait.Observe(time.Since(queued).Seconds())
	if err != nil {
		h.metrics.ProbesRejectedTotal.Inc()
		logger.Warn("Probe rejected", "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	start := time.Now()
	report := h.probe(ctx, zone, moduleName, module)
	elapsed := time.Since(start)
	release()

	if report == nil {
		logger.Error("Probe returned no report")
		http.Error(w, "internal error: the probe returned no result", http.StatusInternalServerError)
		return
	}
	if r.Context().Err() != nil {
		logger.Debug("Client went away before the probe finished", "duration_seconds", elapsed.Seconds())
		return
	}
	if report.Duration == 0 {
		report.Duration = elapsed
	}
	h.metrics.ProbeDuration.WithLabelValues(moduleName).Observe(report.Duration.Seconds())
	outcome = OutcomeFailure
	if report.Success() {
		outcome = OutcomeSuccess
	}
	logger.Debug("Probe finished",
		"success", report.Success(),
		"duration_seconds", report.Duration.Seconds(),
		"timeout_seconds", timeout.Seconds(),
		"queries", report.QueryCount,
		"findings", len(report.Findings),
		"timed_out", report.TimedOut)
	respond(w, r, report, moduleName, module, timeout, logger)
}

// writeMetrics answers /probe: the probe's metrics, or with debug=true the
// report in words.
func (h *Handler) writeMetrics(w http.ResponseWriter, r *http.Request, report *probe.Report, moduleName string, module *probe.Module, timeout time.Duration, logger *slog.Logger) {
	query := r.URL.Query()
	debugText, _ := parseDebug(query.Get("debug")) // serve has rejected a bad value
	c := NewProbeCollector(report)
	// The text formats (what Prometheus negotiates unless native
	// histograms are on) come from the text writer; protobuf and a
	// name[] filter from promhttp.
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)
	if !debugText && format.FormatType() == expfmt.TypeTextPlain && len(query["name[]"]) == 0 {
		buf := textBufs.Get().(*bytes.Buffer)
		buf.Reset()
		defer textBufs.Put(buf)
		if dropped := c.writeText(buf); dropped > 0 {
			logger.Error("series left out of the probe's metrics: a repeated label set or a label value that is not UTF-8", "series", dropped)
		}
		w.Header().Add("Vary", "Accept")
		w.Header().Set("Content-Type", string(format))
		serveFastGzip(w, r, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(buf.Bytes())
		}))
		return
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(c)
	if debugText {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if h.ReportURL != nil {
			// First, so the on-call sees the way to the readable page.
			fmt.Fprintf(w, "report: %s\n\n", h.ReportURL(report.Zone, moduleName))
		}
		_, _ = w.Write(debugOutput(report, registry, moduleName, module, timeout))
		return
	}
	serveFastGzip(w, r, promhttp.HandlerFor(registry, promhttp.HandlerOpts{
		ErrorLog:           slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling:      promhttp.ContinueOnError,
		DisableCompression: true, // serveFastGzip compresses
	}))
}

// acquire waits for a probe slot until QueueTimeout or ctx ends, whichever
// comes first. The error is one line, fit for a 503 body.
func (h *Handler) acquire(ctx context.Context) (release func(), err error) {
	inFlight := h.metrics.ProbesInFlight
	if h.slots == nil {
		inFlight.Inc()
		return inFlight.Dec, nil
	}
	release = func() { inFlight.Dec(); <-h.slots }
	select {
	case h.slots <- struct{}{}:
		inFlight.Inc()
		return release, nil
	default:
	}
	full := fmt.Errorf("too many probes: all %d probe slots are busy", h.MaxConcurrent)
	if h.QueueTimeout <= 0 {
		return nil, full
	}
	h.metrics.ProbesQueued.Inc()
	defer h.metrics.ProbesQueued.Dec()
	t := time.NewTimer(h.QueueTimeout)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		inFlight.Inc()
		return release, nil
	case <-t.C:
		return nil, fmt.Errorf("%w and none freed up within %s", full, h.QueueTimeout)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w and none freed up before the probe deadline", full)
	}
}

// probeTimeout works out how long a probe may run, as blackbox_exporter
// does: the scrape timeout Prometheus announces minus offset, capped by the
// module's timeout; without the header, the module's timeout. When the
// offset eats the whole scrape timeout, the probe gets half of it instead,
// so it still finishes before Prometheus gives up.
func probeTimeout(header string, offset, moduleTimeout time.Duration) (time.Duration, error) {
	limit := moduleTimeout
	if limit <= 0 {
		limit = probe.DefaultTimeout
	}
	if header == "" {
		return limit, nil
	}
	secs, err := strconv.ParseFloat(header, 64)
	if err != nil || math.IsNaN(secs) || secs <= 0 {
		return 0, fmt.Errorf("invalid %s header %q: want a positive number of seconds", ScrapeTimeoutHeader, header)
	}
	if secs >= float64(limit+offset)/float64(time.Second) {
		return limit, nil // also keeps huge values from overflowing a Duration
	}
	scrape := time.Duration(secs * float64(time.Second))
	t := scrape - offset
	if t <= 0 {
		t = scrape / 2
	}
	return t, nil
}

// debugOutput renders /probe?debug=true: the report in words, the metrics a
// scrape would have returned, and the module that ran.
func debugOutput(report *probe.Report, g prometheus.Gatherer, moduleName string, m *probe.Module, timeout time.Duration) []byte {
	var buf bytes.Buffer
	report.WriteDebug(&buf)

	fmt.Fprintf(&buf, "\nmetrics:\n")
	mfs, err := g.Gather()
	if err != nil {
		fmt.Fprintf(&buf, "# error gathering metrics: %v\n", err)
	}
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			fmt.Fprintf(&buf, "# error encoding %s: %v\n", mf.GetName(), err)
		}
	}

	fmt.Fprintf(&buf, "\nmodule %s (probe timeout %s):\n", moduleName, timeout)
	out, err := yaml.Marshal(m)
	if err != nil {
		fmt.Fprintf(&buf, "# error rendering module: %v\n", err)
	}
	buf.Write(out)
	fmt.Fprintf(&buf, "# root servers:\n")
	for _, s := range m.RootServers {
		fmt.Fprintf(&buf, "#   %s", s.Name)
		for _, a := range s.Addrs {
			fmt.Fprintf(&buf, " %s", a)
		}
		fmt.Fprintln(&buf)
	}
	return buf.Bytes()
}
