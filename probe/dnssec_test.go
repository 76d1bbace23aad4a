package probe_test

import (
	"context"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestDaysToExpiry signs the lab at a known instant (the lab signs with a
// 14-day window) and probes with the same clock three days later: the
// earliest expiry must be 11 days away, to the second.
func TestDaysToExpiry(t *testing.T) {
	signed := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	_, m := startLabSignedAt(t, signed)
	probed := signed.Add(72 * time.Hour)
	p := &probe.Prober{Now: func() time.Time { return probed }}
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Fatalf("not secure\n%s", debugText(r))
	}
	days := r.DNSSEC.EarliestExpiration.Sub(r.Time).Hours() / 24
	if math.Abs(days-11) > 1.0/86400 {
		t.Errorf("days to expiry = %.6f, want 11", days)
	}

	// Fifteen days after signing every signature in the lab has expired,
	// the root's first: the chain breaks above the zone.
	late := signed.Add(15 * 24 * time.Hour)
	p = &probe.Prober{Now: func() time.Time { return late }}
	r = p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECBogus {
		t.Fatalf("15 days later: want bogus\n%s", debugText(r))
	}
	wantFinding(t, r, probe.CheckChainBroken)
}

func TestDNSSECOff(t *testing.T) {
	_, m := startLab(t)
	off := false
	m.DNSSEC = &off
	r := newProber().Probe(t.Context(), "sec-expired.test.", "lab", m)
	if r.DNSSEC != nil || len(r.Findings) != 0 {
		t.Errorf("dnssec: false still checked DNSSEC: %+v, findings %v", r.DNSSEC, checkIDs(r))
	}
	for _, q := range r.Queries {
		if q.Qtype == "DS" || q.Qtype == "DNSKEY" {
			t.Errorf("dnssec: false still sent %s %s", q.Qname, q.Qtype)
		}
	}
}

// ttlRaiser serves the lab's answers with the SOA's TTL doubled, as a
// server that rewrites TTLs would.
type ttlRaiser struct{ probe.NetExchanger }

func (x ttlRaiser) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	resp, rtt, err := x.NetExchanger.Exchange(ctx, m, addr, network)
	if err == nil {
		for _, rr := range resp.Answer {
			if rr.Header().Rrtype == dns.TypeSOA {
				rr.Header().Ttl *= 2
			}
		}
	}
	return resp, rtt, err
}

func TestOriginalTTLExceeded(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.Exchanger = ttlRaiser{}
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	wantChecks(t, r, probe.CheckRRSIGOrigTTL)
	if r.DNSSEC.Status != probe.DNSSECSecure {
		t.Errorf("status %s, want secure\n%s", r.DNSSEC.Status, debugText(r))
	}
}

// TestDaysToExpiryWhenInsecure: a signed zone the validators treat as
// insecure (its only DS has a digest type nobody implements) still has
// signatures that run out, and turn the zone bogus the day its DS is
// fixed: days to expiry and the learned rhythm are reported for it too.
func TestDaysToExpiryWhenInsecure(t *testing.T) {
	signed := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	_, m := startLabSignedAt(t, signed)
	probed := signed.Add(72 * time.Hour)
	p := &probe.Prober{Now: func() time.Time { return probed }}
	r := p.Probe(t.Context(), "sec-unsupported.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECInsecure {
		t.Fatalf("not insecure\n%s", debugText(r))
	}
	days := r.DNSSEC.EarliestExpiration.Sub(r.Time).Hours() / 24
	if math.Abs(days-11) > 1.0/86400 {
		t.Errorf("days to expiry = %.6f, want 11", days)
	}
	if e := r.DNSSEC.Expiry; e == nil || e.Validity != 14*24*time.Hour+time.Hour || e.MarginSource != probe.MarginFromDefault {
		t.Errorf("expiry report %+v, want the lab's 14d+1h validity judged on a cold start", e)
	}
}
