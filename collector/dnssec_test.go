package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// probeTime is the probe's clock in the DNSSEC reports below.
var probeTime = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func day(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, time.UTC)
}

// dnssecNames are the DNSSEC metric families, compared by the goldens below.
var dnssecNames = []string{
	"probe_success",
	"dnshealth_rrsig_days_to_expiry", "dnshealth_rrsig_expiration_timestamp_seconds",
	"dnshealth_rrsig_inception_timestamp_seconds", "dnshealth_rrsig_valid",
	"dnshealth_ds_matches_dnskey", "dnshealth_dnssec_status", "dnshealth_dnssec_intermittent",
	"dnshealth_dnskey_info", "dnshealth_ds_info", "dnshealth_dnskey_consistent",
	"dnshealth_cds_matches_ds", "dnshealth_nsec3_iterations", "dnshealth_nsec3_salt_length_bytes",
	"dnshealth_nsec3_opt_out", "dnshealth_denial_valid",
}

// secureReport is healthyReport with a signed zone that validates: a KSK
// and a ZSK (the KSK listed twice), a matching DS, NSEC3 as RFC 9276 wants
// it, and two A RRsets at one address (the apex and a `records` entry).
func secureReport() *probe.Report {
	r := healthyReport()
	r.Time = probeTime
	ns, addr := "a.iana-servers.net.", "192.0.2.1"
	r.DNSSEC = &probe.DNSSECReport{
		Status: probe.DNSSECSecure,
		Anchor: ".",
		Chain: []probe.ChainLink{
			{Zone: ".", Status: probe.DNSSECSecure, KeyTags: []uint16{20326}},
			{Zone: "org.", Status: probe.DNSSECSecure, KeyTags: []uint16{26974}},
			{Zone: "example.org.", Status: probe.DNSSECSecure, KeyTags: []uint16{2371}},
		},
		DS: []probe.DSRecord{{KeyTag: 2371, Algorithm: 13, DigestType: 2, Matched: true}},
		DNSKEYs: []probe.KeyRecord{
			{KeyTag: 2371, Algorithm: 13, Flags: 257, SignsKeySet: true},
			{KeyTag: 34505, Algorithm: 13, Flags: 256},
			{KeyTag: 2371, Algorithm: 13, Flags: 257, SignsKeySet: true},
		},
		DSMatchesDNSKEY:  ptr(true),
		DNSKEYConsistent: ptr(true),
		CDSMatchesDS:     ptr(true),
		NSEC3:            &probe.NSEC3Param{},
		Signatures: []probe.SignatureObs{
			{Nameserver: ns, Address: addr, Owner: "example.org.", Type: "SOA", Expiration: day(3, 15, 0), Inception: day(2, 15, 0), Valid: true},
			{Nameserver: ns, Address: addr, Owner: "example.org.", Type: "NS", Expiration: day(3, 15, 0), Inception: day(2, 15, 0), Valid: true},
			{Nameserver: ns, Address: addr, Owner: "example.org.", Type: "DNSKEY", Expiration: day(3, 11, 12), Inception: day(2, 20, 0), Valid: true},
			{Nameserver: ns, Address: addr, Owner: "example.org.", Type: "A", Expiration: day(3, 15, 0), Inception: day(2, 15, 0), Valid: true},
			{Nameserver: ns, Address: addr, Owner: "www.example.org.", Type: "A", Expiration: day(3, 11, 12), Inception: day(2, 20, 0), Valid: true},
		},
		Denials: []probe.DenialObs{
			{Nameserver: ns, Address: addr, Kind: "nxdomain", Qname: "x7f3.example.org.", Qtype: "A", Valid: true},
			{Nameserver: ns, Address: addr, Kind: "nodata", Qname: "example.org.", Qtype: "NULL", Valid: true},
		},
		EarliestExpiration: day(3, 11, 12),
	}
	return r
}

const secureGolden = `
# HELP dnshealth_cds_matches_ds 1 when the zone's CDS RRset equals the parent's DS RRset, else 0 (a key rollover is in flight or stuck). Absent when the zone publishes no CDS.
# TYPE dnshealth_cds_matches_ds gauge
dnshealth_cds_matches_ds 1
# HELP dnshealth_denial_valid 1 when every proof of non-existence (NSEC or NSEC3) this nameserver address served proves its answer, else 0.
# TYPE dnshealth_denial_valid gauge
dnshealth_denial_valid{address="192.0.2.1",nameserver="a.iana-servers.net"} 1
# HELP dnshealth_dnskey_consistent 1 when every nameserver address serves the same DNSKEY RRset, else 0. Absent when no comparison was possible.
# TYPE dnshealth_dnskey_consistent gauge
dnshealth_dnskey_consistent 1
# HELP dnshealth_dnskey_info One series per DNSKEY any nameserver address serves for the zone, with its key tag, algorithm number and flags (257 for a key-signing key, 256 for a zone-signing key). Always 1.
# TYPE dnshealth_dnskey_info gauge
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="34505"} 1
dnshealth_dnskey_info{algorithm="13",flags="257",key_tag="2371"} 1
# HELP dnshealth_dnssec_intermittent 1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.
# TYPE dnshealth_dnssec_intermittent gauge
dnshealth_dnssec_intermittent 0
# HELP dnshealth_dnssec_status The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.
# TYPE dnshealth_dnssec_status gauge
dnshealth_dnssec_status{status="bogus"} 0
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 0
dnshealth_dnssec_status{status="secure"} 1
# HELP dnshealth_ds_info One series per DS record the parent serves for the zone, with its key tag, algorithm, digest type and whether it matches a DNSKEY that signs the zone's DNSKEY RRset. Always 1.
# TYPE dnshealth_ds_info gauge
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="2371",matched="true"} 1
# HELP dnshealth_ds_matches_dnskey 1 when a DS record at the parent matches a DNSKEY that signs the zone's DNSKEY RRset on every nameserver address, else 0. Absent when the parent has no DS for the zone.
# TYPE dnshealth_ds_matches_dnskey gauge
dnshealth_ds_matches_dnskey 1
# HELP dnshealth_nsec3_iterations Additional NSEC3 hash iterations the zone uses; RFC 9276 says 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_iterations gauge
dnshealth_nsec3_iterations 0
# HELP dnshealth_nsec3_opt_out 1 when the zone's NSEC3 chain has the opt-out flag set, else 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_opt_out gauge
dnshealth_nsec3_opt_out 0
# HELP dnshealth_nsec3_salt_length_bytes Length of the zone's NSEC3 salt in bytes; RFC 9276 says 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_salt_length_bytes gauge
dnshealth_nsec3_salt_length_bytes 0
# HELP dnshealth_rrsig_days_to_expiry Days, fractional, from the probe's clock to the earliest expiration of any RRSIG any nameserver address serves over the checked RRsets; negative once expired. Deliberately in days, the one exception to base units: dnshealth_rrsig_expiration_timestamp_seconds has the same data in seconds. Absent when no signature was seen.
# TYPE dnshealth_rrsig_days_to_expiry gauge
dnshealth_rrsig_days_to_expiry 10.5
# HELP dnshealth_rrsig_expiration_timestamp_seconds Earliest expiration, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.
# TYPE dnshealth_rrsig_expiration_timestamp_seconds gauge
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1773230400
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1773230400
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1773532800
# HELP dnshealth_rrsig_inception_timestamp_seconds Latest inception, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.
# TYPE dnshealth_rrsig_inception_timestamp_seconds gauge
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1771545600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1771545600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1771113600
# HELP dnshealth_rrsig_valid 1 when every checked RRset of this type that this nameserver address serves has a signature that verifies with a zone key and is inside its validity window, else 0.
# TYPE dnshealth_rrsig_valid gauge
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1
# HELP probe_success 1 when the probe raised no error-severity finding, else 0.
# TYPE probe_success gauge
probe_success 1
`

// bogusReport has two servers: ns1 serves a zone that validates, ns2 a stale
// copy whose signatures expired a day and a half ago, an NS RRset without
// signatures, an old ZSK and a broken NXDOMAIN proof. The parent still has
// the DS of a retired KSK next to the current one. Observations repeat, as
// a buggy validator might list them.
func bogusReport() *probe.Report {
	ns1, a1 := "ns1.example.net.", "192.0.2.1"
	ns2, a2 := "ns2.example.net.", "192.0.2.2"
	return &probe.Report{
		Zone:       "example.com.",
		Module:     "default",
		Time:       probeTime,
		Duration:   800 * time.Millisecond,
		QueryCount: 20,
		Servers: []probe.ServerResult{
			{Nameserver: ns1, Address: a1, Status: probe.StatusOK, RTT: 10 * time.Millisecond, Serial: 9},
			{Nameserver: ns2, Address: a2, Status: probe.StatusOK, RTT: 12 * time.Millisecond, Serial: 5},
		},
		SerialConsistent: ptr(false),
		NSConsistent:     ptr(true),
		DNSSEC: &probe.DNSSECReport{
			Status:       probe.DNSSECBogus,
			Intermittent: true,
			Anchor:       ".",
			DS: []probe.DSRecord{
				{KeyTag: 11111, Algorithm: 13, DigestType: 2, Matched: false},
				{KeyTag: 2371, Algorithm: 13, DigestType: 2, Matched: true},
				{KeyTag: 2371, Algorithm: 13, DigestType: 2, Matched: true},
			},
			DNSKEYs: []probe.KeyRecord{
				{KeyTag: 2371, Algorithm: 13, Flags: 257, SignsKeySet: true},
				{KeyTag: 34505, Algorithm: 13, Flags: 256},
				{KeyTag: 40000, Algorithm: 13, Flags: 256},
			},
			DSMatchesDNSKEY:  ptr(false),
			DNSKEYConsistent: ptr(false),
			NSEC3:            &probe.NSEC3Param{Iterations: 10, SaltLength: 8, OptOut: true},
			Signatures: []probe.SignatureObs{
				{Nameserver: ns1, Address: a1, Owner: "example.com.", Type: "SOA", Expiration: day(3, 15, 0), Inception: day(2, 15, 0), Valid: true},
				{Nameserver: ns1, Address: a1, Owner: "example.com.", Type: "DNSKEY", Expiration: day(3, 15, 0), Inception: day(2, 15, 0), Valid: true},
				{Nameserver: ns2, Address: a2, Owner: "example.com.", Type: "SOA", Expiration: day(2, 27, 12), Inception: day(2, 1, 0), Detail: "expired"},
				{Nameserver: ns2, Address: a2, Owner: "example.com.", Type: "SOA", Expiration: day(2, 27, 12), Inception: day(2, 1, 0), Detail: "expired"},
				{Nameserver: ns2, Address: a2, Owner: "example.com.", Type: "DNSKEY", Expiration: day(2, 27, 12), Inception: day(2, 1, 0), Detail: "expired"},
				{Nameserver: ns2, Address: a2, Owner: "example.com.", Type: "NS", Detail: "no RRSIG"},
			},
			Denials: []probe.DenialObs{
				{Nameserver: ns1, Address: a1, Kind: "nxdomain", Qname: "q1.example.com.", Qtype: "A", Valid: true},
				{Nameserver: ns1, Address: a1, Kind: "nodata", Qname: "example.com.", Qtype: "NULL", Valid: true},
				{Nameserver: ns2, Address: a2, Kind: "nxdomain", Qname: "q1.example.com.", Qtype: "A", Detail: "no NSEC3 covers the next closer name"},
				{Nameserver: ns2, Address: a2, Kind: "nodata", Qname: "example.com.", Qtype: "NULL", Valid: true},
			},
			EarliestExpiration: day(2, 27, 12),
		},
		Findings: []probe.Finding{
			{Check: probe.CheckRRSIGExpired, Severity: probe.SeverityError, Nameserver: ns2, Address: a2, Message: "expired"},
			{Check: probe.CheckRRSIGMissing, Severity: probe.SeverityError, Nameserver: ns2, Address: a2, Message: "no RRSIG"},
			{Check: probe.CheckDNSSECIntermittent, Severity: probe.SeverityError, Message: "ns2 fails"},
		},
	}
}

const bogusGolden = `
# HELP dnshealth_denial_valid 1 when every proof of non-existence (NSEC or NSEC3) this nameserver address served proves its answer, else 0.
# TYPE dnshealth_denial_valid gauge
dnshealth_denial_valid{address="192.0.2.1",nameserver="ns1.example.net"} 1
dnshealth_denial_valid{address="192.0.2.2",nameserver="ns2.example.net"} 0
# HELP dnshealth_dnskey_consistent 1 when every nameserver address serves the same DNSKEY RRset, else 0. Absent when no comparison was possible.
# TYPE dnshealth_dnskey_consistent gauge
dnshealth_dnskey_consistent 0
# HELP dnshealth_dnskey_info One series per DNSKEY any nameserver address serves for the zone, with its key tag, algorithm number and flags (257 for a key-signing key, 256 for a zone-signing key). Always 1.
# TYPE dnshealth_dnskey_info gauge
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="34505"} 1
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="40000"} 1
dnshealth_dnskey_info{algorithm="13",flags="257",key_tag="2371"} 1
# HELP dnshealth_dnssec_intermittent 1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.
# TYPE dnshealth_dnssec_intermittent gauge
dnshealth_dnssec_intermittent 1
# HELP dnshealth_dnssec_status The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.
# TYPE dnshealth_dnssec_status gauge
dnshealth_dnssec_status{status="bogus"} 1
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 0
dnshealth_dnssec_status{status="secure"} 0
# HELP dnshealth_ds_info One series per DS record the parent serves for the zone, with its key tag, algorithm, digest type and whether it matches a DNSKEY that signs the zone's DNSKEY RRset. Always 1.
# TYPE dnshealth_ds_info gauge
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="11111",matched="false"} 1
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="2371",matched="true"} 1
# HELP dnshealth_ds_matches_dnskey 1 when a DS record at the parent matches a DNSKEY that signs the zone's DNSKEY RRset on every nameserver address, else 0. Absent when the parent has no DS for the zone.
# TYPE dnshealth_ds_matches_dnskey gauge
dnshealth_ds_matches_dnskey 0
# HELP dnshealth_nsec3_iterations Additional NSEC3 hash iterations the zone uses; RFC 9276 says 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_iterations gauge
dnshealth_nsec3_iterations 10
# HELP dnshealth_nsec3_opt_out 1 when the zone's NSEC3 chain has the opt-out flag set, else 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_opt_out gauge
dnshealth_nsec3_opt_out 1
# HELP dnshealth_nsec3_salt_length_bytes Length of the zone's NSEC3 salt in bytes; RFC 9276 says 0. Absent when the zone does not use NSEC3.
# TYPE dnshealth_nsec3_salt_length_bytes gauge
dnshealth_nsec3_salt_length_bytes 8
# HELP dnshealth_rrsig_days_to_expiry Days, fractional, from the probe's clock to the earliest expiration of any RRSIG any nameserver address serves over the checked RRsets; negative once expired. Deliberately in days, the one exception to base units: dnshealth_rrsig_expiration_timestamp_seconds has the same data in seconds. Absent when no signature was seen.
# TYPE dnshealth_rrsig_days_to_expiry gauge
dnshealth_rrsig_days_to_expiry -1.5
# HELP dnshealth_rrsig_expiration_timestamp_seconds Earliest expiration, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.
# TYPE dnshealth_rrsig_expiration_timestamp_seconds gauge
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 1772193600
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 1772193600
# HELP dnshealth_rrsig_inception_timestamp_seconds Latest inception, as a Unix time, of the RRSIGs this nameserver address serves over RRsets of this type. Absent when it serves none.
# TYPE dnshealth_rrsig_inception_timestamp_seconds gauge
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 1769904000
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 1769904000
# HELP dnshealth_rrsig_valid 1 when every checked RRset of this type that this nameserver address serves has a signature that verifies with a zone key and is inside its validity window, else 0.
# TYPE dnshealth_rrsig_valid gauge
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 0
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="NS"} 0
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 0
# HELP probe_success 1 when the probe raised no error-severity finding, else 0.
# TYPE probe_success gauge
probe_success 0
`

// insecureGolden: an unsigned zone gets the verdict and nothing else.
const insecureGolden = `
# HELP dnshealth_dnssec_intermittent 1 when some nameserver addresses serve data that validates and others do not, so resolvers fail depending on the server they ask; 0 when every address agrees.
# TYPE dnshealth_dnssec_intermittent gauge
dnshealth_dnssec_intermittent 0
# HELP dnshealth_dnssec_status The zone's DNSSEC verdict as a validating resolver would reach it: 1 for the observed status, 0 for the others. bogus when any nameserver address serves data a validator rejects.
# TYPE dnshealth_dnssec_status gauge
dnshealth_dnssec_status{status="bogus"} 0
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 1
dnshealth_dnssec_status{status="secure"} 0
# HELP probe_success 1 when the probe raised no error-severity finding, else 0.
# TYPE probe_success gauge
probe_success 1
`

func insecureReport() *probe.Report {
	r := healthyReport()
	r.Time = probeTime
	r.DNSSEC = &probe.DNSSECReport{Status: probe.DNSSECInsecure, DNSKEYConsistent: nil}
	return r
}

func TestProbeCollectorDNSSEC(t *testing.T) {
	tests := []struct {
		name   string
		report *probe.Report
		golden string
	}{
		{name: "secure", report: secureReport(), golden: secureGolden},
		{name: "bogus_intermittent", report: bogusReport(), golden: bogusGolden},
		{name: "insecure", report: insecureReport(), golden: insecureGolden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewProbeCollector(tc.report)
			if err := testutil.CollectAndCompare(c, strings.NewReader(tc.golden), dnssecNames...); err != nil {
				t.Error(err)
			}
			lintClean(t, c)
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(c)
			if _, err := reg.Gather(); err != nil {
				t.Errorf("gather: %v", err)
			}
		})
	}
}

// TestProbeCollectorDNSSECAbsent: without a DNSSEC report no DNSSEC series
// exist, and without the probe's clock there is no days-to-expiry.
func TestProbeCollectorDNSSECAbsent(t *testing.T) {
	for _, name := range dnssecNames[1:] {
		if n := testutil.CollectAndCount(NewProbeCollector(healthyReport()), name); n != 0 {
			t.Errorf("no DNSSEC report: %s has %d series, want none", name, n)
		}
	}
	r := secureReport()
	r.Time = time.Time{}
	if n := testutil.CollectAndCount(NewProbeCollector(r), "dnshealth_rrsig_days_to_expiry"); n != 0 {
		t.Errorf("report without a clock: dnshealth_rrsig_days_to_expiry has %d series, want none", n)
	}
	r = secureReport()
	r.DNSSEC.EarliestExpiration = time.Time{}
	if n := testutil.CollectAndCount(NewProbeCollector(r), "dnshealth_rrsig_days_to_expiry"); n != 0 {
		t.Errorf("no signatures: dnshealth_rrsig_days_to_expiry has %d series, want none", n)
	}
}

// TestLintAllowedIsUsed keeps the lint allow-list honest: each entry must
// still be reported for a report that has the metric, or it is stale.
func TestLintAllowedIsUsed(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewProbeCollector(secureReport()))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range problems {
		if text, ok := lintAllowed[p.Metric]; ok && text == p.Text {
			seen[p.Metric] = true
		}
	}
	for m := range lintAllowed {
		if !seen[m] {
			t.Errorf("lintAllowed has %s, but lint no longer reports it", m)
		}
	}
}
