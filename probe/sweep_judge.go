package probe

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
)

// judgeSweep turns the zone's last sweep into findings: the sweep's own
// failures, the RRsets it found unsigned, invalid or expiring, a broken
// NSEC/NSEC3 chain, and every server whose serial is behind the
// primary's as the sweep saw it. It is pure: the sweep state, the
// servers' results and the probe's clock in, findings out.
func judgeSweep(st *SweepReport, servers []ServerResult, now time.Time) []raised {
	var out []raised
	add := func(check CheckID, ns, addr, format string, args ...any) {
		out = append(out, raise(check, ns, addr, format, args...))
	}
	if st.Error != "" {
		last := "no sweep has finished yet"
		if st.Result != nil {
			last = fmt.Sprintf("the results below are from the last sweep that finished, %s ago", roundAge(st.Age))
		}
		add(CheckSweepFailed, "", "", "the sweep from %s failed: %s; %s", st.Primary, st.Error, last)
	}
	res := st.Result
	if res == nil {
		return out
	}
	if res.BudgetExhausted {
		add(CheckSweepFailed, "", "", "the sweep from %s stopped at its validation budget (max_validations) after %d RRsets: the counts are lower bounds", st.Primary, res.RRsets)
	}
	if res.Signed {
		if res.Invalid > 0 {
			add(CheckSweepRRSIGInvalid, "", "", "%d RRsets have signatures of which none validates (expired, not yet valid, by a key not in the DNSKEY set, or not verifying)%s", res.Invalid, examples(res.Problems, false))
		}
		if res.Unsigned > 0 {
			add(CheckSweepRRSIGMissing, "", "", "%d RRsets of the signed zone have no RRSIG%s", res.Unsigned, examples(res.Problems, true))
		}
		if res.Expiring > 0 {
			add(CheckSweepRRSIGExpiring, "", "", "%d RRsets stop validating within the expiry warning window; the first, %s %s, at %s (in %s)",
				res.Expiring, res.Earliest.Owner, res.Earliest.Type, res.EarliestExpiration.Format(time.RFC3339), roundAge(res.EarliestExpiration.Sub(now)))
		}
		if res.ChainComplete != nil && !*res.ChainComplete {
			var where []string
			for _, p := range res.ChainProblems {
				where = append(where, p.Owner+": "+p.Detail)
			}
			add(CheckSweepDenialBroken, "", "", "the %s chain is incomplete: %s", strings.ToUpper(res.Denial), strings.Join(where, "; "))
		}
	}
	for _, s := range servers {
		if s.Status != StatusOK {
			continue
		}
		// RFC 1982 serial arithmetic: behind when the primary's serial
		// is greater.
		if d := int32(res.Serial - s.Serial); d > 0 {
			add(CheckSecondaryBehindPrimary, s.Nameserver, s.Address, "serves serial %d; the primary %s served %d %s ago", s.Serial, st.Primary, res.Serial, roundAge(st.Age))
		}
	}
	return out
}

// examples lists up to three problems, the unsigned ones or the others.
func examples(ps []sweep.Problem, unsigned bool) string {
	var ex []string
	for _, p := range ps {
		if (p.Detail == "no RRSIG") != unsigned || len(ex) == 3 {
			continue
		}
		e := p.Owner + " " + p.Type
		if !unsigned {
			e += " (" + p.Detail + ")"
		}
		ex = append(ex, e)
	}
	if len(ex) == 0 {
		return ""
	}
	return ", for example " + strings.Join(ex, ", ")
}

// roundAge renders a duration to the second, or the minute past an hour.
func roundAge(d time.Duration) string {
	if d > time.Hour || d < -time.Hour {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
}
