package validate

import (
	"crypto"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The test zone, example.test.:
//
//	example.test.         SOA NS DNSKEY
//	a.example.test.       A
//	sub.b.example.test.   A      (so b.example.test. is an empty non-terminal)
//	c.example.test.       A
//	www.example.test.     A AAAA
//
// Canonical order (RFC 4034 section 6.1): apex, a, sub.b, c, www.
const denialTestZone = "example.test."

var denialTestNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// denialTestTypes are the types at each name (relative to the zone, "@"
// for the apex), without the NSEC/NSEC3 types, which the chains add.
var denialTestTypes = map[string][]uint16{
	"@":     {dns.TypeSOA, dns.TypeNS, dns.TypeDNSKEY, dns.TypeRRSIG},
	"a":     {dns.TypeA, dns.TypeRRSIG},
	"sub.b": {dns.TypeA, dns.TypeRRSIG},
	"c":     {dns.TypeA, dns.TypeRRSIG},
	"www":   {dns.TypeA, dns.TypeAAAA, dns.TypeRRSIG},
}

// denialTestNSECOrder is the NSEC chain, written out by hand in canonical
// order so the tests do not lean on the code's own ordering.
var denialTestNSECOrder = []string{"@", "a", "sub.b", "c", "www"}

func denialName(rel string) string {
	if rel == "@" {
		return denialTestZone
	}
	return rel + "." + denialTestZone
}

type denialSigner struct {
	key    *dns.DNSKEY
	priv   crypto.Signer
	signer string
}

type denialFixture struct {
	t     testing.TB
	zone  denialSigner // the zone's key
	other denialSigner // another zone's key (other.test.)
	stray denialSigner // a key with the zone's name that is not in its DNSKEY set
	soa   *dns.SOA
	nsec  map[string]*dns.NSEC // by relative owner
}

func denialNewKey(t testing.TB, owner string) denialSigner {
	t.Helper()
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     257,
		Protocol:  3,
		Algorithm: dns.ECDSAP256SHA256,
	}
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return denialSigner{key: k, priv: priv.(crypto.Signer), signer: owner}
}

func newDenialFixture(t testing.TB) *denialFixture {
	t.Helper()
	f := &denialFixture{
		t:     t,
		zone:  denialNewKey(t, denialTestZone),
		other: denialNewKey(t, "other.test."),
		stray: denialNewKey(t, denialTestZone),
	}
	f.soa = &dns.SOA{
		Hdr: dns.RR_Header{Name: denialTestZone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns:  "ns1." + denialTestZone, Mbox: "hostmaster." + denialTestZone,
		Serial: 2026030101, Refresh: 7200, Retry: 3600, Expire: 1209600, Minttl: 300,
	}
	f.nsec = map[string]*dns.NSEC{}
	for i, rel := range denialTestNSECOrder {
		next := denialTestNSECOrder[(i+1)%len(denialTestNSECOrder)]
		types := append(append([]uint16{}, denialTestTypes[rel]...), dns.TypeNSEC)
		f.nsec[rel] = &dns.NSEC{
			Hdr:        dns.RR_Header{Name: denialName(rel), Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
			NextDomain: denialName(next),
			TypeBitMap: denialSorted(types),
		}
	}
	return f
}

func denialSorted(types []uint16) []uint16 {
	out := append([]uint16{}, types...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sign signs rrset with s, valid from inception to expiration.
func (f *denialFixture) sign(rrset []dns.RR, s denialSigner, inception, expiration time.Time) *dns.RRSIG {
	f.t.Helper()
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Ttl: rrset[0].Header().Ttl},
		Algorithm:  s.key.Algorithm,
		Expiration: uint32(expiration.Unix()),
		Inception:  uint32(inception.Unix()),
		KeyTag:     s.key.KeyTag(),
		SignerName: s.signer,
	}
	if err := sig.Sign(s.priv, rrset); err != nil {
		f.t.Fatal(err)
	}
	return sig
}

// signing says how the NSEC/NSEC3 records of a reply are signed.
type denialSigning int

const (
	signValid denialSigning = iota
	signExpired
	signNone
	signOtherZone
	signStrayKey
)

// soaMode says what SOA a reply carries.
type denialSOAMode int

const (
	soaSigned denialSOAMode = iota
	soaMissing
	soaOtherZone
	soaUnsigned
)

func (f *denialFixture) signed(rr dns.RR, how denialSigning) []dns.RR {
	inc, exp := denialTestNow.Add(-24*time.Hour), denialTestNow.Add(14*24*time.Hour)
	switch how {
	case signNone:
		return []dns.RR{rr}
	case signExpired:
		return []dns.RR{rr, f.sign([]dns.RR{rr}, f.zone, denialTestNow.Add(-30*24*time.Hour), denialTestNow.Add(-time.Hour))}
	case signOtherZone:
		return []dns.RR{rr, f.sign([]dns.RR{rr}, f.other, inc, exp)}
	case signStrayKey:
		return []dns.RR{rr, f.sign([]dns.RR{rr}, f.stray, inc, exp)}
	}
	return []dns.RR{rr, f.sign([]dns.RR{rr}, f.zone, inc, exp)}
}

// reply builds a negative reply to qname/qtype as an authoritative server
// of the zone would send it, with recs (each the only record of its RRset)
// in the authority section, and round-trips it through the wire format.
func (f *denialFixture) reply(qname string, qtype uint16, rcode int, how denialSigning, soa denialSOAMode, recs ...dns.RR) *dns.Msg {
	f.t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.Response, m.Authoritative, m.Rcode = true, true, rcode
	switch soa {
	case soaSigned:
		m.Ns = append(m.Ns, f.signed(f.soa, signValid)...)
	case soaUnsigned:
		m.Ns = append(m.Ns, f.soa)
	case soaOtherZone:
		other := dns.Copy(f.soa).(*dns.SOA)
		other.Hdr.Name = "other.test."
		m.Ns = append(m.Ns, other, f.sign([]dns.RR{other}, f.other, denialTestNow.Add(-time.Hour), denialTestNow.Add(time.Hour)))
	}
	seen := map[string]bool{}
	for _, rr := range recs {
		if seen[strings.ToLower(rr.Header().Name)] {
			continue
		}
		seen[strings.ToLower(rr.Header().Name)] = true
		m.Ns = append(m.Ns, f.signed(rr, how)...)
	}
	m.SetEdns0(1232, true)
	wire, err := m.Pack()
	if err != nil {
		f.t.Fatal(err)
	}
	out := new(dns.Msg)
	if err := out.Unpack(wire); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *denialFixture) keys() []*dns.DNSKEY { return []*dns.DNSKEY{f.zone.key} }

// --- NSEC3 chains ---

type denialChain struct {
	iter   uint16
	salt   string
	byName map[string]*dns.NSEC3 // by relative original owner name
	sorted []*dns.NSEC3          // in hash order
}

// nsec3Chain builds the zone's NSEC3 chain with these parameters: one
// NSEC3 per name, including the empty non-terminal b (empty bitmap,
// RFC 5155 section 7.1). Owner names are lower-case, as servers print them.
func (f *denialFixture) nsec3Chain(iter uint16, salt string, flags uint8) *denialChain {
	c := &denialChain{iter: iter, salt: salt, byName: map[string]*dns.NSEC3{}}
	names := map[string][]uint16{"b": nil}
	for rel, types := range denialTestTypes {
		names[rel] = types
	}
	names["@"] = append(append([]uint16{}, names["@"]...), dns.TypeNSEC3PARAM)
	for rel, types := range names {
		h := dns.HashName(denialName(rel), dns.SHA1, iter, salt)
		r := &dns.NSEC3{
			Hdr:        dns.RR_Header{Name: strings.ToLower(h) + "." + denialTestZone, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: 300},
			Hash:       dns.SHA1,
			Flags:      flags,
			Iterations: iter,
			SaltLength: uint8(len(salt) / 2),
			Salt:       salt,
			HashLength: 20,
			TypeBitMap: denialSorted(types),
		}
		c.byName[rel] = r
		c.sorted = append(c.sorted, r)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return denialTestHash(c.sorted[i]) < denialTestHash(c.sorted[j]) })
	for i, r := range c.sorted {
		r.NextDomain = denialTestHash(c.sorted[(i+1)%len(c.sorted)])
	}
	return c
}

func denialTestHash(r *dns.NSEC3) string {
	return strings.ToUpper(strings.SplitN(r.Hdr.Name, ".", 2)[0])
}

func (c *denialChain) hash(name string) string {
	return dns.HashName(name, dns.SHA1, c.iter, c.salt)
}

// covering finds the NSEC3 covering name the simple way: the last record
// in hash order whose hash is below H(name), or the last record of all
// when H(name) sorts before the first (the wrap).
func (c *denialChain) covering(t testing.TB, name string) *dns.NSEC3 {
	t.Helper()
	h := c.hash(name)
	var found *dns.NSEC3
	for _, r := range c.sorted {
		switch oh := denialTestHash(r); {
		case oh == h:
			t.Fatalf("%s exists in the chain", name)
		case oh < h:
			found = r
		}
	}
	if found == nil {
		found = c.sorted[len(c.sorted)-1]
	}
	return found
}

func (c *denialChain) isWrap(r *dns.NSEC3) bool { return denialTestHash(r) > r.NextDomain }

func denialCheck(t *testing.T, got DenialVerdict, wantValid bool, wantKind string, wantCheck Reason, wantDetail string) {
	t.Helper()
	t.Logf("valid=%v kind=%s check=%v detail: %s", got.Valid, got.Kind, got.Reason, got.Detail)
	if got.Valid != wantValid {
		t.Fatalf("valid = %v, want %v (check %v, detail %q)", got.Valid, wantValid, got.Reason, got.Detail)
	}
	if wantKind != "" && got.Kind != wantKind {
		t.Errorf("kind = %q, want %q", got.Kind, wantKind)
	}
	if wantValid && got.Reason != OK {
		t.Errorf("valid verdict has check %v", got.Reason)
	}
	if !wantValid && got.Reason != wantCheck {
		t.Errorf("check = %v, want %v (detail %q)", got.Reason, wantCheck, got.Detail)
	}
	if wantDetail != "" && !strings.Contains(got.Detail, wantDetail) {
		t.Errorf("detail = %q, want it to mention %q", got.Detail, wantDetail)
	}
	if got.Detail == "" || strings.Contains(got.Detail, "\n") {
		t.Errorf("detail %q is not one line", got.Detail)
	}
}

func TestVerifyDenialNSEC(t *testing.T) {
	f := newDenialFixture(t)
	const nx, ok = dns.RcodeNameError, dns.RcodeSuccess
	tests := []struct {
		name       string
		qname      string // relative
		qtype      uint16
		rcode      int
		nsecs      []string // relative owners of the NSEC records served
		how        denialSigning
		soa        denialSOAMode
		wantValid  bool
		wantKind   string
		wantCheck  Reason
		wantDetail string
	}{
		// Proofs that hold.
		{name: "nxdomain", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"},
			wantValid: true, wantKind: "nxdomain", wantDetail: "closest encloser example.test."},
		{name: "nxdomain below an empty non-terminal", qname: "x.b", qtype: dns.TypeA, rcode: nx, nsecs: []string{"sub.b", "a"},
			wantValid: true, wantKind: "nxdomain", wantDetail: "closest encloser b.example.test."},
		{name: "nxdomain before the first name", qname: "0", qtype: dns.TypeA, rcode: nx, nsecs: []string{"@"},
			wantValid: true, wantKind: "nxdomain"},
		{name: "nxdomain wrap-around after the last name", qname: "zz", qtype: dns.TypeA, rcode: nx, nsecs: []string{"www", "@"},
			wantValid: true, wantKind: "nxdomain", wantDetail: "www.example.test.→example.test. covers zz.example.test."},
		{name: "nodata at the apex", qname: "@", qtype: dns.TypeTXT, rcode: ok, nsecs: []string{"@"},
			wantValid: true, wantKind: "nodata"},
		{name: "nodata at a name", qname: "c", qtype: dns.TypeAAAA, rcode: ok, nsecs: []string{"c"},
			wantValid: true, wantKind: "nodata"},
		{name: "nodata at an empty non-terminal", qname: "b", qtype: dns.TypeA, rcode: ok, nsecs: []string{"a"},
			wantValid: true, wantKind: "nodata", wantDetail: "empty non-terminal"},
		{name: "mixed-case qname", qname: "D", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"},
			wantValid: true, wantKind: "nxdomain"},

		// Proofs that do not.
		{name: "missing NSEC", qname: "d", qtype: dns.TypeA, rcode: nx,
			wantCheck: DenialInvalid, wantKind: "nxdomain", wantDetail: "no NSEC or NSEC3"},
		{name: "NSEC not covering qname", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"a", "@"},
			wantCheck: DenialInvalid, wantDetail: "no NSEC covers d.example.test."},
		{name: "missing wildcard proof", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c"},
			wantCheck: DenialInvalid, wantDetail: "no NSEC covers the wildcard *.example.test."},
		{name: "nxdomain for an existing name", qname: "a", qtype: dns.TypeA, rcode: nx, nsecs: []string{"a", "@"},
			wantCheck: DenialInvalid, wantDetail: "exists"},
		{name: "nxdomain for an empty non-terminal", qname: "b", qtype: dns.TypeA, rcode: nx, nsecs: []string{"a", "@"},
			wantCheck: DenialInvalid, wantDetail: "empty non-terminal"},
		{name: "nxdomain for the apex", qname: "@", qtype: dns.TypeA, rcode: nx, nsecs: []string{"www"},
			wantCheck: DenialInvalid, wantDetail: "apex"},
		{name: "bitmap contains qtype", qname: "www", qtype: dns.TypeAAAA, rcode: ok, nsecs: []string{"www"},
			wantCheck: DenialInvalid, wantKind: "nodata", wantDetail: "lists AAAA"},
		{name: "nodata for a name that does not exist", qname: "d", qtype: dns.TypeA, rcode: ok, nsecs: []string{"c", "@"},
			wantCheck: DenialInvalid, wantDetail: "should be NXDOMAIN"},
		{name: "expired NSEC signatures", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, how: signExpired,
			wantCheck: RRSIGExpired, wantDetail: "expired"},
		{name: "unsigned NSEC", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, how: signNone,
			wantCheck: RRSIGMissing},
		{name: "NSEC signed by another zone", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, how: signOtherZone,
			wantCheck: RRSIGMalformed, wantDetail: "other.test."},
		{name: "NSEC signed by a key not in the zone", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, how: signStrayKey,
			wantCheck: SigningKeyMissing},
		{name: "no SOA", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, soa: soaMissing,
			wantCheck: DenialInvalid, wantDetail: "no SOA"},
		{name: "SOA of another zone", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, soa: soaOtherZone,
			wantCheck: DenialInvalid, wantDetail: "other.test."},
		{name: "unsigned SOA", qname: "d", qtype: dns.TypeA, rcode: nx, nsecs: []string{"c", "@"}, soa: soaUnsigned,
			wantCheck: RRSIGMissing, wantDetail: "SOA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recs []dns.RR
			for _, rel := range tt.nsecs {
				recs = append(recs, f.nsec[rel])
			}
			msg := f.reply(denialName(tt.qname), tt.qtype, tt.rcode, tt.how, tt.soa, recs...)
			got := unbounded.VerifyDenial(msg, denialTestZone, denialName(tt.qname), tt.qtype, f.keys(), denialTestNow)
			denialCheck(t, got, tt.wantValid, tt.wantKind, tt.wantCheck, tt.wantDetail)
			if got.NSEC3 != nil {
				t.Errorf("nsec3 = %+v for an NSEC proof", *got.NSEC3)
			}
		})
	}

	t.Run("not a negative answer", func(t *testing.T) {
		msg := f.reply(denialName("a"), dns.TypeA, ok, signValid, soaSigned)
		msg.Answer = append(msg.Answer, &dns.A{Hdr: dns.RR_Header{Name: denialName("a"), Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}})
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("a"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "", DenialInvalid, "not a negative answer")
	})
	t.Run("nil reply", func(t *testing.T) {
		got := unbounded.VerifyDenial(nil, denialTestZone, denialName("a"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "", DenialInvalid, "no reply")
	})
	t.Run("NSEC from outside the zone", func(t *testing.T) {
		parent := &dns.NSEC{
			Hdr:        dns.RR_Header{Name: "test.", Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
			NextDomain: "zzz.test.", TypeBitMap: []uint16{dns.TypeNS, dns.TypeSOA, dns.TypeRRSIG, dns.TypeNSEC},
		}
		msg := f.reply(denialName("d"), dns.TypeA, nx, signOtherZone, soaSigned, parent)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "outside")
	})
	t.Run("ancestor delegation NSEC cannot deny below the cut", func(t *testing.T) {
		// The parent side of a zone cut at c: NS without SOA. It spans
		// names below c, but says nothing about them (RFC 6840 section 4.1).
		cut := &dns.NSEC{
			Hdr:        dns.RR_Header{Name: denialName("c"), Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
			NextDomain: denialName("www"), TypeBitMap: []uint16{dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC},
		}
		msg := f.reply(denialName("x.c"), dns.TypeA, nx, signValid, soaSigned, cut, f.nsec["@"])
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("x.c"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "zone cut")

		msg = f.reply(denialName("c"), dns.TypeA, ok, signValid, soaSigned, cut)
		got = unbounded.VerifyDenial(msg, denialTestZone, denialName("c"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nodata", DenialInvalid, "zone cut")

		msg = f.reply(denialName("c"), dns.TypeDS, ok, signValid, soaSigned, cut)
		got = unbounded.VerifyDenial(msg, denialTestZone, denialName("c"), dns.TypeDS, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nodata", OK, "")
	})
}

func TestVerifyDenialNSEC3(t *testing.T) {
	f := newDenialFixture(t)
	const nx, ok = dns.RcodeNameError, dns.RcodeSuccess
	plain := f.nsec3Chain(0, "", 0)
	salted := f.nsec3Chain(10, "AABBCCDD", 0)
	optout := f.nsec3Chain(0, "", 1)

	// The standard NXDOMAIN proof: closest encloser, next closer, wildcard.
	nxProof := func(c *denialChain, ce, nc string) []dns.RR {
		return []dns.RR{c.byName[ce], c.covering(t, denialName(nc)), c.covering(t, "*."+denialName(ce))}
	}
	// pick returns the first of candidates for which ok holds.
	pick := func(candidates []string, ok func(string) bool) string {
		t.Helper()
		for _, c := range candidates {
			if ok(c) {
				return c
			}
		}
		t.Fatalf("no candidate among %d fits", len(candidates))
		return ""
	}
	var labels []string
	for i := range 2000 {
		labels = append(labels, fmt.Sprintf("n%d", i))
	}

	t.Run("nxdomain", func(t *testing.T) {
		for _, c := range []*denialChain{plain, salted} {
			msg := f.reply(denialName("d"), dns.TypeA, nx, signValid, soaSigned, nxProof(c, "@", "d")...)
			got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
			denialCheck(t, got, true, "nxdomain", OK, "closest encloser example.test.")
			want := NSEC3Params{Iterations: c.iter, SaltLength: len(c.salt) / 2}
			if got.NSEC3 == nil || *got.NSEC3 != want {
				t.Errorf("nsec3 = %v, want %+v", got.NSEC3, want)
			}
		}
	})
	t.Run("nxdomain below an empty non-terminal", func(t *testing.T) {
		msg := f.reply(denialName("x.b"), dns.TypeA, nx, signValid, soaSigned, nxProof(plain, "b", "x.b")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("x.b"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nxdomain", OK, "closest encloser b.example.test.")
	})
	t.Run("nxdomain two labels below the closest encloser", func(t *testing.T) {
		// Next closer is y.c, not x.y.c.
		msg := f.reply(denialName("x.y.c"), dns.TypeA, nx, signValid, soaSigned, nxProof(plain, "c", "y.c")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("x.y.c"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nxdomain", OK, "next closer y.c.example.test.")
	})
	t.Run("nxdomain wrap-around", func(t *testing.T) {
		// A name whose hash sorts after the last hash or before the first:
		// only the last NSEC3, whose next hash wraps to the first, covers it.
		label := pick(labels, func(l string) bool { return plain.isWrap(plain.covering(t, denialName(l))) })
		msg := f.reply(denialName(label), dns.TypeA, nx, signValid, soaSigned, nxProof(plain, "@", label)...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName(label), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nxdomain", OK, "")
		// And the same name is not covered once the wrapping NSEC3 is left out.
		last := plain.sorted[len(plain.sorted)-1]
		var recs []dns.RR
		for _, rr := range nxProof(plain, "@", label) {
			if rr != dns.RR(last) {
				recs = append(recs, rr)
			}
		}
		msg = f.reply(denialName(label), dns.TypeA, nx, signValid, soaSigned, recs...)
		got = unbounded.VerifyDenial(msg, denialTestZone, denialName(label), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "")
	})
	t.Run("nxdomain with opt-out next closer", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, nx, signValid, soaSigned, nxProof(optout, "@", "d")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nxdomain", OK, "opt-out")
		if got.NSEC3 == nil || !got.NSEC3.OptOut {
			t.Errorf("nsec3 = %v, want opt-out", got.NSEC3)
		}
	})
	for _, tt := range []struct {
		name, qname string
		qtype       uint16
		detail      string
	}{
		{"nodata at the apex", "@", dns.TypeTXT, "lists"},
		{"nodata at a name", "c", dns.TypeAAAA, "lists A RRSIG"},
		{"nodata at an empty non-terminal", "b", dns.TypeA, "empty non-terminal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []*denialChain{plain, salted} {
				msg := f.reply(denialName(tt.qname), tt.qtype, ok, signValid, soaSigned, c.byName[tt.qname])
				got := unbounded.VerifyDenial(msg, denialTestZone, denialName(tt.qname), tt.qtype, f.keys(), denialTestNow)
				denialCheck(t, got, true, "nodata", OK, tt.detail)
			}
		})
	}
	t.Run("DS nodata by opt-out", func(t *testing.T) {
		// ins.example.test. is an unsigned delegation inside an opt-out
		// span: no NSEC3 of its own (RFC 5155 section 8.6).
		msg := f.reply(denialName("ins"), dns.TypeDS, ok, signValid, soaSigned, optout.byName["@"], optout.covering(t, denialName("ins")))
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("ins"), dns.TypeDS, f.keys(), denialTestNow)
		denialCheck(t, got, true, "nodata", OK, "opt-out")
		if got.NSEC3 == nil || !got.NSEC3.OptOut {
			t.Errorf("nsec3 = %v, want opt-out", got.NSEC3)
		}
	})

	// Failures.
	t.Run("missing NSEC3", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, nx, signValid, soaSigned)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "no NSEC or NSEC3")
	})
	t.Run("closest encloser missing", func(t *testing.T) {
		// x.<label>.b: leave out the NSEC3 matching b, choosing a qname
		// whose covers are other records than b's own.
		ceRR := plain.byName["b"]
		label := pick(labels, func(l string) bool {
			return plain.covering(t, denialName(l+".b")) != ceRR && plain.covering(t, "*."+denialName("b")) != ceRR
		})
		qname := denialName(label + ".b")
		msg := f.reply(qname, dns.TypeA, nx, signValid, soaSigned, plain.covering(t, qname), plain.covering(t, "*."+denialName("b")))
		got := unbounded.VerifyDenial(msg, denialTestZone, qname, dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "closest encloser")
	})
	t.Run("next closer not covered", func(t *testing.T) {
		label := pick(labels, func(l string) bool {
			nc := plain.covering(t, denialName(l))
			return nc != plain.covering(t, "*."+denialTestZone) && nc != plain.byName["@"]
		})
		msg := f.reply(denialName(label), dns.TypeA, nx, signValid, soaSigned, plain.byName["@"], plain.covering(t, "*."+denialTestZone))
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName(label), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "next closer")
	})
	t.Run("wildcard not covered", func(t *testing.T) {
		wc := plain.covering(t, "*."+denialTestZone)
		label := pick(labels, func(l string) bool { return plain.covering(t, denialName(l)) != wc })
		if plain.byName["@"] == wc {
			t.Fatal("the apex NSEC3 covers the wildcard; pick another zone layout")
		}
		msg := f.reply(denialName(label), dns.TypeA, nx, signValid, soaSigned, plain.byName["@"], plain.covering(t, denialName(label)))
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName(label), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "wildcard")
	})
	t.Run("nxdomain for an existing name", func(t *testing.T) {
		msg := f.reply(denialName("a"), dns.TypeA, nx, signValid, soaSigned, plain.byName["a"], plain.byName["@"])
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("a"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "exists")
	})
	t.Run("bitmap contains qtype", func(t *testing.T) {
		msg := f.reply(denialName("www"), dns.TypeA, ok, signValid, soaSigned, plain.byName["www"])
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("www"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nodata", DenialInvalid, "lists A")
	})
	t.Run("nodata for a name that does not exist", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, ok, signValid, soaSigned, plain.byName["@"], plain.covering(t, denialName("d")))
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nodata", DenialInvalid, "should be NXDOMAIN")
	})
	t.Run("DS nodata without opt-out", func(t *testing.T) {
		msg := f.reply(denialName("ins"), dns.TypeDS, ok, signValid, soaSigned, plain.byName["@"], plain.covering(t, denialName("ins")))
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("ins"), dns.TypeDS, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nodata", DenialInvalid, "opt-out")
	})
	t.Run("unknown hash algorithm", func(t *testing.T) {
		var recs []dns.RR
		for _, rr := range nxProof(plain, "@", "d") {
			r := dns.Copy(rr).(*dns.NSEC3)
			r.Hash = 2
			recs = append(recs, r)
		}
		msg := f.reply(denialName("d"), dns.TypeA, nx, signValid, soaSigned, recs...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", DenialInvalid, "unsupported")
	})
	t.Run("expired NSEC3 signatures", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, nx, signExpired, soaSigned, nxProof(plain, "@", "d")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", RRSIGExpired, "expired")
	})
	t.Run("unsigned NSEC3", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, nx, signNone, soaSigned, nxProof(salted, "@", "d")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", RRSIGMissing, "NSEC3")
		if got.NSEC3 == nil || got.NSEC3.Iterations != 10 {
			t.Errorf("nsec3 = %v, want the parameters seen even when the proof fails", got.NSEC3)
		}
	})
	t.Run("NSEC3 signed by another zone", func(t *testing.T) {
		msg := f.reply(denialName("d"), dns.TypeA, nx, signOtherZone, soaSigned, nxProof(plain, "@", "d")...)
		got := unbounded.VerifyDenial(msg, denialTestZone, denialName("d"), dns.TypeA, f.keys(), denialTestNow)
		denialCheck(t, got, false, "nxdomain", RRSIGMalformed, "other.test.")
	})
}

func TestNSEC3CoverEdges(t *testing.T) {
	h := func(c string) string { return strings.Repeat(c, 32) }
	rec := func(owner, next string) *dns.NSEC3 {
		return &dns.NSEC3{
			Hdr:  dns.RR_Header{Name: strings.ToLower(owner) + "." + denialTestZone, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET},
			Hash: dns.SHA1, HashLength: 20, NextDomain: next,
		}
	}
	tests := []struct {
		name   string
		r      *dns.NSEC3
		hash   string
		covers bool
	}{
		{"inside the span", rec(h("A"), h("C")), h("B"), true},
		{"equal to the owner is a match, not a cover", rec(h("A"), h("C")), h("A"), false},
		{"equal to the next hash", rec(h("A"), h("C")), h("C"), false},
		{"before the span", rec(h("A"), h("C")), h("0"), false},
		{"after the span", rec(h("A"), h("C")), h("D"), false},
		{"lower-case next hash", rec(h("A"), strings.ToLower(h("C"))), h("B"), true},
		{"wrap: after the last owner", rec(h("T"), h("2")), h("U"), true},
		{"wrap: before the first owner", rec(h("T"), h("2")), h("1"), true},
		{"wrap: between", rec(h("T"), h("2")), h("5"), false},
		{"wrap: the owner itself", rec(h("T"), h("2")), h("T"), false},
		{"wrap: the first owner", rec(h("T"), h("2")), h("2"), false},
		{"wrap: no hash (unknown algorithm)", rec(h("T"), h("2")), "", false},
		{"single NSEC3 covers others", rec(h("K"), h("K")), h("B"), true},
		{"single NSEC3 not its own hash", rec(h("K"), h("K")), h("K"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nsec3Covers(tt.r, tt.hash); got != tt.covers {
				t.Errorf("covers(%s…) = %v, want %v", tt.hash[:min(4, len(tt.hash))], got, tt.covers)
			}
		})
	}
}

func TestDenialCanonicalOrder(t *testing.T) {
	// The example of RFC 4034 section 6.1, in order.
	ordered := []string{
		"example.",
		"a.example.",
		"yljkjljk.a.example.",
		"Z.a.example.",
		"zABC.a.EXAMPLE.",
		"z.example.",
		`\001.z.example.`,
		"*.z.example.",
		`\200.z.example.`,
	}
	for i := range ordered {
		for j := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	t.Run("case-insensitive", func(t *testing.T) {
		if got := Compare("Z.A.Example.", "z.a.example."); got != 0 {
			t.Errorf("compare = %d, want 0", got)
		}
	})
	t.Run("escaped and plain forms are one name", func(t *testing.T) {
		if got := Compare(`\065.example.`, "a.example."); got != 0 {
			t.Errorf("compare = %d, want 0", got)
		}
	})
}
