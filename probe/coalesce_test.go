package probe_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// startScale starts a scale hierarchy and returns a module that probes it.
func startScale(t testing.TB, opts lab.ScaleOptions, tune func(*probe.Module)) (*lab.Scale, *probe.Module) {
	t.Helper()
	s, err := lab.StartScale(opts)
	if err != nil {
		t.Fatalf("starting the scale lab: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	var tunes []func(*probe.Module)
	if tune != nil {
		tunes = append(tunes, tune)
	}
	m, err := demo.Module(s.Lab, tunes...)
	if err != nil {
		t.Fatal(err)
	}
	return s, m
}

// countingExchanger counts the queries sent through it by destination,
// name and type.
type countingExchanger struct {
	next probe.Exchanger
	mu   sync.Mutex
	n    map[sentQuery]int
}

type sentQuery struct {
	addr  string
	qname string
	qtype uint16
}

func (c *countingExchanger) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[sentQuery]int{}
	}
	c.n[sentQuery{addr.Addr().String(), m.Question[0].Name, m.Question[0].Qtype}]++
	c.mu.Unlock()
	return c.next.Exchange(ctx, m, addr, network)
}

// count sums the queries to the addresses for which match holds.
func (c *countingExchanger) count(addrs []string, match func(qname string, qtype uint16) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for q, n := range c.n {
		for _, a := range addrs {
			if q.addr == a && match(q.qname, q.qtype) {
				total += n
			}
		}
	}
	return total
}

// TestScaleLabZonesProbeAsBuilt: the scale hierarchy's zones are what it
// says: ECDSA and RSA zones secure and healthy, unsigned ones insecure and
// healthy, and a zone with a dead nameserver lame by timeout at that
// server only.
func TestScaleLabZonesProbeAsBuilt(t *testing.T) {
	s, m := startScale(t, lab.ScaleOptions{Zones: 40, PerTLD: 20, Providers: 4}, func(m *probe.Module) {
		m.QueryTimeout, m.QueryAttempts = 300*time.Millisecond, 1
	})
	zones := s.ScaleZones()
	p := probe.NewProber(nil, 1000)
	for _, i := range []int{0, 7, 8, 3, 23} {
		z := zones[i]
		r := p.Probe(t.Context(), z.Name, "scale", m)
		wantDNSSEC := probe.DNSSECSecure
		if z.Signing == lab.ScaleUnsigned {
			wantDNSSEC = probe.DNSSECInsecure
		}
		if r.DNSSEC == nil || r.DNSSEC.Status != wantDNSSEC {
			t.Errorf("%s (%s): DNSSEC %+v, want %s\n%s", z.Name, z.Signing, r.DNSSEC, wantDNSSEC, debugText(r))
		}
		wantChecks := []string(nil)
		if z.Dead {
			wantChecks = []string{string(probe.CheckLameTimeout)}
		}
		if got := checkIDs(r); !equalStrings(got, wantChecks) {
			t.Errorf("%s (%s, dead %v): checks %v, want %v\n%s", z.Name, z.Signing, z.Dead, got, wantChecks, debugText(r))
		}
	}
	if s.Queries() == 0 {
		t.Error("the scale lab counted no queries")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestColdProbesUnderOneTLDFetchItsReferralAndKeysOnce: 475 probes of
// distinct zones under one TLD, started together on a cold cache, ask the
// root for the TLD's referral once, for its DS once, and the TLD's
// servers for its DNSKEY once (and the root for its own DNSKEY once):
// the first probe fetches, the others wait for it and read the cache.
func TestColdProbesUnderOneTLDFetchItsReferralAndKeysOnce(t *testing.T) {
	// Generous timeouts: 475 probes at once on a loaded machine are slow,
	// and what is counted here is queries, not time.
	s, m := startScale(t, lab.ScaleOptions{Zones: 500, PerTLD: 500, Providers: 10}, func(m *probe.Module) {
		m.Timeout, m.QueryTimeout = 5*time.Minute, 30*time.Second
	})
	counter := &countingExchanger{next: probe.NetExchanger{}}
	p := probe.NewProber(nil, 10000)
	p.Exchanger = counter
	var zones []lab.ScaleZone
	for _, z := range s.ScaleZones() {
		if !z.Dead {
			zones = append(zones, z)
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	reports := make([]*probe.Report, len(zones))
	for i, z := range zones {
		wg.Go(func() {
			<-start
			reports[i] = p.Probe(t.Context(), z.Name, "scale", m)
		})
	}
	close(start)
	wg.Wait()
	for i, r := range reports {
		if len(r.Findings) != 0 {
			t.Fatalf("%s: findings %v\n%s", zones[i].Name, checkIDs(r), debugText(r))
		}
	}

	roots := []string{"127.64.0.1", "127.64.0.2"}
	tld := []string{"127.64.1.1", "127.64.1.2"}
	under := func(qname string, qtype uint16) bool {
		return qtype != dns.TypeDS && qname != "t000." && dns.IsSubDomain("t000.", qname)
	}
	for _, c := range []struct {
		what  string
		addrs []string
		match func(string, uint16) bool
	}{
		{"referrals to t000. from the root", roots, under},
		{"t000. DS at the root", roots, func(n string, q uint16) bool { return n == "t000." && q == dns.TypeDS }},
		{"t000. DNSKEY at its servers", tld, func(n string, q uint16) bool { return n == "t000." && q == dns.TypeDNSKEY }},
		{". DNSKEY at the root", roots, func(n string, q uint16) bool { return n == "." && q == dns.TypeDNSKEY }},
	} {
		if got := counter.count(c.addrs, c.match); got != 1 {
			t.Errorf("%s: %d queries from %d cold probes, want 1", c.what, got, len(zones))
		}
	}
}

// TestWarmProbeAsksEachParentServerForTheDelegationOnce: on a warm cache
// the early parent round and the walk both want the delegation from the
// parent's servers at the same moment; the server both ask gets the
// question once.
func TestWarmProbeAsksEachParentServerForTheDelegationOnce(t *testing.T) {
	// Replies take 50 ms, so the two askers overlap whatever the scheduling.
	s, m := startScale(t, lab.ScaleOptions{Zones: 4, PerTLD: 4, Providers: 2, Delay: 50 * time.Millisecond}, nil)
	counter := &countingExchanger{next: probe.NetExchanger{}}
	p := probe.NewProber(nil, 1000)
	p.Exchanger = counter
	z := s.ScaleZones()[0]
	if z.Dead {
		t.Fatalf("%s has a dead nameserver; the test wants a healthy zone", z.Name)
	}
	p.Probe(t.Context(), z.Name, "scale", m) // warms the cache
	counter.mu.Lock()
	counter.n = nil
	counter.mu.Unlock()
	r := p.Probe(t.Context(), z.Name, "scale", m)
	if len(r.ParentServers) != 2 {
		t.Fatalf("%d parent servers, want 2\n%s", len(r.ParentServers), debugText(r))
	}
	for _, ps := range r.ParentServers {
		if !ps.OK {
			t.Errorf("parent server %s %s: %s", ps.Nameserver, ps.Address, ps.Detail)
		}
		n := counter.count([]string{ps.Address}, func(qname string, qtype uint16) bool { return qname == z.Name && qtype == dns.TypeNS })
		if n != 1 {
			t.Errorf("%s was asked for the delegation of %s %d times, want once\n%s", ps.Address, z.Name, n, debugText(r))
		}
	}
}
