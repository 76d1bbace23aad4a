package probe

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// gatedExchanger answers every query with an empty NOERROR once gate is
// closed, counting the queries.
type gatedExchanger struct {
	gate chan struct{}
	n    atomic.Int32
}

func (g *gatedExchanger) Exchange(ctx context.Context, m *dns.Msg, _ netip.AddrPort, _ string) (*dns.Msg, time.Duration, error) {
	g.n.Add(1)
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	r := new(dns.Msg)
	r.SetReply(m)
	return r, time.Millisecond, nil
}

// TestIdenticalQuestionsInFlightAreSentOnce: two askers of the same
// question to the same address while it is on the wire share one query
// and each gets the reply; the same question asked once the reply is in
// goes out again, and another address or type is its own query.
func TestIdenticalQuestionsInFlightAreSentOnce(t *testing.T) {
	m := DefaultConfig().Modules["default"]
	g := &gatedExchanger{gate: make(chan struct{})}
	r, end := newRun(t.Context(), &Prober{Now: time.Now, Exchanger: g}, m, "example.test.", "")
	defer end()
	addr := netip.MustParseAddr("192.0.2.1")
	var wg sync.WaitGroup
	replies := make([]reply, 3)
	for i := range 3 {
		wg.Go(func() { replies[i] = r.ask(t.Context(), "ns1.example.test.", addr, "example.test.", dns.TypeNS) })
	}
	key := flightKey{addr: addr, qname: "example.test.", qtype: dns.TypeNS}
	for waiting := false; !waiting; time.Sleep(time.Millisecond) {
		r.wire.mu.Lock() // the wire's lock, not the run's, guards flights
		f := r.flights[key]
		waiting = f != nil && f.waiters == 2
		r.wire.mu.Unlock()
	}
	close(g.gate)
	wg.Wait()
	if n := g.n.Load(); n != 1 {
		t.Fatalf("%d queries for three askers of one question in flight, want 1", n)
	}
	for i, rep := range replies {
		if rep.err != nil || rep.msg == nil || rep.msg.Question[0].Name != "example.test." {
			t.Fatalf("asker %d: %+v", i, rep)
		}
	}
	if replies[0].msg == replies[1].msg || replies[1].msg == replies[2].msg {
		t.Error("askers share one *dns.Msg; each must get its own")
	}
	r.ask(t.Context(), "ns1.example.test.", addr, "example.test.", dns.TypeNS)
	r.ask(t.Context(), "ns1.example.test.", netip.MustParseAddr("192.0.2.2"), "example.test.", dns.TypeNS)
	r.ask(t.Context(), "ns1.example.test.", addr, "example.test.", dns.TypeSOA)
	if n := g.n.Load(); n != 4 {
		t.Errorf("%d queries, want 4: the question again after its reply, another address, another type", n)
	}
}
