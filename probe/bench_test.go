package probe_test

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/miekg/dns"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProbe measures a full probe of lab zones over loopback sockets:
// cold (a new Prober: empty cache and signature memo, walking from the root, validating
// the chain and verifying every signature) and warm (the parent side,
// validated keys and checked signatures remembered, as in steady-state
// scraping). The lab's servers run in this process, so the
// CPU figure covers both the probe and the servers answering it.
func BenchmarkProbe(b *testing.B) {
	_, m := startLab(b)
	zones := []string{"healthy.test.", "hosted.test.", "lame-refused.test.", "sec-healthy.test.", "sec-nsec3.test.", "sec-rsa.test."}
	for _, zone := range zones {
		b.Run("cold/"+zone, func(b *testing.B) {
			queries := 0
			cpu := cpuTime(b)
			for b.Loop() {
				r := probe.NewProber(nil, 1000).Probe(b.Context(), zone, "lab", m)
				queries += r.QueryCount
			}
			b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
		b.Run("warm/"+zone, func(b *testing.B) {
			p := probe.NewProber(nil, 1000)
			p.Probe(b.Context(), zone, "lab", m)
			queries := 0
			cpu := cpuTime(b)
			for b.Loop() {
				r := p.Probe(b.Context(), zone, "lab", m)
				queries += r.QueryCount
			}
			b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkHostile measures probes of zones built to make validators work
// (KeyTrap: keys sharing one tag times junk RRSIGs in front of the real
// ones), cold, on the lab. The figures for docs/benchmarks.md: time and
// CPU per probe must stay far below the probe's deadline whatever n is.
func BenchmarkHostile(b *testing.B) {
	_, m := startLab(b)
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("keytrap-%d", n), func(b *testing.B) {
			cpu := cpuTime(b)
			for b.Loop() {
				p := probe.NewProber(nil, 1000)
				p.Exchanger = keyTrapper{zone: "sec-healthy.test.", n: n}
				r := p.Probe(b.Context(), "sec-healthy.test.", "lab", m)
				if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECIndeterminate {
					b.Fatalf("DNSSEC %v, want indeterminate", r.DNSSEC)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// delayed adds a fixed delay in front of every exchange: a round trip of
// that length to every server, as on the Internet.
type delayed struct {
	probe.Exchanger
	rtt time.Duration
}

func (d delayed) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	t := time.NewTimer(d.rtt)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	return d.Exchanger.Exchange(ctx, m, addr, network)
}

// BenchmarkRoundTrips measures a probe's critical path with a round trip
// of 25 ms to every server: rtts/op is the probe's wall time in round
// trips. Warm, a probe needs the walk's last referral, the parent round
// and the child round; lame-timeout.test has one nameserver that never
// answers (query_timeout 1 s), which costs one query timeout.
func BenchmarkRoundTrips(b *testing.B) {
	const rtt = 25 * time.Millisecond
	_, m := startLab(b)
	slow := *m
	slow.QueryTimeout, slow.QueryAttempts = time.Second, 2
	for _, zone := range []string{"healthy.test.", "sec-healthy.test.", "lame-timeout.test."} {
		for _, warm := range []bool{false, true} {
			name := "cold/" + zone
			if warm {
				name = "warm/" + zone
			}
			b.Run(name, func(b *testing.B) {
				newP := func() *probe.Prober {
					p := probe.NewProber(nil, 1000)
					p.Exchanger = delayed{probe.NetExchanger{}, rtt}
					return p
				}
				p := newP()
				if warm {
					p.Probe(b.Context(), zone, "lab", &slow)
				}
				start := time.Now()
				for b.Loop() {
					if !warm {
						p = newP()
					}
					p.Probe(b.Context(), zone, "lab", &slow)
				}
				b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(rtt), "rtts/op")
			})
		}
	}
}
