package validate

import (
	"context"
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
func signedA(t testing.TB, now time.Time) ([]dns.RR, *dns.RRSIG, *dns.DNSKEY) {
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
	// Over the limit: insecure, as validators treat it, and not hashed.
	if !got.Valid || !got.Insecure || !strings.Contains(got.Detail, "more than 9 iterations") {
		t.Errorf("limit 9, 10 iterations: valid %v insecure %v reason %v detail %q", got.Valid, got.Insecure, got.Reason, got.Detail)
	}
	// Over the limit costs no hashing: a budget of no hashes is enough.
	none := Validator{Limits: Limits{MaxNSEC3Iterations: 9}, Budget: NewBudget(t.Context(), 100, 0)}
	if got := none.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow); !got.Valid || !got.Insecure || none.Budget.Exhausted() {
		t.Errorf("over the iteration limit with no hash budget: valid %v insecure %v exhausted %v", got.Valid, got.Insecure, none.Budget.Exhausted())
	}
}

// The probe's NSEC3 hash budget: a proof that needs more hashing than is
// left ends LimitExceeded, never valid and never denial_invalid.
func TestBudgetNSEC3Hashes(t *testing.T) {
	f := newDenialFixture(t)
	c := f.nsec3Chain(10, "", 0)
	q := denialName("d")
	msg := f.reply(q, dns.TypeA, dns.RcodeNameError, signValid, soaSigned,
		c.byName["@"], c.covering(t, q), c.covering(t, "*."+denialTestZone))
	small := Validator{Budget: NewBudget(t.Context(), 100, 11*2)}
	got := small.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow)
	if got.Valid || got.Reason != LimitExceeded || !small.Budget.Exhausted() {
		t.Errorf("budget of 2 hashes at 10 iterations: valid %v reason %v exhausted %v detail %q", got.Valid, got.Reason, small.Budget.Exhausted(), got.Detail)
	}
	enough := Validator{Budget: NewBudget(t.Context(), 100, 11*100)}
	if got := enough.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow); !got.Valid || enough.Budget.Exhausted() {
		t.Errorf("budget of 100 hashes: valid %v reason %v detail %q", got.Valid, got.Reason, got.Detail)
	}
}

// Unsigned NSEC3 records are never hashed: signatures are checked first,
// so an attacker's records cost no SHA-1 work.
func TestDenialSignaturesBeforeHashing(t *testing.T) {
	f := newDenialFixture(t)
	c := f.nsec3Chain(10, "", 0)
	q := denialName("d")
	msg := f.reply(q, dns.TypeA, dns.RcodeNameError, signValid, soaSigned,
		c.byName["@"], c.covering(t, q), c.covering(t, "*."+denialTestZone))
	var kept []dns.RR
	for _, rr := range msg.Ns {
		if sig, ok := rr.(*dns.RRSIG); ok && sig.TypeCovered == dns.TypeNSEC3 {
			continue
		}
		kept = append(kept, rr)
	}
	msg.Ns = kept
	v := Validator{Budget: NewBudget(t.Context(), 100, 0)}
	got := v.VerifyDenial(msg, denialTestZone, q, dns.TypeA, f.keys(), denialTestNow)
	if got.Valid || got.Reason == LimitExceeded || v.Budget.Exhausted() {
		t.Errorf("unsigned NSEC3 with no hash budget: valid %v reason %v exhausted %v (%s)", got.Valid, got.Reason, v.Budget.Exhausted(), got.Detail)
	}
}

// KeyTrap (CVE-2023-50387): many keys sharing one tag and many RRSIGs
// cost at most MaxSignatures x MaxKeyCandidates public-key operations per
// RRset, and the probe's budget ends the rest: LimitExceeded, never valid.
func TestKeyTrapIsBounded(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	keys := []*dns.DNSKEY{}
	c := key
	for i := 0; i < 50; i++ {
		c = collidingKey(t, c)
		keys = append(keys, c)
	}
	var sigs []*dns.RRSIG
	for i := 0; i < 50; i++ {
		junk := *sig
		junk.Signature = strings.Repeat("A", len(sig.Signature)-4) + fmt.Sprintf("%04d", i)
		sigs = append(sigs, &junk)
	}
	b := NewBudget(t.Context(), 1000, 0)
	v := Validator{Limits: DefaultLimits(), Budget: b}
	got := v.VerifyRRset(rrset, sigs, keys, "example.", now)
	if got.Valid || got.Reason != LimitExceeded {
		t.Fatalf("50 colliding keys x 50 junk RRSIGs: valid %v reason %v", got.Valid, got.Reason)
	}
	spent := 1000 - b.verifications.Load()
	if max := int64(DefaultMaxSignatures * DefaultMaxKeyCandidates); spent > max {
		t.Errorf("%d public-key operations, want at most %d", spent, max)
	}
	// The probe's budget ends the work across calls.
	tight := Validator{Limits: DefaultLimits(), Budget: NewBudget(t.Context(), 5, 0)}
	for i := 0; i < 3; i++ {
		tight.VerifyRRset(rrset, sigs, keys, "example.", now)
	}
	if !tight.Budget.Exhausted() {
		t.Error("a budget of 5 is not exhausted after three floods")
	}
	// A real signature among them still validates within the limits.
	mixed := append([]*dns.RRSIG{sig}, sigs...)
	ok := Validator{Limits: DefaultLimits(), Budget: NewBudget(t.Context(), 1000, 0)}
	if got := ok.VerifyRRset(rrset, mixed, append([]*dns.DNSKEY{key}, keys...), "example.", now); !got.Valid {
		t.Errorf("the real signature with its key first: %v %s", got.Reason, got.Detail)
	}
}

// An ended context stops validation at once: nothing is verified, and the
// verdict is LimitExceeded.
func TestBudgetEndsWithTheContext(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	v := Validator{Budget: NewBudget(ctx, 1000, 1000)}
	if got := v.VerifyRRset(rrset, []*dns.RRSIG{sig}, []*dns.DNSKEY{key}, "example.", now); got.Valid || got.Reason != LimitExceeded {
		t.Errorf("ended context: valid %v reason %v", got.Valid, got.Reason)
	}
}

// Out-of-window signatures cost nothing while one in its window validates.
func TestInWindowSignaturesFirst(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rrset, sig, key := signedA(t, now)
	var stale []*dns.RRSIG
	for i := 0; i < 20; i++ {
		s := *sig
		s.Expiration = uint32(now.Add(-time.Duration(i+1) * time.Hour).Unix())
		stale = append(stale, &s)
	}
	b := NewBudget(t.Context(), 1, 0)
	v := Validator{Limits: DefaultLimits(), Budget: b}
	if got := v.VerifyRRset(rrset, append(stale, sig), []*dns.DNSKEY{key}, "example.", now); !got.Valid || b.Exhausted() {
		t.Errorf("20 expired RRSIGs then a valid one, budget 1: valid %v exhausted %v (%s)", got.Valid, b.Exhausted(), got.Detail)
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
	if none.Len() != 0 || fmt.Sprint(none.verify(sig, key, rrset, nil)) != "<nil>" {
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
