package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Memo remembers the outcome of signature checks, keyed by a hash of the
// key, the RRSIG and the RRset. Zones are re-signed every few days while
// scrapes come every minute, so a warm probe mostly meets signatures it
// has checked before; the public-key operation is most of a signed probe's
// CPU (see docs/benchmarks.md). The result is a pure function of the key,
// so caching it cannot change a verdict; the validity window is checked
// apart, against the caller's clock. A nil *Memo remembers nothing.
type Memo struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]error
}

// NewMemo returns a memo of at most max entries; when full it is emptied
// (crude but bounded: the next probes refill it). max <= 0 gives a memo
// that remembers nothing.
func NewMemo(max int) *Memo {
	return &Memo{max: max, m: map[[32]byte]error{}}
}

// Len returns the number of remembered checks.
func (c *Memo) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// memoKey hashes what a signature check depends on: the key's and the
// RRSIG's wire form, and the RRset's wire form with the owner in lower case
// and the TTL set to the RRSIG's original TTL, as RFC 4034 section 6.2
// canonicalises them, the records sorted. Record data keeps its case: a TXT
// record in other case is other data, and a cached "valid" must never carry
// over to it. ok is false when something does not pack; then nothing is
// cached.
func memoKey(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR) (key [32]byte, ok bool) {
	h := sha256.New()
	// Packing writes the header's RDLENGTH into the record, and keys and
	// signatures are shared between concurrent probes (the Cache holds
	// keys): pack copies.
	for _, rr := range []dns.RR{k, sig} {
		b, ok := wire(dns.Copy(rr))
		if !ok {
			return key, false
		}
		h.Write(b)
	}
	records := make([][]byte, 0, len(rrset))
	for _, rr := range rrset {
		c := dns.Copy(rr)
		c.Header().Name = strings.ToLower(c.Header().Name)
		c.Header().Ttl = sig.OrigTtl
		b, ok := wire(c)
		if !ok {
			return key, false
		}
		records = append(records, b)
	}
	sort.Slice(records, func(i, j int) bool { return bytes.Compare(records[i], records[j]) < 0 })
	for _, b := range records {
		h.Write(b)
	}
	h.Sum(key[:0])
	return key, true
}

// wire is rr's uncompressed wire form.
func wire(rr dns.RR) ([]byte, bool) {
	b := make([]byte, dns.Len(rr))
	n, err := dns.PackRR(rr, b, 0, nil, false)
	if err != nil {
		return nil, false
	}
	return b[:n], true
}

// errBudget marks a check the probe's budget refused.
var errBudget = errors.New("the probe's validation budget is spent")

// verify checks sig over rrset with k: from the memo, or with a public-key
// operation the budget pays for.
func (c *Memo) verify(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR, b *Budget) error {
	var key [32]byte
	ok := false
	if c != nil && c.max > 0 {
		key, ok = memoKey(sig, k, rrset)
	}
	if ok {
		c.mu.Lock()
		err, hit := c.m[key]
		c.mu.Unlock()
		if hit {
			return err
		}
	}
	if !b.spendVerification() {
		return errBudget
	}
	err := sig.Verify(k, rrset)
	if ok {
		c.mu.Lock()
		if len(c.m) >= c.max {
			clear(c.m)
		}
		c.m[key] = err
		c.mu.Unlock()
	}
	return err
}
