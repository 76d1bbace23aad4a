package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCheckIsExercised keeps "one test per check ID" true as checks
// are added: each ID must appear as an expectation in a probe test (its
// constant name, or the ID in quotes) or in the lab's table of expected
// checks (lab/zones.go), which TestLabZones asserts zone by zone.
func TestEveryCheckIsExercised(t *testing.T) {
	var corpus strings.Builder
	tests, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(tests, "../lab/zones.go") {
		if f == "coverage_test.go" || f == "docs_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		corpus.Write(b)
	}
	text := corpus.String()
	names := checkConstNames(t)
	for _, c := range Checks {
		if strings.Contains(text, `"`+string(c.ID)+`"`) || (names[string(c.ID)] != "" && strings.Contains(text, names[string(c.ID)])) {
			continue
		}
		t.Errorf("check %s is not expected by any test", c.ID)
	}
}

// checkConstNames maps each check ID to the name of its constant, read
// from checks.go.
func checkConstNames(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("checks.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && strings.HasPrefix(f[0], "Check") && f[1] == "CheckID" && f[2] == "=" {
			out[strings.Trim(f[3], `"`)] = f[0]
		}
	}
	if len(out) < len(Checks) {
		t.Fatalf("read %d check constants from checks.go, want %d", len(out), len(Checks))
	}
	return out
}
