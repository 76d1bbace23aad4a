package probe_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestDiagnosisLab checks the one-line conclusion for the lab's zones: the
// cause, and what validating resolvers are expected to do.
func TestDiagnosisLab(t *testing.T) {
	l, m := startLab(t)
	want := map[string]struct {
		cause                  probe.Cause
		expected, intermittent bool
	}{
		"healthy.test.":               {probe.CauseHealthy, false, false},
		"sec-healthy.test.":           {probe.CauseHealthy, false, false},
		"lame-refused.test.":          {probe.CausePartialLame, false, false},
		"lame-timeout.test.":          {probe.CausePartialLame, false, false},
		"all-lame.test.":              {probe.CauseNoReachableAuthority, true, false},
		"serial-drift.test.":          {probe.CauseStaleSecondary, false, false},
		"ns-mismatch.test.":           {probe.CauseDelegationMismatch, false, false},
		"glue-mismatch.test.":         {probe.CauseDelegationMismatch, false, false},
		"ns-unresolvable.test.":       {probe.CauseDelegationMismatch, false, false},
		"sec-expired.test.":           {probe.CauseSignatureExpired, true, false},
		"sec-future.test.":            {probe.CauseSignatureNotYetValid, true, false},
		"sec-badsig.test.":            {probe.CauseBogusSignature, true, false},
		"sec-missing-rrsig.test.":     {probe.CauseBogusSignature, true, false},
		"sec-ds-wrong-digest.test.":   {probe.CauseDSMismatch, true, false},
		"sec-rollover-broken.test.":   {probe.CauseDSMismatch, true, false},
		"sec-unsigned-child.test.":    {probe.CauseDNSKEYMissing, true, false},
		"sec-stale-dnskey.test.":      {probe.CauseStaleSecondary, false, true},
		"sec-bad-denial.test.":        {probe.CauseBogusDenial, true, false},
		"sec-nsec3-iter.test.":        {probe.CauseInsecureDowngrade, false, false},
		"sec-cds-mismatch.test.":      {probe.CauseRolloverStuck, false, false},
		"sec-rollover-stale-ds.test.": {probe.CauseRolloverStuck, false, false},
		"www.healthy.test.":           {probe.CauseNotAZone, false, false},
	}
	p := newProber()
	for zone, w := range want {
		t.Run(strings.TrimSuffix(zone, "."), func(t *testing.T) {
			r := p.Probe(t.Context(), zone, "lab", m)
			d := r.Diagnosis
			if d == nil {
				t.Fatal("no diagnosis")
			}
			if d.Cause != w.cause || d.ServfailExpected != w.expected || d.ServfailIntermittent != w.intermittent {
				t.Errorf("diagnosis %s expected=%t intermittent=%t, want %s %t %t\n  %s", d.Cause, d.ServfailExpected, d.ServfailIntermittent,
					w.cause, w.expected, w.intermittent, d.Summary)
			}
			if !slices.Contains(probe.Causes, d.Cause) || d.Summary == "" || strings.Contains(d.Summary, "\n") {
				t.Errorf("cause %q not in Causes, or summary %q not one line", d.Cause, d.Summary)
			}
			if (d.Cause == probe.CauseHealthy) != (len(r.Findings) == 0) {
				t.Errorf("healthy=%t with %d findings", d.Cause == probe.CauseHealthy, len(r.Findings))
			}
		})
	}
	// Every lab zone gets a cause from the documented set.
	for _, z := range l.Zones() {
		r := p.Probe(t.Context(), z.Name, "lab", m)
		if r.Diagnosis == nil || !slices.Contains(probe.Causes, r.Diagnosis.Cause) {
			t.Errorf("%s: diagnosis %+v", z.Name, r.Diagnosis)
		}
	}
}
