package collector

import (
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

var rolloverNames = []string{
	"dnshealth_rollover_state", "dnshealth_rollover_seconds", "dnshealth_rollover_state_seconds",
	"dnshealth_rollover_next_step_safe_timestamp_seconds", "dnshealth_rollover_memory_seconds",
}

// TestRolloverMetrics: a zone in a CDS-pending rollover for a day of the
// exporter's two days of memory, in this state for six hours, its next
// step safe an hour from the probe; a steady zone has no next-step
// timestamp and a rollover age of 0; no rollover report, no series.
func TestRolloverMetrics(t *testing.T) {
	pending := secureReport()
	pending.DNSSEC.Rollover = &probe.RolloverReport{State: probe.RolloverCDSPending,
		Started: probeTime.Add(-24 * time.Hour), StateSince: probeTime.Add(-6 * time.Hour),
		MemorySince: probeTime.Add(-48 * time.Hour), NextStepSafe: probeTime.Add(time.Hour)}
	steady := secureReport()
	steady.DNSSEC.Rollover = &probe.RolloverReport{State: probe.RolloverSteady, StateSince: probeTime.Add(-time.Hour), MemorySince: probeTime.Add(-time.Hour)}
	runProbeCases(t,
		probeCase{"cds pending", pending, `
dnshealth_rollover_memory_seconds 172800
dnshealth_rollover_next_step_safe_timestamp_seconds 1772326800
dnshealth_rollover_seconds 86400
dnshealth_rollover_state{state="algorithm"} 0
dnshealth_rollover_state{state="cds_delete"} 0
dnshealth_rollover_state{state="cds_pending"} 1
dnshealth_rollover_state{state="ksk_double_ds"} 0
dnshealth_rollover_state{state="ksk_double_ksk"} 0
dnshealth_rollover_state{state="steady"} 0
dnshealth_rollover_state{state="zsk_double_signature"} 0
dnshealth_rollover_state{state="zsk_prepublish"} 0
dnshealth_rollover_state{state="zsk_retire"} 0
dnshealth_rollover_state_seconds 21600
`, rolloverNames},
		probeCase{"steady", steady, `
dnshealth_rollover_memory_seconds 3600
dnshealth_rollover_seconds 0
dnshealth_rollover_state{state="algorithm"} 0
dnshealth_rollover_state{state="cds_delete"} 0
dnshealth_rollover_state{state="cds_pending"} 0
dnshealth_rollover_state{state="ksk_double_ds"} 0
dnshealth_rollover_state{state="ksk_double_ksk"} 0
dnshealth_rollover_state{state="steady"} 1
dnshealth_rollover_state{state="zsk_double_signature"} 0
dnshealth_rollover_state{state="zsk_prepublish"} 0
dnshealth_rollover_state{state="zsk_retire"} 0
dnshealth_rollover_state_seconds 3600
`, rolloverNames},
		probeCase{"no rollover report", secureReport(), "", rolloverNames},
	)
}
