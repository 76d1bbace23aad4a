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

// A reply from another address is not the answer, even with the right ID
// and question: the query's socket is connected to the server, so the
// kernel drops the datagram an off-path spoofer sends from elsewhere.
func TestNetExchangerIgnoresAReplyFromAnotherAddress(t *testing.T) {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	spoofer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer spoofer.Close()
	answer := func(q *dns.Msg, ip string) []byte {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ip)}}
		b, err := m.Pack()
		if err != nil {
			t.Error(err)
		}
		return b
	}
	go func() {
		buf := make([]byte, 512)
		n, client, err := server.ReadFromUDP(buf)
		if err != nil {
			return
		}
		q := new(dns.Msg)
		if q.Unpack(buf[:n]) != nil {
			return
		}
		// The spoofed reply first, from 127.0.0.2; the server's 50 ms later.
		_, _ = spoofer.WriteToUDP(answer(q, "192.0.2.66"), client)
		time.Sleep(50 * time.Millisecond)
		_, _ = server.WriteToUDP(answer(q, "192.0.2.1"), client)
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion("www.example.test.", dns.TypeA)
	r, _, err := probe.NetExchanger{}.Exchange(ctx, m, netip.MustParseAddrPort(server.LocalAddr().String()), "udp")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
		t.Errorf("answer %v, want the server's 192.0.2.1, not the spoofer's", r.Answer)
	}
}
