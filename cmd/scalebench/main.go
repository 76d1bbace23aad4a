// Command scalebench measures the exporter at scale: it starts the lab's
// scale hierarchy (lab.StartScale: by default 10,000 zones over 50
// provider server sets, 70% ECDSA, 10% RSA, 20% unsigned, 5% with a dead
// nameserver, every reply delayed by -delay) in this process, starts the
// real exporter binary (or Debian's prometheus-blackbox-exporter, with
// -target blackbox) as a child process pointed at it, and requests /probe
// over HTTP at -rate for -duration, each request for the next zone in
// turn. It prints probes/s, CPU per probe and CPU share of the child
// process (from /proc), its peak and final RSS, p50/p99/max probe time,
// DNS queries per probe (counted at the hierarchy's servers) and the
// number of 503s and other failures.
//
//	go run ./cmd/scalebench -zones 10000 -rate 10000/min -duration 10m -delay 25ms
//
// Results, command lines and the machine are in docs/benchmarks.md. Linux
// only (/proc). Every server is on 127.64.0.0/16-127.66.0.0/16; in-process
// servers bind loopback addresses without adding them to lo.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dnshealth/dnshealth_exporter/lab"
)

type config struct {
	zones         int
	perTLD        int
	providers     int
	rate          float64 // probes per second
	duration      time.Duration
	warmup        time.Duration
	delay         time.Duration
	target        string
	exporter      string
	blackbox      string
	maxConcurrent int
	queueTimeout  time.Duration
	scrapeTimeout time.Duration
	listen        string
	queryTimeout  time.Duration
	only          string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("scalebench: ")
	var c config
	var rate string
	flag.IntVar(&c.zones, "zones", 10000, "customer zones in the hierarchy")
	flag.IntVar(&c.perTLD, "per-tld", 500, "zones per TLD")
	flag.IntVar(&c.providers, "providers", 50, "provider server sets")
	flag.StringVar(&rate, "rate", "10000/min", "probes per second or minute: N/s or N/min")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long to send probes")
	flag.DurationVar(&c.warmup, "warmup", 0, "probes sent at the same rate before the measured run, reported apart (a first pass over the zones fills the exporter's cache)")
	flag.DurationVar(&c.delay, "delay", 25*time.Millisecond, "delay every DNS server adds before it replies")
	flag.StringVar(&c.target, "target", "dnshealth", "what to drive: dnshealth (this exporter) or blackbox (prometheus-blackbox-exporter, one SOA query per probe)")
	flag.StringVar(&c.exporter, "exporter", "", "exporter binary; empty builds the module's main package into a temporary directory")
	flag.StringVar(&c.blackbox, "blackbox", "prometheus-blackbox-exporter", "blackbox_exporter binary, for -target blackbox")
	flag.IntVar(&c.maxConcurrent, "max-concurrent", 0, "--probe.max-concurrent for the exporter; 0 leaves its default")
	flag.DurationVar(&c.queueTimeout, "queue-timeout", 0, "--probe.queue-timeout for the exporter; 0 leaves its default")
	flag.DurationVar(&c.scrapeTimeout, "scrape-timeout", 10*time.Second, "scrape timeout sent in X-Prometheus-Scrape-Timeout-Seconds, as Prometheus does")
	flag.DurationVar(&c.queryTimeout, "query-timeout", 0, "the module's query_timeout; 0 leaves the default (2s)")
	flag.StringVar(&c.only, "only", "", "probe only these zones of the hierarchy: ecdsa, rsa or unsigned (and none with a dead nameserver); empty probes them all")
	flag.StringVar(&c.listen, "listen", "127.64.255.1:0", "address for the exporter under test; port 0 picks a free one")
	flag.Parse()
	var err error
	if c.rate, err = parseRate(rate); err != nil {
		log.Fatal(err)
	}
	if c.target != "dnshealth" && c.target != "blackbox" {
		log.Fatalf("-target %q: want dnshealth or blackbox", c.target)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx, c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// parseRate reads "N/s", "N/min" or "N" (per second).
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("-rate %q: want a positive number per s or per min", s)
	}
	switch unit {
	case "", "s":
		return n, nil
	case "min", "m":
		return n / 60, nil
	}
	return 0, fmt.Errorf("-rate %q: unit %q, want s or min", s, unit)
}

func run(ctx context.Context, c config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "scalebench")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	began := time.Now()
	scale, err := lab.StartScale(lab.ScaleOptions{Zones: c.zones, PerTLD: c.perTLD, Providers: c.providers, Delay: c.delay})
	if err != nil {
		return err
	}
	defer scale.Close()
	log.Printf("hierarchy of %d zones up on port %d in %s", c.zones, scale.Port(), time.Since(began).Round(time.Millisecond))

	addr, err := freeAddr(c.listen)
	if err != nil {
		return err
	}
	cmd, err := startTarget(c, dir, addr, scale)
	if err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	if err := waitHealthy(ctx, "http://"+addr+"/-/healthy"); err != nil {
		return err
	}

	var zones []lab.ScaleZone
	for _, z := range scale.ScaleZones() {
		if c.only == "" || z.Signing == c.only && !z.Dead {
			zones = append(zones, z)
		}
	}
	if len(zones) == 0 {
		return fmt.Errorf("-only %q matches no zone (ecdsa, rsa or unsigned)", c.only)
	}
	urls := make([]string, len(zones))
	for i, z := range zones {
		if c.target == "blackbox" {
			// One SOA query to the zone's first server; see blackboxConfig.
			urls[i] = fmt.Sprintf("http://%s/probe?module=dns_soa&target=127.65.%d.1:%d", addr, z.Provider, scale.Port())
		} else {
			urls[i] = fmt.Sprintf("http://%s/probe?module=scale&target=%s", addr, z.Name)
		}
	}
	if c.warmup > 0 {
		w := c
		w.duration = c.warmup
		res := drive(ctx, w, urls, 0, cmd.Process.Pid, scale)
		fmt.Fprintln(out, "warm-up:")
		res.print(out, w)
		fmt.Fprintln(out, "measured:")
		// The measured run goes on with the zones where the warm-up
		// stopped.
		res = drive(ctx, c, urls, res.sent, cmd.Process.Pid, scale)
		res.print(out, c)
		return nil
	}
	res := drive(ctx, c, urls, 0, cmd.Process.Pid, scale)
	res.print(out, c)
	return nil
}

func freeAddr(listen string) (string, error) {
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return "", fmt.Errorf("listen address %s: %w", listen, err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startTarget writes the configuration and starts the exporter under test.
func startTarget(c config, dir, addr string, scale *lab.Scale) (*exec.Cmd, error) {
	var cmd *exec.Cmd
	switch c.target {
	case "blackbox":
		cfg := filepath.Join(dir, "blackbox.yml")
		if err := os.WriteFile(cfg, []byte(blackboxConfig), 0o644); err != nil {
			return nil, fmt.Errorf("writing %s: %w", cfg, err)
		}
		cmd = exec.Command(c.blackbox, "--config.file="+cfg, "--web.listen-address="+addr, "--log.level=error")
	default:
		bin := c.exporter
		if bin == "" {
			bin = filepath.Join(dir, "dnshealth_exporter")
			build := exec.Command("go", "build", "-o", bin, ".")
			build.Dir = moduleRoot()
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				return nil, fmt.Errorf("building the exporter: %w", err)
			}
		}
		files := map[string]string{"scale.hints": scale.RootHints(), "scale.anchors": scale.TrustAnchors(),
			"dnshealth.yml": fmt.Sprintf(exporterConfig, scale.Port()) + queryTimeoutLine(c.queryTimeout)}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return nil, fmt.Errorf("writing %s: %w", name, err)
			}
		}
		// Errors only: a 503 logs a warning each.
		args := []string{"--config.file=" + filepath.Join(dir, "dnshealth.yml"), "--web.listen-address=" + addr, "--log.level=error"}
		if c.maxConcurrent > 0 {
			args = append(args, fmt.Sprintf("--probe.max-concurrent=%d", c.maxConcurrent))
		}
		if c.queueTimeout > 0 {
			args = append(args, "--probe.queue-timeout="+c.queueTimeout.String())
		}
		cmd = exec.Command(bin, args...)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// The child goes when this process goes, however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	return cmd, nil
}

// exporterConfig is module "scale": the hierarchy's hints, anchor and port,
// otherwise the defaults (2 s query timeout, 2 attempts) unless
// -query-timeout sets one.
const exporterConfig = `modules:
  scale:
    root_hints_file: scale.hints
    trust_anchors_file: scale.anchors
    port: %d
`

// queryTimeoutLine is the module's query_timeout line, or nothing for 0.
func queryTimeoutLine(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf("    query_timeout: %s\n", d)
}

// blackboxConfig asks one zone's SOA without recursion: blackbox_exporter
// takes the query name from the module, so every probe asks the same name
// of the server in its target.
const blackboxConfig = `modules:
  dns_soa:
    prober: dns
    timeout: 5s
    dns:
      query_name: z000000.t000.
      query_type: SOA
      recursion_desired: false
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
`

// moduleRoot is the directory of go.mod, for building the exporter.
func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func waitHealthy(ctx context.Context, url string) error {
	for range 300 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s never answered 200", url)
}

// results of one run.
type results struct {
	sent, ok, unavailable, failed int
	latencies                     []time.Duration
	elapsed                       time.Duration
	cpu                           time.Duration
	peakRSS, endRSS               int64
	queries                       int64
}

// drive requests the URLs in turn at c.rate for c.duration, waits for the
// last answers, and measures the child process meanwhile.
func drive(ctx context.Context, c config, urls []string, first, pid int, scale *lab.Scale) *results {
	client := &http.Client{
		Timeout:   c.scrapeTimeout + 5*time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute},
	}
	var mu sync.Mutex
	res := &results{}
	var peak atomic.Int64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if rss, err := procRSS(pid); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()

	cpu0, _ := procCPU(pid)
	q0 := scale.Queries()
	start := time.Now()
	interval := time.Duration(float64(time.Second) / c.rate)
	var wg sync.WaitGroup
	lastReport := start
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= c.duration || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Until(at))
		if now := time.Now(); now.Sub(lastReport) >= time.Minute {
			lastReport = now
			mu.Lock()
			log.Printf("%s: %d sent, %d ok, %d 503, %d failed", now.Sub(start).Round(time.Second), res.sent, res.ok, res.unavailable, res.failed)
			mu.Unlock()
		}
		url := urls[(first+i)%len(urls)]
		mu.Lock()
		res.sent++
		mu.Unlock()
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(c.scrapeTimeout.Seconds(), 'f', -1, 64))
			t0 := time.Now()
			resp, err := client.Do(req)
			status := 0
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && status == http.StatusOK:
				res.ok++
				res.latencies = append(res.latencies, took)
			case status == http.StatusServiceUnavailable:
				res.unavailable++
			default:
				res.failed++
				if res.failed <= 5 {
					log.Printf("request %s: status %d, err %v", url, status, err)
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	cpu1, _ := procCPU(pid)
	res.cpu = cpu1 - cpu0
	res.queries = scale.Queries() - q0
	close(stopSampling)
	<-sampled
	res.peakRSS = peak.Load()
	res.endRSS, _ = procRSS(pid)
	return res
}

func (r *results) print(w io.Writer, c config) {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	done := max(1, r.ok+r.unavailable+r.failed)
	only := ""
	if c.only != "" {
		only = " (probing only the " + c.only + " ones)"
	}
	fmt.Fprintf(w, "target %s, %d zones%s, %.0f probes/min for %s, delay %s\n", c.target, c.zones, only, c.rate*60, c.duration, c.delay)
	fmt.Fprintf(w, "probes: %d sent, %d ok, %d 503, %d other failures in %s: %.1f probes/s\n",
		r.sent, r.ok, r.unavailable, r.failed, r.elapsed.Round(time.Millisecond), float64(done)/r.elapsed.Seconds())
	fmt.Fprintf(w, "cpu: %s total, %.2f ms per probe, %.1f%% of one core, %.1f%% of %d cores\n",
		r.cpu, float64(r.cpu)/float64(time.Millisecond)/float64(done),
		100*r.cpu.Seconds()/r.elapsed.Seconds(), 100*r.cpu.Seconds()/r.elapsed.Seconds()/float64(numCPU()), numCPU())
	fmt.Fprintf(w, "rss: peak %.1f MiB, end %.1f MiB\n", float64(r.peakRSS)/(1<<20), float64(r.endRSS)/(1<<20))
	fmt.Fprintf(w, "probe time (HTTP): p50 %s, p99 %s, max %s\n",
		pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	fmt.Fprintf(w, "dns queries: %d, %.1f per probe\n", r.queries, float64(r.queries)/float64(done))
}

// procCPU is the user+system CPU time of a process, from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	// USER_HZ is 100 on Linux for every architecture Go supports.
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// procRSS is the resident set size of a process, from /proc/<pid>/status.
func procRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

func numCPU() int { return runtime.NumCPU() }
