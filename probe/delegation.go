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

// delegation is the run observing the delegation: the parent's view of it
// and the nameservers' addresses.
type delegation struct{ *run }

// noReachableAuthority judges why no address answered. When nothing
// could be tried from this host (an unreachable or unprobed family), the
// zone may be fine: that is a notice about the exporter, not an error.
func noReachableAuthority(zone string, results []ServerResult, servers []NameServer, m *Module) raised {
	tried, unreachable, skipped := 0, 0, 0
	for _, s := range results {
		if s.Status == StatusFamilyUnreachable {
			unreachable++
		} else {
			tried++
		}
	}
	for _, ns := range servers {
		for _, a := range ns.Addrs {
			if !m.wantFamily(a) {
				skipped++
			}
		}
	}
	name := strings.TrimSuffix(zone, ".")
	switch {
	case tried > 0:
		return raise(CheckNoReachableAuthority, "", "", "none of the %d nameserver addresses tried answered authoritatively for %s: resolvers cannot resolve anything in it and answer SERVFAIL", tried, name)
	case unreachable > 0 || skipped > 0:
		return raise(CheckFamilyUnreachable, "", "", "no nameserver address of %s could be tried from this host (%d in an unreachable address family, %d outside ip_protocol %s): its delegation was not checked", name, unreachable, skipped, m.IPProtocol)
	default:
		return raise(CheckNoReachableAuthority, "", "", "no delegated nameserver of %s has an address: resolvers cannot reach it and answer SERVFAIL", name)
	}
}

// judgeCut decides from the walk's last reply whether zone is delegated;
// when it is not, the not_a_zone finding says why.
func judgeCut(zone string, res iterResult) (bool, []raised) {
	switch res.kind {
	case outCut:
		return true, nil
	case outNXDomain:
		return false, []raised{raise(CheckNotAZone, "", "", "%s does not exist: the servers of %s answer NXDOMAIN", strings.TrimSuffix(zone, "."), zoneLabel(soaOwner(res.msg, res.zone.zone)))}
	}
	// An authoritative answer from the parent's servers: they also serve
	// the child (an NS RRset at the name), or the name is inside their zone.
	if len(nsNames(res.msg.Answer, zone)) > 0 {
		return true, nil
	}
	for _, rr := range res.msg.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, zone) {
			return false, []raised{raise(CheckNotAZone, "", "", "%s is an alias (CNAME to %s), not a zone", strings.TrimSuffix(zone, "."), c.Target)}
		}
	}
	return false, []raised{raise(CheckNotAZone, "", "", "%s is a name inside zone %s, not a delegated zone: it has no NS records", strings.TrimSuffix(zone, "."), zoneLabel(soaOwner(res.msg, res.zone.zone)))}
}

func soaOwner(m *dns.Msg, fallback string) string {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return strings.ToLower(soa.Hdr.Name)
		}
	}
	return fallback
}

// checkParent asks every parent server address for the delegation, or
// takes the answers an early parent round already has, and returns the
// union of the glue they gave and their replies to the DS question. The
// walk's own last reply stands for the server that sent it.
func (r *delegation) checkParent(ctx context.Context, zone string, parent zoneServers, walked iterResult, early *parentRound) (map[string][]netip.Addr, []dsReply) {
	var obs []parentObs
	if early != nil && early.zone == parent.zone {
		obs = early.wait()
	} else {
		obs = r.askParents(ctx, zone, r.parentTargets(ctx, parent), walked)
	}
	var ds []dsReply
	for _, o := range obs {
		d := o.ds
		if d.msg != nil || (d.err != nil && !errors.Is(d.err, errBudget) && !errors.Is(d.err, errAborted)) {
			ds = append(ds, d)
		}
	}
	v := judgeParents(zone, obs)
	r.report.ParentServers = append(r.report.ParentServers, v.servers...)
	r.report.DelegationNS = v.delegationNS
	r.record(v.findings)
	return v.glue, ds
}

// parentRound is a parent round sent before the walk has confirmed which
// zone is the parent: to the deepest cut the cache knows above the target,
// which for a warm cache almost always is the parent. It saves the walk's
// round trip; when the walk finds another parent, its answers are unused.
type parentRound struct {
	zone string
	done chan struct{}
	obs  []parentObs
}

// startParentRound sends the parent round to guess's servers.
func (r *delegation) startParentRound(ctx context.Context, zone string, guess zoneServers) *parentRound {
	pr := &parentRound{zone: guess.zone, done: make(chan struct{})}
	go func() {
		defer close(pr.done)
		pr.obs = r.askParents(ctx, zone, r.parentTargets(ctx, guess), iterResult{})
	}()
	return pr
}

// wait returns the round's observations once it is over.
func (pr *parentRound) wait() []parentObs {
	<-pr.done
	return pr.obs
}

// parentTarget is one address of one server of the parent zone.
type parentTarget struct {
	name string
	addr netip.Addr
}

// parentTargets lists the parent servers' addresses of the wanted families.
func (r *delegation) parentTargets(ctx context.Context, parent zoneServers) []parentTarget {
	var targets []parentTarget
	for _, ns := range parent.servers {
		addrs := ns.Addrs
		if len(addrs) == 0 {
			addrs = r.walker().lookupAddrs(ctx, ns.Name, 1, false)
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
func (r *delegation) askParents(ctx context.Context, zone string, targets []parentTarget, walked iterResult) []parentObs {
	obs := make([]parentObs, len(targets))
	parallel(len(targets), func(i int) {
		t := targets[i]
		ps := ParentServer{Nameserver: t.name, Address: t.addr.String()}
		// The DS RRset (or the proof there is none) lives at the parent;
		// each parent server is asked, as each is asked for the NS set,
		// both questions at once.
		var rep reply
		parallel(2, func(q int) {
			switch {
			case q == 1 && r.m.dnssecEnabled():
				dsRep := r.askDO(ctx, t.name, t.addr, zone, dns.TypeDS, true)
				obs[i].ds = dsReply{nameserver: ps.Nameserver, address: ps.Address, msg: dsRep.msg, err: dsRep.err}
			case q == 1:
			case t.addr == walked.from && walked.msg != nil:
				rep = reply{msg: walked.msg}
			default:
				rep = r.ask(ctx, t.name, t.addr, zone, dns.TypeNS)
			}
		})
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
			ps.OK, ps.NS = true, names
			ps.Glue = map[string][]string{}
			for n, as := range glue {
				ps.Glue[n] = addrStrings(as)
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

// nsLookup is how the addresses of one delegated nameserver were found.
type nsLookup struct {
	NameServer
	inZone bool   // inside the zone: its addresses can only be glue
	why    string // why resolution found no address
	// unmeasured: the probe's budget or deadline stopped the resolution.
	unmeasured bool
	// alias is the CNAME target when the name is an alias (nsalias.go).
	alias string
}

// nsAddresses finds the addresses of every delegated nameserver: glue for
// names inside the zone, iterative resolution for the rest.
func (r *delegation) nsAddresses(ctx context.Context, zone string, glue map[string][]netip.Addr) []nsLookup {
	rep := r.report
	out := make([]nsLookup, len(rep.DelegationNS))
	parallel(len(rep.DelegationNS), func(i int) {
		l := &out[i]
		l.Name = dns.Fqdn(rep.DelegationNS[i])
		if dns.IsSubDomain(zone, l.Name) {
			l.inZone, l.Addrs = true, glue[l.Name]
			return
		}
		l.Addrs, l.why = r.walker().resolveAddrs(ctx, l.Name, 1, false)
		l.alias, _ = r.aliasOf(l.Name)
		l.unmeasured = len(l.Addrs) == 0 && (r.aborted() || r.budgetExhausted())
	})
	rep.NSAddresses = map[string][]string{}
	for _, s := range out {
		rep.NSAddresses[s.Name] = addrStrings(s.Addrs)
	}
	return out
}

// judgeNSAddresses raises, for each delegated nameserver without an
// address, why: glue missing for a name inside the zone, or resolution.
func judgeNSAddresses(zone string, lookups []nsLookup, addrTypes string) []raised {
	var fs []raised
	for _, l := range lookups {
		if l.alias != "" {
			fs = append(fs, nsAliasFinding(l.Name, l.alias))
		}
		switch {
		case len(l.Addrs) > 0 || l.unmeasured:
		case l.inZone:
			fs = append(fs, raise(CheckGlueMissing, l.Name, "",
				"%s is inside %s, so resolvers need glue for it, but no parent server gave any", strings.TrimSuffix(l.Name, "."), strings.TrimSuffix(zone, ".")))
		default:
			fs = append(fs, raise(CheckNSUnresolvable, l.Name, "", "nameserver %s has no address (looked up %s): %s", strings.TrimSuffix(l.Name, "."), addrTypes, l.why))
		}
	}
	return fs
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

// serialLess is RFC 1982 serial number arithmetic: a < b.
func serialLess(a, b uint32) bool {
	return a != b && int32(b-a) > 0
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

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
