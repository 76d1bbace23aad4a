package probe

import (
	"context"
	"encoding/hex"
	"net/netip"

	"github.com/miekg/dns"
)

// maxNSIDText bounds the NSID kept from one reply, in characters: it
// becomes a label value, and RFC 5001 puts no bound on the payload but
// the message's.
const maxNSIDText = 64

// askSOANSID asks addr for the zone's SOA with DO=1, as askDO does, and
// asks for the server's NSID in the same query (RFC 5001 section 2.1: an
// empty NSID option in the OPT record). It costs no extra query; a server
// that does not implement NSID ignores the option (RFC 5001 section 2.1,
// RFC 6891 section 6.1.2).
func (r *wire) askSOANSID(ctx context.Context, nsName string, addr netip.Addr, zone string) reply {
	q := newQuestion(zone, dns.TypeSOA)
	q.RecursionDesired = false
	q.SetEdns0(r.m.EDNSBufferSize, true)
	opt := q.IsEdns0()
	opt.Option = append(opt.Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID})
	return r.askEDNS(ctx, nsName, addr, q)
}

// replyNSID is the NSID in a reply, as NSIDText renders it; "" when the
// reply has none.
func replyNSID(m *dns.Msg) string {
	if m == nil {
		return ""
	}
	opt := m.IsEdns0()
	if opt == nil {
		return ""
	}
	for _, o := range opt.Option {
		if n, ok := o.(*dns.EDNS0_NSID); ok {
			b, err := hex.DecodeString(n.Nsid)
			if err != nil || len(b) == 0 {
				return ""
			}
			return NSIDText(b)
		}
	}
	return ""
}

// NSIDText renders an NSID payload for people and labels: as text when
// every byte is printable ASCII (BIND's server-id and NSD's nsid are
// usually host names), else as "0x" and hex, the way dig prints it; cut to
// 64 characters, with "…" at the end when cut.
func NSIDText(b []byte) string {
	s := string(b)
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			s = "0x" + hex.EncodeToString(b)
			break
		}
	}
	if len(s) > maxNSIDText {
		s = s[:maxNSIDText-1] + "…"
	}
	return s
}
