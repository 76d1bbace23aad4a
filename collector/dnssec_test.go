package collector

import (
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// dnssecNames are the DNSSEC metric families, compared by the goldens below.
var dnssecNames = []string{
	"probe_success",
	"dnshealth_rrsig_days_to_expiry", "dnshealth_rrsig_expiration_timestamp_seconds",
	"dnshealth_rrsig_inception_timestamp_seconds", "dnshealth_rrsig_valid",
	"dnshealth_ds_matches_dnskey", "dnshealth_dnssec_status", "dnshealth_dnssec_intermittent",
	"dnshealth_dnskey_info", "dnshealth_ds_info", "dnshealth_dnskey_consistent",
	"dnshealth_cds_matches_ds", "dnshealth_nsec3_iterations", "dnshealth_nsec3_salt_length_bytes",
	"dnshealth_nsec3_opt_out", "dnshealth_nsec3_denials_insecure", "dnshealth_denial_valid",
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
			signature(ns, addr, "example.org.", "SOA", day(2, 15, 0), day(3, 15, 0), ""),
			signature(ns, addr, "example.org.", "NS", day(2, 15, 0), day(3, 15, 0), ""),
			signature(ns, addr, "example.org.", "DNSKEY", day(2, 20, 0), day(3, 11, 12), ""),
			signature(ns, addr, "example.org.", "A", day(2, 15, 0), day(3, 15, 0), ""),
			signature(ns, addr, "www.example.org.", "A", day(2, 20, 0), day(3, 11, 12), ""),
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
dnshealth_cds_matches_ds 1
dnshealth_denial_valid{address="192.0.2.1",nameserver="a.iana-servers.net"} 1
dnshealth_dnskey_consistent 1
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="34505"} 1
dnshealth_dnskey_info{algorithm="13",flags="257",key_tag="2371"} 1
dnshealth_dnssec_intermittent 0
dnshealth_dnssec_status{status="bogus"} 0
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 0
dnshealth_dnssec_status{status="secure"} 1
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="2371",matched="true"} 1
dnshealth_ds_matches_dnskey 1
dnshealth_nsec3_denials_insecure 0
dnshealth_nsec3_iterations 0
dnshealth_nsec3_opt_out 0
dnshealth_nsec3_salt_length_bytes 0
dnshealth_rrsig_days_to_expiry 10.5
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1773230400
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1773230400
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1773532800
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1771545600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1771545600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1771113600
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="A"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="DNSKEY"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="NS"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="a.iana-servers.net",type="SOA"} 1
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
				signature(ns1, a1, "example.com.", "SOA", day(2, 15, 0), day(3, 15, 0), ""),
				signature(ns1, a1, "example.com.", "DNSKEY", day(2, 15, 0), day(3, 15, 0), ""),
				signature(ns2, a2, "example.com.", "SOA", day(2, 1, 0), day(2, 27, 12), "expired"),
				signature(ns2, a2, "example.com.", "SOA", day(2, 1, 0), day(2, 27, 12), "expired"),
				signature(ns2, a2, "example.com.", "DNSKEY", day(2, 1, 0), day(2, 27, 12), "expired"),
				signature(ns2, a2, "example.com.", "NS", time.Time{}, time.Time{}, "no RRSIG"),
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
dnshealth_denial_valid{address="192.0.2.1",nameserver="ns1.example.net"} 1
dnshealth_denial_valid{address="192.0.2.2",nameserver="ns2.example.net"} 0
dnshealth_dnskey_consistent 0
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="34505"} 1
dnshealth_dnskey_info{algorithm="13",flags="256",key_tag="40000"} 1
dnshealth_dnskey_info{algorithm="13",flags="257",key_tag="2371"} 1
dnshealth_dnssec_intermittent 1
dnshealth_dnssec_status{status="bogus"} 1
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 0
dnshealth_dnssec_status{status="secure"} 0
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="11111",matched="false"} 1
dnshealth_ds_info{algorithm="13",digest_type="2",key_tag="2371",matched="true"} 1
dnshealth_ds_matches_dnskey 0
dnshealth_nsec3_denials_insecure 0
dnshealth_nsec3_iterations 10
dnshealth_nsec3_opt_out 1
dnshealth_nsec3_salt_length_bytes 8
dnshealth_rrsig_days_to_expiry -1.5
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1773532800
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 1772193600
dnshealth_rrsig_expiration_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 1772193600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1771113600
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 1769904000
dnshealth_rrsig_inception_timestamp_seconds{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 1769904000
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="ns1.example.net",type="DNSKEY"} 1
dnshealth_rrsig_valid{address="192.0.2.1",nameserver="ns1.example.net",type="SOA"} 1
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="DNSKEY"} 0
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="NS"} 0
dnshealth_rrsig_valid{address="192.0.2.2",nameserver="ns2.example.net",type="SOA"} 0
probe_success 0
`

// insecureGolden: an unsigned zone gets the verdict and nothing else.
const insecureGolden = `
dnshealth_dnssec_intermittent 0
dnshealth_dnssec_status{status="bogus"} 0
dnshealth_dnssec_status{status="indeterminate"} 0
dnshealth_dnssec_status{status="insecure"} 1
dnshealth_dnssec_status{status="secure"} 0
probe_success 1
`

func insecureReport() *probe.Report {
	r := healthyReport()
	r.Time = probeTime
	r.DNSSEC = &probe.DNSSECReport{Status: probe.DNSSECInsecure, DNSKEYConsistent: nil}
	return r
}

func TestProbeCollectorDNSSEC(t *testing.T) {
	runProbeCases(t,
		probeCase{name: "secure", report: secureReport(), golden: secureGolden, names: dnssecNames},
		probeCase{name: "bogus_intermittent", report: bogusReport(), golden: bogusGolden, names: dnssecNames},
		probeCase{name: "insecure", report: insecureReport(), golden: insecureGolden, names: dnssecNames},
	)
}

// TestProbeCollectorDNSSECAbsent: without a DNSSEC report no DNSSEC series
// exist, and without the probe's clock there is no days-to-expiry.
func TestProbeCollectorDNSSECAbsent(t *testing.T) {
	t.Run("no_dnssec_report", func(t *testing.T) {
		assertAbsent(t, NewProbeCollector(healthyReport()), dnssecNames[1:]...)
	})
	t.Run("no_clock", func(t *testing.T) {
		r := secureReport()
		r.Time = time.Time{}
		assertAbsent(t, NewProbeCollector(r), "dnshealth_rrsig_days_to_expiry")
	})
	t.Run("no_signatures", func(t *testing.T) {
		r := secureReport()
		r.DNSSEC.EarliestExpiration = time.Time{}
		assertAbsent(t, NewProbeCollector(r), "dnshealth_rrsig_days_to_expiry")
	})
}

// TestLintAllowedIsUsed keeps the lint allow-list honest: each entry must
// still be reported for a report that has the metric, or it is stale.
func TestLintAllowedIsUsed(t *testing.T) {
	seen := lintClean(t, NewProbeCollector(secureReport()))
	for m := range lintAllowed {
		if !seen[m] {
			t.Errorf("lintAllowed has %s, but lint no longer reports it", m)
		}
	}
}
