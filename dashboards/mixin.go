// Package dashboards renders dnshealth_exporter's monitoring mixin, the
// jsonnet in mixin/, into the files that ship next to it: the alerting
// rules (alerts.yml), the recording rules (rules.yml) and the Grafana
// dashboard (dnshealth-dashboard.json). Regenerate them with
//
//	go generate ./...      (in dashboards/)
//
// The package is a Go module of its own so that the exporter's module
// does not require go-jsonnet, Prometheus or the Grafana SDK, which only
// the generator and the tests use.
package dashboards

//go:generate go run ./gen -dir .

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"strings"

	"github.com/google/go-jsonnet"
	"go.yaml.in/yaml/v3"
)

// The files Render returns, by name.
const (
	AlertsFile    = "alerts.yml"
	RulesFile     = "rules.yml"
	DashboardFile = "dnshealth-dashboard.json"
)

//go:embed mixin
var mixinFS embed.FS

// Rules is a Prometheus rule file.
type Rules struct {
	Groups []RuleGroup `json:"groups" yaml:"groups"`
}

// RuleGroup is a group of rules evaluated together.
type RuleGroup struct {
	Name  string `json:"name" yaml:"name"`
	Rules []Rule `json:"rules" yaml:"rules"`
}

// Rule is an alerting rule (Alert set) or a recording rule (Record set).
type Rule struct {
	Record      string            `json:"record,omitempty" yaml:"record,omitempty"`
	Alert       string            `json:"alert,omitempty" yaml:"alert,omitempty"`
	Expr        string            `json:"expr" yaml:"expr"`
	For         string            `json:"for,omitempty" yaml:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

// Mixin is the mixin evaluated: what the files hold, as values, and the
// settings and label value lists they were made with.
type Mixin struct {
	Alerts    Rules
	Rules     Rules
	Dashboard json.RawMessage
	// Config is the mixin's _config, defaults and overrides merged.
	Config map[string]any
	// Contract holds the label values the dashboard maps to names and
	// colours (mixin/lib/contract.libsonnet), by list name.
	Contract map[string][]string
}

// Evaluate evaluates the mixin with config, a jsonnet object merged into
// its _config ("" for the defaults), e.g. `{reportURL: "https://dns.example"}`.
func Evaluate(config string) (*Mixin, error) {
	if strings.TrimSpace(config) == "" {
		config = "{}"
	}
	vm := jsonnet.MakeVM()
	imp := &jsonnet.MemoryImporter{Data: map[string]jsonnet.Contents{}}
	err := fs.WalkDir(mixinFS, "mixin", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := mixinFS.ReadFile(path)
		if err != nil {
			return err
		}
		imp.Data[strings.TrimPrefix(path, "mixin/")] = jsonnet.MakeContentsRaw(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the embedded mixin: %w", err)
	}
	vm.Importer(imp)
	vm.ExtCode("config", config)
	const snippet = `
local mixin = (import 'mixin.libsonnet') + { _config+:: std.extVar('config') };
{
  alerts: mixin.prometheusAlerts,
  rules: mixin.prometheusRules,
  dashboard: mixin.grafanaDashboards['dnshealth-dashboard.json'],
  config: mixin._config,
  contract: import 'lib/contract.libsonnet',
}`
	out, err := vm.EvaluateAnonymousSnippet("render.jsonnet", snippet)
	if err != nil {
		return nil, fmt.Errorf("evaluating the mixin: %w", err)
	}
	var raw struct {
		Alerts, Rules, Dashboard json.RawMessage
		Config                   map[string]any
		Contract                 map[string][]string
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		return nil, fmt.Errorf("decoding the mixin's output: %w", err)
	}
	m := &Mixin{Dashboard: raw.Dashboard, Config: raw.Config, Contract: raw.Contract}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *Rules
	}{{"prometheusAlerts", raw.Alerts, &m.Alerts}, {"prometheusRules", raw.Rules, &m.Rules}} {
		// Strict: a misspelt field in the mixin is an error, not a rule
		// that silently lacks it.
		dec := json.NewDecoder(bytes.NewReader(f.raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.dst); err != nil {
			return nil, fmt.Errorf("the mixin's %s: %w", f.name, err)
		}
	}
	return m, nil
}

// Render evaluates the mixin with config (see Evaluate) and returns the
// files it generates, by name (AlertsFile, RulesFile, DashboardFile).
func Render(config string) (map[string][]byte, error) {
	m, err := Evaluate(config)
	if err != nil {
		return nil, err
	}
	alerts, err := ruleYAML(m.Alerts, alertsHeader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", AlertsFile, err)
	}
	rules, err := ruleYAML(m.Rules, rulesHeader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", RulesFile, err)
	}
	var dash bytes.Buffer
	if err := json.Indent(&dash, m.Dashboard, "", "  "); err != nil {
		return nil, fmt.Errorf("%s: %w", DashboardFile, err)
	}
	dash.WriteByte('\n')
	return map[string][]byte{AlertsFile: alerts, RulesFile: rules, DashboardFile: dash.Bytes()}, nil
}

const generated = `# Generated from the monitoring mixin (dashboards/mixin/): do not edit.
# Change the mixin, then run "go generate ./..." in dashboards/.
`

const alertsHeader = generated + `#
# Alerting rules for dnshealth_exporter. Load them with rules.yml (recording
# rules; DNSHealthSignerStalled reads them):
#
#   rule_files: [rules.yml, alerts.yml]
#
# dashboards/mixin/alerts.libsonnet explains each alert and its annotations.
`

const rulesHeader = generated + `#
# Recording rules for dnshealth_exporter. Load them together with alerts.yml:
#
#   rule_files: [rules.yml, alerts.yml]
#
# dashboards/mixin/rules.libsonnet says what each rule is for and who reads it.
`

// ruleYAML renders rules as YAML after header. Long strings (templates,
// expressions) are written as folded or literal block scalars, which the
// YAML emitter keeps exact, so that the file reads like a hand-written one.
func ruleYAML(r Rules, header string) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(r); err != nil {
		return nil, err
	}
	var style func(*yaml.Node)
	style = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			switch {
			case strings.Contains(n.Value, "\n"):
				n.Style = yaml.LiteralStyle
			case len(n.Value) > 80:
				n.Style = yaml.FoldedStyle
			}
		}
		for _, c := range n.Content {
			style(c)
		}
	}
	style(&n)
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	out := foldLines(buf.Bytes(), 80)
	// The folding above must not change a single value: read the file
	// back and compare.
	var back Rules
	if err := yaml.Unmarshal(out, &back); err != nil {
		return nil, fmt.Errorf("reading the rendered YAML back: %w", err)
	}
	if !reflect.DeepEqual(back, r) {
		return nil, fmt.Errorf("the rendered YAML does not read back as the rules it renders")
	}
	return out, nil
}

// foldLines wraps the content lines of the YAML's folded block scalars
// (">-", which the emitter writes on one line however long) at width
// columns. It breaks only at a single space between two other
// characters: in a folded scalar that line break reads back as the
// space it replaces (YAML 1.2, 8.1.3 "Folded Style"), where a break next
// to another space would not.
func foldLines(doc []byte, width int) []byte {
	lines := strings.Split(string(doc), "\n")
	var out []string
	inFolded := false
	for _, line := range lines {
		if inFolded && strings.TrimSpace(line) != "" && strings.HasPrefix(line, " ") {
			indent := len(line) - len(strings.TrimLeft(line, " "))
			out = append(out, wrap(line, indent, width)...)
			inFolded = false // the emitter writes the value on one line
			continue
		}
		inFolded = strings.HasSuffix(line, ": >-") || strings.HasSuffix(line, ": >")
		out = append(out, line)
	}
	return []byte(strings.Join(out, "\n"))
}

// wrap splits line, whose first indent bytes are spaces, into lines of at
// most width columns where possible, each with the same indentation.
func wrap(line string, indent, width int) []string {
	prefix, rest := line[:indent], line[indent:]
	var out []string
	for len(prefix)+len(rest) > width {
		cut := -1
		for i := min(width-len(prefix), len(rest)-2); i > 0; i-- {
			if rest[i] == ' ' && rest[i-1] != ' ' && rest[i+1] != ' ' {
				cut = i
				break
			}
		}
		if cut < 0 { // no place to break before width: the first one after
			for i := width - len(prefix); i < len(rest)-1; i++ {
				if i > 0 && rest[i] == ' ' && rest[i-1] != ' ' && rest[i+1] != ' ' {
					cut = i
					break
				}
			}
		}
		if cut < 0 {
			break
		}
		out = append(out, prefix+rest[:cut])
		rest = rest[cut+1:]
	}
	return append(out, prefix+rest)
}
