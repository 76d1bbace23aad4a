package probe_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// startHostile starts the lab's hostile-zone set (127.62.0.0/16) and
// returns module "demo" pointed at it, with a 2 s query timeout and a 10 s
// deadline: the KeyTrap zone's answers carry a hundred times the usual
// records, and under -race on a loaded machine they can take longer than
// the 400 ms the lab tests allow.
func startHostile(t testing.TB) (*lab.Lab, *probe.Module) {
	t.Helper()
	l, err := lab.StartHostile(lab.Options{})
	if err != nil {
		t.Fatalf("starting the hostile-zone set: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	m, err := demo.Module(l, func(m *probe.Module) {
		m.Timeout, m.QueryTimeout, m.QueryAttempts = 10*time.Second, 2*time.Second, 2
	})
	if err != nil {
		t.Fatal(err)
	}
	return l, m
}

// hostileSaw holds, per hostile zone, what else the report must show
// besides its checks and verdict: what the probe saw of the shape.
var hostileSaw = map[string]func(t *testing.T, r *probe.Report){
	lab.HostileKeyTrap: func(t *testing.T, r *probe.Report) {
		wantFinding(t, r, probe.CheckValidationBudgetExhausted, "not examined (limit 8)")
	},
	lab.HostileNSEC3: func(t *testing.T, r *probe.Report) {
		if n := r.DNSSEC.NSEC3; n == nil || n.Iterations != lab.NSEC3Iterations || !n.DenialsInsecure {
			t.Errorf("NSEC3 parameters %+v, want %d iterations and the denials insecure", n, lab.NSEC3Iterations)
		}
		if len(r.DNSSEC.Denials) == 0 {
			t.Error("no denial observed")
		}
		for _, d := range r.DNSSEC.Denials {
			if !d.Valid || !strings.Contains(d.Detail, "not hashed") {
				t.Errorf("denial %s %s at %s: valid %v %q; want set aside unhashed as insecure", d.Qname, d.Qtype, d.Address, d.Valid, d.Detail)
			}
		}
	},
	lab.HostileBigDNSKEY: func(t *testing.T, r *probe.Report) {
		if n := len(r.DNSSEC.DNSKEYs); n != 121 {
			t.Errorf("%d DNSKEYs, want 121", n)
		}
		var udpTC, tcpOK bool
		for _, q := range r.Queries {
			if q.Qtype != "DNSKEY" || q.Qname != lab.HostileBigDNSKEY {
				continue
			}
			udpTC = udpTC || (q.Transport == "udp" && slices.Contains(strings.Fields(q.RespFlags), "tc"))
			tcpOK = tcpOK || (q.Transport == "tcp" && q.Err == "" && q.Rcode == "NOERROR")
		}
		if !udpTC || !tcpOK {
			t.Errorf("DNSKEY truncated over UDP %v, answered over TCP %v; want both", udpTC, tcpOK)
		}
	},
	lab.HostileManyKeys: func(t *testing.T, r *probe.Report) {
		if n := len(r.DNSSEC.DNSKEYs); n != lab.ManyKeys+2 {
			t.Errorf("%d DNSKEYs, want %d", n, lab.ManyKeys+2)
		}
	},
	lab.HostileCNAMEChain: func(t *testing.T, r *probe.Report) {
		wantFinding(t, r, probe.CheckNSUnresolvable, "more than 8 CNAMEs from ns.alias.hostile.")
	},
	lab.ReferralChainZone(12): func(t *testing.T, r *probe.Report) {
		if r.Parent != lab.ReferralChainZone(11) {
			t.Errorf("parent %s, want %s", r.Parent, lab.ReferralChainZone(11))
		}
	},
	lab.ReferralChainZone(lab.ReferralChainDepth): func(t *testing.T, r *probe.Report) {
		wantFinding(t, r, probe.CheckReferralLoop, "more than 30 referrals")
	},
}

// TestHostileZones probes each zone of the hostile-zone set through the
// real Prober over loopback sockets, cold, and holds what the probe says
// it saw: exactly the zone's expected checks, its DNSSEC verdict, the
// shape-specific observations of hostileSaw, and no deadline reached.
// The work each costs is measured by BenchmarkHostile, not here.
func TestHostileZones(t *testing.T) {
	l, m := startHostile(t)
	zones := l.Zones()
	if len(zones) != len(hostileSaw) {
		t.Errorf("%d hostile zones, %d with observations to check", len(zones), len(hostileSaw))
	}
	for _, z := range zones {
		t.Run(strings.TrimSuffix(z.Name, "."), func(t *testing.T) {
			r := probe.NewProber(nil, 1000).Probe(t.Context(), z.Name, "hostile", m)
			wantChecks(t, r, z.Checks...)
			got := "none"
			if r.DNSSEC != nil {
				got = string(r.DNSSEC.Status)
			}
			if wantDNSSEC := z.DNSSEC; wantDNSSEC != "" && got != wantDNSSEC {
				t.Errorf("DNSSEC %s, want %s\n%s", got, wantDNSSEC, debugText(r))
			}
			if r.TimedOut {
				t.Errorf("the probe reached its deadline\n%s", debugText(r))
			}
			if saw := hostileSaw[z.Name]; saw != nil && !t.Failed() {
				saw(t, r)
			}
		})
	}
}

// BenchmarkHostileSet measures a cold probe (a new Prober: empty cache and
// signature memo) of each zone of the hostile-zone set over loopback
// sockets: the wall time per probe (ns/op) and the slowest one (max-ms)
// against the probe's deadline (deadline-ms, the module's timeout), and
// the process CPU time per probe (cpu-ms/op, getrusage: the probe and the
// in-process servers answering it). The bar is every probe within its
// deadline + 100 ms and under 250 ms of CPU. Each zone is probed again
// with a 20 ms deadline, shorter than the probe needs, to measure how far
// past its deadline a cut-off probe returns (median, 99th percentile and
// worst: over-p50-ms, over-p99-ms, over-ms). The figures are in
// docs/benchmarks.md, not asserted.
func BenchmarkHostileSet(b *testing.B) {
	l, m := startHostile(b)
	for _, z := range l.Zones() {
		name := strings.TrimSuffix(z.Name, ".")
		if len(name) > 40 {
			name = name[:20] + "…" + name[len(name)-12:]
		}
		b.Run(name, func(b *testing.B) {
			var slowest time.Duration
			cpu := cpuTime(b)
			for b.Loop() {
				began := time.Now()
				r := probe.NewProber(nil, 1000).Probe(b.Context(), z.Name, "hostile", m)
				slowest = max(slowest, time.Since(began))
				if r.TimedOut {
					b.Fatalf("%s: the probe reached its deadline", z.Name)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(slowest)/1e6, "max-ms")
			b.ReportMetric(float64(m.Timeout)/1e6, "deadline-ms")
		})
		// The same probe with a deadline shorter than it needs: how far
		// past its deadline the probe returns (over-ms, the worst case).
		short := *m
		short.Timeout = 20 * time.Millisecond
		b.Run(name+"/deadline-20ms", func(b *testing.B) {
			var over []time.Duration
			cpu := cpuTime(b)
			for b.Loop() {
				began := time.Now()
				probe.NewProber(nil, 1000).Probe(b.Context(), z.Name, "hostile", &short)
				over = append(over, max(0, time.Since(began)-short.Timeout))
			}
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N)/1e6, "cpu-ms/op")
			slices.Sort(over)
			b.ReportMetric(float64(over[len(over)/2])/1e6, "over-p50-ms")
			b.ReportMetric(float64(over[len(over)*99/100])/1e6, "over-p99-ms")
			b.ReportMetric(float64(over[len(over)-1])/1e6, "over-ms")
		})
	}
}
