package probe

// Bounds the engine applies to what a zone may make it do, beyond the
// walk's limits in walk.go and the validator's in probe/validate: the
// count of CNAMEs followed across answers, and no DS judgement where a
// validation bound cut the key check short.

import (
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// followAnswer is answerAddrs that also counts the aliases it followed.
// It stops after maxCNAMEs+1 of them, which is over the bound.
func followAnswer(m *dns.Msg, qname string, qtype uint16) ([]netip.Addr, time.Duration, string, int) {
	ttl := maxCacheTTL
	name := qname
	for followed := 0; followed <= maxCNAMEs; followed++ {
		var addrs []netip.Addr
		next := ""
		for _, rr := range m.Answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			if c, ok := rr.(*dns.CNAME); ok {
				next = strings.ToLower(c.Target)
				continue
			}
			if h.Rrtype != qtype {
				continue
			}
			if a, ok := rrAddr(rr); ok {
				addrs = append(addrs, a)
				if t := time.Duration(h.Ttl) * time.Second; t < ttl {
					ttl = t
				}
			}
		}
		if len(addrs) > 0 || next == "" {
			return addrs, ttl, "", followed
		}
		name = next
		if !answerHasOwner(m, name) {
			return nil, 0, name, followed + 1
		}
	}
	return nil, 0, "", maxCNAMEs + 1
}

// keySignersCut reports whether a validation bound stopped the check of
// which keys sign some address's DNSKEY RRset (KeyTrap: more RRSIGs or
// keys sharing a tag than the limits let the probe try). The DS set is
// then not matched against the keys: "no DS matches a key that signs"
// would be a guess, and the verdict is already indeterminate with
// validation_budget_exhausted.
func keySignersCut(checked []*serverMaterial) bool {
	for _, s := range checked {
		if s.keySignersCut {
			return true
		}
	}
	return false
}
