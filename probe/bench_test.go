package probe_test

import (
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// BenchmarkProbe measures a full probe of the lab's zones over loopback
// sockets: cold (empty cache, walking from the root every time) and warm
// (the parent side cached, as in steady-state scraping).
func BenchmarkProbe(b *testing.B) {
	_, m := startLab(b)
	for _, zone := range []string{"healthy.test.", "hosted.test.", "lame-refused.test."} {
		b.Run("cold/"+zone, func(b *testing.B) {
			queries := 0
			for b.Loop() {
				r := probe.NewProber(nil, 1000).Probe(b.Context(), zone, "lab", m)
				queries += r.QueryCount
			}
			b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
		})
		b.Run("warm/"+zone, func(b *testing.B) {
			p := probe.NewProber(nil, 1000)
			p.Probe(b.Context(), zone, "lab", m)
			queries := 0
			for b.Loop() {
				r := p.Probe(b.Context(), zone, "lab", m)
				queries += r.QueryCount
			}
			b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
		})
	}
}
