package lab

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestGOST94(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// RFC 5831 section 10.2 and common test vectors, CryptoPro parameters.
		{"", "981e5f3ca30c841487830f84fb433e13ac1101569b9c13584ac483234cd656c0"},
		{"The quick brown fox jumps over the lazy dog", "9004294a361a508c586fe53d1f1b02746765e71b765472786e4770d565830a76"},
		{strings.Repeat("U", 128), "1c4ac7614691bbf427fa2316216be8f10d92edfd37cd1027514c1008f649c4e8"},
	} {
		got := gost94([]byte(tc.in))
		if h := hex.EncodeToString(got[:]); h != tc.want {
			t.Errorf("gost94(%q) = %s, want %s", tc.in, h, tc.want)
		}
	}
}

// TestGOSTDS checks the DS digest against the example of RFC 5933 section 4.1.
func TestGOSTDS(t *testing.T) {
	rr, err := dns.NewRR("example.net. 86400 IN DNSKEY 257 3 12 LMgXRHzSbIJGn6i16K+sDjaDf/k1o9DbxScOgEYqYS/rlh2Mf+BRAY3QHPbwoPh2fkDKBroFSRGR7ZYcx+YIQw==")
	if err != nil {
		t.Fatal(err)
	}
	keys := keyring{"k": {dnskey: rr.(*dns.DNSKEY)}}
	ds, err := dsSpec{key: "k", digest: dns.GOST94}.record(keys, "example.net.")
	if err != nil {
		t.Fatal(err)
	}
	if want := "example.net.\t86400\tIN\tDS\t40692 12 3 22261A8B0E0D799183E35E24E2AD6BB58533CBA7E3B14D659E9CA09B2071398F"; ds.String() != want {
		t.Errorf("DS\n%s\nwant\n%s", ds, want)
	}
}
