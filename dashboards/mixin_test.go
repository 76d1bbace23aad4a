package dashboards_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/dnshealth/dnshealth_exporter/dashboards"
)

// mixinDefaults evaluates the mixin with its default settings.
func mixinDefaults(t *testing.T) *dashboards.Mixin {
	t.Helper()
	m, err := dashboards.Evaluate("")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// firstDiff describes the first line where got and want (what the source
// gives) differ.
func firstDiff(got, want []byte, source string) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d is\n\t%s\nbut %s gives\n\t%s", i+1, g, source, w)
		}
	}
	return "they differ"
}

func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := dashboards.Render("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{dashboards.AlertsFile, dashboards.RulesFile, dashboards.DashboardFile} {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, files[name]) {
				t.Errorf("%s is not what the mixin (dashboards/mixin/) renders: %s\n"+
					"Edit the mixin, not the file, then regenerate: go generate ./... (in dashboards/)",
					name, firstDiff(got, files[name], "the mixin"))
			}
		})
	}
	t.Run("rendering is stable", func(t *testing.T) {
		for range 2 {
			again, err := dashboards.Render("")
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range again {
				if !bytes.Equal(b, files[name]) {
					t.Fatalf("two renderings of %s differ: %s", name, firstDiff(b, files[name], "the first rendering"))
				}
			}
		}
	})
}

// mixinSelectors returns every vector selector in expr.
func mixinSelectors(t *testing.T, expr string) []*parser.VectorSelector {
	t.Helper()
	e, err := dashParser.ParseExpr(expr)
	if err != nil {
		t.Fatalf("%q does not parse: %v", expr, err)
	}
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// mixinHasMatchers reports whether vs carries every matcher of want.
func mixinHasMatchers(vs *parser.VectorSelector, want []*labels.Matcher) bool {
	for _, w := range want {
		if !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
			return m.Name == w.Name && m.Type == w.Type && m.Value == w.Value
		}) {
			return false
		}
	}
	return true
}

// TestJobSelector renders the mixin with settings of its own and checks
// that every selector of every alert and recording rule carries the job
// selector, that the default job name is gone, and that the URLs and
// thresholds follow the settings.
func TestJobSelector(t *testing.T) {
	const config = `{
		jobSelector: 'job="probe/monitoring/zones", env="prod"',
		reportURL: 'https://dns.example.net/exporter',
		runbookURL: 'https://wiki.example.net/checks',
		rrsigWarningDays: 10,
	}`
	m, err := dashboards.Evaluate(config)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dashParser.ParseMetricSelector(`{job="probe/monitoring/zones", env="prod"}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range slices.Concat(m.Alerts.Groups, m.Rules.Groups) {
		for _, r := range g.Rules {
			name := r.Alert + r.Record
			for _, vs := range mixinSelectors(t, r.Expr) {
				if !mixinHasMatchers(vs, want) {
					t.Errorf("%s: selector %s lacks the job selector", name, vs)
				}
			}
			if strings.Contains(r.Expr, `job="dnshealth"`) {
				t.Errorf("%s: expression still names job=\"dnshealth\": %s", name, r.Expr)
			}
			for k, a := range r.Annotations {
				if strings.Contains(a, `job="dnshealth"`) {
					t.Errorf("%s: annotation %s names job=\"dnshealth\"", name, k)
				}
			}
			if r.Alert == "" {
				continue
			}
			if !strings.HasPrefix(r.Annotations["runbook_url"], "https://wiki.example.net/checks#") {
				t.Errorf("%s: runbook_url %q does not start with the configured runbookURL#", name, r.Annotations["runbook_url"])
			}
			if !strings.Contains(r.Annotations["report_url"], "https://dns.example.net/exporter/report?target=") {
				t.Errorf("%s: report_url %q does not use the configured reportURL", name, r.Annotations["report_url"])
			}
			if r.Alert == "DNSHealthRRSIGExpiry" && r.Labels["severity"] == "warning" && !strings.Contains(r.Expr, `check="rrsig_expiring"`) {
				t.Errorf("the RRSIG warning fires on %q, want on the rrsig_expiring finding, whatever rrsigWarningDays says", r.Expr)
			}
		}
	}
	dash := string(m.Dashboard)
	for _, s := range []string{
		`label_values(dnshealth_probe_info{job=\"probe/monitoring/zones\", env=\"prod\"}, job)`,
		`"query":"https://dns.example.net/exporter"`,
		`"query":"https://wiki.example.net/checks"`,
		`"value":10`,
	} {
		if !strings.Contains(strings.ReplaceAll(dash, `": `, `":`), s) {
			t.Errorf("the dashboard rendered with %s lacks %s", config, s)
		}
	}
}

// TestAlertAnnotations checks what every alert tells the on-call.
func TestAlertAnnotations(t *testing.T) {
	m := mixinDefaults(t)
	runbookBase := m.Config["runbookURL"].(string) + "#"
	report := m.Config["reportURL"].(string) + "/report?target={{ $labels.instance | urlquery }}&module="
	n := 0
	for _, g := range m.Alerts.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("alerts.yml has a recording rule %s: recording rules belong in rules.yml", r.Record)
				continue
			}
			n++
			name := r.Alert + " (" + r.Labels["severity"] + ")"
			if sev := r.Labels["severity"]; sev != "warning" && sev != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", name, sev)
			}
			a := r.Annotations
			if want := []string{"description", "diagnosis", "report_url", "runbook_url", "summary"}; !slices.Equal(slices.Sorted(maps.Keys(a)), want) {
				t.Errorf("%s: annotations %q, want %q", name, slices.Sorted(maps.Keys(a)), want)
			}
			if a["summary"] == "" || strings.Contains(a["summary"], "{{") {
				t.Errorf("%s: summary %q is not one static line", name, a["summary"])
			}
			if !strings.Contains(a["description"], "{{ $labels.instance }}") {
				t.Errorf("%s: the description does not name the zone: %q", name, a["description"])
			}
			// The runbook base is the configured URL itself, not a query.
			if !strings.HasPrefix(a["runbook_url"], runbookBase) {
				t.Errorf("%s: runbook_url %q does not start with %s", name, a["runbook_url"], runbookBase)
			}
			if !strings.Contains(a["report_url"], report) {
				t.Errorf("%s: report_url %q does not link %s...", name, a["report_url"], report)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d alerts found", n)
	}
}

// TestRunbookAnchors checks that every section an alert's runbook_url can
// point at is a "## <id>" section of docs/checks.md: the fixed anchors,
// the ones chosen by diagnosis cause, and those built from a status label.
func TestRunbookAnchors(t *testing.T) {
	raw, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, l := range strings.Split(string(raw), "\n") {
		if id, ok := strings.CutPrefix(l, "## "); ok {
			sections[strings.TrimSpace(id)] = true
		}
	}
	m := mixinDefaults(t)
	base := m.Config["runbookURL"].(string) + "#"
	fixed := regexp.MustCompile(`^[a-z0-9_]+$`)
	byCause := regexp.MustCompile(`eq \$cause "[a-z_]+" }}([a-z0-9_]+)`)
	anchors := map[string]string{}
	for _, g := range m.Alerts.Groups {
		for _, r := range g.Rules {
			u := strings.TrimPrefix(r.Annotations["runbook_url"], base)
			switch {
			case fixed.MatchString(u):
				anchors[u] = r.Alert
			case strings.HasPrefix(u, "lame_"):
				for _, s := range m.Contract["nameserverStatuses"] {
					if s != "ok" && s != "family_unreachable" {
						anchors["lame_"+s] = r.Alert
					}
				}
				anchors["lame_timeout"] = r.Alert
			case u == "{{ $labels.check }}":
				// The alert fires for the check IDs its expression lists.
				m := regexp.MustCompile(`check=~"([a-z0-9_|]+)"`).FindStringSubmatch(r.Expr)
				if m == nil {
					t.Errorf("%s: runbook_url from the check label, but the expression lists no checks: %s", r.Alert, r.Expr)
					continue
				}
				for _, c := range strings.Split(m[1], "|") {
					anchors[c] = r.Alert
				}
			case strings.HasPrefix(u, "resolver_{{ $labels.status }}"):
				// The alert fires for these two statuses only.
				anchors["resolver_servfail"] = r.Alert
				anchors["resolver_dnssec_failure"] = r.Alert
			default:
				ms := byCause.FindAllStringSubmatch(u, -1)
				if len(ms) == 0 {
					t.Errorf("%s: runbook_url %q: no anchor found", r.Alert, u)
				}
				for _, m := range ms {
					anchors[m[1]] = r.Alert
				}
				anchors["dnssec_intermittent"] = r.Alert // the fallback
			}
		}
	}
	if len(anchors) < 15 {
		t.Fatalf("only %d anchors found: %v", len(anchors), anchors)
	}
	for _, a := range slices.Sorted(maps.Keys(anchors)) {
		if !sections[a] {
			t.Errorf("%s links #%s, which is not a section of docs/checks.md", anchors[a], a)
		}
	}
}

// TestRecordingRulesHaveReaders checks that rules.yml holds only rules
// something reads: an alert, a dashboard query, or another rule that is
// read itself.
func TestRecordingRulesHaveReaders(t *testing.T) {
	m := mixinDefaults(t)
	read := map[string]bool{}
	readBy := func(expr string) {
		for _, vs := range mixinSelectors(t, expr) {
			read[dashMetricName(vs)] = true
		}
	}
	for _, g := range m.Alerts.Groups {
		for _, r := range g.Rules {
			readBy(r.Expr)
		}
	}
	for _, e := range dashExprs(t, m.Dashboard) {
		readBy(dashSubstitute(e, "example.org"))
	}
	for changed := true; changed; {
		changed = false
		for _, g := range m.Rules.Groups {
			for _, r := range g.Rules {
				if read[r.Record] {
					n := len(read)
					readBy(r.Expr)
					changed = changed || len(read) > n
				}
			}
		}
	}
	for _, g := range m.Rules.Groups {
		for _, r := range g.Rules {
			if !read[r.Record] {
				t.Errorf("recording rule %s: no alert, dashboard query or read rule uses it", r.Record)
			}
		}
	}
}
