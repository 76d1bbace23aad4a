// Command gen renders the monitoring mixin (dashboards/mixin/) into
// alerts.yml, rules.yml and dnshealth-dashboard.json:
//
//	go generate ./...                     (in dashboards/)
//	go run ./gen -dir .                   (the same)
//	go run ./gen -dir out -config '{reportURL: "https://dns.example.net"}'
//
// -config is a jsonnet object merged into the mixin's _config, for users
// who want the files with their own settings without a jsonnet toolchain.
// -fmt formats the mixin's jsonnet files in place (as jsonnetfmt does)
// instead; it runs in dashboards/, where mixin/ is.
// The output is stable: the same mixin and settings give the same bytes,
// and the dashboards tests fail when the committed files differ from what
// the mixin renders with its defaults.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-jsonnet/formatter"

	"github.com/dnshealth/dnshealth_exporter/dashboards"
)

func main() {
	dir := flag.String("dir", ".", "directory to write the files to")
	config := flag.String("config", "", "jsonnet object merged into the mixin's _config, e.g. '{reportURL: \"https://dns.example.net\"}'")
	format := flag.Bool("fmt", false, "format the jsonnet files under ./mixin in place, as jsonnetfmt does, and write nothing else")
	flag.Parse()
	var err error
	if *format {
		err = formatMixin("mixin")
	} else {
		err = run(*dir, *config)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// formatMixin formats every .libsonnet and .jsonnet file under dir with
// go-jsonnet's formatter (jsonnetfmt's default options).
func formatMixin(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "sonnet") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, err := formatter.Format(path, string(raw), formatter.DefaultOptions())
		if err != nil {
			return fmt.Errorf("formatting %s: %w", path, err)
		}
		if out == string(raw) {
			return nil
		}
		return os.WriteFile(path, []byte(out), 0o644)
	})
}

func run(dir, config string) error {
	files, err := dashboards.Render(config)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}
