package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Probe outcomes, the values of the outcome label of
// dnshealth_exporter_probes_total. The set is closed.
const (
	// OutcomeSuccess: the probe ran and probe_success is 1.
	OutcomeSuccess = "success"
	// OutcomeFailure: the probe ran and probe_success is 0.
	OutcomeFailure = "failure"
	// OutcomeError: no report was served for the request: the target or the
	// timeout header was invalid, the concurrency limit turned it away, the
	// client went away, or the handler failed.
	OutcomeError = "error"
)

// probeDurationBuckets span a cached, healthy zone (tens of milliseconds) to a
// probe that runs into the default 10s module timeout or a long scrape timeout.
var probeDurationBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30}

// ExporterMetrics are the exporter's own metrics, served on /metrics. They
// are passed to the handler and to main's reload loop rather than kept in
// globals, so tests can use a fresh set each.
type ExporterMetrics struct {
	ProbesTotal                      *prometheus.CounterVec
	ProbeDuration                    *prometheus.HistogramVec
	ConfigLastReloadSuccessful       prometheus.Gauge
	ConfigLastReloadSuccessTimestamp prometheus.Gauge
	ModuleUnknownTotal               prometheus.Counter
	ProbesRejectedTotal              prometheus.Counter
	// Queueing for a probe slot (--probe.max-concurrent).
	ProbesInFlight prometheus.Gauge
	ProbesQueued   prometheus.Gauge
	ProbeSlots     prometheus.Gauge
	ProbeQueueWait prometheus.Histogram
}

// queueWaitBuckets span a free slot (no wait) to the default 1s queue
// timeout and a long one.
var queueWaitBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// NewExporterMetrics creates the exporter metrics and registers them, with a
// gauge that reads the size of cache at scrape time, on reg.
func NewExporterMetrics(reg prometheus.Registerer, cache *probe.Cache) *ExporterMetrics {
	m := &ExporterMetrics{
		ProbesTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dnshealth_exporter_probes_total",
			Help: "Probe requests for a configured module, by outcome: success, failure (probe_success 0) or error (no probe result served).",
		}, []string{"module", "outcome"}),
		ProbeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dnshealth_exporter_probe_duration_seconds",
			Help:    "Duration of the probes that ran, in seconds.",
			Buckets: probeDurationBuckets,
		}, []string{"module"}),
		ConfigLastReloadSuccessful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_config_last_reload_successful",
			Help: "1 when the last configuration load succeeded, else 0.",
		}),
		ConfigLastReloadSuccessTimestamp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load.",
		}),
		ModuleUnknownTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dnshealth_exporter_module_unknown_total",
			Help: "Probe requests that named a module the configuration does not define.",
		}),
		ProbesRejectedTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dnshealth_exporter_probes_rejected_total",
			Help: "Probe requests turned away with 503 because the concurrency limit stayed full for the queue timeout.",
		}),
		ProbesInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_probes_in_flight",
			Help: "Probes running now, each holding one of the --probe.max-concurrent slots.",
		}),
		ProbesQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_probes_queued",
			Help: "Probe requests waiting now for a free slot.",
		}),
		ProbeSlots: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_probe_slots",
			Help: "Probes that may run at once (--probe.max-concurrent); 0 means no limit.",
		}),
		ProbeQueueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dnshealth_exporter_probe_queue_wait_seconds",
			Help:    "Time probe requests waited for a slot, rejected ones included; 0 when a slot was free.",
			Buckets: queueWaitBuckets,
		}),
	}
	reg.MustRegister(
		m.ProbesTotal, m.ProbeDuration,
		m.ConfigLastReloadSuccessful, m.ConfigLastReloadSuccessTimestamp,
		m.ModuleUnknownTotal, m.ProbesRejectedTotal,
		m.ProbesInFlight, m.ProbesQueued, m.ProbeSlots, m.ProbeQueueWait,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_cache_entries",
			Help: "Entries in the shared delegation and nameserver-address cache, expired ones included.",
		}, func() float64 { return float64(cache.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dnshealth_exporter_cache_bytes",
			Help: "Estimated size of the shared cache's entries, in bytes (bounded by --cache.max-bytes).",
		}, func() float64 { return float64(cache.Bytes()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dnshealth_exporter_cache_evictions_total",
			Help: "Live entries dropped from the shared cache to keep it within --cache.max-entries and --cache.max-bytes.",
		}, func() float64 { return float64(cache.Evictions()) }),
	)
	return m
}

// InitModules creates the per-module series at zero, so that rate() and
// increase() see the first probe of each configured module.
func (m *ExporterMetrics) InitModules(names []string) {
	for _, n := range names {
		for _, o := range []string{OutcomeSuccess, OutcomeFailure, OutcomeError} {
			m.ProbesTotal.WithLabelValues(n, o)
		}
		m.ProbeDuration.WithLabelValues(n)
	}
}
