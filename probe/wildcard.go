package probe

import (
	"strings"

	"github.com/miekg/dns"
)

// wildcardSynthesised reports whether m answers for qname from a wildcard
// (RFC 4592): a positive answer whose RRSIG over the RRset at qname has a
// labels field below qname's label count (RFC 4035 section 5.3.2). A
// zone with a wildcard at its apex answers the probe's random name so,
// and that answer is no proof of non-existence to check; the probe then
// asks for a type the wildcard cannot hold (NULL), whose answer is a
// wildcard NODATA with a proof (RFC 4035 section 3.1.3.4, RFC 5155
// section 7.2.5).
func wildcardSynthesised(m *dns.Msg, qname string) bool {
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) == 0 {
		return false
	}
	for _, rr := range m.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok && strings.EqualFold(sig.Hdr.Name, qname) && int(sig.Labels) < dns.CountLabel(qname) {
			return true
		}
	}
	return false
}

// reaskWildcard replaces each denial question a wildcard answered with
// the same name asked for NULL, through ask (one more round trip, for
// zones with a wildcard only).
func reaskWildcard(a *dnssecAnswers, ask func(qname string, qtype uint16) reply) {
	for i, d := range a.denials {
		if d.msg == nil || !wildcardSynthesised(d.msg, d.qname) {
			continue
		}
		a.denials[i] = denialAnswer{qname: d.qname, qtype: dns.TypeNULL}
		if x := ask(d.qname, dns.TypeNULL); x.err == nil {
			a.denials[i].msg = x.msg
		}
	}
}
