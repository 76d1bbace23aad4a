package probe

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
)

var sweepNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func judged(st *SweepReport, servers ...ServerResult) map[CheckID][]Finding {
	out := map[CheckID][]Finding{}
	for _, f := range judgeSweep(st, servers, sweepNow) {
		out[f.check] = append(out[f.check], Finding{Check: f.check, Nameserver: f.nameserver, Address: f.address, Message: f.message})
	}
	return out
}

// TestJudgeSweepRaisesOneFindingPerKindOfProblem: each count in a sweep's
// result raises its check, with the examples and the earliest expiry in
// the message; a clean result raises nothing.
func TestJudgeSweepRaisesOneFindingPerKindOfProblem(t *testing.T) {
	broken := false
	st := &SweepReport{Primary: "192.0.2.53:53", Time: sweepNow.Add(-10 * time.Minute), Age: 10 * time.Minute, Result: &sweep.Result{
		Serial: 10, Signed: true, KeysValid: true, Invalid: 2, Unsigned: 1, Expiring: 4,
		EarliestExpiration: sweepNow.Add(30 * time.Hour), Earliest: sweep.Problem{Owner: "a.example.", Type: "A"},
		Problems: []sweep.Problem{
			{Owner: "x1.sub.example.", Type: "TXT", Detail: "rrsig expired"},
			{Owner: "x2.sub.example.", Type: "TXT", Detail: "no RRSIG"},
		},
		Denial: sweep.DenialNSEC, ChainComplete: &broken, ChainProblems: []sweep.Problem{{Owner: "example.", Detail: "a gap"}},
	}}
	got := judged(st)
	want := []CheckID{CheckSweepRRSIGInvalid, CheckSweepRRSIGMissing, CheckSweepRRSIGExpiring, CheckSweepDenialBroken}
	for _, c := range want {
		if len(got[c]) != 1 {
			t.Errorf("%s raised %d times, want once", c, len(got[c]))
		}
	}
	if m := got[CheckSweepRRSIGInvalid][0].Message; !strings.Contains(m, "x1.sub.example. TXT (rrsig expired)") || strings.Contains(m, "x2.sub") {
		t.Errorf("invalid: %q should name x1 and not the unsigned x2", m)
	}
	if m := got[CheckSweepRRSIGMissing][0].Message; !strings.Contains(m, "x2.sub.example. TXT") {
		t.Errorf("missing: %q should name x2", m)
	}
	if m := got[CheckSweepRRSIGExpiring][0].Message; !strings.Contains(m, "a.example. A") || !strings.Contains(m, "in 30h0m0s") {
		t.Errorf("expiring: %q should name a.example. A and 30h", m)
	}

	complete := true
	clean := &SweepReport{Primary: "192.0.2.53:53", Result: &sweep.Result{Serial: 10, Signed: true, KeysValid: true, Denial: sweep.DenialNSEC, ChainComplete: &complete}}
	if got := judged(clean, ServerResult{Nameserver: "ns1", Address: "192.0.2.1", Status: StatusOK, Serial: 10}); len(got) != 0 {
		t.Errorf("a clean sweep raised %v", got)
	}
}

// TestJudgeSweepSecondaryBehindPrimaryUsesSerialArithmetic: a server with
// an older serial than the primary's is behind, in RFC 1982 arithmetic
// (across the wrap too); one that is ahead (the zone changed after the
// sweep) or not ok is not.
func TestJudgeSweepSecondaryBehindPrimaryUsesSerialArithmetic(t *testing.T) {
	st := &SweepReport{Primary: "192.0.2.53:53", Age: time.Hour, Result: &sweep.Result{Serial: 5}}
	servers := []ServerResult{
		{Nameserver: "behind", Address: "192.0.2.1", Status: StatusOK, Serial: 4},
		{Nameserver: "wrapped", Address: "192.0.2.2", Status: StatusOK, Serial: 4294967290}, // 5 is 11 ahead of it
		{Nameserver: "same", Address: "192.0.2.3", Status: StatusOK, Serial: 5},
		{Nameserver: "ahead", Address: "192.0.2.4", Status: StatusOK, Serial: 6},
		{Nameserver: "lame", Address: "192.0.2.5", Status: StatusRefused},
	}
	var names []string
	for _, f := range judged(st, servers...)[CheckSecondaryBehindPrimary] {
		names = append(names, f.Nameserver)
	}
	if !slices.Equal(names, []string{"behind", "wrapped"}) {
		t.Errorf("behind: %v, want [behind wrapped]", names)
	}
}

// TestJudgeSweepFailureKeepsTheLastResult: a failed attempt raises
// sweep_failed and, when an older result exists, its findings still count
// and the message gives its age; a budget that ran out is a failure too.
func TestJudgeSweepFailureKeepsTheLastResult(t *testing.T) {
	none := judged(&SweepReport{Primary: "192.0.2.53:53", Error: "connection refused"})
	if len(none[CheckSweepFailed]) != 1 || !strings.Contains(none[CheckSweepFailed][0].Message, "no sweep has finished yet") {
		t.Errorf("first failure: %v", none)
	}
	old := judged(&SweepReport{Primary: "192.0.2.53:53", Error: "NOTAUTH", Age: 3 * time.Hour,
		Result: &sweep.Result{Serial: 9, Signed: true, Unsigned: 1, BudgetExhausted: true}},
		ServerResult{Nameserver: "ns1", Address: "192.0.2.1", Status: StatusOK, Serial: 8})
	if len(old[CheckSweepFailed]) != 2 || !strings.Contains(old[CheckSweepFailed][0].Message, "3h0m0s ago") {
		t.Errorf("sweep_failed: %v, want the error (with the last result's age) and the budget", old[CheckSweepFailed])
	}
	if len(old[CheckSweepRRSIGMissing]) != 1 || len(old[CheckSecondaryBehindPrimary]) != 1 {
		t.Errorf("the last result's findings are gone: %v", old)
	}
}
