package lab

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size the lab's servers advertise.
const ednsSize = 1232

// maxCNAMEChain bounds CNAME chasing inside one zone.
const maxCNAMEChain = 8

// zone is one parsed copy of a zone. It is immutable once parsed, so any
// number of servers may share it.
type zone struct {
	origin string
	soa    *dns.SOA
	// nodes holds every owner name in the zone, lower case, plus the empty
	// non-terminals between them and the apex (nodes with no RRsets).
	nodes map[string]*node
	// sec is the zone's signatures and denial chain; nil when unsigned.
	sec *zoneSec
}

// node is the data at one owner name.
type node struct {
	rrsets map[uint16][]dns.RR
}

func (n *node) isCut(origin, name string) bool {
	return name != origin && len(n.rrsets[dns.TypeNS]) > 0
}

// parseZone parses master-file text for origin. Every record must be inside
// the zone and the apex must have a SOA and NS records.
func parseZone(origin, text string) (*zone, error) {
	origin = strings.ToLower(dns.Fqdn(origin))
	z := &zone{origin: origin, nodes: map[string]*node{}}
	zp := dns.NewZoneParser(strings.NewReader(text), origin, origin)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if err := z.insert(rr); err != nil {
			return nil, err
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("zone %s: %w", origin, err)
	}
	if z.soa == nil {
		return nil, fmt.Errorf("zone %s: no SOA at the apex", origin)
	}
	if len(z.nodes[origin].rrsets[dns.TypeNS]) == 0 {
		return nil, fmt.Errorf("zone %s: no NS records at the apex", origin)
	}
	return z, nil
}

// node returns the node for name, creating it and the empty non-terminals
// above it.
func (z *zone) node(name string) *node {
	n, ok := z.nodes[name]
	if !ok {
		n = &node{rrsets: map[uint16][]dns.RR{}}
		z.nodes[name] = n
		if name != z.origin {
			z.node(parentName(name))
		}
	}
	return n
}

// parentName strips the first label of a fully qualified name.
func parentName(name string) string {
	if i, end := dns.NextLabel(name, 0); !end {
		return name[i:]
	}
	return "."
}

// apexNS returns the zone's apex NS RRset.
func (z *zone) apexNS() []dns.RR { return z.nodes[z.origin].rrsets[dns.TypeNS] }

// negativeSOA is the SOA for the authority section of NXDOMAIN and NODATA
// answers, its TTL capped by the SOA minimum (RFC 2308).
func (z *zone) negativeSOA() dns.RR {
	soa := dns.Copy(z.soa).(*dns.SOA)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return soa
}

// findCut returns the topmost zone cut at or above qname, or "" when qname
// is not delegated away. A DS query for the cut name itself belongs to this
// zone (the parent side of the cut), so the cut at qname does not count.
func (z *zone) findCut(qname string, qtype uint16) string {
	var chain []string // qname and its ancestors below the apex, deepest first
	for name := qname; name != z.origin; name = parentName(name) {
		chain = append(chain, name)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		name := chain[i]
		n := z.nodes[name]
		if n == nil {
			return ""
		}
		if n.isCut(z.origin, name) && !(name == qname && qtype == dns.TypeDS) {
			return name
		}
	}
	return ""
}

// addresses returns copies of the A and AAAA records at name, if the zone
// holds any (authoritative data or glue).
func (z *zone) addresses(name string) []dns.RR {
	n := z.nodes[name]
	if n == nil {
		return nil
	}
	var out []dns.RR
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		out = append(out, copyRRs(n.rrsets[t])...)
	}
	return out
}

// referral fills m with a referral to the zone cut at cut: NS records in the
// authority section and glue for in-bailiwick nameserver names. With do
// (and a signed zone) the authority section also carries the DS RRset, or
// the NSEC or NSEC3 record that proves there is none.
func (z *zone) referral(m *dns.Msg, cut string, do bool) {
	m.Authoritative = false
	nsset := z.nodes[cut].rrsets[dns.TypeNS]
	m.Ns = append(m.Ns, copyRRs(nsset)...)
	if do && z.sec != nil {
		if ds := z.nodes[cut].rrsets[dns.TypeDS]; len(ds) > 0 {
			m.Ns = append(m.Ns, copyRRs(ds)...)
		} else {
			m.Ns = append(m.Ns, z.noDSProof(cut)...)
		}
	}
	for _, rr := range nsset {
		if target := rr.(*dns.NS).Ns; dns.IsSubDomain(cut, target) {
			m.Extra = append(m.Extra, z.addresses(target)...)
		}
	}
}

// answer fills m with the zone's answer to (qname, qtype): a referral, an
// authoritative answer, NODATA or NXDOMAIN. With do (the query's DO bit)
// a signed zone adds the RRSIGs over every RRset in the answer and
// authority sections, the DS or no-DS proof to referrals, and the NSEC or
// NSEC3 proof to negative answers.
func (z *zone) answer(m *dns.Msg, qname string, qtype uint16, do bool) {
	do = do && z.sec != nil
	z.lookup(m, qname, qtype, do)
	if do {
		m.Answer = z.withSigs(m.Answer)
		m.Ns = z.withSigs(m.Ns)
	}
}

// lookup is answer without the RRSIGs.
func (z *zone) lookup(m *dns.Msg, qname string, qtype uint16, do bool) {
	if cut := z.findCut(qname, qtype); cut != "" {
		z.referral(m, cut, do)
		return
	}
	m.Authoritative = true
	seen := map[string]bool{}
	for range maxCNAMEChain {
		seen[qname] = true
		n := z.nodes[qname]
		if n == nil && z.wildcardAnswer(m, qname, qtype, do) {
			return
		}
		if n == nil {
			m.Rcode = dns.RcodeNameError
			m.Ns = append(m.Ns, z.negativeSOA())
			if do {
				m.Ns = append(m.Ns, z.nxdomainProof(qname)...)
			}
			return
		}
		if qtype == dns.TypeANY && len(n.rrsets) > 0 {
			types := make([]uint16, 0, len(n.rrsets))
			for t := range n.rrsets {
				types = append(types, t)
			}
			slices.Sort(types)
			for _, t := range types {
				m.Answer = append(m.Answer, copyRRs(n.rrsets[t])...)
			}
			return
		}
		if qtype == dns.TypeRRSIG {
			if sigs := z.sigsAt(qname); len(sigs) > 0 {
				m.Answer = append(m.Answer, sigs...)
				return
			}
		}
		if rrs := n.rrsets[qtype]; len(rrs) > 0 {
			m.Answer = append(m.Answer, copyRRs(rrs)...)
			if qtype == dns.TypeNS {
				for _, rr := range rrs {
					if target := rr.(*dns.NS).Ns; dns.IsSubDomain(z.origin, target) {
						m.Extra = append(m.Extra, z.addresses(target)...)
					}
				}
			}
			return
		}
		cname := n.rrsets[dns.TypeCNAME]
		if len(cname) == 0 {
			m.Ns = append(m.Ns, z.negativeSOA()) // NODATA
			if do {
				m.Ns = append(m.Ns, z.nodataProof(qname)...)
			}
			return
		}
		// Follow the CNAME while it stays inside the zone and above any cut.
		m.Answer = append(m.Answer, copyRRs(cname)...)
		target := cname[0].(*dns.CNAME).Target
		if !dns.IsSubDomain(z.origin, target) || seen[target] || z.findCut(target, qtype) != "" {
			return
		}
		qname = target
	}
}

// wildcardAnswer answers for qname, which does not exist, from the
// wildcard at its closest encloser when there is one (RFC 4592; RFC 4035
// section 3.1.3.3 for the proofs, NSEC zones only): the wildcard's records
// with qname as owner and the wildcard's own RRSIGs (their labels field
// tells validators the answer was synthesised), and with do the NSEC that
// covers qname; or, when the wildcard lacks qtype, a wildcard NODATA with
// that NSEC and the wildcard's own. It reports whether it answered.
func (z *zone) wildcardAnswer(m *dns.Msg, qname string, qtype uint16, do bool) bool {
	encloser, _ := z.closestEncloser(qname)
	wc := childName("*", encloser)
	w := z.nodes[wc]
	if w == nil || (z.sec != nil && z.sec.nsec3 != nil) {
		return false
	}
	rrs := w.rrsets[qtype]
	if len(rrs) == 0 {
		rrs = w.rrsets[dns.TypeCNAME]
	}
	if len(rrs) == 0 {
		m.Ns = append(m.Ns, z.negativeSOA()) // wildcard NODATA
		if do {
			m.Ns = append(m.Ns, dedupe([]dns.RR{z.nsecFor(qname), z.nsecFor(wc)})...)
		}
		return true
	}
	for _, rr := range copyRRs(rrs) {
		rr.Header().Name = qname
		m.Answer = append(m.Answer, rr)
	}
	if do {
		for _, sig := range z.sec.sigs[rrKey{wc, rrs[0].Header().Rrtype}] {
			sig = dns.Copy(sig)
			sig.Header().Name = qname
			m.Answer = append(m.Answer, sig)
		}
		m.Ns = append(m.Ns, z.nsecFor(qname))
	}
	return true
}

func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// server is the handler behind one lab address (UDP and TCP).
type server struct {
	addr      string
	name      string
	behaviour behaviour
	zones     []*zone // zones this address serves
	// rootNS and rootGlue make the upward referral; wrongSOA is the test.
	// SOA that the wrongzone behaviour answers with.
	rootNS   []dns.RR
	rootGlue []dns.RR
	wrongSOA dns.RR
	logger   *slog.Logger
	// The scale hierarchy's (scale.go): its zones by origin, the delay
	// before every reply, and a counter of the queries received.
	index   map[string]*zone
	delay   time.Duration
	queries *atomic.Int64
}

// enclosing returns the served zones that contain qname, closest first.
func (s *server) enclosing(qname string) []*zone {
	var out []*zone
	for _, z := range s.zones {
		if dns.IsSubDomain(z.origin, qname) {
			out = append(out, z)
		}
	}
	slices.SortFunc(out, func(a, b *zone) int {
		return dns.CountLabel(b.origin) - dns.CountLabel(a.origin)
	})
	return out
}

// zoneFor picks the zone that answers (qname, qtype): the closest enclosing
// one, except that a DS query at a zone's apex goes to the parent zone when
// this server serves that too. It returns nil when none encloses qname.
func (s *server) zoneFor(qname string, qtype uint16) *zone {
	if s.index != nil {
		return s.indexedZone(qname, qtype)
	}
	zs := s.enclosing(qname)
	switch {
	case len(zs) == 0:
		return nil
	case qtype == dns.TypeDS && zs[0].origin == qname && len(zs) > 1:
		return zs[1]
	default:
		return zs[0]
	}
}

// ServeDNS implements dns.Handler.
func (s *server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if s.queries != nil {
		s.queries.Add(1)
	}
	udp := w.LocalAddr().Network() == "udp"
	m := s.reply(req, udp)
	if m == nil {
		s.log(req, udp, "dropped")
		return
	}
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	if udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = max(size, int(opt.UDPSize()))
		}
		m.Truncate(size)
	}
	s.log(req, udp, dns.RcodeToString[m.Rcode])
	if err := w.WriteMsg(m); err != nil {
		s.logger.Debug("lab: write failed", "addr", s.addr, "err", err)
	}
}

func (s *server) log(req *dns.Msg, udp bool, outcome string) {
	if !s.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	transport := "tcp"
	if udp {
		transport = "udp"
	}
	q := dns.Question{Name: "?", Qtype: 0}
	if len(req.Question) > 0 {
		q = req.Question[0]
	}
	s.logger.Debug("lab query", "server", s.name, "addr", s.addr, "transport", transport,
		"qname", q.Name, "qtype", dns.TypeToString[q.Qtype], "behaviour", s.behaviour.String(), "result", outcome)
}

// reply builds the response to req, or returns nil when the server should
// stay silent.
func (s *server) reply(req *dns.Msg, udp bool) *dns.Msg {
	if s.behaviour == drop {
		return nil
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Compress = true
	opt := req.IsEdns0()
	switch {
	case len(req.Question) != 1:
		m.Rcode = dns.RcodeFormatError
	case opt != nil && s.behaviour == noEDNS:
		m.Rcode = dns.RcodeFormatError
		return m // an EDNS-unaware server sends no OPT back
	case opt != nil && opt.Version() != 0:
		m.Rcode = dns.RcodeBadVers
	default:
		s.respond(m, req.Question[0], udp, opt != nil && opt.Do())
	}
	if opt != nil {
		// After the other additional records: OPT goes last.
		m.SetEdns0(ednsSize, opt.Do())
	}
	return m
}

// respond fills in the reply m to question q, according to the address's
// behaviour. do is the query's DO bit.
func (s *server) respond(m *dns.Msg, q dns.Question, udp, do bool) {
	qname := strings.ToLower(q.Name)
	switch s.behaviour {
	case refuse:
		m.Rcode = dns.RcodeRefused
		return
	case servfail:
		m.Rcode = dns.RcodeServerFailure
		return
	case upward:
		m.Ns = copyRRs(s.rootNS)
		m.Extra = copyRRs(s.rootGlue)
		return
	case selfReferral:
		if z := s.zoneFor(qname, q.Qtype); z != nil {
			z.referral(m, z.origin, false)
		} else {
			m.Rcode = dns.RcodeRefused
		}
		return
	case wrongZone:
		m.Authoritative = true
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{dns.Copy(s.wrongSOA)}
		return
	case malformed:
		m.Question[0].Name = "garbage.invalid."
		return
	case truncateUDP:
		if udp {
			m.Truncated = true
			return
		}
	case refuseNS:
		if q.Qtype == dns.TypeNS {
			m.Rcode = dns.RcodeRefused
			return
		}
	}

	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		m.Rcode = dns.RcodeRefused
		return
	}
	switch q.Qtype {
	case dns.TypeAXFR, dns.TypeIXFR, dns.TypeMAILA, dns.TypeMAILB:
		m.Rcode = dns.RcodeRefused // no zone transfers
		return
	}
	z := s.zoneFor(qname, q.Qtype)
	if z == nil {
		m.Rcode = dns.RcodeRefused
		return
	}
	z.answer(m, qname, q.Qtype, do)
	if s.behaviour == noAA {
		m.Authoritative = false
	}
}
