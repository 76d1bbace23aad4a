package probe

import (
	"crypto"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// A SHA-1 DS beside a SHA-256 DS is ignored, as Unbound does (only the
// highest supported digest type counts, RFC 4509 section 3): when the
// SHA-256 DS matches no key, the SHA-1 one cannot make the zone secure.
func TestSHA1DSIgnoredBesideSHA256(t *testing.T) {
	key := new(dns.DNSKEY)
	key.Hdr = dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600}
	key.Flags, key.Protocol, key.Algorithm = 257, 3, dns.ED25519
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 3600}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	keyset := []dns.RR{key}
	if err := sig.Sign(priv.(crypto.Signer), keyset); err != nil {
		t.Fatal(err)
	}
	sha1 := key.ToDS(dns.SHA1)
	sha256 := key.ToDS(dns.SHA256)
	wrong := *sha256
	wrong.Digest = "00" + wrong.Digest[2:]

	got := supportedDS([]*dns.DS{sha1, &wrong})
	if len(got) != 1 || got[0].DigestType != dns.SHA256 {
		t.Fatalf("supportedDS kept %v, want only the SHA-256 DS", got)
	}
	if _, _, err := (validate.Validator{}).TrustKeys(keyset, []*dns.RRSIG{sig}, got, nil, "example.", now); err == nil {
		t.Error("a SHA-1 DS beside a non-matching SHA-256 DS made the key trusted")
	}
	// Alone, the SHA-1 DS still counts (with its own finding elsewhere).
	if got := supportedDS([]*dns.DS{sha1}); len(got) != 1 {
		t.Errorf("supportedDS of a lone SHA-1 DS = %v", got)
	}
	if _, _, err := (validate.Validator{}).TrustKeys(keyset, []*dns.RRSIG{sig}, supportedDS([]*dns.DS{sha1, sha256}), nil, "example.", now); err != nil {
		t.Errorf("matching SHA-1 and SHA-256 DS: %v", err)
	}
	// No supported digest at all: nothing is kept.
	odd := *sha256
	odd.DigestType = 0
	if got := supportedDS([]*dns.DS{&odd}); len(got) != 0 {
		t.Errorf("supportedDS of a digest type 0 DS = %v", got)
	}
}
