package validate

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
)

func TestSigTime(t *testing.T) {
	cases := []struct {
		name string
		ts   uint32
		now  time.Time
		want time.Time
	}{
		{"ordinary", 1440021600, time.Date(2015, 8, 1, 0, 0, 0, 0, time.UTC), time.Unix(1440021600, 0)},
		{"past", 1438207200, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Unix(1438207200, 0)},
		// Near the 2106 wrap of the 32-bit field (RFC 4034 3.1.5): an
		// expiration written after the wrap is a small number, and it is
		// in the future, not in 1970.
		{"after wrap", 100, time.Date(2106, 2, 7, 0, 0, 0, 0, time.UTC), time.Unix(1<<32+100, 0)},
		{"before wrap", 0xFFFFFF00, time.Date(2106, 2, 7, 12, 0, 0, 0, time.UTC), time.Unix(0xFFFFFF00, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SigTime(tc.ts, tc.now); !got.Equal(tc.want) {
				t.Errorf("SigTime(%d, %s) = %s, want %s", tc.ts, tc.now, got, tc.want.UTC())
			}
		})
	}
}

// rfcVector is a key, its DS and a signed RRset published in an RFC.
type rfcVector struct {
	key, ds, rr, sig string
	during           time.Time // inside the signature's window
}

var rfcVectors = map[string]rfcVector{
	// RFC 6605 section 6.1 (ECDSA P-256).
	"rfc6605 P-256": {
		key:    "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
		ds:     "example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17",
		rr:     "www.example.net. 3600 IN A 192.0.2.1",
		sig:    "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
		during: time.Date(2010, 8, 20, 0, 0, 0, 0, time.UTC),
	},
	// RFC 8080 section 6.1, example 1 (Ed25519).
	"rfc8080 Ed25519": {
		key:    "example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		ds:     "example.com. 3600 IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b",
		rr:     "example.com. 3600 IN MX 10 mail.example.com.",
		sig:    "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
		during: time.Date(2015, 8, 1, 0, 0, 0, 0, time.UTC),
	},
}

func TestRFCVectors(t *testing.T) {
	for name, v := range rfcVectors {
		t.Run(name, func(t *testing.T) {
			key := dnstest.MustRR(t, v.key).(*dns.DNSKEY)
			ds := dnstest.MustRR(t, v.ds).(*dns.DS)
			rr := dnstest.MustRR(t, v.rr)
			sig := dnstest.MustRR(t, v.sig).(*dns.RRSIG)
			zone := key.Hdr.Name
			if !DSMatches(ds, key) {
				t.Error("the RFC's DS does not match its key")
			}
			bad := *ds
			bad.Digest = strings.Repeat("0", len(ds.Digest))
			if DSMatches(&bad, key) {
				t.Error("a wrong digest matches")
			}

			ok := unbounded.VerifyRRset([]dns.RR{rr}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, zone, v.during)
			if !ok.Valid || ok.Reason != OK {
				t.Fatalf("inside the window: %+v", ok)
			}
			late := unbounded.VerifyRRset([]dns.RR{rr}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, zone, v.during.AddDate(1, 0, 0))
			if late.Valid || late.Reason != RRSIGExpired {
				t.Errorf("a year later: check %q, want rrsig_expired", late.Reason)
			}
			early := unbounded.VerifyRRset([]dns.RR{rr}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, zone, v.during.AddDate(-1, 0, 0))
			if early.Valid || early.Reason != RRSIGNotYetValid {
				t.Errorf("a year early: check %q, want rrsig_not_yet_valid", early.Reason)
			}
			changed := dns.Copy(rr)
			switch c := changed.(type) {
			case *dns.A:
				c.A[3]++
			case *dns.MX:
				c.Preference++
			}
			if v := unbounded.VerifyRRset([]dns.RR{changed}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, zone, v.during); v.Valid || v.Reason != RRSIGInvalid {
				t.Errorf("changed data: check %q, want rrsig_invalid", v.Reason)
			}
			if v := unbounded.VerifyRRset([]dns.RR{rr}, nil, []*dns.DNSKEY{key}, zone, v.during); v.Valid || v.Reason != RRSIGMissing {
				t.Errorf("no signature: check %q, want rrsig_missing", v.Reason)
			}
			if v := unbounded.VerifyRRset([]dns.RR{rr}, []*dns.RRSIG{sig}, nil, zone, v.during); v.Valid || v.Reason != SigningKeyMissing {
				t.Errorf("no key: check %q, want signing_key_missing", v.Reason)
			}
			if v := unbounded.VerifyRRset([]dns.RR{rr}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "other.example.", v.during); v.Valid || v.Reason != RRSIGMalformed {
				t.Errorf("signer is not the zone: check %q, want rrsig_malformed", v.Reason)
			}
			// A TTL above the original TTL still verifies (validators cap
			// it) but is noted.
			longer := dns.Copy(rr)
			longer.Header().Ttl = sig.OrigTtl * 2
			if v := unbounded.VerifyRRset([]dns.RR{longer}, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, zone, v.during); !v.Valid || v.OrigTTL != sig.OrigTtl {
				t.Errorf("TTL above the original: valid %t origTTL %d, want valid and %d", v.Valid, v.OrigTTL, sig.OrigTtl)
			}
			if ok.OrigTTL != 0 {
				t.Errorf("origTTL %d for an RRset at its original TTL", ok.OrigTTL)
			}
			if exp := SigTime(sig.Expiration, v.during); !ok.Expiration.Equal(exp) {
				t.Errorf("expiration %s, want %s", ok.Expiration, exp)
			}
		})
	}
}

// selfSignedKSK returns a KSK of example. and its DNSKEY RRset signed by
// it, valid from an hour before now to a day after.
func selfSignedKSK(t *testing.T, now time.Time) (*dns.DNSKEY, []dns.RR, *dns.RRSIG) {
	t.Helper()
	key := new(dns.DNSKEY)
	key.Hdr = dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600}
	key.Flags, key.Protocol, key.Algorithm = 257, 3, dns.ED25519
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 3600}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	keyset := []dns.RR{key}
	if err := sig.Sign(priv.(crypto.Signer), keyset); err != nil {
		t.Fatal(err)
	}
	return key, keyset, sig
}

func TestTrustKeys(t *testing.T) {
	// A KSK signs the DNSKEY RRset; the DS matches it.
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	key, keyset, sig := selfSignedKSK(t, now)
	ds := key.ToDS(dns.SHA256)
	keys, v, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{ds}, nil, "example.", now)
	if err != nil || len(keys) != 1 || !v.Valid {
		t.Fatalf("trusted keys %v, %+v, %v", keys, v, err)
	}
	other := *ds
	other.KeyTag++
	if _, v, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{&other}, nil, "example.", now); err == nil || v.Reason != NoTrustedKey {
		t.Errorf("DS for another key: err %v check %q", err, v.Reason)
	}
	// The same key as a trust anchor, without any DS.
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, nil, []*dns.DNSKEY{key}, "example.", now); err != nil {
		t.Errorf("key anchor: %v", err)
	}
	if _, v, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, []*dns.DS{ds}, nil, "example.", now.Add(48*time.Hour)); err == nil || v.Reason != RRSIGExpired {
		t.Errorf("expired key set: err %v check %q", err, v.Reason)
	}
}

// A wrong SHA-384 DS beside a right SHA-256 DS leaves the key trusted:
// BIND and Unbound (default harden-algo-downgrade: no) accept a match on
// any supported digest but SHA-1, and resolve such a zone (found by the
// differential test: ds-sha256-good-sha384-bad).
func TestWrongSHA384DSBesideRightSHA256KeepsTheKeyTrusted(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	key, keyset, sig := selfSignedKSK(t, now)
	wrong := *key.ToDS(dns.SHA384)
	wrong.Digest = "00" + wrong.Digest[2:]
	usable := UsableDS([]*dns.DS{key.ToDS(dns.SHA256), &wrong})
	if len(usable) != 2 {
		t.Errorf("UsableDS kept %v, want both DS", usable)
	}
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, usable, nil, "example.", now); err != nil {
		t.Errorf("a right SHA-256 DS beside a wrong SHA-384 one: %v, want the key trusted", err)
	}
}

// unbounded is a validator with no memo and no bounds.
var unbounded Validator

// A SHA-1 DS beside a SHA-256 DS is ignored, as BIND does (RFC 4509
// section 3): when the SHA-256 DS matches no key, the SHA-1 one cannot
// make the zone secure.
func TestSHA1DSIgnoredBesideSHA256(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	key, keyset, sig := selfSignedKSK(t, now)
	sha1 := key.ToDS(dns.SHA1)
	sha256 := key.ToDS(dns.SHA256)
	wrong := *sha256
	wrong.Digest = "00" + wrong.Digest[2:]

	got := UsableDS([]*dns.DS{sha1, &wrong})
	if len(got) != 1 || got[0].DigestType != dns.SHA256 {
		t.Fatalf("UsableDS kept %v, want only the SHA-256 DS", got)
	}
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, got, nil, "example.", now); err == nil {
		t.Error("a SHA-1 DS beside a non-matching SHA-256 DS made the key trusted")
	}
	// Alone, the SHA-1 DS still counts (with its own finding elsewhere).
	if got := UsableDS([]*dns.DS{sha1}); len(got) != 1 {
		t.Errorf("UsableDS of a lone SHA-1 DS = %v", got)
	}
	if _, _, err := unbounded.TrustKeys(keyset, []*dns.RRSIG{sig}, UsableDS([]*dns.DS{sha1, sha256}), nil, "example.", now); err != nil {
		t.Errorf("matching SHA-1 and SHA-256 DS: %v", err)
	}
	// Beside a SHA-384 DS too (BIND: digest_sha1 is cleared by either).
	wrong384 := *key.ToDS(dns.SHA384)
	wrong384.Digest = "00" + wrong384.Digest[2:]
	if got := UsableDS([]*dns.DS{sha1, &wrong384}); len(got) != 1 || got[0].DigestType != dns.SHA384 {
		t.Errorf("UsableDS(SHA-1, SHA-384) kept %v, want only the SHA-384 DS", got)
	}
	// No supported digest at all: nothing is kept.
	odd := *sha256
	odd.DigestType = 0
	if got := UsableDS([]*dns.DS{&odd}); len(got) != 0 {
		t.Errorf("UsableDS of a digest type 0 DS = %v", got)
	}
}
