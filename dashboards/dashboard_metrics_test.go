package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/teststorage"
	"go.yaml.in/yaml/v3"

	"github.com/dnshealth/dnshealth_exporter/collector"
	"github.com/dnshealth/dnshealth_exporter/dashboards"
	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The zones probed for the real scrape: one per kind of data the
// dashboard shows (unsigned and signed, lame, drift, expired signatures, a
// CDS rollover, NSEC3).
var dashZones = []string{
	"healthy.test", "lame-refused.test", "sec-healthy.test", "sec-expired.test",
	"serial-drift.test", "sec-cds-mismatch.test", "sec-nsec3.test",
}

// dashJob is the job label the scraped series get, as Prometheus would add it.
const (
	dashJob         = "dnshealth"
	dashExporterJob = "dnshealth_exporter"
)

// dashSeries is one scraped series: its name and labels, job and instance
// included.
type dashSeries map[string]string

// dashSample is a series and its value in the scrape.
type dashSample struct {
	Series dashSeries
	Value  float64
}

// dashScrape probes dashZones against the lab as the --demo exporter does
// and returns every series the probe collector renders for them, plus the
// exporter's own /metrics series, with the labels Prometheus would add.
func dashScrape(t *testing.T) []dashSample {
	t.Helper()
	l, err := lab.Start(lab.Options{Port: 0})
	if err != nil {
		t.Fatalf("starting the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })

	have := map[string]bool{}
	for _, z := range l.Zones() {
		have[strings.TrimSuffix(z.Name, ".")] = true
	}
	for _, z := range dashZones {
		if !have[z] {
			t.Fatalf("the lab serves no zone %s", z)
		}
	}

	// Module "demo", built as --demo builds it.
	m, err := demo.Module(l)
	if err != nil {
		t.Fatal(err)
	}
	prober := probe.NewProber(nil, 1000)

	var out []dashSample
	for _, zone := range dashZones {
		target, err := probe.ParseTarget(zone) // as the /probe handler does
		if err != nil {
			t.Fatal(err)
		}
		r := prober.Probe(context.Background(), target, "demo", m)
		if r.Diagnosis == nil || len(r.Servers) == 0 {
			t.Fatalf("probing %s reached no nameserver: %+v", zone, r.Findings)
		}
		if zone == "sec-expired.test" {
			// The lab has no recursive resolver, so the resolver view
			// is filled in by hand on one report: only its rendering by
			// the collector is real here. Two resolvers, one that
			// validates the zone and one that fails it with EDE 7
			// (Signature Expired), give every resolver series.
			r.Resolvers = []probe.ResolverResult{
				{Resolver: "192.0.2.53", Status: probe.ResolverOK, Authenticated: true, RTT: 12 * time.Millisecond},
				{Resolver: "192.0.2.54", Status: probe.ResolverDNSSECFailure, RTT: 30 * time.Millisecond,
					EDE: []probe.EDE{{Code: 7, Text: "signature expired"}}},
			}
		}
		reg := prometheus.NewPedanticRegistry()
		if err := reg.Register(collector.NewProbeCollector(r)); err != nil {
			t.Fatal(err)
		}
		out = append(out, dashGather(t, reg, dashJob, zone)...)
	}

	// The exporter's own registry, as main.go builds it.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(versioncollector.NewCollector("dnshealth_exporter"))
	em := collector.NewExporterMetrics(reg, prober.Cache)
	em.InitModules([]string{"demo"})
	em.ProbeDuration.WithLabelValues("demo").Observe(0.05)
	return append(out, dashGather(t, reg, dashExporterJob, "127.0.0.1:9553")...)
}

// dashGather turns a registry's families into series, histograms and
// summaries into their _bucket, _sum and _count series as Prometheus
// stores them.
func dashGather(t *testing.T, g prometheus.Gatherer, job, instance string) []dashSample {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gathering: %v", err)
	}
	var out []dashSample
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			base := dashSeries{"job": job, "instance": instance}
			for _, lp := range m.GetLabel() {
				base[lp.GetName()] = lp.GetValue()
			}
			add := func(name string, v float64, extra ...string) {
				s := maps.Clone(base)
				s["__name__"] = name
				for i := 0; i+1 < len(extra); i += 2 {
					s[extra[i]] = extra[i+1]
				}
				out = append(out, dashSample{s, v})
			}
			switch mf.GetType() {
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					add(mf.GetName()+"_bucket", float64(b.GetCumulativeCount()), "le", fmt.Sprint(b.GetUpperBound()))
				}
				add(mf.GetName()+"_bucket", float64(h.GetSampleCount()), "le", "+Inf")
				add(mf.GetName()+"_sum", h.GetSampleSum())
				add(mf.GetName()+"_count", float64(h.GetSampleCount()))
			case dto.MetricType_SUMMARY:
				add(mf.GetName()+"_sum", m.GetSummary().GetSampleSum())
				add(mf.GetName()+"_count", float64(m.GetSummary().GetSampleCount()))
			case dto.MetricType_COUNTER:
				add(mf.GetName(), m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add(mf.GetName(), m.GetGauge().GetValue())
			default:
				add(mf.GetName(), m.GetUntyped().GetValue())
			}
		}
	}
	return out
}

// dashRecord evaluates the recording rules of rules.yml, group by group,
// with Prometheus's own engine over the scraped samples, and returns the
// series they record, as a Prometheus evaluating them once would store
// them. (Rules that need a history, like the learned re-sign interval,
// record nothing from one scrape.)
func dashRecord(t *testing.T, scraped []dashSample) (recorded []dashSample, rules []dashboards.Rule) {
	t.Helper()
	raw, err := os.ReadFile(dashboards.RulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file dashboards.Rules
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", dashboards.RulesFile, err)
	}
	st := teststorage.New(t)
	at := time.Now()
	add := func(samples []dashSample) {
		app := st.Appender(context.Background())
		for _, s := range samples {
			if _, err := app.Append(0, labels.FromMap(s.Series), at.UnixMilli(), s.Value); err != nil {
				t.Fatal(err)
			}
		}
		if err := app.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	add(scraped)
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	// Within a group Prometheus evaluates the rules in order, each seeing
	// what the ones before it recorded.
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Record == "" {
				continue
			}
			rules = append(rules, r)
			q, err := engine.NewInstantQuery(context.Background(), st, nil, r.Expr, at)
			if err != nil {
				t.Fatalf("recording rule %s: %v", r.Record, err)
			}
			vec, err := q.Exec(context.Background()).Vector()
			if err != nil {
				t.Fatalf("recording rule %s: %v", r.Record, err)
			}
			var out []dashSample
			for _, smp := range vec {
				s := dashSeries(smp.Metric.Map())
				s["__name__"] = r.Record
				out = append(out, dashSample{s, smp.F})
			}
			q.Close()
			add(out)
			recorded = append(recorded, out...)
		}
	}
	return recorded, rules
}

// dashExprs returns every PromQL expression in the dashboard JSON: the
// panels' targets and the query variables, keyed by where they are.
func dashExprs(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if expr, ok := v["expr"].(string); ok {
				out[path+"/"+fmt.Sprint(v["refId"])] = expr
			}
			if v["type"] == "query" {
				if q, ok := v["query"].(string); ok {
					out[path+"/"+fmt.Sprint(v["name"])] = q
				}
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				p := path
				if title, ok := v["title"].(string); ok {
					p = path + "/" + title
				}
				walk(p+"."+k, v[k])
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", doc)
	return out
}

// dashSubstitute replaces the Grafana variables a query can hold with
// values a real scrape of zone has; label_values() in a variable query
// becomes the series selector it lists values of.
func dashSubstitute(expr, zone string) string {
	r := strings.NewReplacer(
		"$__rate_interval", "5m",
		"${job}", dashJob, "$job", dashJob,
		"${instance}", zone, "$instance", zone,
	)
	expr = r.Replace(expr)
	if rest, ok := strings.CutPrefix(expr, "label_values("); ok {
		if i := strings.LastIndex(rest, ","); i > 0 {
			expr = strings.TrimSpace(rest[:i])
		}
	}
	return expr
}

var dashParser = parser.NewParser(parser.Options{})

// dashSelectors parses expr and returns its vector selectors (those inside
// range selectors included) and its aggregations.
func dashSelectors(expr string) ([]*parser.VectorSelector, []*parser.AggregateExpr, error) {
	e, err := dashParser.ParseExpr(expr)
	if err != nil {
		return nil, nil, err
	}
	var sels []*parser.VectorSelector
	var aggs []*parser.AggregateExpr
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.VectorSelector:
			sels = append(sels, n)
		case *parser.AggregateExpr:
			aggs = append(aggs, n)
		}
		return nil
	})
	return sels, aggs, nil
}

func dashMetricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

func dashMatches(vs *parser.VectorSelector, s dashSeries) bool {
	for _, m := range vs.LabelMatchers {
		if !m.Matches(s[m.Name]) {
			return false
		}
	}
	return true
}

func TestDashboardQueries(t *testing.T) {
	exprs := dashExprs(t, dashReadCommitted(t))
	if len(exprs) < 40 {
		t.Fatalf("found only %d expressions in the dashboard JSON; the extraction is broken", len(exprs))
	}
	samples := dashScrape(t)
	recordedSamples, rules := dashRecord(t, samples)
	// The series a Prometheus with rules.yml holds: the scrape and what
	// the rules record from it.
	var scraped []dashSeries
	exported, recorded := map[string]bool{}, map[string]bool{}
	for _, s := range samples {
		scraped = append(scraped, s.Series)
		exported[s.Series["__name__"]] = true
	}
	for _, s := range recordedSamples {
		scraped = append(scraped, s.Series)
	}
	ruleExpr := map[string]string{}
	for _, r := range rules {
		recorded[r.Record] = true
		ruleExpr[r.Record] = r.Expr
	}
	paths := slices.Sorted(maps.Keys(exprs))

	t.Run("every expression parses", func(t *testing.T) {
		for _, path := range paths {
			if _, _, err := dashSelectors(dashSubstitute(exprs[path], dashZones[0])); err != nil {
				t.Errorf("%s: %q does not parse: %v", path, exprs[path], err)
			}
		}
	})

	used := map[string]bool{}
	t.Run("every metric is one the exporter exports", func(t *testing.T) {
		for _, path := range paths {
			sels, _, err := dashSelectors(dashSubstitute(exprs[path], dashZones[0]))
			if err != nil {
				continue // reported above
			}
			for _, vs := range sels {
				name := dashMetricName(vs)
				if name == "" {
					t.Errorf("%s: selector %s names no metric", path, vs)
					continue
				}
				used[name] = true
				if !exported[name] && !recorded[name] {
					t.Errorf("%s: %s is neither exported by the exporter nor recorded by %s (query %q)", path, name, dashboards.RulesFile, exprs[path])
				}
			}
		}
		if len(used) == 0 {
			t.Fatal("no metric names extracted")
		}
		// A recording rule the dashboard reads uses the metrics of its
		// expression.
		for changed := true; changed; {
			changed = false
			for name := range used {
				if e, ok := ruleExpr[name]; ok {
					sels, _, err := dashSelectors(e)
					if err != nil {
						t.Fatalf("recording rule %s: %v", name, err)
					}
					for _, vs := range sels {
						if n := dashMetricName(vs); !used[n] {
							used[n] = true
							changed = true
						}
					}
				}
			}
		}
	})

	t.Run("every selector returns data for some zone", func(t *testing.T) {
		// The label matchers too must fit real series: a status, a
		// severity or a label name the exporter never emits would leave
		// a panel empty. The query needs data for one zone of the lab
		// fleet: $instance stands for each in turn.
		for _, path := range paths {
			first, _, err := dashSelectors(dashSubstitute(exprs[path], dashZones[0]))
			if err != nil {
				continue // reported above
			}
			ok := make([]bool, len(first))
			for _, zone := range dashZones {
				sels, _, _ := dashSelectors(dashSubstitute(exprs[path], zone))
				for i, vs := range sels {
					ok[i] = ok[i] || slices.ContainsFunc(scraped, func(s dashSeries) bool { return dashMatches(vs, s) })
				}
			}
			for i, vs := range first {
				if !ok[i] {
					t.Errorf("%s: no scraped series of any zone matches %s (query %q)", path, vs, exprs[path])
				}
			}
		}
	})

	t.Run("every grouping label exists on the series it groups", func(t *testing.T) {
		for _, path := range paths {
			_, aggs, err := dashSelectors(dashSubstitute(exprs[path], dashZones[0]))
			if err != nil {
				continue
			}
			for _, agg := range aggs {
				var names []string
				parser.Inspect(agg.Expr, func(n parser.Node, _ []parser.Node) error {
					if vs, ok := n.(*parser.VectorSelector); ok {
						names = append(names, dashMetricName(vs))
					}
					return nil
				})
				for _, label := range agg.Grouping {
					ok := false
					for _, s := range scraped {
						if _, has := s[label]; has && slices.Contains(names, s["__name__"]) {
							ok = true
							break
						}
					}
					if !ok {
						t.Errorf("%s: %s groups by %q, a label none of %q has", path, agg.Op, label, names)
					}
				}
			}
		}
	})

	t.Run("the dashboard reads the recording rules", func(t *testing.T) {
		// rules.yml's fleet and zone rules exist for the dashboard: it
		// reads each of them (TestRecordingRulesHaveReaders checks that
		// every rule has some reader).
		for _, r := range rules {
			if strings.HasPrefix(r.Record, "job:") && !used[r.Record] {
				t.Errorf("the dashboard does not read the fleet rule %s", r.Record)
			}
		}
	})

	t.Run("every exported metric has a panel", func(t *testing.T) {
		// The dashboard shows the whole contract: a new dnshealth_*
		// metric needs a panel (or a reason here). The Go runtime's,
		// the process's and promhttp's own metrics are not shown.
		for _, name := range slices.Sorted(maps.Keys(exported)) {
			if !strings.HasPrefix(name, "dnshealth_") && !strings.HasPrefix(name, "probe_") {
				continue
			}
			if !used[name] {
				t.Errorf("%s is exported but no dashboard query uses it", name)
			}
		}
	})
}

// TestExpiryAlertsFollowTheProbeNotFixedDays reads the alert rules next
// to the dashboard (alerts.yml): no alert compares
// dnshealth_rrsig_days_to_expiry with a positive number of days (a fixed
// threshold cries wolf on a healthy BIND zone and comes too late for a
// stalled one); the warning follows the probe's rrsig_expiring finding
// and the critical compares days to expiry with the probe's threshold.
func TestExpiryAlertsFollowTheProbeNotFixedDays(t *testing.T) {
	raw, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string            `yaml:"alert"`
				Expr   string            `yaml:"expr"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	seen := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			e, err := dashParser.ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("alert %s: %v", r.Alert, err)
			}
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				switch n := n.(type) {
				case *parser.BinaryExpr:
					vs, ok1 := n.LHS.(*parser.VectorSelector)
					num, ok2 := n.RHS.(*parser.NumberLiteral)
					if ok1 && ok2 && dashMetricName(vs) == "dnshealth_rrsig_days_to_expiry" && num.Val > 0 {
						t.Errorf("alert %s (%s) fires under a fixed %g days", r.Alert, r.Labels["severity"], num.Val)
					}
				case *parser.VectorSelector:
					for _, m := range n.LabelMatchers {
						if dashMetricName(n) == "dnshealth_finding" && m.Name == "check" && m.Value == "rrsig_expiring" {
							seen[r.Alert+"/"+r.Labels["severity"]+"/finding"] = true
						}
					}
					if dashMetricName(n) == "dnshealth_rrsig_expiry_threshold_seconds" {
						seen[r.Alert+"/"+r.Labels["severity"]+"/threshold"] = true
					}
				}
				return nil
			})
		}
	}
	for _, want := range []string{"DNSHealthRRSIGExpiry/warning/finding", "DNSHealthRRSIGExpiry/critical/threshold"} {
		if !seen[want] {
			t.Errorf("no alert rule %s (found %v)", want, seen)
		}
	}
}
