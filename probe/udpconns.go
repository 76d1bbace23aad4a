package probe

import (
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// udpConns keeps connected UDP sockets to servers between exchanges, so
// that the dozen queries a probe sends to each address, and the probes of
// other zones on the same servers, do not each open and close a socket
// (socket, connect and close were a fifth of a warm probe's CPU). A socket
// goes back only after an exchange that succeeded: no reply is left
// pending on it, and a late duplicate is skipped by its message ID as
// miekg/dns does. Each socket keeps its random source port for at most
// udpMaxUses queries and udpMaxIdle between them, and a destination has at
// most udpMaxIdlePerDest idle sockets, udpMaxIdle in all.
type connPool struct {
	mu        sync.Mutex
	idle      map[netip.AddrPort][]*pooledConn
	count     int
	lastSweep time.Time
}

type pooledConn struct {
	co   *dns.Conn
	uses int
	at   time.Time // when it went idle
}

const (
	udpMaxIdle        = 2 * time.Second
	udpMaxUses        = 100
	udpMaxIdlePerDest = 8
	udpMaxIdleConns   = 1024
)

var udpConns = &connPool{idle: map[netip.AddrPort][]*pooledConn{}}

// get returns an idle socket to dst, or nil.
func (p *connPool) get(dst netip.AddrPort, now time.Time) *pooledConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[dst]
	for len(list) > 0 {
		c := list[len(list)-1]
		list = list[:len(list)-1]
		p.count--
		if now.Sub(c.at) < udpMaxIdle {
			p.setLocked(dst, list)
			return c
		}
		c.co.Close()
	}
	p.setLocked(dst, list)
	return nil
}

// put returns a socket after a successful exchange, or closes it when it
// has served its uses or the pool is full.
func (p *connPool) put(dst netip.AddrPort, c *pooledConn, now time.Time) {
	c.uses++
	c.at = now
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.lastSweep) > udpMaxIdle {
		p.sweepLocked(now)
	}
	if c.uses >= udpMaxUses || len(p.idle[dst]) >= udpMaxIdlePerDest || p.count >= udpMaxIdleConns {
		c.co.Close()
		return
	}
	p.idle[dst] = append(p.idle[dst], c)
	p.count++
}

func (p *connPool) setLocked(dst netip.AddrPort, list []*pooledConn) {
	if len(list) == 0 {
		delete(p.idle, dst)
		return
	}
	p.idle[dst] = list
}

// sweepLocked closes the sockets idle too long; it runs at most once per
// udpMaxIdle, from put.
func (p *connPool) sweepLocked(now time.Time) {
	p.lastSweep = now
	for dst, list := range p.idle {
		kept := list[:0]
		for _, c := range list {
			if now.Sub(c.at) < udpMaxIdle {
				kept = append(kept, c)
				continue
			}
			c.co.Close()
			p.count--
		}
		p.setLocked(dst, kept)
	}
}
