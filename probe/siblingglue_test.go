package probe_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// siblingGluer is a parent server that adds glue for the out-of-zone
// nameservers of hosted.test to its referrals, as some parents do for
// names they also serve.
type siblingGluer struct {
	probe.NetExchanger
	addr netip.Addr
}

func (x siblingGluer) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	r, rtt, err := x.NetExchanger.Exchange(ctx, m, addr, network)
	if err == nil && addr.Addr() == x.addr && m.Question[0].Name == "hosted.test." {
		r.Extra = append(r.Extra, &dns.A{Hdr: dns.RR_Header{Name: "ns1.dns-host.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 3600},
			A: net.IPv4(127, 53, 2, 1)})
	}
	return r, rtt, err
}

// Parent servers that differ only in optional glue for nameservers outside
// the zone (RFC 9471) agree on the delegation: no parent_ns_inconsistent.
func TestParentsDifferingInSiblingGlueAgree(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.Exchanger = siblingGluer{addr: netip.MustParseAddr("127.53.1.2")}
	r := p.Probe(t.Context(), "hosted.test.", "lab", m)
	if r.HasFinding(probe.CheckParentNSInconsistent) {
		t.Errorf("parent_ns_inconsistent for parents differing only in out-of-zone glue\n%s", debugText(r))
	}
	var glued bool
	for _, ps := range r.ParentServers {
		glued = glued || len(ps.Glue) > 0
	}
	if !glued {
		t.Fatalf("no parent server's glue was seen: the test does not test\n%s", debugText(r))
	}
}
