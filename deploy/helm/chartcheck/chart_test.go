package chartcheck

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

const (
	chartDir        = "../dnshealth-exporter"
	threeZones      = chartDir + "/ci/three-zones-values.yaml"
	releaseName     = "dns"
	releaseNS       = "monitoring"
	defaultJob      = "dnshealth"
	configKey       = "dnshealth.yml"
	autoReloadFlag  = "--config.auto-reload-interval="
	checksumAnnot   = "checksum/config"
	dashboardLabel  = "grafana_dashboard"
	operatorGroupV1 = "monitoring.coreos.com/v1"
)

// promql parses rule expressions as a Prometheus with no experimental
// features enabled does.
var promql = parser.NewParser(parser.Options{})

// values reads a values file; "" means the chart's defaults only.
func values(t *testing.T, file string, overrides map[string]any) map[string]any {
	t.Helper()
	vals := map[string]any{}
	if file != "" {
		v, err := chartutil.ReadValuesFile(file)
		if err != nil {
			t.Fatal(err)
		}
		vals = v.AsMap()
	}
	for k, v := range overrides {
		vals[k] = v
	}
	return vals
}

// rendered are the objects of one rendering of the chart, decoded.
type rendered struct {
	deployments  []appsv1.Deployment
	services     []corev1.Service
	pdbs         []policyv1.PodDisruptionBudget
	configMaps   []corev1.ConfigMap
	monitors     []monitoringv1.ServiceMonitor
	probes       []monitoringv1.Probe
	rules        []monitoringv1.PrometheusRule
	manifestText string
}

// render renders the chart as `helm template` does and decodes every
// object strictly: a field the Go type does not have is an error, so a
// misspelt field in a template fails here rather than being dropped by the
// API server or ignored by the Operator.
func render(t *testing.T, vals map[string]any) *rendered {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := chartutil.ToRenderValues(chrt, vals, chartutil.ReleaseOptions{Name: releaseName, Namespace: releaseNS, IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Render(chrt, top)
	if err != nil {
		t.Fatal(err)
	}
	out := &rendered{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(name, ".yaml") {
			continue // NOTES.txt, helpers
		}
		for _, doc := range releaseutil.SplitManifests(files[name]) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			out.manifestText += "---\n# " + name + "\n" + doc + "\n"
			if err := out.decode([]byte(doc)); err != nil {
				t.Errorf("%s: %v\n%s", name, err, doc)
			}
		}
	}
	return out
}

func (r *rendered) decode(doc []byte) error {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	switch head.APIVersion + " " + head.Kind {
	case "apps/v1 Deployment":
		return decodeInto(doc, &r.deployments)
	case "v1 Service":
		return decodeInto(doc, &r.services)
	case "policy/v1 PodDisruptionBudget":
		return decodeInto(doc, &r.pdbs)
	case "v1 ConfigMap":
		return decodeInto(doc, &r.configMaps)
	case operatorGroupV1 + " ServiceMonitor":
		return decodeInto(doc, &r.monitors)
	case operatorGroupV1 + " Probe":
		return decodeInto(doc, &r.probes)
	case operatorGroupV1 + " PrometheusRule":
		return decodeInto(doc, &r.rules)
	}
	return fmt.Errorf("no Go type to check %s %s against: add it to the test", head.APIVersion, head.Kind)
}

// decodeInto decodes doc strictly and appends the object to list. Unknown
// fields, duplicate fields and fields that differ from the Go type's only
// in case are errors, as with the API server's strict field validation,
// which decodes with the same package (sigs.k8s.io/json). encoding/json
// alone would match field names case-insensitively and take "readonly"
// for "readOnly".
func decodeInto[T any](doc []byte, list *[]T) error {
	var obj T
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return fmt.Errorf("converting to JSON for %T: %w", obj, err)
	}
	strictErrs, err := kjson.UnmarshalStrict(data, &obj)
	if err != nil {
		return fmt.Errorf("decoding into %T: %w", obj, err)
	}
	if len(strictErrs) > 0 {
		return fmt.Errorf("strict decoding into %T: %w", obj, errors.Join(strictErrs...))
	}
	*list = append(*list, obj)
	return nil
}

// valuesFiles are the chart's defaults ("") and every values file in ci/.
func valuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(chartDir + "/ci/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no values files in %s/ci: %v", chartDir, err)
	}
	return append([]string{""}, files...)
}

func testName(file string) string {
	if file == "" {
		return "defaults"
	}
	return filepath.Base(file)
}

func TestLint(t *testing.T) {
	for _, file := range valuesFiles(t) {
		t.Run(testName(file), func(t *testing.T) {
			linter := lint.AllWithKubeVersion(chartDir, values(t, file, nil), releaseNS, nil)
			for _, m := range linter.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("helm lint: %s", m)
				} else {
					t.Logf("helm lint: %s", m)
				}
			}
		})
	}
}

func TestRenderThreeZones(t *testing.T) {
	r := render(t, values(t, threeZones, nil))
	if t.Failed() {
		return
	}
	counts := map[string][2]int{
		"Deployment":          {len(r.deployments), 1},
		"Service":             {len(r.services), 1},
		"PodDisruptionBudget": {len(r.pdbs), 1},
		"ConfigMap":           {len(r.configMaps), 2},
		"ServiceMonitor":      {len(r.monitors), 1},
		"Probe":               {len(r.probes), 2},
		"PrometheusRule":      {len(r.rules), 1},
	}
	for kind, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%d %s objects, want %d", c[0], kind, c[1])
		}
	}
	if t.Failed() {
		t.Fatalf("manifests:\n%s", r.manifestText)
	}
	dep, svc := r.deployments[0], r.services[0]
	pod := dep.Spec.Template

	t.Run("zones", func(t *testing.T) {
		var zones []string
		for _, p := range r.probes {
			zones = append(zones, p.Spec.Targets.StaticConfig.Targets...)
		}
		slices.Sort(zones)
		if want := []string{"example.com", "example.net", "example.org"}; !slices.Equal(zones, want) {
			t.Errorf("Probe targets %v, want %v", zones, want)
		}
	})

	t.Run("probes_reach_the_service", func(t *testing.T) {
		want := fmt.Sprintf("%s.%s.svc:%d", svc.Name, svc.Namespace, svc.Spec.Ports[0].Port)
		for _, p := range r.probes {
			if p.Spec.ProberSpec.URL != want || p.Spec.ProberSpec.Path != "/probe" {
				t.Errorf("Probe %s: prober %s%s, want %s/probe", p.Name, p.Spec.ProberSpec.URL, p.Spec.ProberSpec.Path, want)
			}
			if p.Spec.Module == "" {
				t.Errorf("Probe %s has no module", p.Name)
			}
		}
	})

	t.Run("selectors", func(t *testing.T) {
		if !selects(svc.Spec.Selector, pod.Labels) {
			t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, pod.Labels)
		}
		if !selects(dep.Spec.Selector.MatchLabels, pod.Labels) {
			t.Errorf("Deployment selector %v does not select its pods %v", dep.Spec.Selector.MatchLabels, pod.Labels)
		}
		if !selects(r.pdbs[0].Spec.Selector.MatchLabels, pod.Labels) {
			t.Errorf("PodDisruptionBudget selector %v does not select the pods %v", r.pdbs[0].Spec.Selector.MatchLabels, pod.Labels)
		}
		sm := r.monitors[0]
		if !selects(sm.Spec.Selector.MatchLabels, svc.Labels) || sm.Spec.Endpoints[0].Port != svc.Spec.Ports[0].Name {
			t.Errorf("ServiceMonitor selects %v port %q; the Service has labels %v, port %q", sm.Spec.Selector.MatchLabels, sm.Spec.Endpoints[0].Port, svc.Labels, svc.Spec.Ports[0].Name)
		}
		for _, labels := range []map[string]string{sm.Labels, r.probes[0].Labels, r.rules[0].Labels} {
			if labels["release"] != "kube-prometheus-stack" {
				t.Errorf("monitoring object labels %v lack monitoringLabels' release", labels)
			}
		}
	})

	t.Run("replicas", func(t *testing.T) {
		if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 3 {
			t.Errorf("replicas %v, want 3", dep.Spec.Replicas)
		}
	})

	t.Run("security_context", func(t *testing.T) {
		psc := pod.Spec.SecurityContext
		c := pod.Spec.Containers[0]
		sc := c.SecurityContext
		switch {
		case psc == nil || sc == nil:
			t.Fatal("no security context")
		case psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0:
			t.Error("the pod may run as root")
		case psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
			t.Error("the pod's seccomp profile is not RuntimeDefault")
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Error("the root file system is writable")
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Error("privilege escalation is allowed")
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
			t.Errorf("capabilities %+v, want all dropped and none added", sc.Capabilities)
		case pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken:
			t.Error("the service account token is mounted; the exporter never talks to the API")
		}
	})

	t.Run("auto_reload", func(t *testing.T) {
		args := pod.Spec.Containers[0].Args
		if !slices.Contains(args, autoReloadFlag+"30s") {
			t.Errorf("args %v lack %s30s", args, autoReloadFlag)
		}
		if _, ok := pod.Annotations[checksumAnnot]; ok {
			t.Errorf("pod template has %s: a ConfigMap change would restart the pods that would reload it", checksumAnnot)
		}
		off := render(t, values(t, threeZones, map[string]any{"config": map[string]any{"autoReloadInterval": "0s"}}))
		if len(off.deployments) != 1 {
			t.Fatal("no Deployment with auto-reload off")
		}
		tpl := off.deployments[0].Spec.Template
		if _, ok := tpl.Annotations[checksumAnnot]; !ok {
			t.Errorf("auto-reload off but the pod template lacks %s: a ConfigMap change would never reach the exporter", checksumAnnot)
		}
		for _, a := range tpl.Spec.Containers[0].Args {
			if strings.HasPrefix(a, autoReloadFlag) {
				t.Errorf("auto-reload off but the exporter gets %s", a)
			}
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		for _, cm := range r.configMaps {
			if cm.Labels[dashboardLabel] != "1" {
				continue
			}
			want, err := os.ReadFile(chartDir + "/files/dnshealth-dashboard.json")
			if err != nil {
				t.Fatal(err)
			}
			if got := cm.Data["dnshealth-dashboard.json"]; got != strings.TrimRight(string(want), "\n") {
				t.Errorf("dashboard ConfigMap holds %d bytes, want the %d of files/dnshealth-dashboard.json", len(got), len(want))
			}
			return
		}
		t.Errorf("no ConfigMap labelled %s=\"1\" for Grafana's sidecar", dashboardLabel)
	})

	t.Run("rules_parse", func(t *testing.T) {
		n := 0
		for _, g := range r.rules[0].Spec.Groups {
			for _, rule := range g.Rules {
				if _, err := promql.ParseExpr(rule.Expr.String()); err != nil {
					t.Errorf("group %s, rule %s%s: %v", g.Name, rule.Alert, rule.Record, err)
				}
				n++
			}
		}
		if n == 0 {
			t.Error("the PrometheusRule has no rules")
		}
	})
}

// selects reports whether every label of selector is in labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// probeJob is the job label Prometheus gives a Probe's series when the
// Prometheus Operator generates its scrape configuration: the scrape
// config's job_name is "probe/<namespace>/<name>", and when spec.jobName is
// set a relabelling replaces the job label with it (prometheus-operator,
// pkg/prometheus/promcfg.go, generateProbeConfig, read at commit 6adcebc5,
// August 2026, after v0.93.0).
func probeJob(p monitoringv1.Probe) string {
	if p.Spec.JobName != "" {
		return p.Spec.JobName
	}
	return "probe/" + p.Namespace + "/" + p.Name
}

// jobMatchers returns every matcher on the job label in the rules'
// expressions, with the rule it is in.
func jobMatchers(t *testing.T, pr monitoringv1.PrometheusRule) map[string][]*labels.Matcher {
	t.Helper()
	out := map[string][]*labels.Matcher{}
	for _, g := range pr.Spec.Groups {
		for _, rule := range g.Rules {
			expr, err := promql.ParseExpr(rule.Expr.String())
			if err != nil {
				t.Fatalf("rule %s%s: %v", rule.Alert, rule.Record, err)
			}
			for _, sel := range parser.ExtractSelectors(expr) {
				for _, m := range sel {
					if m.Name == "job" {
						out[rule.Alert+rule.Record] = append(out[rule.Alert+rule.Record], m)
					}
				}
			}
		}
	}
	return out
}

func TestAlertsSelectProbeJob(t *testing.T) {
	for _, tc := range []struct {
		name, job string
		overrides map[string]any
	}{
		{"default_job", defaultJob, nil},
		{"custom_job", "dns-zones", map[string]any{"jobName": "dns-zones"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, values(t, threeZones, tc.overrides))
			if len(r.probes) == 0 || len(r.rules) != 1 {
				t.Fatalf("%d Probes and %d PrometheusRules rendered, want some and 1", len(r.probes), len(r.rules))
			}
			matchers := jobMatchers(t, r.rules[0])
			if len(matchers) == 0 {
				t.Fatal("no rule selects a job: the check below would prove nothing")
			}
			if _, ok := matchers["DNSHealthProbeAbsent"]; !ok {
				t.Error("DNSHealthProbeAbsent does not select a job")
			}
			for _, p := range r.probes {
				job := probeJob(p)
				if job != tc.job {
					t.Errorf("Probe %s: job %q, want %q (jobName)", p.Name, job, tc.job)
				}
				for rule, ms := range matchers {
					for _, m := range ms {
						if !m.Matches(job) {
							t.Errorf("rule %s selects %s, which does not match Probe %s's job %q", rule, m, p.Name, job)
						}
					}
				}
			}
		})
	}
}

// TestRenderStrict renders the chart with each values file; render fails
// the test on any object that does not decode strictly.
func TestRenderStrict(t *testing.T) {
	for _, file := range valuesFiles(t) {
		t.Run(testName(file), func(t *testing.T) {
			if r := render(t, values(t, file, nil)); len(r.deployments) != 1 {
				t.Errorf("%d Deployments, want 1", len(r.deployments))
			}
		})
	}
}

func TestConfigLoads(t *testing.T) {
	for _, file := range valuesFiles(t) {
		t.Run(testName(file), func(t *testing.T) {
			r := render(t, values(t, file, nil))
			var cm *corev1.ConfigMap
			for i := range r.configMaps {
				if _, ok := r.configMaps[i].Data[configKey]; ok {
					cm = &r.configMaps[i]
				}
			}
			if cm == nil {
				t.Fatalf("no ConfigMap holds %s", configKey)
			}
			// Lay the ConfigMap out as its volume does, so that the
			// files the configuration names resolve.
			dir := t.TempDir()
			for name, text := range cm.Data {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := probe.LoadConfig(filepath.Join(dir, configKey))
			if err != nil {
				t.Fatalf("the exporter rejects the rendered configuration: %v\n%s", err, cm.Data[configKey])
			}
			// The chart's modules, those of the values file, and the
			// built-in default.
			want := []string{"default"}
			for _, f := range []string{chartDir + "/values.yaml", file} {
				if config, ok := values(t, f, nil)["config"].(map[string]any); ok {
					want = slices.AppendSeq(want, maps.Keys(config["modules"].(map[string]any)))
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			got := slices.Sorted(maps.Keys(cfg.Modules))
			if !slices.Equal(got, want) {
				t.Errorf("modules %v, want %v", got, want)
			}
		})
	}
}

// TestChartFilesMatchDashboards keeps the chart's copies of the shipped
// rules and dashboard (a chart cannot read files outside its directory)
// equal to the originals in dashboards/.
func TestChartFilesMatchDashboards(t *testing.T) {
	const repo = "../../.."
	for _, name := range []string{"alerts.yml", "rules.yml", "dnshealth-dashboard.json"} {
		orig, err := os.ReadFile(filepath.Join(repo, "dashboards", name))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := os.ReadFile(filepath.Join(chartDir, "files", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(orig, cp) {
			t.Errorf("deploy/helm/dnshealth-exporter/files/%s differs from dashboards/%s. Refresh the chart's copies from the repository's top directory:\n"+
				"  cp dashboards/alerts.yml dashboards/rules.yml dashboards/dnshealth-dashboard.json deploy/helm/dnshealth-exporter/files/", name, name)
		}
	}
}
