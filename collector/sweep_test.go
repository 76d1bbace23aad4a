package collector

import (
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
)

// sample returns the value of the one series of family name with the
// given label values (name=value pairs), failing when there is none.
func sample(t *testing.T, r *probe.Report, name string, labels ...string) float64 {
	t.Helper()
	for _, mf := range gather(t, NewProbeCollector(r)) {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue next
				}
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// TestSweepMetricsFollowTheLastResult: the sweep's result becomes its
// metrics, the behind flag per ok address follows the
// secondary_behind_primary findings, and a module whose first sweep has
// not finished has only dnshealth_sweep_last_attempt_success 0.
func TestSweepMetricsFollowTheLastResult(t *testing.T) {
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	complete := false
	r := lameReport()
	r.Sweep = &probe.SweepReport{Primary: "192.0.2.53:53", Age: 20 * time.Minute, Duration: 3 * time.Second, Result: &sweep.Result{
		Serial: 8, Records: 1000, RRsets: 400, Signed: true, EarliestExpiration: exp, Expiring: 3, Unsigned: 2, Invalid: 1,
		ChainComplete: &complete, Reordered: 0,
	}}
	r.Findings = append(r.Findings, probe.Finding{Check: probe.CheckSecondaryBehindPrimary, Severity: probe.SeverityWarning, Nameserver: "ns1.example.net", Address: "192.0.2.1"})
	for name, want := range map[string]float64{
		"dnshealth_sweep_last_attempt_success":                  1,
		"dnshealth_sweep_age_seconds":                           1200,
		"dnshealth_sweep_duration_seconds":                      3,
		"dnshealth_sweep_records":                               1000,
		"dnshealth_sweep_rrsets":                                400,
		"dnshealth_sweep_primary_serial":                        8,
		"dnshealth_sweep_earliest_expiration_timestamp_seconds": float64(exp.Unix()),
		"dnshealth_sweep_rrsets_expiring":                       3,
		"dnshealth_sweep_rrsets_unsigned":                       2,
		"dnshealth_sweep_rrsets_invalid":                        1,
		"dnshealth_sweep_denial_chain_complete":                 0,
		"dnshealth_sweep_names_reordered":                       0,
	} {
		if got := sample(t, r, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := sample(t, r, "dnshealth_sweep_serial_behind", "address", "192.0.2.1"); got != 1 {
		t.Errorf("serial_behind of 192.0.2.1 = %v, want 1", got)
	}
	// 192.0.2.3 is listed twice (timeout, then ok): the first wins, so it
	// has no series; 192.0.2.2 refused.
	assertSeries(t, NewProbeCollector(r), "dnshealth_sweep_serial_behind", 1)
	lintClean(t, NewProbeCollector(r))

	first := emptyReport()
	first.Sweep = &probe.SweepReport{Primary: "192.0.2.53:53", Running: true}
	if got := sample(t, first, "dnshealth_sweep_last_attempt_success"); got != 0 {
		t.Errorf("before the first sweep: last_attempt_success = %v, want 0", got)
	}
	assertAbsent(t, NewProbeCollector(first), "dnshealth_sweep_age_seconds", "dnshealth_sweep_rrsets_invalid")
}
