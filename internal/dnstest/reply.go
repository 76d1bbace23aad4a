package dnstest

import (
	"fmt"
	"testing"

	"github.com/miekg/dns"
)

// Table answers from fixed replies keyed by "qname qtype" ("*" for any
// other question), with the AA bit as given. Each record is prefixed
// with its section: "A " answer, "N " authority, "X " additional.
func Table(t testing.TB, aa bool, answers map[string][]string) Handler {
	return func(q *dns.Msg) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(q)
		key := fmt.Sprintf("%s %s", q.Question[0].Name, dns.TypeToString[q.Question[0].Qtype])
		rrs, ok := answers[key]
		if !ok {
			rrs = answers["*"]
		}
		m.Authoritative = aa
		for _, s := range rrs {
			rr := MustRR(t, s[2:])
			switch s[:2] {
			case "A ":
				m.Answer = append(m.Answer, rr)
			case "N ":
				m.Ns = append(m.Ns, rr)
			case "X ":
				m.Extra = append(m.Extra, rr)
			default:
				t.Errorf("dnstest.Table: record %q has no section prefix", s)
			}
		}
		return m
	}
}

// Rcode answers every query with rcode and nothing else.
func Rcode(rcode int) Handler {
	return func(q *dns.Msg) *dns.Msg {
		m := new(dns.Msg)
		m.SetRcode(q, rcode)
		return m
	}
}

// ResolverReply builds a recursive resolver's reply to req: rcode, the
// asked SOA or A RRset when data is set and the rcode is NOERROR, an SOA
// of com. in the authority section for NXDOMAIN, the AD bit, and EDE
// options.
func ResolverReply(t testing.TB, req *dns.Msg, rcode int, ad, data bool, edes ...dns.EDNS0_EDE) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetRcode(req, rcode)
	m.RecursionAvailable = true
	m.AuthenticatedData = ad
	q := req.Question[0]
	if data && rcode == dns.RcodeSuccess {
		switch q.Qtype {
		case dns.TypeSOA:
			m.Answer = append(m.Answer, MustRR(t, q.Name+" 300 IN SOA ns1.example.com. hostmaster.example.com. 2026030101 7200 3600 1209600 300"))
		case dns.TypeA:
			m.Answer = append(m.Answer, MustRR(t, q.Name+" 300 IN A 192.0.2.1"))
		default:
			t.Errorf("stub resolver: unexpected qtype %s", dns.TypeToString[q.Qtype])
		}
	}
	if rcode == dns.RcodeNameError {
		m.Ns = append(m.Ns, MustRR(t, "com. 900 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400"))
	}
	m.SetEdns0(1232, true)
	opt := m.IsEdns0()
	for i := range edes {
		opt.Option = append(opt.Option, &edes[i])
	}
	return m
}
