package collector

import (
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// healthyReport is a zone with one working address per nameserver family the
// host can reach and an IPv6 address it cannot.
func healthyReport() *probe.Report {
	return &probe.Report{
		Zone:       "example.org.",
		Module:     "default",
		Duration:   1500 * time.Millisecond,
		QueryCount: 12,
		Servers: []probe.ServerResult{
			{Nameserver: "a.iana-servers.net.", Address: "192.0.2.1", Status: probe.StatusOK, RTT: 20 * time.Millisecond, Serial: 2024010101},
			{Nameserver: "a.iana-servers.net.", Address: "2001:db8::1", Status: probe.StatusFamilyUnreachable},
		},
		SerialConsistent: ptr(true),
		NSConsistent:     ptr(true),
		GlueConsistent:   ptr(true),
		Findings: []probe.Finding{
			{Check: probe.CheckFamilyUnreachable, Severity: probe.SeverityNotice, Nameserver: "a.iana-servers.net.", Address: "2001:db8::1", Message: "no IPv6 route"},
		},
	}
}

// lameReport has one good server, one refusing, one timing out (listed twice,
// as a buggy engine might), repeated findings and one comparison missing.
func lameReport() *probe.Report {
	return &probe.Report{
		Zone:       "xn--bcher-kva.example.",
		Module:     "demo",
		Duration:   250 * time.Millisecond,
		QueryCount: 7,
		Servers: []probe.ServerResult{
			{Nameserver: "ns1.example.net.", Address: "192.0.2.1", Status: probe.StatusOK, RTT: 10 * time.Millisecond, Serial: 7, NSID: "fra1"},
			{Nameserver: "ns2.example.net.", Address: "192.0.2.2", Status: probe.StatusRefused, RTT: 5 * time.Millisecond, Detail: "rcode REFUSED"},
			{Nameserver: "ns3.example.net.", Address: "192.0.2.3", Status: probe.StatusTimeout, RTT: time.Second, Detail: "i/o timeout"},
			{Nameserver: "ns3.example.net.", Address: "192.0.2.3", Status: probe.StatusOK, RTT: time.Millisecond, Serial: 8},
		},
		SerialConsistent: ptr(false),
		GlueConsistent:   ptr(false),
		Findings: []probe.Finding{
			{Check: probe.CheckLameRefused, Severity: probe.SeverityError, Nameserver: "ns2.example.net.", Address: "192.0.2.2", Message: "REFUSED"},
			{Check: probe.CheckLameTimeout, Severity: probe.SeverityError, Nameserver: "ns3.example.net.", Address: "192.0.2.3", Message: "timeout"},
			{Check: probe.CheckLameTimeout, Severity: probe.SeverityError, Nameserver: "ns3.example.net.", Address: "192.0.2.4", Message: "timeout"},
			{Check: probe.CheckSOASerialMismatch, Severity: probe.SeverityWarning, Message: "7 vs 8"},
		},
	}
}

// The goldens below list the expected samples, one family after another;
// exposition (helpers_test.go) adds each family's HELP and TYPE lines.

const healthyGolden = `
dnshealth_delegation_lame{address="192.0.2.1",nameserver="a.iana-servers.net"} 0
dnshealth_finding{check="address_family_unreachable",severity="notice"} 1
dnshealth_glue_consistent 1
dnshealth_nameserver_rtt_seconds{address="192.0.2.1",nameserver="a.iana-servers.net"} 0.02
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="family_unreachable"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="malformed"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="network_error"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="not_authoritative"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="ok"} 1
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="referral"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="refused"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="servfail"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="timeout"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="upward_referral"} 0
dnshealth_nameserver_status{address="192.0.2.1",nameserver="a.iana-servers.net",status="wrong_zone"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="family_unreachable"} 1
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="malformed"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="network_error"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="not_authoritative"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="ok"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="referral"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="refused"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="servfail"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="timeout"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="upward_referral"} 0
dnshealth_nameserver_status{address="2001:db8::1",nameserver="a.iana-servers.net",status="wrong_zone"} 0
dnshealth_ns_parent_child_consistent 1
dnshealth_probe_info{module="default",zone="example.org"} 1
dnshealth_probe_queries 12
dnshealth_soa_serial{address="192.0.2.1",nameserver="a.iana-servers.net"} 2.024010101e+09
dnshealth_soa_serial_consistent 1
probe_duration_seconds 1.5
probe_success 1
`

// Metrics compared for the lame report; the state set is checked apart.
var lameNames = []string{
	"probe_success", "probe_duration_seconds", "dnshealth_probe_info", "dnshealth_probe_queries",
	"dnshealth_delegation_lame", "dnshealth_nameserver_rtt_seconds", "dnshealth_soa_serial", "dnshealth_server_nsid_info",
	"dnshealth_soa_serial_consistent", "dnshealth_ns_parent_child_consistent", "dnshealth_glue_consistent",
	"dnshealth_finding",
}

const lameGolden = `
dnshealth_delegation_lame{address="192.0.2.1",nameserver="ns1.example.net"} 0
dnshealth_delegation_lame{address="192.0.2.2",nameserver="ns2.example.net"} 1
dnshealth_delegation_lame{address="192.0.2.3",nameserver="ns3.example.net"} 1
dnshealth_finding{check="lame_refused",severity="error"} 1
dnshealth_finding{check="lame_timeout",severity="error"} 1
dnshealth_finding{check="soa_serial_mismatch",severity="warning"} 1
dnshealth_glue_consistent 0
dnshealth_nameserver_rtt_seconds{address="192.0.2.1",nameserver="ns1.example.net"} 0.01
dnshealth_nameserver_rtt_seconds{address="192.0.2.2",nameserver="ns2.example.net"} 0.005
dnshealth_probe_info{module="demo",zone="xn--bcher-kva.example"} 1
dnshealth_probe_queries 7
dnshealth_server_nsid_info{address="192.0.2.1",nameserver="ns1.example.net",nsid="fra1"} 1
dnshealth_soa_serial{address="192.0.2.1",nameserver="ns1.example.net"} 7
dnshealth_soa_serial_consistent 0
probe_duration_seconds 0.25
probe_success 0
`

const emptyGolden = `
dnshealth_probe_info{module="default",zone="example.org"} 1
dnshealth_probe_queries 0
probe_duration_seconds 0
probe_success 1
`

func TestProbeCollector(t *testing.T) {
	runProbeCases(t,
		probeCase{name: "healthy", report: healthyReport(), golden: healthyGolden},
		probeCase{name: "lame_and_inconsistent", report: lameReport(), golden: lameGolden, names: lameNames},
		probeCase{name: "empty", report: emptyReport(), golden: emptyGolden},
	)
}

// TestProbeCollectorStateSet: one status series per status for each
// distinct (nameserver, address), the observed one set; the address
// listed twice keeps its first status.
func TestProbeCollectorStateSet(t *testing.T) {
	assertStateSet(t, NewProbeCollector(lameReport()), "dnshealth_nameserver_status", "address", probe.Statuses,
		map[string]probe.Status{"192.0.2.1": probe.StatusOK, "192.0.2.2": probe.StatusRefused, "192.0.2.3": probe.StatusTimeout})
}
