package probe

import (
	"context"
	"strings"

	"github.com/miekg/dns"
)

// Zone cuts the walk meets no referral for.
//
// One server set often serves a zone and zones nested below it
// (enterprise sub-zones, reverse zones): asked for leaf.mid.example NS,
// the servers of example answer authoritatively from the leaf zone, and
// no referral ever shows the mid.example cut. The target's parent is then
// not the zone whose servers answered but the closest enclosing zone
// apex. Validators find it the same way: by the zone that answers at each
// ancestor label (Unbound's validator walks down asking DS at each label
// and takes a NODATA with the label's own SOA as the zone's apex; BIND
// follows the signer name of the RRSIGs). innerCuts asks the servers that
// answered for the SOA at each label between their zone and the target:
// an authoritative SOA owned by the label is a zone apex on those
// servers, a referral to it a cut on others.

// cutFinder finds the cuts the walk met no referral for.
type cutFinder struct{ *walker }

// innerCuts returns the deepest zone cut strictly between z and qname,
// walking down one label at a time from z with its servers; z itself
// when there is none. Each cut found is noted for the rest of the probe,
// cached and added to path when non-nil.
func (r cutFinder) innerCuts(ctx context.Context, z zoneServers, qname string, depth int, path *[]Hop) zoneServers {
	for _, label := range labelsBetween(z.zone, qname) {
		msg, _, err := r.askZone(ctx, z, label, dns.TypeSOA, depth, false)
		if err != nil {
			return z
		}
		next, ok := r.cutAt(ctx, z, label, msg, depth)
		if !ok {
			continue
		}
		r.p.Cache.putZone(r.cacheScope()+label, next.servers, maxCacheTTL, r.now)
		r.noteCut(next)
		if path != nil {
			*path = append(*path, Hop{Zone: next.zone, Servers: next.names()})
		}
		z = next
	}
	return z
}

// cutAt judges the reply of z's servers to "label SOA": a referral to
// label, or an authoritative SOA owned by label. For the latter the
// servers of label are its apex NS set, with the addresses z's servers of
// the same names have, else the glue in the reply.
func (r cutFinder) cutAt(ctx context.Context, z zoneServers, label string, msg *dns.Msg, depth int) (zoneServers, bool) {
	if owner, ok := referralOwner(msg); ok {
		if owner != label {
			return zoneServers{}, false
		}
		return referralServers(msg, label, z.zone), true
	}
	if !apexSOA(msg, label) {
		return zoneServers{}, false
	}
	nsMsg, _, err := r.askZone(ctx, z, label, dns.TypeNS, depth, false)
	if err != nil {
		return zoneServers{}, false
	}
	names := nsNames(nsMsg.Answer, label)
	if len(names) == 0 {
		return zoneServers{}, false
	}
	glue := glueFor(nsMsg.Extra, names)
	next := zoneServers{zone: label}
	for _, n := range names {
		ns := NameServer{Name: n, Addrs: glue[n]}
		for _, s := range z.servers {
			if strings.EqualFold(s.Name, n) && len(s.Addrs) > 0 {
				ns.Addrs = s.Addrs
			}
		}
		next.servers = append(next.servers, ns)
	}
	return next, true
}

// apexSOA reports whether msg is an authoritative answer holding the SOA
// owned by name: name is a zone apex on the server that sent it.
func apexSOA(msg *dns.Msg, name string) bool {
	if !msg.Authoritative || msg.Rcode != dns.RcodeSuccess {
		return false
	}
	for _, rr := range msg.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, name) {
			return true
		}
	}
	return false
}

// labelsBetween lists the names strictly between zone and name, shallowest
// first: for zone example. and name a.b.c.example., c.example. then
// b.c.example.
func labelsBetween(zone, name string) []string {
	var out []string
	for n := stripLabel(name); n != "" && n != zone && dns.IsSubDomain(zone, n); n = stripLabel(n) {
		out = append([]string{n}, out...)
	}
	return out
}

// stripLabel strips the first label of a fully qualified name; "" for the
// root.
func stripLabel(name string) string {
	if name == "." {
		return ""
	}
	if i, end := dns.NextLabel(name, 0); !end {
		return name[i:]
	}
	return "."
}
