package probe

import (
	"slices"
	"strings"
	"testing"
)

// The assertion helpers for findings of the package's own tests (the
// external tests have theirs in assert_test.go). TestEveryCheckIsExercised
// counts a check as tested only where its ID is an argument of one of
// them, or in a table of a test function that passes its entries to one.

// wantFinding fails t unless r raised check, with a message containing
// each of contains.
func wantFinding(t testing.TB, r *Report, check CheckID, contains ...string) {
	t.Helper()
	for _, f := range r.Findings {
		ok := f.Check == check
		for _, s := range contains {
			ok = ok && strings.Contains(f.Message, s)
		}
		if ok {
			return
		}
	}
	t.Errorf("no %s finding saying %q in %+v", check, contains, r.Findings)
}

// wantCheckAmong fails t unless check is among got, the checks a
// judgement raised.
func wantCheckAmong(t testing.TB, got []CheckID, check CheckID) {
	t.Helper()
	if !slices.Contains(got, check) {
		t.Errorf("checks %v, want %s among them", got, check)
	}
}

// wantCheckIDs fails t unless got, the checks a judgement raised in order,
// equals want.
func wantCheckIDs(t testing.TB, got []CheckID, want ...CheckID) {
	t.Helper()
	if !slices.Equal(got, want) && len(got)+len(want) > 0 {
		t.Errorf("checks %v, want %v", got, want)
	}
}
