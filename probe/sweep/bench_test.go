package sweep_test

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/zonegen"
	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// benchZone writes a signed zone of about records records (4 a name: A,
// NSEC and their RRSIGs) to a file in the test's temporary directory
// and returns its path.
func benchZone(b *testing.B, records int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "zone")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	n, err := zonegen.Generate(zonegen.Zone{Origin: origin, Names: records / 4, Now: now}, zonegen.NewKey(origin, 1),
		func(rr dns.RR) error { _, err := fmt.Fprintln(w, rr.String()); return err })
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.Logf("%d records in %s", n, path)
	return path
}

// serveFile serves the zone file over AXFR with TSIG on 127.72.0.3,
// parsing it as it sends it: the server keeps no copy of the zone.
func serveFile(b *testing.B, path string) netip.AddrPort {
	b.Helper()
	l, err := net.Listen("tcp", "127.72.0.3:0")
	if err != nil {
		b.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		f, err := os.Open(path)
		if err != nil {
			b.Error(err)
			return
		}
		defer f.Close()
		ch := make(chan *dns.Envelope)
		go func() {
			defer close(ch)
			zp := dns.NewZoneParser(bufio.NewReader(f), origin, "")
			var batch []dns.RR
			var soa dns.RR
			for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
				if soa == nil {
					soa = rr
				}
				batch = append(batch, rr)
				if len(batch) == 200 {
					ch <- &dns.Envelope{RR: batch}
					batch = nil
				}
			}
			ch <- &dns.Envelope{RR: append(batch, soa)}
		}()
		if err := new(dns.Transfer).Out(w, r, ch); err != nil {
			b.Error(err)
		}
		for range ch {
		}
	})
	srv := &dns.Server{Listener: l, Handler: h, TsigSecret: map[string]string{tsigName: tsigSecret}}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	b.Cleanup(func() { srv.Shutdown() })
	return netip.MustParseAddrPort(l.Addr().String())
}

// cpuTime is the process's user and system CPU time so far (the server's
// included: it runs in this process).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads the process's peak resident set size (VmHWM), in bytes.
func peakRSS(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkSweep transfers a signed zone over TSIG AXFR from an
// in-process server that streams it from a file, and sweeps it: every
// RRset verified (Ed25519), the NSEC chain checked. SWEEP_BENCH_RECORDS
// sets the zone's size (default 1,000,000 records). Reported: records/s
// the CPU time of a sweep (user and system, the in-process server's
// included), and the process's peak RSS during the sweeps (VmHWM, reset before them
// through /proc/self/clear_refs, Linux 4.0 and later), server included.
//
//	SWEEP_BENCH_RECORDS=1000000 go test ./probe/sweep -run '^$' -bench BenchmarkSweep -benchtime 1x
func BenchmarkSweep(b *testing.B) {
	records := 1_000_000
	if s := os.Getenv("SWEEP_BENCH_RECORDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		records = n
	}
	path := benchZone(b, records)
	addr := serveFile(b, path)
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS: %v", err)
	}
	before := peakRSS(b)
	o := options()
	o.Validator = validate.Validator{Limits: validate.DefaultLimits(), Budget: validate.NewBudget(b.Context(), 10_000_000, 10_000_000)}
	cpu0 := cpuTime(b)
	b.ResetTimer()
	var res *sweep.Result
	for b.Loop() {
		var err error
		res, err = sweep.Transfer(b.Context(), source(addr), o)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime(b) - cpu0
	if res.Invalid != 0 || res.Unsigned != 0 || res.ChainComplete == nil || !*res.ChainComplete {
		b.Fatalf("the benchmark zone is not healthy: %+v", res)
	}
	b.ReportMetric(float64(res.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "CPU-s/op")
	b.Logf("%d records, %d RRsets; peak RSS %.1f MiB after generation, %.1f MiB during the sweeps",
		res.Records, res.RRsets, float64(before)/(1<<20), float64(peakRSS(b))/(1<<20))
}
