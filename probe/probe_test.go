package probe_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// startLab serves the demo hierarchy on loopback and returns a module that
// points at it.
func startLab(t testing.TB) (*lab.Lab, *probe.Module) {
	t.Helper()
	l, err := lab.Start(lab.Options{})
	if err != nil {
		t.Fatalf("starting lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	m, err := demo.Module(l, func(m *probe.Module) {
		m.QueryTimeout, m.QueryAttempts = 400*time.Millisecond, 2
	})
	if err != nil {
		t.Fatal(err)
	}
	return l, m
}

// startLabSignedAt is startLab with the lab's signatures made at signed,
// and the demo module's own timeouts.
func startLabSignedAt(t testing.TB, signed time.Time) (*lab.Lab, *probe.Module) {
	t.Helper()
	l, err := lab.Start(lab.Options{Now: func() time.Time { return signed }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	m, err := demo.Module(l)
	if err != nil {
		t.Fatal(err)
	}
	return l, m
}

func newProber() *probe.Prober {
	return probe.NewProber(nil, 1000)
}

func lameAddresses(r *probe.Report) []string {
	var out []string
	for _, s := range r.Servers {
		if s.Status.Lame() {
			out = append(out, s.Address)
		}
	}
	sort.Strings(out)
	return out
}

func checkIDs(r *probe.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if !slices.Contains(out, string(f.Check)) {
			out = append(out, string(f.Check))
		}
	}
	sort.Strings(out)
	return out
}

func debugText(r *probe.Report) string {
	var b strings.Builder
	r.WriteDebug(&b)
	return b.String()
}

// TestLabZones probes every demo zone over real loopback sockets and
// checks that exactly the expected addresses are lame and exactly the
// expected checks are raised.
func TestLabZones(t *testing.T) {
	l, m := startLab(t)
	p := newProber()
	for _, z := range l.Zones() {
		t.Run(strings.TrimSuffix(z.Name, "."), func(t *testing.T) {
			t.Parallel()
			r := p.Probe(t.Context(), z.Name, "lab", m)
			wantLame := slices.Clone(z.Lame)
			sort.Strings(wantLame)
			if got := lameAddresses(r); !slices.Equal(got, wantLame) {
				t.Errorf("lame addresses = %v, want %v\n%s", got, wantLame, debugText(r))
			}
			wantChecks(t, r, z.Checks...)
			if z.DNSSEC != "" {
				got := "none"
				if r.DNSSEC != nil {
					got = string(r.DNSSEC.Status)
				}
				if got != z.DNSSEC {
					t.Errorf("DNSSEC status = %s, want %s\n%s", got, z.DNSSEC, debugText(r))
				}
			}
			if z.Rollover != "" && (r.DNSSEC == nil || r.DNSSEC.Rollover == nil || string(r.DNSSEC.Rollover.State) != z.Rollover) {
				t.Errorf("rollover state is not %s\n%s", z.Rollover, debugText(r))
			}
			if len(r.Servers) < 1 {
				t.Errorf("only %d server results\n%s", len(r.Servers), debugText(r))
			}
			wantSuccess := true
			for _, f := range r.Findings {
				if f.Severity == probe.SeverityError {
					wantSuccess = false
				}
			}
			if r.Success() != wantSuccess {
				t.Errorf("Success() = %t", r.Success())
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	l, m := startLab(t)
	_ = l
	p := newProber()
	cases := []struct {
		zone, addr string
		want       probe.Status
	}{
		{"lame-refused.test.", "127.53.11.2", probe.StatusRefused},
		{"lame-timeout.test.", "127.53.12.2", probe.StatusTimeout},
		{"lame-noaa.test.", "127.53.13.2", probe.StatusNotAuthoritative},
		{"lame-servfail.test.", "127.53.14.2", probe.StatusServfail},
		{"lame-upward.test.", "127.53.15.2", probe.StatusUpwardReferral},
		{"lame-referral.test.", "127.53.16.2", probe.StatusReferral},
		{"lame-wrongzone.test.", "127.53.17.2", probe.StatusWrongZone},
		{"lame-network.test.", "127.53.18.2", probe.StatusNetworkError},
		{"lame-malformed.test.", "127.53.19.2", probe.StatusMalformed},
		{"healthy.test.", "127.53.10.1", probe.StatusOK},
	}
	for _, tc := range cases {
		t.Run(string(tc.want), func(t *testing.T) {
			t.Parallel()
			r := p.Probe(t.Context(), tc.zone, "lab", m)
			for _, s := range r.Servers {
				if s.Address == tc.addr {
					if s.Status != tc.want {
						t.Errorf("%s status = %s (%s), want %s", tc.addr, s.Status, s.Detail, tc.want)
					}
					return
				}
			}
			t.Errorf("no result for %s\n%s", tc.addr, debugText(r))
		})
	}
}

func TestHealthyReport(t *testing.T) {
	_, m := startLab(t)
	r := newProber().Probe(t.Context(), "healthy.test.", "lab", m)
	if r.Parent != "test." {
		t.Errorf("parent = %q, want test.", r.Parent)
	}
	if got := r.DelegationNS; !slices.Equal(got, []string{"ns1.healthy.test.", "ns2.healthy.test."}) {
		t.Errorf("delegation NS = %v", got)
	}
	if len(r.ParentServers) != 2 {
		t.Errorf("asked %d parent server addresses, want 2", len(r.ParentServers))
	}
	for _, s := range r.Servers {
		if s.Serial != 2026112701 || !slices.Equal(s.ApexNS, r.DelegationNS) || s.Transport != "udp" {
			t.Errorf("server %+v", s)
		}
	}
	for name, b := range map[string]*bool{"serial": r.SerialConsistent, "ns": r.NSConsistent, "glue": r.GlueConsistent} {
		if b == nil || !*b {
			t.Errorf("%s consistency = %v, want true", name, b)
		}
	}
	if len(r.Path) < 2 || r.Path[0].Zone != "." {
		t.Errorf("path = %+v", r.Path)
	}
	text := debugText(r)
	for _, want := range []string{"queries:", "udp ns1.healthy.test 127.53.10.1 healthy.test. SOA rd=0 edns=1232", "findings:\n  none"} {
		if !strings.Contains(text, want) {
			t.Errorf("debug text lacks %q:\n%s", want, text)
		}
	}
}

func TestNotAZone(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	for _, zone := range []string{"www.healthy.test.", "does-not-exist.test.", "nothing.www.healthy.test."} {
		t.Run(zone, func(t *testing.T) {
			r := p.Probe(t.Context(), zone, "lab", m)
			wantChecks(t, r, probe.CheckNotAZone)
			if r.Success() || len(r.Servers) != 0 {
				t.Errorf("success=%t servers=%d", r.Success(), len(r.Servers))
			}
		})
	}
}

func TestTCPFallback(t *testing.T) {
	_, m := startLab(t)
	r := newProber().Probe(t.Context(), "truncated.test.", "lab", m)
	var tcp, udpTC bool
	for _, s := range r.Servers {
		if s.Address == "127.53.25.1" {
			tcp = s.Status == probe.StatusOK && s.Transport == "tcp"
		}
	}
	for _, q := range r.Queries {
		if q.Address == "127.53.25.1" && q.Transport == "udp" && strings.Contains(q.RespFlags, "tc") {
			udpTC = true
		}
	}
	if !tcp || !udpTC {
		t.Errorf("want a truncated UDP reply then an ok TCP answer from 127.53.25.1\n%s", debugText(r))
	}
}

// TestDeadline checks that a probe stuck on a silent server returns at its
// deadline with what it has, and does not call the unanswered server lame.
func TestDeadline(t *testing.T) {
	_, m := startLab(t)
	m.QueryTimeout = 10 * time.Second // longer than the probe may take
	m.Timeout = 1500 * time.Millisecond
	r := newProber().Probe(t.Context(), "lame-timeout.test.", "lab", m)
	if !r.TimedOut || r.Success() {
		t.Fatalf("timed out = %t, findings %v", r.TimedOut, checkIDs(r))
	}
	wantFinding(t, r, probe.CheckProbeTimeout)
	for _, s := range r.Servers {
		if s.Address == "127.53.12.2" {
			t.Errorf("server cut off by the probe deadline was reported: %+v", s)
		}
	}
	if len(r.Servers) != 1 || r.Servers[0].Status != probe.StatusOK {
		t.Errorf("want the answering server's result kept, got %+v", r.Servers)
	}
}

func TestCallerDeadline(t *testing.T) {
	_, m := startLab(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	r := newProber().Probe(ctx, "healthy.test.", "lab", m)
	if !r.TimedOut || r.QueryCount != 0 || len(r.Servers) != 0 {
		t.Errorf("expired context: timed out %t, %d queries, %d servers", r.TimedOut, r.QueryCount, len(r.Servers))
	}
}

func TestQueryBudget(t *testing.T) {
	_, m := startLab(t)
	m.MaxQueries = 10
	r := newProber().Probe(t.Context(), "hosted.test.", "lab", m)
	wantFinding(t, r, probe.CheckQueryBudgetExhausted, "max_queries=10")
	if r.QueryCount != 10 {
		t.Errorf("%d queries, want 10\n%s", r.QueryCount, debugText(r))
	}
}

func TestCacheSavesQueries(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	cold := p.Probe(t.Context(), "hosted.test.", "lab", m)
	warm := p.Probe(t.Context(), "hosted.test.", "lab", m)
	if len(cold.Findings) != 0 || len(warm.Findings) != 0 {
		t.Fatalf("findings cold %v warm %v", checkIDs(cold), checkIDs(warm))
	}
	if warm.QueryCount >= cold.QueryCount {
		t.Errorf("warm probe sent %d queries, cold %d: cache unused", warm.QueryCount, cold.QueryCount)
	}
	if !warm.Path[0].Cached || warm.Path[0].Zone != "test." {
		t.Errorf("warm path = %+v, want to start at cached test.", warm.Path)
	}
	if p.Cache.Len() == 0 {
		t.Error("cache is empty")
	}
}

func TestZeroProber(t *testing.T) {
	_, m := startLab(t)
	r := (&probe.Prober{}).Probe(t.Context(), "healthy.test.", "lab", m)
	if len(r.Findings) != 0 || len(r.Servers) != 2 {
		t.Errorf("zero Prober: findings %v, %d servers", checkIDs(r), len(r.Servers))
	}
}

// TestParentDriftBlamesTheOddServer: the parent server whose delegation
// differs from the others' is the one named.
func TestParentDriftBlamesTheOddServer(t *testing.T) {
	_, m := startLab(t)
	r := newProber().Probe(t.Context(), "parent-drift.test.", "lab", m)
	var named []string
	for _, f := range r.Findings {
		if f.Check == probe.CheckParentNSInconsistent {
			named = append(named, strings.TrimSuffix(f.Nameserver, ".")+" "+f.Address)
		}
	}
	if !slices.Equal(named, []string{"ns2.nic.test 127.53.1.2"}) {
		t.Errorf("parent_ns_inconsistent names %v, want only ns2.nic.test 127.53.1.2\n%s", named, debugText(r))
	}
	if !slices.Equal(r.DelegationNS, []string{"ns1.parent-drift.test.", "ns2.parent-drift.test."}) {
		t.Errorf("delegation NS = %v, want the union of both parent servers' sets", r.DelegationNS)
	}
}

// TestEDNSFallback: a server that only works without EDNS is not lame,
// but is named.
func TestEDNSFallback(t *testing.T) {
	_, m := startLab(t)
	r := newProber().Probe(t.Context(), "old-edns.test.", "lab", m)
	for _, s := range r.Servers {
		if s.Status != probe.StatusOK {
			t.Errorf("%s status %s, want ok", s.Address, s.Status)
		}
	}
	var plain bool
	for _, q := range r.Queries {
		if q.Address == "127.53.27.2" && strings.Contains(q.Flags, "edns=off") && q.Rcode == "NOERROR" {
			plain = true
		}
	}
	if !plain {
		t.Errorf("no successful query without EDNS to 127.53.27.2\n%s", debugText(r))
	}
}
