package main

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// The variant space. Each Variant is one child zone of the private TLD
// "diff.", named after its shape; the names are stable (the expectations
// file keys on them) and the list is the same on every run.

// Key is one DNSKEY of a variant.
type Key struct {
	ID      string // local name: ksk, zsk, ksk-b, ...
	Alg     uint8
	KSK     bool // flags 257 (SEP) rather than 256
	Revoked bool // the REVOKE bit (RFC 5011): flags 385
	Publish bool // the DNSKEY is in the zone
	// Sign: the key signs (a KSK the DNSKEY RRset, a ZSK everything else;
	// a key that signs but is not published gets its RRSIGs from Go).
	Sign bool
	// DS lists the digest types of the DS records at the parent.
	DS []uint8
	// DSBeforeRevoke: the DS digests the key without its REVOKE bit (the
	// DS the parent had before the key was revoked).
	DSBeforeRevoke bool
	// CollideWith names another key of the variant whose key tag this one
	// must share (same algorithm): the generator searches for such a key.
	CollideWith string
	// Provider: 0 both copies (multi-signer), 1 or 2 only that provider's.
	Provider int
}

// Post is one change to the signed zone that the signers cannot make.
type Post struct {
	Op    string // dropsig, signer, window, dsbad
	Type  uint16 // the covered type (dropsig, signer, window)
	Owner string // relative owner ("" any; "@" apex)
	KeyID string // dropsig: only this key's RRSIGs; dsbad: the key
	Arg   string // signer: the signer name ("@" the zone, "parent", "other", "case"); dsbad: digest type
	Inc   int64  // window: inception offset from NOW (seconds)
	Exp   int64  // window: expiration offset
}

// Question is one name and type asked of every validator; the ones that are
// not at the apex are the exporter module's records too.
type Question struct {
	Name string // relative: "@", "www", "alias", ...
	Type uint16
}

// Variant is one zone shape.
type Variant struct {
	Name      string
	Dims      [][2]string // dimension, value: what the subset must cover
	Server    string      // bind, nsd, both (multi-signer: BIND provider 1, NSD provider 2)
	Signer    string      // dnssec-signzone, ldns-signzone, none (unsigned)
	Keys      []Key
	Denial    string // nsec, nsec3, nsec3-optout
	Iter      int
	Salt      string // hex, "" none
	Inc, Exp  int64  // signature window offsets from NOW (seconds)
	Extras    []string
	Post      []Post
	Questions []Question // besides SOA, NS, DNSKEY at the apex and the nonexistent name
	// ExtraDS: raw DS records (with the zone's name) added at the parent.
	ExtraDS []string
}

const (
	hour = int64(3600)
	day  = 24 * hour
)

var algNames = map[uint8]string{
	dns.RSASHA1: "a5", dns.RSASHA1NSEC3SHA1: "a7", dns.RSASHA256: "a8",
	dns.ECDSAP256SHA256: "a13", dns.ED25519: "a15",
}

func denialName(d string) string {
	switch d {
	case "nsec3":
		return "n3"
	case "nsec3-optout":
		return "n3o"
	}
	return "ns"
}

func digestsName(ds []uint8) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = fmt.Sprint(d)
	}
	return "d" + strings.Join(s, "")
}

// std is the usual KSK + ZSK pair of one algorithm with a DS of digests.
func std(alg uint8, digests ...uint8) []Key {
	if len(digests) == 0 {
		digests = []uint8{dns.SHA256}
	}
	return []Key{
		{ID: "ksk", Alg: alg, KSK: true, Publish: true, Sign: true, DS: digests},
		{ID: "zsk", Alg: alg, Publish: true, Sign: true},
	}
}

// combo is an algorithm and denial the fault shapes are crossed with.
type combo struct {
	alg    uint8
	denial string
}

// The algorithm/denial combinations the fault shapes run over: every
// fault sees RSA, ECDSA and Ed25519, NSEC and NSEC3 (with and without
// opt-out).
var faultCombos = []combo{{dns.RSASHA256, "nsec3"}, {dns.ECDSAP256SHA256, "nsec"}, {dns.ED25519, "nsec3-optout"}}

// Space returns every variant, in a fixed order, with NOW-relative windows.
func Space() []Variant {
	var vs []Variant
	add := func(v Variant) {
		if v.Denial == "" {
			v.Denial = "nsec"
		}
		if v.Inc == 0 && v.Exp == 0 {
			v.Inc, v.Exp = -hour, 30*day
		}
		if v.Signer == "" {
			v.Signer = "auto"
		}
		vs = append(vs, v)
	}
	dim := func(kv ...string) [][2]string {
		var d [][2]string
		for i := 0; i+1 < len(kv); i += 2 {
			d = append(d, [2]string{kv[i], kv[i+1]})
		}
		return d
	}

	// 1. The base cross product: algorithm x denial x DS digest set.
	digestSets := [][]uint8{{1}, {2}, {4}, {1, 2}, {2, 4}, {1, 2, 4}}
	for _, alg := range []uint8{dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.ECDSAP256SHA256, dns.ED25519} {
		for _, den := range []string{"nsec", "nsec3", "nsec3-optout"} {
			if alg == dns.RSASHA1 && den != "nsec" {
				continue // RFC 5155 section 2: algorithm 5 zones cannot use NSEC3
			}
			for _, ds := range digestSets {
				add(Variant{
					Name:   fmt.Sprintf("base-%s-%s-%s", algNames[alg], denialName(den), digestsName(ds)),
					Dims:   dim("alg", algNames[alg], "denial", den, "ds", digestsName(ds), "shape", "base"),
					Keys:   std(alg, ds...),
					Denial: den, Extras: []string{"deleg"},
				})
			}
		}
	}

	// fault adds one variant per fault combination.
	fault := func(shape string, combos []combo, mk func(c combo) Variant) {
		for _, c := range combos {
			v := mk(c)
			v.Name = fmt.Sprintf("%s-%s-%s", shape, algNames[c.alg], denialName(c.denial))
			v.Dims = append(v.Dims, [2]string{"alg", algNames[c.alg]}, [2]string{"denial", c.denial}, [2]string{"shape", shape})
			if v.Denial == "" {
				v.Denial = c.denial
			}
			add(v)
		}
	}
	fc := faultCombos
	ecc := []combo{{dns.ECDSAP256SHA256, "nsec"}, {dns.ED25519, "nsec3"}, {dns.ECDSAP256SHA256, "nsec3-optout"}}

	// 2. Stand-by and revoked keys.
	fault("standby-ksk", fc, func(c combo) Variant {
		return Variant{Keys: append(std(c.alg), Key{ID: "ksk2", Alg: c.alg, KSK: true, Publish: true}), Dims: dim("keys", "standby")}
	})
	fault("standby-ksk-ds", fc, func(c combo) Variant { // pre-published DS for the stand-by key too (RFC 6781 4.1.2 double-DS)
		return Variant{Keys: append(std(c.alg), Key{ID: "ksk2", Alg: c.alg, KSK: true, Publish: true, DS: []uint8{2}}), Dims: dim("keys", "standby")}
	})
	fault("standby-zsk", fc, func(c combo) Variant {
		return Variant{Keys: append(std(c.alg), Key{ID: "zsk2", Alg: c.alg, Publish: true}), Dims: dim("keys", "standby")}
	})
	fault("ds-standby-only", fc, func(c combo) Variant { // DS only for a published key that signs nothing
		ks := std(c.alg)
		ks[0].DS = nil
		return Variant{Keys: append(ks, Key{ID: "ksk2", Alg: c.alg, KSK: true, Publish: true, DS: []uint8{2}}), Dims: dim("keys", "standby")}
	})
	fault("revoked-old-ksk", fc, func(c combo) Variant { // RFC 5011: the old KSK revoked, self-signing, DS gone
		return Variant{Keys: append(std(c.alg), Key{ID: "old", Alg: c.alg, KSK: true, Revoked: true, Publish: true, Sign: true}), Dims: dim("keys", "revoked")}
	})
	fault("revoked-old-ksk-ds", fc, func(c combo) Variant { // as above, the parent still has the old key's DS
		return Variant{Keys: append(std(c.alg), Key{ID: "old", Alg: c.alg, KSK: true, Revoked: true, Publish: true, Sign: true, DS: []uint8{2}, DSBeforeRevoke: true}), Dims: dim("keys", "revoked")}
	})
	fault("revoked-only-ksk", fc, func(c combo) Variant { // the one KSK revoked; DS of its unrevoked form
		ks := std(c.alg)
		ks[0].Revoked, ks[0].DSBeforeRevoke = true, true
		return Variant{Keys: ks, Dims: dim("keys", "revoked")}
	})
	fault("revoked-ksk-ds-of-revoked", fc, func(c combo) Variant { // the DS digests the revoked DNSKEY itself
		ks := std(c.alg)
		ks[0].Revoked = true
		return Variant{Keys: ks, Dims: dim("keys", "revoked")}
	})
	fault("revoked-zsk", fc, func(c combo) Variant { // a ZSK with the REVOKE bit signing the data
		ks := std(c.alg)
		ks[1].Revoked = true
		return Variant{Keys: ks, Dims: dim("keys", "revoked")}
	})

	// 3. Key-tag collisions (same algorithm, same tag, different keys).
	fault("collide-ksk-zsk", ecc, func(c combo) Variant {
		ks := std(c.alg)
		ks[1].CollideWith = "ksk"
		return Variant{Keys: ks, Dims: dim("keys", "collision")}
	})
	fault("collide-standby-ksk", ecc, func(c combo) Variant {
		return Variant{Keys: append(std(c.alg), Key{ID: "ksk2", Alg: c.alg, KSK: true, Publish: true, CollideWith: "ksk"}), Dims: dim("keys", "collision")}
	})
	fault("collide-ds-standby", ecc, func(c combo) Variant { // the DS is for the colliding key that signs nothing
		ks := std(c.alg)
		ks[0].DS = nil
		return Variant{Keys: append(ks, Key{ID: "ksk2", Alg: c.alg, KSK: true, Publish: true, CollideWith: "ksk", DS: []uint8{2}}), Dims: dim("keys", "collision")}
	})
	fault("collide-zsk", ecc, func(c combo) Variant {
		return Variant{Keys: append(std(c.alg), Key{ID: "zsk2", Alg: c.alg, Publish: true, CollideWith: "zsk"}), Dims: dim("keys", "collision")}
	})
	fault("collide-two-signing-zsk", ecc, func(c combo) Variant { // both colliding ZSKs sign
		return Variant{Keys: append(std(c.alg), Key{ID: "zsk2", Alg: c.alg, Publish: true, Sign: true, CollideWith: "zsk"}), Dims: dim("keys", "collision")}
	})

	// 4. Signature windows. Every edge is at least 30 minutes from now and
	// from every validator's limit (Unbound's skew: 10% of the window,
	// between val-sig-skew-min 1 h and val-sig-skew-max 1 d), so a run
	// shorter than 30 minutes cannot cross one (the harness enforces it).
	windows := []struct {
		name     string
		inc, exp int64
	}{
		{"inc-future-30m-w30d", 30 * 60, 30*day + 30*60},  // inside every skew allowance
		{"inc-future-6h-w30d", 6 * hour, 30*day + 6*hour}, // inside Unbound's 1 d
		{"inc-future-2d-w30d", 2 * day, 32 * day},         // outside
		{"inc-future-30m-w4h", 30 * 60, 4*hour + 30*60},   // inside Unbound's 1 h minimum
		{"inc-future-3h-w4h", 3 * hour, 7 * hour},         // outside
		{"exp-past-30m-w30d", -30 * day, -30 * 60},        // inside Unbound's 1 d
		{"exp-past-2d-w30d", -32 * day, -2 * day},         // outside
		{"exp-past-30m-w4h", -4*hour - 30*60, -30 * 60},   // inside the 1 h minimum
		{"exp-past-3h-w4h", -7 * hour, -3 * hour},         // outside
		{"exp-soon-2h", -30 * day, 2 * hour},              // valid, expires in 2 h (before the 3600 s TTL twice over)
		{"short-w2h", -hour, hour},                        // valid, a 2 h window
	}
	for _, w := range windows {
		w := w
		fault("win-"+w.name, []combo{{dns.ECDSAP256SHA256, "nsec"}, {dns.RSASHA256, "nsec3"}}, func(c combo) Variant {
			return Variant{Keys: std(c.alg), Inc: w.inc, Exp: w.exp, Dims: dim("window", w.name)}
		})
	}
	// Windows on one RRset only (Go re-signs it): the SOA expired, DNSKEY
	// not yet valid, inception after expiration.
	fault("win-soa-expired-2d", fc, func(c combo) Variant {
		return Variant{Keys: std(c.alg), Post: []Post{{Op: "window", Type: dns.TypeSOA, Owner: "@", Inc: -32 * day, Exp: -2 * day}}, Dims: dim("window", "one-rrset")}
	})
	fault("win-dnskey-future-2d", fc, func(c combo) Variant {
		return Variant{Keys: std(c.alg), Post: []Post{{Op: "window", Type: dns.TypeDNSKEY, Owner: "@", Inc: 2 * day, Exp: 32 * day}}, Dims: dim("window", "one-rrset")}
	})
	fault("win-inverted", fc, func(c combo) Variant { // inception after expiration, both around now
		return Variant{Keys: std(c.alg), Post: []Post{{Op: "window", Type: dns.TypeSOA, Owner: "@", Inc: 10 * day, Exp: -10 * day}}, Dims: dim("window", "inverted")}
	})

	// 5. Wrong signer names (Go re-signs the RRset with the right key).
	for _, s := range []struct {
		shape string
		t     uint16
		owner string
		arg   string
	}{
		{"signer-parent-soa", dns.TypeSOA, "@", "parent"},
		{"signer-parent-www", dns.TypeA, "www", "parent"},
		{"signer-child-www", dns.TypeA, "www", "child"},
		{"signer-other-dnskey", dns.TypeDNSKEY, "@", "other"},
		{"signer-case-soa", dns.TypeSOA, "@", "case"},
	} {
		s := s
		fault(s.shape, fc, func(c combo) Variant {
			return Variant{Keys: std(c.alg), Post: []Post{{Op: "signer", Type: s.t, Owner: s.owner, Arg: s.arg}}, Dims: dim("signer", s.arg)}
		})
	}

	// 6. Missing RRSIGs by type.
	for _, m := range []struct {
		shape  string
		t      uint16
		owner  string
		extras []string
		qs     []Question
	}{
		{"nosig-soa", dns.TypeSOA, "@", nil, nil},
		{"nosig-ns", dns.TypeNS, "@", nil, nil},
		{"nosig-dnskey", dns.TypeDNSKEY, "@", nil, nil},
		{"nosig-www-a", dns.TypeA, "www", nil, nil},
		{"nosig-denial", 0, "", nil, nil}, // every NSEC/NSEC3 RRSIG
		{"nosig-cname", dns.TypeCNAME, "alias", []string{"cname"}, nil},
		{"nosig-wildcard", dns.TypeA, "*.wild", []string{"wildcard"}, nil},
	} {
		m := m
		fault(m.shape, fc, func(c combo) Variant {
			p := Post{Op: "dropsig", Type: m.t, Owner: m.owner}
			if m.shape == "nosig-denial" {
				p.Arg = "denial"
			}
			return Variant{Keys: std(c.alg), Extras: m.extras, Post: []Post{p}, Dims: dim("nosig", m.shape)}
		})
	}
	fault("nosig-dnskey-by-ksk", fc, func(c combo) Variant { // only the ZSK signs the DNSKEY RRset
		return Variant{Keys: std(c.alg), Post: []Post{{Op: "dropsig", Type: dns.TypeDNSKEY, Owner: "@", KeyID: "ksk"}, {Op: "addsig", Type: dns.TypeDNSKEY, Owner: "@", KeyID: "zsk"}}, Dims: dim("nosig", "dnskey-by-ksk")}
	})

	// 7. Algorithm rollover (RFC 6781 section 4.1.4, conservative: new
	// RRSIGs, new DNSKEY, new DS, DNSKEY removal, RRSIG removal) and the
	// mid-states validators disagree about.
	pairs := [][2]uint8{{dns.RSASHA256, dns.ECDSAP256SHA256}, {dns.ECDSAP256SHA256, dns.ED25519}, {dns.RSASHA1NSEC3SHA1, dns.RSASHA256}}
	type stage struct {
		name string
		keys func(a, b uint8) []Key
	}
	k := func(id string, alg uint8, ksk, pub, sign bool, ds ...uint8) Key {
		return Key{ID: id, Alg: alg, KSK: ksk, Publish: pub, Sign: sign, DS: ds}
	}
	stages := []stage{
		{"1-initial", func(a, b uint8) []Key { return []Key{k("ksk", a, true, true, true, 2), k("zsk", a, false, true, true)} }},
		{"2-new-rrsigs", func(a, b uint8) []Key {
			return []Key{k("ksk", a, true, true, true, 2), k("zsk", a, false, true, true), k("ksk-b", b, true, false, true), k("zsk-b", b, false, false, true)}
		}},
		{"3-new-dnskey", func(a, b uint8) []Key {
			return []Key{k("ksk", a, true, true, true, 2), k("zsk", a, false, true, true), k("ksk-b", b, true, true, true), k("zsk-b", b, false, true, true)}
		}},
		{"4-new-ds", func(a, b uint8) []Key {
			return []Key{k("ksk", a, true, true, true), k("zsk", a, false, true, true), k("ksk-b", b, true, true, true, 2), k("zsk-b", b, false, true, true)}
		}},
		{"5-dnskey-removal", func(a, b uint8) []Key {
			return []Key{k("ksk", a, true, false, true), k("zsk", a, false, false, true), k("ksk-b", b, true, true, true, 2), k("zsk-b", b, false, true, true)}
		}},
		{"6-rrsig-removal", func(a, b uint8) []Key {
			return []Key{k("ksk-b", b, true, true, true, 2), k("zsk-b", b, false, true, true)}
		}},
		// Mid-states out of order.
		{"x-dnskey-before-rrsigs", func(a, b uint8) []Key { // liberal: new keys published, sign nothing
			return []Key{k("ksk", a, true, true, true, 2), k("zsk", a, false, true, true), k("ksk-b", b, true, true, false), k("zsk-b", b, false, true, false)}
		}},
		{"x-ds-both-signed-old", func(a, b uint8) []Key { // DS for both, zone still signed only with the old
			return []Key{k("ksk", a, true, true, true, 2), k("zsk", a, false, true, true), k("ksk-b", b, true, true, false, 2), k("zsk-b", b, false, true, false)}
		}},
		{"x-ds-new-too-early", func(a, b uint8) []Key { // DS only for the new, which signs nothing yet
			return []Key{k("ksk", a, true, true, true), k("zsk", a, false, true, true), k("ksk-b", b, true, true, false, 2), k("zsk-b", b, false, true, false)}
		}},
		{"x-ds-new-no-dnskey", func(a, b uint8) []Key { // DS only for the new, not yet published
			return []Key{k("ksk", a, true, true, true), k("zsk", a, false, true, true), k("ksk-b", b, true, false, true, 2), k("zsk-b", b, false, false, true)}
		}},
		{"x-ds-both-old-removed", func(a, b uint8) []Key { // DS for both, old keys and sigs gone
			return []Key{k("ksk-b", b, true, true, true, 2), k("ksk", a, true, false, false, 2), k("zsk-b", b, false, true, true)}
		}},
	}
	for _, st := range stages {
		for _, p := range pairs {
			den := "nsec"
			if p[0] == dns.RSASHA1NSEC3SHA1 {
				den = "nsec3"
			}
			add(Variant{
				Name:   fmt.Sprintf("roll-%s-%s-%s", st.name, algNames[p[0]], algNames[p[1]]),
				Dims:   dim("rollover", st.name, "alg", algNames[p[1]], "denial", den, "shape", "rollover"),
				Keys:   st.keys(p[0], p[1]),
				Denial: den,
			})
		}
	}

	// 8. Multi-signer (RFC 8901): BIND serves provider 1's copy, NSD
	// provider 2's; each signs the data with its own ZSK, and the DNSKEY
	// RRset holds both ZSKs.
	for _, c := range fc {
		a := c.alg
		add(Variant{ // model 2: each provider its own KSK, a DS for each
			Name:   fmt.Sprintf("multi-own-ksk-%s-%s", algNames[a], denialName(c.denial)),
			Dims:   dim("multisigner", "own-ksk", "alg", algNames[a], "denial", c.denial, "shape", "multisigner"),
			Server: "both", Denial: c.denial,
			Keys: []Key{
				{ID: "ksk1", Alg: a, KSK: true, Publish: true, Sign: true, DS: []uint8{2}, Provider: 1},
				{ID: "zsk1", Alg: a, Publish: true, Sign: true, Provider: 1},
				{ID: "ksk2", Alg: a, KSK: true, Publish: true, Sign: true, DS: []uint8{2}, Provider: 2},
				{ID: "zsk2", Alg: a, Publish: true, Sign: true, Provider: 2},
			},
		})
		add(Variant{ // model 1: one KSK, each provider its own ZSK
			Name:   fmt.Sprintf("multi-shared-ksk-%s-%s", algNames[a], denialName(c.denial)),
			Dims:   dim("multisigner", "shared-ksk", "alg", algNames[a], "denial", c.denial, "shape", "multisigner"),
			Server: "both", Denial: c.denial,
			Keys: []Key{
				{ID: "ksk", Alg: a, KSK: true, Publish: true, Sign: true, DS: []uint8{2}},
				{ID: "zsk1", Alg: a, Publish: true, Sign: true, Provider: 1},
				{ID: "zsk2", Alg: a, Publish: true, Sign: true, Provider: 2},
			},
		})
	}
	add(Variant{ // two providers with different algorithms
		Name:   "multi-mixed-alg-a13-a8",
		Dims:   dim("multisigner", "mixed-alg", "alg", "a8", "denial", "nsec", "shape", "multisigner"),
		Server: "both", Denial: "nsec",
		Keys: []Key{
			{ID: "ksk1", Alg: dns.ECDSAP256SHA256, KSK: true, Publish: true, Sign: true, DS: []uint8{2}, Provider: 1},
			{ID: "zsk1", Alg: dns.ECDSAP256SHA256, Publish: true, Sign: true, Provider: 1},
			{ID: "ksk2", Alg: dns.RSASHA256, KSK: true, Publish: true, Sign: true, DS: []uint8{2}, Provider: 2},
			{ID: "zsk2", Alg: dns.RSASHA256, Publish: true, Sign: true, Provider: 2},
		},
	})

	// 9. CNAMEs and wildcards.
	for _, s := range []struct {
		shape  string
		extras []string
		qs     []Question
	}{
		{"cname", []string{"cname"}, nil},
		{"cname-dangling", []string{"cname-dangling"}, nil},
		{"cname-chain", []string{"cname", "cname-chain"}, nil},
		{"wildcard", []string{"wildcard"}, nil},
		{"wildcard-cname", []string{"wildcard-cname"}, nil},
	} {
		s := s
		fault(s.shape, fc, func(c combo) Variant {
			return Variant{Keys: std(c.alg), Extras: s.extras, Dims: dim("names", s.shape)}
		})
	}

	// 10. NSEC3 parameters (RFC 9276; Unbound's val-nsec3-keysize-iterations).
	for _, it := range []struct {
		iter int
		salt string
	}{{0, ""}, {1, "ab"}, {10, "cafe0123"}, {100, ""}, {150, ""}, {151, ""}, {500, "cafe"}, {2500, ""}, {0, strings.Repeat("a1", 32)}} {
		for _, c := range []combo{{dns.ECDSAP256SHA256, "nsec3"}, {dns.RSASHA256, "nsec3-optout"}} {
			saltName := "nosalt"
			if it.salt != "" {
				saltName = fmt.Sprintf("salt%d", len(it.salt)/2)
			}
			add(Variant{
				Name:   fmt.Sprintf("nsec3-i%d-%s-%s-%s", it.iter, saltName, algNames[c.alg], denialName(c.denial)),
				Dims:   dim("nsec3", fmt.Sprintf("i%d-%s", it.iter, saltName), "alg", algNames[c.alg], "denial", c.denial, "shape", "nsec3"),
				Keys:   std(c.alg),
				Denial: c.denial, Iter: it.iter, Salt: it.salt, Extras: []string{"deleg"},
			})
		}
	}

	// 11. DS sets (RFC 4509 section 3: SHA-1 ignored when SHA-256 is there).
	for _, d := range []struct {
		shape string
		keys  func(alg uint8) []Key
		post  []Post
		raw   func(alg uint8) []string
	}{
		{"ds-sha1-good-sha256-bad", func(a uint8) []Key { return std(a, 1, 2) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "2"}}, nil},
		{"ds-sha256-good-sha1-bad", func(a uint8) []Key { return std(a, 1, 2) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "1"}}, nil},
		{"ds-sha256-good-sha384-bad", func(a uint8) []Key { return std(a, 2, 4) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "4"}}, nil},
		{"ds-sha384-good-sha256-bad", func(a uint8) []Key { return std(a, 2, 4) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "2"}}, nil},
		{"ds-sha1-good-sha384-bad", func(a uint8) []Key { return std(a, 1, 4) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "4"}}, nil},
		{"ds-sha256-bad", func(a uint8) []Key { return std(a, 2) }, []Post{{Op: "dsbad", KeyID: "ksk", Arg: "2"}}, nil},
		{"ds-two-ksk-one-bad", func(a uint8) []Key { // two signing KSKs with a DS each, one DS wrong
			return append(std(a), Key{ID: "ksk2", Alg: a, KSK: true, Publish: true, Sign: true, DS: []uint8{2}})
		}, []Post{{Op: "dsbad", KeyID: "ksk2", Arg: "2"}}, nil},
		{"ds-unknown-digest-only", func(a uint8) []Key { return std(a, 99) }, nil, nil},
		{"ds-unknown-alg-only", func(a uint8) []Key { ks := std(a); ks[0].DS = nil; return ks }, nil,
			func(a uint8) []string { return []string{"@ 3600 IN DS 12345 253 2 " + strings.Repeat("ab", 32)} }},
		{"ds-plus-unknown-alg", func(a uint8) []Key { return std(a) }, nil,
			func(a uint8) []string { return []string{"@ 3600 IN DS 12345 253 2 " + strings.Repeat("ab", 32)} }},
		{"ds-no-dnskey", func(a uint8) []Key { return std(a) }, []Post{{Op: "unsign"}}, nil},
		{"unsigned-no-ds", func(a uint8) []Key { ks := std(a); ks[0].DS = nil; return ks }, []Post{{Op: "unsign"}}, nil},
		{"signed-no-ds", func(a uint8) []Key { ks := std(a); ks[0].DS = nil; return ks }, nil, nil},
	} {
		d := d
		fault(d.shape, fc, func(c combo) Variant {
			v := Variant{Keys: d.keys(c.alg), Post: d.post, Dims: dim("dsset", d.shape)}
			if d.raw != nil {
				v.ExtraDS = d.raw(c.alg)
			}
			return v
		})
	}

	// Servers and signers, rotated so that every shape meets both.
	for i := range vs {
		v := &vs[i]
		if v.Server == "" {
			v.Server = [...]string{"bind", "nsd"}[i%2]
		}
		if v.Signer == "auto" {
			v.Signer = [...]string{"dnssec-signzone", "ldns-signzone"}[(i/2)%2]
			if v.Iter > 150 || anyCollision(v.Keys) {
				// dnssec-signzone refuses more than 150 iterations, and names
				// key files by tag (two keys with one tag cannot both be there).
				v.Signer = "ldns-signzone"
			}
		}
		v.Dims = append(v.Dims, [2]string{"server", v.Server}, [2]string{"signer", v.Signer})
		for _, e := range v.Extras {
			switch e {
			case "cname":
				v.Questions = append(v.Questions, Question{"alias", dns.TypeA})
			case "cname-dangling":
				v.Questions = append(v.Questions, Question{"dangling", dns.TypeA})
			case "cname-chain":
				v.Questions = append(v.Questions, Question{"chain", dns.TypeA})
			case "wildcard":
				v.Questions = append(v.Questions, Question{"host.wild", dns.TypeA})
			case "wildcard-cname":
				v.Questions = append(v.Questions, Question{"host.wc", dns.TypeA})
			}
		}
		v.Questions = append([]Question{{"www", dns.TypeA}}, v.Questions...)
	}
	return vs
}

func anyCollision(ks []Key) bool {
	for _, k := range ks {
		if k.CollideWith != "" {
			return true
		}
	}
	return false
}

// Subset picks a deterministic subset of about n variants that covers
// every (dimension, value) pair of the space but "shape" (the name of the
// fault family, finer than the dimensions), from seed: variants are
// shuffled with the seed, then taken greedily while they cover a pair not
// yet covered, then in shuffled order until n.
func Subset(vs []Variant, seed int64, n int) []Variant {
	order := rand.New(rand.NewSource(seed)).Perm(len(vs))
	covered := map[[2]string]bool{}
	picked := map[int]bool{}
	for _, i := range order {
		for _, d := range vs[i].Dims {
			if d[0] != "shape" && !covered[d] {
				picked[i] = true
			}
		}
		if picked[i] {
			for _, d := range vs[i].Dims {
				covered[d] = true
			}
		}
	}
	for _, i := range order {
		if len(picked) >= n {
			break
		}
		picked[i] = true
	}
	var idx []int
	for i := range picked {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]Variant, 0, len(idx))
	for _, i := range idx {
		out = append(out, vs[i])
	}
	return out
}
