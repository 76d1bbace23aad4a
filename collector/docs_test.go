package collector

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

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

// TestMetricsDocumented: every per-probe metric has a row in the /probe
// table of docs/metrics.md, and every metric of the exporter's own a row in
// its /metrics table.
func TestMetricsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, "## From `/probe`")
	j := strings.Index(doc, "## From `/metrics`")
	if i < 0 || j < i {
		t.Fatal("docs/metrics.md lacks its \"## From `/probe`\" and \"## From `/metrics`\" parts, in that order")
	}
	probeTable, exporterTable := doc[i:j], doc[j:]

	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for _, d := range allDescs {
		m := fq.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no fqName in %s", d)
		}
		if !strings.Contains(probeTable, "| `"+m[1]+"` |") {
			t.Errorf("docs/metrics.md has no /probe table row for %s", m[1])
		}
	}

	rec := &recordingRegisterer{}
	NewExporterMetrics(rec, probe.NewCache(1))
	if len(rec.names) == 0 {
		t.Fatal("NewExporterMetrics registered nothing")
	}
	for _, name := range rec.names {
		// Rows name the metric with its labels: | `name{a,b}` | or | `name` |.
		if !strings.Contains(exporterTable, "| `"+name+"`") && !strings.Contains(exporterTable, "| `"+name+"{") {
			t.Errorf("docs/metrics.md has no /metrics table row for %s", name)
		}
	}
}

// recordingRegisterer is a prometheus.Registerer that notes the names of the
// metrics registered on it.
type recordingRegisterer struct{ names []string }

func (r *recordingRegisterer) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		if m := fq.FindStringSubmatch(d.String()); m != nil {
			r.names = append(r.names, m[1])
		}
	}
	return nil
}

func (r *recordingRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recordingRegisterer) Unregister(prometheus.Collector) bool { return true }
