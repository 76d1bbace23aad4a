package report

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Landing serves the page at the route prefix: a form that opens a report,
// links, and with the demo the demo zones grouped by fault class with their
// current verdict.
type Landing struct {
	Version string
	// Target and Module fill the form.
	Target, Module string
	// Modules lists the configured modules, for the form's suggestions.
	Modules func() []string
	// Demo is nil without --demo.
	Demo   *DemoBoard
	Logger *slog.Logger
}

type landingPage struct {
	Title, Version, Target, Module string
	Modules                        []string
	Demo                           *demoView
}

type demoView struct {
	Port   int
	Note   string
	Groups []demoGroup
}

type demoGroup struct {
	Name  string
	Zones []demoZoneView
}

type demoZoneView struct {
	Name, Description, Report, Probe, Debug string
	Probed                                  bool
	Status, Verdict, Cause, Summary         string
}

// ServeHTTP implements http.Handler.
func (l *Landing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	p := landingPage{Title: "DNS Health Exporter", Version: l.Version, Target: l.Target, Module: l.Module}
	if l.Modules != nil {
		p.Modules = l.Modules()
	}
	if l.Demo != nil {
		p.Demo = l.Demo.view(r.Context())
	}
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "landing.html", p); err != nil {
		if l.Logger != nil {
			l.Logger.Error("Rendering the landing page", "err", err)
		}
		http.Error(w, "internal error: rendering the landing page failed; see the exporter's log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// DemoZone is one zone of the demo hierarchy.
type DemoZone struct {
	Name        string // fully qualified
	Description string
	// Checks are the check IDs the zone is built to raise; they choose its
	// fault class.
	Checks []string
}

// DemoBoard probes the demo zones for the landing page. A refresh probes
// every zone, at most Concurrency at once and within Timeout in all; its
// results are reused for TTL. A page asked for while a refresh runs shows
// the previous results, or waits for the first ones.
type DemoBoard struct {
	Zones []DemoZone
	Port  int
	// Probe runs one probe of zone with the demo module.
	Probe       func(ctx context.Context, zone string) *probe.Report
	Concurrency int
	Timeout     time.Duration
	TTL         time.Duration

	mu      sync.Mutex
	results map[string]*probe.Report
	at      time.Time     // when results were taken; zero before the first
	running chan struct{} // closed when the refresh under way ends
}

// Demo board defaults: a refresh of the 47 demo zones takes about a
// second on the loopback; lame zones wait for their query timeouts.
const (
	DefaultDemoConcurrency = 4
	DefaultDemoTimeout     = 15 * time.Second
	DefaultDemoTTL         = 30 * time.Second
)

// Refresh starts probing the zones unless results are fresh or a refresh
// is under way, and returns a channel closed when that refresh ends.
func (b *DemoBoard) Refresh() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running != nil {
		return b.running
	}
	done := make(chan struct{})
	if !b.at.IsZero() && time.Since(b.at) < b.ttl() {
		close(done)
		return done
	}
	b.running = done
	go b.refresh(done)
	return done
}

func (b *DemoBoard) ttl() time.Duration {
	if b.TTL > 0 {
		return b.TTL
	}
	return DefaultDemoTTL
}

func (b *DemoBoard) refresh(done chan struct{}) {
	timeout, conc := b.Timeout, b.Concurrency
	if timeout <= 0 {
		timeout = DefaultDemoTimeout
	}
	if conc <= 0 {
		conc = DefaultDemoConcurrency
	}
	// Not the request's context: a page closed early must not cut the
	// refresh that the next page will show.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	results := make(map[string]*probe.Report, len(b.Zones))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, conc)
	for _, z := range b.Zones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-slots }()
			if rep := b.Probe(ctx, z.Name); rep != nil && ctx.Err() == nil {
				mu.Lock()
				results[z.Name] = rep
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.mu.Lock()
	b.results, b.at, b.running = results, time.Now(), nil
	b.mu.Unlock()
	close(done)
}

// view refreshes the results if they are stale, waiting only when there
// are none yet (or until ctx ends), and groups the zones.
func (b *DemoBoard) view(ctx context.Context) *demoView {
	done := b.Refresh()
	b.mu.Lock()
	first := b.at.IsZero()
	b.mu.Unlock()
	if first {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	b.mu.Lock()
	results, at := b.results, b.at
	b.mu.Unlock()

	v := &demoView{Port: b.Port}
	if at.IsZero() {
		v.Note = "Their status is being probed; reload in a moment."
	} else {
		v.Note = fmt.Sprintf("Status as probed at %s, refreshed at most every %s, %d zones at a time.",
			at.UTC().Format("15:04:05 UTC"), b.ttl(), max(b.Concurrency, 1))
	}
	groups := map[string]*demoGroup{}
	for _, z := range b.Zones {
		name := strings.TrimSuffix(z.Name, ".")
		zv := demoZoneView{Name: name, Description: z.Description, Report: Link(name, "demo")}
		q := url.Values{"module": {"demo"}, "target": {name}}
		zv.Probe = "probe?" + q.Encode()
		zv.Debug = zv.Probe + "&debug=true"
		if rep := results[z.Name]; rep != nil {
			zv.Probed, zv.Status, zv.Verdict = true, stOK, "healthy"
			if d := rep.Diagnosis; d != nil {
				zv.Cause, zv.Summary = string(d.Cause), d.Summary
				if d.Severity != "" {
					zv.Status, zv.Verdict = severityStatus(d.Severity), string(d.Severity)
				}
			}
		}
		class := FaultClass(z.Checks)
		g := groups[class]
		if g == nil {
			g = &demoGroup{Name: class}
			groups[class] = g
		}
		g.Zones = append(g.Zones, zv)
	}
	for _, c := range faultClasses {
		if g := groups[c]; g != nil {
			v.Groups = append(v.Groups, *g)
		}
	}
	return v
}

// Fault classes of the demo zones, in the landing page's order.
const (
	ClassHealthy    = "Healthy"
	ClassLame       = "Lame and misbehaving nameservers"
	ClassDelegation = "Delegation and consistency faults"
	ClassDNSSEC     = "DNSSEC faults and advisories"
)

var faultClasses = []string{ClassHealthy, ClassLame, ClassDelegation, ClassDNSSEC}

// FaultClass sorts a demo zone by the checks it is built to raise: none is
// healthy; any check about a server's answers makes it a lame-server zone;
// any about the delegation or the servers' agreement a delegation zone;
// the rest are DNSSEC's.
func FaultClass(checks []string) string {
	if len(checks) == 0 {
		return ClassHealthy
	}
	lame := []string{
		string(probe.CheckLameTimeout), string(probe.CheckLameRefused), string(probe.CheckLameServfail), string(probe.CheckLameNotAuthoritative),
		string(probe.CheckLameReferral), string(probe.CheckLameUpwardReferral), string(probe.CheckLameWrongZone), string(probe.CheckLameNetworkError),
		string(probe.CheckLameMalformed), string(probe.CheckNoReachableAuthority), string(probe.CheckEDNSUnsupported), string(probe.CheckApexNSUnavailable),
		string(probe.CheckFamilyUnreachable),
	}
	delegation := []string{
		string(probe.CheckParentServerError), string(probe.CheckParentNSInconsistent), string(probe.CheckNSUnresolvable), string(probe.CheckGlueMissing),
		string(probe.CheckSOASerialMismatch), string(probe.CheckNSParentChildDiffer), string(probe.CheckNSChildInconsistent), string(probe.CheckGlueMismatch),
		string(probe.CheckResolutionFailed), string(probe.CheckReferralLoop), string(probe.CheckNotAZone),
	}
	switch {
	case slices.ContainsFunc(checks, func(c string) bool { return slices.Contains(lame, c) }):
		return ClassLame
	case slices.ContainsFunc(checks, func(c string) bool { return slices.Contains(delegation, c) }):
		return ClassDelegation
	}
	return ClassDNSSEC
}
