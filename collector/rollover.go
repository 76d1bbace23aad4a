package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The key rollover state, from Report.DNSSEC.Rollover (probe/rollover.go).
var (
	rolloverStateDesc = newDesc(
		"dnshealth_rollover_state",
		"The zone's DNSSEC key rollover state: 1 for the observed state, 0 for the others. steady when no rollover is in flight. Absent when the probe could not check every address's keys.",
		[]string{"state"})
	rolloverSecondsDesc = newDesc(
		"dnshealth_rollover_seconds",
		"Seconds since this exporter first saw the zone leave the steady state; 0 when steady. Counted from the exporter's start at most (dnshealth_rollover_memory_seconds).",
		nil)
	rolloverStateSecondsDesc = newDesc(
		"dnshealth_rollover_state_seconds",
		"Seconds since this exporter first saw the zone in its current rollover state (steady included). Counted from the exporter's start at most.",
		nil)
	rolloverNextSafeDesc = newDesc(
		"dnshealth_rollover_next_step_safe_timestamp_seconds",
		"Earliest time (Unix) the rollover's next step is safe by the TTLs (RFC 7583): the DNSKEY TTL, the parent's DS TTL, the zone's largest TTL and the module's rollover_propagation. Absent when steady.",
		nil)
	rolloverMemoryDesc = newDesc(
		"dnshealth_rollover_memory_seconds",
		"Seconds this exporter has remembered the zone's keys, DS and CDS: since its start or since it first probed the zone. Rollover timings older than this are unknown to it.",
		nil)
)

// rolloverDescs are listed in allDescs.
var rolloverDescs = []*prometheus.Desc{rolloverStateDesc, rolloverSecondsDesc, rolloverStateSecondsDesc, rolloverNextSafeDesc, rolloverMemoryDesc}

// collectRollover renders the rollover state; nothing without one.
func collectRollover(r *probe.Report, gauge func(*prometheus.Desc, float64, ...string)) {
	if r.DNSSEC == nil || r.DNSSEC.Rollover == nil || r.Time.IsZero() {
		return
	}
	ro := r.DNSSEC.Rollover
	for _, st := range probe.RolloverStates {
		gauge(rolloverStateDesc, boolValue(st == string(ro.State)), st)
	}
	started := 0.0
	if !ro.Started.IsZero() {
		started = r.Time.Sub(ro.Started).Seconds()
	}
	gauge(rolloverSecondsDesc, started)
	if !ro.StateSince.IsZero() {
		gauge(rolloverStateSecondsDesc, r.Time.Sub(ro.StateSince).Seconds())
	}
	if !ro.NextStepSafe.IsZero() {
		gauge(rolloverNextSafeDesc, float64(ro.NextStepSafe.Unix()))
	}
	if !ro.MemorySince.IsZero() {
		gauge(rolloverMemoryDesc, r.Time.Sub(ro.MemorySince).Seconds())
	}
}
