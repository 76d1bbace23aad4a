package probe_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// dsFailer is a parent server that fails only DS queries: it answers them
// with rcode, or never (rcode < 0), and everything else as the lab does.
type dsFailer struct {
	probe.NetExchanger
	addr  netip.Addr
	rcode int
}

func (x dsFailer) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	if addr.Addr() != x.addr || m.Question[0].Qtype != dns.TypeDS {
		return x.NetExchanger.Exchange(ctx, m, addr, network)
	}
	if x.rcode < 0 {
		<-ctx.Done()
		return nil, 0, ctx.Err()
	}
	r := new(dns.Msg)
	r.SetRcode(m, x.rcode)
	return r, time.Millisecond, nil
}

// One parent server failing the DS query (SERVFAIL, REFUSED, no answer) is
// a server failure, not a proof: resolvers ask another parent server (RFC
// 4035 section 5), so a signed zone stays secure and an unsigned one
// insecure, with a parent_server_error warning and no error finding.
func TestParentServerFailingDSIsNotBogus(t *testing.T) {
	_, m := startLab(t)
	failing := netip.MustParseAddr("127.53.1.2") // ns2.nic.test, a server of test.
	for _, c := range []struct {
		name  string
		rcode int
	}{{"servfail", dns.RcodeServerFailure}, {"refused", dns.RcodeRefused}, {"timeout", -1}} {
		for _, z := range []struct {
			zone   string
			status probe.DNSSECStatus
		}{
			{"sec-healthy.test.", probe.DNSSECSecure},
			{"healthy.test.", probe.DNSSECInsecure},
		} {
			t.Run(c.name+"/"+z.zone, func(t *testing.T) {
				p := newProber()
				p.Exchanger = dsFailer{addr: failing, rcode: c.rcode}
				r := p.Probe(t.Context(), z.zone, "lab", m)
				if r.DNSSEC == nil || r.DNSSEC.Status != z.status {
					t.Errorf("DNSSEC status %v, want %s\n%s", r.DNSSEC, z.status, debugText(r))
				}
				for _, f := range r.Findings {
					if f.Severity == probe.SeverityError {
						t.Errorf("error finding %s: %s", f.Check, f.Message)
					}
				}
				var named bool
				for _, f := range r.Findings {
					named = named || f.Check == probe.CheckParentServerError && f.Address == failing.String()
				}
				if !named {
					t.Errorf("no parent_server_error finding for %s\n%s", failing, debugText(r))
				}
				if r.Diagnosis != nil && (r.Diagnosis.ServfailExpected || r.Diagnosis.ServfailIntermittent) {
					t.Errorf("diagnosis %+v expects SERVFAIL", *r.Diagnosis)
				}
			})
		}
	}
}

// dsCorrupter is a parent server whose DS answers carry a broken signature.
type dsCorrupter struct {
	probe.NetExchanger
	addr netip.Addr
}

func (x dsCorrupter) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	r, rtt, err := x.NetExchanger.Exchange(ctx, m, addr, network)
	if err != nil || addr.Addr() != x.addr || m.Question[0].Qtype != dns.TypeDS {
		return r, rtt, err
	}
	for _, rr := range r.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok {
			sig.Signature = "AAAA" + sig.Signature[4:]
		}
	}
	return r, rtt, err
}

// A DS answer that fails validation from one parent server of two makes
// the zone intermittent (resolvers retry the other server), not a SERVFAIL
// on every path; from every parent server it is bogus.
func TestParentServerBadDSIsIntermittent(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.Exchanger = dsCorrupter{addr: netip.MustParseAddr("127.53.1.2")}
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || !r.DNSSEC.Intermittent {
		t.Errorf("want intermittent\n%s", debugText(r))
	}
	wantFinding(t, r, probe.CheckDNSSECIntermittent)
	wantFinding(t, r, probe.CheckRRSIGInvalid)
	if r.Diagnosis != nil && r.Diagnosis.ServfailExpected {
		t.Errorf("diagnosis %+v expects SERVFAIL on every path", *r.Diagnosis)
	}

	p = newProber()
	p.Exchanger = dsCorrupterAll{}
	r = p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECBogus || r.DNSSEC.Intermittent {
		t.Errorf("every parent server's DS broken: want bogus, not intermittent\n%s", debugText(r))
	}
}

type dsCorrupterAll struct{ probe.NetExchanger }

func (x dsCorrupterAll) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	return dsCorrupter{addr: addr.Addr()}.Exchange(ctx, m, addr, network)
}
