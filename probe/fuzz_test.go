package probe_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// FuzzParseTarget: whatever the request's target, ParseTarget returns a
// one-line error or a name that is fully qualified, lower case, at most 255
// octets in wire form, valid for miekg/dns, and a fixed point (parsing it
// again gives it back), so a name the exporter accepted once is accepted
// the same way on the next scrape.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"example.org", "Example.ORG.", "bücher.example", "xn--bcher-kva.example", "_dmarc.example.com",
		"a..b", ".", "", "192.0.2.1", "[2001:db8::1]:53", "http://x.example/", strings.Repeat("a.", 130), "ex ample.org", "%ZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := probe.ParseTarget(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("ParseTarget(%q) error is not one line: %q", s, err)
			}
			return
		}
		if !dns.IsFqdn(name) || name == "." {
			t.Fatalf("ParseTarget(%q) = %q, not a fully qualified name below the root", s, name)
		}
		if strings.ToLower(name) != name {
			t.Fatalf("ParseTarget(%q) = %q, not lower case", s, name)
		}
		if len(name)+1 > 255 {
			t.Fatalf("ParseTarget(%q) = %q, longer than 255 octets in wire form", s, name)
		}
		if _, ok := dns.IsDomainName(name); !ok {
			t.Fatalf("ParseTarget(%q) = %q, which miekg/dns rejects", s, name)
		}
		again, err := probe.ParseTarget(name)
		if err != nil || again != name {
			t.Fatalf("ParseTarget(%q) = %q, but ParseTarget(%q) = %q, %v", s, name, name, again, err)
		}
	})
}

// FuzzParseConfig: any configuration file is either rejected with an error
// or gives modules that are all valid, with the built-in default present,
// every timeout positive and no query timeout beyond its probe's timeout.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"modules:\n  default:\n    timeout: 5s\n",
		"modules:\n  a:\n    resolvers: [127.0.0.1, '[::1]:5353']\n    records:\n      - {name: www, type: A}\n",
		"modules:\n  b:\n    ip_protocol: ip6\n    port: 10053\n    edns_buffer_size: 1400\n    max_queries: 10\n    dnssec: false\n",
		"modules:\n  c:\n    query_timeout: 30s\n    timeout: 1s\n",
		"modules: {bad name: {}}\n",
		"modules:\n  d:\n    unknown_key: 1\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// File names would make the fuzzer read the machine's files.
		if bytes.Contains(data, []byte("_file")) || bytes.Contains(data, []byte("&")) || bytes.Contains(data, []byte("*")) {
			t.Skip("names files or uses YAML anchors")
		}
		cfg, err := probe.ParseConfig(data, t.TempDir())
		if err != nil {
			if strings.ContainsAny(strings.TrimRight(err.Error(), "\n"), "\n") && !strings.Contains(err.Error(), "yaml") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if cfg.Modules["default"] == nil {
			t.Fatal("no default module")
		}
		for name, m := range cfg.Modules {
			if m == nil {
				t.Fatalf("module %q is nil", name)
			}
			if m.Timeout <= 0 || m.QueryTimeout <= 0 || m.QueryAttempts <= 0 || m.MaxQueries <= 0 {
				t.Fatalf("module %q has a non-positive bound: %+v", name, m)
			}
			if m.Port <= 0 || m.Port > 65535 {
				t.Fatalf("module %q has port %d", name, m.Port)
			}
			for _, r := range m.Resolvers {
				if _, err := probe.ParseResolver(r); err != nil {
					t.Fatalf("module %q keeps resolver %q that does not parse: %v", name, r, err)
				}
			}
		}
	})
}

// FuzzParseRootHints: a root hints file is rejected, or every server it
// yields has a lower-case name and at least one valid address.
func FuzzParseRootHints(f *testing.F) {
	f.Add(". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.1\n")
	f.Add(". 3600000 NS a.root.test.\na.root.test. 3600000 AAAA ::1\nb.root.test. 3600000 A 127.0.0.2\n")
	f.Add(". 3600000 NS a.root.test.\n")
	f.Add("test. 3600000 NS a.root.test.\n")
	f.Add("$INCLUDE /etc/passwd\n")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(strings.ToUpper(s), "$INCLUDE") {
			t.Skip("$INCLUDE reads the machine's files")
		}
		servers, err := probe.ParseRootHints(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		if len(servers) == 0 {
			t.Fatal("no error and no servers")
		}
		for _, ns := range servers {
			if ns.Name != strings.ToLower(ns.Name) || len(ns.Addrs) == 0 {
				t.Fatalf("server %+v", ns)
			}
			for _, a := range ns.Addrs {
				if !a.IsValid() {
					t.Fatalf("server %s has an invalid address", ns.Name)
				}
			}
		}
	})
}

// FuzzParseResolver: an accepted resolver has a valid address and a port.
func FuzzParseResolver(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1", "resolver.example", "1.2.3.4:0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ap, err := probe.ParseResolver(s)
		if err != nil {
			return
		}
		if !ap.IsValid() || ap.Port() == 0 || ap.Addr() == (netip.Addr{}) {
			t.Fatalf("ParseResolver(%q) = %v", s, ap)
		}
	})
}
