package probe_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// keyTrapper serves a KeyTrap zone (CVE-2023-50387) from the lab's
// sec-healthy.test: every DNSKEY answer gets n extra keys sharing the tag
// of the zone's ZSK, and every answer's RRSIGs by that key get n junk
// RRSIGs with the same tag in front of them. A validator that tries every
// key against every signature does n*n public-key operations per RRset.
type keyTrapper struct {
	probe.NetExchanger
	zone string
	n    int
}

func (x keyTrapper) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	r, rtt, err := x.NetExchanger.Exchange(ctx, m, addr, network)
	if err != nil || !dns.IsSubDomain(x.zone, m.Question[0].Name) {
		return r, rtt, err
	}
	var zsk *dns.DNSKEY
	var sigs []*dns.RRSIG
	for _, rr := range r.Answer {
		switch v := rr.(type) {
		case *dns.DNSKEY:
			if v.Flags == 256 {
				zsk = v
			}
		case *dns.RRSIG:
			sigs = append(sigs, v)
		}
	}
	var extra []dns.RR
	if zsk != nil {
		k := zsk
		for i := 0; i < x.n; i++ {
			k = colliding(k)
			extra = append(extra, k)
		}
	}
	for _, s := range sigs {
		for i := 0; i < x.n; i++ {
			junk := *s
			junk.Signature = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%064d", i)))
			extra = append(extra, &junk)
		}
	}
	r.Answer = append(extra, r.Answer...)
	return r, rtt, err
}

// colliding returns a key with k's tag and algorithm and another public
// key: one unit moved between two bytes at even offsets keeps the RFC 4034
// Appendix B checksum.
func colliding(k *dns.DNSKEY) *dns.DNSKEY {
	b, _ := base64.StdEncoding.DecodeString(k.PublicKey)
	for i := 0; i+2 < len(b); i += 2 {
		if b[i] < 0xff && b[i+2] > 0 {
			b[i]++
			b[i+2]--
			break
		}
	}
	c := *k
	c.PublicKey = base64.StdEncoding.EncodeToString(b)
	return &c
}

// A KeyTrap zone ends inside its budgets: indeterminate with
// validation_budget_exhausted, never secure, never bogus, and the probe
// does not run to its deadline.
func TestKeyTrapZoneIsIndeterminate(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.Exchanger = keyTrapper{zone: "sec-healthy.test.", n: 100}
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECIndeterminate {
		t.Errorf("DNSSEC %v, want indeterminate\n%s", r.DNSSEC, debugText(r))
	}
	wantFinding(t, r, probe.CheckValidationBudgetExhausted)
	if r.TimedOut {
		t.Errorf("the probe ran to its deadline\n%s", debugText(r))
	}
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Check), "rrsig_") || f.Check == probe.CheckDNSSECIntermittent {
			t.Errorf("finding %s: %s", f.Check, f.Message)
		}
	}
}

// The probe's own budget of public-key operations: a signed zone that needs
// more than it has left is indeterminate with validation_budget_exhausted;
// with the default budget the same zone is secure.
func TestProbeValidationBudget(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	p.SigMemo = nil
	p.MaxValidations = 5
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECIndeterminate {
		t.Errorf("budget of 5: DNSSEC %v, want indeterminate\n%s", r.DNSSEC, debugText(r))
	}
	wantFinding(t, r, probe.CheckValidationBudgetExhausted)
	p = newProber()
	p.SigMemo = nil
	if r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m); r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure || r.HasFinding(probe.CheckValidationBudgetExhausted) {
		t.Errorf("default budget: DNSSEC %v, want secure\n%s", r.DNSSEC, debugText(r))
	}
}
