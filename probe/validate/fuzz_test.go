package validate

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fuzzValidator has the probe's limits and a small budget, so that no input
// makes a fuzz run slow.
func fuzzValidator(t *testing.T) Validator {
	return Validator{Limits: DefaultLimits(), Budget: NewBudget(t.Context(), 64, 20000)}
}

// FuzzVerifyRRset: whatever the records, keys and signatures (from any
// reply), verification ends, never panics, and calls an RRset valid only
// when a signature by one of the keys verified inside its window.
func FuzzVerifyRRset(f *testing.F) {
	rrset, sig, key := signedA(f, fuzzNow)
	m := new(dns.Msg)
	m.SetQuestion("www.example.", dns.TypeA)
	m.Answer = append(append(m.Answer, rrset...), sig, key)
	b, err := m.Pack()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil || len(m.Answer) == 0 {
			return
		}
		var keys []*dns.DNSKEY
		for _, rr := range m.Answer {
			if k, ok := rr.(*dns.DNSKEY); ok {
				keys = append(keys, k)
			}
		}
		h := m.Answer[0].Header()
		set, sigs := SplitSigs(m.Answer, h.Name, h.Rrtype)
		v := fuzzValidator(t).VerifyRRset(set, sigs, keys, "example.", fuzzNow)
		if v.Valid && (len(v.KeyTags) == 0 || len(v.Algorithms) == 0) {
			t.Fatalf("valid with no verified key: %+v", v)
		}
		if !v.Valid && v.Reason == OK {
			t.Fatalf("invalid without a reason: %s", v.Detail)
		}
	})
}

// FuzzVerifyDenial: any reply offered as a proof of non-existence gets a
// verdict without panicking; a valid one is a negative answer (NXDOMAIN or
// NODATA) that carries the zone's SOA.
func FuzzVerifyDenial(f *testing.F) {
	fx := newDenialFixture(f)
	c := fx.nsec3Chain(1, "", 0)
	q := denialName("d")
	msg := fx.reply(q, dns.TypeA, dns.RcodeNameError, signValid, soaSigned,
		c.byName["@"], c.covering(f, q), c.covering(f, "*."+denialTestZone))
	b, err := msg.Pack()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, q)
	keys := fx.keys()
	f.Fuzz(func(t *testing.T, b []byte, qname string) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			return
		}
		if _, ok := dns.IsDomainName(qname); !ok {
			return
		}
		v := fuzzValidator(t).VerifyDenial(m, denialTestZone, dns.Fqdn(qname), dns.TypeA, keys, denialTestNow)
		if !v.Valid {
			return
		}
		if len(m.Answer) != 0 || (m.Rcode != dns.RcodeNameError && m.Rcode != dns.RcodeSuccess) {
			t.Fatalf("valid denial for a reply with rcode %s and %d answers", dns.RcodeToString[m.Rcode], len(m.Answer))
		}
		if soa, _ := SplitSigs(m.Ns, denialTestZone, dns.TypeSOA); len(soa) == 0 {
			t.Fatal("valid denial without the zone's SOA")
		}
	})
}
