package dnstest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/miekg/dns"
)

// Key is a DNSKEY with its private key.
type Key struct {
	DNSKEY *dns.DNSKEY
	Signer crypto.Signer
}

// CollidingKeys returns two Ed25519 keys of zone with the given flags that
// share a key tag (RFC 4034 Appendix B: the tag is a 16-bit checksum, so
// about 300 keys give a collision). The seeds are fixed: the pair is the
// same on every run.
func CollidingKeys(t testing.TB, zone string, flags uint16) (Key, Key) {
	t.Helper()
	seen := map[uint16]Key{}
	for i := range 1 << 16 {
		seed := sha256.Sum256(fmt.Appendf(nil, "dnstest colliding key %s %d #%d", zone, flags, i))
		priv := ed25519.NewKeyFromSeed(seed[:])
		k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: dns.Fqdn(zone), Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
			Flags: flags, Protocol: 3, Algorithm: dns.ED25519,
			PublicKey: base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))}
		key := Key{k, priv}
		if other, ok := seen[k.KeyTag()]; ok {
			return other, key
		}
		seen[k.KeyTag()] = key
	}
	t.Fatal("no key tag collision in 65536 keys")
	return Key{}, Key{}
}

// Sign signs rrset with k for the zone signer, valid from inception to
// expiration (RRSIG field values), failing the test on error.
func (k Key) Sign(t testing.TB, rrset []dns.RR, signer string, inception, expiration uint32) *dns.RRSIG {
	t.Helper()
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: rrset[0].Header().Ttl}, Algorithm: k.DNSKEY.Algorithm, KeyTag: k.DNSKEY.KeyTag(),
		SignerName: dns.Fqdn(signer), Inception: inception, Expiration: expiration}
	if err := sig.Sign(k.Signer, rrset); err != nil {
		t.Fatalf("signing %s: %v", rrset[0].Header().Name, err)
	}
	return sig
}
