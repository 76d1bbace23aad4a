package probe_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The assertion helpers for findings. TestEveryCheckIsExercised counts a
// check as tested only where its ID is an argument of one of them, or in
// a table of a test function that passes its entries to one of them
// (coverage_test.go).

// wantFinding fails t unless r raised check, with a message containing
// each of contains (one finding must hold them all).
func wantFinding(t testing.TB, r *probe.Report, check probe.CheckID, contains ...string) {
	t.Helper()
	for _, f := range r.Findings {
		if f.Check != check {
			continue
		}
		ok := true
		for _, s := range contains {
			ok = ok && strings.Contains(f.Message, s)
		}
		if ok {
			return
		}
	}
	if len(contains) == 0 {
		t.Errorf("no %s finding; checks %v\n%s", check, checkIDs(r), debugText(r))
		return
	}
	t.Errorf("no %s finding saying %q; checks %v\n%s", check, contains, checkIDs(r), debugText(r))
}

// wantChecks fails t unless the set of checks r raised is exactly want
// (in any order, repeats ignored).
func wantChecks[S ~string](t testing.TB, r *probe.Report, want ...S) {
	t.Helper()
	var w []string
	for _, c := range want {
		if !slices.Contains(w, string(c)) {
			w = append(w, string(c))
		}
	}
	sort.Strings(w)
	if got := checkIDs(r); !slices.Equal(got, w) && len(got)+len(w) > 0 {
		t.Errorf("checks = %v, want %v\n%s", got, w, debugText(r))
	}
}
