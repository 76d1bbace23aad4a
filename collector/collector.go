// Package collector turns probe reports into Prometheus metrics and serves
// the /probe endpoint. It never talks DNS itself: the probe package does the
// network work and hands over a *probe.Report of plain values.
package collector

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/internal/display"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// ProbeCollector exposes one finished probe. Collect does no I/O and reads
// only the report, so it is deterministic and cheap; build a new one (and a
// new registry) for every probe.
type ProbeCollector struct {
	report *probe.Report
}

// NewProbeCollector returns a collector for r. r must not change afterwards.
func NewProbeCollector(r *probe.Report) *ProbeCollector {
	return &ProbeCollector{report: display.Names(r)}
}

// Describe implements prometheus.Collector with the real Descs, so the
// registry checks every metric Collect sends.
func (c *ProbeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *ProbeCollector) Collect(ch chan<- prometheus.Metric) {
	c.each(func(d *prometheus.Desc, v float64, labels ...string) {
		m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
		if err != nil { // a label value that is not UTF-8: this series only is lost
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	})
}

// each calls gauge for every series of the report, for Collect and for
// the text writer. gauge may keep labels: each never reuses the slice.
func (c *ProbeCollector) each(gauge gaugeFunc) {
	r := c.report

	gauge(probeSuccessDesc, boolValue(r.Success()))
	gauge(probeDurationDesc, r.Duration.Seconds())
	gauge(probeInfoDesc, 1, strings.TrimSuffix(r.Zone, "."), r.Module)
	gauge(probeQueriesDesc, float64(r.QueryCount))

	// A repeated (nameserver, address) pair would make the registry reject
	// the whole scrape; the first observation wins.
	seen := make(map[[2]string]bool, len(r.Servers))
	for _, s := range r.Servers {
		ns := s.Nameserver
		key := [2]string{ns, s.Address}
		if seen[key] {
			continue
		}
		seen[key] = true

		for _, st := range probe.Statuses {
			gauge(statusDesc, boolValue(st == s.Status), ns, s.Address, string(st))
		}
		if s.Status != probe.StatusFamilyUnreachable {
			gauge(lameDesc, boolValue(s.Status.Lame()), ns, s.Address)
		}
		if answered(s.Status) {
			gauge(rttDesc, s.RTT.Seconds(), ns, s.Address)
		}
		if s.Status == probe.StatusOK {
			gauge(serialDesc, float64(s.Serial), ns, s.Address)
		}
		if s.NSID != "" {
			gauge(nsidInfoDesc, 1, ns, s.Address, s.NSID)
		}
	}

	for _, b := range []struct {
		desc *prometheus.Desc
		v    *bool
	}{
		{serialConsistentDesc, r.SerialConsistent},
		{nsConsistentDesc, r.NSConsistent},
		{glueConsistentDesc, r.GlueConsistent},
	} {
		if b.v != nil {
			gauge(b.desc, boolValue(*b.v))
		}
	}

	collectDNSSEC(r, gauge)
	collectResolvers(r, gauge)
	collectSweep(r, gauge)
	collectDiagnosis(r, gauge)

	// Findings repeat per nameserver; the metric says only which checks fired.
	raised := map[[2]string]bool{}
	for _, f := range r.Findings {
		key := [2]string{string(f.Check), string(f.Severity)}
		if raised[key] {
			continue
		}
		raised[key] = true
		gauge(findingDesc, 1, string(f.Check), string(f.Severity))
	}
}

// answered reports whether a reply came back, so the RTT means something.
func answered(s probe.Status) bool {
	switch s {
	case probe.StatusTimeout, probe.StatusNetworkError, probe.StatusFamilyUnreachable:
		return false
	}
	return true
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
