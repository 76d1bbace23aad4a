package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// resolverNames are the resolver and diagnosis families, compared by the
// goldens below together with probe_success and the findings.
var resolverNames = []string{
	"probe_success", "dnshealth_finding",
	"dnshealth_resolver_status", "dnshealth_resolver_authenticated",
	"dnshealth_resolver_extended_error", "dnshealth_resolver_rtt_seconds",
	"dnshealth_servfail_expected", "dnshealth_servfail_intermittent", "dnshealth_diagnosis_info",
}

// resolverHealthyReport is a secure zone with no findings, seen by one
// validating resolver that sets AD.
func resolverHealthyReport() *probe.Report {
	r := secureReport()
	r.Servers = r.Servers[:1]
	r.Findings = nil
	r.Resolvers = []probe.ResolverResult{{
		Resolver:      "192.0.2.53",
		Status:        probe.ResolverOK,
		Authenticated: true,
		RTT:           15 * time.Millisecond,
		Queries: []probe.ResolverQuery{
			{Qname: "example.org.", Qtype: "SOA", Rcode: "NOERROR", AD: true, Answer: true, RTT: 15 * time.Millisecond},
			{Qname: "example.org.", Qtype: "SOA", CD: true, Rcode: "NOERROR", Answer: true, RTT: 3 * time.Millisecond},
		},
	}}
	r.Diagnosis = &probe.Diagnosis{
		Cause:   probe.CauseHealthy,
		Summary: "example.org is healthy: 1 nameserver addresses answer authoritatively and agree; DNSSEC secure, earliest signature expiry in 10.5 days",
	}
	return r
}

const resolverHealthyGolden = `
dnshealth_diagnosis_info{cause="healthy",severity="none"} 1
dnshealth_resolver_authenticated{resolver="192.0.2.53"} 1
dnshealth_resolver_rtt_seconds{resolver="192.0.2.53"} 0.015
dnshealth_resolver_status{resolver="192.0.2.53",status="dnssec_failure"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="insecure"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="malformed"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="network_error"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="nxdomain"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="ok"} 1
dnshealth_resolver_status{resolver="192.0.2.53",status="refused"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="servfail"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="timeout"} 0
dnshealth_servfail_expected 0
dnshealth_servfail_intermittent 0
probe_success 1
`

// expiredReport is a signed zone on one server whose signatures expired a
// day and a half ago. A validating resolver fails it (SERVFAIL with CD=0,
// NOERROR with CD=1) with EDE 7 and 6, EDE 7 twice with different texts;
// a non-validating one, configured with a port, answers without AD.
func expiredReport() *probe.Report {
	ns, addr := "ns1.example.net.", "192.0.2.1"
	expired := day(2, 27, 12)
	sig := func(typ string) probe.SignatureObs {
		return signature(ns, addr, "example.com.", typ, day(1, 28, 0), expired, "expired")
	}
	return &probe.Report{
		Zone:       "example.com.",
		Module:     "default",
		Time:       probeTime,
		Duration:   900 * time.Millisecond,
		QueryCount: 18,
		Servers: []probe.ServerResult{
			{Nameserver: ns, Address: addr, Status: probe.StatusOK, RTT: 10 * time.Millisecond, Serial: 9},
		},
		SerialConsistent: ptr(true),
		NSConsistent:     ptr(true),
		DNSSEC: &probe.DNSSECReport{
			Status:             probe.DNSSECBogus,
			Anchor:             ".",
			DS:                 []probe.DSRecord{{KeyTag: 2371, Algorithm: 13, DigestType: 2, Matched: true}},
			DNSKEYs:            []probe.KeyRecord{{KeyTag: 2371, Algorithm: 13, Flags: 257, SignsKeySet: true}, {KeyTag: 34505, Algorithm: 13, Flags: 256}},
			DSMatchesDNSKEY:    ptr(true),
			DNSKEYConsistent:   ptr(true),
			Signatures:         []probe.SignatureObs{sig("SOA"), sig("NS"), sig("DNSKEY")},
			EarliestExpiration: expired,
		},
		Resolvers: []probe.ResolverResult{
			{
				Resolver: "192.0.2.53",
				Status:   probe.ResolverDNSSECFailure,
				RTT:      40 * time.Millisecond,
				EDE: []probe.EDE{
					{Code: 7, Text: "signature expired"},
					{Code: 6, Text: `validation failure <example.com. SOA IN>: signature expired from 192.0.2.1 for key example.com. while building chain of trust`},
					{Code: 7, Text: "YFJ2"},
				},
				Queries: []probe.ResolverQuery{
					{Qname: "example.com.", Qtype: "SOA", Rcode: "SERVFAIL", RTT: 40 * time.Millisecond, EDE: []probe.EDE{{Code: 7, Text: "signature expired"}}},
					{Qname: "example.com.", Qtype: "SOA", CD: true, Rcode: "NOERROR", Answer: true, RTT: 5 * time.Millisecond},
				},
				Detail: "answered SERVFAIL with CD=0 and NOERROR with CD=1: DNSSEC validation fails",
			},
			{
				Resolver: "[2001:db8::53]:5353",
				Status:   probe.ResolverOK,
				RTT:      25 * time.Millisecond,
			},
		},
		Findings: []probe.Finding{
			{Check: probe.CheckRRSIGExpired, Severity: probe.SeverityError, Nameserver: ns, Address: addr, Message: "expired"},
			{Check: probe.CheckResolverDNSSECFailure, Severity: probe.SeverityError, Address: "192.0.2.53:53", Message: "SERVFAIL with CD=0"},
		},
		Diagnosis: &probe.Diagnosis{
			Cause:            probe.CauseSignatureExpired,
			Severity:         probe.SeverityError,
			ServfailExpected: true,
			Summary:          "DNSSEC signatures of example.com have expired, earliest expiry -1.5 days (ns1.example.net 192.0.2.1): validating resolvers SERVFAIL it",
			Checks:           []probe.CheckID{probe.CheckRRSIGExpired, probe.CheckResolverDNSSECFailure},
		},
	}
}

const expiredGolden = `
dnshealth_diagnosis_info{cause="signature_expired",severity="error"} 1
dnshealth_finding{check="resolver_dnssec_failure",severity="error"} 1
dnshealth_finding{check="rrsig_expired",severity="error"} 1
dnshealth_resolver_authenticated{resolver="192.0.2.53"} 0
dnshealth_resolver_authenticated{resolver="[2001:db8::53]:5353"} 0
dnshealth_resolver_extended_error{code="6",resolver="192.0.2.53"} 1
dnshealth_resolver_extended_error{code="7",resolver="192.0.2.53"} 1
dnshealth_resolver_rtt_seconds{resolver="192.0.2.53"} 0.04
dnshealth_resolver_rtt_seconds{resolver="[2001:db8::53]:5353"} 0.025
dnshealth_resolver_status{resolver="192.0.2.53",status="dnssec_failure"} 1
dnshealth_resolver_status{resolver="192.0.2.53",status="insecure"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="malformed"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="network_error"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="nxdomain"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="ok"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="refused"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="servfail"} 0
dnshealth_resolver_status{resolver="192.0.2.53",status="timeout"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="dnssec_failure"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="insecure"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="malformed"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="network_error"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="nxdomain"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="ok"} 1
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="refused"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="servfail"} 0
dnshealth_resolver_status{resolver="[2001:db8::53]:5353",status="timeout"} 0
dnshealth_servfail_expected 1
dnshealth_servfail_intermittent 0
probe_success 0
`

// resolverLameReport is lameReport with a resolver that timed out (listed
// twice, the second time with a different status and an EDE, as a buggy
// engine might) and one that answers without AD for the unsigned zone.
func resolverLameReport() *probe.Report {
	r := lameReport()
	r.Resolvers = []probe.ResolverResult{
		{Resolver: "198.51.100.53", Status: probe.ResolverTimeout, RTT: 2 * time.Second, Detail: "i/o timeout",
			Queries: []probe.ResolverQuery{{Qname: "xn--bcher-kva.example.", Qtype: "SOA", RTT: 2 * time.Second, Err: "i/o timeout"}}},
		{Resolver: "198.51.100.54", Status: probe.ResolverOK, RTT: 30 * time.Millisecond},
		{Resolver: "198.51.100.53", Status: probe.ResolverOK, Authenticated: true, RTT: time.Millisecond, EDE: []probe.EDE{{Code: 22}}},
	}
	r.Findings = append(r.Findings, probe.Finding{
		Check: probe.CheckResolverUnreachable, Severity: probe.SeverityWarning, Address: "198.51.100.53:53", Message: "timeout",
	})
	r.Diagnosis = &probe.Diagnosis{
		Cause:    probe.CausePartialLame,
		Severity: probe.SeverityError,
		Summary:  "2 of 3 nameserver addresses of xn--bcher-kva.example are lame; the others answer, so resolvers retry them and slow down",
		Checks:   []probe.CheckID{probe.CheckLameRefused, probe.CheckLameTimeout, probe.CheckResolverUnreachable, probe.CheckSOASerialMismatch},
	}
	return r
}

const resolverLameGolden = `
dnshealth_diagnosis_info{cause="partial_lame",severity="error"} 1
dnshealth_finding{check="lame_refused",severity="error"} 1
dnshealth_finding{check="lame_timeout",severity="error"} 1
dnshealth_finding{check="resolver_unreachable",severity="warning"} 1
dnshealth_finding{check="soa_serial_mismatch",severity="warning"} 1
dnshealth_resolver_authenticated{resolver="198.51.100.53"} 0
dnshealth_resolver_authenticated{resolver="198.51.100.54"} 0
dnshealth_resolver_rtt_seconds{resolver="198.51.100.54"} 0.03
dnshealth_resolver_status{resolver="198.51.100.53",status="dnssec_failure"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="insecure"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="malformed"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="network_error"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="nxdomain"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="ok"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="refused"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="servfail"} 0
dnshealth_resolver_status{resolver="198.51.100.53",status="timeout"} 1
dnshealth_resolver_status{resolver="198.51.100.54",status="dnssec_failure"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="insecure"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="malformed"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="network_error"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="nxdomain"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="ok"} 1
dnshealth_resolver_status{resolver="198.51.100.54",status="refused"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="servfail"} 0
dnshealth_resolver_status{resolver="198.51.100.54",status="timeout"} 0
dnshealth_servfail_expected 0
dnshealth_servfail_intermittent 0
probe_success 0
`

func TestProbeCollectorResolvers(t *testing.T) {
	runProbeCases(t,
		probeCase{name: "healthy_authenticated", report: resolverHealthyReport(), golden: resolverHealthyGolden, names: resolverNames},
		probeCase{name: "expired_dnssec_failure", report: expiredReport(), golden: expiredGolden, names: resolverNames},
		probeCase{name: "lame_resolver_timeout", report: resolverLameReport(), golden: resolverLameGolden, names: resolverNames},
	)
}

// TestProbeCollectorResolversAbsent: a report without resolvers or a
// diagnosis (a module with no `resolvers`, a handler test's stub probe)
// has none of their series.
func TestProbeCollectorResolversAbsent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		report *probe.Report
	}{{"healthy", healthyReport()}, {"secure", secureReport()}, {"empty", emptyReport()}} {
		t.Run(tc.name, func(t *testing.T) {
			assertAbsent(t, NewProbeCollector(tc.report), resolverNames[2:]...)
		})
	}
	// A diagnosis without resolvers: only the diagnosis families.
	t.Run("diagnosis_only", func(t *testing.T) {
		r := healthyReport()
		r.Diagnosis = &probe.Diagnosis{Cause: probe.CauseAdvisory, Severity: probe.SeverityNotice}
		c := NewProbeCollector(r)
		for _, name := range resolverNames[2:] {
			want := 0
			if strings.HasPrefix(name, "dnshealth_servfail_") || name == "dnshealth_diagnosis_info" {
				want = 1
			}
			assertSeries(t, c, name, want)
		}
	})
}

// TestProbeCollectorResolverDedupe: repeated resolver entries and repeated
// EDE codes must not produce duplicate series, which would make the
// registry reject the whole scrape; the first entry for a resolver wins.
func TestProbeCollectorResolverDedupe(t *testing.T) {
	r := expiredReport()
	first := r.Resolvers[0]
	again := first
	again.Status = probe.ResolverOK
	again.Authenticated = true
	again.EDE = []probe.EDE{{Code: 22}, {Code: 22}}
	r.Resolvers = append(r.Resolvers, again, first, r.Resolvers[1])
	c := NewProbeCollector(r)
	gather(t, c)
	assertSeries(t, c, "dnshealth_resolver_status", 2*len(probe.ResolverStatuses))
	assertSeries(t, c, "dnshealth_resolver_authenticated", 2)
	assertSeries(t, c, "dnshealth_resolver_rtt_seconds", 2)
	assertSeries(t, c, "dnshealth_resolver_extended_error", 2) // 7 and 6 for 192.0.2.53; no 22
	// Still exactly the golden: the repeats changed nothing.
	assertMetrics(t, c, expiredGolden, resolverNames...)
}

// TestResolverStatusStateSet: every resolver has exactly one status set,
// the one it reported, over the whole of probe.ResolverStatuses, and an
// RTT only when it answered.
func TestResolverStatusStateSet(t *testing.T) {
	var all []string
	for _, st := range probe.ResolverStatuses {
		all = append(all, string(st))
	}
	for _, st := range probe.ResolverStatuses {
		t.Run(string(st), func(t *testing.T) {
			r := emptyReport()
			r.Resolvers = []probe.ResolverResult{{Resolver: "192.0.2.53", Status: st, RTT: time.Millisecond}}
			c := NewProbeCollector(r)
			assertStateSet(t, c, "dnshealth_resolver_status", "resolver", all, map[string]string{"192.0.2.53": string(st)})
			rtt := 1
			if st == probe.ResolverTimeout || st == probe.ResolverNetworkError {
				rtt = 0
			}
			assertSeries(t, c, "dnshealth_resolver_rtt_seconds", rtt)
		})
	}
}

// TestDiagnosisCauses: every cause in probe.Causes renders, with its
// severity or "none", and lints clean.
func TestDiagnosisCauses(t *testing.T) {
	for _, cause := range probe.Causes {
		t.Run(string(cause), func(t *testing.T) {
			sev, want := probe.SeverityError, "error"
			if cause == probe.CauseHealthy {
				sev, want = "", "none"
			}
			r := emptyReport()
			r.Diagnosis = &probe.Diagnosis{Cause: cause, Severity: sev}
			assertProbeMetrics(t, r, `dnshealth_diagnosis_info{cause="`+string(cause)+`",severity="`+want+`"} 1`, "dnshealth_diagnosis_info")
		})
	}
}
