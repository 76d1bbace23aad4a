package validate

import (
	"crypto/sha256"
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

func memoKey(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR) [32]byte {
	h := sha256.New()
	h.Write([]byte(k.String()))
	h.Write([]byte{0})
	h.Write([]byte(sig.String()))
	lines := make([]string, len(rrset))
	for i, rr := range rrset {
		lines[i] = strings.ToLower(rr.String())
	}
	sort.Strings(lines)
	for _, l := range lines {
		h.Write([]byte{0})
		h.Write([]byte(l))
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
}

func (c *Memo) verify(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR) error {
	if c == nil || c.max <= 0 {
		return sig.Verify(k, rrset)
	}
	key := memoKey(sig, k, rrset)
	c.mu.Lock()
	err, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return err
	}
	err = sig.Verify(k, rrset)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = err
	c.mu.Unlock()
	return err
}
