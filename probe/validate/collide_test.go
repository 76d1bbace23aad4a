package validate

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
)

// With two keys sharing a tag and algorithm, the verdict names the key
// whose signature verified, not the first key with that tag.
func TestVerdictNamesTheSigningKeyAmongCollidingTags(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	a, b := dnstest.CollidingKeys(t, "collide.example.", 257)
	if a.DNSKEY.KeyTag() != b.DNSKEY.KeyTag() || a.DNSKEY.PublicKey == b.DNSKEY.PublicKey {
		t.Fatal("the keys do not collide")
	}
	keyset := []dns.RR{a.DNSKEY, b.DNSKEY}
	sig := b.Sign(t, keyset, "collide.example.", uint32(now.Add(-time.Hour).Unix()), uint32(now.Add(time.Hour).Unix()))
	v := Validator{}.VerifyRRset(keyset, []*dns.RRSIG{sig}, []*dns.DNSKEY{a.DNSKEY, b.DNSKEY}, "collide.example.", now)
	if !v.Valid || len(v.Keys) != 1 || v.Keys[0] != b.DNSKEY {
		t.Fatalf("valid %t keys %v, want the second key only (%s)", v.Valid, v.Keys, v.Detail)
	}
}
