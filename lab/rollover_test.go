package lab

import (
	"testing"

	"github.com/miekg/dns"
)

// TestRolloverStepsServe: at every step, each rollover zone's servers
// serve the DNSKEY RRset of that step, with signatures by that step's
// signing keys, and roll.test. serves that step's DS set; the lab starts
// at DefaultRolloverStep.
func TestRolloverStepsServe(t *testing.T) {
	l := startLab(t)
	zones := rollZones()
	if got := int(l.rollStep.Load()); got != DefaultRolloverStep {
		t.Fatalf("the lab starts at step %d, want %d", got, DefaultRolloverStep)
	}
	steps := 0
	for _, z := range zones {
		steps = max(steps, len(z.steps))
	}
	for s := range steps + 1 {
		l.SetRolloverStep(s)
		for _, z := range zones {
			step := z.step(s)
			for _, srv := range z.servers() {
				r := dnssecQuery(t, l, srv.addr, z.Name, dns.TypeDNSKEY)
				served := map[uint16]bool{}
				for _, rr := range r.Answer {
					if k, ok := rr.(*dns.DNSKEY); ok {
						served[k.KeyTag()] = true
					}
				}
				if len(served) != len(step.sign.dnskey) {
					t.Errorf("step %d %s@%s: %d DNSKEYs, want %d", s, z.Name, srv.addr, len(served), len(step.sign.dnskey))
				}
				var signers []uint16
				for _, sig := range sigsOver(r.Answer) {
					signers = append(signers, sig.KeyTag)
				}
				if len(signers) != len(step.sign.ksk) {
					t.Errorf("step %d %s@%s: DNSKEY RRset signed by %v, want %d keys", s, z.Name, srv.addr, signers, len(step.sign.ksk))
				}
			}
			r := dnssecQuery(t, l, "127.71.0.1", z.Name, dns.TypeDS)
			var ds []uint16
			for _, rr := range r.Answer {
				if d, ok := rr.(*dns.DS); ok {
					ds = append(ds, d.KeyTag)
				}
			}
			if len(ds) != len(step.ds) {
				t.Errorf("step %d %s: roll.test. serves DS %v, want %d records", s, z.Name, ds, len(step.ds))
			}
		}
	}
}
