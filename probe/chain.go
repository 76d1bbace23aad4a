package probe

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// The chain of trust: validated keys from the trust anchor down to the
// target's parent, each zone's DS checked with its parent's keys (RFC 4035
// section 5). Which query comes next depends on what validated, so this
// stage observes and validates together; what it found is a chainResult,
// judged with the rest in judgeDNSSEC.

// chainWalk is the run walking the chain of trust.
type chainWalk struct{ *run }

// chainResult is the state of the chain of trust at the target's parent.
type chainResult struct {
	status DNSSECStatus
	keys   []*dns.DNSKEY
	detail string
	links  []ChainLink
}

// maxKeyCache bounds how long validated keys stay cached.
const maxKeyCache = 24 * time.Hour

// zoneServersFor finds the servers of a zone cut on the path: met by the
// walk, cached, or found by resolving the zone's own NS set.
func (r *chainWalk) zoneServersFor(ctx context.Context, zone string) (zoneServers, bool) {
	if zone == "." {
		return zoneServers{zone: ".", servers: r.m.RootServers}, true
	}
	r.mu.Lock()
	z, ok := r.cuts[zone]
	r.mu.Unlock()
	if ok {
		return z, true
	}
	if s, ok := r.p.Cache.getZone(r.cacheScope()+zone, r.now); ok {
		return zoneServers{zone: zone, servers: s}, true
	}
	if _, err := r.walker().iterate(ctx, zone, dns.TypeNS, 0, false, nil); err != nil {
		return zoneServers{}, false
	}
	r.mu.Lock()
	z, ok = r.cuts[zone]
	r.mu.Unlock()
	return z, ok
}

// zoneKeys fetches and validates the DNSKEY RRset of a zone on the path,
// against DS records (or the zone's trust anchor). Validated keys are cached
// until the earlier of their TTL and their signature's expiry.
func (r *chainWalk) zoneKeys(ctx context.Context, zone string, ds []*dns.DS) ([]*dns.DNSKEY, bool, error) {
	key := r.cacheScope() + zone
	if k, ok := r.p.Cache.getKeys(key, r.now); ok {
		return k, true, nil
	}
	// Probes that need the same keys wait for the first one's.
	done, _ := r.p.Cache.join(ctx, cacheKeys+key, r.run)
	defer done()
	if k, ok := r.p.Cache.getKeys(key, r.now); ok {
		return k, true, nil
	}
	z, ok := r.zoneServersFor(ctx, zone)
	if !ok {
		return nil, false, fmt.Errorf("no servers found for %s", zoneLabel(zone))
	}
	msg, _, err := r.walker().askZone(ctx, z, zone, dns.TypeDNSKEY, 0, true)
	if err != nil {
		return nil, false, err
	}
	keyset, sigs := validate.SplitSigs(msg.Answer, zone, dns.TypeDNSKEY)
	if len(keyset) == 0 {
		return nil, false, &stageFailure{CheckDSUnsignedChild, fmt.Sprintf("%s has DS records but serves no DNSKEY", zoneLabel(zone))}
	}
	anchors := r.m.TrustAnchors
	keys, v, err := r.val.TrustKeys(keyset, sigs, append(ds, anchors.DS[zone]...), anchors.Keys[zone], zone, r.now)
	if err != nil {
		return nil, false, &stageFailure{checkOf(v.Reason), err.Error()}
	}
	ttl := min(time.Duration(keyset[0].Header().Ttl)*time.Second, v.Expiration.Sub(r.now), maxKeyCache)
	r.p.Cache.putKeys(key, keys, ttl, r.now)
	return keys, false, nil
}

// chainStart is the chain of trust under way: it fetches the anchor's keys
// at once and waits for the walk's parent to go on, alongside the parent
// and child rounds.
type chainStart struct {
	anchor string // the closest trust anchor's zone; "" when none
	parent chan zoneServers
	done   chan struct{}
	once   sync.Once
	res    chainResult
}

// start begins the chain of trust for zone, when the module checks DNSSEC
// and an anchor above the zone covers it.
func (r *chainWalk) start(ctx context.Context, zone string) *chainStart {
	c := &chainStart{parent: make(chan zoneServers, 1), done: make(chan struct{})}
	anchored := false
	if r.m.dnssecEnabled() {
		c.anchor, anchored = r.m.TrustAnchors.closest(zone)
	}
	if !anchored {
		c.anchor = ""
	}
	go func() {
		defer close(c.done)
		if anchored && c.anchor != zone {
			c.res = r.chainTo(ctx, c.anchor, c.parent)
		}
	}()
	return c
}

// found hands the walk's parent to the chain.
func (c *chainStart) found(parent zoneServers) {
	c.once.Do(func() {
		c.parent <- parent
		close(c.parent)
	})
}

// wait ends the chain (with no parent, if none was found) and returns it.
func (c *chainStart) wait() chainResult {
	c.once.Do(func() { close(c.parent) })
	<-c.done
	return c.res
}

// chainTo validates keys from the anchor zone down to the target's parent,
// asking each zone's servers for the next zone's DS (RFC 4035 section 5).
// The anchor's keys need nothing the walk finds, so they are fetched at
// once; the rest waits for the parent, which arrives on parent (closed
// without a value when the walk found none).
func (r *chainWalk) chainTo(ctx context.Context, anchor string, parent <-chan zoneServers) chainResult {
	var links []ChainLink
	res := r.walkChain(ctx, anchor, parent, &links)
	res.links = links
	return res
}

// walkChain is chainTo's walk, noting each zone cut's link.
func (r *chainWalk) walkChain(ctx context.Context, anchor string, parentCh <-chan zoneServers, links *[]ChainLink) chainResult {
	keys, cached, err := r.zoneKeys(ctx, anchor, nil)
	parent, ok := <-parentCh
	if !ok {
		return chainResult{status: DNSSECIndeterminate, detail: "the walk found no parent zone"}
	}
	if err != nil {
		return r.chainError(anchor, err, links)
	}
	*links = append(*links, ChainLink{Zone: anchor, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: cached})
	cur := anchor
	// Probes that need the same DS set wait for the first one's chain.
	var dones []func()
	defer func() {
		for _, done := range dones {
			done()
		}
	}()
	for range maxReferrals {
		if cur == parent.zone {
			return chainResult{status: DNSSECSecure, keys: keys}
		}
		next := r.nextCut(cur, parent.zone)
		done, _ := r.p.Cache.join(ctx, r.cacheScope()+"ds:"+next, r.run)
		dones = append(dones, done)
		// Keys validated through this same chain by an earlier probe need
		// no DS query until they expire from the cache.
		if k, ok := r.p.Cache.getKeys(r.cacheScope()+next, r.now); ok {
			keys, cur = k, next
			*links = append(*links, ChainLink{Zone: next, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: true})
			continue
		}
		z, ok := r.zoneServersFor(ctx, cur)
		if !ok {
			return chainResult{status: DNSSECIndeterminate, detail: "no servers for " + zoneLabel(cur)}
		}
		msg, _, err := r.walker().askZone(ctx, z, next, dns.TypeDS, 0, true)
		if err != nil {
			return r.chainError(next, err, links)
		}
		if child, ok := referralOwner(msg); ok && child != next && dns.IsSubDomain(cur, child) && dns.IsSubDomain(child, next) {
			// A cut the walk had not met lies in between: ask for its DS.
			next = child
			if msg, _, err = r.walker().askZone(ctx, z, next, dns.TypeDS, 0, true); err != nil {
				return r.chainError(next, err, links)
			}
		}
		dsSet, sigs := validate.SplitSigs(msg.Answer, next, dns.TypeDS)
		if len(dsSet) == 0 {
			dv := r.val.VerifyDenial(msg, cur, next, dns.TypeDS, keys, r.now)
			if !dv.Valid {
				return r.chainBogus(next, fmt.Sprintf("the proof that %s has no DS does not hold: %s", zoneLabel(next), dv.Detail), links)
			}
			*links = append(*links, ChainLink{Zone: next, Status: DNSSECInsecure, Detail: "no DS at " + zoneLabel(cur) + ": an insecure delegation"})
			return chainResult{status: DNSSECInsecure}
		}
		if v := r.val.VerifyRRset(dsSet, sigs, keys, cur, r.now); !v.Valid {
			return r.chainBogus(next, "the DS RRset at "+zoneLabel(cur)+" does not validate: "+v.Detail, links)
		}
		supported := validate.UsableDS(asDS(dsSet))
		if len(supported) == 0 {
			*links = append(*links, ChainLink{Zone: next, Status: DNSSECInsecure, Detail: "only unsupported DS algorithms or digest types"})
			return chainResult{status: DNSSECInsecure}
		}
		keys, cached, err = r.zoneKeys(ctx, next, supported)
		if err != nil {
			return r.chainError(next, err, links)
		}
		*links = append(*links, ChainLink{Zone: next, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: cached})
		cur = next
	}
	return chainResult{status: DNSSECIndeterminate, detail: "too many zone cuts"}
}

func (r *chainWalk) chainError(zone string, err error, links *[]ChainLink) chainResult {
	var wf *stageFailure
	if errors.As(err, &wf) && wf.check != CheckResolutionFailed && wf.check != CheckReferralLoop {
		return r.chainBogus(zone, wf.detail, links)
	}
	*links = append(*links, ChainLink{Zone: zone, Status: DNSSECIndeterminate, Detail: err.Error()})
	return chainResult{status: DNSSECIndeterminate, detail: err.Error()}
}

func (r *chainWalk) chainBogus(zone, detail string, links *[]ChainLink) chainResult {
	*links = append(*links, ChainLink{Zone: zone, Status: DNSSECBogus, Detail: detail})
	return chainResult{status: DNSSECBogus, detail: detail}
}

// nextCut is the next zone cut below cur on the way to parent that the
// probe knows of, or parent itself.
func (r *chainWalk) nextCut(cur, parent string) string {
	best := parent
	r.mu.Lock()
	defer r.mu.Unlock()
	for z := range r.cuts {
		if z != cur && dns.IsSubDomain(cur, z) && dns.IsSubDomain(z, parent) && dns.CountLabel(z) < dns.CountLabel(best) {
			best = z
		}
	}
	return best
}
