package probe

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// Judgements across the zone's addresses: their DNSKEY RRsets, the DS set
// against them, and CDS/CDNSKEY against the DS set.

// compareKeys compares the DNSKEY RRsets across servers and matches the DS
// set against them.
func compareKeys(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) []raised {
	fs, ok := compareKeySets(zone, checked, d)
	if !ok || keySignersCut(checked) {
		return fs
	}
	fs = append(fs, matchDS(zone, ds, checked, d)...)
	return append(fs, dsAlgorithmsSign(zone, ds, d)...)
}

// compareKeySets compares the DNSKEY RRsets the addresses serve and lists
// their union in d; false when no address serves a key.
func compareKeySets(zone string, checked []*serverMaterial, d *DNSSECReport) ([]raised, bool) {
	var fs []raised
	sets := map[string]bool{}
	union := map[string]*dns.DNSKEY{}
	signers := map[keyRef]bool{}
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
		return fs, false
	}
	if !consistent {
		fs = append(fs, raise(CheckDNSKEYInconsistent, "", "", "the nameserver addresses of %s serve %d different DNSKEY RRsets", zoneLabel(zone), len(sets)))
	}
	// Every key that signs anywhere must be published everywhere.
	for _, s := range checked {
		for t := range signers {
			if !publishes(s.keyset, t) {
				fs = append(fs, raise(CheckSigningKeyMissing, s.name, s.addr, "key %d (algorithm %d) signs data on other servers but is not in this server's DNSKEY RRset", t.tag, t.alg))
			}
		}
	}

	ids := make([]string, 0, len(union))
	for id := range union {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	keySigners := map[keyRef]bool{}
	for _, s := range checked {
		for t := range s.keySigners {
			keySigners[t] = true
		}
	}
	for _, id := range ids {
		k := union[id]
		d.DNSKEYs = append(d.DNSKEYs, KeyRecord{KeyTag: k.KeyTag(), Algorithm: k.Algorithm, Flags: k.Flags, SignsKeySet: keySigners[refOf(k)]})
	}
	return fs, true
}

// matchDS: a DS is matched when its key is published and signs the
// DNSKEY RRset; the zone is reachable when on every server some DS is
// matched. Each server may match another DS: the signers of a
// multi-signer zone each sign with their own KSK (RFC 8901 model 2).
func matchDS(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) []raised {
	var fs []raised
	matchedOn := make([]bool, len(checked))
	anyMatched := false
	// DS that point at a revoked or non-zone key, or that validators set
	// aside (validate.UsableDS: a weaker digest beside a stronger one, an
	// algorithm they cannot validate): none of them is "unmatched".
	unusable := map[int]bool{}
	for i, rec := range d.DS {
		// By digest too, not by tag: key tags collide.
		var dsrr *dns.DS
		want := &dns.DS{KeyTag: rec.KeyTag, Algorithm: rec.Algorithm, DigestType: rec.DigestType, Digest: rec.digest}
		for _, x := range ds {
			if sameDS(x, want) {
				dsrr = x
			}
		}
		if dsrr == nil {
			unusable[i] = true
			continue
		}
		for j, s := range checked {
			found := false
			for _, k := range s.keyset {
				if validate.DSMatches(dsrr, k) {
					if k.Flags&dns.REVOKE != 0 || k.Flags&dns.ZONE == 0 {
						unusable[i] = true
						fs = append(fs, raise(CheckDSKeyUnusable, s.name, s.addr, "DS %d matches a key that is %s (flags %d): %s", k.KeyTag(), unusableWhy(k), k.Flags, unusableWho(k)))
						continue
					}
					found = found || s.keySigners[refOf(k)]
				}
			}
			if found {
				d.DS[i].Matched = true
				anyMatched = true
				matchedOn[j] = true
			}
		}
	}
	matchedEverywhere := len(checked) > 0 && !slices.Contains(matchedOn, false)
	d.DSMatchesDNSKEY = &matchedEverywhere
	for i, rec := range d.DS {
		if !rec.Matched && anyMatched && !unusable[i] {
			fs = append(fs, raise(CheckDSUnmatched, "", "", "DS %d (algorithm %d, digest type %d) at the parent matches no DNSKEY that signs the DNSKEY RRset; another DS does, so resolvers still validate. Remove it at the registrar once the rollover is over",
				rec.KeyTag, rec.Algorithm, rec.DigestType))
		}
	}
	if !anyMatched {
		fs = append(fs, raise(CheckDSNoMatchingKey, "", "", "no DS at the parent (key tags %v) matches a DNSKEY that signs the DNSKEY RRset of %s (key tags %v): validators SERVFAIL the zone",
			dsTags(ds), zoneLabel(zone), keyRecordTags(d.DNSKEYs)))
	}
	return fs
}

// dsAlgorithmsSign applies RFC 4035 section 2.2 to the DS set.
func dsAlgorithmsSign(zone string, ds []*dns.DS, d *DNSSECReport) []raised {
	var fs []raised
	// RFC 4035 section 2.2 for the DS set: each algorithm in it signs the
	// DNSKEY RRset (validators may insist: Unbound's harden-algo-downgrade).
	for _, alg := range dsAlgorithms(ds) {
		signed := false
		for _, k := range d.DNSKEYs {
			signed = signed || (k.Algorithm == alg && k.SignsKeySet)
		}
		if !signed && validate.AlgorithmSupported(alg) {
			fs = append(fs, raise(CheckAlgorithmNotSigning, "", "", "the DS set has algorithm %d but no key of that algorithm signs the DNSKEY RRset of %s", alg, zoneLabel(zone)))
		}
	}
	return fs
}

// compareCDS checks CDS and CDNSKEY consistency across servers and against
// the DS set (RFC 7344, RFC 8078).
func compareCDS(zone string, ds []*dns.DS, checked []*serverMaterial, d *DNSSECReport) []raised {
	var fs []raised
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
		return nil
	}
	if len(sets) > 1 {
		fs = append(fs, raise(CheckCDSInconsistent, "", "", "the nameserver addresses of %s serve %d different CDS/CDNSKEY RRsets: a parent that requires consistency (draft-ietf-dnsop-cds-consistency) acts on none of them, an older one on whichever it asks", zoneLabel(zone), len(sets)))
	}
	// The delete form (RFC 8078 section 4): CDS 0 0 0 00, CDNSKEY 0 3 0 AA==.
	for _, c := range published.cds {
		if c.Algorithm == 0 {
			return append(fs, cdsDelete(zone, d))
		}
	}
	for _, k := range published.cdnskey {
		if k.Algorithm == 0 {
			return append(fs, cdsDelete(zone, d))
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
		fs = append(fs, raise(CheckCDSMismatchDS, "", "", "the CDS/CDNSKEY RRset of %s (key tags %v) differs from the DS at the parent (key tags %v): %s", zoneLabel(zone), tags, dsTags(ds), waiting))
	}
	// The CDS/CDNSKEY RRsets must be signed by a key the current DS trusts.
	for _, s := range checked {
		if len(s.cds) == 0 && len(s.cdnskey) == 0 {
			continue
		}
		trusted := false
		for _, t := range s.cdsSigners {
			for _, k := range s.keyset {
				if refOf(k) == t && slices.ContainsFunc(ds, func(x *dns.DS) bool { return validate.DSMatches(x, k) }) {
					trusted = true
				}
			}
		}
		if !trusted {
			fs = append(fs, raise(CheckCDSNotSignedByDSKey, s.name, s.addr, "the CDS/CDNSKEY RRset is not signed by a key that the DS at the parent matches: the parent must ignore it (RFC 7344 section 4.1)"))
		}
	}
	return fs
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

// cdsDelete notes the CDS/CDNSKEY delete form (RFC 8078 section 4).
func cdsDelete(zone string, d *DNSSECReport) raised {
	f := false
	d.CDSMatchesDS = &f
	return raise(CheckCDSDelete, "", "", "%s publishes the CDS/CDNSKEY delete form: it asks the parent to remove the DS and make the zone insecure", zoneLabel(zone))
}

// unusableWhy says what keeps a DS's key from use.
func unusableWhy(k *dns.DNSKEY) string {
	if k.Flags&dns.ZONE == 0 {
		return "not a zone key"
	}
	return "revoked"
}

// unusableWho says which validators refuse the key: every one for a key
// without the Zone flag (RFC 4034 section 2.1.1); for a revoked key, those
// that apply RFC 5011 section 2.1 beyond their trust anchors
// (docs/differential.md).
func unusableWho(k *dns.DNSKEY) string {
	if k.Flags&dns.ZONE == 0 {
		return "validators cannot use it"
	}
	return "RFC 5011 forbids validating with it and Knot Resolver refuses it (SERVFAIL); Unbound and, for most algorithms, BIND still follow the DS to it"
}
