package probe

import (
	"context"
	"sync"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// SweepReport is the state of a zone's whole-zone sweep as one probe saw
// it: the last sweep that finished, with its age, and the last attempt's
// error if it failed.
type SweepReport struct {
	// Primary is the address the zone is transferred from.
	Primary string `json:"primary"`
	// Interval is the module's sweep interval.
	Interval time.Duration `json:"interval"`
	// Result is the last sweep that finished; nil until one has.
	Result *sweep.Result `json:"result,omitempty"`
	// Time is when that sweep started (its signatures were judged against
	// this time); Age is Report.Time minus Time.
	Time     time.Time     `json:"time"`
	Age      time.Duration `json:"age"`
	Duration time.Duration `json:"duration"`
	// Error is why the last attempt failed, when it did, at ErrorTime.
	Error     string    `json:"error,omitempty"`
	ErrorTime time.Time `json:"error_time"`
	// Running is set while a sweep is under way.
	Running bool `json:"running"`
}

// maxSweepEntries bounds the zones whose sweep state a Sweeps keeps.
const maxSweepEntries = 10000

// Sweeps runs whole-zone sweeps in the background, one at a time per
// (module, zone), each on its module's interval, and keeps the last
// result of each. Probes read it and never wait for a sweep. The zero
// value is not usable: use NewSweeps.
type Sweeps struct {
	mu      sync.Mutex
	entries map[string]*sweepEntry
	wg      sync.WaitGroup
}

type sweepEntry struct {
	last      SweepReport
	attempted time.Time // when the last attempt started
	running   bool
	used      time.Time
}

// NewSweeps returns an empty sweep store.
func NewSweeps() *Sweeps { return &Sweeps{entries: map[string]*sweepEntry{}} }

// Wait blocks until no sweep is running; for tests and shutdown.
func (s *Sweeps) Wait() { s.wg.Wait() }

// runSweep transfers and checks the zone once.
func runSweep(ctx context.Context, zone string, c *SweepConfig, now time.Time) (*sweep.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	o := sweep.Options{
		Zone:    zone,
		Now:     now,
		Warning: c.ExpiryWarning,
		Window:  c.Window,
		Validator: validate.Validator{Limits: validate.DefaultLimits(),
			Budget: validate.NewBudget(ctx, c.MaxValidations, sweepHashes(c.MaxValidations))},
	}
	return sweep.Transfer(ctx, c.source(), o)
}

// sweepHashes is the NSEC3 hashing budget that goes with a verification
// budget: ten SHA-1 runs per verification.
func sweepHashes(verifications int) int { return 10 * verifications }

// sweepState returns the zone's sweep as this probe reports it, starting
// a sweep when one is due: in the background on p.Sweeps, or, without
// one, inline (the check command).
func (p *Prober) sweepState(ctx context.Context, zone, moduleName string, c *SweepConfig) *SweepReport {
	now := p.now()
	if p.Sweeps == nil {
		began := time.Now()
		res, err := runSweep(ctx, zone, c, now)
		rep := &SweepReport{Primary: c.primary.String(), Interval: c.Interval, Time: now, Duration: time.Since(began)}
		if err != nil {
			rep.Error, rep.ErrorTime = err.Error(), now
		} else {
			rep.Result = res
		}
		return rep
	}
	return p.Sweeps.state(zone, moduleName, c, now, p)
}

func (s *Sweeps) state(zone, moduleName string, c *SweepConfig, now time.Time, p *Prober) *SweepReport {
	key := moduleName + "|" + zone + "|" + c.primary.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[key]
	if e == nil {
		if len(s.entries) >= maxSweepEntries {
			s.evict()
		}
		e = &sweepEntry{last: SweepReport{Primary: c.primary.String()}}
		s.entries[key] = e
	}
	e.used = now
	wait := c.Interval
	if e.last.Error != "" && sweepRetry < wait {
		wait = sweepRetry
	}
	if !e.running && (e.attempted.IsZero() || now.Sub(e.attempted) >= wait) {
		e.running, e.attempted = true, now
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			began := time.Now()
			res, err := runSweep(context.Background(), zone, c, now)
			if err != nil {
				p.logger().Warn("Sweep failed", "zone", zone, "module", moduleName, "primary", c.primary.String(), "err", err)
			} else {
				p.logger().Debug("Sweep finished", "zone", zone, "module", moduleName, "records", res.Records, "duration_seconds", time.Since(began).Seconds())
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			e.running = false
			if err != nil {
				e.last.Error, e.last.ErrorTime = err.Error(), now
				return
			}
			e.last.Error, e.last.ErrorTime = "", time.Time{}
			e.last.Result, e.last.Time, e.last.Duration = res, now, time.Since(began)
		}()
	}
	rep := e.last
	rep.Interval, rep.Running = c.Interval, e.running
	return &rep
}

// evict drops the entry used least recently, not running.
func (s *Sweeps) evict() {
	var oldest string
	for k, e := range s.entries {
		if !e.running && (oldest == "" || e.used.Before(s.entries[oldest].used)) {
			oldest = k
		}
	}
	delete(s.entries, oldest)
}

// attachSweep adds the zone's sweep to the report and judges it against
// the servers' serials.
func (r *run) attachSweep(ctx context.Context, zone, moduleName string) {
	c := r.m.Sweep
	if c == nil {
		return
	}
	st := r.p.sweepState(ctx, zone, moduleName, c)
	if st.Result != nil {
		st.Age = r.now.Sub(st.Time)
	}
	r.report.Sweep = st
	r.record(judgeSweep(st, r.report.Servers, r.now))
}
