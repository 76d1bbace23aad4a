package validate

import (
	"crypto"
	"crypto/ed25519"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Tests that each fail when one rule of the validator is deleted: the
// REVOKE and ZONE-bit filters of TrustKeys, the RRSIG labels check, the
// NSEC3 closest-encloser zone-cut/DNAME rule and the CNAME-in-bitmap rule.
// Each builds an input that the rule alone turns from valid to invalid,
// and a control that is valid, so that the input is not rejected for
// another reason.

// signedKeySet returns a DNSKEY RRset of one Ed25519 key with flags, a
// signature over it by that key, and a DS for the key: without the key
// filters, a complete chain of trust.
func signedKeySet(t *testing.T, flags uint16, now time.Time) ([]dns.RR, *dns.RRSIG, *dns.DS) {
	t.Helper()
	key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: flags, Protocol: 3, Algorithm: dns.ED25519}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	keyset := []dns.RR{key}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 3600}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	if err := sig.Sign(priv.(crypto.Signer), keyset); err != nil {
		t.Fatal(err)
	}
	return keyset, sig, key.ToDS(dns.SHA256)
}

func TestTrustKeysRejectsARevokedKeyAsEntryPoint(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	// Control: the same chain with a plain KSK is trusted.
	keyset, sig, ds := signedKeySet(t, dns.ZONE|dns.SEP, now)
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{ds}, nil, "example.", now); err != nil {
		t.Fatalf("control, KSK flags 257: %v", err)
	}
	// A revoked key (RFC 5011 section 2.1) may still sign its DNSKEY
	// RRset, and a DS may match it, but it is not a zone key any more.
	keyset, sig, ds = signedKeySet(t, dns.ZONE|dns.SEP|dns.REVOKE, now)
	keys, v, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{ds}, nil, "example.", now)
	if err == nil || v.Reason != NoTrustedKey || len(keys) != 0 {
		t.Errorf("revoked KSK (flags 385) matching the DS: keys %d, reason %v, err %v; want no trusted key", len(keys), v.Reason, err)
	}
	// Nor as an anchor.
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, nil, []*dns.DNSKEY{keyset[0].(*dns.DNSKEY)}, "example.", now); err == nil {
		t.Error("a revoked key given as a trust anchor is trusted")
	}
}

func TestTrustKeysRejectsAKeyWithoutTheZoneFlag(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	// Flags 1: SEP without ZONE. RFC 4034 section 2.1.1: a key without
	// the Zone flag MUST NOT be used to verify RRSIGs over RRsets.
	keyset, sig, ds := signedKeySet(t, dns.SEP, now)
	keys, v, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{ds}, nil, "example.", now)
	if err == nil || v.Reason != NoTrustedKey || len(keys) != 0 {
		t.Errorf("key without the Zone flag matching the DS: keys %d, reason %v, err %v; want no trusted key", len(keys), v.Reason, err)
	}
}

// labelSigner signs as an Ed25519 key but writes labels into the Labels
// field of the RRSIG RDATA it is given (byte 3: type covered, algorithm,
// labels), so a test can make a signature that verifies with a labels
// field miekg/dns's Sign would not write.
type labelSigner struct {
	priv   ed25519.PrivateKey
	labels uint8
}

func (s labelSigner) Public() crypto.PublicKey { return s.priv.Public() }

func (s labelSigner) Sign(_ io.Reader, data []byte, _ crypto.SignerOpts) ([]byte, error) {
	d := append([]byte(nil), data...)
	d[3] = s.labels
	return ed25519.Sign(s.priv, d), nil
}

// signWithLabels signs rrset with key and priv, with the RRSIG's labels
// field set to labels; the signature verifies with that field.
func signWithLabels(t *testing.T, rrset []dns.RR, key *dns.DNSKEY, priv ed25519.PrivateKey, labels uint8, now time.Time) *dns.RRSIG {
	t.Helper()
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	if err := sig.Sign(labelSigner{priv, labels}, rrset); err != nil {
		t.Fatal(err)
	}
	sig.Labels = labels
	return sig
}

func ed25519ZoneKey(t *testing.T) (*dns.DNSKEY, ed25519.PrivateKey) {
	t.Helper()
	key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 256, Protocol: 3, Algorithm: dns.ED25519}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return key, priv.(ed25519.PrivateKey)
}

// RFC 4035 section 5.3.1: the labels field must not exceed the owner's
// label count. Here the signature verifies cryptographically with labels
// 3 over the 2-label www.example., so only the labels check rejects it.
func TestRRSIGLabelsAboveTheOwnersCountAreMalformed(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	key, priv := ed25519ZoneKey(t)
	rrset := []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "www.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 1}}}
	if v := unbounded.VerifyRRset(rrset, []*dns.RRSIG{signWithLabels(t, rrset, key, priv, 2, now)}, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
		t.Fatalf("control, labels 2: %v %s", v.Reason, v.Detail)
	}
	v := unbounded.VerifyRRset(rrset, []*dns.RRSIG{signWithLabels(t, rrset, key, priv, 3, now)}, []*dns.DNSKEY{key}, "example.", now)
	if v.Valid || v.Reason != RRSIGMalformed || !strings.Contains(v.Detail, "labels 3") {
		t.Errorf("labels 3 over a 2-label owner: valid %v reason %v detail %q; want rrsig malformed", v.Valid, v.Reason, v.Detail)
	}
}

// Fewer labels than the owner has means the RRset was synthesised from a
// wildcard (RFC 4035 section 5.3.2): the signature over *.example. verifies
// for foo.bar.example. with labels 1.
func TestRRSIGLabelsBelowTheOwnersCountAreAWildcardExpansion(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	key, priv := ed25519ZoneKey(t)
	wild := []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "*.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 1}}}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	if err := sig.Sign(priv, wild); err != nil {
		t.Fatal(err)
	}
	if sig.Labels != 1 {
		t.Fatalf("labels %d over *.example., want 1", sig.Labels)
	}
	expanded := []dns.RR{dns.Copy(wild[0])}
	expanded[0].Header().Name = "foo.bar.example."
	sig.Hdr.Name = "foo.bar.example." // served at the expanded name
	if v := unbounded.VerifyRRset(expanded, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
		t.Errorf("wildcard expansion at foo.bar.example. (labels 1 of 3): %v %s", v.Reason, v.Detail)
	}
}

// singleNSEC3 is an NSEC3 chain of one record at H(name), which matches
// name and covers every other hash (RFC 5155 section 3.1.7: its next
// hashed owner is itself).
func singleNSEC3(name string, types ...uint16) *dns.NSEC3 {
	h := dns.HashName(name, dns.SHA1, 0, "")
	return &dns.NSEC3{
		Hdr:  dns.RR_Header{Name: strings.ToLower(h) + "." + denialTestZone, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: 300},
		Hash: dns.SHA1, Salt: "", HashLength: 20, NextDomain: h, TypeBitMap: denialSorted(types),
	}
}

// RFC 5155 section 8.3: a closest encloser whose NSEC3 has NS without SOA
// (the parent side of a zone cut) or DNAME cannot prove that names below
// it do not exist: they are the child zone's, or the DNAME's target's.
func TestNSEC3ClosestEncloserAtAZoneCutOrDNAMECannotProveNamesBelowIt(t *testing.T) {
	f := newDenialFixture(t)
	ce := denialName("sub")
	q := "x." + ce
	cases := []struct {
		name  string
		types []uint16
		valid bool
	}{
		{"ordinary name", []uint16{dns.TypeA, dns.TypeRRSIG}, true},
		{"zone cut, NS without SOA", []uint16{dns.TypeNS}, false},
		{"signed zone cut, NS and DS", []uint16{dns.TypeNS, dns.TypeDS, dns.TypeRRSIG}, false},
		{"DNAME", []uint16{dns.TypeDNAME, dns.TypeRRSIG}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := f.reply(q, dns.TypeA, dns.RcodeNameError, signValid, soaSigned, singleNSEC3(ce, tc.types...))
			got := unbounded.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow)
			if tc.valid {
				denialCheck(t, got, true, KindNXDomain, OK, "closest encloser "+ce)
				return
			}
			denialCheck(t, got, false, KindNXDomain, DenialInvalid, "is a zone cut or DNAME")
		})
	}
}

// RFC 4035 section 5.4, RFC 5155 section 8.5: a NODATA answer for a type
// at a name whose NSEC or NSEC3 bitmap has CNAME is no proof: the answer
// should have been the CNAME.
func TestNoDataAtANameWithCNAMEInItsBitmapIsNoProof(t *testing.T) {
	f := newDenialFixture(t)
	q := denialName("alias")
	nsec := func(types ...uint16) *dns.NSEC {
		return &dns.NSEC{Hdr: dns.RR_Header{Name: q, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
			NextDomain: denialName("c"), TypeBitMap: denialSorted(types)}
	}
	cases := []struct {
		name  string
		rec   dns.RR
		valid bool
	}{
		{"NSEC without CNAME", nsec(dns.TypeTXT, dns.TypeRRSIG, dns.TypeNSEC), true},
		{"NSEC with CNAME", nsec(dns.TypeCNAME, dns.TypeRRSIG, dns.TypeNSEC), false},
		{"NSEC3 without CNAME", singleNSEC3(q, dns.TypeTXT, dns.TypeRRSIG), true},
		{"NSEC3 with CNAME", singleNSEC3(q, dns.TypeCNAME, dns.TypeRRSIG), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := f.reply(q, dns.TypeA, dns.RcodeSuccess, signValid, soaSigned, tc.rec)
			got := unbounded.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow)
			if tc.valid {
				denialCheck(t, got, true, KindNoData, OK, "")
				return
			}
			denialCheck(t, got, false, KindNoData, DenialInvalid, "lists CNAME")
		})
	}
}

// Key tags are not unique (RFC 4034 Appendix B, RFC 4035 section 5.3.1):
// a validator tries every key with the RRSIG's tag and algorithm until one
// verifies, within MaxKeyCandidates. Here the signing key comes after
// three others sharing its tag.
func TestVerifyRRsetTriesEveryKeyWithTheSignaturesTag(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	var keys []*dns.DNSKEY
	c := key
	for range 3 {
		c = collidingKey(t, c)
		keys = append(keys, c)
	}
	keys = append(keys, key)
	for _, val := range []Validator{unbounded, {Limits: DefaultLimits()}} {
		if v := val.VerifyRRset(rrset, []*dns.RRSIG{sig}, keys, "example.", now); !v.Valid {
			t.Errorf("limits %+v: the signing key fourth among keys of its tag: %v %s", val.Limits, v.Reason, v.Detail)
		}
	}
}
