package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// The child round: every address of every delegated nameserver is asked,
// all at once, every question the checks need: the SOA and apex NS, the
// addresses of the in-zone nameservers (one address is asked those, to
// compare with the parent's glue) and, when the parent has a DS for the
// zone, the DNSKEY, NSEC3PARAM, CDS and CDNSKEY RRsets, the module's
// records and two questions whose answers must be proofs of non-existence.
// No question waits for another's answer, so a warm probe spends one round
// trip here and a dead address costs one timeout, overlapping the rest.

// serverObs is what one nameserver address answered.
type serverObs struct {
	// result is nil when the probe's budget or deadline cut the SOA
	// question short: the address was not measured.
	result      *ServerResult
	noEDNS      bool   // answered only without EDNS
	apexNSError string // why the apex NS question failed, when it did
	// soa and ns are the DO=1 replies to SOA and NS.
	soa, ns *dns.Msg
	// glue are the address answers for the in-zone nameserver names.
	glue []glueAnswer
	// dnssec is nil when the module does not check DNSSEC.
	dnssec *dnssecAnswers
}

// dnssecAnswers are one address's replies to the DNSSEC questions; a nil
// message is a question that failed.
type dnssecAnswers struct {
	dnskey, nsec3param, cds, cdnskey *dns.Msg
	records                          []recordAnswer
	denials                          []denialAnswer
}

// recordAnswer is the reply to one of the module's records.
type recordAnswer struct {
	owner string
	qtype uint16
	msg   *dns.Msg
}

// denialAnswer is the reply to a question whose answer must be a proof of
// non-existence.
type denialAnswer struct {
	qname string
	qtype uint16
	msg   *dns.Msg
}

// glueAnswer is one address's authoritative answer for an in-zone
// nameserver name, or why there is none.
type glueAnswer struct {
	name     string
	qtype    uint16
	addrs    []netip.Addr
	complete bool
}

// question is one question of the child round and where its reply goes.
type question struct {
	qname string
	qtype uint16
	do    bool
	put   func(reply)
}

// childRound asks every wanted-family address of every nameserver; the
// DNSSEC questions only withDNSSEC (when the parent has a DS for the zone,
// or a trust anchor names it). The first address is also asked the in-zone
// nameservers' addresses; if another answering address turns out to have
// a newer serial, it is asked them after the round (glueFollowUp).
func (r *delegation) childRound(ctx context.Context, zone string, servers []NameServer, glue map[string][]netip.Addr, withDNSSEC bool) []serverObs {
	type target struct {
		name string
		addr netip.Addr
	}
	var targets []target
	for _, ns := range servers {
		for _, a := range ns.Addrs {
			if r.m.wantFamily(a) {
				targets = append(targets, target{ns.Name, a})
			}
		}
	}
	// One random label per probe: a name no cache or zone will have.
	nxName := fmt.Sprintf("dnshealth-%08x.%s", rand.Uint32(), zone)
	glueNames := inZoneGlueNames(zone, r.report.DelegationNS, glue)
	obs := make([]serverObs, len(targets))
	parallel(len(targets), func(i int) {
		var names []string
		if i == 0 {
			names = glueNames
		}
		obs[i] = r.askServer(ctx, zone, targets[i].name, targets[i].addr, nxName, names, withDNSSEC)
	})
	r.glueFollowUp(ctx, obs, glueNames)
	return obs
}

// glueFollowUp asks the answering address with the newest serial for the
// in-zone nameservers' addresses when the address asked in the round is
// not it (it failed, or serves an older serial): a stale secondary's view
// of its own addresses is not the zone's.
func (r *delegation) glueFollowUp(ctx context.Context, obs []serverObs, glueNames []string) {
	if len(glueNames) == 0 || len(obs) == 0 {
		return
	}
	newest := -1
	for i, o := range obs {
		if o.result != nil && o.result.Status == StatusOK && (newest < 0 || serialLess(obs[newest].result.Serial, o.result.Serial)) {
			newest = i
		}
	}
	if newest < 0 || len(obs[newest].glue) > 0 {
		return
	}
	for i := range obs {
		if i != newest && obs[i].result != nil && obs[i].result.Status == StatusOK && obs[i].result.Serial == obs[newest].result.Serial && len(obs[i].glue) > 0 {
			return // the address asked serves the newest serial too
		}
	}
	s := obs[newest].result
	addr := netip.MustParseAddr(s.Address)
	var qs []question
	g := &obs[newest].glue
	for _, name := range glueNames {
		for _, t := range r.m.addrQtypes() {
			i := len(*g)
			*g = append(*g, glueAnswer{name: name, qtype: t})
			qs = append(qs, question{name, t, false, func(x reply) { (*g)[i] = glueFrom(x, name, t) }})
		}
	}
	parallel(len(qs), func(i int) {
		qs[i].put(r.askDO(ctx, s.Nameserver, addr, qs[i].qname, qs[i].qtype, qs[i].do))
	})
}

// inZoneGlueNames are the delegated names inside the zone that the parent
// gave glue for: the zone is asked for their addresses to compare.
func inZoneGlueNames(zone string, delegationNS []string, glue map[string][]netip.Addr) []string {
	var names []string
	for _, n := range delegationNS {
		if fq := dns.Fqdn(n); dns.IsSubDomain(zone, fq) && len(glue[fq]) > 0 {
			names = append(names, fq)
		}
	}
	return names
}

// askServer asks one address every question of the child round at once
// and classifies its SOA answer.
func (r *delegation) askServer(ctx context.Context, zone, name string, addr netip.Addr, nxName string, glueNames []string, withDNSSEC bool) serverObs {
	var o serverObs
	var soa, ns reply
	qs := []question{
		{zone, dns.TypeSOA, true, func(x reply) { soa = x }},
		{zone, dns.TypeNS, true, func(x reply) { ns = x }},
	}
	for _, g := range glueNames {
		for _, t := range r.m.addrQtypes() {
			i := len(o.glue)
			o.glue = append(o.glue, glueAnswer{name: g, qtype: t})
			qs = append(qs, question{g, t, false, func(x reply) { o.glue[i] = glueFrom(x, g, t) }})
		}
	}
	if withDNSSEC {
		o.dnssec = &dnssecAnswers{}
		qs = append(qs, r.dnssecQuestions(zone, nxName, o.dnssec)...)
	}
	parallel(len(qs), func(i int) {
		q := qs[i]
		q.put(r.askDO(ctx, name, addr, q.qname, q.qtype, q.do))
	})
	if o.dnssec != nil {
		reaskWildcard(o.dnssec, func(qname string, qtype uint16) reply { return r.askDO(ctx, name, addr, qname, qtype, true) })
	}
	if errors.Is(soa.err, errBudget) || errors.Is(soa.err, errAborted) {
		return serverObs{}
	}
	s := &ServerResult{Nameserver: name, Address: addr.String(), RTT: soa.rtt, Transport: soa.transport}
	o.result = s
	if soa.err != nil {
		s.Status, s.Detail = classifyError(soa.err), soa.err.Error()
		return serverObs{result: s}
	}
	s.Status, s.Detail, s.Serial = classifySOA(soa.msg, zone)
	if s.Status != StatusOK {
		return serverObs{result: s}
	}
	o.noEDNS, o.soa = soa.noEDNS, soa.msg
	r.apexNS(&o, ns, zone)
	return o
}

// apexNS reads the reply to the apex NS question.
func (r *delegation) apexNS(o *serverObs, ns reply, zone string) {
	switch {
	case errors.Is(ns.err, errBudget), errors.Is(ns.err, errAborted):
	case ns.err != nil:
		o.apexNSError = ns.err.Error()
	case ns.msg.Rcode != dns.RcodeSuccess || !ns.msg.Authoritative:
		o.apexNSError = fmt.Sprintf("rcode %s, aa=%d", dns.RcodeToString[ns.msg.Rcode], b2i(ns.msg.Authoritative))
	default:
		if names := nsNames(ns.msg.Answer, zone); len(names) > 0 {
			o.result.ApexNS = names
			o.ns = ns.msg
		} else {
			o.apexNSError = "no NS records at the apex"
		}
	}
}

// dnssecQuestions are the DNSSEC questions for one address, each putting
// its reply into a.
func (r *delegation) dnssecQuestions(zone, nxName string, a *dnssecAnswers) []question {
	msgOf := func(dst **dns.Msg) func(reply) {
		return func(x reply) {
			if x.err == nil {
				*dst = x.msg
			}
		}
	}
	qs := []question{
		{zone, dns.TypeDNSKEY, true, msgOf(&a.dnskey)},
		{zone, dns.TypeNSEC3PARAM, true, msgOf(&a.nsec3param)},
		{zone, dns.TypeCDS, true, msgOf(&a.cds)},
		{zone, dns.TypeCDNSKEY, true, msgOf(&a.cdnskey)},
	}
	a.records = make([]recordAnswer, len(r.m.Records))
	for i, rec := range r.m.Records {
		owner := rec.Name
		switch {
		case owner == "@":
			owner = zone
		case !dns.IsFqdn(owner):
			owner = strings.ToLower(owner) + "." + zone
		}
		a.records[i] = recordAnswer{owner: owner, qtype: rec.qtype}
		qs = append(qs, question{owner, rec.qtype, true, msgOf(&a.records[i].msg)})
	}
	a.denials = []denialAnswer{{qname: nxName, qtype: dns.TypeA}, {qname: zone, qtype: dns.TypeNULL}}
	for i := range a.denials {
		qs = append(qs, question{a.denials[i].qname, a.denials[i].qtype, true, msgOf(&a.denials[i].msg)})
	}
	return qs
}

// glueFrom reads an authoritative answer for a nameserver's addresses.
func glueFrom(x reply, name string, t uint16) glueAnswer {
	g := glueAnswer{name: name, qtype: t}
	if x.err != nil || !x.msg.Authoritative || (x.msg.Rcode != dns.RcodeSuccess && x.msg.Rcode != dns.RcodeNameError) {
		return g
	}
	g.addrs, _, _ = answerAddrs(x.msg, name, t)
	g.complete = true
	return g
}
