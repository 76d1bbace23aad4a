package validate

import (
	"crypto"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// A signature whose inception is a little in the future (the signer's
// clock ahead) validates within the allowance Unbound gives: a tenth of
// the validity period, at least val-sig-skew-min (1 h) and at most
// val-sig-skew-max (24 h). Beyond it, or with no allowance (BIND), it is
// not yet valid. Expiration gets no allowance.
func TestInceptionWithinSkewAllowanceIsValid(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	k := new(dns.DNSKEY)
	k.Hdr = dns.RR_Header{Name: "skew.example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600}
	k.Flags, k.Protocol, k.Algorithm = 256, 3, dns.ED25519
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	rrset := []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "skew.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: []string{"x"}}}
	sign := func(inception, expiration time.Duration) *dns.RRSIG {
		sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: k.KeyTag(), SignerName: "skew.example.", Algorithm: dns.ED25519,
			Inception: uint32(now.Add(inception).Unix()), Expiration: uint32(now.Add(expiration).Unix())}
		if err := sig.Sign(priv.(crypto.Signer), rrset); err != nil {
			t.Fatal(err)
		}
		return sig
	}
	day := 24 * time.Hour
	for _, c := range []struct {
		name                  string
		inception, expiration time.Duration
		skew                  Skew
		want                  Reason
	}{
		{"five minutes ahead, Unbound's allowance", 5 * time.Minute, 14 * day, DefaultSkew(), OK},
		{"five minutes ahead, no allowance (BIND)", 5 * time.Minute, 14 * day, Skew{}, RRSIGNotYetValid},
		{"a day ahead of a 30-day window: a tenth is 3 days, capped to 24 h", day - time.Minute, 30 * day, DefaultSkew(), OK},
		{"25 h ahead: beyond val-sig-skew-max", 25 * time.Hour, 30 * day, DefaultSkew(), RRSIGNotYetValid},
		{"59 min ahead of a 2 h window: a tenth is 12 min, raised to 1 h", 59 * time.Minute, 2 * time.Hour, DefaultSkew(), OK},
		{"61 min ahead of a 2 h window", 61 * time.Minute, 2 * time.Hour, DefaultSkew(), RRSIGNotYetValid},
		{"expired a minute ago: no allowance after expiration", -day, -time.Minute, DefaultSkew(), RRSIGExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			val := Validator{Skew: c.skew}
			v := val.VerifyRRset(rrset, []*dns.RRSIG{sign(c.inception, c.expiration)}, []*dns.DNSKEY{k}, "skew.example.", now)
			if v.Reason != c.want || v.Valid != (c.want == OK) {
				t.Errorf("valid %t reason %s, want %s (%s)", v.Valid, v.Reason, c.want, v.Detail)
			}
		})
	}
}
