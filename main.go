// Command dnshealth_exporter is a Prometheus exporter that probes the
// delegation of a DNS zone on every scrape of /probe?target=<zone>.
//
// This file is wiring only: flags, configuration loading and reloading, HTTP
// routes and the server, and the check command (flags, configuration, one
// probe, its triage). Probing lives in probe/, metrics in collector/, the
// check command's output in triage/.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/alecthomas/units"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/dnshealth/dnshealth_exporter/collector"
	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/report"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

// checksRunbook is the runbook the check command quotes its "What to do"
// steps from.
//
//go:embed docs/checks.md
var checksRunbook []byte

const (
	exporterName   = "dnshealth_exporter"
	defaultAddress = ":9553"
	demoModule     = "demo"
	// Commands. serveCommand is the default: no command runs the server.
	serveCommand = "serve"
	checkCommand = "check"
	// shutdownTimeout bounds how long running probes may finish after
	// SIGINT or SIGTERM.
	shutdownTimeout = 10 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	command       string // serveCommand or checkCommand
	check         checkOptions
	configFile    string
	configCheck   bool
	autoReload    time.Duration
	timeoutOffset time.Duration
	maxConcurrent int
	queueTimeout  time.Duration
	cacheEntries  int
	cacheBytes    units.Base2Bytes
	demo          bool
	demoPort      int
	web           *web.FlagConfig
	webURL        webURLOptions
	log           *promslog.Config
}

// checkOptions are the check command's arguments.
type checkOptions struct {
	zone   string
	module string // "" means "default", or "demo" with --demo
	output string // "text" or "json"
}

func parseFlags(args []string, stdout, stderr io.Writer) (*options, error) {
	o := &options{log: &promslog.Config{Writer: stderr}}
	app := appFor(args, o, stdout, stderr)
	cmd, err := app.Parse(args)
	if err != nil {
		return nil, err
	}
	o.command = cmd
	switch {
	case o.autoReload < 0:
		return nil, fmt.Errorf("--config.auto-reload-interval must not be negative, got %s", o.autoReload)
	case o.timeoutOffset < 0:
		return nil, fmt.Errorf("--timeout-offset must not be negative, got %s", o.timeoutOffset)
	case o.maxConcurrent < 0:
		return nil, fmt.Errorf("--probe.max-concurrent must not be negative, got %d", o.maxConcurrent)
	case o.queueTimeout < 0:
		return nil, fmt.Errorf("--probe.queue-timeout must not be negative, got %s", o.queueTimeout)
	case o.cacheEntries < 0:
		return nil, fmt.Errorf("--cache.max-entries must not be negative, got %d", o.cacheEntries)
	case o.cacheBytes < 0:
		return nil, fmt.Errorf("--cache.max-bytes must not be negative, got %s", o.cacheBytes)
	case o.demoPort < 0 || o.demoPort > 65535:
		return nil, fmt.Errorf("--demo.port must be between 0 and 65535, got %d", o.demoPort)
	}
	return o, nil
}

// commandOf returns the command args select, even when they do not parse,
// so that a usage error of the check command gets the check command's exit
// status.
func commandOf(args []string) string {
	app := newApp(&options{log: &promslog.Config{Writer: io.Discard}}, io.Discard, io.Discard)
	ctx, _ := app.ParseContext(args)
	if ctx == nil || ctx.SelectedCommand == nil {
		return ""
	}
	return ctx.SelectedCommand.FullCommand()
}

// newApp builds the command line, a fresh kingpin application per call,
// filling o when it parses. The server's flags are the application's, so
// that a command line without a command runs the server as it always has.
func newApp(o *options, stdout, stderr io.Writer) *kingpin.Application {
	app := kingpin.New(exporterName, "A Prometheus exporter that checks the delegation of DNS zones: lame nameservers, SOA serial drift, parent/child NS and glue mismatches, DNSSEC and the resolvers' view.")
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)

	app.Command(serveCommand, "Run the exporter: probe zones on every scrape of /probe?target=<zone>. The default command.").Default()
	check := app.Command(checkCommand, "Probe one zone once and print its triage: the delegation as walked, every nameserver address, the DNSSEC chain, the resolvers' view, the diagnosis and what to do. "+
		"Exit status: 0 healthy (or notices only), 1 warnings, 2 errors, 3 the probe could not run.")
	check.Arg("zone", "The zone to probe, e.g. example.com.").Required().StringVar(&o.check.zone)
	check.Flag("module", "Probe module from --config.file. Default: \"default\", or \"demo\" with --demo.").
		PlaceHolder("MODULE").StringVar(&o.check.module)
	check.Flag("output", "Output format: text (for people; coloured on a terminal unless NO_COLOR is set) or json (for scripts; see docs/check-json.md).").
		Short('o').Default("text").EnumVar(&o.check.output, "text", "json")

	app.Flag("config.file", "Configuration file of probe modules. Empty means the built-in \"default\" module only.").
		Default("").StringVar(&o.configFile)
	app.Flag("config.check", "Validate the configuration file, print the result and exit: 0 when valid, 1 when not.").
		BoolVar(&o.configCheck)
	app.Flag("config.auto-reload-interval", "How often to check the configuration file, and the files it names, for changes and reload it when they changed, as SIGHUP does. 0 turns it off.").
		Default("0s").DurationVar(&o.autoReload)
	app.Flag("timeout-offset", "Time taken off the scrape timeout Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds) to leave room for the answer. A probe never runs longer than its module's timeout.").
		Default("0.5s").DurationVar(&o.timeoutOffset)
	app.Flag("probe.max-concurrent", "Most probes that run at once; further requests queue. 0 means no limit.").
		Default("256").IntVar(&o.maxConcurrent)
	app.Flag("probe.queue-timeout", "How long a probe request waits for a free slot before it is answered 503.").
		Default("1s").DurationVar(&o.queueTimeout)
	app.Flag("cache.max-entries", "Most entries in the cache of zone cuts and nameserver addresses shared by all probes. 0 disables the cache.").
		Default("10000").IntVar(&o.cacheEntries)
	app.Flag("cache.max-bytes", "Most bytes (estimated) the shared cache holds; the least recently used entries go first. 0 disables the cache.").
		Default("64MiB").BytesVar(&o.cacheBytes)
	app.Flag("demo", "Start a built-in DNS hierarchy of demo zones, each with one kind of fault, and add module \"demo\" that probes it. With check, the hierarchy gets a free port and module \"demo\" is the default.").
		BoolVar(&o.demo)
	app.Flag("demo.port", "UDP and TCP port of the demo hierarchy's nameservers on 127.53.0.0/16. 0 picks a free port. The check command always takes a free one.").
		Default("10053").IntVar(&o.demoPort)
	o.web = kingpinflag.AddFlags(app, defaultAddress)
	addWebURLFlags(app, &o.webURL)
	promslogflag.AddFlags(app, o.log)
	return app
}

// run is main without the exit, so that deferred clean-up runs and tests can
// drive it. It returns when ctx ends or the server fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", exporterName, err)
		if commandOf(args) == checkCommand {
			return triage.ExitNotRun
		}
		return 2
	}
	if o.configCheck {
		return checkConfig(o.configFile, stdout, stderr)
	}
	if o.command == checkCommand {
		return runCheck(ctx, o, stdout, stderr)
	}
	logger := promslog.New(o.log)
	logger.Info("Starting "+exporterName, "version", version.Info())
	logger.Info("Build context", "build_context", version.BuildContext())

	e, err := newExporter(o, logger)
	if err != nil {
		logger.Error("Cannot start", "err", err)
		return 1
	}
	defer e.close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go e.reloadLoop(ctx, hup)
	go e.autoReload(ctx, o.autoReload)

	srv := &http.Server{
		Handler: e.handler,
		// Probes can legitimately take as long as a module's timeout, so
		// only the request header gets a deadline.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	served := make(chan error, 1)
	go func() { served <- web.ListenAndServe(srv, o.web, logger) }()

	select {
	case err := <-served:
		logger.Error("HTTP server failed", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("Shutting down", "timeout_seconds", shutdownTimeout.Seconds())
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("Probes still running at shutdown were cut off", "err", err)
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("HTTP server failed", "err", err)
		return 1
	}
	return 0
}

// checkConfig implements --config.check.
func checkConfig(path string, stdout, stderr io.Writer) int {
	if path == "" {
		fmt.Fprintln(stdout, "No --config.file given: the built-in default configuration is in use and valid.")
		return 0
	}
	cfg, err := probe.LoadConfig(path)
	if err != nil {
		fmt.Fprintf(stderr, "Configuration is invalid: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s is valid; modules: %s\n", path, strings.Join(slices.Sorted(maps.Keys(cfg.Modules)), ", "))
	return 0
}

// runCheck implements the check command: flags to configuration, one
// probe, its triage on stdout. It returns the triage's exit status, or
// triage.ExitNotRun with one line on stderr when the probe cannot run.
func runCheck(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: error: %v\n", exporterName, err)
		return triage.ExitNotRun
	}
	zone, err := probe.ParseTarget(o.check.zone)
	if err != nil {
		return fail(err)
	}
	// Only warnings and errors reach stderr unless --log.level=debug: the
	// triage is the output.
	if o.log.Level == nil || o.log.Level.String() != "debug" {
		o.log.Level = promslog.NewLevel()
		_ = o.log.Level.Set("warn")
	}
	logger := promslog.New(o.log)

	extra := map[string]*probe.Module{}
	if o.demo {
		l, m, err := startLab(0, logger)
		if err != nil {
			return fail(err)
		}
		defer func() {
			if err := l.Close(); err != nil {
				logger.Warn("Stopping the demo hierarchy", "err", err)
			}
		}()
		extra[demoModule] = m
	}
	cfg, err := loadConfig(o.configFile, extra, logger)
	if err != nil {
		return fail(err)
	}
	name := o.check.module
	if name == "" {
		name = collector.DefaultModule
		if o.demo {
			name = demoModule
		}
	}
	module, ok := cfg.Modules[name]
	if !ok {
		return fail(fmt.Errorf("unknown module %q; the configuration has: %s", name, strings.Join(slices.Sorted(maps.Keys(cfg.Modules)), ", ")))
	}

	report := probe.NewProber(logger.With("component", "probe"), o.cacheEntries).Probe(ctx, zone, name, module)
	if ctx.Err() != nil {
		return fail(errors.New("interrupted before the probe finished"))
	}
	runbook := triage.ParseRunbook(checksRunbook)
	if o.check.output == "json" {
		err = triage.JSON(stdout, report, runbook)
	} else {
		err = triage.Text(stdout, report, triage.TextOptions{Colour: colourOutput(stdout, os.Getenv), Runbook: runbook})
	}
	if err != nil {
		return fail(fmt.Errorf("writing the triage: %w", err))
	}
	return triage.Exit(report)
}

// colourOutput reports whether the check command colours its text: only
// on a terminal (a character device), and not when NO_COLOR is set and
// not empty (https://no-color.org) or TERM is "dumb".
func colourOutput(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// exporter holds the running state main wires together.
type exporter struct {
	logger     *slog.Logger
	configFile string
	config     atomic.Pointer[probe.Config]
	// extra modules (the demo's) are added to every configuration loaded.
	extra    map[string]*probe.Module
	metrics  *collector.ExporterMetrics
	prober   *probe.Prober
	lab      *lab.Lab
	reloadCh chan chan error
	// stopped is closed when the reload loop ends, so /-/reload never waits
	// on a loop that is gone.
	stopped chan struct{}
	mux     *http.ServeMux
	// handler is mux under the route prefix: what the server serves.
	handler     http.Handler
	externalURL *url.URL
}

// newExporter loads the configuration, starts the demo hierarchy when asked
// and builds the routes. close releases what it started.
func newExporter(o *options, logger *slog.Logger) (_ *exporter, err error) {
	e := &exporter{
		logger:     logger,
		configFile: o.configFile,
		extra:      map[string]*probe.Module{},
		prober:     probe.NewProber(logger.With("component", "probe"), o.cacheEntries),
		reloadCh:   make(chan chan error),
		stopped:    make(chan struct{}),
	}
	e.prober.Cache = probe.NewCacheLimits(o.cacheEntries, int64(o.cacheBytes))
	defer func() {
		if err != nil {
			e.close()
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		versioncollector.NewCollector(exporterName),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	e.metrics = collector.NewExporterMetrics(reg, e.prober.Cache)
	if e.externalURL, err = computeExternalURL(o.webURL.externalURL, (*o.web.WebListenAddresses)[0]); err != nil {
		return nil, err
	}

	if o.demo {
		if err := e.startDemo(o.demoPort); err != nil {
			return nil, err
		}
	}
	if err := e.reload(); err != nil {
		return nil, err
	}

	e.mux = http.NewServeMux()
	probes := &collector.Handler{
		Config:        e.config.Load,
		Prober:        e.prober,
		Logger:        logger.With("component", "handler"),
		TimeoutOffset: o.timeoutOffset,
		Metrics:       e.metrics,
		MaxConcurrent: o.maxConcurrent,
		QueueTimeout:  o.queueTimeout,
	}
	e.mux.Handle("/probe", probes)
	e.mux.Handle("/metrics", promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	})))
	e.mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	e.mux.HandleFunc("/-/reload", e.handleReload)
	e.webRoutes(o, probes)
	return e, nil
}

func (e *exporter) close() {
	if e.lab != nil {
		if err := e.lab.Close(); err != nil {
			e.logger.Warn("Stopping the demo hierarchy", "err", err)
		}
	}
}

// startLab starts the demo hierarchy on port (0 picks a free one) and
// builds module "demo" to probe it. The caller closes the lab.
func startLab(port int, logger *slog.Logger) (*lab.Lab, *probe.Module, error) {
	l, err := lab.Start(lab.Options{Port: port, Logger: logger.With("component", "lab")})
	if err != nil {
		return nil, nil, fmt.Errorf("starting the demo hierarchy on port %d: %w", port, err)
	}
	m, err := demo.Module(l)
	if err != nil {
		_ = l.Close()
		return nil, nil, err
	}
	return l, m, nil
}

// startDemo starts the lab and adds module "demo" to every configuration.
func (e *exporter) startDemo(port int) error {
	l, m, err := startLab(port, e.logger)
	if err != nil {
		return err
	}
	e.lab = l
	e.extra[demoModule] = m

	for _, z := range l.Zones() {
		e.logger.Info("Demo zone", "zone", strings.TrimSuffix(z.Name, "."), "description", z.Description,
			"expected_checks", strings.Join(z.Checks, ","), "lame_addresses", strings.Join(z.Lame, ","))
	}
	if zones := l.Zones(); len(zones) > 0 && len(m.RootServers) > 0 && len(m.RootServers[0].Addrs) > 0 {
		zone := strings.TrimSuffix(zones[0].Name, ".")
		e.logger.Info("Demo ready",
			"dig_example", fmt.Sprintf("dig @%s -p %d %s NS +norecurse", m.RootServers[0].Addrs[0], l.Port(), zone),
			"report_example", e.absolute(report.Link(zone, demoModule)))
	}
	return nil
}

// loadConfig reads the configuration file, or takes the built-in default
// when there is none, and adds the extra modules.
func (e *exporter) loadConfig() (*probe.Config, error) {
	return loadConfig(e.configFile, e.extra, e.logger)
}

// loadConfig reads the configuration file at path, or takes the built-in
// default when path is empty, and adds the extra modules (the demo's).
func loadConfig(path string, extra map[string]*probe.Module, logger *slog.Logger) (*probe.Config, error) {
	cfg := probe.DefaultConfig()
	if path != "" {
		var err error
		if cfg, err = probe.LoadConfig(path); err != nil {
			return nil, err
		}
	}
	for name, m := range extra {
		if _, ok := cfg.Modules[name]; ok {
			logger.Warn("The demo replaces the configuration's module of the same name", "module", name)
		}
		cfg.Modules[name] = m
	}
	return cfg, nil
}

// reload loads the configuration and, if it is valid, makes it current. A
// failed reload keeps the configuration in use.
func (e *exporter) reload() error {
	cfg, err := e.loadConfig()
	if err != nil {
		e.metrics.ConfigLastReloadSuccessful.Set(0)
		e.logger.Error("Loading configuration failed; keeping the current one", "file", e.configFile, "err", err)
		return err
	}
	e.config.Store(cfg)
	e.metrics.ConfigLastReloadSuccessful.Set(1)
	e.metrics.ConfigLastReloadSuccessTimestamp.SetToCurrentTime()
	names := slices.Sorted(maps.Keys(cfg.Modules))
	e.metrics.InitModules(names)
	source := e.configFile
	if source == "" {
		source = "built-in default"
	}
	e.logger.Info("Loaded configuration", "file", source, "modules", strings.Join(names, ","))
	return nil
}

// reloadLoop serialises reloads from SIGHUP and POST /-/reload.
func (e *exporter) reloadLoop(ctx context.Context, hup <-chan os.Signal) {
	defer close(e.stopped)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = e.reload() // reload logs the outcome
		case reply := <-e.reloadCh:
			reply <- e.reload()
		}
	}
}

func (e *exporter) handleReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: use POST to reload the configuration", http.StatusMethodNotAllowed)
		return
	}
	reply := make(chan error, 1)
	select {
	case e.reloadCh <- reply:
	case <-e.stopped:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	if err := <-reply; err != nil {
		http.Error(w, fmt.Sprintf("failed to reload config: %v", err), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "Configuration reloaded")
}
