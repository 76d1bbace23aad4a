package validate

import (
	"crypto"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The signature memo never changes a verdict: after a TXT RRset verified,
// the same RRSIG over the RRset with its data in other case is invalid, as
// it is without the memo (RFC 4034 section 6.2 lower-cases names, never
// TXT data).
func TestSigMemoKeepsDataCase(t *testing.T) {
	val := Validator{Memo: NewMemo(100)}
	key := new(dns.DNSKEY)
	key.Hdr = dns.RR_Header{Name: "memo.example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600}
	key.Flags, key.Protocol, key.Algorithm = 256, 3, dns.ED25519
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	txt := func(s string) []dns.RR {
		return []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "memo.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: []string{s}}}
	}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: key.KeyTag(), SignerName: "memo.example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	if err := sig.Sign(priv.(crypto.Signer), txt("v=spf1 -all")); err != nil {
		t.Fatal(err)
	}
	keys := []*dns.DNSKEY{key}
	if v := val.VerifyRRset(txt("v=spf1 -all"), []*dns.RRSIG{sig}, keys, "memo.example.", now); !v.Valid {
		t.Fatalf("the signed TXT RRset does not verify: %s", v.Detail)
	}
	if v := val.VerifyRRset(txt("V=SPF1 -ALL"), []*dns.RRSIG{sig}, keys, "memo.example.", now); v.Valid || v.Reason != RRSIGInvalid {
		t.Fatalf("the same RRSIG over the TXT data in upper case: valid %t check %q, want invalid", v.Valid, v.Reason)
	}
	// Owner case and the TTL a cache counted down are not data: they still
	// verify, through the memo or not.
	other := txt("v=spf1 -all")
	other[0].Header().Name = "MEMO.Example."
	other[0].Header().Ttl = 17
	if v := val.VerifyRRset(other, []*dns.RRSIG{sig}, keys, "memo.example.", now); !v.Valid {
		t.Fatalf("owner in other case, lower TTL: %s", v.Detail)
	}
}
