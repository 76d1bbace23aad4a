package probe_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// rolloverLab starts a lab signed at a fixed instant, at step 0 of its
// rollovers, and a Prober whose clock the test moves.
func rolloverLab(t *testing.T) (*lab.Lab, *probe.Module, *probe.Prober, *time.Time) {
	t.Helper()
	signed := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l, m := startLabSignedAt(t, signed)
	l.SetRolloverStep(0)
	now := signed
	p := &probe.Prober{Now: func() time.Time { return now }, Rollover: probe.NewRolloverMemory(100)}
	return l, m, p, &now
}

func rolloverState(r *probe.Report) string {
	if r.DNSSEC == nil || r.DNSSEC.Rollover == nil {
		return ""
	}
	return string(r.DNSSEC.Rollover.State)
}

// TestLabRolloversStepByStep walks every lab rollover (ZSK, KSK double-DS,
// algorithm, CDS pending, CDS delete) one step at a time with the
// injected clock, each step taken once the TTLs allowed it (three hours
// apart: the lab's TTLs are an hour, plus an hour's propagation): the
// probe names each step's state, raises only that step's checks, and
// dates the next step by the TTLs.
func TestLabRolloversStepByStep(t *testing.T) {
	l, m, p, now := rolloverLab(t)
	steps := l.RolloverSteps()
	longest := 0
	for _, s := range steps {
		longest = max(longest, len(s))
	}
	for step := range longest {
		l.SetRolloverStep(step)
		for zone, want := range steps {
			w := want[min(step, len(want)-1)]
			r := p.Probe(t.Context(), zone, "lab", m)
			wantChecks := slices.Clone(w.Checks)
			sort.Strings(wantChecks)
			if got := rolloverState(r); got != w.State || !slices.Equal(checkIDs(r), wantChecks) || string(r.DNSSEC.Status) != w.DNSSEC {
				t.Errorf("step %d %s: state %q checks %v verdict %s; want %q %v %s\n%s", step, zone, got, checkIDs(r), r.DNSSEC.Status, w.State, wantChecks, w.DNSSEC, debugText(r))
				continue
			}
			if w.State != "" && !strings.Contains(debugText(r), "rollover "+w.State+": ") {
				t.Errorf("step %d %s: the debug text does not name the rollover state %s\n%s", step, zone, w.State, debugText(r))
			}
			if ro := r.DNSSEC.Rollover; ro != nil && ro.State != probe.RolloverSteady {
				if ro.NextStep == "" || ro.NextStepSafe.IsZero() || ro.NextStepSafe.After(now.Add(3*time.Hour)) {
					t.Errorf("step %d %s: next step %q safe at %s, want a step safe within 3h of %s", step, zone, ro.NextStep, ro.NextStepSafe, *now)
				}
			}
		}
		*now = now.Add(3 * time.Hour)
	}
}

// TestLabRolloversTooEarly takes each rollover's steps ten minutes apart,
// well inside the lab's TTLs: the ZSK rollover raises
// rollover_new_key_too_early when the new ZSK signs ten minutes after it
// was published, and rollover_removed_too_early when the old ZSK goes ten
// minutes after it stopped signing; the KSK rollover raises
// rollover_new_key_too_early when the new KSK signs alone ten minutes
// after its DS appeared; the algorithm rollover raises
// rollover_algorithm_order when the new algorithm's DNSKEYs follow its
// signatures by ten minutes. None is raised before the step that causes
// it; TestLabRolloversStepByStep is the neighbour, the same steps three
// hours apart, with none of them.
func TestLabRolloversTooEarly(t *testing.T) {
	l, m, p, now := rolloverLab(t)
	want := map[string]map[int]probe.CheckID{
		"sec-zsk.roll.test.": {2: probe.CheckRolloverNewKeyTooEarly, 3: probe.CheckRolloverRemovedTooEarly},
		"sec-ksk.roll.test.": {2: probe.CheckRolloverNewKeyTooEarly},
		"sec-alg.roll.test.": {2: probe.CheckRolloverAlgorithmOrder},
	}
	for step := range 4 {
		l.SetRolloverStep(step)
		for zone, byStep := range want {
			r := p.Probe(t.Context(), zone, "lab", m)
			if c, ok := byStep[step]; ok && !r.HasFinding(c) {
				t.Errorf("step %d %s: no %s\n%s", step, zone, c, debugText(r))
			}
			for s, c := range byStep {
				if step < s && r.HasFinding(c) {
					t.Errorf("step %d %s: %s raised before step %d, whose change causes it\n%s", step, zone, c, s, debugText(r))
				}
			}
		}
		*now = now.Add(10 * time.Minute)
	}
}

// TestLabRolloverStuck leaves the CDS zone waiting for the parent: once
// longer than the module's rollover_stuck_after, rollover_stuck fires and
// says since when; a restart (a new memory) forgets it.
func TestLabRolloverStuck(t *testing.T) {
	l, m, p, now := rolloverLab(t)
	m.RolloverStuckAfter = 48 * time.Hour
	const zone = "sec-cds.roll.test."
	p.Probe(t.Context(), zone, "lab", m)
	l.SetRolloverStep(1) // CDS for the new KSK, the parent's DS unchanged
	began := *now
	for _, after := range []time.Duration{0, 24 * time.Hour, 47 * time.Hour} {
		*now = began.Add(after)
		r := p.Probe(t.Context(), zone, "lab", m)
		if rolloverState(r) != string(probe.RolloverCDSPending) || r.HasFinding(probe.CheckRolloverStuck) {
			t.Fatalf("after %s: state %q, stuck %v; want cds_pending, not stuck\n%s", after, rolloverState(r), r.HasFinding(probe.CheckRolloverStuck), debugText(r))
		}
	}
	*now = began.Add(49 * time.Hour)
	r := p.Probe(t.Context(), zone, "lab", m)
	if !r.HasFinding(probe.CheckRolloverStuck) || !r.DNSSEC.Rollover.StateSince.Equal(began) || !r.DNSSEC.Rollover.Started.Equal(began) {
		t.Errorf("after 49h: want rollover_stuck since %s\n%s", began, debugText(r))
	}
	p.Rollover = probe.NewRolloverMemory(100) // a restart
	if r := p.Probe(t.Context(), zone, "lab", m); r.HasFinding(probe.CheckRolloverStuck) || !r.DNSSEC.Rollover.StateSince.Equal(*now) {
		t.Errorf("after a restart: the memory is not new\n%s", debugText(r))
	}
}
