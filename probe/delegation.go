package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// noReachableAuthority explains why no address answered. When nothing
// could be tried from this host (an unreachable or unprobed family), the
// zone may be fine: that is a notice about the exporter, not an error.
func (r *run) noReachableAuthority(zone string, servers []NameServer) {
	tried, unreachable, skipped := 0, 0, 0
	for _, s := range r.report.Servers {
		if s.Status == StatusFamilyUnreachable {
			unreachable++
		} else {
			tried++
		}
	}
	for _, ns := range servers {
		for _, a := range ns.Addrs {
			if !r.m.wantFamily(a) {
				skipped++
			}
		}
	}
	name := strings.TrimSuffix(zone, ".")
	switch {
	case tried > 0:
		r.addFinding(CheckNoReachableAuthority, "", "", "none of the %d nameserver addresses tried answered authoritatively for %s: resolvers cannot resolve anything in it and answer SERVFAIL", tried, name)
	case unreachable > 0 || skipped > 0:
		r.addFinding(CheckFamilyUnreachable, "", "", "no nameserver address of %s could be tried from this host (%d in an unreachable address family, %d outside ip_protocol %s): its delegation was not checked", name, unreachable, skipped, r.m.IPProtocol)
	default:
		r.addFinding(CheckNoReachableAuthority, "", "", "no delegated nameserver of %s has an address: resolvers cannot reach it and answer SERVFAIL", name)
	}
}

func (r *run) budgetExhausted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.budgetHit
}

// isCut decides from the walk's last reply whether zone is delegated,
// raising not_a_zone when it is not.
func (r *run) isCut(zone string, res iterResult) bool {
	switch res.kind {
	case outCut:
		return true
	case outNXDomain:
		r.addFinding(CheckNotAZone, "", "", "%s does not exist: the servers of %s answer NXDOMAIN", strings.TrimSuffix(zone, "."), zoneLabel(soaOwner(res.msg, res.zone.zone)))
		return false
	}
	// An authoritative answer from the parent's servers: they also serve
	// the child (an NS RRset at the name), or the name is inside their zone.
	if len(nsNames(res.msg.Answer, zone)) > 0 {
		return true
	}
	for _, rr := range res.msg.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, zone) {
			r.addFinding(CheckNotAZone, "", "", "%s is an alias (CNAME to %s), not a zone", strings.TrimSuffix(zone, "."), c.Target)
			return false
		}
	}
	r.addFinding(CheckNotAZone, "", "", "%s is a name inside zone %s, not a delegated zone: it has no NS records", strings.TrimSuffix(zone, "."), zoneLabel(soaOwner(res.msg, res.zone.zone)))
	return false
}

func soaOwner(m *dns.Msg, fallback string) string {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return strings.ToLower(soa.Hdr.Name)
		}
	}
	return fallback
}

// checkParent asks every parent server address for the delegation and
// returns the union of the glue they gave.
// The walk's own last reply stands for the server that sent it.
func (r *run) checkParent(ctx context.Context, zone string, parent zoneServers, walked iterResult) map[string][]netip.Addr {
	obs := r.askParents(ctx, zone, r.parentTargets(ctx, parent), walked)
	for _, o := range obs {
		d := o.ds
		if d.msg != nil || (d.err != nil && !errors.Is(d.err, errBudget) && !errors.Is(d.err, errAborted)) {
			r.parentDS = append(r.parentDS, d)
		}
	}
	v := judgeParents(zone, obs)
	r.report.ParentServers = append(r.report.ParentServers, v.servers...)
	r.report.DelegationNS = v.delegationNS
	r.record(v.findings)
	return v.glue
}

// parentTarget is one address of one server of the parent zone.
type parentTarget struct {
	name string
	addr netip.Addr
}

// parentTargets lists the parent servers' addresses of the wanted families.
func (r *run) parentTargets(ctx context.Context, parent zoneServers) []parentTarget {
	var targets []parentTarget
	for _, ns := range parent.servers {
		addrs := ns.Addrs
		if len(addrs) == 0 {
			addrs = r.lookupAddrs(ctx, ns.Name, 1, false)
		}
		for _, a := range addrs {
			if r.m.wantFamily(a) {
				targets = append(targets, parentTarget{ns.Name, a})
			}
		}
	}
	return targets
}

// parentObs is what one parent server address said about the delegation.
type parentObs struct {
	ps       ParentServer
	glue     map[string][]netip.Addr
	measured bool // false when the budget or the deadline cut it short
	ds       dsReply
}

// askParents asks every parent server address for the delegation (and,
// with DNSSEC, for the DS RRset), in parallel.
func (r *run) askParents(ctx context.Context, zone string, targets []parentTarget, walked iterResult) []parentObs {
	obs := make([]parentObs, len(targets))
	parallel(len(targets), func(i int) {
		t := targets[i]
		ps := ParentServer{Nameserver: strings.TrimSuffix(t.name, "."), Address: t.addr.String()}
		// The DS RRset (or the proof there is none) lives at the parent;
		// each parent server is asked, as each is asked for the NS set.
		if r.m.dnssecEnabled() {
			dsRep := r.askDO(ctx, t.name, t.addr, zone, dns.TypeDS, true)
			obs[i].ds = dsReply{nameserver: ps.Nameserver, address: ps.Address, msg: dsRep.msg, err: dsRep.err}
		}
		var rep reply
		if t.addr == walked.from && walked.msg != nil {
			rep = reply{msg: walked.msg}
		} else {
			rep = r.ask(ctx, t.name, t.addr, zone, dns.TypeNS)
		}
		switch {
		case errors.Is(rep.err, errBudget), errors.Is(rep.err, errAborted):
			return
		case rep.err != nil:
			ps.Detail = fmt.Sprintf("%s: %v", classifyError(rep.err), rep.err)
		default:
			names, glue, why := delegationFrom(rep.msg, zone)
			if why != "" {
				ps.Detail = why
				break
			}
			ps.OK, ps.NS = true, trimAll(names)
			ps.Glue = map[string][]string{}
			for n, as := range glue {
				ps.Glue[strings.TrimSuffix(n, ".")] = addrStrings(as)
			}
			obs[i].glue = glue
		}
		obs[i].ps, obs[i].measured = ps, true
	})
	return obs
}

// delegationFrom extracts the NS names and glue a parent server gave for
// zone: a referral, or an authoritative NS answer from a server that also
// serves the child.
func delegationFrom(m *dns.Msg, zone string) ([]string, map[string][]netip.Addr, string) {
	var names []string
	switch {
	case m.Rcode == dns.RcodeNameError:
		return nil, nil, "NXDOMAIN: the parent says the zone does not exist"
	case m.Rcode != dns.RcodeSuccess:
		return nil, nil, "rcode " + dns.RcodeToString[m.Rcode]
	case len(m.Answer) > 0:
		names = nsNames(m.Answer, zone)
	default:
		names = nsNames(m.Ns, zone)
	}
	if len(names) == 0 {
		if owner, ok := referralOwner(m); ok {
			return nil, nil, "referral to " + zoneLabel(owner) + " instead of the delegation"
		}
		return nil, nil, "no NS records for the zone in the reply"
	}
	return names, glueFor(m.Extra, names), ""
}

// describeDelegation is what parent servers must agree on: the NS set and
// the in-domain glue. Glue for names outside the zone (sibling glue) is
// optional (RFC 9471 section 2), so servers may differ in it.
func describeDelegation(p *ParentServer, zone string) string {
	s := "NS [" + strings.Join(p.NS, " ") + "]"
	var g []string
	for n, as := range p.Glue {
		if !dns.IsSubDomain(zone, dns.Fqdn(n)) {
			continue
		}
		g = append(g, n+"="+strings.Join(as, ","))
	}
	sort.Strings(g)
	if len(g) > 0 {
		s += " glue [" + strings.Join(g, " ") + "]"
	}
	return s
}

// nsAddresses finds the addresses of every delegated nameserver: glue for
// names inside the zone, iterative resolution for the rest.
func (r *run) nsAddresses(ctx context.Context, zone string, glue map[string][]netip.Addr) []NameServer {
	rep := r.report
	servers := make([]NameServer, len(rep.DelegationNS))
	parallel(len(rep.DelegationNS), func(i int) {
		name := dns.Fqdn(rep.DelegationNS[i])
		servers[i].Name = name
		if dns.IsSubDomain(zone, name) {
			servers[i].Addrs = glue[name]
			if len(servers[i].Addrs) == 0 {
				r.addFinding(CheckGlueMissing, name, "",
					"%s is inside %s, so resolvers need glue for it, but no parent server gave any", strings.TrimSuffix(name, "."), strings.TrimSuffix(zone, "."))
			}
			return
		}
		addrs, why := r.resolveAddrs(ctx, name, 1, false)
		if len(addrs) == 0 && !r.aborted() && !r.budgetExhausted() {
			r.addFinding(CheckNSUnresolvable, name, "", "nameserver %s has no address (looked up %s): %s", strings.TrimSuffix(name, "."), r.m.addrTypes(), why)
		}
		servers[i].Addrs = addrs
	})
	rep.NSAddresses = map[string][]string{}
	for _, s := range servers {
		rep.NSAddresses[strings.TrimSuffix(s.Name, ".")] = addrStrings(s.Addrs)
	}
	return servers
}

// checkServers queries every address of every nameserver in parallel.
func (r *run) checkServers(ctx context.Context, zone string, servers []NameServer) {
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
	results := make([]*ServerResult, len(targets))
	parallel(len(targets), func(i int) {
		results[i] = r.checkServer(ctx, zone, targets[i].name, targets[i].addr)
	})
	for _, s := range results {
		if s == nil {
			continue
		}
		r.report.Servers = append(r.report.Servers, *s)
		switch {
		case s.Status == StatusFamilyUnreachable:
			r.addFinding(CheckFamilyUnreachable, s.Nameserver, s.Address,
				"the exporter's host cannot reach this address family, so this address was not tried: %s", s.Detail)
		case s.Status.Lame():
			r.addFinding(lameCheck[s.Status], s.Nameserver, s.Address, "lame for %s: %s", strings.TrimSuffix(zone, "."), s.Detail)
		}
		if s.noEDNS {
			r.addFinding(CheckEDNSUnsupported, s.Nameserver, s.Address,
				"answers FORMERR or NOTIMP to EDNS0 queries and only works without EDNS; resolvers have stopped working around this since DNS Flag Day 2019")
		}
		if s.apexNSError != "" {
			r.addFinding(CheckApexNSUnavailable, s.Nameserver, s.Address, "serves the SOA of %s but not its apex NS set: %s", strings.TrimSuffix(zone, "."), s.apexNSError)
		}
	}
}

// checkServer asks one address for the zone's SOA and, if it answers
// authoritatively, for the apex NS set. nil means the probe ran out of
// time or budget before measuring it.
func (r *run) checkServer(ctx context.Context, zone, name string, addr netip.Addr) *ServerResult {
	s := &ServerResult{Nameserver: strings.TrimSuffix(name, "."), Address: addr.String()}
	rep := r.askSOANSID(ctx, name, addr, zone)
	if errors.Is(rep.err, errBudget) || errors.Is(rep.err, errAborted) {
		return nil
	}
	s.RTT, s.Transport = rep.rtt, rep.transport
	s.NSID = replyNSID(rep.msg)
	if rep.err != nil {
		s.Status, s.Detail = classifyError(rep.err), rep.err.Error()
		return s
	}
	s.Status, s.Detail, s.Serial = classifySOA(rep.msg, zone)
	if s.Status != StatusOK {
		return s
	}
	s.noEDNS = rep.noEDNS
	s.soa = rep.msg
	nsRep := r.askDO(ctx, name, addr, zone, dns.TypeNS, true)
	switch {
	case errors.Is(nsRep.err, errBudget), errors.Is(nsRep.err, errAborted):
	case nsRep.err != nil:
		s.apexNSError = nsRep.err.Error()
	case nsRep.msg.Rcode != dns.RcodeSuccess || !nsRep.msg.Authoritative:
		s.apexNSError = fmt.Sprintf("rcode %s, aa=%d", dns.RcodeToString[nsRep.msg.Rcode], b2i(nsRep.msg.Authoritative))
	default:
		if ns := nsNames(nsRep.msg.Answer, zone); len(ns) > 0 {
			s.ApexNS = trimAll(ns)
			s.ns = nsRep.msg
		} else {
			s.apexNSError = "no NS records at the apex"
		}
	}
	return s
}

// classifySOA decides what a reply to "zone SOA" says about the server.
func classifySOA(m *dns.Msg, zone string) (Status, string, uint32) {
	switch m.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeRefused:
		return StatusRefused, "answered REFUSED: the server is not configured for the zone", 0
	case dns.RcodeServerFailure:
		return StatusServfail, "answered SERVFAIL: the server has the zone configured but cannot serve it (expired or failed to load)", 0
	case dns.RcodeNameError:
		if m.Authoritative {
			return StatusWrongZone, fmt.Sprintf("answered NXDOMAIN from zone %s: the server does not have the zone", zoneLabel(soaOwner(m, "?"))), 0
		}
		return StatusNotAuthoritative, "answered NXDOMAIN without the AA bit", 0
	default:
		return StatusMalformed, "answered rcode " + dns.RcodeToString[m.Rcode], 0
	}
	for _, rr := range m.Answer {
		switch v := rr.(type) {
		case *dns.SOA:
			if !strings.EqualFold(v.Hdr.Name, zone) {
				return StatusWrongZone, "answered with the SOA of " + zoneLabel(strings.ToLower(v.Hdr.Name)), 0
			}
			if !m.Authoritative {
				return StatusNotAuthoritative, "answered the SOA without the AA bit (a cache or a recursive resolver, not the zone's server)", 0
			}
			return StatusOK, "", v.Serial
		case *dns.CNAME:
			return StatusWrongZone, "answered with a CNAME for the zone name", 0
		}
	}
	if owner, ok := referralOwner(m); ok {
		switch {
		case owner == zone:
			return StatusReferral, "answered with a referral to the zone itself, as a parent would: it does not serve the zone", 0
		case dns.IsSubDomain(owner, zone):
			return StatusUpwardReferral, "answered with a referral up to " + zoneLabel(owner), 0
		default:
			return StatusReferral, "answered with a referral to " + zoneLabel(owner), 0
		}
	}
	if !m.Authoritative {
		return StatusNotAuthoritative, "answered without the AA bit and without the SOA", 0
	}
	if owner := soaOwner(m, ""); owner != "" && owner != zone {
		return StatusWrongZone, "answered NODATA from zone " + zoneLabel(owner), 0
	}
	return StatusMalformed, "answered authoritatively but with no SOA at the zone apex", 0
}

func (r *run) okServers() []ServerResult {
	var out []ServerResult
	for _, s := range r.report.Servers {
		if s.Status == StatusOK {
			out = append(out, s)
		}
	}
	return out
}

func (r *run) okCount() int { return len(r.okServers()) }

// compareSerials checks that every server serves the same SOA serial,
// naming each one behind the newest (RFC 1982 comparison).
func (r *run) compareSerials() {
	c, fs := judgeSerials(r.report.Servers)
	if c != nil {
		r.report.SerialConsistent = c
	}
	r.record(fs)
}

// serialLess is RFC 1982 serial number arithmetic: a < b.
func serialLess(a, b uint32) bool {
	return a != b && int32(b-a) > 0
}

// compareNS checks the parent's NS set against each server's apex NS set.
func (r *run) compareNS() {
	c, fs := judgeNS(r.report.DelegationNS, r.report.Servers)
	if c != nil {
		r.report.NSConsistent = c
	}
	r.record(fs)
}

// minus returns the members of a that are not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// compareGlue asks one authoritative server for the addresses of each
// in-bailiwick nameserver and compares them with the parent's glue.
func (r *run) compareGlue(ctx context.Context, zone string, glue map[string][]netip.Addr) {
	ok := r.okServers()
	if len(ok) == 0 {
		return
	}
	// Ask the server with the newest serial: a stale secondary's view of
	// its own addresses is not the zone's.
	src := ok[0]
	for _, s := range ok[1:] {
		if serialLess(src.Serial, s.Serial) {
			src = s
		}
	}
	srcAddr := netip.MustParseAddr(src.Address)
	var names []string
	for _, n := range r.report.DelegationNS {
		if fq := dns.Fqdn(n); dns.IsSubDomain(zone, fq) && len(glue[fq]) > 0 {
			names = append(names, fq)
		}
	}
	if len(names) == 0 {
		return
	}
	types := r.m.addrQtypes()
	consistent := true
	measured := false
	for _, name := range names {
		var child []netip.Addr
		complete := true
		for _, t := range types {
			rep := r.ask(ctx, src.Nameserver, srcAddr, name, t)
			if rep.err != nil || !rep.msg.Authoritative || (rep.msg.Rcode != dns.RcodeSuccess && rep.msg.Rcode != dns.RcodeNameError) {
				complete = false
				break
			}
			a, _, _ := answerAddrs(rep.msg, name, t)
			child = append(child, a...)
		}
		if !complete {
			continue
		}
		measured = true
		sortAddrs(child)
		var parentGlue []netip.Addr
		for _, a := range glue[name] {
			if r.m.wantFamily(a) {
				parentGlue = append(parentGlue, a)
			}
		}
		if !slices.Equal(child, parentGlue) {
			consistent = false
			r.addFinding(CheckGlueMismatch, name, "", "parent glue for %s is [%s] but the zone (asked at %s) says [%s]",
				strings.TrimSuffix(name, "."), strings.Join(addrStrings(parentGlue), " "), src.Address, strings.Join(addrStrings(child), " "))
		}
	}
	if measured {
		r.report.GlueConsistent = &consistent
	}
}

// parallel runs f(0..n-1) with at most maxParallel at once.
func parallel(n int, f func(int)) {
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

func trimAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
