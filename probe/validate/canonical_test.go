package validate

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestCanonicalSort sorts shuffled copies of RFC 4034 section 6.1's
// example, as the lab does to build its NSEC chains.
func TestCanonicalSort(t *testing.T) {
	want := []string{
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
		"z.example.", `\001.z.example.`, "*.z.example.", `\200.z.example.`,
	}
	for range 20 {
		got := slices.Clone(want)
		rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		slices.SortStableFunc(got, Compare)
		if !slices.Equal(got, want) {
			t.Fatalf("sorted %v\nwant %v", got, want)
		}
	}
	if Compare(".", "example.") >= 0 || Compare("example.", ".") <= 0 {
		t.Error("the root does not sort first")
	}
}

func TestSubdomain(t *testing.T) {
	for _, tc := range []struct {
		parent, child string
		sub, strict   bool
	}{
		{"example.", "example.", true, false},
		{"example.", "A.Example.", true, true},
		{".", "example.", true, true},
		{"a.example.", "example.", false, false},
		{"ample.", "example.", false, false},
	} {
		if got := IsSubdomain(tc.parent, tc.child); got != tc.sub {
			t.Errorf("IsSubdomain(%s, %s) = %v", tc.parent, tc.child, got)
		}
		if got := IsStrictSubdomain(tc.parent, tc.child); got != tc.strict {
			t.Errorf("IsStrictSubdomain(%s, %s) = %v", tc.parent, tc.child, got)
		}
	}
}

// TestCompareAllocs: the lab calls Compare in a binary search on every
// negative answer it serves, so comparing fully qualified names without
// escapes allocates nothing (miekg/dns copies a name with escapes to pack
// it).
func TestCompareAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		Compare("www.Example.test.", "a.example.test.")
	}); n != 0 {
		t.Errorf("Compare allocates %.0f times per call, want 0", n)
	}
}

// TestCompareUnpackable: names that do not pack (a label over 63
// octets) still compare, by their presentation labels.
func TestCompareUnpackable(t *testing.T) {
	long := strings.Repeat("a", 64) + ".example."
	if Compare(long, "b.example.") >= 0 || Compare("b.example.", long) <= 0 || Compare(long, long) != 0 {
		t.Error("unpackable names out of order")
	}
}
