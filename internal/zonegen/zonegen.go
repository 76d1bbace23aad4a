// Package zonegen makes signed zones of any size for tests and benchmarks
// of the whole-zone sweep: an apex, a secure and an insecure delegation
// with glue, a sub-tree of names under sub.<zone>, and Names leaf names,
// signed with one Ed25519 key (a CSK, flags 257) and chained with NSEC
// or NSEC3. Faults can be set per name. Records are emitted in canonical
// order, one name after another, to a callback: a zone of a million
// records is never held in memory (NSEC3 zones hold their hashes).
package zonegen

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// Fault is what is wrong with the signatures of one name.
type Fault int

// Faults.
const (
	OK Fault = iota
	// Expired: the name's RRSIGs expired a day before Now.
	Expired
	// Unsigned: the name's RRsets have no RRSIG.
	Unsigned
	// BadSig: the RRSIGs over the name's data (not its NSEC) do not
	// verify (a changed byte).
	BadSig
	// NoNSEC: the name has no NSEC, so the chain has a gap.
	NoNSEC
)

// Zone describes the zone to make.
type Zone struct {
	Origin string // fully qualified, lower case
	// Names is the number of leaf names hNNNNNNN.<origin>, each with an A
	// record.
	Names int
	// Sub is the number of names xN.sub.<origin> (sub.<origin> itself has
	// no data: an empty non-terminal).
	Sub int
	// Now is the signing time: signatures are valid from an hour before
	// it for Validity (default 14 days), and the SOA serial is its Unix
	// time.
	Now      time.Time
	Validity time.Duration
	// NSEC3 chains with NSEC3 (SHA-1, no salt, 0 iterations, RFC 9276)
	// rather than NSEC.
	NSEC3 bool
	// Fault, when set, says what to break at a name.
	Fault func(name string) Fault
	// Expiring, when set, gives a name's signatures a shorter validity.
	Expiring func(name string) (time.Duration, bool)
}

// Key is the zone's signing key.
type Key struct {
	DNSKEY *dns.DNSKEY
	priv   crypto.Signer
}

// NewKey makes a deterministic Ed25519 CSK for origin from seed.
func NewKey(origin string, seed byte) *Key {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	priv := ed25519.NewKeyFromSeed(s)
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 257, Protocol: 3, Algorithm: dns.ED25519}
	k.PublicKey = toBase64(priv.Public().(ed25519.PublicKey))
	return &Key{DNSKEY: k, priv: priv}
}

// name is one owner name with its unsigned RRsets.
type name struct {
	owner string
	sets  [][]dns.RR
	cut   bool // a delegation: only DS (and NSEC) are signed
	glue  bool // below a cut: not signed, no NSEC
	ent   bool // an empty non-terminal (NSEC3 only)
}

// Generate emits every record of the zone to emit, in canonical order,
// beginning with the SOA. It returns the number of records emitted.
func Generate(z Zone, key *Key, emit func(dns.RR) error) (int, error) {
	origin := dns.Fqdn(strings.ToLower(z.Origin))
	if z.Validity == 0 {
		z.Validity = 14 * 24 * time.Hour
	}
	names := z.names(origin, key)
	var hashes []string
	var byHash map[string]*name
	if z.NSEC3 {
		byHash = map[string]*name{}
		for _, n := range names {
			if n.glue {
				continue
			}
			h := strings.ToUpper(dns.HashName(n.owner, dns.SHA1, 0, ""))
			hashes = append(hashes, h)
			byHash[h] = n
		}
		sort.Strings(hashes)
	}
	count := 0
	out := func(rr dns.RR) error {
		count++
		return emit(rr)
	}
	// Only names that are not glue take part in the NSEC chain.
	var chain []*name
	for _, n := range names {
		if !n.glue && !n.ent {
			chain = append(chain, n)
		}
	}
	ci := 0
	for _, n := range names {
		fault := OK
		if z.Fault != nil {
			fault = z.Fault(n.owner)
		}
		sets := n.sets
		if !z.NSEC3 && !n.glue && !n.ent {
			next := chain[(ci+1)%len(chain)].owner
			ci++
			if fault != NoNSEC {
				sets = append(sets, []dns.RR{nsecFor(n, next)})
			}
		}
		for _, set := range sets {
			for _, rr := range set {
				if err := out(rr); err != nil {
					return count, err
				}
			}
			if n.glue || n.ent || (n.cut && set[0].Header().Rrtype == dns.TypeNS) || fault == Unsigned {
				continue
			}
			sig, err := z.sign(key, set, fault, n.owner)
			if err != nil {
				return count, err
			}
			if err := out(sig); err != nil {
				return count, err
			}
		}
	}
	for i, h := range hashes {
		n := byHash[h]
		if z.Fault != nil && z.Fault(n.owner) == NoNSEC {
			continue
		}
		rec := &dns.NSEC3{Hdr: dns.RR_Header{Name: strings.ToLower(h) + "." + origin, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: 300},
			Hash: dns.SHA1, Flags: 0, Iterations: 0, SaltLength: 0, Salt: "",
			HashLength: 20, NextDomain: hashes[(i+1)%len(hashes)], TypeBitMap: bitmapOf(n, true)}
		if err := out(rec); err != nil {
			return count, err
		}
		sig, err := z.sign(key, []dns.RR{rec}, OK, rec.Hdr.Name)
		if err != nil {
			return count, err
		}
		if err := out(sig); err != nil {
			return count, err
		}
	}
	return count, nil
}

// names lists the zone's names in canonical order.
func (z Zone) names(origin string, key *Key) []*name {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			panic(err)
		}
		return r
	}
	apex := &name{owner: origin}
	apex.sets = append(apex.sets,
		[]dns.RR{rr(fmt.Sprintf("%s 300 IN SOA ns1.%s hostmaster.%s %d 3600 900 1209600 300", origin, origin, origin, uint32(z.Now.Unix())))},
		[]dns.RR{rr(fmt.Sprintf("%s 3600 IN NS ns1.%s", origin, origin)), rr(fmt.Sprintf("%s 3600 IN NS ns2.%s", origin, origin))},
		[]dns.RR{key.DNSKEY},
	)
	if z.NSEC3 {
		apex.sets = append(apex.sets, []dns.RR{rr(origin + " 0 IN NSEC3PARAM 1 0 0 -")})
	}
	child := key.DNSKEY.ToDS(dns.SHA256)
	child.Hdr.Name = "secure." + origin
	child.Hdr.Ttl = 3600
	out := []*name{apex,
		{owner: "insecure." + origin, cut: true, sets: [][]dns.RR{{rr("insecure." + origin + " 3600 IN NS ns.insecure." + origin)}}},
		{owner: "ns.insecure." + origin, glue: true, sets: [][]dns.RR{{rr("ns.insecure." + origin + " 3600 IN A 192.0.2.53")}}},
		{owner: "ns1." + origin, sets: [][]dns.RR{{rr("ns1." + origin + " 3600 IN A 192.0.2.1")}}},
		{owner: "ns2." + origin, sets: [][]dns.RR{{rr("ns2." + origin + " 3600 IN A 192.0.2.2")}}},
		{owner: "secure." + origin, cut: true, sets: [][]dns.RR{{rr("secure." + origin + " 3600 IN NS ns1." + origin)}, {child}}},
	}
	if z.Sub > 0 {
		out = append(out, &name{owner: "sub." + origin, ent: true})
	}
	for i := 0; i < z.Names; i++ {
		o := fmt.Sprintf("h%07d.%s", i, origin)
		a := &dns.A{Hdr: dns.RR_Header{Name: o, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: addr(i)}
		out = append(out, &name{owner: o, sets: [][]dns.RR{{a}}})
	}
	for i := 0; i < z.Sub; i++ {
		o := fmt.Sprintf("x%d.sub.%s", i, origin)
		out = append(out, &name{owner: o, sets: [][]dns.RR{{rr(o + " 300 IN TXT \"sub-tree name\"")}}})
	}
	sort.SliceStable(out, func(i, j int) bool { return validate.Compare(out[i].owner, out[j].owner) < 0 })
	return out
}

func addr(i int) net.IP {
	return net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).To4()
}

// bitmapOf is the NSEC/NSEC3 type bitmap of n.
func bitmapOf(n *name, nsec3 bool) []uint16 {
	if n.ent {
		return nil
	}
	var types []uint16
	for _, set := range n.sets {
		types = append(types, set[0].Header().Rrtype)
	}
	if !nsec3 {
		types = append(types, dns.TypeNSEC)
	}
	if !n.cut || len(n.sets) > 1 || !nsec3 {
		types = append(types, dns.TypeRRSIG)
	}
	sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
	return types
}

func nsecFor(n *name, next string) *dns.NSEC {
	return &dns.NSEC{Hdr: dns.RR_Header{Name: n.owner, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
		NextDomain: next, TypeBitMap: bitmapOf(n, false)}
}

// sign makes the RRSIG over set.
func (z Zone) sign(key *Key, set []dns.RR, fault Fault, owner string) (*dns.RRSIG, error) {
	h := set[0].Header()
	validity := z.Validity
	if z.Expiring != nil {
		if d, ok := z.Expiring(owner); ok {
			validity = d
		}
	}
	inc, exp := z.Now.Add(-time.Hour), z.Now.Add(validity)
	if fault == Expired {
		inc, exp = z.Now.Add(-15*24*time.Hour), z.Now.Add(-24*time.Hour)
	}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Name: h.Name, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: h.Ttl},
		Inception: uint32(inc.Unix()), Expiration: uint32(exp.Unix()),
		KeyTag: key.DNSKEY.KeyTag(), SignerName: key.DNSKEY.Hdr.Name, Algorithm: key.DNSKEY.Algorithm}
	if err := sig.Sign(key.priv, set); err != nil {
		return nil, fmt.Errorf("signing %s %s: %w", h.Name, dns.TypeToString[h.Rrtype], err)
	}
	if fault == BadSig && h.Rrtype != dns.TypeNSEC && h.Rrtype != dns.TypeNSEC3 {
		b := []byte(sig.Signature)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		sig.Signature = string(b)
	}
	return sig, nil
}

func toBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
