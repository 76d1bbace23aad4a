package lab

import (
	"net"
	"strconv"
	"testing"

	"github.com/miekg/dns"
)

// hostileAsk sends qname/qtype with DO=1 (EDNS 1232) to addr of l over
// network and returns the reply and its size on the wire.
func hostileAsk(t *testing.T, l *Lab, addr, network, qname string, qtype uint16) (*dns.Msg, int) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(qname, qtype)
	q.SetEdns0(1232, true)
	c := &dns.Client{Net: network}
	r, _, err := c.Exchange(q, net.JoinHostPort(addr, strconv.Itoa(l.Port())))
	if err != nil {
		t.Fatalf("%s %s over %s at %s: %v", qname, dns.TypeToString[qtype], network, addr, err)
	}
	r.Compress = true // as the lab's servers send it
	wire, err := r.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return r, len(wire)
}

// TestHostileShapesAsServed holds the hostile-zone set to what its
// descriptions say, as its servers send it over sockets, so that a probe
// test of a zone tests the shape it names.
func TestHostileShapesAsServed(t *testing.T) {
	l, err := StartHostile(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })

	t.Run("keytrap: keys sharing the ZSK's tag, junk RRSIGs in front", func(t *testing.T) {
		r, _ := hostileAsk(t, l, hostileAddr(10, 1), "tcp", HostileKeyTrap, dns.TypeDNSKEY)
		tags := map[uint16]int{}
		var sigs []*dns.RRSIG
		for _, rr := range r.Answer {
			switch v := rr.(type) {
			case *dns.DNSKEY:
				tags[v.KeyTag()]++
			case *dns.RRSIG:
				sigs = append(sigs, v)
			}
		}
		colliding := 0
		for _, n := range tags {
			colliding = max(colliding, n)
		}
		if colliding != KeyTrapKeys+1 || len(sigs) != KeyTrapSigs+1 {
			t.Errorf("%d keys share a tag, %d RRSIGs over the DNSKEY RRset; want %d and %d", colliding, len(sigs), KeyTrapKeys+1, KeyTrapSigs+1)
		}
	})
	t.Run("nsec3: 65535 iterations, a salt per record", func(t *testing.T) {
		r, _ := hostileAsk(t, l, hostileAddr(11, 1), "tcp", "nx."+HostileNSEC3, dns.TypeA)
		salts := map[string]bool{}
		for _, rr := range r.Ns {
			if n, ok := rr.(*dns.NSEC3); ok {
				if n.Iterations != NSEC3Iterations {
					t.Errorf("%s has %d iterations", n.Hdr.Name, n.Iterations)
				}
				salts[n.Salt] = true
			}
		}
		if r.Rcode != dns.RcodeNameError || len(salts) < 2 {
			t.Errorf("rcode %s, %d distinct salts; want NXDOMAIN with a salt per NSEC3", dns.RcodeToString[r.Rcode], len(salts))
		}
	})
	t.Run("big-dnskey: truncated over UDP, near 64 KiB over TCP", func(t *testing.T) {
		if r, _ := hostileAsk(t, l, hostileAddr(12, 1), "udp", HostileBigDNSKEY, dns.TypeDNSKEY); !r.Truncated {
			t.Error("the UDP answer is not truncated")
		}
		_, size := hostileAsk(t, l, hostileAddr(12, 1), "tcp", HostileBigDNSKEY, dns.TypeDNSKEY)
		if size < 64000 || size > dns.MaxMsgSize {
			t.Errorf("the TCP answer is %d bytes, want 64000 to %d", size, dns.MaxMsgSize)
		}
		t.Logf("the TCP answer is %d bytes", size)
	})
	t.Run("many-keys: 500 more keys", func(t *testing.T) {
		r, _ := hostileAsk(t, l, hostileAddr(13, 1), "tcp", HostileManyKeys, dns.TypeDNSKEY)
		keys := 0
		for _, rr := range r.Answer {
			if _, ok := rr.(*dns.DNSKEY); ok {
				keys++
			}
		}
		if keys != ManyKeys+2 {
			t.Errorf("%d DNSKEYs, want %d", keys, ManyKeys+2)
		}
	})
	t.Run("cname chain: 20 aliases from ns.alias.hostile.", func(t *testing.T) {
		name, aliases := "ns.alias."+HostileTLD, 0
		for range CNAMEChainLength + 1 {
			r, _ := hostileAsk(t, l, hostileAddr(1, 1), "udp", name, dns.TypeA)
			next := ""
			for _, rr := range r.Answer {
				if c, ok := rr.(*dns.CNAME); ok && c.Hdr.Name == name {
					next = c.Target
				}
			}
			if next == "" {
				break
			}
			name, aliases = next, aliases+1
		}
		if aliases != CNAMEChainLength {
			t.Errorf("%d aliases from ns.alias.hostile., want %d", aliases, CNAMEChainLength)
		}
	})
	t.Run("referral chain: each level refers to the next", func(t *testing.T) {
		deepest := ReferralChainZone(ReferralChainDepth)
		for depth := 1; depth < ReferralChainDepth; depth++ {
			r, _ := hostileAsk(t, l, hostileAddr(20, depth), "udp", deepest, dns.TypeSOA)
			if len(r.Ns) == 0 || r.Ns[0].Header().Name != ReferralChainZone(depth+1) || r.Authoritative {
				t.Fatalf("%s at depth %d: %v, want a referral to %s", deepest, depth, r.Ns, ReferralChainZone(depth+1))
			}
		}
	})
}
