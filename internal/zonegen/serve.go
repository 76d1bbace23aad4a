package zonegen

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// Server is an in-process AXFR server of one generated zone.
type Server struct {
	Addr netip.AddrPort
	// Transfers counts the transfers served.
	Transfers atomic.Int32
}

// Serve serves z over TCP on addr ("127.72.0.1:0"), AXFR only, to
// requests signed with the TSIG key name/secret (HMAC-SHA256 or any
// other miekg/dns verifies); others get NOTAUTH (RFC 8945 section 5.2).
// The zone is generated as it is sent, 100 records a message, so a large
// zone is never held in memory. The server stops at the end of the test.
func Serve(t testing.TB, addr string, z Zone, key *Key, tsigName, tsigSecret string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: netip.MustParseAddrPort(l.Addr().String())}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		if r.IsTsig() == nil || w.TsigStatus() != nil || r.Question[0].Qtype != dns.TypeAXFR || r.Question[0].Name != dns.Fqdn(z.Origin) {
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeNotAuth)
			w.WriteMsg(m)
			return
		}
		s.Transfers.Add(1)
		ch := make(chan *dns.Envelope)
		go func() {
			defer close(ch)
			var batch []dns.RR
			var soa dns.RR
			Generate(z, key, func(rr dns.RR) error {
				if soa == nil {
					soa = rr
				}
				batch = append(batch, rr)
				if len(batch) == 100 {
					ch <- &dns.Envelope{RR: batch}
					batch = nil
				}
				return nil
			})
			ch <- &dns.Envelope{RR: append(batch, soa)}
		}()
		tr := new(dns.Transfer)
		if err := tr.Out(w, r, ch); err != nil {
			t.Logf("AXFR out: %v", err)
		}
		for range ch {
		}
	})
	srv := &dns.Server{Listener: l, Handler: h, TsigSecret: map[string]string{dns.Fqdn(tsigName): tsigSecret}}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return s
}
