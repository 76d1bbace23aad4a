// Package dashboards builds the Grafana dashboard for dnshealth_exporter
// with Grafana's own Go types (grafana-foundation-sdk), so the JSON that
// ships in dnshealth-dashboard.json is the SDK's rendering of Dashboard()
// and cannot drift from a hand-kept schema. Regenerate it with
//
//	go generate ./dashboards
//
// The metric names and label sets the queries use are the exporter's
// contract (README.md, collector/descs.go); the tests check every query
// parses and names only metrics a real scrape exports.
package dashboards

//go:generate go run ./gen -o dnshealth-dashboard.json

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

const (
	// UID is the dashboard's stable uid: links between panels use it, and
	// re-importing replaces the dashboard instead of adding a copy.
	UID = "dnshealth-zones"
	// Title is the dashboard's title.
	Title = "DNS health"

	// RRSIGWarningDays and RRSIGCriticalDays are the days-to-expiry
	// thresholds of the "RRSIG expiring" alert rules (warning under 7 days,
	// critical under 2): every panel that colours
	// dnshealth_rrsig_days_to_expiry uses these, so dashboard and alerts
	// turn orange and red at the same moments.
	RRSIGWarningDays  = 7
	RRSIGCriticalDays = 2

	// DatasourceVar is the name of the datasource template variable every
	// panel and query refers to as ${datasource}.
	DatasourceVar = "datasource"

	// DefaultRunbookURL is where docs/checks.md is published; the
	// dashboard's hidden "runbook" constant holds it, and finding links
	// append #<check_id>. Change it in the dashboard settings for a fork
	// or an internal mirror.
	DefaultRunbookURL = "https://github.com/dnshealth/dnshealth_exporter/blob/main/docs/checks.md"
)

// Grafana's named colours.
const (
	green  = "green"
	orange = "orange"
	red    = "red"
	blue   = "blue"
	grey   = "text"
)

// Label selectors: the fleet view is every zone of the chosen jobs, the
// drill-down one zone (the instance label is the zone, as the README's
// scrape configuration relabels it).
const (
	fleet = `job=~"$job"`
	zone  = `job=~"$job", instance="$instance"`
)

// Dashboard builds the dashboard.
func Dashboard() (dashboard.Dashboard, error) {
	b := dashboard.NewDashboardBuilder(Title).
		Uid(UID).
		Description("Health of the DNS zones probed by dnshealth_exporter: a fleet overview with one row per zone, and a drill-down into the zone chosen in $instance.").
		Tags([]string{"dns", "dnssec", "dnshealth"}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Refresh("1m").
		Time("now-24h", "now").
		Timezone(common.TimeZoneBrowser).
		Link(dashboard.NewDashboardLinkBuilder("Check runbook").
			Type(dashboard.DashboardLinkTypeLink).
			Icon("doc").
			Url("${runbook}").
			Tooltip("docs/checks.md: what each check ID and diagnosis cause means and who fixes it").
			TargetBlank(true)).
		WithVariable(dashboard.NewDatasourceVariableBuilder(DatasourceVar).
			Label("Data source").
			Type("prometheus")).
		WithVariable(dashboard.NewQueryVariableBuilder("job").
			Label("Job").
			Description("Prometheus jobs that scrape dnshealth_exporter's /probe.").
			Datasource(datasourceRef()).
			Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(dnshealth_probe_info, job)")}).
			Definition("label_values(dnshealth_probe_info, job)").
			Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
			Sort(dashboard.VariableSortAlphabeticalAsc).
			Multi(true).
			IncludeAll(true)).
		WithVariable(dashboard.NewQueryVariableBuilder("instance").
			Label("Zone").
			Description("The zone the drill-down rows show (the instance label is the probed zone).").
			Datasource(datasourceRef()).
			Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values(dnshealth_probe_info{job=~"$job"}, instance)`)}).
			Definition(`label_values(dnshealth_probe_info{job=~"$job"}, instance)`).
			Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
			Sort(dashboard.VariableSortAlphabeticalAsc)).
		WithVariable(dashboard.NewConstantVariableBuilder("runbook").
			Label("Runbook").
			Description("URL of docs/checks.md; finding links append #<check_id>.").
			Value(dashboard.StringOrMap{String: cog.ToPtr(DefaultRunbookURL)}))

	fleetRow(b)
	zoneRow(b)
	signaturesRow(b)
	keysRow(b)
	nameserversRow(b)
	resolversRow(b)
	probeRow(b)
	exporterRow(b)

	d, err := b.Build()
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	// Links show above the panels, where Grafana versions before the
	// controls menu put them too.
	for i := range d.Links {
		d.Links[i].Placement = nil
	}
	// Stable panel ids in layout order: Grafana wants them unique, and
	// fixed ids keep the JSON stable and panel links (viewPanel=) working.
	var id uint32
	for _, p := range d.Panels {
		id++
		switch {
		case p.Panel != nil:
			p.Panel.Id = cog.ToPtr(id)
			for i := range p.Panel.Links {
				p.Panel.Links[i].Placement = nil
			}
		case p.RowPanel != nil:
			p.RowPanel.Id = id
			for i := range p.RowPanel.Panels {
				id++
				p.RowPanel.Panels[i].Id = cog.ToPtr(id)
			}
		}
	}
	return d, nil
}

// JSON renders Dashboard() as the importable JSON model: indented, with a
// trailing newline, byte-for-byte what dnshealth-dashboard.json holds.
func JSON() ([]byte, error) {
	d, err := Dashboard()
	if err != nil {
		return nil, fmt.Errorf("building the dashboard: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep PromQL's < and > readable
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encoding the dashboard: %w", err)
	}
	return buf.Bytes(), nil
}

// Query is one PromQL expression of the dashboard.
type Query struct {
	Panel string // panel title, or "variable <name>" for a variable's query
	RefID string
	Expr  string
}

// Queries lists every PromQL expression in Dashboard(): each panel's
// targets, in layout order, then the query variables' label_values()
// queries. The end-to-end script evaluates them against a real Prometheus.
func Queries() ([]Query, error) {
	d, err := Dashboard()
	if err != nil {
		return nil, err
	}
	var out []Query
	add := func(p dashboard.Panel) error {
		for _, t := range p.Targets {
			q, ok := t.(prometheus.Dataquery)
			if !ok {
				return fmt.Errorf("panel %q: target %T is not a prometheus query", deref(p.Title), t)
			}
			out = append(out, Query{Panel: deref(p.Title), RefID: deref(q.RefId), Expr: q.Expr})
		}
		return nil
	}
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			if err := add(*p.Panel); err != nil {
				return nil, err
			}
		case p.RowPanel != nil:
			for _, rp := range p.RowPanel.Panels {
				if err := add(rp); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == dashboard.VariableTypeQuery && v.Query != nil && v.Query.String != nil {
			out = append(out, Query{Panel: "variable " + v.Name, RefID: "query", Expr: *v.Query.String})
		}
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// ---------------------------------------------------------------- fleet

func fleetRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Fleet: every zone of $job"))

	counts := []struct {
		title, desc, expr string
		bad               string // colour once the count is 1 or more
	}{
		{"Zones probed", "Zones probed (one dnshealth_probe_info series each).",
			`count(dnshealth_probe_info{` + fleet + `}) or vector(0)`, blue},
		{"Failing probes", "Zones whose probe raised an error-severity finding (probe_success 0).",
			`count(probe_success{` + fleet + `} == 0) or vector(0)`, red},
		{"Bogus zones", "Zones whose DNSSEC verdict is bogus: validating resolvers reject data from at least one address.",
			`count(dnshealth_dnssec_status{` + fleet + `, status="bogus"} == 1) or vector(0)`, red},
		{"SERVFAIL on every path", "Zones the diagnosis expects validating resolvers to SERVFAIL whatever server they ask.",
			`count(dnshealth_servfail_expected{` + fleet + `} == 1) or vector(0)`, red},
		{"SERVFAIL on some paths", "Zones where only some servers, paths or resolvers lead to SERVFAIL.",
			`count(dnshealth_servfail_intermittent{` + fleet + `} == 1) or vector(0)`, orange},
		{"Lame addresses", "Nameserver addresses, over all zones, that do not answer authoritatively.",
			`sum(dnshealth_delegation_lame{` + fleet + `}) or vector(0)`, red},
		{fmt.Sprintf("RRSIG expiry < %d days", RRSIGWarningDays), fmt.Sprintf("Zones whose earliest signature expires in under %d days (the warning alert), expired ones included.", RRSIGWarningDays),
			fmt.Sprintf(`count(dnshealth_rrsig_days_to_expiry{`+fleet+`} < %d) or vector(0)`, RRSIGWarningDays), orange},
		{fmt.Sprintf("RRSIG expiry < %d days", RRSIGCriticalDays), fmt.Sprintf("Zones whose earliest signature expires in under %d days (the critical alert), expired ones included.", RRSIGCriticalDays),
			fmt.Sprintf(`count(dnshealth_rrsig_days_to_expiry{`+fleet+`} < %d) or vector(0)`, RRSIGCriticalDays), red},
	}
	for _, c := range counts {
		base := green
		if c.bad == blue {
			base = blue
		}
		b.WithPanel(newStat(c.title, c.desc, 3, 4, instant("A", c.expr)).
			Decimals(0).
			Thresholds(steps(base, 1, c.bad)))
	}

	b.WithPanel(fleetTable())

	b.WithPanel(expiryGraph(
		fmt.Sprintf("dnshealth_rrsig_days_to_expiry per zone. The bands are the alert thresholds: orange under %d days, red under %d.", RRSIGWarningDays, RRSIGCriticalDays),
		12, rangeQuery("A", `min by (instance) (dnshealth_rrsig_days_to_expiry{`+fleet+`})`, "{{instance}}")))

	b.WithPanel(newTable("Findings raised",
		"Every check raised now, per zone. The check links to its runbook entry in docs/checks.md.",
		12, 8, instantTable("A", `max by (instance, check, severity) (dnshealth_finding{`+fleet+`})`)).
		Transformations(labelColumns(column{"instance", "Zone"}, column{"check", "Check"}, column{"severity", "Severity"})).
		OverrideByName("Check", props{runbookLink()}).
		OverrideByName("Severity", mappedCells(severityTextMappings())).
		OverrideByName("Zone", props{drillDownLink()}).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName("Severity"),
		}))
}

// fleetTable is one row per zone: instant queries joined on instance.
func fleetTable() *table.PanelBuilder {
	const (
		colZone     = "Zone"
		colProbe    = "Probe"
		colDNSSEC   = "DNSSEC"
		colExpiry   = "Days to RRSIG expiry"
		colDS       = "DS matches DNSKEY"
		colLame     = "Lame addresses"
		colSerial   = "SOA serials"
		colCause    = "Diagnosis"
		colSeverity = "Severity"
	)
	return newTable("Zones",
		"One row per zone, worst first. DNSSEC is the verdict a validating resolver reaches; days to RRSIG expiry is the earliest signature any server serves; Diagnosis is the probe's one conclusion (docs/checks.md explains each cause). Click a zone for its drill-down.",
		24, 10,
		instantTable("A", `max by (instance) (probe_success{`+fleet+`})`),
		instantTable("B", dnssecCode(fleet, "instance")),
		instantTable("C", `min by (instance) (dnshealth_rrsig_days_to_expiry{`+fleet+`})`),
		instantTable("D", `min by (instance) (dnshealth_ds_matches_dnskey{`+fleet+`})`),
		instantTable("E", `sum by (instance) (dnshealth_delegation_lame{`+fleet+`})`),
		instantTable("F", `min by (instance) (dnshealth_soa_serial_consistent{`+fleet+`})`),
		instantTable("G", severityCode(fleet, "instance, cause"))).
		Transformations(joinedColumns([]string{"Time"},
			column{"instance", colZone},
			column{"Value #A", colProbe},
			column{"Value #B", colDNSSEC},
			column{"Value #C", colExpiry},
			column{"Value #D", colDS},
			column{"Value #E", colLame},
			column{"Value #F", colSerial},
			column{"cause", colCause},
			column{"Value #G", colSeverity})).
		NoValue("–").
		OverrideByName(colZone, props{drillDownLink()}).
		OverrideByName(colProbe, mappedCells(boolMappings("ok", green, "failing", red))).
		OverrideByName(colDNSSEC, mappedCells(dnssecMappings())).
		OverrideByName(colExpiry, props{
			unit("d"),
			{Id: "decimals", Value: 1},
			{Id: "thresholds", Value: mustBuild(expiryThresholds())},
			{Id: "color", Value: map[string]any{"mode": "thresholds"}},
			{Id: "noValue", Value: "unsigned"},
			cellColorBackground(),
		}).
		OverrideByName(colDS, props{
			mappings(boolMappings("yes", green, "no", red)),
			{Id: "noValue", Value: "no DS"},
			cellColorBackground(),
		}).
		OverrideByName(colLame, props{
			{Id: "decimals", Value: 0},
			{Id: "thresholds", Value: mustBuild(steps(green, 1, red))},
			{Id: "color", Value: map[string]any{"mode": "thresholds"}},
			cellColorBackground(),
		}).
		OverrideByName(colSerial, mappedCells(boolMappings("consistent", green, "drift", orange))).
		OverrideByName(colCause, props{
			{Id: "links", Value: []map[string]any{{
				"title":       "What ${__value.text} means",
				"url":         "${runbook}",
				"targetBlank": true,
			}}},
		}).
		OverrideByName(colSeverity, mappedCells(severityCodeMappings())).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName(colSeverity).Desc(true),
		})
}

// ---------------------------------------------------------------- drill-down

func zoneRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Zone $instance"))

	b.WithPanel(labelledStat("Diagnosis",
		"The probe's one conclusion (the cause) and the severity of the findings behind it. docs/checks.md explains each cause.",
		6, 5, namedInstant("A", severityCode(zone, "cause"), "{{cause}}")).
		Mappings(severityCodeMappings()).
		Links([]cog.Builder[dashboard.DashboardLink]{
			dashboard.NewDashboardLinkBuilder("Runbook: diagnosis causes").Url("${runbook}").TargetBlank(true),
		}))

	b.WithPanel(newStat("DNSSEC",
		"dnshealth_dnssec_status: the verdict a validating resolver reaches. bogus when any address serves data a validator rejects.",
		4, 5, instant("A", dnssecCode(zone, ""))).
		Mappings(dnssecMappings()))

	b.WithPanel(newStat("Days to RRSIG expiry",
		fmt.Sprintf("Earliest expiration of any signature any address serves. Orange under %d days, red under %d, as the alerts.", RRSIGWarningDays, RRSIGCriticalDays),
		4, 5, instant("A", `min(dnshealth_rrsig_days_to_expiry{`+zone+`})`)).
		Unit("d").
		Decimals(1).
		NoValue("unsigned").
		Thresholds(expiryThresholds()).
		GraphMode(common.BigValueGraphModeArea))

	b.WithPanel(newStat("SERVFAIL",
		"What validating resolvers do: SERVFAIL on every path (dnshealth_servfail_expected), on some servers or paths only (dnshealth_servfail_intermittent), or not at all.",
		4, 5, instant("A", `max(dnshealth_servfail_expected{`+zone+`} * 2 + dnshealth_servfail_intermittent{`+zone+`})`)).
		Mappings([]dashboard.ValueMapping{
			valueMapping(map[string]dashboard.ValueMappingResult{
				"0": result("no", green, 0),
				"1": result("some paths", orange, 1),
			}),
			rangeMapping(2, nil, result("every path", red, 2)),
		}))

	b.WithPanel(labelledStat("Probe",
		"probe_success: 0 when the probe raised an error-severity finding. dnshealth_dnssec_intermittent: some addresses validate and others do not.",
		6, 5,
		namedInstant("A", `max(probe_success{`+zone+`})`, "probe"),
		namedInstant("B", `max(1 - dnshealth_dnssec_intermittent{`+zone+`})`, "DNSSEC on every address")).
		Mappings(boolMappings("ok", green, "failing", red)))

	b.WithPanel(newTable("Findings",
		"Checks raised by the latest probe of $instance. The check links to its runbook entry; the debug view (/probe?target=…&debug=true) names the servers and gives the messages.",
		24, 6, instantTable("A", `max by (check, severity) (dnshealth_finding{`+zone+`})`)).
		Transformations(labelColumns(column{"check", "Check"}, column{"severity", "Severity"})).
		NoValue("no findings").
		OverrideByName("Check", props{runbookLink()}).
		OverrideByName("Severity", mappedCells(severityTextMappings())))
}

func signaturesRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Signatures: $instance"))

	b.WithPanel(serverGraph("Earliest RRSIG expiration per server",
		"dnshealth_rrsig_expiration_timestamp_seconds, the earliest over the RRset types each address serves. A server whose line falls behind the others stopped getting freshly signed data.",
		"dateTimeAsIso", `min by (nameserver, address) (dnshealth_rrsig_expiration_timestamp_seconds{`+zone+`})`))

	b.WithPanel(serverGraph("Latest RRSIG inception per server",
		"dnshealth_rrsig_inception_timestamp_seconds, the latest over the RRset types each address serves: when the server's data was last re-signed.",
		"dateTimeAsIso", `max by (nameserver, address) (dnshealth_rrsig_inception_timestamp_seconds{`+zone+`})`))

	b.WithPanel(expiryGraph(
		fmt.Sprintf("dnshealth_rrsig_days_to_expiry. Bands: orange under %d days, red under %d (the alert thresholds).", RRSIGWarningDays, RRSIGCriticalDays),
		8, rangeQuery("A", `dnshealth_rrsig_days_to_expiry{`+zone+`}`, "days to expiry")))

	b.WithPanel(newTable("Signatures now, per server and type",
		"Earliest expiration and latest inception of the signatures each address serves per RRset type, and whether they validate (dnshealth_rrsig_valid).",
		12, 8,
		instantTable("A", `max by (nameserver, address, type) (dnshealth_rrsig_valid{`+zone+`})`),
		instantTable("B", `min by (nameserver, address, type) (dnshealth_rrsig_expiration_timestamp_seconds{`+zone+`})`),
		instantTable("C", `max by (nameserver, address, type) (dnshealth_rrsig_inception_timestamp_seconds{`+zone+`})`)).
		Transformations(joinedColumns([]string{"Time"},
			column{"nameserver", "Nameserver"}, column{"address", "Address"}, column{"type", "Type"},
			column{"Value #A", "Valid"}, column{"Value #B", "Expires"}, column{"Value #C", "Signed"})).
		OverrideByName("Valid", mappedCells(boolMappings("valid", green, "invalid", red))).
		OverrideByName("Expires", props{unit("dateTimeFromNow")}).
		OverrideByName("Signed", props{unit("dateTimeFromNow")}))

	b.WithPanel(newTimeline("Signature validity over time",
		"dnshealth_rrsig_valid per server and RRset type, and dnshealth_denial_valid (NSEC/NSEC3 proofs) per server.",
		12, 8,
		rangeQuery("A", `dnshealth_rrsig_valid{`+zone+`}`, "{{nameserver}} {{address}} {{type}}"),
		rangeQuery("B", `dnshealth_denial_valid{`+zone+`}`, "{{nameserver}} {{address}} denial")).
		Mappings(boolMappings("valid", green, "invalid", red)))
}

func keysRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Keys and DS: $instance"))

	b.WithPanel(newTable("DNSKEYs served",
		"dnshealth_dnskey_info: every DNSKEY any address serves. Flags 257 = KSK, 256 = ZSK, +128 when revoked.",
		6, 7, instantTable("A", `max by (key_tag, algorithm, flags) (dnshealth_dnskey_info{`+zone+`})`)).
		Transformations(labelColumns(column{"key_tag", "Key tag"}, column{"algorithm", "Algorithm"}, column{"flags", "Flags"})).
		OverrideByName("Flags", props{mappings(valueMappings(map[string]dashboard.ValueMappingResult{
			"257": result("257 KSK", green, 0),
			"256": result("256 ZSK", blue, 1),
			"385": result("385 KSK revoked", orange, 2),
			"384": result("384 ZSK revoked", orange, 3),
		})), cellColorText()}).
		OverrideByName("Algorithm", props{mappings(algorithmMappings())}))

	b.WithPanel(newTable("DS at the parent",
		"dnshealth_ds_info: every DS the parent serves for the zone, and whether it matches a key that signs the DNSKEY RRset.",
		6, 7, instantTable("A", `max by (key_tag, algorithm, digest_type, matched) (dnshealth_ds_info{`+zone+`})`)).
		Transformations(labelColumns(column{"key_tag", "Key tag"}, column{"algorithm", "Algorithm"},
			column{"digest_type", "Digest type"}, column{"matched", "Matches a key"})).
		NoValue("no DS").
		OverrideByName("Matches a key", mappedCells(valueMappings(map[string]dashboard.ValueMappingResult{
			"true":  result("yes", green, 0),
			"false": result("no", red, 1),
		}))).
		OverrideByName("Algorithm", props{mappings(algorithmMappings())}).
		OverrideByName("Digest type", props{mappings(valueMappings(map[string]dashboard.ValueMappingResult{
			"1": result("1 SHA-1", orange, 0),
			"2": result("2 SHA-256", "", 1),
			"4": result("4 SHA-384", "", 2),
		}))}))

	b.WithPanel(labelledStat("Chain and rollover",
		"dnshealth_ds_matches_dnskey (absent without DS), dnshealth_dnskey_consistent (every address serves the same DNSKEY RRset) and dnshealth_cds_matches_ds (absent without CDS; 0 while a rollover is in flight or stuck).",
		6, 7,
		namedInstant("A", `max(dnshealth_ds_matches_dnskey{`+zone+`})`, "DS matches DNSKEY"),
		namedInstant("B", `min(dnshealth_dnskey_consistent{`+zone+`})`, "DNSKEY consistent"),
		namedInstant("C", `max(dnshealth_cds_matches_ds{`+zone+`})`, "CDS matches DS")).
		Mappings(boolMappings("yes", green, "no", red)).
		OverrideByName("CDS matches DS", props{mappings(boolMappings("yes", green, "rollover", orange))}).
		Orientation(common.VizOrientationHorizontal))

	b.WithPanel(labelledStat("NSEC3",
		"dnshealth_nsec3_iterations and dnshealth_nsec3_salt_length_bytes (RFC 9276 says 0 for both) and dnshealth_nsec3_opt_out; absent when the zone uses NSEC.",
		6, 7,
		namedInstant("A", `max(dnshealth_nsec3_iterations{`+zone+`})`, "iterations"),
		namedInstant("B", `max(dnshealth_nsec3_salt_length_bytes{`+zone+`})`, "salt bytes"),
		namedInstant("C", `max(dnshealth_nsec3_opt_out{`+zone+`})`, "opt-out")).
		Decimals(0).
		NoValue("NSEC").
		Thresholds(steps(green, 1, orange)).
		OverrideByName("opt-out", props{mappings(boolMappings("yes", blue, "no", green))}).
		Orientation(common.VizOrientationHorizontal))
}

func nameserversRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Nameservers: $instance"))

	b.WithPanel(newTable("Nameserver addresses now",
		"Every address of every nameserver: its status for the zone's SOA (docs/checks.md maps each status to a check), the SOA round trip and the serial it serves.",
		12, 8,
		instantTable("A", `max by (nameserver, address, status) (dnshealth_nameserver_status{`+zone+`} == 1)`),
		instantTable("B", `max by (nameserver, address) (dnshealth_nameserver_rtt_seconds{`+zone+`})`),
		instantTable("C", `max by (nameserver, address) (dnshealth_soa_serial{`+zone+`})`),
		instantTable("D", `max by (nameserver, address) (dnshealth_delegation_lame{`+zone+`})`)).
		Transformations(joinedColumns([]string{"Time", "Value #A"},
			column{"nameserver", "Nameserver"}, column{"address", "Address"}, column{"status", "Status"},
			column{"Value #D", "Lame"}, column{"Value #B", "SOA RTT"}, column{"Value #C", "SOA serial"})).
		OverrideByName("Status", mappedCells(nameserverStatusMappings())).
		OverrideByName("Lame", props{mappings(boolMappings("lame", red, "no", green)), cellColorText()}).
		OverrideByName("SOA RTT", props{unit("s")}).
		OverrideByName("SOA serial", props{unit("none"), {Id: "decimals", Value: 0}}))

	b.WithPanel(newTimeline("Lame addresses over time",
		"dnshealth_delegation_lame per address: red while the address did not answer authoritatively.",
		12, 8, rangeQuery("A", `dnshealth_delegation_lame{`+zone+`}`, "{{nameserver}} {{address}}")).
		Mappings(boolMappings("lame", red, "authoritative", green)))

	b.WithPanel(serverGraph("SOA round-trip time per address",
		"dnshealth_nameserver_rtt_seconds: round trip of the SOA query, for addresses that answered.",
		"s", `dnshealth_nameserver_rtt_seconds{`+zone+`}`).
		Min(0))

	b.WithPanel(serverGraph("SOA serial per server",
		"dnshealth_soa_serial per address with status ok. Lines that part are serial drift: a secondary that stopped transferring.",
		"none", `dnshealth_soa_serial{`+zone+`}`).
		Decimals(0))

	b.WithPanel(newTimeline("Consistency over time",
		"dnshealth_soa_serial_consistent, dnshealth_ns_parent_child_consistent and dnshealth_glue_consistent (absent when there is nothing to compare).",
		8, 8,
		rangeQuery("A", `dnshealth_soa_serial_consistent{`+zone+`}`, "SOA serials"),
		rangeQuery("B", `dnshealth_ns_parent_child_consistent{`+zone+`}`, "NS parent/child"),
		rangeQuery("C", `dnshealth_glue_consistent{`+zone+`}`, "glue")).
		Mappings(boolMappings("consistent", green, "differs", orange)))
}

func resolversRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Resolver view: $instance"))

	b.WithPanel(newTable("Resolvers now",
		"What each of the module's recursive resolvers answers for the zone's SOA, with and without +cd (dnshealth_resolver_status), whether it set AD (dnshealth_resolver_authenticated) and its round trip. Empty when the module lists no resolvers.",
		10, 8,
		instantTable("A", `max by (resolver, status) (dnshealth_resolver_status{`+zone+`} == 1)`),
		instantTable("B", `max by (resolver) (dnshealth_resolver_authenticated{`+zone+`})`),
		instantTable("C", `max by (resolver) (dnshealth_resolver_rtt_seconds{`+zone+`})`)).
		Transformations(joinedColumns([]string{"Time", "Value #A"},
			column{"resolver", "Resolver"}, column{"status", "Status"},
			column{"Value #B", "AD (validated)"}, column{"Value #C", "RTT"})).
		NoValue("no resolvers configured").
		OverrideByName("Status", mappedCells(resolverStatusMappings())).
		OverrideByName("AD (validated)", props{mappings(boolMappings("yes", green, "no", grey))}).
		OverrideByName("RTT", props{unit("s")}))

	b.WithPanel(newTable("Extended DNS errors",
		"dnshealth_resolver_extended_error: the RFC 8914 codes each resolver attached to its replies. Hints only: resolvers disagree on codes.",
		6, 8, instantTable("A", `max by (resolver, code) (dnshealth_resolver_extended_error{`+zone+`})`)).
		Transformations(labelColumns(column{"resolver", "Resolver"}, column{"code", "EDE"})).
		NoValue("none").
		OverrideByName("EDE", props{mappings(edeMappings())}))

	b.WithPanel(newGraph("Resolver round-trip time",
		"dnshealth_resolver_rtt_seconds: the SOA query with CD=0, for resolvers that answered.",
		8, 8, rangeQuery("A", `dnshealth_resolver_rtt_seconds{`+zone+`}`, "{{resolver}}")).
		Unit("s").
		Min(0).
		Legend(tableLegend()))

	b.WithPanel(newTimeline("Resolver status over time",
		"dnshealth_resolver_status per resolver: one lane per status it has shown.",
		24, 6, rangeQuery("A", `dnshealth_resolver_status{`+zone+`} == 1`, "{{resolver}} {{status}}")).
		Mappings(valueMappings(map[string]dashboard.ValueMappingResult{"1": result("seen", blue, 0)})))
}

func probeRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Probe: $instance"))

	b.WithPanel(newGraph("Probe duration",
		"probe_duration_seconds: how long each probe of the zone took. Near the scrape timeout means probe_timeout findings.",
		8, 7, rangeQuery("A", `probe_duration_seconds{`+zone+`}`, "{{job}}")).
		Unit("s").
		Min(0))

	b.WithPanel(newGraph("DNS queries per probe",
		"dnshealth_probe_queries: DNS messages each probe sent (cache hits excluded); the module's max_queries caps it.",
		8, 7, rangeQuery("A", `dnshealth_probe_queries{`+zone+`}`, "{{job}}")).
		Unit("short").
		Decimals(0).
		Min(0))

	b.WithPanel(newTimeline("Probe result over time",
		"probe_success: red while the probe raised an error-severity finding.",
		8, 7, rangeQuery("A", `probe_success{`+zone+`}`, "{{job}}")).
		Mappings(boolMappings("ok", green, "failing", red)))
}

func exporterRow(b *dashboard.DashboardBuilder) {
	b.WithRow(dashboard.NewRowBuilder("Exporter"))

	b.WithPanel(newGraph("Probes by outcome",
		"dnshealth_exporter_probes_total from the exporter's /metrics: success, failure (probe_success 0) or error (no result served).",
		8, 7, rangeQuery("A", `sum by (module, outcome) (rate(dnshealth_exporter_probes_total[$__rate_interval]))`, "{{module}} {{outcome}}")).
		Unit("reqps").
		Min(0))

	b.WithPanel(newGraph("Probe duration quantiles",
		"From the dnshealth_exporter_probe_duration_seconds histogram, all zones of a module together.",
		8, 7,
		rangeQuery("A", `histogram_quantile(0.5, sum by (le, module) (rate(dnshealth_exporter_probe_duration_seconds_bucket[$__rate_interval])))`, "{{module}} p50"),
		rangeQuery("B", `histogram_quantile(0.9, sum by (le, module) (rate(dnshealth_exporter_probe_duration_seconds_bucket[$__rate_interval])))`, "{{module}} p90"),
		rangeQuery("C", `sum by (module) (rate(dnshealth_exporter_probe_duration_seconds_sum[$__rate_interval])) / sum by (module) (rate(dnshealth_exporter_probe_duration_seconds_count[$__rate_interval]))`, "{{module}} mean")).
		Unit("s").
		Min(0))

	b.WithPanel(newGraph("Turned-away requests",
		"dnshealth_exporter_probes_rejected_total (503: the concurrency limit stayed full) and dnshealth_exporter_module_unknown_total (a scrape names a module the configuration lacks).",
		8, 7,
		rangeQuery("A", `sum(rate(dnshealth_exporter_probes_rejected_total[$__rate_interval]))`, "rejected (503)"),
		rangeQuery("B", `sum(rate(dnshealth_exporter_module_unknown_total[$__rate_interval]))`, "unknown module")).
		Unit("reqps").
		Min(0))

	b.WithPanel(labelledStat("Exporter",
		"Build (dnshealth_exporter_build_info), cache size (dnshealth_exporter_cache_entries) and configuration reloads (dnshealth_exporter_config_last_reload_successful, …_success_timestamp_seconds), per exporter instance.",
		24, 4,
		namedInstant("A", `count by (instance, version) (dnshealth_exporter_build_info)`, "{{instance}} version {{version}}"),
		namedInstant("B", `max by (instance) (dnshealth_exporter_cache_entries)`, "{{instance}} cache entries"),
		namedInstant("C", `min by (instance) (dnshealth_exporter_config_last_reload_successful)`, "{{instance}} config loaded"),
		namedInstant("D", `max by (instance) (dnshealth_exporter_config_last_reload_success_timestamp_seconds)`, "{{instance}} config loaded at")).
		OverrideByQuery("A", props{mappings([]dashboard.ValueMapping{rangeMapping(1, nil, result("running", blue, 0))})}).
		OverrideByQuery("B", props{unit("short")}).
		OverrideByQuery("C", props{mappings(boolMappings("ok", green, "failed", red))}).
		OverrideByQuery("D", props{unit("dateTimeFromNow")}).
		ColorMode(common.BigValueColorModeValue))
}

// ---------------------------------------------------------------- PromQL

// dnssecCode turns the dnshealth_dnssec_status state set into one number,
// worst highest: 0 secure, 1 insecure, 2 indeterminate, 3 bogus (see
// dnssecMappings). by is the grouping ("" for one number).
func dnssecCode(sel, by string) string {
	return aggregate("max", by, `dnshealth_dnssec_status{`+sel+`, status="bogus"} * 3`+
		` or dnshealth_dnssec_status{`+sel+`, status="indeterminate"} * 2`+
		` or dnshealth_dnssec_status{`+sel+`, status="insecure"}`+
		` or dnshealth_dnssec_status{`+sel+`, status="secure"} * 0`)
}

// severityCode turns dnshealth_diagnosis_info's severity label into one
// number: 0 none (healthy), 1 notice, 2 warning, 3 error (see
// severityCodeMappings), keeping the cause label.
func severityCode(sel, by string) string {
	return aggregate("max", by, `dnshealth_diagnosis_info{`+sel+`, severity="error"} * 3`+
		` or dnshealth_diagnosis_info{`+sel+`, severity="warning"} * 2`+
		` or dnshealth_diagnosis_info{`+sel+`, severity="notice"}`+
		` or dnshealth_diagnosis_info{`+sel+`, severity="none"} * 0`)
}

func aggregate(op, by, expr string) string {
	if by == "" {
		return op + " (" + expr + ")"
	}
	return op + " by (" + by + ") (" + expr + ")"
}

// ---------------------------------------------------------------- helpers

func datasourceRef() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + DatasourceVar + "}")}
}

func promQuery(ref, expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(datasourceRef()).
		RefId(ref).
		Expr(expr).
		EditorMode(prometheus.QueryEditorModeCode)
}

// instant is an instant query: the value now, for stats.
func instant(ref, expr string) *prometheus.DataqueryBuilder {
	return promQuery(ref, expr).Instant()
}

// instantTable is an instant query in table format: labels as columns.
func instantTable(ref, expr string) *prometheus.DataqueryBuilder {
	return instant(ref, expr).Format(prometheus.PromQueryFormatTable)
}

// rangeQuery is a range query for graphs.
func rangeQuery(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return promQuery(ref, expr).Range().LegendFormat(legend)
}

// namedInstant is an instant query whose value is shown under legend.
func namedInstant(ref, expr, legend string) *prometheus.DataqueryBuilder {
	return instant(ref, expr).LegendFormat(legend)
}

// ---------------------------------------------------------------- panels

// The panel constructors below give each panel type the dashboard's
// defaults, the title, the description, the size in grid units (w of 24
// columns, h rows) and the queries; what sets one panel apart is chained
// on the builder they return.

// newStat is a stat panel: the latest value, no sparkline, coloured
// background, automatic layout.
func newStat(title, desc string, w, h uint32, queries ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasourceRef()).
		Span(w).Height(h).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(lastValue())
	for _, q := range queries {
		p.WithTarget(q)
	}
	return p
}

// labelledStat is a stat panel that shows each value with its name, the
// legend of its query (see namedInstant).
func labelledStat(title, desc string, w, h uint32, queries ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return newStat(title, desc, w, h, queries...).TextMode(common.BigValueTextModeValueAndName)
}

// newTable is a table panel of instant queries (instantTable); its
// transformations pick and name the columns (labelColumns,
// joinedColumns). Grafana's table model wants a footer reducer even with
// the footer hidden (the SDK's strict decoding rejects null there), so it
// gets Grafana's own default.
func newTable(title, desc string, w, h uint32, queries ...*prometheus.DataqueryBuilder) *table.PanelBuilder {
	p := table.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasourceRef()).
		Span(w).Height(h).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).CountRows(false)).
		CellHeight(common.TableCellHeightSm)
	for _, q := range queries {
		p.WithTarget(q)
	}
	return p
}

// newGraph is a time series panel of range queries.
func newGraph(title, desc string, w, h uint32, queries ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasourceRef()).
		Span(w).Height(h)
	for _, q := range queries {
		p.WithTarget(q)
	}
	return p
}

// serverGraph is a time series of one zone's expr in unit, a line per
// nameserver address, listed in the legend.
func serverGraph(title, desc, unit, expr string) *timeseries.PanelBuilder {
	return newGraph(title, desc, 8, 8, rangeQuery("A", expr, "{{nameserver}} {{address}}")).
		Unit(unit).
		Legend(tableLegend())
}

// expiryGraph is days to the earliest RRSIG expiry, with the alert
// thresholds drawn as bands.
func expiryGraph(desc string, w uint32, query *prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	return newGraph("Days to the earliest RRSIG expiry", desc, w, 8, query).
		Unit("d").
		Decimals(1).
		Thresholds(expiryThresholds()).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea)).
		Legend(tableLegend())
}

// newTimeline is a state timeline of range queries: coloured lanes, no
// values written, equal neighbours merged. Its value mappings name the
// states.
func newTimeline(title, desc string, w, h uint32, queries ...*prometheus.DataqueryBuilder) *statetimeline.PanelBuilder {
	p := statetimeline.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasourceRef()).
		Span(w).Height(h).
		ShowValue(common.VisibilityModeNever).
		MergeValues(true)
	for _, q := range queries {
		p.WithTarget(q)
	}
	return p
}

// ---------------------------------------------------------------- panel parts

func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)
}

func tableLegend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().
		DisplayMode(common.LegendDisplayModeList).
		Placement(common.LegendPlacementBottom).
		ShowLegend(true)
}

// steps is a threshold: base colour below at, over colour from at up.
func steps(base string, at float64, over string) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps([]dashboard.Threshold{{Value: nil, Color: base}, {Value: cog.ToPtr(at), Color: over}})
}

// expiryThresholds colours days to expiry as the alert rules do: red
// under RRSIGCriticalDays, orange under RRSIGWarningDays, else green.
func expiryThresholds() *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps([]dashboard.Threshold{
			{Value: nil, Color: red},
			{Value: cog.ToPtr(float64(RRSIGCriticalDays)), Color: orange},
			{Value: cog.ToPtr(float64(RRSIGWarningDays)), Color: green},
		})
}

func mustBuild[T any](b cog.Builder[T]) T {
	v, err := b.Build()
	if err != nil {
		panic(err) // only fixed, valid inputs reach here
	}
	return v
}

// column is a table column: a query's field (a label, or "Value #<refId>"
// once joined) and the header it shows under.
type column struct{ field, name string }

// labelColumns makes the table of one instant query show its labels as
// cols, in that order, without the time and the value.
func labelColumns(cols ...column) []dashboard.DataTransformerConfig {
	return []dashboard.DataTransformerConfig{organize([]string{"Time", "Value"}, cols)}
}

// joinedColumns joins the table's instant queries into one row per label
// set and shows cols in that order, without the fields in hide.
func joinedColumns(hide []string, cols ...column) []dashboard.DataTransformerConfig {
	return []dashboard.DataTransformerConfig{
		{Id: "merge", Options: map[string]any{}},
		organize(hide, cols),
	}
}

func organize(exclude []string, cols []column) dashboard.DataTransformerConfig {
	excl := map[string]any{}
	for _, f := range exclude {
		excl[f] = true
	}
	index := map[string]any{}
	names := map[string]any{}
	for i, c := range cols {
		index[c.field] = i
		names[c.field] = c.name
	}
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": excl,
		"indexByName":   index,
		"renameByName":  names,
	}}
}

// props are the properties an override sets.
type props = []dashboard.DynamicConfigValue

func unit(u string) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "unit", Value: u}
}

// mappedCells names a column's values by m and colours the cells.
func mappedCells(m []dashboard.ValueMapping) props {
	return props{mappings(m), cellColorBackground()}
}

func cellColorBackground() dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": "color-background"}}
}

func cellColorText() dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": "color-text"}}
}

func mappings(m []dashboard.ValueMapping) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "mappings", Value: m}
}

// drillDownLink opens this dashboard on the zone in the cell.
func drillDownLink() dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "links", Value: []map[string]any{{
		"title": "Drill down into ${__value.text}",
		"url":   "/d/" + UID + "?var-instance=${__value.raw}&${" + DatasourceVar + ":queryparam}&${job:queryparam}&${__url_time_range}",
	}}}
}

// runbookLink opens the check's entry in docs/checks.md.
func runbookLink() dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "links", Value: []map[string]any{{
		"title":       "Runbook: ${__value.text}",
		"url":         "${runbook}#${__value.raw}",
		"targetBlank": true,
	}}}
}

func result(text, color string, index int32) dashboard.ValueMappingResult {
	r := dashboard.ValueMappingResult{Text: cog.ToPtr(text), Index: cog.ToPtr(index)}
	if color != "" {
		r.Color = cog.ToPtr(color)
	}
	return r
}

func valueMapping(opts map[string]dashboard.ValueMappingResult) dashboard.ValueMapping {
	return dashboard.ValueMapping{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}
}

// valueMappings is the one value mapping opts.
func valueMappings(opts map[string]dashboard.ValueMappingResult) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{valueMapping(opts)}
}

func rangeMapping(from float64, to *float64, r dashboard.ValueMappingResult) dashboard.ValueMapping {
	return dashboard.ValueMapping{RangeMap: &dashboard.RangeMap{
		Type:    dashboard.MappingTypeRangeToText,
		Options: dashboard.DashboardRangeMapOptions{From: cog.ToPtr(from), To: to, Result: r},
	}}
}

// boolMappings maps a 0/1 gauge to words and colours.
func boolMappings(one, oneColor, zero, zeroColor string) []dashboard.ValueMapping {
	return valueMappings(map[string]dashboard.ValueMappingResult{
		"1": result(one, oneColor, 0),
		"0": result(zero, zeroColor, 1),
	})
}

// DNSSECStatuses are the values of dnshealth_dnssec_status's status label
// in the order of dnssecCode's numbers.
var DNSSECStatuses = []string{"secure", "insecure", "indeterminate", "bogus"}

// codeMappings names the numbers 0, 1, ... as names, coloured colors.
func codeMappings(names, colors []string) []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i, s := range names {
		opts[fmt.Sprint(i)] = result(s, colors[i], int32(i))
	}
	return valueMappings(opts)
}

func dnssecMappings() []dashboard.ValueMapping {
	return codeMappings(DNSSECStatuses, []string{green, blue, orange, red})
}

// Severities are the severity label values of dnshealth_diagnosis_info in
// the order of severityCode's numbers; dnshealth_finding uses the last three.
var Severities = []string{"none", "notice", "warning", "error"}

var severityColors = []string{green, blue, orange, red}

func severityCodeMappings() []dashboard.ValueMapping {
	return codeMappings(Severities, severityColors)
}

func severityTextMappings() []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i, s := range Severities {
		opts[s] = result(s, severityColors[i], int32(i))
	}
	return valueMappings(opts)
}

// NameserverStatuses are the status label values of
// dnshealth_nameserver_status; every one but ok and family_unreachable is
// lame.
var NameserverStatuses = []string{
	"ok", "timeout", "refused", "servfail", "not_authoritative", "referral",
	"upward_referral", "wrong_zone", "network_error", "malformed", "family_unreachable",
}

func nameserverStatusMappings() []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i, s := range NameserverStatuses {
		c := red
		switch s {
		case "ok":
			c = green
		case "family_unreachable":
			c = grey
		}
		opts[s] = result(s, c, int32(i))
	}
	return valueMappings(opts)
}

// ResolverStatuses are the status label values of dnshealth_resolver_status.
var ResolverStatuses = []string{
	"ok", "dnssec_failure", "servfail", "nxdomain", "timeout", "refused",
	"insecure", "network_error", "malformed",
}

func resolverStatusMappings() []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i, s := range ResolverStatuses {
		c := red
		switch s {
		case "ok":
			c = green
		case "insecure":
			c = orange
		case "timeout", "refused", "network_error", "malformed":
			c = grey // the resolver's view is missing, not the zone broken
		}
		opts[s] = result(s, c, int32(i))
	}
	return valueMappings(opts)
}

// algorithmMappings names DNSSEC algorithm numbers (IANA registry).
func algorithmMappings() []dashboard.ValueMapping {
	names := []struct{ n, name string }{
		{"5", "RSASHA1"}, {"7", "RSASHA1-NSEC3-SHA1"}, {"8", "RSASHA256"}, {"10", "RSASHA512"},
		{"13", "ECDSAP256SHA256"}, {"14", "ECDSAP384SHA384"}, {"15", "ED25519"}, {"16", "ED448"},
	}
	opts := map[string]dashboard.ValueMappingResult{}
	for i, a := range names {
		opts[a.n] = result(a.n+" "+a.name, "", int32(i))
	}
	return valueMappings(opts)
}

// edeMappings names RFC 8914 Extended DNS Error codes (IANA registry).
func edeMappings() []dashboard.ValueMapping {
	names := []string{
		"Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer",
		"Forged Answer", "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
		"Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing", "No Zone Key Bit Set",
		"NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored", "Filtered",
		"Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
		"No Reachable Authority", "Network Error", "Invalid Data", "Signature Expired before Valid",
		"Too Early", "Unsupported NSEC3 Iterations Value", "Unable to conform to policy",
		"Synthesized", "Invalid Query Type",
	}
	opts := map[string]dashboard.ValueMappingResult{}
	for i, n := range names {
		opts[fmt.Sprint(i)] = result(fmt.Sprintf("%d %s", i, n), "", int32(i))
	}
	return valueMappings(opts)
}
