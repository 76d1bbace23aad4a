package validate

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// signedA returns an A RRset signed by a fresh Ed25519 zone key of
// example., valid at now.
func signedA(t *testing.T, now time.Time) ([]dns.RR, *dns.RRSIG, *dns.DNSKEY) {
	t.Helper()
	key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 256, Protocol: 3, Algorithm: dns.ED25519}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	rrset := []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "www.example.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 1}}}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: 300}, KeyTag: key.KeyTag(), SignerName: "example.", Algorithm: dns.ED25519,
		Inception: uint32(now.Add(-time.Hour).Unix()), Expiration: uint32(now.Add(24 * time.Hour).Unix())}
	if err := sig.Sign(priv.(crypto.Signer), rrset); err != nil {
		t.Fatal(err)
	}
	return rrset, sig, key
}

// collidingKey returns a key with k's tag and algorithm but another public
// key: moving one unit between two bytes at even offsets keeps the RFC 4034
// Appendix B checksum.
func collidingKey(t *testing.T, k *dns.DNSKEY) *dns.DNSKEY {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+2 < len(b); i += 2 {
		if b[i] < 0xff && b[i+2] > 0 {
			b[i]++
			b[i+2]--
			break
		}
	}
	c := *k
	c.PublicKey = base64.StdEncoding.EncodeToString(b)
	if c.KeyTag() != k.KeyTag() || c.PublicKey == k.PublicKey {
		t.Fatalf("no colliding key: tag %d vs %d", c.KeyTag(), k.KeyTag())
	}
	return &c
}

func TestLimitMaxSignatures(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	stray := *sig
	stray.KeyTag++ // no such key
	sigs := []*dns.RRSIG{&stray, sig}
	if v := unbounded.VerifyRRset(rrset, sigs, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
		t.Fatalf("unbounded: %v %s", v.Reason, v.Detail)
	}
	bounded := Validator{Limits: Limits{MaxSignatures: 1}}
	v := bounded.VerifyRRset(rrset, sigs, []*dns.DNSKEY{key}, "example.", now)
	if v.Valid || v.Reason != LimitExceeded || !strings.Contains(v.Detail, "not examined") {
		t.Errorf("one signature examined: valid %v reason %v detail %q", v.Valid, v.Reason, v.Detail)
	}
	if v := (Validator{Limits: Limits{MaxSignatures: 2}}).VerifyRRset(rrset, sigs, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
		t.Errorf("two signatures examined: %v %s", v.Reason, v.Detail)
	}
}

func TestLimitMaxKeyCandidates(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	keys := []*dns.DNSKEY{collidingKey(t, key), key}
	if v := unbounded.VerifyRRset(rrset, []*dns.RRSIG{sig}, keys, "example.", now); !v.Valid {
		t.Fatalf("unbounded: %v %s", v.Reason, v.Detail)
	}
	v := (Validator{Limits: Limits{MaxKeyCandidates: 1}}).VerifyRRset(rrset, []*dns.RRSIG{sig}, keys, "example.", now)
	if v.Valid || v.Reason != LimitExceeded {
		t.Errorf("one key tried: valid %v reason %v detail %q", v.Valid, v.Reason, v.Detail)
	}
}

func TestLimitMaxNSEC3Iterations(t *testing.T) {
	f := newDenialFixture(t)
	c := f.nsec3Chain(10, "", 0)
	q := denialName("d")
	msg := f.reply(q, dns.TypeA, dns.RcodeNameError, signValid, soaSigned,
		c.byName["@"], c.covering(t, q), c.covering(t, "*."+denialTestZone))
	if got := unbounded.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow); !got.Valid {
		t.Fatalf("unbounded: %v %s", got.Reason, got.Detail)
	}
	at := Validator{Limits: Limits{MaxNSEC3Iterations: 10}}
	if got := at.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow); !got.Valid {
		t.Errorf("limit 10, 10 iterations: %v %s", got.Reason, got.Detail)
	}
	below := Validator{Limits: Limits{MaxNSEC3Iterations: 9}}
	got := below.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow)
	if got.Valid || got.Reason != LimitExceeded || !strings.Contains(got.Detail, "more than 9 iterations") {
		t.Errorf("limit 9, 10 iterations: valid %v reason %v detail %q", got.Valid, got.Reason, got.Detail)
	}
}

func TestMemo(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	m := NewMemo(2)
	val := Validator{Memo: m}
	for range 2 {
		if v := val.VerifyRRset(rrset, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
			t.Fatalf("%v %s", v.Reason, v.Detail)
		}
	}
	if m.Len() != 1 {
		t.Errorf("memo holds %d checks after one signature twice, want 1", m.Len())
	}
	// A remembered failure stays a failure: the memo is keyed by the RRset.
	changed := []dns.RR{dns.Copy(rrset[0])}
	changed[0].(*dns.A).A = []byte{192, 0, 2, 2}
	if v := val.VerifyRRset(changed, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "example.", now); v.Valid || v.Reason != RRSIGInvalid {
		t.Errorf("changed RRset: valid %v reason %v", v.Valid, v.Reason)
	}
	if m.Len() != 2 {
		t.Errorf("memo holds %d checks, want 2", m.Len())
	}
	other, osig, okey := signedA(t, now)
	val.VerifyRRset(other, []*dns.RRSIG{osig}, []*dns.DNSKEY{okey}, "example.", now)
	if m.Len() != 1 {
		t.Errorf("full memo of 2 holds %d checks after a third, want 1 (emptied, then refilled)", m.Len())
	}
	var none *Memo
	if none.Len() != 0 || fmt.Sprint(none.verify(sig, key, rrset)) != "<nil>" {
		t.Error("a nil memo does not verify")
	}
}

// TestMemoSharedRecords: probes check the same cached keys at once; the
// memo must not write to them (run under -race).
func TestMemoSharedRecords(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	val := Validator{Memo: NewMemo(100)}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if v := val.VerifyRRset(rrset, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "example.", now); !v.Valid {
				t.Errorf("%v %s", v.Reason, v.Detail)
			}
		})
	}
	wg.Wait()
}
