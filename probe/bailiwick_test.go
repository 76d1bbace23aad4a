package probe_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestWalkIgnoresOutOfBailiwickGlue: tld.'s referral for zone.tld. names
// ns.evil. and carries an address for it, which tld. has no authority to
// give (RFC 2181 section 5.4.1; resolvers drop it, as BIND and Unbound
// do). The walk must look ns.evil. up from evil.'s own servers and reach
// the real server of zone.tld., not the address the referral planted,
// which answers with a delegation of its own making.
func TestWalkIgnoresOutOfBailiwickGlue(t *testing.T) {
	addr := netip.MustParseAddr
	root, tld, evil := addr("127.62.250.1"), addr("127.62.250.10"), addr("127.62.250.30")
	genuine, planted, child := addr("127.62.250.21"), addr("127.62.250.66"), addr("127.62.250.40")
	rootRefs := []string{"N tld. 3600 IN NS ns.tld.", "X ns.tld. 3600 IN A 127.62.250.10"}
	evilRefs := []string{"N evil. 3600 IN NS ns.evil.", "X ns.evil. 3600 IN A 127.62.250.30"}
	evilSOA := "evil. 300 IN SOA ns.evil. h.evil. 1 1 1 1 300"
	subSOA := "sub.zone.tld. 300 IN SOA ns1.sub.zone.tld. h.sub.zone.tld. 1 1 1 1 300"
	delegation := func(ns string) []string {
		return []string{"N sub.zone.tld. 3600 IN NS " + ns + ".sub.zone.tld.", "X " + ns + ".sub.zone.tld. 3600 IN A 127.62.250.40"}
	}
	net := dnstest.MemNet{
		root: dnstest.Table(t, false, map[string][]string{"*": rootRefs, "ns.evil. A": evilRefs, "ns.evil. AAAA": evilRefs}),
		tld: dnstest.Table(t, false, map[string][]string{"*": {
			"N zone.tld. 3600 IN NS ns.evil.",
			"X ns.evil. 3600 IN A 127.62.250.66", // out of tld.'s bailiwick
		}}),
		evil:    dnstest.Table(t, true, map[string][]string{"ns.evil. A": {"A ns.evil. 3600 IN A 127.62.250.21"}, "ns.evil. AAAA": {"N " + evilSOA}}),
		genuine: dnstest.Table(t, false, map[string][]string{"*": delegation("ns1")}),
		planted: dnstest.Table(t, false, map[string][]string{"*": delegation("planted")}),
		child: dnstest.Table(t, true, map[string][]string{
			"sub.zone.tld. SOA":      {"A " + subSOA},
			"sub.zone.tld. NS":       {"A sub.zone.tld. 3600 IN NS ns1.sub.zone.tld."},
			"ns1.sub.zone.tld. A":    {"A ns1.sub.zone.tld. 3600 IN A 127.62.250.40"},
			"ns1.sub.zone.tld. AAAA": {"N " + subSOA},
		}),
	}
	m := &probe.Module{RootServers: []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{root}}}, QueryTimeout: 200 * time.Millisecond}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	r := (&probe.Prober{Exchanger: net}).Probe(t.Context(), "sub.zone.tld.", "mem", m)
	var parents []string
	for _, p := range r.ParentServers {
		parents = append(parents, p.Address)
	}
	if !slices.Equal(parents, []string{genuine.String()}) {
		t.Errorf("parent servers of sub.zone.tld. at %v, want only %s (ns.evil. as evil. serves it)\n%s", parents, genuine, debugText(r))
	}
	if !slices.Equal(r.DelegationNS, []string{"ns1.sub.zone.tld"}) && !slices.Equal(r.DelegationNS, []string{"ns1.sub.zone.tld."}) {
		t.Errorf("delegation NS %v, want ns1.sub.zone.tld: the planted server's delegation was used\n%s", r.DelegationNS, debugText(r))
	}
	if len(r.Findings) != 0 {
		t.Errorf("findings %v, want none\n%s", checkIDs(r), debugText(r))
	}
}
