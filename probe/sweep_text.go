package probe

import (
	"fmt"
	"io"
	"time"
)

// debugSweep writes the zone's whole-zone sweep for the debug view.
func (r *Report) debugSweep(w io.Writer) {
	st := r.Sweep
	if st == nil {
		return
	}
	fmt.Fprintf(w, "\nsweep: AXFR from %s every %s", st.Primary, st.Interval)
	if st.Running {
		fmt.Fprintf(w, ", one running now")
	}
	fmt.Fprintln(w)
	if st.Error != "" {
		fmt.Fprintf(w, "  last attempt failed at %s: %s\n", st.ErrorTime.Format(time.RFC3339), st.Error)
	}
	res := st.Result
	if res == nil {
		fmt.Fprintf(w, "  no sweep has finished yet\n")
		return
	}
	fmt.Fprintf(w, "  last sweep %s (%s ago, took %s): serial %d, %d records, %d RRsets\n",
		st.Time.Format(time.RFC3339), roundAge(st.Age), st.Duration.Round(time.Millisecond), res.Serial, res.Records, res.RRsets)
	if !res.Signed {
		fmt.Fprintf(w, "  unsigned zone: no DNSKEY at the apex\n")
		return
	}
	if !res.EarliestExpiration.IsZero() {
		fmt.Fprintf(w, "  earliest expiry %s (%.2f days) at %s %s\n", res.EarliestExpiration.Format(time.RFC3339),
			res.EarliestExpiration.Sub(r.Time).Hours()/24, res.Earliest.Owner, res.Earliest.Type)
	}
	fmt.Fprintf(w, "  expiring within the warning window %d, unsigned %d, invalid %d, keys valid %t, reordered names %d, budget exhausted %t\n",
		res.Expiring, res.Unsigned, res.Invalid, res.KeysValid, res.Reordered, res.BudgetExhausted)
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s %s: %s\n", p.Owner, p.Type, p.Detail)
	}
	chain := "not checked"
	if res.ChainComplete != nil {
		chain = map[bool]string{true: "complete", false: "incomplete"}[*res.ChainComplete]
	}
	fmt.Fprintf(w, "  %s chain: %s\n", orDash(res.Denial), chain)
	for _, p := range res.ChainProblems {
		fmt.Fprintf(w, "  chain %s: %s\n", p.Owner, p.Detail)
	}
}
