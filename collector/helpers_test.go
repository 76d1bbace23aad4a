package collector

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Shared helpers for the collector tests: the expected exposition text,
// collect-and-compare, lint, series counts, state sets and report fixtures.

// metricHelp is the HELP text of every metric family the tests compare. It
// is part of the metric contract, so it is written out here, once, rather
// than taken from the Descs under test.
var metricHelp = map[string]string{
	"dnshealth_cds_matches_ds":                            "1 when the zone's CDS RRset equals the parent's DS RRset, else 0 (a key rollover is in flight or stuck). Absent when the zone publishes no CDS.",
	"dnshealth_delegation_lame":                           "1 when this nameserver address does not serve the zone authoritatively, else 0. Addresses of a family the exporter cannot reach are left out.",
	"dnshealth_denial_valid":                              "1 when every proof of non-existence (NSEC or NSEC3) this nameserver address served proves its answer, else 0.",
	"dnshealth_diagnosis_info":                            "The probe's one conclusion: its cause and the severity of the findings behind it (none when healthy). Always 1. docs/checks.md explains each cause and which check sections to read.",
	"dnshealth_dnskey_consistent":                         "1 when every nameserver address serves the same DNSKEY RRset, else 0. Absent when no comparison was possible.",
	"dnshealth_dnskey_info":                               "One series per DNSKEY any nameserver address serves for the zone, with its key tag, algorithm number and flags (257 for a key-signing key, 256 for a zone-signing key). Always 1.",
	"dnshealth_dnssec_intermittent":                       "1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.",
	"dnshealth_dnssec_status":                             "The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.",
	"dnshealth_ds_info":                                   "One series per DS record the parent serves for the zone, with its key tag, algorithm, digest type and whether it matches a DNSKEY that signs the zone's DNSKEY RRset. Always 1.",
	"dnshealth_ds_matches_dnskey":                         "1 when a DS record at the parent matches a DNSKEY that signs the zone's DNSKEY RRset on every nameserver address, else 0. Absent when the parent has no DS for the zone.",
	"dnshealth_exporter_cache_entries":                    "Entries in the shared delegation and nameserver-address cache, expired ones included.",
	"dnshealth_exporter_config_last_reload_successful":    "1 when the last configuration load succeeded, else 0.",
	"dnshealth_exporter_probes_total":                     "Probe requests for a configured module, by outcome: success, failure (probe_success 0) or error (no probe result served).",
	"dnshealth_finding":                                   "1 for each check ID and severity the probe raised; see docs/checks.md for the check IDs.",
	"dnshealth_glue_consistent":                           "1 when the parent's glue matches the addresses the zone serves for its nameservers, else 0. Absent when no comparison was possible.",
	"dnshealth_nameserver_rtt_seconds":                    "Round-trip time of the SOA query to this nameserver address, in seconds. Only for addresses that answered.",
	"dnshealth_nameserver_status":                         "What this nameserver address did when asked for the zone's SOA: 1 for the observed status, 0 for the others.",
	"dnshealth_ns_parent_child_consistent":                "1 when every nameserver address that answered serves exactly the NS set the parent delegates to, else 0. Absent when no comparison was possible.",
	"dnshealth_nsec3_iterations":                          "Additional NSEC3 hash iterations the zone uses; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
	"dnshealth_nsec3_opt_out":                             "1 when the zone's NSEC3 chain has the opt-out flag set, else 0. Absent when the zone does not use NSEC3.",
	"dnshealth_nsec3_denials_insecure":                    "1 when the NSEC3 iterations exceed a mainstream validator's limit, so that validator treats answers proved by NSEC3 (NXDOMAIN, NODATA, delegations without DS) as insecure while positive answers keep dnshealth_dnssec_status, else 0. Absent when the zone does not use NSEC3.",
	"dnshealth_nsec3_salt_length_bytes":                   "Length of the zone's NSEC3 salt in bytes; RFC 9276 says 0. Absent when the zone does not use NSEC3.",
	"dnshealth_probe_info":                                "Which zone was probed, in A-label form without the trailing dot, and with which module. Always 1.",
	"dnshealth_probe_queries":                             "DNS messages the probe sent on the network; cache hits excluded.",
	"dnshealth_resolver_authenticated":                    "1 when this resolver set the AD bit on its answer to the zone's SOA with CD=0, i.e. it validated the zone as secure, else 0 (also when it gave no answer).",
	"dnshealth_resolver_extended_error":                   "One series per distinct RFC 8914 Extended DNS Error code (IANA registry, decimal) this resolver attached to any of its replies for the zone. Always 1. A hint only: resolvers disagree on codes.",
	"dnshealth_resolver_rtt_seconds":                      "Round-trip time of the SOA query with CD=0 to this resolver, in seconds. Only for resolvers that answered.",
	"dnshealth_resolver_status":                           "What this recursive resolver did when asked for the zone's SOA with RD=1, DO=1, CD=0 and then CD=1 (and for the module's records): 1 for the observed status, 0 for the others. dnssec_failure is SERVFAIL with CD=0 and an answer with CD=1. The resolver label is the address as configured.",
	"dnshealth_rrsig_days_to_expiry":                      "Days, fractional, from the probe's clock to the earliest expiration of any RRSIG any nameserver address serves over the checked RRsets; negative once expired. Deliberately in days, the one exception to base units: dnshealth_rrsig_expiration_timestamp_seconds has the same data in seconds. Absent when no signature was seen.",
	"dnshealth_rrsig_expiration_timestamp_seconds":        "Earliest expiration, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
	"dnshealth_rrsig_inception_timestamp_seconds":         "Latest inception, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.",
	"dnshealth_rrsig_valid":                               "1 when every checked RRset of this type that this nameserver address serves has a signature that verifies with a zone key and is inside its validity window, else 0.",
	"dnshealth_servfail_expected":                         "1 when the diagnosis predicts that validating resolvers SERVFAIL the zone on every path, else 0.",
	"dnshealth_servfail_intermittent":                     "1 when only some nameservers, some paths or some resolvers lead to SERVFAIL (or a configured resolver fails though the zone's servers look healthy), else 0.",
	"dnshealth_soa_serial":                                "SOA serial this nameserver address serves. Only for addresses with status ok.",
	"dnshealth_soa_serial_consistent":                     "1 when every nameserver address that answered serves the same SOA serial, else 0. Absent when no comparison was possible.",
	"probe_duration_seconds":                              "How long the probe took, in seconds.",
	"probe_success":                                       "1 when the probe raised no error-severity finding, else 0.",
	"dnshealth_rollover_state":                            "The zone's DNSSEC key rollover state: 1 for the observed state, 0 for the others. steady when no rollover is in flight. Absent when the probe could not check every address's keys.",
	"dnshealth_rollover_seconds":                          "Seconds since this exporter first saw the zone leave the steady state; 0 when steady. Counted from the exporter's start at most (dnshealth_rollover_memory_seconds).",
	"dnshealth_rollover_state_seconds":                    "Seconds since this exporter first saw the zone in its current rollover state (steady included). Counted from the exporter's start at most.",
	"dnshealth_rollover_next_step_safe_timestamp_seconds": "Earliest time (Unix) the rollover's next step is safe by the TTLs (RFC 7583): the DNSKEY TTL, the parent's DS TTL, the zone's largest TTL and the module's rollover_propagation. Absent when steady.",
	"dnshealth_rollover_memory_seconds":                   "Seconds this exporter has remembered the zone's keys, DS and CDS: since its start or since it first probed the zone. Rollover timings older than this are unknown to it.",
	"dnshealth_server_nsid_info":                          "The NSID (RFC 5001) this nameserver address sent with its answer to the SOA query: which instance answered. Printable ASCII as text, else 0x and hex, at most 64 characters. Always 1; absent when the address sent none.",
}

// counterFamilies are the compared families of type counter; every other
// one is a gauge.
var counterFamilies = map[string]bool{"dnshealth_exporter_probes_total": true}

// exposition turns expected series, one sample line each and grouped by
// family, into exposition text: it puts the family's # HELP and # TYPE
// lines from metricHelp before the first sample of each family.
func exposition(t *testing.T, series string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("\n")
	seen := map[string]bool{}
	prev := ""
	for _, line := range strings.Split(series, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		end := strings.IndexAny(line, "{ ")
		if end < 0 {
			t.Fatalf("expected series: %q is not a sample line", line)
		}
		family := line[:end]
		if family != prev {
			if seen[family] {
				t.Fatalf("expected series: the samples of %s are not together", family)
			}
			help, ok := metricHelp[family]
			if !ok {
				t.Fatalf("expected series: no HELP text for %s in metricHelp", family)
			}
			typ := "gauge"
			if counterFamilies[family] {
				typ = "counter"
			}
			b.WriteString("# HELP " + family + " " + help + "\n# TYPE " + family + " " + typ + "\n")
			seen[family], prev = true, family
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// assertMetrics fails the test unless collecting c gives exactly the
// expected series (see exposition) of the named families, or of every
// family when names is empty.
func assertMetrics(t *testing.T, c prometheus.Collector, series string, names ...string) {
	t.Helper()
	if err := testutil.CollectAndCompare(c, strings.NewReader(exposition(t, series)), names...); err != nil {
		t.Error(err)
	}
}

// assertGathered is assertMetrics for a registry.
func assertGathered(t *testing.T, g prometheus.Gatherer, series string, names ...string) {
	t.Helper()
	if err := testutil.GatherAndCompare(g, strings.NewReader(exposition(t, series)), names...); err != nil {
		t.Error(err)
	}
}

// assertProbeMetrics checks the collector for r all round: the named
// families (every family when names is empty) are exactly the expected
// series, lint finds nothing lintAllowed does not accept, and a pedantic
// registry, which checks the metrics against Describe, gathers them.
func assertProbeMetrics(t *testing.T, r *probe.Report, series string, names ...string) {
	t.Helper()
	c := NewProbeCollector(r)
	assertMetrics(t, c, series, names...)
	lintClean(t, c)
	gather(t, c)
}

// probeCase is a report and the series its collector must have.
type probeCase struct {
	name   string
	report *probe.Report
	golden string   // the expected series, see exposition
	names  []string // the families compared; nil compares every family
}

// runProbeCases runs assertProbeMetrics on each case in a subtest.
func runProbeCases(t *testing.T, cases ...probeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Helper()
			assertProbeMetrics(t, tc.report, tc.golden, tc.names...)
		})
	}
}

// gather registers c on a fresh pedantic registry and gathers it, failing
// the test when the registry rejects the metrics.
func gather(t *testing.T, c prometheus.Collector) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	if pc, ok := c.(*ProbeCollector); ok {
		assertTextMatchesRegistry(t, pc)
	}
	return mfs
}

// assertTextMatchesRegistry fails the test unless the text writer gives
// the bytes expfmt writes for what a registry gathers from c.
func assertTextMatchesRegistry(t *testing.T, c *ProbeCollector) {
	t.Helper()
	assertWriterMatchesRegistry(t, c, c.each)
}

// assertWriterMatchesRegistry fails the test unless writeSeries gives for
// each the bytes expfmt writes for what a registry gathers from c, whose
// Collect sends the same series.
func assertWriterMatchesRegistry(t *testing.T, c prometheus.Collector, each func(gaugeFunc)) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, _ := reg.Gather() // served as far as it goes, as promhttp's ContinueOnError does
	var want bytes.Buffer
	enc := expfmt.NewEncoder(&want, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatalf("encode %s: %v", mf.GetName(), err)
		}
	}
	var got bytes.Buffer
	writeSeries(&got, each)
	if got.String() != want.String() {
		t.Errorf("text writer and registry differ:\n--- text writer\n%s--- registry\n%s", got.String(), want.String())
	}
}

// lintAllowed holds the lint problems the metric contract accepts, and no
// others (.ci/run's PROMTOOL_ALLOWED is the same list for promtool):
//   - promlint reads "ns" (nameserver) as an abbreviated nanoseconds unit,
//     but the name is fixed by the issue that defines the metrics;
//   - days to expiry is in days on purpose, the one exception to base
//     units, also fixed by the issue.
var lintAllowed = map[string]string{
	"dnshealth_ns_parent_child_consistent": "metric names should not contain abbreviated units",
	"dnshealth_rrsig_days_to_expiry":       `use base unit "seconds" instead of "days"`,
}

// checkLint fails the test for the lint error err and for every problem
// that allowed (metric name to problem text) does not accept. It returns
// the metrics whose accepted problem was reported.
func checkLint(t *testing.T, allowed map[string]string, problems []promlint.Problem, err error) map[string]bool {
	t.Helper()
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	accepted := map[string]bool{}
	for _, p := range problems {
		if text, ok := allowed[p.Metric]; ok && text == p.Text {
			accepted[p.Metric] = true
			continue
		}
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	return accepted
}

// lintClean fails the test for any lint problem of c not in lintAllowed,
// and returns the metrics whose allowed problem was reported.
func lintClean(t *testing.T, c prometheus.Collector) map[string]bool {
	t.Helper()
	problems, err := testutil.CollectAndLint(c)
	return checkLint(t, lintAllowed, problems, err)
}

// assertSeries fails the test unless c has want series of family name.
func assertSeries(t *testing.T, c prometheus.Collector, name string, want int) {
	t.Helper()
	if got := testutil.CollectAndCount(c, name); got != want {
		t.Errorf("%s has %d series, want %d", name, got, want)
	}
}

// assertValue fails the test unless c, a collector of one series such as a
// counter, has the value want; what names the series in the message.
func assertValue(t *testing.T, what string, c prometheus.Collector, want float64) {
	t.Helper()
	if got := testutil.ToFloat64(c); got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// assertNotProbed fails the test if the handler ran the probe.
func assertNotProbed(t *testing.T, rec *recorder) {
	t.Helper()
	if n := len(rec.Calls()); n != 0 {
		t.Errorf("probe ran %d times, want 0", n)
	}
}

// assertAbsent fails the test for each of the families names that c has
// series of.
func assertAbsent(t *testing.T, c prometheus.Collector, names ...string) {
	t.Helper()
	for _, name := range names {
		assertSeries(t, c, name, 0)
	}
}

// assertStateSet checks the state set family of c, whose series carry a
// key label and a status label: for every value of key there must be
// exactly one series per state in states, the one want names set to 1 and
// the others 0, and the key values must be exactly those of want.
func assertStateSet[S ~string](t *testing.T, c prometheus.Collector, family, key string, states []S, want map[string]S) {
	t.Helper()
	series := map[string]map[string]float64{} // key value -> status -> value
	for _, mf := range gather(t, c) {
		if mf.GetName() != family {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if series[l[key]] == nil {
				series[l[key]] = map[string]float64{}
			}
			if _, dup := series[l[key]][l["status"]]; dup {
				t.Errorf("%s: %s %s has two series for status %s", family, key, l[key], l["status"])
			}
			series[l[key]][l["status"]] = m.GetGauge().GetValue()
		}
	}
	for k := range series {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: series for %s %s, want none", family, key, k)
		}
	}
	for k, w := range want {
		got := series[k]
		if len(got) != len(states) {
			t.Errorf("%s: %s %s has %d series, want one per status, %d", family, key, k, len(got), len(states))
		}
		var set []string
		for _, st := range states {
			v, ok := got[string(st)]
			if !ok {
				t.Errorf("%s: %s %s has no series for status %s", family, key, k, st)
			}
			if v == 1 {
				set = append(set, string(st))
			} else if v != 0 {
				t.Errorf("%s: %s %s status %s is %v, want 0 or 1", family, key, k, st, v)
			}
		}
		if !slices.Equal(set, []string{string(w)}) {
			t.Errorf("%s: %s %s has status %v set, want only %q", family, key, k, set, w)
		}
	}
}

// Report fixtures.

func ptr(b bool) *bool { return &b }

// probeTime is the probe's clock in the DNSSEC reports.
var probeTime = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func day(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, time.UTC)
}

// emptyReport is the least a probe reports: a zone and a module.
func emptyReport() *probe.Report {
	return &probe.Report{Zone: "example.org.", Module: "default"}
}

// signature is an RRSIG observation: ns at addr serves the RRset typ at
// owner with a signature from inception to expiration. It verifies when
// detail is empty; otherwise detail says why not.
func signature(ns, addr, owner, typ string, inception, expiration time.Time, detail string) probe.SignatureObs {
	return probe.SignatureObs{
		Nameserver: ns, Address: addr, Owner: owner, Type: typ,
		Inception: inception, Expiration: expiration,
		Valid: detail == "", Detail: detail,
	}
}
