package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// dsReply is one parent server's answer to "<zone> DS" with DO=1.
type dsReply struct {
	nameserver, address string
	msg                 *dns.Msg
	err                 error
}

// chainResult is the state of the chain of trust at the target's parent.
type chainResult struct {
	status DNSSECStatus
	keys   []*dns.DNSKEY
	detail string
}

// serverMaterial is what one address of the zone served, judged with the
// keys its own DNSKEY RRset holds (trusted through the parent's DS).
type serverMaterial struct {
	name, addr string
	secure     bool
	checked    bool // false when its DNSKEY could not be fetched
	keyset     []*dns.DNSKEY
	// keySigners are the tags of keys whose signatures over the DNSKEY
	// RRset verify, trusted or not.
	keySigners map[uint16]bool
	cds        []*dns.CDS
	cdnskey    []*dns.CDNSKEY
	cdsSigners []uint16        // tags of keys whose signatures over CDS and CDNSKEY verify
	signers    map[uint16]bool // key tags that made valid signatures
	nsec3      *NSEC3Param
}

// maxKeyCache bounds how long validated keys stay cached.
const maxKeyCache = 24 * time.Hour

// checkDNSSEC validates the zone from the trust anchor down and checks what
// every authoritative address serves. It runs after the delegation checks,
// on the addresses that answered them.
func (r *run) checkDNSSEC(ctx context.Context, zone string, parent zoneServers) {
	d := &DNSSECReport{Status: DNSSECIndeterminate}
	r.report.DNSSEC = d
	r.validateZone(ctx, zone, parent, d)
	r.record(judgeRhythm(r.p, r.m, zone, r.report, r.now))
	if r.val.Budget.Exhausted() {
		r.addFinding(CheckValidationBudgetExhausted, "", "", "the probe's DNSSEC validation budget (%d public-key operations, %d NSEC3 hash computations, within the probe's deadline) ran out; the checks it stopped are not judged",
			r.p.maxValidations(), validate.DefaultProbeHashes)
	}
	judgeValidationLimits(r.report)
}

// validateZone is checkDNSSEC's work: the chain down to the zone's parent,
// the parent's DS, and every address's DNSSEC material.
func (r *run) validateZone(ctx context.Context, zone string, parent zoneServers, d *DNSSECReport) {
	anchorZone, ok := r.m.TrustAnchors.closest(zone)
	if !ok {
		d.Status = DNSSECInsecure
		d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECInsecure, Detail: "no trust anchor covers the zone"})
		return
	}
	d.Anchor = anchorZone

	var parentKeys []*dns.DNSKEY
	if anchorZone != zone {
		chain := r.chainTo(ctx, anchorZone, parent, d)
		switch chain.status {
		case DNSSECInsecure:
			d.Status = DNSSECInsecure
			return
		case DNSSECBogus:
			d.Status = DNSSECBogus
			r.addFinding(CheckChainBroken, "", "", "the chain of trust from %s breaks above %s: %s", zoneLabel(anchorZone), zoneLabel(zone), chain.detail)
			return
		case DNSSECIndeterminate:
			return
		}
		parentKeys = chain.keys
	}

	ds, status := r.targetDS(zone, parentKeys, anchorZone == zone, d)
	if status != "" {
		d.Status = status
		return
	}
	r.checkServersDNSSEC(ctx, zone, ds, d)
}

// zoneServersFor finds the servers of a zone cut on the path: met by the
// walk, cached, or found by resolving the zone's own NS set.
func (r *run) zoneServersFor(ctx context.Context, zone string) (zoneServers, bool) {
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
	if _, err := r.iterate(ctx, zone, dns.TypeNS, 0, false, nil); err != nil {
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
func (r *run) zoneKeys(ctx context.Context, zone string, ds []*dns.DS) ([]*dns.DNSKEY, bool, error) {
	key := r.cacheScope() + zone
	if k, ok := r.p.Cache.getKeys(key, r.now); ok {
		return k, true, nil
	}
	z, ok := r.zoneServersFor(ctx, zone)
	if !ok {
		return nil, false, fmt.Errorf("no servers found for %s", zoneLabel(zone))
	}
	msg, _, err := r.askZone(ctx, z, zone, dns.TypeDNSKEY, 0, true)
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

// chainTo validates keys from the anchor zone down to the target's parent,
// asking each zone's servers for the next zone's DS (RFC 4035 section 5).
func (r *run) chainTo(ctx context.Context, anchor string, parent zoneServers, d *DNSSECReport) chainResult {
	keys, cached, err := r.zoneKeys(ctx, anchor, nil)
	if err != nil {
		return r.chainError(anchor, err, d)
	}
	d.Chain = append(d.Chain, ChainLink{Zone: anchor, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: cached})
	cur := anchor
	for range maxReferrals {
		if cur == parent.zone {
			return chainResult{status: DNSSECSecure, keys: keys}
		}
		next := r.nextCut(cur, parent.zone)
		// Keys validated through this same chain by an earlier probe need
		// no DS query until they expire from the cache.
		if k, ok := r.p.Cache.getKeys(r.cacheScope()+next, r.now); ok {
			keys, cur = k, next
			d.Chain = append(d.Chain, ChainLink{Zone: next, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: true})
			continue
		}
		z, ok := r.zoneServersFor(ctx, cur)
		if !ok {
			return chainResult{status: DNSSECIndeterminate, detail: "no servers for " + zoneLabel(cur)}
		}
		msg, _, err := r.askZone(ctx, z, next, dns.TypeDS, 0, true)
		if err != nil {
			return r.chainError(next, err, d)
		}
		if child, ok := referralOwner(msg); ok && child != next && dns.IsSubDomain(cur, child) && dns.IsSubDomain(child, next) {
			// A cut the walk had not met lies in between: ask for its DS.
			next = child
			if msg, _, err = r.askZone(ctx, z, next, dns.TypeDS, 0, true); err != nil {
				return r.chainError(next, err, d)
			}
		}
		dsSet, sigs := validate.SplitSigs(msg.Answer, next, dns.TypeDS)
		if len(dsSet) == 0 {
			dv := r.val.VerifyDenial(msg, cur, next, dns.TypeDS, keys, r.now)
			if !dv.Valid {
				return r.chainBogus(next, fmt.Sprintf("the proof that %s has no DS does not hold: %s", zoneLabel(next), dv.Detail), d)
			}
			d.Chain = append(d.Chain, ChainLink{Zone: next, Status: DNSSECInsecure, Detail: "no DS at " + zoneLabel(cur) + ": an insecure delegation"})
			return chainResult{status: DNSSECInsecure}
		}
		if v := r.val.VerifyRRset(dsSet, sigs, keys, cur, r.now); !v.Valid {
			return r.chainBogus(next, "the DS RRset at "+zoneLabel(cur)+" does not validate: "+v.Detail, d)
		}
		supported := validate.UsableDS(asDS(dsSet))
		if len(supported) == 0 {
			d.Chain = append(d.Chain, ChainLink{Zone: next, Status: DNSSECInsecure, Detail: "only unsupported DS algorithms or digest types"})
			return chainResult{status: DNSSECInsecure}
		}
		keys, cached, err = r.zoneKeys(ctx, next, supported)
		if err != nil {
			return r.chainError(next, err, d)
		}
		d.Chain = append(d.Chain, ChainLink{Zone: next, Status: DNSSECSecure, KeyTags: keyTags(keys), Cached: cached})
		cur = next
	}
	return chainResult{status: DNSSECIndeterminate, detail: "too many zone cuts"}
}

func (r *run) chainError(zone string, err error, d *DNSSECReport) chainResult {
	var wf *stageFailure
	if errors.As(err, &wf) && wf.check != CheckResolutionFailed && wf.check != CheckReferralLoop {
		return r.chainBogus(zone, wf.detail, d)
	}
	d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECIndeterminate, Detail: err.Error()})
	return chainResult{status: DNSSECIndeterminate, detail: err.Error()}
}

func (r *run) chainBogus(zone, detail string, d *DNSSECReport) chainResult {
	d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECBogus, Detail: detail})
	return chainResult{status: DNSSECBogus, detail: detail}
}

// nextCut is the next zone cut below cur on the way to parent that the
// probe knows of, or parent itself.
func (r *run) nextCut(cur, parent string) string {
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

// targetDS checks the DS RRsets the parent servers gave for the zone. It
// returns the DS records to trust, or a final status when the zone is
// insecure or bogus at the parent already.
func (r *run) targetDS(zone string, parentKeys []*dns.DNSKEY, selfAnchored bool, d *DNSSECReport) ([]*dns.DS, DNSSECStatus) {
	if selfAnchored {
		// The anchor's DS stand for the parent's: matchDS judges them.
		ds := r.m.TrustAnchors.DS[zone]
		for _, x := range ds {
			d.DS = append(d.DS, DSRecord{KeyTag: x.KeyTag, Algorithm: x.Algorithm, DigestType: x.DigestType})
		}
		return ds, ""
	}
	t := r.tallyParentDS(zone, parentKeys)
	union, sets, withDS, withoutDS, answered, bad := t.union, t.sets, t.withDS, t.withoutDS, t.answered, t.bad
	if len(sets) > 1 {
		r.addFinding(CheckDSInconsistent, "", "", "the parent servers serve %d different DS sets for %s (%d with DS, %d without)", len(sets), zoneLabel(zone), withDS, withoutDS)
	}
	switch {
	case bad > 0 && bad == answered:
		d.Status = DNSSECBogus
		return nil, DNSSECBogus
	case bad > 0:
		// Resolvers that meet a bad answer retry another parent server,
		// so only some lookups fail: intermittent, judged on the rest.
		d.Intermittent = true
		r.addFinding(CheckDNSSECIntermittent, "", "", "%d of %d parent servers that answered serve a DS answer for %s that does not validate: validating resolvers SERVFAIL it whenever they ask those",
			bad, answered, zoneLabel(zone))
	case answered == 0:
		return nil, DNSSECIndeterminate
	}
	if len(union) == 0 {
		d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECInsecure, Detail: "no DS at the parent: the zone is not signed, or not secured"})
		return nil, DNSSECInsecure
	}
	for _, ds := range union {
		d.DS = append(d.DS, DSRecord{KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, DigestType: ds.DigestType})
	}
	supported := validate.UsableDS(union)
	if len(supported) == 0 {
		r.addFinding(CheckUnsupportedAlgo, "", "", "every DS for %s uses an algorithm or digest type this exporter cannot validate (algorithms %v): validators treat the zone as insecure", zoneLabel(zone), dsAlgorithms(union))
		d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECInsecure, Detail: "only unsupported DS algorithms or digest types"})
		return nil, DNSSECInsecure
	}
	sha1Only := true
	for _, ds := range union {
		sha1Only = sha1Only && ds.DigestType == dns.SHA1
	}
	if sha1Only {
		r.addFinding(CheckDSDigestSHA1Only, "", "", "every DS for %s uses digest type 1 (SHA-1), which RFC 8624 says not to use; add a DS with digest type 2 (SHA-256)", zoneLabel(zone))
	}
	return supported, ""
}

// dsTally is what the parent servers' DS replies add up to.
type dsTally struct {
	union                            []*dns.DS
	sets                             []string
	withDS, withoutDS, answered, bad int
}

// tallyParentDS checks each parent server's DS reply, or its proof that
// there is none, with the parent's keys.
func (r *run) tallyParentDS(zone string, parentKeys []*dns.DNSKEY) dsTally {
	var t dsTally
	for _, rep := range r.parentDS {
		// A server that fails the query proves nothing either way:
		// resolvers ask another parent server (RFC 4035 section 5).
		if rep.err != nil || rep.msg == nil {
			r.addFinding(CheckParentServerError, rep.nameserver, rep.address, "parent zone server gave no answer to %s DS: %v", zoneLabel(zone), rep.err)
			continue
		}
		if rc := rep.msg.Rcode; rc != dns.RcodeSuccess && rc != dns.RcodeNameError {
			r.addFinding(CheckParentServerError, rep.nameserver, rep.address, "parent zone server answered %s DS with %s", zoneLabel(zone), dns.RcodeToString[rc])
			continue
		}
		t.answered++
		dsSet, sigs := validate.SplitSigs(rep.msg.Answer, zone, dns.TypeDS)
		if len(dsSet) == 0 {
			dv := r.val.VerifyDenial(rep.msg, r.report.Parent, zone, dns.TypeDS, parentKeys, r.now)
			if !dv.Valid {
				r.addFinding(checkOf(dv.Reason), rep.nameserver, rep.address, "the parent server's proof that %s has no DS does not hold: %s", zoneLabel(zone), dv.Detail)
				t.bad++
				continue
			}
			t.withoutDS++
			t.sets = appendUnique(t.sets, "")
			continue
		}
		if v := r.val.VerifyRRset(dsSet, sigs, parentKeys, r.report.Parent, r.now); !v.Valid {
			r.addFinding(checkOf(v.Reason), rep.nameserver, rep.address, "the DS RRset for %s from this parent server does not validate: %s", zoneLabel(zone), v.Detail)
			t.bad++
			continue
		}
		t.withDS++
		var desc []string
		for _, rr := range dsSet {
			ds := rr.(*dns.DS)
			desc = append(desc, strings.ToLower(ds.String()[len(ds.Hdr.String()):]))
			if !slices.ContainsFunc(t.union, func(x *dns.DS) bool { return sameDS(x, ds) }) {
				t.union = append(t.union, ds)
			}
		}
		sort.Strings(desc)
		t.sets = appendUnique(t.sets, strings.Join(desc, ","))
	}
	return t
}

// checkServersDNSSEC asks every answering address of the zone for its
// DNSSEC data and judges it with the DS set.
func (r *run) checkServersDNSSEC(ctx context.Context, zone string, ds []*dns.DS, d *DNSSECReport) {
	var targets []ServerResult
	for _, s := range r.report.Servers {
		if s.Status == StatusOK && s.soa != nil {
			targets = append(targets, s)
		}
	}
	results := make([]*serverMaterial, len(targets))
	sigObs := make([][]SignatureObs, len(targets))
	denials := make([][]DenialObs, len(targets))
	// One random label per probe: a name no cache or zone will have.
	nxName := fmt.Sprintf("dnshealth-%08x.%s", rand.Uint32(), zone)
	parallel(len(targets), func(i int) {
		results[i], sigObs[i], denials[i] = r.checkServerDNSSEC(ctx, zone, targets[i], ds, nxName)
	})

	var checked []*serverMaterial
	for i, s := range results {
		if s == nil || !s.checked {
			continue
		}
		checked = append(checked, s)
		d.Signatures = append(d.Signatures, sigObs[i]...)
		d.Denials = append(d.Denials, denials[i]...)
	}
	for _, o := range d.Signatures {
		if !o.Expiration.IsZero() && (d.EarliestExpiration.IsZero() || o.Expiration.Before(d.EarliestExpiration)) {
			d.EarliestExpiration = o.Expiration
		}
	}
	if len(checked) == 0 {
		return
	}
	r.compareKeys(zone, ds, checked, d)
	r.compareCDS(zone, ds, checked, d)

	secure := 0
	for _, s := range checked {
		if s.secure {
			secure++
		}
		if s.nsec3 != nil && d.NSEC3 == nil {
			d.NSEC3 = s.nsec3
		}
	}
	switch {
	case secure == len(checked):
		d.Status = DNSSECSecure
	case secure == 0:
		d.Status = DNSSECBogus
	default:
		d.Status = DNSSECBogus
		d.Intermittent = true
		r.addFinding(CheckDNSSECIntermittent, "", "", "%d of %d nameserver addresses serve data that validates and %d do not: validating resolvers SERVFAIL %s whenever they ask the others",
			secure, len(checked), len(checked)-secure, zoneLabel(zone))
	}
	if d.NSEC3 != nil {
		limited := false
		for _, f := range nsec3Findings(*d.NSEC3) {
			r.addFinding(f.check, "", "", "%s", f.message)
			limited = limited || f.check == CheckNSEC3IterationsLimit
		}
		// Above the validators' limits the answer is insecure, not bogus.
		if limited && d.Status == DNSSECSecure {
			d.Status = DNSSECInsecure
		}
	}
}

// checkServerDNSSEC checks one address: its DNSKEY RRset against the DS set,
// then the signatures over SOA, NS, DNSKEY, CDS/CDNSKEY and the module's
// records, then a proof of non-existence for a random name and for an
// absent type at the apex.
func (r *run) checkServerDNSSEC(ctx context.Context, zone string, s ServerResult, ds []*dns.DS, nxName string) (*serverMaterial, []SignatureObs, []DenialObs) {
	c := &serverCheck{r: r, ctx: ctx, zone: zone, s: s, secure: true,
		addr: netip.MustParseAddr(s.Address), ns: dns.Fqdn(s.Nameserver),
		out: &serverMaterial{name: s.Nameserver, addr: s.Address, signers: map[uint16]bool{}, keySigners: map[uint16]bool{}}}
	keyset, keySigs, ok := c.fetchKeys()
	if !ok {
		return c.out, nil, nil
	}
	c.trust(keyset, keySigs, ds)
	c.judge(zone, dns.TypeDNSKEY, keyset, keySigs)
	soaSet, soaSigs := validate.SplitSigs(s.soa.Answer, zone, dns.TypeSOA)
	c.judge(zone, dns.TypeSOA, soaSet, soaSigs)
	if s.ns != nil {
		nsSet, nsSigs := validate.SplitSigs(s.ns.Answer, zone, dns.TypeNS)
		c.judge(zone, dns.TypeNS, nsSet, nsSigs)
	}
	c.records()
	c.nsec3Param()
	c.cds()
	c.denials(nxName)
	c.out.secure = c.secure
	return c.out, c.obs, c.denied
}

// serverCheck is the DNSSEC check of one address of the zone, in progress.
type serverCheck struct {
	r      *run
	ctx    context.Context
	zone   string
	s      ServerResult
	addr   netip.Addr
	ns     string
	out    *serverMaterial
	keys   []*dns.DNSKEY // trusted, or the server's own when not
	secure bool
	obs    []SignatureObs
	denied []DenialObs
}

// ask sends qname/qtype with DO=1 to the address; nil when it failed.
func (c *serverCheck) ask(qname string, qtype uint16) *dns.Msg {
	rep := c.r.askDO(c.ctx, c.ns, c.addr, qname, qtype, true)
	if rep.err != nil {
		return nil
	}
	return rep.msg
}

// fetchKeys asks for the DNSKEY RRset and notes which keys sign it at
// all, trusted or not: a DS "matches" a key only if that key signs the
// set. A revoked key still signs the set (RFC 5011 section 2.1), so it is
// counted here, but it never validates anything below.
func (c *serverCheck) fetchKeys() ([]dns.RR, []*dns.RRSIG, bool) {
	keyMsg := c.ask(c.zone, dns.TypeDNSKEY)
	if keyMsg == nil {
		return nil, nil, false
	}
	c.out.checked = true
	keyset, keySigs := validate.SplitSigs(keyMsg.Answer, c.zone, dns.TypeDNSKEY)
	for _, rr := range keyset {
		c.out.keyset = append(c.out.keyset, rr.(*dns.DNSKEY))
	}
	if len(keyset) == 0 {
		c.r.addFinding(CheckDSUnsignedChild, c.s.Nameserver, c.s.Address, "the parent has DS records for %s but this server serves no DNSKEY: validators SERVFAIL the zone", zoneLabel(c.zone))
		return nil, nil, false
	}
	var zoneBit []*dns.DNSKEY
	for _, k := range c.out.keyset {
		if k.Flags&dns.ZONE != 0 {
			zoneBit = append(zoneBit, k)
		}
	}
	for _, t := range c.r.val.VerifyRRset(keyset, keySigs, zoneBit, c.zone, c.r.now).KeyTags {
		c.out.keySigners[t] = true
	}
	return keyset, keySigs, true
}

// trust validates the DNSKEY RRset through the parent's DS set (or the
// zone's trust anchor). Not trusted, the server is bogus; its other
// signatures are still checked with its own keys, for the expiry figures.
func (c *serverCheck) trust(keyset []dns.RR, keySigs []*dns.RRSIG, ds []*dns.DS) {
	keys, kv, err := c.r.val.TrustKeys(keyset, keySigs, ds, c.r.m.TrustAnchors.Keys[c.zone], c.zone, c.r.now)
	if err != nil {
		c.secure = false
		keys = zoneKeysOf(c.out.keyset)
		c.r.addFinding(checkOf(kv.Reason), c.s.Nameserver, c.s.Address, "the DNSKEY RRset this server serves is not trusted through the parent's DS: %v", err)
	}
	c.keys = keys
}

// judge verifies the signatures over one RRset with the trusted keys and
// raises what they show.
func (c *serverCheck) judge(owner string, qtype uint16, rrset []dns.RR, sigs []*dns.RRSIG) {
	r, s := c.r, c.s
	v := r.val.VerifyRRset(rrset, sigs, c.keys, c.zone, r.now)
	c.obs = append(c.obs, SignatureObs{Nameserver: s.Nameserver, Address: s.Address, Owner: owner, Type: dns.TypeToString[qtype],
		Expiration: v.Expiration, Inception: v.Inception, TTL: v.TTL, Valid: v.Valid, Detail: v.Detail})
	for _, t := range v.KeyTags {
		c.out.signers[t] = true
	}
	if !v.Valid {
		c.secure = false
		r.addFinding(checkOf(v.Reason), s.Nameserver, s.Address, "%s", v.Detail)
		return
	}
	if left := v.Expiration.Sub(r.now); left < time.Duration(v.TTL)*time.Second {
		r.addFinding(CheckRRSIGExpiresInTTL, s.Nameserver, s.Address, "the signature over %s %s expires in %s, sooner than its TTL of %ds: caches will hold it after it expires",
			zoneLabel(owner), dns.TypeToString[qtype], left.Round(time.Second), v.TTL)
	}
	if v.OrigTTL != 0 {
		r.addFinding(CheckRRSIGOrigTTL, s.Nameserver, s.Address, "%s %s is served with TTL %d, above its signature's original TTL %d: validators cap the TTL to %d",
			zoneLabel(owner), dns.TypeToString[qtype], v.TTL, v.OrigTTL, v.OrigTTL)
	}
	r.checkAlgorithms(s, owner, qtype, c.keys, v)
}

// records checks the signatures over the module's extra records.
func (c *serverCheck) records() {
	for _, rec := range c.r.m.Records {
		owner := rec.Name
		switch {
		case owner == "@":
			owner = c.zone
		case !dns.IsFqdn(owner):
			owner = strings.ToLower(owner) + "." + c.zone
		}
		if m := c.ask(owner, rec.qtype); m != nil {
			set, sigs := validate.SplitSigs(m.Answer, owner, rec.qtype)
			if len(set) > 0 {
				c.judge(owner, rec.qtype, set, sigs)
			}
		}
	}
}

// nsec3Param: NSEC3PARAM names the chain's parameters even where no proof
// was asked for; its signature is checked like any other RRset's.
func (c *serverCheck) nsec3Param() {
	if m := c.ask(c.zone, dns.TypeNSEC3PARAM); m != nil {
		if set, sigs := validate.SplitSigs(m.Answer, c.zone, dns.TypeNSEC3PARAM); len(set) > 0 {
			c.judge(c.zone, dns.TypeNSEC3PARAM, set, sigs)
			p := set[0].(*dns.NSEC3PARAM)
			c.out.nsec3 = &NSEC3Param{Iterations: p.Iterations, SaltLength: int(p.SaltLength)}
		}
	}
}

// cds collects and checks the CDS and CDNSKEY RRsets.
func (c *serverCheck) cds() {
	for _, t := range []uint16{dns.TypeCDS, dns.TypeCDNSKEY} {
		m := c.ask(c.zone, t)
		if m == nil {
			continue
		}
		set, sigs := validate.SplitSigs(m.Answer, c.zone, t)
		if len(set) == 0 {
			continue
		}
		c.judge(c.zone, t, set, sigs)
		for _, rr := range set {
			switch v := rr.(type) {
			case *dns.CDS:
				c.out.cds = append(c.out.cds, v)
			case *dns.CDNSKEY:
				c.out.cdnskey = append(c.out.cdnskey, v)
			}
		}
		c.out.cdsSigners = append(c.out.cdsSigners, c.r.val.VerifyRRset(set, sigs, c.keys, c.zone, c.r.now).KeyTags...)
	}
}

// denials asks for a name that does not exist and a type the apex lacks,
// and checks the proofs.
func (c *serverCheck) denials(nxName string) {
	s := c.s
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{nxName, dns.TypeA}, {c.zone, dns.TypeNULL}} {
		m := c.ask(q.name, q.qtype)
		if m == nil {
			continue
		}
		dv := c.r.val.VerifyDenial(m, c.zone, q.name, q.qtype, c.keys, c.r.now)
		c.denied = append(c.denied, DenialObs{Nameserver: s.Nameserver, Address: s.Address, Kind: dv.Kind, Qname: q.name, Qtype: dns.TypeToString[q.qtype], Valid: dv.Valid, Detail: dv.Detail})
		if dv.NSEC3 != nil {
			c.out.nsec3 = nsec3Param(dv.NSEC3) // as served in proofs, opt-out included
		}
		if !dv.Valid {
			c.secure = false
			c.r.addFinding(checkOf(dv.Reason), s.Nameserver, s.Address, "%s %s: %s", q.name, dns.TypeToString[q.qtype], dv.Detail)
		}
	}
}

// checkAlgorithms applies RFC 4035 section 2.2: every algorithm in the
// zone's DNSKEY RRset signs each RRset.
func (r *run) checkAlgorithms(s ServerResult, owner string, qtype uint16, keys []*dns.DNSKEY, v validate.SigVerdict) {
	var missing []string
	for _, k := range keys {
		if !v.Algorithms[k.Algorithm] && validate.AlgorithmSupported(k.Algorithm) && !slices.Contains(missing, fmt.Sprint(k.Algorithm)) {
			missing = append(missing, fmt.Sprint(k.Algorithm))
		}
	}
	if len(missing) > 0 {
		r.addFinding(CheckAlgorithmNotSigning, s.Nameserver, s.Address, "%s %s has no valid signature by algorithm %s, though the DNSKEY RRset has keys of it",
			zoneLabel(owner), dns.TypeToString[qtype], strings.Join(missing, ", "))
	}
}

// compareKeys compares the DNSKEY RRsets across servers and matches the DS
// set against them.
func (r *run) compareKeys(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) {
	if !r.compareKeySets(zone, checked, d) {
		return
	}
	r.matchDS(zone, ds, checked, d)
	r.dsAlgorithmsSign(zone, ds, d)
}

// compareKeySets compares the DNSKEY RRsets the addresses serve and lists
// their union in d; false when no address serves a key.
func (r *run) compareKeySets(zone string, checked []*serverMaterial, d *DNSSECReport) bool {
	sets := map[string]bool{}
	union := map[string]*dns.DNSKEY{}
	signers := map[uint16]bool{}
	for _, s := range checked {
		var ids []string
		for _, k := range s.keyset {
			id := fmt.Sprintf("%d/%d/%d/%s", k.KeyTag(), k.Algorithm, k.Flags, k.PublicKey)
			ids = append(ids, id)
			union[id] = k
		}
		sort.Strings(ids)
		sets[strings.Join(ids, ",")] = true
		for t := range s.signers {
			signers[t] = true
		}
	}
	consistent := len(sets) == 1
	d.DNSKEYConsistent = &consistent
	if len(union) == 0 {
		// No server serves a key: ds_unsigned_child already says so.
		f := false
		d.DSMatchesDNSKEY = &f
		return false
	}
	if !consistent {
		r.addFinding(CheckDNSKEYInconsistent, "", "", "the nameserver addresses of %s serve %d different DNSKEY RRsets", zoneLabel(zone), len(sets))
	}
	// Every key that signs anywhere must be published everywhere.
	for _, s := range checked {
		for t := range signers {
			if !slices.ContainsFunc(s.keyset, func(k *dns.DNSKEY) bool { return k.KeyTag() == t }) {
				r.addFinding(CheckSigningKeyMissing, s.name, s.addr, "key %d signs data on other servers but is not in this server's DNSKEY RRset", t)
			}
		}
	}

	ids := make([]string, 0, len(union))
	for id := range union {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	keySigners := map[uint16]bool{}
	for _, s := range checked {
		for t := range s.keySigners {
			keySigners[t] = true
		}
	}
	for _, id := range ids {
		k := union[id]
		d.DNSKEYs = append(d.DNSKEYs, KeyRecord{KeyTag: k.KeyTag(), Algorithm: k.Algorithm, Flags: k.Flags, SignsKeySet: keySigners[k.KeyTag()]})
	}
	return true
}

// matchDS: a DS is matched when its key is published and signs the
// DNSKEY RRset; the zone is reachable when one DS is matched on every
// server.
func (r *run) matchDS(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) {
	matchedEverywhere := false
	anyMatched := false
	unusable := map[int]bool{} // DS that point at a revoked or non-zone key
	for i, rec := range d.DS {
		var dsrr *dns.DS
		for _, x := range ds {
			if x.KeyTag == rec.KeyTag && x.Algorithm == rec.Algorithm && x.DigestType == rec.DigestType {
				dsrr = x
			}
		}
		if dsrr == nil {
			continue
		}
		everywhere := true
		for _, s := range checked {
			found := false
			for _, k := range s.keyset {
				if validate.DSMatches(dsrr, k) {
					if k.Flags&dns.REVOKE != 0 || k.Flags&dns.ZONE == 0 {
						unusable[i] = true
						r.addFinding(CheckDSKeyUnusable, s.name, s.addr, "DS %d matches a key that is revoked or not a zone key (flags %d): validators cannot use it", k.KeyTag(), k.Flags)
						continue
					}
					found = found || s.keySigners[k.KeyTag()]
				}
			}
			everywhere = everywhere && found
			if found {
				d.DS[i].Matched = true
				anyMatched = true
			}
		}
		matchedEverywhere = matchedEverywhere || everywhere
	}
	d.DSMatchesDNSKEY = &matchedEverywhere
	for i, rec := range d.DS {
		if !rec.Matched && anyMatched && !unusable[i] {
			r.addFinding(CheckDSUnmatched, "", "", "DS %d (algorithm %d, digest type %d) at the parent matches no DNSKEY that signs the DNSKEY RRset; another DS does, so resolvers still validate. Remove it at the registrar once the rollover is over",
				rec.KeyTag, rec.Algorithm, rec.DigestType)
		}
	}
	if !anyMatched {
		r.addFinding(CheckDSNoMatchingKey, "", "", "no DS at the parent (key tags %v) matches a DNSKEY that signs the DNSKEY RRset of %s (key tags %v): validators SERVFAIL the zone",
			dsTags(ds), zoneLabel(zone), keyRecordTags(d.DNSKEYs))
	}
}

// dsAlgorithmsSign applies RFC 4035 section 2.2 to the DS set.
func (r *run) dsAlgorithmsSign(zone string, ds []*dns.DS, d *DNSSECReport) {
	// RFC 4035 section 2.2 for the DS set: each algorithm in it signs the
	// DNSKEY RRset (validators may insist: Unbound's harden-algo-downgrade).
	for _, alg := range dsAlgorithms(ds) {
		signed := false
		for _, k := range d.DNSKEYs {
			signed = signed || (k.Algorithm == alg && k.SignsKeySet)
		}
		if !signed && validate.AlgorithmSupported(alg) {
			r.addFinding(CheckAlgorithmNotSigning, "", "", "the DS set has algorithm %d but no key of that algorithm signs the DNSKEY RRset of %s", alg, zoneLabel(zone))
		}
	}
}

// compareCDS checks CDS and CDNSKEY consistency across servers and against
// the DS set (RFC 7344, RFC 8078).
func (r *run) compareCDS(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) {
	sets := map[string]bool{}
	var published *serverMaterial
	for _, s := range checked {
		var ids []string
		for _, c := range s.cds {
			ids = append(ids, strings.ToLower(fmt.Sprintf("CDS %d %d %d %s", c.KeyTag, c.Algorithm, c.DigestType, c.Digest)))
		}
		for _, k := range s.cdnskey {
			ids = append(ids, fmt.Sprintf("CDNSKEY %d %d %d %s", k.Flags, k.Protocol, k.Algorithm, k.PublicKey))
		}
		sort.Strings(ids)
		sets[strings.Join(ids, ",")] = true
		if len(ids) > 0 && published == nil {
			published = s
		}
	}
	if published == nil {
		return
	}
	if len(sets) > 1 {
		r.addFinding(CheckCDSInconsistent, "", "", "the nameserver addresses of %s serve %d different CDS/CDNSKEY RRsets: a parent that requires consistency (draft-ietf-dnsop-cds-consistency) acts on none of them, an older one on whichever it asks", zoneLabel(zone), len(sets))
	}
	// The delete form (RFC 8078 section 4): CDS 0 0 0 00, CDNSKEY 0 3 0 AA==.
	for _, c := range published.cds {
		if c.Algorithm == 0 {
			r.cdsDelete(zone, d)
			return
		}
	}
	for _, k := range published.cdnskey {
		if k.Algorithm == 0 {
			r.cdsDelete(zone, d)
			return
		}
	}
	// Compare what each server asks for with the DS the parent has; the
	// parent may act on any server's CDS (RFC 7344 section 4.1).
	match := true
	var tags []uint16
	for _, s := range checked {
		if len(s.cds) == 0 && len(s.cdnskey) == 0 {
			continue
		}
		if !cdsMatches(s, ds) {
			match = false
			for _, c := range s.cds {
				tags = appendUniqueTag(tags, c.KeyTag)
			}
			for _, k := range s.cdnskey {
				tags = appendUniqueTag(tags, cdnskeyAsKey(k).KeyTag())
			}
		}
	}
	d.CDSMatchesDS = &match
	if !match {
		waiting := "a rollover is waiting for the parent to update the DS"
		if len(sets) > 1 {
			waiting = "the servers disagree, so the parent should not act until they agree"
		}
		r.addFinding(CheckCDSMismatchDS, "", "", "the CDS/CDNSKEY RRset of %s (key tags %v) differs from the DS at the parent (key tags %v): %s", zoneLabel(zone), tags, dsTags(ds), waiting)
	}
	// The CDS/CDNSKEY RRsets must be signed by a key the current DS trusts.
	for _, s := range checked {
		if len(s.cds) == 0 && len(s.cdnskey) == 0 {
			continue
		}
		trusted := false
		for _, t := range s.cdsSigners {
			for _, k := range s.keyset {
				if k.KeyTag() == t && slices.ContainsFunc(ds, func(x *dns.DS) bool { return validate.DSMatches(x, k) }) {
					trusted = true
				}
			}
		}
		if !trusted {
			r.addFinding(CheckCDSNotSignedByDSKey, s.name, s.addr, "the CDS/CDNSKEY RRset is not signed by a key that the DS at the parent matches: the parent must ignore it (RFC 7344 section 4.1)")
		}
	}
}

// cdsMatches reports whether a server's CDS/CDNSKEY RRsets ask for exactly
// the DS set the parent has. CDNSKEY keys are hashed with the digest types
// the DS set uses.
func cdsMatches(s *serverMaterial, ds []*dns.DS) bool {
	wanted := map[string]bool{}
	for _, c := range s.cds {
		wanted[dsID(&c.DS)] = true
	}
	for _, k := range s.cdnskey {
		for _, t := range dsDigestTypes(ds) {
			if x := cdnskeyAsKey(k).ToDS(t); x != nil {
				wanted[dsID(x)] = true
			}
		}
	}
	have := map[string]bool{}
	for _, x := range ds {
		have[dsID(x)] = true
	}
	for id := range wanted {
		if !have[id] {
			return false
		}
	}
	// A CDS set names the DS set exactly.
	return len(s.cds) == 0 || len(wanted) == len(have)
}

func appendUniqueTag(tags []uint16, t uint16) []uint16 {
	if slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

func (r *run) cdsDelete(zone string, d *DNSSECReport) {
	r.addFinding(CheckCDSDelete, "", "", "%s publishes the CDS/CDNSKEY delete form: it asks the parent to remove the DS and make the zone insecure", zoneLabel(zone))
	f := false
	d.CDSMatchesDS = &f
}

// cdnskeyAsKey reads a CDNSKEY as the DNSKEY it names, owned by the zone,
// so its key tag and DS digests can be computed.
func cdnskeyAsKey(c *dns.CDNSKEY) *dns.DNSKEY {
	k := c.DNSKEY
	k.Hdr.Rrtype = dns.TypeDNSKEY
	return &k
}

func dsID(x *dns.DS) string {
	return strings.ToLower(fmt.Sprintf("%d %d %d %s", x.KeyTag, x.Algorithm, x.DigestType, x.Digest))
}

func dsDigestTypes(ds []*dns.DS) []uint8 {
	var out []uint8
	for _, x := range ds {
		if validate.DigestSupported(x.DigestType) && !slices.Contains(out, x.DigestType) {
			out = append(out, x.DigestType)
		}
	}
	if len(out) == 0 {
		out = []uint8{dns.SHA256}
	}
	return out
}

func asDS(set []dns.RR) []*dns.DS {
	var out []*dns.DS
	for _, rr := range set {
		if ds, ok := rr.(*dns.DS); ok {
			out = append(out, ds)
		}
	}
	return out
}

func zoneKeysOf(keys []*dns.DNSKEY) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, k := range keys {
		if k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 {
			out = append(out, k)
		}
	}
	return out
}

func sameDS(a, b *dns.DS) bool {
	return a.KeyTag == b.KeyTag && a.Algorithm == b.Algorithm && a.DigestType == b.DigestType && strings.EqualFold(a.Digest, b.Digest)
}

func dsAlgorithms(ds []*dns.DS) []uint8 {
	var out []uint8
	for _, d := range ds {
		if !slices.Contains(out, d.Algorithm) {
			out = append(out, d.Algorithm)
		}
	}
	slices.Sort(out)
	return out
}

func dsTags(ds []*dns.DS) []uint16 {
	var out []uint16
	for _, d := range ds {
		out = append(out, d.KeyTag)
	}
	return out
}

func keyTags(keys []*dns.DNSKEY) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.KeyTag())
	}
	return out
}

func keyRecordTags(keys []KeyRecord) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.KeyTag)
	}
	return out
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
