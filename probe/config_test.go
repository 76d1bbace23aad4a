package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

func TestDefaultModuleHasIANARoots(t *testing.T) {
	m := DefaultModule()
	if len(m.RootServers) != 13 {
		t.Fatalf("got %d root servers, want 13", len(m.RootServers))
	}
	if m.RootServers[0].Name != "a.root-servers.net." || m.RootServers[0].Addrs[0].String() != "198.41.0.4" {
		t.Errorf("first root server = %+v", m.RootServers[0])
	}
	if m.Port != 53 || m.EDNSBufferSize != 1232 || m.IPProtocol != IPBoth || m.Timeout != 10*time.Second {
		t.Errorf("defaults not applied: %+v", m)
	}
}

func TestParseConfig(t *testing.T) {
	dir := t.TempDir()
	hints := filepath.Join(dir, "hints")
	if err := os.WriteFile(hints, []byte(". 3600 NS a.lab.\na.lab. 3600 A 127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig([]byte("modules:\n  lab:\n    root_hints_file: hints\n    port: 5300\n    ip_protocol: ip4\n    timeout: 3s\n"), dir)
	if err != nil {
		t.Fatal(err)
	}
	lab := cfg.Modules["lab"]
	if lab.Port != 5300 || lab.IPProtocol != IPv4Only || lab.Timeout != 3*time.Second || lab.MaxQueries != DefaultMaxQueries {
		t.Errorf("lab module = %+v", lab)
	}
	if len(lab.RootServers) != 1 || lab.RootServers[0].Name != "a.lab." {
		t.Errorf("root servers = %+v", lab.RootServers)
	}
	if cfg.Modules["default"] == nil {
		t.Error("built-in default module missing")
	}

	bad := []struct{ name, yaml, want string }{
		{"unknown key", "modules:\n  x:\n    timeout: 1s\n    bogus: 1\n", "line 4: field bogus not found"},
		{"unknown top key", "module:\n  x: {}\n", "line 1: field module not found"},
		{"bad protocol", "modules:\n  x:\n    ip_protocol: ip5\n", `module "x": ip_protocol must be ip4, ip6 or both`},
		{"bad port", "modules:\n  x:\n    port: 70000\n", "port must be between"},
		{"small edns", "modules:\n  x:\n    edns_buffer_size: 100\n", "edns_buffer_size must be at least 512"},
		{"budget", "modules:\n  x:\n    max_queries: 5\n", "max_queries must be between"},
		{"bad duration", "modules:\n  x:\n    timeout: soon\n", "cannot unmarshal"},
		{"missing hints", "modules:\n  x:\n    root_hints_file: /nonexistent/hints\n", "root_hints_file"},
		{"bad module name", "modules:\n  \"a b\": {}\n", "module name"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseRootHintsErrors(t *testing.T) {
	for name, text := range map[string]string{
		"no NS":          "a.lab. 3600 A 127.0.0.1\n",
		"no address":     ". 3600 NS a.lab.\n",
		"NS not at root": "lab. 3600 NS a.lab.\na.lab. 3600 A 127.0.0.1\n",
		"syntax":         ". 3600 NS\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseRootHints(strings.NewReader(text), "test"); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestExampleConfig(t *testing.T) {
	cfg, err := LoadConfig("../docs/dnshealth.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"default", "ipv4", "lab"} {
		if cfg.Modules[name] == nil {
			t.Errorf("module %q missing", name)
		}
	}
	if got := cfg.Modules["lab"].RootServers; len(got) != 1 || got[0].Name != "a.root.lab." {
		t.Errorf("lab root servers = %+v", got)
	}
}

func TestDefaultTrustAnchors(t *testing.T) {
	ta := DefaultTrustAnchors()
	var tags []uint16
	for _, ds := range ta.DS["."] {
		tags = append(tags, ds.KeyTag)
		if ds.Algorithm != 8 || ds.DigestType != 2 {
			t.Errorf("root DS %d: algorithm %d digest %d, want 8 and 2", ds.KeyTag, ds.Algorithm, ds.DigestType)
		}
	}
	if len(tags) != 2 || tags[0] != 20326 || tags[1] != 38696 {
		t.Errorf("root anchor key tags = %v, want [20326 38696]", tags)
	}
	if z, ok := ta.closest("example.org."); !ok || z != "." {
		t.Errorf("closest anchor = %q %t", z, ok)
	}
	// IANA also publishes the keys: each must hash to its DS.
	keys, err := os.ReadFile("data/root.key")
	if err != nil {
		t.Fatal(err)
	}
	kta, err := ParseTrustAnchors(strings.NewReader(string(keys)), "root.key")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kta.Keys["."] {
		matched := false
		for _, ds := range ta.DS["."] {
			matched = matched || validate.DSMatches(ds, k)
		}
		if !matched {
			t.Errorf("root key %d matches no root DS", k.KeyTag())
		}
	}
}

func TestTrustAnchorsErrors(t *testing.T) {
	for name, text := range map[string]string{
		"empty":    "; nothing\n",
		"A record": "example. 3600 IN A 192.0.2.1\n",
		"syntax":   "example. IN DS 1 8\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseTrustAnchors(strings.NewReader(text), "t"); err == nil {
				t.Fatal("no error")
			}
		})
	}
	_, err := ParseConfig([]byte("modules:\n  x:\n    records:\n      - {name: www, type: BOGUS}\n"), "")
	if err == nil || !strings.Contains(err.Error(), "records[0]") {
		t.Errorf("bad record type: %v", err)
	}
}
