package probe

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// serverMaterial is what one address of the zone served, judged with the
// keys its own DNSKEY RRset holds (trusted through the parent's DS).
type serverMaterial struct {
	name, addr string
	secure     bool
	checked    bool // false when its DNSKEY could not be fetched
	keyset     []*dns.DNSKEY
	// keySigners are the keys whose signatures over the DNSKEY RRset
	// verify, trusted or not.
	keySigners map[keyRef]bool
	cds        []*dns.CDS
	cdnskey    []*dns.CDNSKEY
	cdsSigners []keyRef        // keys whose signatures over CDS and CDNSKEY verify
	signers    map[keyRef]bool // keys that made valid signatures
	nsec3      *NSEC3Param
	roll       rolloverNotes // for the rollover classifier (rollover_engine.go)

	// keySignersCut: a validation bound stopped the keySigners check, so
	// it may miss keys that do sign.
	keySignersCut bool
}

// serverJudgement is the DNSSEC judgement of one address, in progress.
type serverJudgement struct {
	j        dnssecJudge
	zone     string
	s        *ServerResult
	out      *serverMaterial
	keys     []*dns.DNSKEY // trusted, or the server's own when not
	secure   bool
	obs      []SignatureObs
	denied   []DenialObs
	findings []raised
}

func (c *serverJudgement) raise(check CheckID, format string, args ...any) {
	c.findings = append(c.findings, raise(check, c.s.Nameserver, c.s.Address, format, args...))
}

// judgeServer judges one address: its DNSKEY RRset against the DS set,
// then the signatures over SOA, NS, DNSKEY, CDS/CDNSKEY and the module's
// records, then the proofs of non-existence for a random name and for an
// absent type at the apex.
func (j dnssecJudge) judgeServer(o *dnssecObs, s *serverObs, ds []*dns.DS) *serverJudgement {
	c := &serverJudgement{j: j, zone: o.zone, s: s.result, secure: true,
		out: &serverMaterial{name: s.result.Nameserver, addr: s.result.Address, signers: map[keyRef]bool{}, keySigners: map[keyRef]bool{}}}
	a := s.dnssec
	keyset, keySigs, ok := c.keySet(a.dnskey)
	if !ok {
		return c
	}
	c.trust(keyset, keySigs, ds, o.anchors.Keys[o.zone])
	c.judge(o.zone, dns.TypeDNSKEY, keyset, keySigs)
	soaSet, soaSigs := validate.SplitSigs(s.soa.Answer, o.zone, dns.TypeSOA)
	c.judge(o.zone, dns.TypeSOA, soaSet, soaSigs)
	if s.ns != nil {
		nsSet, nsSigs := validate.SplitSigs(s.ns.Answer, o.zone, dns.TypeNS)
		c.judge(o.zone, dns.TypeNS, nsSet, nsSigs)
	}
	for _, rec := range a.records {
		if rec.msg == nil {
			continue
		}
		if set, sigs := validate.SplitSigs(rec.msg.Answer, rec.owner, rec.qtype); len(set) > 0 {
			c.judge(rec.owner, rec.qtype, set, sigs)
		} else {
			c.recordAlias(rec.msg, rec.owner, rec.qtype)
		}
	}
	c.nsec3Param(a.nsec3param)
	c.cds(a.cds, dns.TypeCDS)
	c.cds(a.cdnskey, dns.TypeCDNSKEY)
	for _, q := range a.denials {
		c.denial(q)
	}
	c.out.secure = c.secure
	return c
}

// keySet reads the DNSKEY RRset and notes which keys sign it at all,
// trusted or not: a DS "matches" a key only if that key signs the set. A
// revoked key still signs the set (RFC 5011 section 2.1), so it is counted
// here, but it never validates anything below.
func (c *serverJudgement) keySet(keyMsg *dns.Msg) ([]dns.RR, []*dns.RRSIG, bool) {
	if keyMsg == nil {
		return nil, nil, false
	}
	c.out.checked = true
	keyset, keySigs := validate.SplitSigs(keyMsg.Answer, c.zone, dns.TypeDNSKEY)
	for _, rr := range keyset {
		c.out.keyset = append(c.out.keyset, rr.(*dns.DNSKEY))
	}
	if len(keyset) == 0 {
		c.raise(CheckDSUnsignedChild, "the parent has DS records for %s but this server serves no DNSKEY: validators SERVFAIL the zone", zoneLabel(c.zone))
		return nil, nil, false
	}
	var zoneBit []*dns.DNSKEY
	for _, k := range c.out.keyset {
		if k.Flags&dns.ZONE != 0 {
			zoneBit = append(zoneBit, k)
		}
	}
	c.tagCollisions(zoneBit)
	v := c.j.val.VerifyRRset(keyset, keySigs, zoneBit, c.zone, c.j.now)
	for _, k := range v.Keys {
		c.out.keySigners[refOf(k)] = true
	}
	c.out.keySignersCut = v.Reason == validate.LimitExceeded
	return keyset, keySigs, true
}

// tagCollisions raises zone keys that share an algorithm and a key tag.
// An RRSIG names its key by those two alone; Unbound and the exporter try
// each candidate, but BIND, since its fix for CVE-2023-50387, stops at the
// first signature check that fails, so it fails the zone whenever it tries
// the wrong key first (docs/differential.md, key-tag collisions).
func (c *serverJudgement) tagCollisions(zoneKeys []*dns.DNSKEY) {
	type id struct {
		alg uint8
		tag uint16
	}
	first := map[id]*dns.DNSKEY{}
	raised := map[id]bool{}
	for _, k := range zoneKeys {
		i := id{k.Algorithm, k.KeyTag()}
		f, ok := first[i]
		if !ok {
			first[i] = k
			continue
		}
		if raised[i] {
			continue
		}
		raised[i] = true
		c.raise(CheckDNSKEYTagCollision, "two DNSKEYs (flags %d and %d) share algorithm %d and key tag %d: BIND resolvers stop at the first of them that fails to verify a signature, so they fail the zone when they try the wrong one. Replace one of the two keys",
			f.Flags, k.Flags, i.alg, i.tag)
	}
}

// trust validates the DNSKEY RRset through the parent's DS set (or the
// zone's trust anchor). Not trusted, the server is bogus; its other
// signatures are still checked with its own keys, for the expiry figures.
func (c *serverJudgement) trust(keyset []dns.RR, keySigs []*dns.RRSIG, ds []*dns.DS, anchorKeys []*dns.DNSKEY) {
	keys, kv, err := c.j.val.TrustKeys(keyset, keySigs, ds, anchorKeys, c.zone, c.j.now)
	if err != nil {
		c.secure = false
		keys = zoneKeysOf(c.out.keyset)
		c.raise(checkOf(kv.Reason), "the DNSKEY RRset this server serves is not trusted through the parent's DS: %v", err)
	}
	c.keys = keys
}

// judge verifies the signatures over one RRset with the trusted keys and
// raises what they show.
func (c *serverJudgement) judge(owner string, qtype uint16, rrset []dns.RR, sigs []*dns.RRSIG) {
	now, s := c.j.now, c.s
	v := c.j.val.VerifyRRset(rrset, sigs, c.keys, c.zone, now)
	c.obs = append(c.obs, SignatureObs{Nameserver: s.Nameserver, Address: s.Address, Owner: owner, Type: dns.TypeToString[qtype],
		Expiration: v.Expiration, Inception: v.Inception, TTL: v.TTL, Valid: v.Valid, Detail: v.Detail})
	for _, k := range v.Keys {
		c.out.signers[refOf(k)] = true
	}
	c.noteRollover(qtype, rrset, sigs, v)
	if !v.Valid {
		c.secure = false
		c.raise(checkOf(v.Reason), "%s", v.Detail)
		return
	}
	if left := v.Expiration.Sub(now); left < time.Duration(v.TTL)*time.Second {
		c.raise(CheckRRSIGExpiresInTTL, "the signature over %s %s expires in %s, sooner than its TTL of %ds: caches will hold it after it expires",
			zoneLabel(owner), dns.TypeToString[qtype], left.Round(time.Second), v.TTL)
	}
	if v.OrigTTL != 0 {
		c.raise(CheckRRSIGOrigTTL, "%s %s is served with TTL %d, above its signature's original TTL %d: validators cap the TTL to %d",
			zoneLabel(owner), dns.TypeToString[qtype], v.TTL, v.OrigTTL, v.OrigTTL)
	}
	if missing := missingAlgorithms(c.keys, v); len(missing) > 0 {
		c.raise(CheckAlgorithmNotSigning, "%s %s has no valid signature by algorithm %s, though the DNSKEY RRset has keys of it",
			zoneLabel(owner), dns.TypeToString[qtype], strings.Join(missing, ", "))
	}
}

// missingAlgorithms applies RFC 4035 section 2.2: every algorithm in the
// zone's DNSKEY RRset signs each RRset.
func missingAlgorithms(keys []*dns.DNSKEY, v validate.SigVerdict) []string {
	var missing []string
	for _, k := range keys {
		if !v.Algorithms[k.Algorithm] && validate.AlgorithmSupported(k.Algorithm) && !slices.Contains(missing, fmt.Sprint(k.Algorithm)) {
			missing = append(missing, fmt.Sprint(k.Algorithm))
		}
	}
	return missing
}

// nsec3Param: NSEC3PARAM names the chain's parameters even where no proof
// was asked for; its signature is checked like any other RRset's.
func (c *serverJudgement) nsec3Param(m *dns.Msg) {
	if m == nil {
		return
	}
	if set, sigs := validate.SplitSigs(m.Answer, c.zone, dns.TypeNSEC3PARAM); len(set) > 0 {
		c.judge(c.zone, dns.TypeNSEC3PARAM, set, sigs)
		p := set[0].(*dns.NSEC3PARAM)
		c.out.nsec3 = &NSEC3Param{Iterations: p.Iterations, SaltLength: int(p.SaltLength)}
	}
}

// cds collects and checks a CDS or CDNSKEY RRset.
func (c *serverJudgement) cds(m *dns.Msg, t uint16) {
	if m == nil {
		return
	}
	set, sigs := validate.SplitSigs(m.Answer, c.zone, t)
	if len(set) == 0 {
		return
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
	c.out.cdsSigners = append(c.out.cdsSigners, refsOf(c.j.val.VerifyRRset(set, sigs, c.keys, c.zone, c.j.now).Keys)...)
}

// denial checks one proof of non-existence.
func (c *serverJudgement) denial(q denialAnswer) {
	if q.msg == nil {
		return
	}
	s := c.s
	dv := c.j.val.VerifyDenial(q.msg, c.zone, q.qname, q.qtype, c.keys, c.j.now)
	c.denied = append(c.denied, DenialObs{Nameserver: s.Nameserver, Address: s.Address, Kind: dv.Kind, Qname: q.qname, Qtype: dns.TypeToString[q.qtype], Valid: dv.Valid, Detail: dv.Detail})
	if dv.NSEC3 != nil {
		c.out.nsec3 = nsec3Param(dv.NSEC3) // as served in proofs, opt-out included
	}
	if !dv.Valid {
		c.secure = false
		c.raise(checkOf(dv.Reason), "%s %s: %s", q.qname, dns.TypeToString[q.qtype], dv.Detail)
	}
}
