package probe

import (
	"testing"

	"github.com/miekg/dns"
)

// FuzzClassifySOA: any reply a server sends to "<zone> SOA" gets a status
// from the fixed set and never panics; ok only for an authoritative SOA of
// the zone itself, with that SOA's serial.
func FuzzClassifySOA(f *testing.F) {
	seed := func(rcode int, aa bool, answer ...string) {
		m := new(dns.Msg)
		m.SetQuestion("zone.test.", dns.TypeSOA)
		m.Response, m.Authoritative, m.Rcode = true, aa, rcode
		for _, s := range answer {
			rr, err := dns.NewRR(s)
			if err != nil {
				f.Fatal(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(dns.RcodeSuccess, true, "zone.test. 300 IN SOA ns1.zone.test. h.zone.test. 7 1 1 1 1")
	seed(dns.RcodeSuccess, false, "zone.test. 300 IN SOA ns1.zone.test. h.zone.test. 7 1 1 1 1")
	seed(dns.RcodeRefused, false)
	seed(dns.RcodeSuccess, true, "zone.test. 300 IN CNAME x.test.")
	seed(dns.RcodeNameError, true)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			return
		}
		status, _, serial := classifySOA(m, "zone.test.")
		if status == "" {
			t.Fatal("empty status")
		}
		if status != StatusOK {
			return
		}
		if !m.Authoritative || m.Rcode != dns.RcodeSuccess {
			t.Fatalf("ok for a reply with aa=%t rcode %s", m.Authoritative, dns.RcodeToString[m.Rcode])
		}
		var found bool
		for _, rr := range m.Answer {
			if soa, ok := rr.(*dns.SOA); ok && dns.CanonicalName(soa.Hdr.Name) == "zone.test." && soa.Serial == serial {
				found = true
			}
		}
		if !found {
			t.Fatalf("ok with serial %d but no SOA of the zone with it in the answer", serial)
		}
	})
}
