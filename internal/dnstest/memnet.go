package dnstest

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Handler answers one query.
type Handler func(q *dns.Msg) *dns.Msg

// MemNet is an in-memory DNS network for logic the lab cannot stage: each
// address has a handler; messages go through wire format both ways. An
// address without a handler never answers: the exchange waits for the
// context to end, like a server that drops every packet. It implements
// the probe's Exchanger.
type MemNet map[netip.Addr]Handler

// Exchange implements the probe's Exchanger.
func (n MemNet) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, _ string) (*dns.Msg, time.Duration, error) {
	h, ok := n[addr.Addr()]
	if !ok {
		<-ctx.Done()
		return nil, 0, ctx.Err()
	}
	wire, err := m.Pack()
	if err != nil {
		return nil, 0, err
	}
	q := new(dns.Msg)
	if err := q.Unpack(wire); err != nil {
		return nil, 0, err
	}
	resp := h(q)
	if wire, err = resp.Pack(); err != nil {
		return nil, 0, err
	}
	out := new(dns.Msg)
	return out, time.Millisecond, out.Unpack(wire)
}

// Exchanger is the probe's Exchanger, restated so that this package need
// not import the probe (whose own tests use this kit).
type Exchanger interface {
	Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error)
}

// DeadlineRecorder passes each exchange to Next and records its context's
// deadline (the zero time when it has none).
type DeadlineRecorder struct {
	Next Exchanger

	mu        sync.Mutex
	deadlines []time.Time
}

// Exchange implements the probe's Exchanger.
func (d *DeadlineRecorder) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	dl, _ := ctx.Deadline()
	d.mu.Lock()
	d.deadlines = append(d.deadlines, dl)
	d.mu.Unlock()
	return d.Next.Exchange(ctx, m, addr, network)
}

// Deadlines returns the deadlines recorded so far.
func (d *DeadlineRecorder) Deadlines() []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.deadlines...)
}
