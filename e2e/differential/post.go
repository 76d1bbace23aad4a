package main

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Post-processing of a signed zone, in Go, for the shapes neither signer
// makes: signatures from keys that are not published (algorithm rollover's
// "new RRSIGs" stage), missing RRSIGs, wrong signer names, one RRset with a
// different window, an inception after the expiration.

type rrsetKey struct {
	name string
	t    uint16
}

// authoritative reports whether an RRset is one the zone signs: anything at
// the apex, and below it anything but NS and glue at or under a delegation
// (a delegation point's DS and NSEC are signed).
func authoritative(zone string, rrs []dns.RR, k rrsetKey) bool {
	if k.t == dns.TypeRRSIG {
		return false
	}
	if dns.CanonicalName(k.name) == dns.CanonicalName(zone) {
		return true
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeNS || dns.CanonicalName(rr.Header().Name) == dns.CanonicalName(zone) {
			continue
		}
		cut := rr.Header().Name
		if dns.IsSubDomain(cut, k.name) {
			if dns.CanonicalName(cut) == dns.CanonicalName(k.name) && (k.t == dns.TypeDS || k.t == dns.TypeNSEC) {
				return true
			}
			return false
		}
	}
	return true
}

func rrsets(rrs []dns.RR) (map[rrsetKey][]dns.RR, []rrsetKey) {
	m := map[rrsetKey][]dns.RR{}
	var order []rrsetKey
	for _, rr := range rrs {
		k := rrsetKey{dns.CanonicalName(rr.Header().Name), rr.Header().Rrtype}
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = append(m[k], rr)
	}
	return m, order
}

func (g *Gen) makeSig(rrset []dns.RR, k *genKey, signer string, inc, exp int64) (*dns.RRSIG, error) {
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: rrset[0].Header().Ttl},
		Algorithm:  k.rr.Algorithm,
		KeyTag:     k.rr.KeyTag(),
		SignerName: strings.ToLower(signer),
		Inception:  uint32(g.Now.Unix() + inc),
		Expiration: uint32(g.Now.Unix() + exp),
	}
	if err := sig.Sign(k.priv, rrset); err != nil {
		return nil, fmt.Errorf("signing %s/%s with key %s: %w", rrset[0].Header().Name, dns.TypeToString[rrset[0].Header().Rrtype], k.ID, err)
	}
	return sig, nil
}

func ownerMatch(zone, owner string, name string) bool {
	return owner == "" || dns.CanonicalName(rel(zone, owner)) == dns.CanonicalName(name)
}

func isDenial(t uint16) bool { return t == dns.TypeNSEC || t == dns.TypeNSEC3 }

// keyOfSig finds the key that made sig over rrset (by tag and algorithm,
// and by verifying when tags collide).
func keyOfSig(sig *dns.RRSIG, rrset []dns.RR, keys map[string]*genKey) *genKey {
	var cands []*genKey
	for _, id := range sortedIDs(keys) {
		k := keys[id]
		if k.rr.KeyTag() == sig.KeyTag && k.rr.Algorithm == sig.Algorithm {
			cands = append(cands, k)
		}
	}
	for _, k := range cands {
		if sig.Verify(k.rr, rrset) == nil {
			return k
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return nil
}

func (g *Gen) post(v Variant, zone string, rrs []dns.RR, keys map[string]*genKey, goSigners []*genKey) ([]dns.RR, error) {
	sets, order := rrsets(rrs)
	// Signatures of the keys that sign without being published.
	for _, k := range goSigners {
		for _, sk := range order {
			if !authoritative(zone, rrs, sk) || (k.KSK != (sk.t == dns.TypeDNSKEY)) {
				continue
			}
			sig, err := g.makeSig(sets[sk], k, zone, v.Inc, v.Exp)
			if err != nil {
				return nil, err
			}
			rrs = append(rrs, sig)
		}
	}
	for _, p := range v.Post {
		switch p.Op {
		case "dropsig":
			var kept []dns.RR
			dropped := 0
			for _, rr := range rrs {
				sig, ok := rr.(*dns.RRSIG)
				if ok && ownerMatch(zone, p.Owner, sig.Hdr.Name) &&
					((p.Arg == "denial" && isDenial(sig.TypeCovered)) || (p.Arg != "denial" && sig.TypeCovered == p.Type)) &&
					(p.KeyID == "" || (keys[p.KeyID].rr.KeyTag() == sig.KeyTag && keys[p.KeyID].rr.Algorithm == sig.Algorithm)) {
					dropped++
					continue
				}
				kept = append(kept, rr)
			}
			if dropped == 0 {
				return nil, fmt.Errorf("dropsig %s %s: no RRSIG to drop", p.Owner, dns.TypeToString[p.Type])
			}
			rrs = kept
		case "addsig":
			set := sets[rrsetKey{dns.CanonicalName(rel(zone, p.Owner)), p.Type}]
			if len(set) == 0 {
				return nil, fmt.Errorf("addsig: no %s %s RRset", p.Owner, dns.TypeToString[p.Type])
			}
			sig, err := g.makeSig(set, keys[p.KeyID], zone, v.Inc, v.Exp)
			if err != nil {
				return nil, err
			}
			rrs = append(rrs, sig)
		case "signer", "window":
			n := 0
			for i, rr := range rrs {
				sig, ok := rr.(*dns.RRSIG)
				if !ok || sig.TypeCovered != p.Type || !ownerMatch(zone, p.Owner, sig.Hdr.Name) {
					continue
				}
				set := sets[rrsetKey{dns.CanonicalName(sig.Hdr.Name), sig.TypeCovered}]
				k := keyOfSig(sig, set, keys)
				if k == nil {
					return nil, fmt.Errorf("%s: no key for the RRSIG %s", p.Op, sig)
				}
				signer, inc, exp := zone, v.Inc, v.Exp
				if p.Op == "window" {
					inc, exp = p.Inc, p.Exp
				} else {
					switch p.Arg {
					case "parent":
						signer = TLD
					case "child":
						signer = "sub." + zone
					case "other":
						signer = "other-zone." + TLD
					case "case":
						signer = zone // the signature over the canonical (lower-case) name; the field in upper case below
					}
				}
				ns, err := g.makeSig(set, k, signer, inc, exp)
				if err != nil {
					return nil, err
				}
				if p.Op == "signer" {
					if p.Arg == "case" {
						ns.SignerName = strings.ToUpper(zone)
					} else {
						ns.SignerName = signer
					}
				}
				rrs[i] = ns
				n++
			}
			if n == 0 {
				return nil, fmt.Errorf("%s %s %s: no RRSIG to replace", p.Op, p.Owner, dns.TypeToString[p.Type])
			}
		case "dsbad", "unsign":
			// the parent's side (Build), or no signing at all
		default:
			return nil, fmt.Errorf("unknown post-processing %q", p.Op)
		}
	}
	return rrs, nil
}
