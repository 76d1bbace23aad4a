package dnstest

import (
	"crypto"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Rhythm is a signer's schedule: each RRset gets a signature valid from
// its signing time less Offset until its signing time plus Validity less
// its jitter, and is re-signed when that signature has Refresh left (at
// the signer's next run, when Run is set), until Stall. RRset i is first
// signed Spread·i before Epoch, and its expiration is cut by (i·3h) mod
// Jitter, so RRsets drift apart as they do under BIND or OpenDNSSEC.
type Rhythm struct {
	Validity, Refresh, Offset, Run, Spread, Jitter time.Duration
	Epoch, Stall                                   time.Time
}

// Window returns the inception and expiration of RRset i's signature at
// t: the last signing at or before t (or before Stall, when set).
func (r Rhythm) Window(i int, t time.Time) (inception, expiration time.Time) {
	until := t
	if !r.Stall.IsZero() && r.Stall.Before(t) {
		until = r.Stall
	}
	s := r.Epoch.Add(-time.Duration(i) * r.Spread)
	var j time.Duration
	if r.Jitter > 0 {
		j = (time.Duration(i) * 3 * time.Hour) % r.Jitter
	}
	for {
		next := s.Add(r.Validity - j - r.Refresh)
		if r.Run > 0 {
			next = r.Epoch.Add((next.Sub(r.Epoch) + r.Run - 1) / r.Run * r.Run)
		}
		if !next.After(s) || next.After(until) {
			break
		}
		s = next
	}
	return s.Add(-r.Offset), s.Add(r.Validity - j)
}

// SignedZone is a one-server signed zone with NSEC, signed by one
// combined key (algorithm 13) on the Rhythm, against the clock Now reads
// at every query. Its RRsets: the apex SOA, NS and DNSKEY, and the
// server's A record.
type SignedZone struct {
	Zone, NS string // fully qualified
	Addr     string // the server's IPv4 address
	TTL      uint32
	Rhythm   Rhythm
	Now      func() time.Time

	key  *dns.DNSKEY
	priv crypto.Signer
	mu   sync.Mutex
	sigs map[string]*dns.RRSIG // by RRset and inception
}

// rrsetOrder numbers the RRsets for Rhythm.Window.
var rrsetOrder = map[uint16]int{dns.TypeSOA: 0, dns.TypeNS: 1, dns.TypeDNSKEY: 2, dns.TypeA: 3, dns.TypeNSEC: 4}

// NewSignedZone makes the zone's key.
func NewSignedZone(t testing.TB, zone, ns, addr string, ttl uint32, r Rhythm, now func() time.Time) *SignedZone {
	t.Helper()
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: ttl},
		Flags: 257, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return &SignedZone{Zone: zone, NS: ns, Addr: addr, TTL: ttl, Rhythm: r, Now: now, key: k,
		priv: priv.(crypto.Signer), sigs: map[string]*dns.RRSIG{}}
}

// Anchor is the zone's DS, for a trust anchors file.
func (z *SignedZone) Anchor() string { return z.key.ToDS(dns.SHA256).String() + "\n" }

func (z *SignedZone) rr(s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		panic(fmt.Sprintf("dnstest.SignedZone: %q: %v", s, err))
	}
	return rr
}

// rrset returns the zone's RRset at name and type, nil when none.
func (z *SignedZone) rrset(name string, qtype uint16) []dns.RR {
	ttl := fmt.Sprint(z.TTL)
	switch {
	case name == z.Zone && qtype == dns.TypeSOA:
		return []dns.RR{z.rr(z.Zone + " " + ttl + " IN SOA " + z.NS + " hostmaster." + z.Zone + " 1 3600 600 86400 " + ttl)}
	case name == z.Zone && qtype == dns.TypeNS:
		return []dns.RR{z.rr(z.Zone + " " + ttl + " IN NS " + z.NS)}
	case name == z.Zone && qtype == dns.TypeDNSKEY:
		return []dns.RR{dns.Copy(z.key)}
	case name == z.Zone && qtype == dns.TypeNSEC:
		return []dns.RR{z.rr(z.Zone + " " + ttl + " IN NSEC " + z.NS + " NS SOA RRSIG NSEC DNSKEY")}
	case name == z.NS && qtype == dns.TypeA:
		return []dns.RR{z.rr(z.NS + " " + ttl + " IN A " + z.Addr)}
	case name == z.NS && qtype == dns.TypeNSEC:
		return []dns.RR{z.rr(z.NS + " " + ttl + " IN NSEC " + z.Zone + " A RRSIG NSEC")}
	}
	return nil
}

// signed returns set with its signature for the current window.
func (z *SignedZone) signed(set []dns.RR) []dns.RR {
	h := set[0].Header()
	inc, exp := z.Rhythm.Window(rrsetOrder[h.Rrtype], z.Now())
	key := fmt.Sprintf("%s/%d/%d", h.Name, h.Rrtype, inc.Unix())
	z.mu.Lock()
	defer z.mu.Unlock()
	sig := z.sigs[key]
	if sig == nil {
		sig = &dns.RRSIG{Hdr: dns.RR_Header{Ttl: h.Ttl}, Algorithm: z.key.Algorithm, KeyTag: z.key.KeyTag(),
			SignerName: z.Zone, Inception: uint32(inc.Unix()), Expiration: uint32(exp.Unix())}
		if err := sig.Sign(z.priv, set); err != nil {
			panic(fmt.Sprintf("dnstest.SignedZone: signing %s: %v", h.Name, err))
		}
		z.sigs[key] = sig
	}
	return append(set, sig)
}

// Handler answers as the zone's authoritative server, with signatures
// and NSEC proofs when the query sets DO.
func (z *SignedZone) Handler() Handler {
	return func(q *dns.Msg) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		do := q.IsEdns0() != nil && q.IsEdns0().Do()
		if opt := q.IsEdns0(); opt != nil {
			m.SetEdns0(opt.UDPSize(), do)
		}
		name, qtype := strings.ToLower(q.Question[0].Name), q.Question[0].Qtype
		add := func(section *[]dns.RR, set []dns.RR) {
			if do {
				set = z.signed(set)
			}
			*section = append(*section, set...)
		}
		if !dns.IsSubDomain(z.Zone, name) {
			m.Rcode = dns.RcodeRefused
			m.Authoritative = false
			return m
		}
		if set := z.rrset(name, qtype); set != nil {
			add(&m.Answer, set)
			return m
		}
		add(&m.Ns, z.rrset(z.Zone, dns.TypeSOA))
		switch name {
		case z.Zone, z.NS: // no data
			if do {
				add(&m.Ns, z.rrset(name, dns.TypeNSEC))
			}
		default: // no such name: the apex NSEC covers it and its wildcard
			m.Rcode = dns.RcodeNameError
			if do {
				add(&m.Ns, z.rrset(z.Zone, dns.TypeNSEC))
			}
		}
		return m
	}
}
