package collector

import "github.com/prometheus/client_golang/prometheus"

// The per-probe metric catalogue. Names, help texts and labels are a
// contract with alert rules, dashboards and docs/metrics.md: extend it, never
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

	// DNSSEC, from Report.DNSSEC; none of these exist when it is nil.
	rrsigDaysDesc = prometheus.NewDesc(
		"dnshealth_rrsig_days_to_expiry",
		"Days, fractional, from the probe's clock to the earliest expiration of any RRSIG any nameserver address serves over the checked RRsets; negative once expired. Deliberately in days, the one exception to base units: dnshealth_rrsig_expiration_timestamp_seconds has the same data in seconds. Absent when no signature was seen.",
		nil, nil)
	rrsigExpirationDesc = prometheus.NewDesc(
		"dnshealth_rrsig_expiration_timestamp_seconds",
		"Earliest expiration, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
		[]string{"nameserver", "address", "type"}, nil)
	rrsigInceptionDesc = prometheus.NewDesc(
		"dnshealth_rrsig_inception_timestamp_seconds",
		"Latest inception, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
		[]string{"nameserver", "address", "type"}, nil)
	rrsigValidDesc = prometheus.NewDesc(
		"dnshealth_rrsig_valid",
		"1 when every checked RRset of this type that this nameserver address serves has a signature that verifies with a zone key and is inside its validity window, else 0.",
		[]string{"nameserver", "address", "type"}, nil)
	dsMatchesDNSKEYDesc = prometheus.NewDesc(
		"dnshealth_ds_matches_dnskey",
		"1 when a DS record at the parent matches a DNSKEY that signs the zone's DNSKEY RRset on every nameserver address, else 0. Absent when the parent has no DS for the zone.",
		nil, nil)
	dnssecStatusDesc = prometheus.NewDesc(
		"dnshealth_dnssec_status",
		"The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.",
		[]string{"status"}, nil)
	dnssecIntermittentDesc = prometheus.NewDesc(
		"dnshealth_dnssec_intermittent",
		"1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.",
		nil, nil)
	dnskeyInfoDesc = prometheus.NewDesc(
		"dnshealth_dnskey_info",
		"One series per DNSKEY any nameserver address serves for the zone, with its key tag, algorithm number and flags (257 for a key-signing key, 256 for a zone-signing key). Always 1.",
		[]string{"key_tag", "algorithm", "flags"}, nil)
	dsInfoDesc = prometheus.NewDesc(
		"dnshealth_ds_info",
		"One series per DS record the parent serves for the zone, with its key tag, algorithm, digest type and whether it matches a DNSKEY that signs the zone's DNSKEY RRset. Always 1.",
		[]string{"key_tag", "algorithm", "digest_type", "matched"}, nil)
	dnskeyConsistentDesc = prometheus.NewDesc(
		"dnshealth_dnskey_consistent",
		"1 when every nameserver address serves the same DNSKEY RRset, else 0. Absent when no comparison was possible.",
		nil, nil)
	cdsMatchesDSDesc = prometheus.NewDesc(
		"dnshealth_cds_matches_ds",
		"1 when the zone's CDS RRset equals the parent's DS RRset, else 0 (a key rollover is in flight or stuck). Absent when the zone publishes no CDS.",
		nil, nil)
	nsec3IterationsDesc = prometheus.NewDesc(
		"dnshealth_nsec3_iterations",
		"Additional NSEC3 hash iterations the zone uses; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
		nil, nil)
	nsec3SaltDesc = prometheus.NewDesc(
		"dnshealth_nsec3_salt_length_bytes",
		"Length of the zone's NSEC3 salt in bytes; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
		nil, nil)
	nsec3OptOutDesc = prometheus.NewDesc(
		"dnshealth_nsec3_opt_out",
		"1 when the zone's NSEC3 chain has the opt-out flag set, else 0. Absent when the zone does not use NSEC3.",
		nil, nil)
	nsec3DenialsInsecureDesc = prometheus.NewDesc(
		"dnshealth_nsec3_denials_insecure",
		"1 when the NSEC3 iterations exceed a mainstream validator's limit, so that validator treats answers proved by NSEC3 (NXDOMAIN, NODATA, delegations without DS) as insecure while positive answers keep dnshealth_dnssec_status, else 0. Absent when the zone does not use NSEC3.",
		nil, nil)
	denialValidDesc = prometheus.NewDesc(
		"dnshealth_denial_valid",
		"1 when every proof of non-existence (NSEC or NSEC3) this nameserver address served proves its answer, else 0.",
		[]string{"nameserver", "address"}, nil)

	// The resolver view, from Report.Resolvers: one series set per
	// configured resolver, none when the module has no resolvers.
	resolverStatusDesc = prometheus.NewDesc(
		"dnshealth_resolver_status",
		"What this recursive resolver did when asked for the zone's SOA with RD=1, DO=1, CD=0 and then CD=1 (and for the module's records): 1 for the observed status, 0 for the others. dnssec_failure is SERVFAIL with CD=0 and an answer with CD=1. The resolver label is the address as configured.",
		[]string{"resolver", "status"}, nil)
	resolverAuthenticatedDesc = prometheus.NewDesc(
		"dnshealth_resolver_authenticated",
		"1 when this resolver set the AD bit on its answer to the zone's SOA with CD=0, i.e. it validated the zone as secure, else 0 (also when it gave no answer).",
		[]string{"resolver"}, nil)
	resolverEDEDesc = prometheus.NewDesc(
		"dnshealth_resolver_extended_error",
		"One series per distinct RFC 8914 Extended DNS Error code (IANA registry, decimal) this resolver attached to any of its replies for the zone. Always 1. A hint only: resolvers disagree on codes.",
		[]string{"resolver", "code"}, nil)
	resolverRTTDesc = prometheus.NewDesc(
		"dnshealth_resolver_rtt_seconds",
		"Round-trip time of the SOA query with CD=0 to this resolver, in seconds. Only for resolvers that answered.",
		[]string{"resolver"}, nil)

	// The diagnosis, from Report.Diagnosis; none of these exist when it is nil.
	servfailExpectedDesc = prometheus.NewDesc(
		"dnshealth_servfail_expected",
		"1 when the diagnosis predicts that validating resolvers SERVFAIL the zone on every path, else 0.",
		nil, nil)
	servfailIntermittentDesc = prometheus.NewDesc(
		"dnshealth_servfail_intermittent",
		"1 when only some nameservers, some paths or some resolvers lead to SERVFAIL (or a configured resolver fails though the zone's servers look healthy), else 0.",
		nil, nil)
	diagnosisInfoDesc = prometheus.NewDesc(
		"dnshealth_diagnosis_info",
		"The probe's one conclusion: its cause and the severity of the findings behind it (none when healthy). Always 1. docs/checks.md explains each cause and which check sections to read.",
		[]string{"cause", "severity"}, nil)
)

// allDescs lists every per-probe Desc, for Describe.
var allDescs = []*prometheus.Desc{
	probeSuccessDesc, probeDurationDesc, probeInfoDesc, probeQueriesDesc,
	lameDesc, statusDesc, rttDesc, serialDesc,
	serialConsistentDesc, nsConsistentDesc, glueConsistentDesc, findingDesc,
	rrsigDaysDesc, rrsigExpirationDesc, rrsigInceptionDesc, rrsigValidDesc,
	dsMatchesDNSKEYDesc, dnssecStatusDesc, dnssecIntermittentDesc,
	dnskeyInfoDesc, dsInfoDesc, dnskeyConsistentDesc, cdsMatchesDSDesc,
	nsec3IterationsDesc, nsec3SaltDesc, nsec3OptOutDesc, nsec3DenialsInsecureDesc, denialValidDesc,
	resolverStatusDesc, resolverAuthenticatedDesc, resolverEDEDesc, resolverRTTDesc,
	servfailExpectedDesc, servfailIntermittentDesc, diagnosisInfoDesc,
}
