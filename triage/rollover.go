package triage

import (
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// jsonRollover is the zone's key rollover state (docs/check-json.md).
type jsonRollover struct {
	State              string  `json:"state"`
	Detail             string  `json:"detail"`
	NextStep           *string `json:"next_step"`
	NextStepSafe       *string `json:"next_step_safe"`
	Started            *string `json:"started"`
	StateSince         *string `json:"state_since"`
	MemorySince        *string `json:"memory_since"`
	DNSKEYTTLSeconds   float64 `json:"dnskey_ttl_seconds"`
	DSTTLSeconds       float64 `json:"ds_ttl_seconds"`
	MaxTTLSeconds      float64 `json:"max_ttl_seconds"`
	PropagationSeconds float64 `json:"propagation_seconds"`
}

func rolloverJSON(ro *probe.RolloverReport) *jsonRollover {
	if ro == nil {
		return nil
	}
	out := &jsonRollover{State: string(ro.State), Detail: ro.Detail,
		NextStepSafe: timeOrNull(ro.NextStepSafe), Started: timeOrNull(ro.Started),
		StateSince: timeOrNull(ro.StateSince), MemorySince: timeOrNull(ro.MemorySince),
		DNSKEYTTLSeconds: ro.DNSKEYTTL.Seconds(), DSTTLSeconds: ro.DSTTL.Seconds(),
		MaxTTLSeconds: ro.MaxTTL.Seconds(), PropagationSeconds: ro.Propagation.Seconds()}
	if ro.NextStep != "" {
		s := ro.NextStep
		out.NextStep = &s
	}
	return out
}

// rollover writes the rollover state line of the DNSSEC section.
func (t *textWriter) rollover(r *probe.Report) {
	ro := r.DNSSEC.Rollover
	if ro == nil {
		return
	}
	t.wrapped("  ", 2, "    ", "rollover: "+string(ro.State)+": "+ro.Detail)
	if ro.State == probe.RolloverSteady {
		return
	}
	since := "since " + ro.Started.UTC().Format(time.RFC3339)
	if ro.Started.Equal(ro.MemorySince) {
		since += " or earlier (the exporter's memory starts then)"
	}
	t.wrapped("    ", 4, "      ", "in flight "+since+"; in this state since "+ro.StateSince.UTC().Format(time.RFC3339))
	when := "now"
	if ro.NextStepSafe.After(r.Time) {
		when = ro.NextStepSafe.UTC().Format(time.RFC3339) + " (in " + ro.NextStepSafe.Sub(r.Time).Round(time.Minute).String() + ")"
	}
	t.wrapped("    ", 4, "      ", "next step: "+ro.NextStep+"; safe by the TTLs from "+when)
}
