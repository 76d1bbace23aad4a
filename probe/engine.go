package probe

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// maxParallel bounds the queries one probe has in flight at once.
const maxParallel = 16

// Probe walks the delegation of zone and checks every nameserver address.
// zone must come from ParseTarget. It always returns a report: failures are
// findings, and at the deadline (the context's or the module's timeout,
// whichever is earlier) it returns what it has.
func (p *Prober) Probe(ctx context.Context, zone, moduleName string, m *Module) *Report {
	began := time.Now()
	outer := ctx // the sweep's bound is its own, not the probe's timeout
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	r := &run{
		p:          p,
		m:          m,
		now:        p.now(),
		report:     &Report{Zone: zone, Module: moduleName},
		findingSet: map[string]bool{},
		val: validate.Validator{Memo: p.SigMemo, Limits: validate.DefaultLimits(),
			Budget: validate.NewBudget(ctx, p.maxValidations(), validate.DefaultProbeHashes)},
	}
	r.report.Time = r.now
	r.probe(ctx, zone)
	// The resolver view is wanted most when the probe above failed, so it
	// runs whatever happened there (after DNSSEC, whose verdict it is
	// compared with).
	if len(m.resolverAddrs) > 0 && !r.aborted() && !r.budgetExhausted() {
		r.checkResolvers(ctx, zone)
	}
	r.attachSweep(outer, zone, moduleName)
	rep := r.report
	rep.QueryCount = r.sent
	if r.budgetHit {
		r.addFinding(CheckQueryBudgetExhausted, "", "", "the probe stopped after max_queries=%d queries; results are partial", m.MaxQueries)
	}
	if r.aborted() {
		rep.TimedOut = true
		deadline, _ := ctx.Deadline()
		r.addFinding(CheckProbeTimeout, "", "", "the probe reached its deadline after %s and %d queries; results are partial",
			deadline.Sub(began).Round(time.Millisecond), r.sent)
	}
	sort.Slice(rep.Servers, func(i, j int) bool {
		a, b := rep.Servers[i], rep.Servers[j]
		if a.Nameserver != b.Nameserver {
			return a.Nameserver < b.Nameserver
		}
		return a.Address < b.Address
	})
	// Findings arrive from parallel queries: give them a stable order,
	// most urgent first, so reports and summaries are reproducible.
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if x, y := a.Severity.Rank(), b.Severity.Rank(); x != y {
			return x < y
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Nameserver != b.Nameserver {
			return a.Nameserver < b.Nameserver
		}
		return a.Address < b.Address
	})
	rep.Diagnosis = diagnose(rep)
	rep.Duration = time.Since(began)
	p.logger().Debug("probe finished", "zone", zone, "module", moduleName, "queries", r.sent,
		"duration_seconds", rep.Duration.Seconds(), "findings", len(rep.Findings))
	return rep
}

func (r *run) aborted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.abortSeen
}

// stop turns a walk error into a finding. Budget and deadline errors are
// reported once, at the end of the probe.
func (r *run) stop(err error) {
	var wf *stageFailure
	switch {
	case errors.Is(err, errBudget), errors.Is(err, errAborted):
	case errors.As(err, &wf):
		r.addFinding(wf.check, "", "", "%s", wf.detail)
	default:
		r.addFinding(CheckResolutionFailed, "", "", "%v", err)
	}
}

func (r *run) probe(ctx context.Context, zone string) {
	rep := r.report

	// 1. Walk from the root to the servers of the parent zone.
	res, err := r.iterate(ctx, zone, dns.TypeNS, 0, true, &rep.Path)
	if err != nil {
		r.stop(err)
		return
	}
	if !r.isCut(zone, res) {
		return
	}
	parent := res.zone
	rep.Parent = parent.zone

	// 2. Ask every address of every parent server for the delegation.
	glue := r.checkParent(ctx, zone, parent, res)
	if len(rep.DelegationNS) == 0 {
		if !r.aborted() && !r.budgetExhausted() {
			r.addFinding(CheckResolutionFailed, "", "", "no server of the parent zone %s returned the delegation of %s", zoneLabel(parent.zone), zone)
		}
		return
	}

	// 3. Find the addresses of every delegated nameserver.
	servers := r.nsAddresses(ctx, zone, glue)

	// 4. Ask every address for the zone's SOA and NS.
	r.checkServers(ctx, zone, servers)

	// 5. Compare what the servers and the parent said.
	r.compareSerials()
	r.compareNS()
	r.compareGlue(ctx, zone, glue)
	if r.m.dnssecEnabled() && !r.aborted() && !r.budgetExhausted() {
		r.checkDNSSEC(ctx, zone, parent)
	}
	if !r.aborted() && !r.budgetExhausted() && r.okCount() == 0 {
		r.noReachableAuthority(zone, servers)
	}
}

// errBudget is returned once a probe has sent max_queries queries.
var errBudget = errors.New("query budget exhausted")

// errAborted is returned when the probe's own deadline, not the server,
// cut a query short; such a query measured nothing about the server.
var errAborted = errors.New("probe deadline reached")

// run is the state of one probe: the report being built, the query budget
// and the clock reading taken at the start.
type run struct {
	p      *Prober
	m      *Module
	now    time.Time
	report *Report
	val    validate.Validator

	mu        sync.Mutex
	sent      int
	budgetHit bool
	abortSeen bool // a query was cut short by the probe's deadline
	// cuts are the zone cuts met by this probe's walks, with their servers.
	cuts map[string]zoneServers
	// parentDS are the parent servers' replies to "<zone> DS".
	parentDS   []dsReply
	findingSet map[string]bool
}

func (r *run) addQuery(q Query) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.Queries = append(r.report.Queries, q)
}

// addFinding records a finding once per (check, nameserver, address).
func (r *run) addFinding(check CheckID, nameserver, address, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := string(check) + "|" + nameserver + "|" + address
	if r.findingSet[key] {
		return
	}
	r.findingSet[key] = true
	r.report.Findings = append(r.report.Findings, Finding{
		Check:      check,
		Severity:   checkSeverity(check),
		Nameserver: strings.TrimSuffix(nameserver, "."),
		Address:    address,
		Message:    fmt.Sprintf(format, args...),
	})
}

func (r *run) markAborted() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.abortSeen = true
}

// takeBudget reserves one query, or reports that the budget is spent.
func (r *run) takeBudget() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent >= r.m.MaxQueries {
		r.budgetHit = true
		return false
	}
	r.sent++
	return true
}

// stageFailure is why a stage stopped the probe early: the check ID to
// raise and the detail. The walk raises it (referral loops, resolution
// failures) and so does the chain of trust (a DNSKEY RRset that no DS
// vouches for, a DS set over an unsigned zone).
type stageFailure struct {
	check  CheckID
	detail string
}

func (w *stageFailure) Error() string { return w.detail }
