package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// recordingServer answers every query on 127.0.0.1 after delay(query) and
// records the source address and ID of each.
type recordingServer struct {
	addr netip.AddrPort
	mu   sync.Mutex
	from []netip.AddrPort
	ids  []uint16
}

func startRecordingServer(t *testing.T, delay func(*dns.Msg) time.Duration) *recordingServer {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	s := &recordingServer{addr: pc.LocalAddr().(*net.UDPAddr).AddrPort()}
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			s.mu.Lock()
			s.from = append(s.from, from)
			s.ids = append(s.ids, q.Id)
			s.mu.Unlock()
			go func() {
				time.Sleep(delay(q))
				m := new(dns.Msg)
				m.SetReply(q)
				m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{q.Question[0].Name}}}
				b, _ := m.Pack()
				_, _ = pc.WriteToUDPAddrPort(b, from)
			}()
		}
	}()
	return s
}

func noDelay(*dns.Msg) time.Duration { return 0 }

func txtQuery(name string) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeTXT)
	return m
}

// A probe's questions to one server go out on one socket, and the next
// probe's on another: a socket per probe and server, not per question.
func TestSessionSharesOneSocketPerServerAddress(t *testing.T) {
	srv := startRecordingServer(t, noDelay)
	ports := map[uint16]int{}
	for range 2 {
		ex, end := NetExchanger{}.session(1232, newIDSource())
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
				defer cancel()
				name := dns.Fqdn(string(rune('a'+i)) + ".example.test")
				r, _, err := ex.Exchange(ctx, txtQuery(name), srv.addr, "udp")
				if err != nil {
					t.Error(err)
					return
				}
				if got := r.Answer[0].(*dns.TXT).Txt[0]; got != name {
					t.Errorf("the answer to %s was %s's", name, got)
				}
			})
		}
		wg.Wait()
		end()
		if _, _, err := ex.Exchange(t.Context(), txtQuery("late.example.test."), srv.addr, "udp"); !errors.Is(err, net.ErrClosed) {
			t.Errorf("a query after the session ended: %v, want net.ErrClosed", err)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, f := range srv.from {
		ports[f.Port()]++
	}
	if len(srv.from) != 24 || len(ports) != 2 {
		t.Errorf("%d queries from %d source ports %v; want 24 from 2, 12 each", len(srv.from), len(ports), ports)
	}
}

// On a shared socket a message ID is never used twice, so a late reply to
// an earlier question can never be taken for a later one's answer.
func TestSessionNeverReusesAnIDOnASocket(t *testing.T) {
	srv := startRecordingServer(t, noDelay)
	ex, end := NetExchanger{}.session(1232, newIDSource())
	defer end()
	// 3,000 random 16-bit IDs repeat somewhere with near certainty
	// (the birthday bound: about 68 expected pairs).
	for range 3000 {
		if _, _, err := ex.Exchange(t.Context(), txtQuery("x.example.test."), srv.addr, "udp"); err != nil {
			t.Fatal(err)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	seen := map[uint16]bool{}
	for _, id := range srv.ids {
		if seen[id] {
			t.Fatalf("ID %d sent twice on one socket", id)
		}
		seen[id] = true
	}
}

// A reply that comes after its question gave up is dropped: the question
// asked next on the same socket gets its own answer, not the late one.
func TestSessionDropsALateReply(t *testing.T) {
	srv := startRecordingServer(t, func(q *dns.Msg) time.Duration {
		if q.Question[0].Name == "slow.example.test." {
			return 300 * time.Millisecond
		}
		return 400 * time.Millisecond // answered after the slow one's late reply
	})
	ex, end := NetExchanger{}.session(1232, newIDSource())
	defer end()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	_, _, err := ex.Exchange(ctx, txtQuery("slow.example.test."), srv.addr, "udp")
	cancel()
	if !isTimeout(err) {
		t.Fatalf("the slow question: %v, want a timeout", err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	r, _, err := ex.Exchange(ctx, txtQuery("next.example.test."), srv.addr, "udp")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Answer[0].(*dns.TXT).Txt[0]; got != "next.example.test." {
		t.Errorf("the next question got the answer to %s", got)
	}
}

// A reply from another address is not the answer, even with the right ID
// and question: both a socket per query (NetExchanger) and a probe's
// session use sockets connected to the server, so the kernel drops the
// datagram an off-path spoofer sends from elsewhere.
func TestRepliesFromAnotherAddressAreIgnored(t *testing.T) {
	session, end := NetExchanger{}.session(1232, newIDSource())
	defer end()
	for name, ex := range map[string]Exchanger{"NetExchanger": NetExchanger{}, "session": session} {
		t.Run(name, func(t *testing.T) {
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
				for _, w := range []struct {
					conn *net.UDPConn
					txt  string
				}{{spoofer, "spoofed"}, {server, "real"}} {
					m := new(dns.Msg)
					m.SetReply(q)
					m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{w.txt}}}
					b, _ := m.Pack()
					_, _ = w.conn.WriteToUDP(b, client)
					time.Sleep(50 * time.Millisecond)
				}
			}()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			r, _, err := ex.Exchange(ctx, txtQuery("www.example.test."), server.LocalAddr().(*net.UDPAddr).AddrPort(), "udp")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Answer[0].(*dns.TXT).Txt[0]; got != "real" {
				t.Errorf("answer %q, want the server's", got)
			}
		})
	}
}

// A probe keeps at most maxSessionSockets sockets open: past that, a new
// server address is asked on a socket per query, and the shared ones stay.
func TestSessionSocketsAreBounded(t *testing.T) {
	servers := make([]*recordingServer, maxSessionSockets+1)
	for i := range servers {
		servers[i] = startRecordingServer(t, noDelay)
	}
	ex, end := NetExchanger{}.session(1232, newIDSource())
	defer end()
	ask := func(s *recordingServer) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		if _, _, err := ex.Exchange(ctx, txtQuery("x.example.test."), s.addr, "udp"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range servers {
		ask(s)
	}
	first, last := servers[0], servers[maxSessionSockets]
	ask(first)
	ask(last)
	if n := len(ex.(*udpSession).socks); n != maxSessionSockets {
		t.Errorf("%d shared sockets, want %d", n, maxSessionSockets)
	}
	for _, c := range []struct {
		s      *recordingServer
		shared bool
	}{{first, true}, {last, false}} {
		c.s.mu.Lock()
		same := len(c.s.from) == 2 && c.s.from[0] == c.s.from[1]
		c.s.mu.Unlock()
		if same != c.shared {
			t.Errorf("server %v: both questions from one port %v, want %v", c.s.addr, same, c.shared)
		}
	}
}
