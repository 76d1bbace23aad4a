package probe_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// slowServer answers every query after delay, on a UDP socket of 127.0.0.1.
func slowServer(t *testing.T, delay time.Duration) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		time.Sleep(delay)
		m := new(dns.Msg)
		m.SetReply(r)
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// A query timeout above miekg/dns's own 2 s default is the one that holds:
// a server that answers after 2.5 s is answered within a 5 s context.
func TestNetExchangerWaitsForTheContextNotTwoSeconds(t *testing.T) {
	addr := slowServer(t, 2500*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion("example.test.", dns.TypeSOA)
	resp, _, err := probe.NetExchanger{}.Exchange(ctx, m, addr, "udp")
	if err != nil {
		t.Fatalf("Exchange with a 5 s context to a server answering after 2.5 s: %v", err)
	}
	if resp.Id != m.Id {
		t.Fatalf("reply id %d, want %d", resp.Id, m.Id)
	}
}

// A context that has already ended sends nothing and says why.
func TestNetExchangerEndedContext(t *testing.T) {
	addr := slowServer(t, 0)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion("example.test.", dns.TypeSOA)
	if _, _, err := (probe.NetExchanger{}).Exchange(ctx, m, addr, "udp"); err == nil {
		t.Fatal("Exchange with an ended context succeeded")
	}
}
