package main

import (
	"os/exec"
	"strings"
	"testing"
)

// importGraph returns, for every package in the dependency closure of the
// patterns (test files included when tests is set), the packages it
// imports directly, from `go list -deps [-test]`.
func importGraph(t *testing.T, tests bool, patterns ...string) map[string][]string {
	t.Helper()
	args := []string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}
	if tests {
		args = append(args, "-test")
	}
	args = append(args, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		// Test variants are listed as "pkg [pkg.test]"; fold them into pkg.
		name := f[0]
		rest := f[1:]
		if len(rest) > 0 && strings.HasPrefix(rest[0], "[") {
			rest = rest[1:]
		}
		for _, imp := range rest {
			if !strings.HasPrefix(imp, "[") {
				g[name] = append(g[name], imp)
			}
		}
		if _, ok := g[name]; !ok {
			g[name] = nil
		}
	}
	return g
}

const module = "github.com/dnshealth/dnshealth_exporter"

func hasPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// TestBoundaries holds the package split: probe/ knows no Prometheus,
// collector/ no DNS library, the validator no network, and the lab none
// of the probe engine (it serves the engine's tests, so it must not lean
// on what it tests).
func TestBoundaries(t *testing.T) {
	t.Run("probe and its sub-packages import no client_golang, even indirectly", func(t *testing.T) {
		for pkg := range importGraph(t, true, "./probe/...") {
			if hasPrefix(pkg, "github.com/prometheus/client_golang") {
				t.Errorf("probe/... depends on %s", pkg)
			}
		}
	})
	t.Run("collector imports no miekg/dns", func(t *testing.T) {
		for pkg, imps := range importGraph(t, true, "./collector/") {
			if !hasPrefix(pkg, module+"/collector") {
				continue
			}
			for _, imp := range imps {
				if hasPrefix(imp, "github.com/miekg/dns") {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
	})
	t.Run("the validator package imports no net", func(t *testing.T) {
		// miekg/dns itself imports net; what is held is that no code of
		// this module in the validator's closure does. Its tests may
		// (the shared test kit has a resolver stub on a socket).
		for pkg, imps := range importGraph(t, false, "./probe/validate/") {
			if !hasPrefix(pkg, module) {
				continue
			}
			for _, imp := range imps {
				if hasPrefix(imp, "net") {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
	})
	t.Run("lab does not import the probe engine", func(t *testing.T) {
		for pkg := range importGraph(t, true, "./lab/") {
			if pkg == module+"/probe" {
				t.Errorf("lab depends on %s", pkg)
			}
		}
	})
}
