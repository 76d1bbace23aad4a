package probe

import (
	"context"
	"strings"

	"github.com/miekg/dns"
)

// childToward returns the name one label below zone on the way down to
// qname, or "" when qname is zone or not below it.
func childToward(zone, qname string) string {
	if zone == qname || !dns.IsSubDomain(zone, qname) {
		return ""
	}
	labels := dns.SplitDomainName(qname)
	return dns.Fqdn(strings.Join(labels[len(labels)-dns.CountLabel(zone)-1:], "."))
}

// shareReferral coalesces the walk's next step with other probes': when
// another probe is already asking cur's servers for the referral towards
// the same child, this probe waits for it and continues from the cut it
// cached (found set), as it does when the cut was cached meanwhile. Otherwise this probe asks, and calls done once its
// referral is cached or the question failed. The referral to the target
// itself (stopAtCut, the parent's view of the delegation) is measured by
// every probe and never shared.
func (r *walker) shareReferral(ctx context.Context, cur zoneServers, qname string, stopAtCut bool) (deeper zoneServers, found bool, done func()) {
	child := childToward(cur.zone, qname)
	if child == "" || stopAtCut && child == qname {
		return zoneServers{}, false, func() {}
	}
	// Look again once joined: the cut may have been cached between this
	// probe's startFor and now, by a fetch that has finished.
	done, _ = r.p.Cache.join(ctx, r.cacheScope()+"cut:"+child, r.run)
	if z, ok := r.startFor(qname, !stopAtCut); ok && dns.CountLabel(z.zone) > dns.CountLabel(cur.zone) {
		return z, true, done
	}
	return zoneServers{}, false, done
}
