package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Bounds on the iterative walk, whatever the servers answer.
const (
	maxReferrals     = 30 // zone cuts followed for one name
	maxCNAMEs        = 8  // aliases followed for one address lookup
	maxGluelessDepth = 4  // nested lookups of nameserver names without glue
	maxTriesPerZone  = 8  // addresses tried before a zone's servers count as failed
	maxCacheTTL      = 24 * time.Hour
)

// zoneServers is a zone with the servers that serve it. A server with no
// addresses has not been looked up yet (a referral without glue).
type zoneServers struct {
	zone    string
	servers []NameServer
}

func (z zoneServers) names() []string {
	out := make([]string, 0, len(z.servers))
	for _, s := range z.servers {
		out = append(out, s.Name)
	}
	return out
}

// outcome of an iterative query.
type outcome int

const (
	outAnswer   outcome = iota // an authoritative answer (possibly empty: NODATA)
	outNXDomain                // the name does not exist
	outCut                     // stopAtCut: a referral to exactly qname
)

type iterResult struct {
	kind outcome
	// zone is the zone whose servers gave the final reply: the parent for outCut.
	zone zoneServers
	msg  *dns.Msg
	// from is the server address that sent msg.
	from netip.Addr
}

// walker is the run resolving iteratively: from the root (or the closest
// cached zone cut) down, with the cross-probe Cache.
type walker struct{ *run }

// walker is the run as a walker; the walk's state (the cuts met) is the
// run's, shared by every walk of one probe.
func (r *run) walker() *walker { return &walker{r} }

// cacheScope separates cache entries of modules that see different
// hierarchies (another set of root hints, or another port) or trust other
// anchors. A probe asks for it at every cache lookup; it is made once.
func (r *run) cacheScope() string {
	r.scopeOnce.Do(func() { r.scope = r.makeCacheScope() })
	return r.scope
}

func (r *run) makeCacheScope() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", r.m.Port)
	for _, s := range r.m.RootServers {
		for _, a := range s.Addrs {
			b.WriteString("," + a.String())
		}
	}
	if r.m.dnssecEnabled() {
		b.WriteString(",anchors=" + r.m.TrustAnchors.Fingerprint() + r.m.cacheScopeSkew())
	}
	return b.String() + "|"
}

// noteCut remembers a zone cut and its servers for the rest of the probe.
func (r *walker) noteCut(z zoneServers) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cuts == nil {
		r.cuts = map[string]zoneServers{}
	}
	if _, ok := r.cuts[z.zone]; !ok {
		r.cuts[z.zone] = z
	}
}

// startFor returns the deepest zone cut known for name: a cached one, or
// the root. With self false, name itself is not considered, so a probe of a
// zone always begins at or above its parent.
func (r *walker) startFor(name string, self bool) (zoneServers, bool) {
	scope := r.cacheScope()
	labels := dns.SplitDomainName(name)
	first := 0
	if !self {
		first = 1
	}
	for i := first; i < len(labels); i++ {
		z := dns.Fqdn(strings.Join(labels[i:], "."))
		if s, ok := r.p.Cache.getZone(scope+z, r.now); ok {
			return zoneServers{zone: z, servers: s}, true
		}
	}
	return zoneServers{zone: ".", servers: r.m.RootServers}, false
}

// iterate resolves qname/qtype from the deepest known cut down, following
// referrals as `dig +trace` does. With stopAtCut it stops at the referral
// to qname itself and returns the parent. Hops go to path when non-nil.
func (r *walker) iterate(ctx context.Context, qname string, qtype uint16, depth int, stopAtCut bool, path *[]Hop) (iterResult, error) {
	cur, cached := r.startFor(qname, !stopAtCut)
	r.noteCut(cur)
	if path != nil {
		*path = append(*path, Hop{Zone: cur.zone, Servers: cur.names(), Cached: cached})
	}
	for i := 0; i < maxReferrals; i++ {
		deeper, shared, done := r.shareReferral(ctx, cur, qname, stopAtCut)
		if shared {
			done()
			cur = deeper
			r.noteCut(cur)
			if path != nil {
				*path = append(*path, Hop{Zone: cur.zone, Servers: cur.names(), Cached: true})
			}
			continue
		}
		msg, from, err := r.askZone(ctx, cur, qname, qtype, depth, false)
		if err != nil {
			done()
			return iterResult{}, err
		}
		// askZone returns only referrals that lead down towards qname.
		if child, ok := referralOwner(msg); ok {
			if stopAtCut && child == qname {
				done()
				return iterResult{kind: outCut, zone: cur, msg: msg, from: from}, nil
			}
			next := referralServers(msg, child, cur.zone)
			r.p.Cache.putZone(r.cacheScope()+child, next.servers, nsTTL(msg, child), r.now)
			done()
			r.noteCut(next)
			cur = next
			if path != nil {
				*path = append(*path, Hop{Zone: cur.zone, Servers: cur.names()})
			}
			continue
		}
		done()
		if msg.Rcode == dns.RcodeNameError {
			return iterResult{kind: outNXDomain, zone: cur, msg: msg, from: from}, nil
		}
		if stopAtCut {
			// Servers that answered for qname itself may serve cuts
			// between their zone and it: the parent is the closest.
			cur = cutFinder{r}.innerCuts(ctx, cur, qname, depth, path)
		}
		return iterResult{kind: outAnswer, zone: cur, msg: msg, from: from}, nil
	}
	return iterResult{}, &stageFailure{CheckReferralLoop, fmt.Sprintf("more than %d referrals while resolving %s", maxReferrals, qname)}
}

// askZone asks the servers of a zone in turn until one gives a usable
// reply: NOERROR or NXDOMAIN, not an upward referral. Glueless servers are
// looked up only when the servers with addresses have failed.
func (r *walker) askZone(ctx context.Context, z zoneServers, qname string, qtype uint16, depth int, do bool) (*dns.Msg, netip.Addr, error) {
	var reasons []string
	var from netip.Addr
	tries, badReferrals := 0, 0
	try := func(ns NameServer, addrs []netip.Addr) (*dns.Msg, error) {
		for _, a := range addrs {
			if !r.m.wantFamily(a) || tries >= maxTriesPerZone {
				continue
			}
			tries++
			rep := r.askDO(ctx, ns.Name, a, qname, qtype, do)
			if errors.Is(rep.err, errBudget) || errors.Is(rep.err, errAborted) {
				return nil, rep.err
			}
			if rep.err != nil {
				reasons = append(reasons, fmt.Sprintf("%s %s: %s", ns.Name, a, classifyError(rep.err)))
				continue
			}
			if why := unusable(rep.msg, z.zone, qname); why != "" {
				reasons = append(reasons, fmt.Sprintf("%s %s: %s", ns.Name, a, why))
				if strings.Contains(why, "referral") {
					badReferrals++
				}
				continue
			}
			from = a
			return rep.msg, nil
		}
		return nil, nil
	}
	for _, ns := range z.servers {
		if msg, err := try(ns, ns.Addrs); msg != nil || err != nil {
			return msg, from, err
		}
	}
	for _, ns := range z.servers {
		if len(ns.Addrs) > 0 || tries >= maxTriesPerZone {
			continue
		}
		addrs := r.lookupAddrs(ctx, ns.Name, depth+1, true)
		if len(addrs) == 0 {
			reasons = append(reasons, fmt.Sprintf("%s: no address", ns.Name))
			continue
		}
		if msg, err := try(ns, addrs); msg != nil || err != nil {
			return msg, from, err
		}
	}
	if ctx.Err() != nil {
		return nil, from, errAborted
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no server address in the probed families")
	}
	check := CheckResolutionFailed
	if badReferrals > 0 && badReferrals == len(reasons) {
		check = CheckReferralLoop
	}
	return nil, from, &stageFailure{check,
		fmt.Sprintf("no server of %s answered %s %s: %s", zoneLabel(z.zone), qname, dns.TypeToString[qtype], strings.Join(reasons, "; "))}
}

// unusable says why a reply cannot move the walk on, or "" if it can: it
// must be NOERROR or NXDOMAIN, and a referral must lead down towards qname.
// Resolvers skip such a server and ask the next one; so does the walk.
func unusable(m *dns.Msg, zone, qname string) string {
	switch m.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return dns.RcodeToString[m.Rcode]
	}
	if child, ok := referralOwner(m); ok {
		switch {
		case !dns.IsSubDomain(zone, child) || child == zone:
			return "upward referral to " + zoneLabel(child)
		case !dns.IsSubDomain(child, qname):
			return "referral sideways to " + zoneLabel(child)
		}
		return ""
	}
	if !m.Authoritative && len(m.Answer) == 0 {
		return "not authoritative"
	}
	return ""
}

// referralOwner returns the owner of the NS RRset in the authority section
// of a reply with no answer: the zone the reply refers to.
func referralOwner(m *dns.Msg) (string, bool) {
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) > 0 {
		return "", false
	}
	for _, rr := range m.Ns {
		if ns, ok := rr.(*dns.NS); ok {
			return strings.ToLower(ns.Hdr.Name), true
		}
	}
	return "", false
}

// referralServers builds the servers of child from a referral. Glue is
// taken only for names inside the zone that sent it (its bailiwick).
func referralServers(m *dns.Msg, child, bailiwick string) zoneServers {
	names := nsNames(m.Ns, child)
	glue := glueFor(m.Extra, names)
	z := zoneServers{zone: child}
	for _, n := range names {
		ns := NameServer{Name: n}
		if dns.IsSubDomain(bailiwick, n) {
			ns.Addrs = glue[n]
		}
		z.servers = append(z.servers, ns)
	}
	// Servers with glue first: they cost no extra lookup.
	sort.SliceStable(z.servers, func(i, j int) bool {
		return len(z.servers[i].Addrs) > 0 && len(z.servers[j].Addrs) == 0
	})
	return z
}

// nsNames returns the sorted, de-duplicated NS targets at owner.
func nsNames(rrs []dns.RR, owner string) []string {
	seen := map[string]bool{}
	var out []string
	for _, rr := range rrs {
		ns, ok := rr.(*dns.NS)
		if !ok || !strings.EqualFold(ns.Hdr.Name, owner) {
			continue
		}
		n := strings.ToLower(ns.Ns)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// glueFor collects A/AAAA records for the given names.
func glueFor(rrs []dns.RR, names []string) map[string][]netip.Addr {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]netip.Addr{}
	for _, rr := range rrs {
		owner := strings.ToLower(rr.Header().Name)
		if !want[owner] {
			continue
		}
		if a, ok := rrAddr(rr); ok && !containsAddr(out[owner], a) {
			out[owner] = append(out[owner], a)
		}
	}
	for n := range out {
		sortAddrs(out[n])
	}
	return out
}

func rrAddr(rr dns.RR) (netip.Addr, bool) {
	switch v := rr.(type) {
	case *dns.A:
		a, ok := netip.AddrFromSlice(v.A.To4())
		return a, ok
	case *dns.AAAA:
		a, ok := netip.AddrFromSlice(v.AAAA)
		return a, ok && !a.Is4In6()
	}
	return netip.Addr{}, false
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

func sortAddrs(a []netip.Addr) {
	sort.Slice(a, func(i, j int) bool { return a[i].Less(a[j]) })
}

// nsTTL is the TTL of the NS RRset at owner, capped, for caching.
func nsTTL(m *dns.Msg, owner string) time.Duration {
	ttl := maxCacheTTL
	for _, rr := range m.Ns {
		if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, owner) {
			if t := time.Duration(ns.Hdr.Ttl) * time.Second; t < ttl {
				ttl = t
			}
		}
	}
	return ttl
}

// lookupAddrs resolves a name to addresses by iteration, following CNAMEs,
// in the module's families (only the first family when quick is set, which
// is enough to reach a server during the walk). Results are cached.
// Failures return nil; the caller decides whether that is a finding.
func (r *walker) lookupAddrs(ctx context.Context, name string, depth int, quick bool) []netip.Addr {
	addrs, _ := r.resolveAddrs(ctx, name, depth, quick)
	return addrs
}

// resolveAddrs is lookupAddrs with the reason for an empty result.
func (r *walker) resolveAddrs(ctx context.Context, name string, depth int, quick bool) ([]netip.Addr, string) {
	if depth > maxGluelessDepth {
		return nil, fmt.Sprintf("more than %d nested lookups of nameserver names without glue", maxGluelessDepth)
	}
	types := r.m.addrQtypes()
	var all []netip.Addr
	var reasons []string
	for _, t := range types {
		key := r.cacheScope() + dns.TypeToString[t] + ":" + name
		if a, ok := r.p.Cache.getAddrs(key, r.now); ok {
			all = append(all, a...)
		} else {
			a, ttl, why := r.resolveType(ctx, name, t, depth)
			if why != "" {
				reasons = append(reasons, why)
			} else {
				r.p.Cache.putAddrs(key, a, ttl, r.now)
			}
			all = append(all, a...)
		}
		if quick && len(all) > 0 {
			break
		}
	}
	sortAddrs(all)
	if len(all) == 0 {
		if len(reasons) == 0 {
			reasons = append(reasons, "the name has no "+r.m.addrTypes()+" records")
		}
		return nil, strings.Join(reasons, "; ")
	}
	return all, ""
}

// resolveType resolves one address type, following CNAME chains. A clean
// negative answer (NXDOMAIN, NODATA) is cacheable and has no reason. At
// most maxCNAMEs aliases are followed in all, whether they come one to an
// answer or several.
func (r *walker) resolveType(ctx context.Context, name string, qtype uint16, depth int) ([]netip.Addr, time.Duration, string) {
	seen := map[string]bool{}
	qname := name
	aliases := 0
	for {
		if seen[qname] {
			return nil, 0, fmt.Sprintf("CNAME loop at %s", qname)
		}
		seen[qname] = true
		res, err := r.iterate(ctx, qname, qtype, depth, false, nil)
		if err != nil {
			return nil, 0, err.Error()
		}
		if res.kind == outNXDomain {
			return nil, negTTL(res.msg), ""
		}
		r.noteAlias(res.msg, qname)
		addrs, ttl, target, followed := followAnswer(res.msg, qname, qtype)
		if aliases += followed; aliases > maxCNAMEs {
			return nil, 0, fmt.Sprintf("more than %d CNAMEs from %s", maxCNAMEs, name)
		}
		if len(addrs) > 0 || target == "" {
			if len(addrs) == 0 {
				ttl = negTTL(res.msg)
			}
			return addrs, ttl, ""
		}
		qname = target
	}
}

// answerAddrs follows a CNAME chain inside one answer and returns the
// addresses at its end, or the name to look up next when the chain leaves
// the answer.
func answerAddrs(m *dns.Msg, qname string, qtype uint16) ([]netip.Addr, time.Duration, string) {
	addrs, ttl, next, _ := followAnswer(m, qname, qtype)
	return addrs, ttl, next
}

func answerHasOwner(m *dns.Msg, name string) bool {
	for _, rr := range m.Answer {
		if strings.EqualFold(rr.Header().Name, name) {
			return true
		}
	}
	return false
}

// negTTL is the negative-caching TTL of a reply (RFC 2308: the SOA's
// minimum, bounded by its TTL), or a minute when there is no SOA.
func negTTL(m *dns.Msg) time.Duration {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return time.Duration(min(soa.Minttl, soa.Hdr.Ttl)) * time.Second
		}
	}
	return time.Minute
}

func zoneLabel(z string) string {
	if z == "." {
		return "the root"
	}
	return strings.TrimSuffix(z, ".")
}
