package validate

import (
	"crypto"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The RRset's expiration is when it stops validating: the latest expiry of
// its valid signatures, not the earliest RRSIG served. An RRSIG by a key
// that is not in the set, one that does not verify, or an older valid one
// beside a newer one, is no deadline.
func TestRRsetExpirationIsTheLastValidSignature(t *testing.T) {
	val := Validator{Memo: NewMemo(100)}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	newKey := func() (*dns.DNSKEY, crypto.Signer) {
		k := new(dns.DNSKEY)
		k.Hdr = dns.RR_Header{Name: "exp.example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600}
		k.Flags, k.Protocol, k.Algorithm = 256, 3, dns.ED25519
		priv, err := k.Generate(256)
		if err != nil {
			t.Fatal(err)
		}
		return k, priv.(crypto.Signer)
	}
	rrset := []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "exp.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: []string{"x"}}}
	sign := func(k *dns.DNSKEY, s crypto.Signer, expires time.Duration) *dns.RRSIG {
		sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: k.KeyTag(), SignerName: "exp.example.", Algorithm: dns.ED25519,
			Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(expires).Unix())}
		if err := sig.Sign(s, rrset); err != nil {
			t.Fatal(err)
		}
		return sig
	}
	zsk, zskPriv := newKey()
	other, otherPriv := newKey()
	day := 24 * time.Hour
	valid10 := sign(zsk, zskPriv, 10*day)
	valid3 := sign(zsk, zskPriv, 3*day)
	unknown1 := sign(other, otherPriv, day)
	broken1 := sign(zsk, zskPriv, day)
	broken1.Signature = "AAAA" + broken1.Signature[4:]
	expired := sign(zsk, zskPriv, -day)

	for _, c := range []struct {
		name string
		sigs []*dns.RRSIG
		want time.Duration
	}{
		{"unknown key beside a valid one", []*dns.RRSIG{valid10, unknown1}, 10 * day},
		{"broken signature beside a valid one", []*dns.RRSIG{broken1, valid10}, 10 * day},
		{"expired beside a valid one", []*dns.RRSIG{expired, valid10}, 10 * day},
		{"two valid", []*dns.RRSIG{valid3, valid10}, 10 * day},
		{"only expired", []*dns.RRSIG{expired, unknown1}, -day},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := val.VerifyRRset(rrset, c.sigs, []*dns.DNSKEY{zsk}, "exp.example.", now)
			if want := now.Add(c.want); !v.Expiration.Equal(want) {
				t.Errorf("expiration %s, want %s (valid %t: %s)", v.Expiration, want, v.Valid, v.Detail)
			}
		})
	}
}
