package triage

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// jsonSweep is the whole-zone sweep section of the JSON document.
type jsonSweep struct {
	Primary         string      `json:"primary"`
	IntervalSeconds float64     `json:"interval_seconds"`
	Running         bool        `json:"running"`
	Error           *string     `json:"error"`
	Last            *jsonSweepR `json:"last"`
}

// jsonSweepR is the last sweep that finished.
type jsonSweepR struct {
	Time               *string            `json:"time"`
	AgeSeconds         float64            `json:"age_seconds"`
	DurationSeconds    float64            `json:"duration_seconds"`
	Serial             uint32             `json:"serial"`
	Records            int                `json:"records"`
	RRsets             int                `json:"rrsets"`
	Signed             bool               `json:"signed"`
	EarliestExpiration *string            `json:"earliest_expiration"`
	DaysToExpiry       *float64           `json:"days_to_expiry"`
	Expiring           int                `json:"expiring"`
	Unsigned           int                `json:"unsigned"`
	Invalid            int                `json:"invalid"`
	Problems           []jsonSweepProblem `json:"problems"`
	Denial             *string            `json:"denial"`
	ChainComplete      *bool              `json:"chain_complete"`
	ChainProblems      []jsonSweepProblem `json:"chain_problems"`
	Reordered          int                `json:"reordered"`
	BudgetExhausted    bool               `json:"budget_exhausted"`
}

type jsonSweepProblem struct {
	Owner  string  `json:"owner"`
	Type   *string `json:"type"`
	Detail string  `json:"detail"`
}

func sweepDoc(r *probe.Report) *jsonSweep {
	st := r.Sweep
	if st == nil {
		return nil
	}
	d := &jsonSweep{Primary: st.Primary, IntervalSeconds: st.Interval.Seconds(), Running: st.Running, Error: stringOrNull(st.Error)}
	res := st.Result
	if res == nil {
		return d
	}
	l := &jsonSweepR{
		Time: timeOrNull(st.Time), AgeSeconds: st.Age.Seconds(), DurationSeconds: st.Duration.Seconds(),
		Serial: res.Serial, Records: res.Records, RRsets: res.RRsets, Signed: res.Signed,
		EarliestExpiration: timeOrNull(res.EarliestExpiration),
		Expiring:           res.Expiring, Unsigned: res.Unsigned, Invalid: res.Invalid,
		Problems: []jsonSweepProblem{}, Denial: stringOrNull(res.Denial), ChainComplete: res.ChainComplete,
		ChainProblems: []jsonSweepProblem{}, Reordered: res.Reordered, BudgetExhausted: res.BudgetExhausted,
	}
	if !res.EarliestExpiration.IsZero() {
		days := res.EarliestExpiration.Sub(r.Time).Hours() / 24
		l.DaysToExpiry = &days
	}
	for _, p := range res.Problems {
		l.Problems = append(l.Problems, jsonSweepProblem{Owner: p.Owner, Type: stringOrNull(p.Type), Detail: p.Detail})
	}
	for _, p := range res.ChainProblems {
		l.ChainProblems = append(l.ChainProblems, jsonSweepProblem{Owner: p.Owner, Type: stringOrNull(p.Type), Detail: p.Detail})
	}
	d.Last = l
	return d
}

// sweepLines is the text triage's "Whole-zone sweep" section; nil for a
// module without a sweep.
func sweepLines(r *probe.Report) []string {
	st := r.Sweep
	if st == nil {
		return nil
	}
	out := []string{fmt.Sprintf("AXFR from %s every %s", st.Primary, st.Interval)}
	if st.Error != "" {
		out = append(out, "last attempt failed: "+st.Error)
	}
	res := st.Result
	if res == nil {
		return append(out, "no sweep has finished yet")
	}
	out = append(out, fmt.Sprintf("last sweep %s ago: serial %d, %d records, %d RRsets, in %s",
		st.Age.Round(time.Second), res.Serial, res.Records, res.RRsets, st.Duration.Round(time.Millisecond)))
	if !res.Signed {
		return append(out, "unsigned zone")
	}
	if !res.EarliestExpiration.IsZero() {
		out = append(out, fmt.Sprintf("earliest expiry %s: %s at %s %s", res.EarliestExpiration.Format(time.RFC3339),
			days(res.EarliestExpiration.Sub(r.Time)), res.Earliest.Owner, res.Earliest.Type))
	}
	out = append(out, fmt.Sprintf("RRsets expiring within the warning window %d, unsigned %d, invalid %d", res.Expiring, res.Unsigned, res.Invalid))
	for _, p := range res.Problems {
		out = append(out, fmt.Sprintf("  %s %s: %s", p.Owner, p.Type, p.Detail))
	}
	chain := "not checked"
	if res.ChainComplete != nil {
		chain = map[bool]string{true: "complete", false: "incomplete"}[*res.ChainComplete]
	}
	out = append(out, fmt.Sprintf("%s chain: %s", strings.ToUpper(orDashText(res.Denial)), chain))
	for _, p := range res.ChainProblems {
		out = append(out, fmt.Sprintf("  %s: %s", p.Owner, p.Detail))
	}
	return out
}

func days(d time.Duration) string { return fmt.Sprintf("%.1f days", d.Hours()/24) }

func orDashText(s string) string {
	if s == "" {
		return "no"
	}
	return s
}
