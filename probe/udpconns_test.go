package probe

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// portServer is a UDP DNS server on loopback that answers every query and
// notes the source port each came from; it drops queries for drop.test.
type portServer struct {
	addr  netip.AddrPort
	mu    sync.Mutex
	ports []int
}

func startPortServer(t *testing.T) *portServer {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.64.250.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &portServer{addr: netip.MustParseAddrPort(pc.LocalAddr().String())}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		s.mu.Lock()
		s.ports = append(s.ports, w.RemoteAddr().(*net.UDPAddr).Port)
		s.mu.Unlock()
		if q.Question[0].Name == "drop.test." {
			return
		}
		m := new(dns.Msg)
		m.SetReply(q)
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return s
}

func (s *portServer) lastPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ports[len(s.ports)-1]
}

func exchangeName(t *testing.T, dst netip.AddrPort, name string, timeout time.Duration) error {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeSOA)
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	_, _, err := NetExchanger{}.Exchange(ctx, m, dst, "udp")
	return err
}

// TestUDPSocketReusedAfterSuccessNotAfterTimeout: consecutive UDP
// exchanges with one server go out from the same socket (one source
// port), a socket whose query timed out is closed rather than reused (its
// reply may still come), and a socket is retired after udpMaxUses queries.
func TestUDPSocketReusedAfterSuccessNotAfterTimeout(t *testing.T) {
	s := startPortServer(t)
	for i := range 3 {
		if err := exchangeName(t, s.addr, "ok.test.", 5*time.Second); err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
	}
	s.mu.Lock()
	first := append([]int(nil), s.ports...)
	s.mu.Unlock()
	if first[0] != first[1] || first[1] != first[2] {
		t.Errorf("source ports %v: the socket was not reused", first)
	}

	if err := exchangeName(t, s.addr, "drop.test.", 200*time.Millisecond); err == nil {
		t.Fatal("the dropped query got a reply")
	}
	if err := exchangeName(t, s.addr, "ok.test.", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if p := s.lastPort(); p == first[0] {
		t.Errorf("after a timeout the next query still came from port %d", p)
	}

	used := map[int]int{}
	for range 2 * udpMaxUses {
		if err := exchangeName(t, s.addr, "ok.test.", 5*time.Second); err != nil {
			t.Fatal(err)
		}
		used[s.lastPort()]++
	}
	for port, n := range used {
		if n > udpMaxUses {
			t.Errorf("port %d sent %d queries, more than udpMaxUses=%d", port, n, udpMaxUses)
		}
	}
}
