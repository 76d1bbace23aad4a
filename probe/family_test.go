package probe_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// v6lessHost behaves like a host without IPv6 connectivity: IPv6 "sends"
// fail as connect() does with no route, and nothing leaves the machine. It
// also adds IPv6 glue for ns1.healthy.test to the parent's referrals so the
// probe has an IPv6 address to consider.
type v6lessHost struct{ probe.NetExchanger }

var v6glue = netip.MustParseAddr("2001:db8::53")

func (h v6lessHost) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	if addr.Addr().Is6() {
		return nil, 0, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	}
	resp, rtt, err := h.NetExchanger.Exchange(ctx, m, addr, network)
	if err == nil && strings.HasPrefix(addr.Addr().String(), "127.53.1.") && m.Question[0].Name == "healthy.test." {
		resp.Extra = append(resp.Extra, &dns.AAAA{
			Hdr:  dns.RR_Header{Name: "ns1.healthy.test.", Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: 3600},
			AAAA: v6glue.AsSlice(),
		})
	}
	return resp, rtt, err
}

func TestUnreachableFamilyIsNotLame(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.Exchanger = v6lessHost{}

	r := p.Probe(t.Context(), "healthy.test.", "lab", m)
	var found bool
	for _, s := range r.Servers {
		if s.Address == v6glue.String() {
			found = true
			if s.Status != probe.StatusFamilyUnreachable || s.Status.Lame() {
				t.Errorf("IPv6 address status = %s, want family_unreachable and not lame", s.Status)
			}
		}
	}
	if !found {
		t.Fatalf("no family_unreachable result\n%s", debugText(r))
	}
	wantFinding(t, r, probe.CheckFamilyUnreachable)
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Check), "lame_") || f.Check == probe.CheckNoReachableAuthority {
			t.Errorf("unexpected %s finding: %s", f.Check, f.Message)
		}
	}

	m.IPProtocol = probe.IPv4Only
	r = p.Probe(t.Context(), "healthy.test.", "lab", m)
	for _, s := range r.Servers {
		if s.Address == v6glue.String() {
			t.Errorf("ip_protocol ip4 still tried %s", s.Address)
		}
	}
	if r.HasFinding(probe.CheckFamilyUnreachable) {
		t.Error("ip_protocol ip4 still reports the IPv6 family")
	}
}
