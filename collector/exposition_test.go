package collector

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestTextMatchesTheRegistry: the text writer gives the registry's bytes
// for every report fixture and for label values that need escaping.
func TestTextMatchesTheRegistry(t *testing.T) {
	odd := lameReport()
	odd.Servers = append(odd.Servers,
		probe.ServerResult{Nameserver: `ns"3\.example.`, Address: "192.0.2.9", Status: probe.StatusOK, NSID: "a\nb"})
	odd.Duration = time.Duration(math.MaxInt64)
	odd.DNSSEC = bogusReport().DNSSEC
	for name, r := range map[string]*probe.Report{
		"empty": emptyReport(), "healthy": healthyReport(), "lame": lameReport(),
		"secure": secureReport(), "bogus": bogusReport(), "insecure": insecureReport(),
		"resolvers": resolverHealthyReport(), "expired": expiredReport(), "resolver lame": resolverLameReport(),
		"odd": odd,
	} {
		t.Run(name, func(t *testing.T) { assertTextMatchesRegistry(t, NewProbeCollector(r)) })
	}
}

// Every per-probe Desc comes from newDesc, so the text writer knows its
// name, help and labels.
func TestEveryProbeDescIsKnownToTheTextWriter(t *testing.T) {
	for _, d := range allDescs {
		if descMetas[d] == nil {
			t.Errorf("%s was not made by newDesc", d)
		}
	}
}

// eachCollector is a Collector over an each function, as ProbeCollector is.
type eachCollector func(gaugeFunc)

func (e eachCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(e, ch) }
func (e eachCollector) Collect(ch chan<- prometheus.Metric) {
	e(func(d *prometheus.Desc, v float64, labels ...string) {
		m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	})
}

// TestTextDropsWhatTheRegistryDrops: a series repeated with the same label
// values and a label value that is not UTF-8 are left out, as the
// registry leaves them out, and counted; the other series stay, in the
// registry's order, and special values print as expfmt prints them.
func TestTextDropsWhatTheRegistryDrops(t *testing.T) {
	each := eachCollector(func(g gaugeFunc) {
		g(statusDesc, 1, "ns2.example", "192.0.2.2", "ok")
		g(statusDesc, 0, "ns1.example", "192.0.2.1", "timeout")
		g(statusDesc, 1, "ns1.example", "192.0.2.1", "ok")
		g(statusDesc, 0, "ns1.example", "192.0.2.1", "ok") // repeated: the first stays
		g(nsidInfoDesc, 1, "ns1.example", "192.0.2.1", "\xff\xfe")
		g(rttDesc, math.Inf(1), "ns1.example", "192.0.2.1")
		g(rttDesc, math.NaN(), "ns2.example", "192.0.2.2")
		g(probeDurationDesc, -1)
		g(probeQueriesDesc, 1e21)
	})
	assertWriterMatchesRegistry(t, each, each)
	var buf bytes.Buffer
	if dropped := writeSeries(&buf, each); dropped != 2 {
		t.Errorf("dropped %d series, want 2 (the repeat and the non-UTF-8 label)\n%s", dropped, buf.String())
	}
}

// The handler serves the text writer's bytes in the text format, and
// promhttp's encoding for anything else (protobuf here).
func TestProbeServesTextFromTheWriterAndProtobufFromPromhttp(t *testing.T) {
	h, _ := newTestHandler(t, func(context.Context, string, string, *probe.Module) *probe.Report { return healthyReport() })
	text := get(t, h, "/probe?target=example.org", http.Header{"Accept": {"text/plain;version=0.0.4"}})
	if ct := text.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("text Content-Type %q", ct)
	}
	var want bytes.Buffer
	NewProbeCollector(healthyReport()).writeText(&want)
	if got := text.Body.String(); got != want.String() {
		t.Errorf("text body:\n%s\nwant:\n%s", got, want.String())
	}
	pb := get(t, h, "/probe?target=example.org", http.Header{"Accept": {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}})
	if ct := pb.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.google.protobuf") {
		t.Errorf("protobuf Content-Type %q", ct)
	}
	if strings.Contains(pb.Body.String(), "# HELP") || pb.Body.Len() == 0 {
		t.Errorf("protobuf response: %q", pb.Body.String())
	}
}
