package probe_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestSidewaysReferralSkipsServer: a root server that refers the probe
// somewhere that does not lead to the target is skipped, as a resolver
// would, and the next root server is used.
func TestSidewaysReferralSkipsServer(t *testing.T) {
	bad, good := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	tld, child := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.20")
	soa := "A zone.tld. 300 IN SOA ns.zone.tld. h.zone.tld. 1 1 1 1 1"
	net := dnstest.MemNet{
		bad:  dnstest.Table(t, false, map[string][]string{"*": {"N other. 3600 IN NS ns.other.", "X ns.other. 3600 IN A 192.0.2.99"}}),
		good: dnstest.Table(t, false, map[string][]string{"*": {"N tld. 3600 IN NS ns.tld.", "X ns.tld. 3600 IN A 192.0.2.10"}}),
		tld:  dnstest.Table(t, false, map[string][]string{"*": {"N zone.tld. 3600 IN NS ns.zone.tld.", "X ns.zone.tld. 3600 IN A 192.0.2.20"}}),
		child: dnstest.Table(t, true, map[string][]string{
			"zone.tld. SOA":     {soa},
			"zone.tld. NS":      {"A zone.tld. 3600 IN NS ns.zone.tld."},
			"ns.zone.tld. A":    {"A ns.zone.tld. 3600 IN A 192.0.2.20"},
			"ns.zone.tld. AAAA": {"N " + soa[2:]},
		}),
	}
	m := &probe.Module{RootServers: []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{bad}}, {Name: "b.root.", Addrs: []netip.Addr{good}}}}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	p := &probe.Prober{Exchanger: net}
	r := p.Probe(t.Context(), "zone.tld.", "mem", m)
	if len(r.Findings) != 0 || len(r.Servers) != 1 || r.Servers[0].Status != probe.StatusOK {
		t.Fatalf("findings %v servers %+v\n%s", checkIDs(r), r.Servers, debugText(r))
	}
}

// TestReferralLoop: when every server of a zone refers sideways, the walk
// stops with referral_loop rather than wandering.
func TestReferralLoop(t *testing.T) {
	root := netip.MustParseAddr("192.0.2.1")
	net := dnstest.MemNet{root: dnstest.Table(t, false, map[string][]string{"*": {"N other. 3600 IN NS ns.other.", "X ns.other. 3600 IN A 192.0.2.99"}})}
	m := &probe.Module{RootServers: []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{root}}}}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	r := (&probe.Prober{Exchanger: net}).Probe(t.Context(), "zone.tld.", "mem", m)
	wantChecks(t, r, probe.CheckReferralLoop)
}

// miniNet is root → tld. → zone.tld. in memory, with two servers for tld.
// and two for the zone, for faults the lab does not stage. Tests edit the
// returned map to break things.
func miniNet(t *testing.T) (dnstest.MemNet, *probe.Module) {
	t.Helper()
	root := netip.MustParseAddr("192.0.2.1")
	tld1, tld2 := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")
	ns1, ns2 := netip.MustParseAddr("192.0.2.21"), netip.MustParseAddr("192.0.2.22")
	referral := []string{
		"N zone.tld. 3600 IN NS ns1.zone.tld.", "N zone.tld. 3600 IN NS ns2.zone.tld.",
		"X ns1.zone.tld. 3600 IN A 192.0.2.21", "X ns2.zone.tld. 3600 IN A 192.0.2.22",
	}
	net := dnstest.MemNet{
		root: dnstest.Table(t, false, map[string][]string{"*": {
			"N tld. 3600 IN NS ns1.tld.", "N tld. 3600 IN NS ns2.tld.",
			"X ns1.tld. 3600 IN A 192.0.2.10", "X ns2.tld. 3600 IN A 192.0.2.11",
		}}),
		tld1: dnstest.Table(t, false, map[string][]string{"*": referral}),
		tld2: dnstest.Table(t, false, map[string][]string{"*": referral}),
		ns1:  childHandler(t, "ns1.zone.tld.", "ns2.zone.tld."),
		ns2:  childHandler(t, "ns1.zone.tld.", "ns2.zone.tld."),
	}
	m := &probe.Module{RootServers: []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{root}}}, QueryTimeout: 200 * time.Millisecond}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	return net, m
}

// childHandler serves zone.tld. authoritatively with the given apex NS set.
func childHandler(t *testing.T, apexNS ...string) dnstest.Handler {
	soa := "zone.tld. 300 IN SOA ns1.zone.tld. h.zone.tld. 1 1 1 1 300"
	answers := map[string][]string{
		"zone.tld. SOA":      {"A " + soa},
		"ns1.zone.tld. A":    {"A ns1.zone.tld. 3600 IN A 192.0.2.21"},
		"ns2.zone.tld. A":    {"A ns2.zone.tld. 3600 IN A 192.0.2.22"},
		"ns1.zone.tld. AAAA": {"N " + soa},
		"ns2.zone.tld. AAAA": {"N " + soa},
	}
	for _, ns := range apexNS {
		answers["zone.tld. NS"] = append(answers["zone.tld. NS"], "A zone.tld. 3600 IN NS "+ns)
	}
	return dnstest.Table(t, true, answers)
}

// TestMemNetFaults raises, each in a scenario of its own, the checks the
// lab hierarchy does not stage, and checks the healthy baseline is clean.
func TestMemNetFaults(t *testing.T) {
	cases := []struct {
		name     string
		breakNet func(dnstest.MemNet)
		want     []probe.CheckID
	}{
		{"healthy", func(dnstest.MemNet) {}, nil},
		{string(probe.CheckResolutionFailed), func(n dnstest.MemNet) {
			n[netip.MustParseAddr("192.0.2.1")] = dnstest.Rcode(dns.RcodeRefused)
		}, []probe.CheckID{probe.CheckResolutionFailed}},
		{string(probe.CheckParentServerError), func(n dnstest.MemNet) {
			n[netip.MustParseAddr("192.0.2.11")] = dnstest.Rcode(dns.RcodeRefused)
		}, []probe.CheckID{probe.CheckParentServerError}},
		{string(probe.CheckGlueMissing), func(n dnstest.MemNet) {
			h := dnstest.Table(t, false, map[string][]string{"*": {
				"N zone.tld. 3600 IN NS ns1.zone.tld.", "N zone.tld. 3600 IN NS ns2.zone.tld.",
				"X ns1.zone.tld. 3600 IN A 192.0.2.21",
			}})
			n[netip.MustParseAddr("192.0.2.10")], n[netip.MustParseAddr("192.0.2.11")] = h, h
		}, []probe.CheckID{probe.CheckGlueMissing}},
		{string(probe.CheckNSChildInconsistent), func(n dnstest.MemNet) {
			n[netip.MustParseAddr("192.0.2.22")] = childHandler(t, "ns1.zone.tld.")
		}, []probe.CheckID{probe.CheckNSChildInconsistent, probe.CheckNSParentChildDiffer}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net, m := miniNet(t)
			tc.breakNet(net)
			r := (&probe.Prober{Exchanger: net}).Probe(t.Context(), "zone.tld.", "mem", m)
			wantChecks(t, r, tc.want...)
		})
	}
}
