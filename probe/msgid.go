package probe

import (
	crand "crypto/rand"
	"math/rand/v2"
	"sync"

	"github.com/miekg/dns"
)

// idSource draws DNS message IDs from a ChaCha8 stream seeded from the
// operating system once, when it is made. miekg/dns's Id reads
// crypto/rand for every ID, a system call each: with three IDs a query it
// was 7% of the exporter's CPU at 10,000 probes a minute
// (docs/benchmarks.md). ChaCha8 is a cryptographically strong generator
// (math/rand/v2), so IDs stay as unpredictable to an off-path attacker as
// RFC 5452 section 4.3 asks; each probe has its own seed.
type idSource struct {
	mu sync.Mutex
	c  *rand.ChaCha8
}

func newIDSource() *idSource {
	var seed [32]byte
	// crypto/rand.Read never returns an error on Linux (it crashes the
	// program rather than return predictable bytes).
	_, _ = crand.Read(seed[:])
	return &idSource{c: rand.NewChaCha8(seed)}
}

// next returns a random message ID.
func (s *idSource) next() uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint16(s.c.Uint64())
}

// newQuestion is a query for qname/qtype with RD set, as dns.Msg's
// SetQuestion makes it, but without drawing an ID: exchangeTo gives every
// message its ID as it goes on the wire.
func newQuestion(qname string, qtype uint16) *dns.Msg {
	return &dns.Msg{
		MsgHdr:   dns.MsgHdr{RecursionDesired: true, Opcode: dns.OpcodeQuery},
		Question: []dns.Question{{Name: qname, Qtype: qtype, Qclass: dns.ClassINET}},
	}
}
