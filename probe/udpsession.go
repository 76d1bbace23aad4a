package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// session is the Exchanger one probe uses, and the function that ends it
// when the probe is over; maxUDPSize is the largest UDP reply the probe
// asks for (its EDNS buffer size), ids the probe's ID source. Within one
// probe, the UDP queries to one server address share one connected socket,
// opened at the first of them and closed when the probe ends, and are told
// apart by their message IDs, which are random and never repeat on the
// socket.
//
// A probe asks each server up to a dozen questions at once; a socket made,
// connected and closed for each was two thirds of the system calls of a
// probe (docs/benchmarks.md). The source port is still random and fresh
// for every probe and server (RFC 5452 section 9.2) and lives only as long
// as the probe, and a spoofed reply must still match both the port and one
// of the IDs in flight: an off-path attacker's chance per forged packet is
// the same as with a socket per query (n queries in flight, each with a
// random 16-bit ID, against one random port, or each on its own random
// port). A reply whose ID is not in flight (a late one, to an attempt that
// timed out) is dropped, and since IDs are not reused it can never be read
// as another question's answer.
func (NetExchanger) session(maxUDPSize int, ids *idSource) (Exchanger, func()) {
	s := &udpSession{bufSize: max(maxUDPSize, dns.MinMsgSize), ids: ids, socks: map[netip.AddrPort]*udpShared{}}
	return s, s.end
}

// udpSession is one probe's sockets, one per server address.
type udpSession struct {
	bufSize int
	ids     *idSource
	mu      sync.Mutex
	ended   bool
	socks   map[netip.AddrPort]*udpShared
}

// Exchange implements Exchanger: over UDP on the address's shared socket,
// over TCP as NetExchanger does.
func (s *udpSession) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	if network != "udp" {
		return NetExchanger{}.Exchange(ctx, m, addr, network)
	}
	if ctx.Err() != nil {
		return nil, 0, fmt.Errorf("query to %s: %w", addr, ctx.Err())
	}
	u, err := s.socket(addr)
	if err != nil {
		return nil, 0, fmt.Errorf("query to %s: %w", addr, err)
	}
	if u == nil { // the session holds its most sockets already
		return NetExchanger{}.Exchange(ctx, m, addr, network)
	}
	return u.exchange(ctx, m)
}

// maxSessionSockets bounds the sockets one probe keeps open: a probe
// that meets more server addresses (a long walk, many glue lookups) asks
// the rest on a socket per query, so a probe never holds more than this
// plus its queries in flight.
const maxSessionSockets = 32

// socket returns the address's shared socket, opening it on first use,
// or nil when the session has maxSessionSockets open already.
func (s *udpSession) socket(addr netip.AddrPort) (*udpShared, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return nil, net.ErrClosed
	}
	if u := s.socks[addr]; u != nil {
		return u, nil
	}
	if len(s.socks) >= maxSessionSockets {
		return nil, nil
	}
	// Connected: the kernel drops datagrams from any other address.
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	u := &udpShared{conn: conn, ids: s.ids, used: map[uint16]bool{}, waiting: map[uint16]chan udpRead{}}
	s.socks[addr] = u
	go u.read(s.bufSize)
	return u, nil
}

// end closes the session's sockets; their readers then stop.
func (s *udpSession) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	for _, u := range s.socks {
		_ = u.conn.Close()
	}
}

// udpShared is one connected UDP socket and the queries waiting on it.
type udpShared struct {
	conn    *net.UDPConn
	ids     *idSource
	mu      sync.Mutex
	used    map[uint16]bool         // every ID sent on this socket
	waiting map[uint16]chan udpRead // by ID, the queries still waiting
	err     error                   // why the reader stopped, once it has
}

// udpRead is what the reader hands a waiting query: a datagram or an error.
type udpRead struct {
	b   []byte
	err error
}

// exchange sends m with an ID new to this socket and waits for the
// datagram with that ID, an error the socket reports, or ctx's end.
func (u *udpShared) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, time.Duration, error) {
	ch := make(chan udpRead, 1)
	u.mu.Lock()
	if u.err != nil {
		u.mu.Unlock()
		return nil, 0, u.err
	}
	for {
		m.Id = u.ids.next()
		if !u.used[m.Id] {
			break
		}
	}
	u.used[m.Id] = true
	u.waiting[m.Id] = ch
	u.mu.Unlock()
	defer func() {
		u.mu.Lock()
		delete(u.waiting, m.Id)
		u.mu.Unlock()
	}()
	b, err := m.Pack()
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if _, err := u.conn.Write(b); err != nil {
		return nil, time.Since(start), err
	}
	select {
	case got := <-ch:
		rtt := time.Since(start)
		if got.err != nil {
			return nil, rtt, got.err
		}
		r := new(dns.Msg)
		if err := r.Unpack(got.b); err != nil {
			return r, rtt, err
		}
		return r, rtt, nil
	case <-ctx.Done():
		err := ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			// As a socket read past its deadline says it.
			err = &net.OpError{Op: "read", Net: "udp", Source: u.conn.LocalAddr(), Addr: u.conn.RemoteAddr(), Err: os.ErrDeadlineExceeded}
		}
		return nil, time.Since(start), err
	}
}

// read hands each datagram to the query waiting for its ID and drops the
// rest. An ICMP error the socket reports (a port unreachable, say) goes to
// every query waiting then, as each would have seen it on its own socket;
// the socket stays usable. Any other error ends the socket.
func (u *udpShared) read(bufSize int) {
	buf := make([]byte, bufSize)
	for {
		n, err := u.conn.Read(buf)
		if err != nil && isICMPError(err) {
			u.mu.Lock()
			for id, ch := range u.waiting {
				ch <- udpRead{err: err}
				delete(u.waiting, id)
			}
			u.mu.Unlock()
			continue
		}
		if err != nil {
			u.mu.Lock()
			u.err = err
			for id, ch := range u.waiting {
				ch <- udpRead{err: err}
				delete(u.waiting, id)
			}
			u.mu.Unlock()
			return
		}
		var ch chan udpRead
		if n >= 2 {
			id := binary.BigEndian.Uint16(buf)
			u.mu.Lock()
			ch = u.waiting[id]
			delete(u.waiting, id)
			u.mu.Unlock()
		}
		if ch != nil {
			ch <- udpRead{b: append([]byte(nil), buf[:n]...)}
			continue
		}
		// A datagram that is no DNS message at all names no query: every
		// waiting one gets it and reads it as malformed, as each would
		// have on its own socket (miekg/dns returns the unpacking error).
		if new(dns.Msg).Unpack(buf[:n]) != nil {
			u.mu.Lock()
			for id, ch := range u.waiting {
				ch <- udpRead{b: append([]byte(nil), buf[:n]...)}
				delete(u.waiting, id)
			}
			u.mu.Unlock()
		}
	}
}

// isICMPError reports an error a UDP socket returns for an ICMP message
// about an earlier datagram, after which it still works.
func isICMPError(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTDOWN)
}
