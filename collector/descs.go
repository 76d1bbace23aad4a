package collector

import "github.com/prometheus/client_golang/prometheus"

// The per-probe metric catalogue. Names, help texts and labels are a
// contract with alert rules, dashboards and the README: extend it, never
// rename. Descs are immutable, so package-level values are safe to share.
var (
	probeSuccessDesc = prometheus.NewDesc(
		"probe_success",
		"1 when the probe raised no error-severity finding, else 0.",
		nil, nil)
	probeDurationDesc = prometheus.NewDesc(
		"probe_duration_seconds",
		"How long the probe took, in seconds.",
		nil, nil)
	probeInfoDesc = prometheus.NewDesc(
		"dnshealth_probe_info",
		"Which zone was probed, in A-label form without the trailing dot, and with which module. Always 1.",
		[]string{"zone", "module"}, nil)
	probeQueriesDesc = prometheus.NewDesc(
		"dnshealth_probe_queries",
		"DNS messages the probe sent on the network; cache hits excluded.",
		nil, nil)
	lameDesc = prometheus.NewDesc(
		"dnshealth_delegation_lame",
		"1 when this nameserver address does not serve the zone authoritatively, else 0. Addresses of a family the exporter cannot reach are left out.",
		[]string{"nameserver", "address"}, nil)
	statusDesc = prometheus.NewDesc(
		"dnshealth_nameserver_status",
		"What this nameserver address did when asked for the zone's SOA: 1 for the observed status, 0 for the others.",
		[]string{"nameserver", "address", "status"}, nil)
	rttDesc = prometheus.NewDesc(
		"dnshealth_nameserver_rtt_seconds",
		"Round-trip time of the SOA query to this nameserver address, in seconds. Only for addresses that answered.",
		[]string{"nameserver", "address"}, nil)
	serialDesc = prometheus.NewDesc(
		"dnshealth_soa_serial",
		"SOA serial this nameserver address serves. Only for addresses with status ok.",
		[]string{"nameserver", "address"}, nil)
	serialConsistentDesc = prometheus.NewDesc(
		"dnshealth_soa_serial_consistent",
		"1 when every nameserver address that answered serves the same SOA serial, else 0. Absent when no comparison was possible.",
		nil, nil)
	nsConsistentDesc = prometheus.NewDesc(
		"dnshealth_ns_parent_child_consistent",
		"1 when every nameserver address that answered serves exactly the NS set the parent delegates to, else 0. Absent when no comparison was possible.",
		nil, nil)
	glueConsistentDesc = prometheus.NewDesc(
		"dnshealth_glue_consistent",
		"1 when the parent's glue matches the addresses the zone serves for its nameservers, else 0. Absent when no comparison was possible.",
		nil, nil)
	findingDesc = prometheus.NewDesc(
		"dnshealth_finding",
		"1 for each check ID and severity the probe raised; see docs/checks.md for the check IDs.",
		[]string{"check", "severity"}, nil)
)

// allDescs lists every per-probe Desc, for Describe.
var allDescs = []*prometheus.Desc{
	probeSuccessDesc, probeDurationDesc, probeInfoDesc, probeQueriesDesc,
	lameDesc, statusDesc, rttDesc, serialDesc,
	serialConsistentDesc, nsConsistentDesc, glueConsistentDesc, findingDesc,
}
