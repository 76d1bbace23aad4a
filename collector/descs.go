package collector

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// The per-probe metric catalogue. Names, help texts and labels are a
// contract with alert rules, dashboards and docs/metrics.md: extend it, never
// rename. Descs are immutable, so package-level values are safe to share.
var (
	probeSuccessDesc = newDesc(
		"probe_success",
		"1 when the probe raised no error-severity finding, else 0.",
		nil)
	probeDurationDesc = newDesc(
		"probe_duration_seconds",
		"How long the probe took, in seconds.",
		nil)
	probeInfoDesc = newDesc(
		"dnshealth_probe_info",
		"Which zone was probed, in A-label form without the trailing dot, and with which module. Always 1.",
		[]string{"zone", "module"})
	probeQueriesDesc = newDesc(
		"dnshealth_probe_queries",
		"DNS messages the probe sent on the network; cache hits excluded.",
		nil)
	lameDesc = newDesc(
		"dnshealth_delegation_lame",
		"1 when this nameserver address does not serve the zone authoritatively, else 0. Addresses of a family the exporter cannot reach are left out.",
		[]string{"nameserver", "address"})
	statusDesc = newDesc(
		"dnshealth_nameserver_status",
		"What this nameserver address did when asked for the zone's SOA: 1 for the observed status, 0 for the others.",
		[]string{"nameserver", "address", "status"})
	rttDesc = newDesc(
		"dnshealth_nameserver_rtt_seconds",
		"Round-trip time of the SOA query to this nameserver address, in seconds. Only for addresses that answered.",
		[]string{"nameserver", "address"})
	serialDesc = newDesc(
		"dnshealth_soa_serial",
		"SOA serial this nameserver address serves. Only for addresses with status ok.",
		[]string{"nameserver", "address"})
	nsidInfoDesc = newDesc(
		"dnshealth_server_nsid_info",
		"The NSID (RFC 5001) this nameserver address sent with its answer to the SOA query: which instance answered. Printable ASCII as text, else 0x and hex, at most 64 characters. Always 1; absent when the address sent none.",
		[]string{"nameserver", "address", "nsid"})
	serialConsistentDesc = newDesc(
		"dnshealth_soa_serial_consistent",
		"1 when every nameserver address that answered serves the same SOA serial, else 0. Absent when no comparison was possible.",
		nil)
	nsConsistentDesc = newDesc(
		"dnshealth_ns_parent_child_consistent",
		"1 when every nameserver address that answered serves exactly the NS set the parent delegates to, else 0. Absent when no comparison was possible.",
		nil)
	glueConsistentDesc = newDesc(
		"dnshealth_glue_consistent",
		"1 when the parent's glue matches the addresses the zone serves for its nameservers, else 0. Absent when no comparison was possible.",
		nil)
	findingDesc = newDesc(
		"dnshealth_finding",
		"1 for each check ID and severity the probe raised; see docs/checks.md for the check IDs.",
		[]string{"check", "severity"})

	// DNSSEC, from Report.DNSSEC; none of these exist when it is nil.
	rrsigDaysDesc = newDesc(
		"dnshealth_rrsig_days_to_expiry",
		"Days, fractional, from the probe's clock to the earliest expiration of any RRSIG any nameserver address serves over the checked RRsets; negative once expired. Deliberately in days, the one exception to base units: dnshealth_rrsig_expiration_timestamp_seconds has the same data in seconds. Absent when no signature was seen.",
		nil)
	rrsigExpirationDesc = newDesc(
		"dnshealth_rrsig_expiration_timestamp_seconds",
		"Earliest expiration, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
		[]string{"nameserver", "address", "type"})
	rrsigInceptionDesc = newDesc(
		"dnshealth_rrsig_inception_timestamp_seconds",
		"Latest inception, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
		[]string{"nameserver", "address", "type"})
	rrsigValidDesc = newDesc(
		"dnshealth_rrsig_valid",
		"1 when every checked RRset of this type that this nameserver address serves has a signature that verifies with a zone key and is inside its validity window, else 0.",
		[]string{"nameserver", "address", "type"})
	dsMatchesDNSKEYDesc = newDesc(
		"dnshealth_ds_matches_dnskey",
		"1 when a DS record at the parent matches a DNSKEY that signs the zone's DNSKEY RRset on every nameserver address, else 0. Absent when the parent has no DS for the zone.",
		nil)
	dnssecStatusDesc = newDesc(
		"dnshealth_dnssec_status",
		"The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.",
		[]string{"status"})
	dnssecIntermittentDesc = newDesc(
		"dnshealth_dnssec_intermittent",
		"1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.",
		nil)
	dnskeyInfoDesc = newDesc(
		"dnshealth_dnskey_info",
		"One series per DNSKEY any nameserver address serves for the zone, with its key tag, algorithm number and flags (257 for a key-signing key, 256 for a zone-signing key). Always 1.",
		[]string{"key_tag", "algorithm", "flags"})
	dsInfoDesc = newDesc(
		"dnshealth_ds_info",
		"One series per DS record the parent serves for the zone, with its key tag, algorithm, digest type and whether it matches a DNSKEY that signs the zone's DNSKEY RRset. Always 1.",
		[]string{"key_tag", "algorithm", "digest_type", "matched"})
	dnskeyConsistentDesc = newDesc(
		"dnshealth_dnskey_consistent",
		"1 when every nameserver address serves the same DNSKEY RRset, else 0. Absent when no comparison was possible.",
		nil)
	cdsMatchesDSDesc = newDesc(
		"dnshealth_cds_matches_ds",
		"1 when the zone's CDS RRset equals the parent's DS RRset, else 0 (a key rollover is in flight or stuck). Absent when the zone publishes no CDS.",
		nil)
	nsec3IterationsDesc = newDesc(
		"dnshealth_nsec3_iterations",
		"Additional NSEC3 hash iterations the zone uses; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
		nil)
	nsec3SaltDesc = newDesc(
		"dnshealth_nsec3_salt_length_bytes",
		"Length of the zone's NSEC3 salt in bytes; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
		nil)
	nsec3OptOutDesc = newDesc(
		"dnshealth_nsec3_opt_out",
		"1 when the zone's NSEC3 chain has the opt-out flag set, else 0. Absent when the zone does not use NSEC3.",
		nil)
	nsec3DenialsInsecureDesc = newDesc(
		"dnshealth_nsec3_denials_insecure",
		"1 when the NSEC3 iterations exceed a mainstream validator's limit, so that validator treats answers proved by NSEC3 (NXDOMAIN, NODATA, delegations without DS) as insecure while positive answers keep dnshealth_dnssec_status, else 0. Absent when the zone does not use NSEC3.",
		nil)
	denialValidDesc = newDesc(
		"dnshealth_denial_valid",
		"1 when every proof of non-existence (NSEC or NSEC3) this nameserver address served proves its answer, else 0.",
		[]string{"nameserver", "address"})

	// The resolver view, from Report.Resolvers: one series set per
	// configured resolver, none when the module has no resolvers.
	resolverStatusDesc = newDesc(
		"dnshealth_resolver_status",
		"What this recursive resolver did when asked for the zone's SOA with RD=1, DO=1, CD=0 and then CD=1 (and for the module's records): 1 for the observed status, 0 for the others. dnssec_failure is SERVFAIL with CD=0 and an answer with CD=1. The resolver label is the address as configured.",
		[]string{"resolver", "status"})
	resolverAuthenticatedDesc = newDesc(
		"dnshealth_resolver_authenticated",
		"1 when this resolver set the AD bit on its answer to the zone's SOA with CD=0, i.e. it validated the zone as secure, else 0 (also when it gave no answer).",
		[]string{"resolver"})
	resolverEDEDesc = newDesc(
		"dnshealth_resolver_extended_error",
		"One series per distinct RFC 8914 Extended DNS Error code (IANA registry, decimal) this resolver attached to any of its replies for the zone. Always 1. A hint only: resolvers disagree on codes.",
		[]string{"resolver", "code"})
	resolverRTTDesc = newDesc(
		"dnshealth_resolver_rtt_seconds",
		"Round-trip time of the SOA query with CD=0 to this resolver, in seconds. Only for resolvers that answered.",
		[]string{"resolver"})

	// The diagnosis, from Report.Diagnosis; none of these exist when it is nil.
	servfailExpectedDesc = newDesc(
		"dnshealth_servfail_expected",
		"1 when the diagnosis predicts that validating resolvers SERVFAIL the zone on every path, else 0.",
		nil)
	servfailIntermittentDesc = newDesc(
		"dnshealth_servfail_intermittent",
		"1 when only some nameservers, some paths or some resolvers lead to SERVFAIL (or a configured resolver fails though the zone's servers look healthy), else 0.",
		nil)
	diagnosisInfoDesc = newDesc(
		"dnshealth_diagnosis_info",
		"The probe's one conclusion: its cause and the severity of the findings behind it (none when healthy). Always 1. docs/checks.md explains each cause and which check sections to read.",
		[]string{"cause", "severity"})
)

// descMeta is what the text writer (exposition.go) needs of a Desc, whose
// fields client_golang keeps to itself.
type descMeta struct {
	name   string
	header string // the # HELP and # TYPE lines
	labels []string
	order  []int // indices of labels by label name: the order they print in
}

// descMetas holds the descMeta of every Desc newDesc made.
var descMetas = map[*prometheus.Desc]*descMeta{}

// newDesc is prometheus.NewDesc for a per-probe gauge without constant
// labels, remembering what the text writer needs. Package initialisation
// is single-threaded, and descMetas is only read afterwards.
func newDesc(name, help string, labels []string) *prometheus.Desc {
	d := prometheus.NewDesc(name, help, labels, nil)
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return labels[order[a]] < labels[order[b]] })
	descMetas[d] = &descMeta{
		name:   name,
		header: "# HELP " + name + " " + helpEscaper.Replace(help) + "\n# TYPE " + name + " gauge\n",
		labels: labels,
		order:  order,
	}
	return d
}

// allDescs lists every per-probe Desc, for Describe.
var allDescs = append([]*prometheus.Desc{
	probeSuccessDesc, probeDurationDesc, probeInfoDesc, probeQueriesDesc,
	lameDesc, statusDesc, rttDesc, serialDesc, nsidInfoDesc,
	serialConsistentDesc, nsConsistentDesc, glueConsistentDesc, findingDesc,
	rrsigDaysDesc, rrsigExpirationDesc, rrsigInceptionDesc, rrsigValidDesc,
	dsMatchesDNSKEYDesc, dnssecStatusDesc, dnssecIntermittentDesc,
	dnskeyInfoDesc, dsInfoDesc, dnskeyConsistentDesc, cdsMatchesDSDesc,
	nsec3IterationsDesc, nsec3SaltDesc, nsec3OptOutDesc, nsec3DenialsInsecureDesc, denialValidDesc,
	resolverStatusDesc, resolverAuthenticatedDesc, resolverEDEDesc, resolverRTTDesc,
	servfailExpectedDesc, servfailIntermittentDesc, diagnosisInfoDesc,
}, append(rolloverDescs, sweepDescs...)...)
