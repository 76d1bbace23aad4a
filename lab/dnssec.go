package lab

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// DNSSEC verdicts for Zone.DNSSEC: what a validating resolver concludes
// about the zone (RFC 4035 section 4.3). They repeat the probe's strings.
const (
	verdictSecure   = "secure"
	verdictInsecure = "insecure"
	verdictBogus    = "bogus"
)

// Key flags (RFC 4034 section 2.1.1).
const (
	flagsZSK = dns.ZONE
	flagsKSK = dns.ZONE | dns.SEP
)

// rsaBits is the size of the lab's RSA keys.
const rsaBits = 2048

// keySpec asks Start for one DNSSEC key.
type keySpec struct {
	id   string // unique in the lab: "<zone>/<role>"
	zone string // owner name of the DNSKEY
	alg  uint8
	ksk  bool // flags 257 (SEP) rather than 256
	// revoked sets the REVOKE bit (RFC 5011): a KSK's flags become 385.
	revoked bool
}

// keyID names the key with role for zone.
func keyID(zone, role string) string { return zone + "/" + role }

// signKey is a DNSKEY with its private key.
type signKey struct {
	dnskey *dns.DNSKEY
	priv   crypto.Signer
}

// keyring holds the lab's keys by keySpec.id.
type keyring map[string]*signKey

// generateKeys makes every key in specs. ECDSA and RSA keys are random
// for each call; Ed25519 keys come from fixed seeds, so they and their
// signatures are the same on every run. RSA keys, the slow ones, are made
// in parallel. Keys of one zone get distinct key tags, none of them 0.
func generateKeys(specs []keySpec) (keyring, error) {
	made := make([]*signKey, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		if s.alg == dns.RSASHA256 {
			wg.Go(func() { made[i], errs[i] = newKey(s, 0) })
		}
	}
	wg.Wait()
	keys := make(keyring, len(specs))
	tags := map[string]map[uint16]bool{} // zone -> key tags in use
	for i, s := range specs {
		if _, dup := keys[s.id]; dup {
			return nil, fmt.Errorf("lab: key %s defined twice", s.id)
		}
		if errs[i] != nil {
			return nil, fmt.Errorf("lab: key %s: %w", s.id, errs[i])
		}
		if tags[s.zone] == nil {
			tags[s.zone] = map[uint16]bool{}
		}
		k := made[i]
		// Key tag 0 is avoided too: miekg/dns refuses to sign with it.
		for attempt := 1; k == nil || k.dnskey.KeyTag() == 0 || tags[s.zone][k.dnskey.KeyTag()]; attempt++ {
			if attempt > 100 {
				return nil, fmt.Errorf("lab: key %s: no free key tag", s.id)
			}
			var err error
			if k, err = newKey(s, attempt); err != nil {
				return nil, fmt.Errorf("lab: key %s: %w", s.id, err)
			}
		}
		tags[s.zone][k.dnskey.KeyTag()] = true
		keys[s.id] = k
	}
	return keys, nil
}

// newKey generates the key for s. attempt varies the Ed25519 seed when a
// key tag is already taken.
func newKey(s keySpec, attempt int) (*signKey, error) {
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: s.zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flagsZSK,
		Protocol:  3,
		Algorithm: s.alg,
	}
	if s.ksk {
		k.Flags = flagsKSK
	}
	if s.revoked {
		k.Flags |= dns.REVOKE
	}
	var priv crypto.PrivateKey
	var err error
	switch s.alg {
	case dns.ED25519:
		seed := sha256.Sum256(fmt.Appendf(nil, "dnshealth_exporter lab key %s #%d", s.id, attempt))
		p := ed25519.NewKeyFromSeed(seed[:])
		k.PublicKey = base64.StdEncoding.EncodeToString(p.Public().(ed25519.PublicKey))
		priv = p
	case dns.ECDSAP256SHA256:
		priv, err = k.Generate(256)
	case dns.RSASHA256:
		priv, err = k.Generate(rsaBits)
	default:
		return nil, fmt.Errorf("algorithm %d not supported", s.alg)
	}
	if err != nil {
		return nil, err
	}
	return &signKey{dnskey: k, priv: priv.(crypto.Signer)}, nil
}

// window is a signature validity period relative to the signing clock.
type window struct{ inception, expiration time.Duration }

// defaultWindow is the validity period of every signature unless a fault
// sets another.
var defaultWindow = window{inception: -time.Hour, expiration: 14 * day}

// nsec3Params are a zone's NSEC3 parameters (hash SHA-1).
type nsec3Params struct {
	iterations uint16
	salt       string // hex, "" for none
	// optOut leaves delegations without DS out of the chain and sets the
	// opt-out flag on every NSEC3 (RFC 5155 section 6).
	optOut bool
}

// signing says how one copy of a zone is signed. Key fields hold keySpec
// IDs.
type signing struct {
	dnskey []string // the DNSKEY RRset
	ksk    []string // sign the DNSKEY RRset, and CDS and CDNSKEY
	zsk    []string // sign every other RRset (and CDS and CDNSKEY)
	nsec3  *nsec3Params
	window window
	// cds lists keys published as CDS (SHA-256) and CDNSKEY; cdsDelete
	// publishes the delete form instead (RFC 8078).
	cds       []string
	cdsDelete bool
	// Faults.
	cdsZSKOnly    bool // CDS and CDNSKEY signed by the ZSK only
	corruptSOASig bool // one byte of every SOA signature flipped
	omitSOASig    bool // the SOA RRset goes unsigned
	badDenial     bool // NXDOMAIN answers carry an NSEC that proves nothing
	// soaSigner, when set, is the Signer's Name in the SOA RRSIGs in place
	// of the zone's own name; the signatures are made over it.
	soaSigner string
}

// dsSpec is one DS record a parent publishes for a delegation.
type dsSpec struct {
	key     string // keySpec ID
	digest  uint8  // dns.SHA1, dns.SHA256, ...
	corrupt bool   // digest altered: matches no key
}

// record builds the DS for spec at owner.
func (spec dsSpec) record(keys keyring, owner string) (*dns.DS, error) {
	k := keys[spec.key]
	if k == nil {
		return nil, fmt.Errorf("DS for %s: no key %s", owner, spec.key)
	}
	ds := k.dnskey.ToDS(spec.digest)
	if spec.digest == dns.GOST94 {
		ds = gostDS(k.dnskey)
	}
	if ds == nil {
		return nil, fmt.Errorf("DS for %s: digest type %d", owner, spec.digest)
	}
	ds.Hdr.Name = owner
	if spec.corrupt {
		b, _ := hex.DecodeString(ds.Digest)
		b[0] ^= 0xff
		ds.Digest = hex.EncodeToString(b)
	}
	ds.Digest = strings.ToUpper(ds.Digest)
	return ds, nil
}

// gostDS returns the DS of key with digest type 3, GOST R 34.11-94 (RFC
// 5933), which miekg/dns does not compute: the hash of the owner name and
// the DNSKEY RDATA in wire form, as for the other digest types.
func gostDS(key *dns.DNSKEY) *dns.DS {
	ds := key.ToDS(dns.SHA256) // every field but the digest
	pub, err := base64.StdEncoding.DecodeString(key.PublicKey)
	if ds == nil || err != nil {
		return nil
	}
	buf := make([]byte, 255, 255+4+len(pub))
	n, err := dns.PackDomainName(dns.CanonicalName(key.Hdr.Name), buf, 0, nil, false)
	if err != nil {
		return nil
	}
	buf = binary.BigEndian.AppendUint16(buf[:n], key.Flags)
	buf = append(buf, key.Protocol, key.Algorithm)
	buf = append(buf, pub...)
	sum := gost94(buf)
	ds.DigestType = dns.GOST94
	ds.Digest = hex.EncodeToString(sum[:])
	return ds
}

// dnssecRecords returns the DNSSEC records the zone file holds besides
// what signing adds: its DNSKEY, CDS and CDNSKEY RRsets and the DS records
// of its delegations.
func (f zoneFile) dnssecRecords(keys keyring) ([]dns.RR, error) {
	var out []dns.RR
	if s := f.sign; s != nil {
		for _, id := range s.dnskey {
			k := keys[id]
			if k == nil {
				return nil, fmt.Errorf("zone %s: no key %s", f.origin, id)
			}
			out = append(out, dns.Copy(k.dnskey))
		}
		for _, id := range s.cds {
			k := keys[id]
			if k == nil {
				return nil, fmt.Errorf("zone %s: no key %s for CDS", f.origin, id)
			}
			ds := k.dnskey.ToDS(dns.SHA256)
			ds.Digest = strings.ToUpper(ds.Digest)
			out = append(out, ds.ToCDS(), k.dnskey.ToCDNSKEY())
		}
		if s.cdsDelete {
			hdr := func(t uint16) dns.RR_Header {
				return dns.RR_Header{Name: f.origin, Rrtype: t, Class: dns.ClassINET, Ttl: 3600}
			}
			out = append(out,
				&dns.CDS{DS: dns.DS{Hdr: hdr(dns.TypeCDS), Digest: "00"}},
				&dns.CDNSKEY{DNSKEY: dns.DNSKEY{Hdr: hdr(dns.TypeCDNSKEY), Protocol: 3, PublicKey: "AA=="}})
		}
	}
	for _, d := range f.delegations {
		for _, spec := range d.ds {
			ds, err := spec.record(keys, d.name)
			if err != nil {
				return nil, fmt.Errorf("zone %s: %w", f.origin, err)
			}
			out = append(out, ds)
		}
	}
	return out, nil
}

// rrKey names one RRset of a zone.
type rrKey struct {
	name  string
	rtype uint16
}

// zoneSec is the DNSSEC state of a signed zone copy.
type zoneSec struct {
	sigs map[rrKey][]dns.RR // RRSIGs by the RRset they cover
	// nsecOwners lists the owners of the NSEC chain in canonical order;
	// the records themselves are in the nodes.
	nsecOwners []string
	// With NSEC3: the chain sorted by hash, and the hashes (upper case
	// base32hex) in the same order.
	nsec3       []*dns.NSEC3
	nsec3Hashes []string
	nsec3Params *nsec3Params
	badDenial   bool
}

// insert adds rr to the zone, lower-casing names.
func (z *zone) insert(rr dns.RR) error {
	hdr := rr.Header()
	hdr.Name = strings.ToLower(hdr.Name)
	if !dns.IsSubDomain(z.origin, hdr.Name) {
		return fmt.Errorf("zone %s: record %s is outside the zone", z.origin, hdr.Name)
	}
	switch v := rr.(type) {
	case *dns.NS:
		v.Ns = strings.ToLower(v.Ns)
	case *dns.CNAME:
		v.Target = strings.ToLower(v.Target)
	case *dns.SOA:
		if hdr.Name != z.origin {
			return fmt.Errorf("zone %s: SOA at %s, not at the apex", z.origin, hdr.Name)
		}
		if z.soa != nil {
			return fmt.Errorf("zone %s: more than one SOA", z.origin)
		}
		z.soa = v
	}
	n := z.node(hdr.Name)
	n.rrsets[hdr.Rrtype] = append(n.rrsets[hdr.Rrtype], rr)
	return nil
}

// occluded reports whether name lies below a zone cut of z, so that the
// zone holds only glue there.
func (z *zone) occluded(name string) bool {
	if name == z.origin {
		return false
	}
	for p := parentName(name); p != z.origin && dns.IsSubDomain(z.origin, p); p = parentName(p) {
		if n := z.nodes[p]; n != nil && n.isCut(z.origin, p) {
			return true
		}
	}
	return false
}

// authoritative returns the zone's names, empty non-terminals included,
// that are not below a cut, in canonical order.
func (z *zone) authoritative() []string {
	var out []string
	for name := range z.nodes {
		if !z.occluded(name) {
			out = append(out, name)
		}
	}
	slices.SortFunc(out, validate.Compare)
	return out
}

// ownTypes returns the types at name the zone holds as its own, sorted: at
// a delegation point only NS, DS and NSEC.
func (z *zone) ownTypes(name string) []uint16 {
	n := z.nodes[name]
	var types []uint16
	for t := range n.rrsets {
		if n.isCut(z.origin, name) && t != dns.TypeNS && t != dns.TypeDS && t != dns.TypeNSEC {
			continue
		}
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// negativeTTL is the TTL of NSEC and NSEC3 records (RFC 9077).
func (z *zone) negativeTTL() uint32 { return min(z.soa.Hdr.Ttl, z.soa.Minttl) }

// sign signs the zone as s says, at now: it builds the NSEC or NSEC3 chain
// and signs every authoritative RRset.
func (z *zone) sign(s *signing, keys keyring, now time.Time) error {
	lookup := func(ids []string) ([]*signKey, error) {
		var out []*signKey
		for _, id := range ids {
			k := keys[id]
			if k == nil {
				return nil, fmt.Errorf("zone %s: no key %s", z.origin, id)
			}
			out = append(out, k)
		}
		return out, nil
	}
	ksk, err := lookup(s.ksk)
	if err != nil {
		return err
	}
	zsk, err := lookup(s.zsk)
	if err != nil {
		return err
	}
	if len(ksk) == 0 || len(zsk) == 0 {
		return fmt.Errorf("zone %s: signing needs a KSK and a ZSK", z.origin)
	}
	z.sec = &zoneSec{sigs: map[rrKey][]dns.RR{}, nsec3Params: s.nsec3, badDenial: s.badDenial}

	if s.nsec3 != nil {
		z.node(z.origin).rrsets[dns.TypeNSEC3PARAM] = []dns.RR{&dns.NSEC3PARAM{
			Hdr:        dns.RR_Header{Name: z.origin, Rrtype: dns.TypeNSEC3PARAM, Class: dns.ClassINET, Ttl: z.negativeTTL()},
			Hash:       dns.SHA1,
			Iterations: s.nsec3.iterations,
			SaltLength: uint8(len(s.nsec3.salt) / 2),
			Salt:       s.nsec3.salt,
		}}
	}
	names := z.authoritative()
	if s.nsec3 == nil {
		z.buildNSEC(names)
	} else {
		z.buildNSEC3(names, s.nsec3)
	}

	inception := uint32(now.Add(s.window.inception).Unix())
	expiration := uint32(now.Add(s.window.expiration).Unix())
	signWith := func(signers []*signKey, rrset []dns.RR) error {
		h := rrset[0].Header()
		signer := z.origin
		if h.Rrtype == dns.TypeSOA && s.soaSigner != "" {
			signer = s.soaSigner
		}
		for _, k := range signers {
			sig := &dns.RRSIG{
				Hdr:        dns.RR_Header{Ttl: h.Ttl},
				Algorithm:  k.dnskey.Algorithm,
				Expiration: expiration,
				Inception:  inception,
				KeyTag:     k.dnskey.KeyTag(),
				SignerName: signer,
			}
			if err := sig.Sign(k.priv, rrset); err != nil {
				return fmt.Errorf("zone %s: signing %s %s: %w", z.origin, h.Name, dns.TypeToString[h.Rrtype], err)
			}
			key := rrKey{h.Name, h.Rrtype}
			z.sec.sigs[key] = append(z.sec.sigs[key], sig)
		}
		return nil
	}
	for _, name := range names {
		n := z.nodes[name]
		for _, t := range z.ownTypes(name) {
			if t == dns.TypeNS && n.isCut(z.origin, name) {
				continue // the child's data, not the parent's
			}
			signers := zsk
			switch t {
			case dns.TypeDNSKEY:
				signers = ksk
			case dns.TypeCDS, dns.TypeCDNSKEY:
				if !s.cdsZSKOnly {
					signers = append(slices.Clone(ksk), zsk...)
				}
			}
			if err := signWith(signers, n.rrsets[t]); err != nil {
				return err
			}
		}
	}
	for _, rr := range z.sec.nsec3 {
		if err := signWith(zsk, []dns.RR{rr}); err != nil {
			return err
		}
	}

	soaKey := rrKey{z.origin, dns.TypeSOA}
	switch {
	case s.omitSOASig:
		delete(z.sec.sigs, soaKey)
	case s.corruptSOASig:
		for _, rr := range z.sec.sigs[soaKey] {
			sig := rr.(*dns.RRSIG)
			b, err := base64.StdEncoding.DecodeString(sig.Signature)
			if err != nil || len(b) == 0 {
				return fmt.Errorf("zone %s: SOA signature: %v", z.origin, err)
			}
			b[len(b)/2] ^= 0x01
			sig.Signature = base64.StdEncoding.EncodeToString(b)
		}
	}
	return nil
}

// buildNSEC adds an NSEC record at every authoritative name that has
// records, linking them in canonical order (RFC 4034 section 4).
func (z *zone) buildNSEC(names []string) {
	var owners []string
	for _, name := range names {
		if len(z.ownTypes(name)) > 0 {
			owners = append(owners, name)
		}
	}
	for i, name := range owners {
		types := append(z.ownTypes(name), dns.TypeNSEC, dns.TypeRRSIG)
		slices.Sort(types)
		z.nodes[name].rrsets[dns.TypeNSEC] = []dns.RR{&dns.NSEC{
			Hdr:        dns.RR_Header{Name: name, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: z.negativeTTL()},
			NextDomain: owners[(i+1)%len(owners)],
			TypeBitMap: types,
		}}
	}
	z.sec.nsecOwners = owners
}

// buildNSEC3 builds the NSEC3 chain over every authoritative name, empty
// non-terminals and delegations included (no opt-out; RFC 5155 section 7.1).
func (z *zone) buildNSEC3(names []string, p *nsec3Params) {
	type entry struct {
		hash  string
		types []uint16
	}
	entries := make([]entry, 0, len(names))
	var flags uint8
	if p.optOut {
		flags = 1
	}
	for _, name := range names {
		types := z.ownTypes(name)
		n := z.nodes[name]
		if p.optOut && n.isCut(z.origin, name) && len(n.rrsets[dns.TypeDS]) == 0 {
			continue // an insecure delegation: opted out of the chain
		}
		if len(types) > 0 && !(n.isCut(z.origin, name) && len(n.rrsets[dns.TypeDS]) == 0) {
			types = append(types, dns.TypeRRSIG) // the name has signed RRsets
			slices.Sort(types)
		}
		entries = append(entries, entry{dns.HashName(name, dns.SHA1, p.iterations, p.salt), types})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.hash, b.hash) })
	for i, e := range entries {
		next := entries[(i+1)%len(entries)].hash
		z.sec.nsec3 = append(z.sec.nsec3, &dns.NSEC3{
			Hdr:        dns.RR_Header{Name: childName(strings.ToLower(e.hash), z.origin), Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: z.negativeTTL()},
			Hash:       dns.SHA1,
			Flags:      flags,
			Iterations: p.iterations,
			SaltLength: uint8(len(p.salt) / 2),
			Salt:       p.salt,
			HashLength: 20,
			NextDomain: next,
			TypeBitMap: e.types,
		})
		z.sec.nsec3Hashes = append(z.sec.nsec3Hashes, e.hash)
	}
}

// childName prepends label to the fully qualified name parent.
func childName(label, parent string) string {
	if parent == "." {
		return label + "."
	}
	return label + "." + parent
}

// withSigs returns rrs with the zone's RRSIGs over each RRset inserted
// after it, their TTLs those of the RRset as served.
func (z *zone) withSigs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, 0, 2*len(rrs))
	for i := 0; i < len(rrs); {
		h := rrs[i].Header()
		j := i + 1
		for j < len(rrs) && rrs[j].Header().Rrtype == h.Rrtype && strings.EqualFold(rrs[j].Header().Name, h.Name) {
			j++
		}
		out = append(out, rrs[i:j]...)
		if h.Rrtype != dns.TypeRRSIG {
			for _, sig := range z.sec.sigs[rrKey{strings.ToLower(h.Name), h.Rrtype}] {
				sig = dns.Copy(sig)
				sig.Header().Ttl = h.Ttl
				out = append(out, sig)
			}
		}
		i = j
	}
	return out
}

// sigsAt returns copies of every RRSIG at name, for RRSIG queries.
func (z *zone) sigsAt(name string) []dns.RR {
	n := z.nodes[name]
	if z.sec == nil || n == nil {
		return nil
	}
	types := make([]uint16, 0, len(n.rrsets))
	for t := range n.rrsets {
		types = append(types, t)
	}
	slices.Sort(types)
	var out []dns.RR
	for _, t := range types {
		out = append(out, copyRRs(z.sec.sigs[rrKey{name, t}])...)
	}
	return out
}

// nsecFor returns the NSEC whose owner is name, or else the one that
// covers it: the last owner before name in canonical order, wrapping to
// the last of the chain.
func (z *zone) nsecFor(name string) dns.RR {
	owners := z.sec.nsecOwners
	i := sort.Search(len(owners), func(i int) bool { return validate.Compare(owners[i], name) > 0 })
	i = (i - 1 + len(owners)) % len(owners)
	return dns.Copy(z.nodes[owners[i]].rrsets[dns.TypeNSEC][0])
}

// nsec3Match returns the NSEC3 whose hash is that of name, or nil.
func (z *zone) nsec3Match(name string) dns.RR {
	p := z.sec.nsec3Params
	h := dns.HashName(name, dns.SHA1, p.iterations, p.salt)
	if i, ok := slices.BinarySearch(z.sec.nsec3Hashes, h); ok {
		return dns.Copy(z.sec.nsec3[i])
	}
	return nil
}

// nsec3Cover returns the NSEC3 whose interval holds the hash of name.
func (z *zone) nsec3Cover(name string) dns.RR {
	p := z.sec.nsec3Params
	h := dns.HashName(name, dns.SHA1, p.iterations, p.salt)
	i, _ := slices.BinarySearch(z.sec.nsec3Hashes, h)
	i = (i - 1 + len(z.sec.nsec3)) % len(z.sec.nsec3)
	return dns.Copy(z.sec.nsec3[i])
}

// closestEncloser returns the deepest existing ancestor of name in the
// zone and the next closer name below it (RFC 5155 section 7.2.1).
func (z *zone) closestEncloser(name string) (encloser, nextCloser string) {
	nextCloser = name
	for encloser = parentName(name); encloser != z.origin; encloser = parentName(encloser) {
		if z.nodes[encloser] != nil {
			break
		}
		nextCloser = encloser
	}
	return encloser, nextCloser
}

// nxdomainProof returns the NSEC or NSEC3 records that prove name does not
// exist and that no wildcard could have produced it.
func (z *zone) nxdomainProof(name string) []dns.RR {
	encloser, nextCloser := z.closestEncloser(name)
	wildcard := childName("*", encloser)
	var proof []dns.RR
	if z.sec.nsec3 != nil {
		proof = []dns.RR{z.nsec3Match(encloser), z.nsec3Cover(nextCloser), z.nsec3Cover(wildcard)}
	} else if z.sec.badDenial {
		// One correctly signed NSEC that proves nothing about name: the
		// apex NSEC, or the next one if the apex's happens to cover name.
		nsec := z.nodes[z.origin].rrsets[dns.TypeNSEC][0]
		if z.nsecFor(name).Header().Name == z.origin {
			nsec = z.nodes[z.sec.nsecOwners[1%len(z.sec.nsecOwners)]].rrsets[dns.TypeNSEC][0]
		}
		return []dns.RR{dns.Copy(nsec)}
	} else {
		proof = []dns.RR{z.nsecFor(name), z.nsecFor(wildcard)}
	}
	return dedupe(proof)
}

// nodataProof returns the NSEC or NSEC3 record that proves name, which
// exists, has no RRset of the queried type: the record at name, or for an
// empty non-terminal under NSEC the one that covers it.
func (z *zone) nodataProof(name string) []dns.RR {
	if z.sec.nsec3 != nil {
		if rr := z.nsec3Match(name); rr != nil {
			return []dns.RR{rr}
		}
		return z.nxdomainProof(name)
	}
	return []dns.RR{z.nsecFor(name)}
}

// noDSProof returns the records that prove the delegation at cut has no
// DS: the NSEC or NSEC3 at cut, whose type bitmap has NS but not DS.
func (z *zone) noDSProof(cut string) []dns.RR {
	if z.sec.nsec3 != nil {
		if rr := z.nsec3Match(cut); rr != nil {
			return []dns.RR{rr}
		}
		if z.sec.nsec3Params.optOut {
			// RFC 5155 section 7.2.7: the closest encloser's NSEC3 and
			// the opt-out NSEC3 that covers the next closer name.
			encloser, nextCloser := z.closestEncloser(cut)
			return dedupe([]dns.RR{z.nsec3Match(encloser), z.nsec3Cover(nextCloser)})
		}
		return nil
	}
	return copyRRs(z.nodes[cut].rrsets[dns.TypeNSEC])
}

// dedupe drops nil and repeated records, keeping the first of each.
func dedupe(rrs []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if rr != nil && !slices.ContainsFunc(out, func(o dns.RR) bool { return dns.IsDuplicate(o, rr) }) {
			out = append(out, rr)
		}
	}
	return out
}
