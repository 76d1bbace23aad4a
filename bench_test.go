package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"
)

// BenchmarkWarmProbeHTTP is a warm probe of sec-healthy.test. (signed,
// ECDSA, two nameservers) through the exporter's own handler over real
// HTTP, as Prometheus scrapes it: routing, the probe, the exposition.
// The demo hierarchy runs in this process, so cpu-ns/op includes its
// servers answering; the profile (-cpuprofile) tells the two apart.
func BenchmarkWarmProbeHTTP(b *testing.B) {
	o, err := parseFlags([]string{"--log.level=error", "--demo", "--demo.port=0"}, io.Discard, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	o.log.Writer = io.Discard
	e, err := newExporter(o, promslog.New(o.log))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.close)
	srv := httptest.NewServer(e.handler)
	b.Cleanup(srv.Close)
	url := srv.URL + "/probe?module=demo&target=sec-healthy.test"
	probe := func() {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "probe_success 1") {
			b.Fatalf("status %d, err %v:\n%s", resp.StatusCode, err, body)
		}
	}
	probe() // warm the cache and the signature memo
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for b.Loop() {
		probe()
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}
