package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// maxParallel bounds the goroutines one fan-out starts at once.
const maxParallel = 16

// maxInFlight bounds the queries one probe has in flight at once, over
// all its fan-outs: enough for every question of the child round to two
// nameservers' addresses at once.
const maxInFlight = 32

// Probe walks the delegation of zone and checks every nameserver address.
// zone must come from ParseTarget. It always returns a report: failures are
// findings, and at the deadline (the context's or the module's timeout,
// whichever is earlier) it returns what it has.
func (p *Prober) Probe(ctx context.Context, zone, moduleName string, m *Module) *Report {
	began := time.Now()
	outer := ctx // the sweep's bound is its own, not the probe's timeout
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	r, endSession := newRun(ctx, p, m, zone, moduleName)
	defer endSession()
	// The resolver view needs nothing the probe finds, so it is asked
	// alongside; it is wanted most when the probe fails, and judged
	// against the DNSSEC verdict at the end.
	var views []*resolverView
	done := make(chan struct{})
	go func() {
		defer close(done)
		views = (&resolverStage{r}).checkResolvers(ctx, zone)
	}()
	r.probe(ctx, zone)
	<-done
	rep := r.report
	delegationOK := okCount(rep.Servers) > 0
	for _, v := range views {
		if v != nil {
			settleResolver(v, rep.DNSSEC)
			rep.Resolvers = append(rep.Resolvers, v.result)
			r.record(judgeResolver(zone, v, rep.DNSSEC, delegationOK))
		}
	}
	r.attachSweep(outer, zone, moduleName) // sweeps.go
	r.finish(ctx, began)
	p.logger().Debug("probe finished", "zone", zone, "module", moduleName, "queries", r.sent,
		"duration_seconds", rep.Duration.Seconds(), "findings", len(rep.Findings))
	return rep
}

// finish raises the probe's own limits, orders the report and draws the
// diagnosis.
func (r *run) finish(ctx context.Context, began time.Time) {
	rep := r.report
	rep.QueryCount = r.sent
	rep.Queries = r.queries
	rep.TimedOut = r.aborted()
	deadline, _ := ctx.Deadline()
	r.record(judgeProbeLimits(r.budgetExhausted(), rep.TimedOut, r.m.MaxQueries, r.sent, deadline.Sub(began)))
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
}

// newRun starts the state of one probe; ctx bounds its validation budget.
func newRun(ctx context.Context, p *Prober, m *Module, zone, moduleName string) (*run, func()) {
	ex, end := p.exchanger(), func() {}
	ids := newIDSource()
	// The real network only: an Exchanger that wraps NetExchanger (a
	// test's, say) sees every query.
	if ne, ok := ex.(NetExchanger); ok {
		ex, end = ne.session(int(m.EDNSBufferSize), ids)
	}
	r := &run{
		wire:       &wire{p: p, m: m, ex: ex, ids: ids, inflight: make(chan struct{}, maxInFlight)},
		now:        p.now(),
		report:     &Report{Zone: zone, Module: moduleName},
		findingSet: map[string]bool{},
		val: validate.Validator{Memo: p.SigMemo, Limits: validate.DefaultLimits(),
			Budget: validate.NewBudget(ctx, p.maxValidations(), validate.DefaultProbeHashes), Skew: m.signatureSkew()},
	}
	r.report.Time = r.now
	return r, end
}

// stop records why a walk stopped the probe.
func (r *run) stop(err error) { r.record(judgeStop(err)) }

// judgeStop turns a walk error into its finding. Budget and deadline
// errors are reported once, at the end of the probe (judgeProbeLimits).
func judgeStop(err error) []raised {
	var wf *stageFailure
	switch {
	case errors.Is(err, errBudget), errors.Is(err, errAborted):
		return nil
	case errors.As(err, &wf):
		return []raised{raise(wf.check, "", "", "%s", wf.detail)}
	default:
		return []raised{raise(CheckResolutionFailed, "", "", "%v", err)}
	}
}

// judgeProbeLimits raises the probe's own limits: the query budget spent,
// the deadline reached after took.
func judgeProbeLimits(budgetHit, aborted bool, maxQueries, sent int, took time.Duration) []raised {
	var fs []raised
	if budgetHit {
		fs = append(fs, raise(CheckQueryBudgetExhausted, "", "", "the probe stopped after max_queries=%d queries; results are partial", maxQueries))
	}
	if aborted {
		fs = append(fs, raise(CheckProbeTimeout, "", "", "the probe reached its deadline after %s and %d queries; results are partial",
			took.Round(time.Millisecond), sent))
	}
	return fs
}

// probe runs the stages, each as soon as what it needs is known: the walk
// and the trust anchor's keys at once (with the parent round too when the
// cache knows the parent); the parent round (NS and DS at every parent
// address) once the parent's servers are known; the rest of the chain of
// trust once the walk has found the parent; the child round (every
// question to every address) once the delegation is known. Then the
// judgements.
func (r *run) probe(ctx context.Context, zone string) {
	rep := r.report
	d := &delegation{r}

	// 1. Walk from the root to the servers of the parent zone. When the
	// cache knows a cut above the zone (or the zone is a TLD), the parent
	// round goes to its servers at once, alongside the walk.
	var early *parentRound
	if guess, cached := r.walker().startFor(zone, false); cached || guess.zone == "." && dns.CountLabel(zone) == 1 {
		early = d.startParentRound(ctx, zone, guess)
		defer early.wait()
	}
	chain := (&chainWalk{r}).start(ctx, zone)
	defer chain.wait()
	res, err := r.walker().iterate(ctx, zone, dns.TypeNS, 0, true, &rep.Path)
	if err != nil {
		r.stop(err)
		return
	}
	cut, fs := judgeCut(zone, res)
	r.record(fs)
	if !cut {
		return
	}
	parent := res.zone
	rep.Parent = parent.zone
	chain.found(parent)

	// 2. The parent round: every address of every parent server.
	glue, parentDS := d.checkParent(ctx, zone, parent, res, early)
	if len(rep.DelegationNS) == 0 {
		if !r.stopped() {
			r.addFinding(CheckResolutionFailed, "", "", "no server of the parent zone %s returned the delegation of %s", zoneLabel(parent.zone), zone)
		}
		return
	}

	// 3. The addresses of every delegated nameserver.
	lookups := d.nsAddresses(ctx, zone, glue)
	r.record(judgeNSAddresses(zone, lookups, r.m.addrTypes()))
	servers := make([]NameServer, len(lookups))
	for i, l := range lookups {
		servers[i] = l.NameServer
	}

	// 4. The child round.
	withDNSSEC := chain.anchor == zone || chain.anchor != "" && parentHasDS(zone, parentDS)
	obs := d.childRound(ctx, zone, servers, glue, withDNSSEC)
	trust := chain.wait()

	// 5. Judge what the servers and the parent said.
	r.judgeServers(zone, servers, obs, glue)
	if r.m.dnssecEnabled() && !r.stopped() {
		r.judgeDNSSEC(&dnssecObs{zone: zone, parent: parent.zone, anchor: chain.anchor, chain: trust, links: trust.links,
			parentDS: parentDS, servers: obs, anchors: r.m.TrustAnchors, records: r.m.Records})
	}
	if !r.stopped() && okCount(rep.Servers) == 0 {
		r.record([]raised{noReachableAuthority(zone, rep.Servers, servers, r.m)})
	}
}

// judgeServers records the servers' results and judges them: each address,
// the serials, the NS sets, the glue.
func (r *run) judgeServers(zone string, servers []NameServer, obs []serverObs, glue map[string][]netip.Addr) {
	rep := r.report
	for _, o := range obs {
		if o.result != nil {
			rep.Servers = append(rep.Servers, *o.result)
		}
	}
	r.record(judgeAddresses(zone, obs))
	c, fs := judgeSerials(rep.Servers)
	if c != nil {
		rep.SerialConsistent = c
	}
	r.record(fs)
	c, fs = judgeNS(rep.DelegationNS, rep.Servers)
	if c != nil {
		rep.NSConsistent = c
	}
	r.record(fs)
	c, fs = judgeGlue(glue, obs, r.m.wantFamily)
	if c != nil {
		rep.GlueConsistent = c
	}
	r.record(fs)
}

// judgeDNSSEC judges the zone's DNSSEC from what the stages observed.
func (r *run) judgeDNSSEC(o *dnssecObs) {
	d, fs := dnssecJudge{val: &r.val, now: r.now}.judgeDNSSEC(o)
	r.report.DNSSEC = d
	r.record(fs)
	r.judgeRollover(d)
	r.record(judgeRhythm(r.p, r.m, o.zone, d, o.servers, r.now))
	if r.val.Budget.Exhausted() {
		r.addFinding(CheckValidationBudgetExhausted, "", "", "the probe's DNSSEC validation budget (%d public-key operations, %d NSEC3 hash computations, within the probe's deadline) ran out; the checks it stopped are not judged",
			r.p.maxValidations(), validate.DefaultProbeHashes)
	}
	judgeValidationLimits(r.report)
}

// okCount is the number of servers that answered authoritatively.
func okCount(servers []ServerResult) int {
	n := 0
	for _, s := range servers {
		if s.Status == StatusOK {
			n++
		}
	}
	return n
}

// errBudget is returned once a probe has sent max_queries queries.
var errBudget = errors.New("query budget exhausted")

// errAborted is returned when the probe's own deadline, not the server,
// cut a query short; such a query measured nothing about the server.
var errAborted = errors.New("probe deadline reached")

// run is the state of one probe: the report being built, the findings
// raised, the zone cuts met, and the clock reading taken at the start. Its
// queries go out on its wire. The stages are views of the run: walker
// (walk.go), delegation (delegation.go, servers.go), chainWalk (chain.go)
// and resolverStage (resolver.go).
type run struct {
	*wire
	now    time.Time
	report *Report
	val    validate.Validator

	mu sync.Mutex // guards cuts and findingSet, and report.Findings
	// cuts are the zone cuts met by this probe's walks, with their servers.
	cuts       map[string]zoneServers
	findingSet map[string]bool
	// aliases are names met as CNAME owners while resolving addresses
	// (nsalias.go); guarded by mu.
	aliases map[string]string

	scopeOnce sync.Once
	scope     string // cacheScope's value
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
		Nameserver: nameserver,
		Address:    address,
		Message:    fmt.Sprintf(format, args...),
	})
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

// parentHasDS reports whether any parent server's reply holds a DS RRset
// for zone: only then are the zone's servers asked for DNSSEC material
// (without a DS the zone is insecure, or its denial is judged at the
// parent).
func parentHasDS(zone string, replies []dsReply) bool {
	for _, rep := range replies {
		if rep.msg == nil {
			continue
		}
		for _, rr := range rep.msg.Answer {
			if rr.Header().Rrtype == dns.TypeDS && strings.EqualFold(rr.Header().Name, zone) {
				return true
			}
		}
	}
	return false
}
