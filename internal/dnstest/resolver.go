package dnstest

import (
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// ResolverStub is an in-process stand-in for a recursive resolver: a miekg
// dns.Server on 127.0.0.1 with its own handler, recording what it is asked.
type ResolverStub struct {
	// Addr is host:port, on UDP and, when asked for, TCP.
	Addr string

	mu   sync.Mutex
	reqs []Request
}

// Request is one query the stub received.
type Request struct {
	Network string
	Msg     *dns.Msg
}

// Requests returns the queries received so far.
func (s *ResolverStub) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// StartResolverStub serves h over UDP, and over TCP on the same port when
// withTCP is set.
func StartResolverStub(t testing.TB, withTCP bool, h func(w dns.ResponseWriter, req *dns.Msg)) *ResolverStub {
	t.Helper()
	s := &ResolverStub{}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{Network: w.RemoteAddr().Network(), Msg: req.Copy()})
		s.mu.Unlock()
		h(w, req)
	})
	var pc net.PacketConn
	var ln net.Listener
	for try := 0; ; try++ {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if !withTCP {
			break
		}
		// The TCP port must equal the UDP one; another process may hold it.
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		if try == 20 {
			t.Fatalf("no port free for both UDP and TCP: %v", err)
		}
	}
	s.Addr = pc.LocalAddr().String()
	serve(t, &dns.Server{PacketConn: pc, Handler: handler})
	if ln != nil {
		serve(t, &dns.Server{Listener: ln, Handler: handler})
	}
	return s
}

func serve(t testing.TB, srv *dns.Server) {
	t.Helper()
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	errc := make(chan error, 1)
	go func() { errc <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("stub resolver: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("stub resolver shutdown: %v", err)
		}
	})
}
