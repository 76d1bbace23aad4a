package probe

import (
	"os"
	"regexp"
	"testing"
)

// TestChecksDocumented keeps docs/checks.md and the catalogue in step: one
// "## <id>" section per check ID, and no section for an unknown ID.
func TestChecksDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## ([a-z0-9_]+)\s*$`).FindAllStringSubmatch(string(doc), -1) {
		headings[m[1]] = true
	}
	known := map[string]bool{}
	for _, c := range Checks {
		known[string(c.ID)] = true
		if !headings[string(c.ID)] {
			t.Errorf("docs/checks.md has no section \"## %s\"", c.ID)
		}
	}
	for h := range headings {
		if !known[h] {
			t.Errorf("docs/checks.md documents %q, which is not in probe.Checks", h)
		}
	}
}
