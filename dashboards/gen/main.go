// Command gen renders the monitoring mixin (dashboards/mixin/) into
// alerts.yml, rules.yml and dnshealth-dashboard.json:
//
//	go generate ./...                     (in dashboards/)
//	go run ./gen -dir .                   (the same)
//	go run ./gen -dir out -config '{reportURL: "https://dns.example.net"}'
//
// -config is a jsonnet object merged into the mixin's _config, for users
// who want the files with their own settings without a jsonnet toolchain.
// The output is stable: the same mixin and settings give the same bytes,
// and the dashboards tests fail when the committed files differ from what
// the mixin renders with its defaults.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/dnshealth/dnshealth_exporter/dashboards"
)

func main() {
	dir := flag.String("dir", ".", "directory to write the files to")
	config := flag.String("config", "", "jsonnet object merged into the mixin's _config, e.g. '{reportURL: \"https://dns.example.net\"}'")
	flag.Parse()
	if err := run(*dir, *config); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
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
