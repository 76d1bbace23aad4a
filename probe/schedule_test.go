package probe_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// gated answers like the network, except that it holds the reply to one
// question until another question has been asked: the second question must
// then be in flight while the first waits, or the first times out. So it
// proves which queries go out together, without measuring time.
type gated struct {
	probe.Exchanger
	hold  func(q dns.Question, addr netip.AddrPort) bool // the reply to hold
	until func(q dns.Question, addr netip.AddrPort) bool // what must be asked first

	mu    sync.Mutex
	seen  bool
	cond  chan struct{}
	held  int
	armed bool
}

func (g *gated) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	q := m.Question[0]
	g.mu.Lock()
	if g.cond == nil {
		g.cond = make(chan struct{})
	}
	if g.armed && g.until(q, addr) && !g.seen {
		g.seen = true
		close(g.cond)
	}
	holdIt := g.armed && g.hold(q, addr)
	cond := g.cond
	g.mu.Unlock()
	if holdIt {
		select {
		case <-cond:
		case <-ctx.Done(): // never asked: the held query times out
			return nil, 0, ctx.Err()
		}
		g.mu.Lock()
		g.held++
		g.mu.Unlock()
	}
	return g.Exchanger.Exchange(ctx, m, addr, network)
}

func (g *gated) arm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.armed = true
}

// warmProbe probes zone once to fill the cache, arms the gate and probes
// it again.
func warmProbe(t *testing.T, zone string, g *gated) *probe.Report {
	t.Helper()
	_, m := startLab(t)
	g.Exchanger = probe.NetExchanger{}
	p := newProber()
	p.Exchanger = g
	p.Probe(t.Context(), zone, "lab", m)
	g.arm()
	r := p.Probe(t.Context(), zone, "lab", m)
	if g.held == 0 {
		t.Fatal("the gate held no reply: the test proves nothing")
	}
	return r
}

func is(name string, qtype uint16) func(dns.Question, netip.AddrPort) bool {
	return func(q dns.Question, _ netip.AddrPort) bool {
		return strings.EqualFold(q.Name, name) && q.Qtype == qtype
	}
}

func TestWarmProbeAsksEveryChildQuestionAtOnce(t *testing.T) {
	// The SOA reply waits until the DNSKEY and the denial questions have
	// gone out: asked one after the other, the SOA would time out.
	g := &gated{
		hold:  is("sec-healthy.test.", dns.TypeSOA),
		until: is("sec-healthy.test.", dns.TypeNULL),
	}
	r := warmProbe(t, "sec-healthy.test.", g)
	if len(r.Findings) != 0 || r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Errorf("findings %v, DNSSEC %v: the SOA waited for a question that was not yet asked", r.Findings, r.DNSSEC)
	}
}

func TestWarmProbeSendsTheParentRoundWithTheWalk(t *testing.T) {
	// The walk's referral from the parent waits until the parent's DS has
	// been asked: without an early parent round, the DS question comes
	// only after the referral, and the walk times out.
	g := &gated{
		hold:  is("sec-healthy.test.", dns.TypeNS),
		until: is("sec-healthy.test.", dns.TypeDS),
	}
	r := warmProbe(t, "sec-healthy.test.", g)
	if len(r.Findings) != 0 || r.Parent != "test." {
		t.Errorf("parent %q, findings %v: the parent's NS answer waited for a DS question that was not yet asked", r.Parent, r.Findings)
	}
}

func TestGatedReplyTimesOutWhenItsQuestionNeverComesFirst(t *testing.T) {
	// The neighbour of the two above: the gate does fail a probe when the
	// question it waits for is not in flight. The child round needs the
	// parent round's answers, so a DS reply held until the zone's SOA is
	// asked times out, and the probe says so.
	g := &gated{
		hold:  is("sec-healthy.test.", dns.TypeDS),
		until: is("sec-healthy.test.", dns.TypeSOA),
	}
	_, m := startLab(t)
	g.Exchanger = probe.NetExchanger{}
	p := newProber()
	p.Exchanger = g
	p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	g.arm()
	r := p.Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if len(r.Findings) == 0 {
		t.Error("no finding though every DS reply timed out")
	}
}

// deadlines records how long each query may wait, and never answers.
type deadlines struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (d *deadlines) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	dl, _ := ctx.Deadline()
	d.mu.Lock()
	d.waits = append(d.waits, time.Until(dl))
	d.mu.Unlock()
	<-ctx.Done()
	return nil, 0, ctx.Err()
}

func TestQueryAttemptsShareTheQueryTimeout(t *testing.T) {
	// A server that never answers costs one query_timeout, however many
	// attempts: each attempt may wait only its share.
	m := &probe.Module{Timeout: 5 * time.Second, QueryTimeout: 600 * time.Millisecond, QueryAttempts: 3,
		RootServers: []probe.NameServer{{Name: "a.root.test.", Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}}}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	d := &deadlines{}
	p := newProber()
	p.Exchanger = d
	p.Probe(t.Context(), "example.test.", "t", m)
	if len(d.waits) < 3 {
		t.Fatalf("%d attempts, want at least 3", len(d.waits))
	}
	for i, w := range d.waits {
		if w > 200*time.Millisecond {
			t.Errorf("attempt %d may wait %s, more than query_timeout/query_attempts = 200ms", i, w)
		}
	}
}

func TestGlueIsComparedAtTheNewestSerialWhenTheFirstServerIsStale(t *testing.T) {
	// ns1 (asked for the nameservers' addresses in the child round) serves
	// an old copy that still gives ns2 an old address; ns2 serves the
	// newest serial, whose addresses match the parent's glue. The glue is
	// judged by ns2's view: no glue_mismatch, only the serial drift.
	root, tld := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.10")
	ns1, ns2 := netip.MustParseAddr("192.0.2.20"), netip.MustParseAddr("192.0.2.21")
	delegation := []string{"N zone.tld. 3600 IN NS ns1.zone.tld.", "N zone.tld. 3600 IN NS ns2.zone.tld.",
		"X ns1.zone.tld. 3600 IN A 192.0.2.20", "X ns2.zone.tld. 3600 IN A 192.0.2.21"}
	copyWith := func(serial, ns2Addr string) dnstest.Handler {
		soa := "A zone.tld. 300 IN SOA ns1.zone.tld. h.zone.tld. " + serial + " 1 1 1 1"
		return dnstest.Table(t, true, map[string][]string{
			"zone.tld. SOA":      {soa},
			"zone.tld. NS":       {"A zone.tld. 3600 IN NS ns1.zone.tld.", "A zone.tld. 3600 IN NS ns2.zone.tld."},
			"ns1.zone.tld. A":    {"A ns1.zone.tld. 3600 IN A 192.0.2.20"},
			"ns2.zone.tld. A":    {"A ns2.zone.tld. 3600 IN A " + ns2Addr},
			"ns1.zone.tld. AAAA": {"N " + soa[2:]},
			"ns2.zone.tld. AAAA": {"N " + soa[2:]},
		})
	}
	net := dnstest.MemNet{
		root: dnstest.Table(t, false, map[string][]string{"*": {"N tld. 3600 IN NS ns.tld.", "X ns.tld. 3600 IN A 192.0.2.10"}}),
		tld:  dnstest.Table(t, false, map[string][]string{"*": delegation}),
		ns1:  copyWith("1", "192.0.2.99"),
		ns2:  copyWith("2", "192.0.2.21"),
	}
	m := &probe.Module{RootServers: []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{root}}}}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	r := (&probe.Prober{Exchanger: net}).Probe(t.Context(), "zone.tld.", "mem", m)
	got := checkIDs(r)
	if !slices.Equal(got, []string{string(probe.CheckSOASerialMismatch)}) || r.GlueConsistent == nil || !*r.GlueConsistent {
		t.Errorf("checks %v, glue consistent %v; want only soa_serial_mismatch, glue consistent\n%s", got, r.GlueConsistent, debugText(r))
	}
}
