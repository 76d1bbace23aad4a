// The dashboard is Grafana's classic JSON model (schemaVersion 42), the one
// dashboard import takes; the SDK marks its type deprecated in favour of the
// v2 schema, which this dashboard does not use.
//
//lint:file-ignore SA1019 checks the classic dashboard model on purpose
package dashboards_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/dnshealth/dnshealth_exporter/dashboards"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

const dashboardFile = dashboards.DashboardFile

func init() {
	// Panels' options and targets unmarshal into their typed structs
	// (stat.Options, prometheus.Dataquery, ...) only with the plugins
	// registered; without them they would stay untyped maps.
	plugins.RegisterDefaultPlugins()
}

// dashReadCommitted returns the committed dashboard JSON.
func dashReadCommitted(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatalf("reading the committed dashboard: %v (run: go generate ./... in dashboards/)", err)
	}
	return raw
}

// dashUnmarshal decodes raw into the SDK's dashboard type, after checking
// that the SDK's strict decoder accepts it: an unknown field, a missing
// required field or a wrong type anywhere is an error. The value comes
// from the ordinary decoder because the strict one in v0.0.22 drops every
// panel it accepts (PanelOrRowPanel.UnmarshalJSONStrict returns the empty
// cog.BuildErrors of success as a non-nil error before keeping the panel).
func dashUnmarshal(t *testing.T, raw []byte) dashboard.Dashboard {
	t.Helper()
	var strict dashboard.Dashboard
	if err := dashErr(strict.UnmarshalJSONStrict(raw)); err != nil {
		t.Fatalf("the dashboard JSON does not decode strictly into the SDK's dashboard.Dashboard: %v", err)
	}
	var d dashboard.Dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("decoding the dashboard JSON into dashboard.Dashboard: %v", err)
	}
	return d
}

// dashErr undoes the SDK's habit of returning an empty cog.BuildErrors,
// a nil slice in a non-nil error interface, for success.
func dashErr(err error) error {
	if errs, ok := err.(cog.BuildErrors); ok && len(errs) == 0 {
		return nil
	}
	return err
}

// dashPanels flattens the dashboard's panels, rows' nested panels included.
func dashPanels(d dashboard.Dashboard) []dashboard.Panel {
	var out []dashboard.Panel
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			out = append(out, *p.Panel)
		case p.RowPanel != nil:
			out = append(out, p.RowPanel.Panels...)
		}
	}
	return out
}

func dashVariable(d dashboard.Dashboard, name string) (dashboard.VariableModel, bool) {
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v, true
		}
	}
	return dashboard.VariableModel{}, false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestDashboardFile(t *testing.T) {
	t.Run("round-trips through the SDK types", func(t *testing.T) {
		raw := dashReadCommitted(t)
		d := dashUnmarshal(t, raw)
		if err := dashErr(d.Validate()); err != nil {
			t.Fatalf("the decoded dashboard does not validate: %v", err)
		}
		// Marshalling the decoded value again gives the same document:
		// nothing in the file is outside the SDK's model. (The SDK's
		// Equals cannot be used for this: decoded targets are
		// *prometheus.Dataquery, and Dataquery.Equals accepts only the
		// value type.)
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(again, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Error("re-encoding the decoded dashboard changes the JSON: some of it is lost in the SDK's types")
		}
	})

	t.Run("strict decoding has teeth", func(t *testing.T) {
		// A negative control for the check above, given the SDK's strict
		// decoder swallows some successes: a field outside Grafana's
		// model in a panel's options must be rejected. (The SDK decodes
		// fieldConfig leniently, apart from "custom"; the field-config
		// subtest of TestDashboardModel covers it.)
		var doc map[string]any
		if err := json.Unmarshal(dashReadCommitted(t), &doc); err != nil {
			t.Fatal(err)
		}
		panel := doc["panels"].([]any)[1].(map[string]any)
		panel["options"].(map[string]any)["colour"] = "red"
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard.Dashboard
		if err := dashErr(d.UnmarshalJSONStrict(raw)); err == nil || !strings.Contains(err.Error(), "colour") {
			t.Errorf("strict decoding accepted an unknown field (error %v)", err)
		}
	})
}

func TestDashboardModel(t *testing.T) {
	d := dashUnmarshal(t, dashReadCommitted(t))
	panels := dashPanels(d)
	m := mixinDefaults(t)
	cfg := m.Config

	t.Run("identity", func(t *testing.T) {
		if got := deref(d.Uid); got != cfg["dashboardUID"] {
			t.Errorf("uid = %q, want %q", got, cfg["dashboardUID"])
		}
		if got := deref(d.Title); got != cfg["dashboardTitle"] {
			t.Errorf("title = %q, want %q", got, cfg["dashboardTitle"])
		}
		if d.Id != nil {
			t.Errorf("id = %d: an importable dashboard has no instance-specific id", *d.Id)
		}
	})

	t.Run("datasource is a prometheus template variable", func(t *testing.T) {
		v, ok := dashVariable(d, "datasource")
		if !ok {
			t.Fatal(`no "datasource" variable`)
		}
		if v.Type != dashboard.VariableTypeDatasource {
			t.Errorf("variable %q has type %q, want datasource", v.Name, v.Type)
		}
		if v.Query == nil || deref(v.Query.String) != "prometheus" {
			t.Errorf("variable %q selects datasources of type %v, want prometheus", v.Name, v.Query)
		}
	})

	t.Run("job and instance variables", func(t *testing.T) {
		for _, name := range []string{"job", "instance"} {
			v, ok := dashVariable(d, name)
			if !ok {
				t.Errorf("no %q variable", name)
				continue
			}
			if v.Type != dashboard.VariableTypeQuery {
				t.Errorf("variable %q has type %q, want query", name, v.Type)
			}
			if v.Datasource == nil || deref(v.Datasource.Uid) != "${datasource}" || deref(v.Datasource.Type) != "prometheus" {
				t.Errorf("variable %q queries %+v, want the ${datasource} prometheus variable", name, v.Datasource)
			}
			if v.Query == nil || !strings.Contains(deref(v.Query.String), "label_values(dnshealth_probe_info") {
				t.Errorf("variable %q query %v does not list label values of dnshealth_probe_info", name, v.Query)
			}
		}
		if v, _ := dashVariable(d, "instance"); !strings.Contains(deref(v.Query.String), `job=~"$job"`) {
			t.Errorf("instance variable query %q is not filtered by $job", deref(v.Query.String))
		}
		// The Job variable offers the jobs the mixin's job selector
		// matches, as the alerts and rules select them.
		if v, _ := dashVariable(d, "job"); !strings.Contains(deref(v.Query.String), "{"+cfg["jobSelector"].(string)+"}") {
			t.Errorf("job variable query %q does not use the job selector %s", deref(v.Query.String), cfg["jobSelector"])
		}
	})

	t.Run("every panel and query uses the datasource variable", func(t *testing.T) {
		if len(panels) == 0 {
			t.Fatal("no panels")
		}
		for _, p := range panels {
			title := deref(p.Title)
			if p.Datasource == nil || deref(p.Datasource.Uid) != "${datasource}" || deref(p.Datasource.Type) != "prometheus" {
				t.Errorf("panel %q: datasource %+v, want ${datasource} of type prometheus", title, p.Datasource)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no queries", title)
			}
			for i, target := range p.Targets {
				q, ok := target.(*prometheus.Dataquery)
				if !ok {
					t.Errorf("panel %q target %d decoded as %T, not a prometheus query", title, i, target)
					continue
				}
				if q.Datasource == nil || deref(q.Datasource.Uid) != "${datasource}" {
					t.Errorf("panel %q query %s: datasource %+v, want ${datasource}", title, deref(q.RefId), q.Datasource)
				}
				if strings.TrimSpace(q.Expr) == "" {
					t.Errorf("panel %q query %s has no expression", title, deref(q.RefId))
				}
			}
		}
	})

	t.Run("field config and overrides decode strictly", func(t *testing.T) {
		// The SDK decodes fieldConfig leniently, so check it here: the
		// defaults against FieldConfig's fields, each override property
		// against the ids Grafana knows, and mappings and thresholds
		// against the SDK's strict decoders.
		var doc struct {
			Panels []struct {
				Title       string          `json:"title"`
				FieldConfig json.RawMessage `json:"fieldConfig"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(dashReadCommitted(t), &doc); err != nil {
			t.Fatal(err)
		}
		known := []string{"unit", "decimals", "min", "max", "thresholds", "color", "noValue", "mappings", "links", "displayName", "custom.cellOptions"}
		for _, p := range doc.Panels {
			if p.FieldConfig == nil {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(p.FieldConfig))
			dec.DisallowUnknownFields()
			var fc dashboard.FieldConfigSource
			if err := dec.Decode(&fc); err != nil {
				t.Errorf("panel %q: fieldConfig: %v", p.Title, err)
				continue
			}
			for _, o := range fc.Overrides {
				if !slices.Contains([]string{"byName", "byFrameRefID"}, o.Matcher.Id) {
					t.Errorf("panel %q: override matcher %q", p.Title, o.Matcher.Id)
				}
				for _, prop := range o.Properties {
					if !slices.Contains(known, prop.Id) {
						t.Errorf("panel %q: override property %q is not a field option Grafana knows", p.Title, prop.Id)
					}
					raw, err := json.Marshal(prop.Value)
					if err != nil {
						t.Fatal(err)
					}
					switch prop.Id {
					case "mappings":
						var ms []json.RawMessage
						if err := json.Unmarshal(raw, &ms); err != nil {
							t.Errorf("panel %q: mappings: %v", p.Title, err)
						}
						for _, m := range ms {
							var vm dashboard.ValueMapping
							if err := dashErr(vm.UnmarshalJSONStrict(m)); err != nil {
								t.Errorf("panel %q: mapping %s: %v", p.Title, m, err)
							}
						}
					case "thresholds":
						var th dashboard.ThresholdsConfig
						if err := dashErr(th.UnmarshalJSONStrict(raw)); err != nil {
							t.Errorf("panel %q: thresholds %s: %v", p.Title, raw, err)
						}
					case "links":
						var links []map[string]any
						if err := json.Unmarshal(raw, &links); err != nil {
							t.Errorf("panel %q: links: %v", p.Title, err)
						}
						for _, l := range links {
							if l["title"] == "" || l["url"] == "" {
								t.Errorf("panel %q: link without title or url: %v", p.Title, l)
							}
						}
					}
				}
			}
		}
	})

	t.Run("the zone table links each zone to its report page", func(t *testing.T) {
		// The exporter's /report?target=<zone>&module=<module>, under the
		// hidden constant "report" (the mixin's reportURL); the module is
		// the row's "module" field, from a query grouped by it.
		v, ok := dashVariable(d, "report")
		if !ok || v.Type != dashboard.VariableTypeConstant || v.Query == nil || deref(v.Query.String) != cfg["reportURL"] {
			t.Errorf("variable report = %+v, want a constant holding %v", v, cfg["reportURL"])
		}
		const want = "${report}/report?target=${__value.raw}&module=${__data.fields.module}"
		var zones *dashboard.Panel
		for i := range panels {
			if deref(panels[i].Title) == "Zones" {
				zones = &panels[i]
			}
		}
		if zones == nil {
			t.Fatal("no Zones table")
		}
		linked := false
		for _, o := range zones.FieldConfig.Overrides {
			if o.Matcher.Options != "Zone" {
				continue
			}
			for _, prop := range o.Properties {
				links, _ := prop.Value.([]any)
				for _, l := range links {
					if m, _ := l.(map[string]any); prop.Id == "links" && m["url"] == want {
						linked = true
					}
				}
			}
		}
		if !linked {
			t.Errorf("the Zone column of the Zones table has no data link %s", want)
		}
		grouped := false
		for _, q := range zones.Targets {
			grouped = grouped || strings.Contains(q.(*prometheus.Dataquery).Expr, "by (instance, module)")
		}
		if !grouped {
			t.Error("no query of the Zones table gives the module field the report link needs")
		}
	})

	t.Run("panel ids unique and grid without overlaps", func(t *testing.T) {
		type cell struct{ x, y uint32 }
		ids := map[uint32]string{}
		taken := map[cell]string{}
		for _, p := range d.Panels {
			var id uint32
			var title string
			var g *dashboard.GridPos
			switch {
			case p.Panel != nil:
				id, title, g = deref(p.Panel.Id), deref(p.Panel.Title), p.Panel.GridPos
			case p.RowPanel != nil:
				id, title, g = p.RowPanel.Id, deref(p.RowPanel.Title), p.RowPanel.GridPos
			}
			if id == 0 {
				t.Errorf("panel %q has no id", title)
			} else if other, dup := ids[id]; dup {
				t.Errorf("panels %q and %q share id %d", other, title, id)
			}
			ids[id] = title
			if g == nil {
				t.Errorf("panel %q has no grid position", title)
				continue
			}
			if g.X+g.W > 24 || g.W == 0 || g.H == 0 {
				t.Errorf("panel %q at x=%d w=%d h=%d does not fit the 24-column grid", title, g.X, g.W, g.H)
			}
			for x := g.X; x < g.X+g.W; x++ {
				for y := g.Y; y < g.Y+g.H; y++ {
					if other, ok := taken[cell{x, y}]; ok {
						t.Fatalf("panels %q and %q overlap at x=%d y=%d", other, title, x, y)
					}
					taken[cell{x, y}] = title
				}
			}
		}
	})

	t.Run("fleet overview and drill-down rows", func(t *testing.T) {
		var rows []string
		for _, p := range d.Panels {
			if p.RowPanel != nil {
				rows = append(rows, deref(p.RowPanel.Title))
			}
		}
		for _, want := range []string{"Fleet", "Zone $instance", "Signatures", "Keys", "Nameservers", "Resolver view", "Probe", "Exporter"} {
			if !slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(r, want) }) {
				t.Errorf("no row titled %q...; rows: %q", want, rows)
			}
		}
		// The drill-down queries pin the zone with instance="$instance";
		// the fleet ones never do.
		drill := false
		for _, p := range d.Panels {
			if p.RowPanel != nil {
				title := deref(p.RowPanel.Title)
				drill = strings.Contains(title, "$instance")
				continue
			}
			if p.Panel == nil {
				continue
			}
			for _, target := range p.Panel.Targets {
				q := target.(*prometheus.Dataquery)
				pinned := strings.Contains(q.Expr, `instance="$instance"`)
				if drill && !pinned {
					t.Errorf("drill-down panel %q: query %q is not filtered by instance=\"$instance\"", deref(p.Panel.Title), q.Expr)
				}
				if !drill && pinned {
					t.Errorf("panel %q outside the drill-down rows is filtered by $instance: %q", deref(p.Panel.Title), q.Expr)
				}
			}
		}
	})

	t.Run("rate windows use $__rate_interval", func(t *testing.T) {
		for _, p := range panels {
			for _, target := range p.Targets {
				q := target.(*prometheus.Dataquery)
				for _, fn := range []string{"rate(", "increase(", "irate("} {
					if strings.Contains(q.Expr, fn) && !strings.Contains(q.Expr, "[$__rate_interval]") {
						t.Errorf("panel %q: %s without [$__rate_interval]: %q", deref(p.Title), fn, q.Expr)
					}
				}
			}
		}
	})

	t.Run("RRSIG expiry thresholds match the alert rules", func(t *testing.T) {
		warn, crit := cfg["rrsigWarningDays"].(float64), cfg["rrsigCriticalDays"].(float64)
		want := []dashboard.Threshold{
			{Value: nil, Color: "red"},
			{Value: ptr(crit), Color: "orange"},
			{Value: ptr(warn), Color: "green"},
		}
		if warn != 7 || crit != 2 {
			t.Errorf("RRSIG thresholds are %g/%g days; the documented defaults warn under 7 and page under 2", warn, crit)
		}
		checked := 0
		for _, p := range panels {
			fc := p.FieldConfig
			if fc == nil {
				continue
			}
			if deref(fc.Defaults.Unit) == "d" {
				checked++
				if fc.Defaults.Thresholds == nil || !reflect.DeepEqual(fc.Defaults.Thresholds.Steps, want) {
					t.Errorf("panel %q shows days without the alert thresholds: %+v", deref(p.Title), fc.Defaults.Thresholds)
				}
			}
			for _, o := range fc.Overrides {
				unit, thresholds := "", any(nil)
				for _, prop := range o.Properties {
					switch prop.Id {
					case "unit":
						unit, _ = prop.Value.(string)
					case "thresholds":
						thresholds = prop.Value
					}
				}
				if unit != "d" {
					continue
				}
				checked++
				var got dashboard.ThresholdsConfig
				raw, _ := json.Marshal(thresholds)
				if err := json.Unmarshal(raw, &got); err != nil || !reflect.DeepEqual(got.Steps, want) {
					t.Errorf("panel %q column %v shows days without the alert thresholds: %s", deref(p.Title), o.Matcher.Options, raw)
				}
			}
		}
		if checked < 3 {
			t.Errorf("only %d fields show days to expiry; want the fleet table, the zone stat and both graphs", checked)
		}
	})

	t.Run("units", func(t *testing.T) {
		// Each metric's panels show it in its own unit.
		wantUnit := map[string][]string{
			"dnshealth_rrsig_days_to_expiry":               {"d", "none", "short", ""}, // counts of zones have no unit
			"dnshealth_rrsig_expiration_timestamp_seconds": {"dateTimeAsIso", "dateTimeFromNow"},
			"dnshealth_rrsig_inception_timestamp_seconds":  {"dateTimeAsIso", "dateTimeFromNow"},
			"dnshealth_nameserver_rtt_seconds":             {"s"},
			"dnshealth_resolver_rtt_seconds":               {"s"},
			"probe_duration_seconds":                       {"s"},
		}
		for _, p := range panels {
			if p.FieldConfig == nil || len(p.Targets) != 1 {
				continue // multi-query panels set units per column; checked by eye in the JSON
			}
			q := p.Targets[0].(*prometheus.Dataquery)
			for metric, units := range wantUnit {
				if strings.Contains(q.Expr, metric+"{") && !slices.Contains(units, deref(p.FieldConfig.Defaults.Unit)) {
					t.Errorf("panel %q shows %s in unit %q, want one of %q", deref(p.Title), metric, deref(p.FieldConfig.Defaults.Unit), units)
				}
			}
		}
	})

	t.Run("label value lists match the probe package", func(t *testing.T) {
		var ns, rs, ds []string
		for _, s := range probe.Statuses {
			ns = append(ns, string(s))
		}
		for _, s := range probe.ResolverStatuses {
			rs = append(rs, string(s))
		}
		for _, s := range probe.DNSSECStatuses {
			ds = append(ds, string(s))
		}
		for _, c := range []struct {
			name      string
			dashboard []string
			probe     []string
		}{
			{"nameserver statuses", m.Contract["nameserverStatuses"], ns},
			{"resolver statuses", m.Contract["resolverStatuses"], rs},
			{"DNSSEC statuses", m.Contract["dnssecStatuses"], ds},
			{"severities", m.Contract["severities"], []string{"none", string(probe.SeverityNotice), string(probe.SeverityWarning), string(probe.SeverityError)}},
		} {
			a, b := slices.Sorted(slices.Values(c.dashboard)), slices.Sorted(slices.Values(c.probe))
			if !slices.Equal(a, b) {
				t.Errorf("%s: the dashboard maps %q, the exporter emits %q", c.name, a, b)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
