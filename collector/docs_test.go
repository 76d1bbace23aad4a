package collector

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TestCausesDocumented keeps the "Diagnosis causes" table of docs/checks.md
// in step with probe.Causes: one row per cause, in the same order, and
// every link in it pointing at a check ID's section.
func TestCausesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "**Diagnosis causes**")
	if start < 0 {
		t.Fatal(`docs/checks.md has no "**Diagnosis causes**" part`)
	}
	end := strings.Index(text[start:], "\n## ")
	if end < 0 {
		t.Fatal(`docs/checks.md: no "## " section after "**Diagnosis causes**"`)
	}
	part := text[start : start+end]
	var rows []probe.Cause
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\|").FindAllStringSubmatch(part, -1) {
		rows = append(rows, probe.Cause(m[1]))
	}
	if !slices.Equal(rows, probe.Causes) {
		t.Errorf("Diagnosis causes table rows\n  %v\nwant probe.Causes\n  %v", rows, probe.Causes)
	}
	ids := map[string]bool{}
	for _, c := range probe.Checks {
		ids[string(c.ID)] = true
	}
	for _, m := range regexp.MustCompile(`\]\(#([a-z0-9_]+)\)`).FindAllStringSubmatch(part, -1) {
		if !ids[m[1]] {
			t.Errorf("Diagnosis causes links to #%s, which is not a check ID", m[1])
		}
	}
	for _, name := range []string{"dnshealth_diagnosis_info", "dnshealth_servfail_expected", "dnshealth_servfail_intermittent"} {
		if !strings.Contains(part, name) {
			t.Errorf("Diagnosis causes does not mention %s", name)
		}
	}
}

// TestMetricsDocumented: every per-probe metric has a row in the README's
// /probe metrics table.
func TestMetricsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for _, d := range allDescs {
		m := fq.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no fqName in %s", d)
		}
		if !strings.Contains(string(readme), "| `"+m[1]+"` |") {
			t.Errorf("README.md has no metrics table row for %s", m[1])
		}
	}
}
