package collector

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// collectResolvers renders r.Resolvers, the view from the module's
// recursive resolvers. A resolver listed twice would make the registry
// reject the whole scrape, so the first entry for a resolver label wins,
// and each EDE code is rendered once per resolver.
func collectResolvers(r *probe.Report, gauge func(*prometheus.Desc, float64, ...string)) {
	seen := make(map[string]bool, len(r.Resolvers))
	for _, res := range r.Resolvers {
		if seen[res.Resolver] {
			continue
		}
		seen[res.Resolver] = true

		for _, st := range probe.ResolverStatuses {
			gauge(resolverStatusDesc, boolValue(st == res.Status), res.Resolver, string(st))
		}
		gauge(resolverAuthenticatedDesc, boolValue(res.Authenticated), res.Resolver)
		if resolverAnswered(res.Status) {
			gauge(resolverRTTDesc, res.RTT.Seconds(), res.Resolver)
		}
		// The code is the label; the EXTRA-TEXT is free text from a
		// remote server and never becomes one.
		codes := map[uint16]bool{}
		for _, e := range res.EDE {
			if codes[e.Code] {
				continue
			}
			codes[e.Code] = true
			gauge(resolverEDEDesc, 1, res.Resolver, strconv.FormatUint(uint64(e.Code), 10))
		}
	}
}

// resolverAnswered reports whether a resolver replied at all, so its RTT
// means something.
func resolverAnswered(status probe.ResolverStatus) bool {
	switch status {
	case probe.ResolverTimeout, probe.ResolverNetworkError:
		return false
	}
	return true
}

// collectDiagnosis renders r.Diagnosis; nothing when the probe drew none.
func collectDiagnosis(r *probe.Report, gauge func(*prometheus.Desc, float64, ...string)) {
	d := r.Diagnosis
	if d == nil {
		return
	}
	gauge(servfailExpectedDesc, boolValue(d.ServfailExpected))
	gauge(servfailIntermittentDesc, boolValue(d.ServfailIntermittent))
	severity := string(d.Severity)
	if severity == "" {
		severity = "none" // healthy: no finding, so no severity
	}
	gauge(diagnosisInfoDesc, 1, string(d.Cause), severity)
}
