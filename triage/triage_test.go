package triage

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// bogusReport is a report with something in every section: a cached hop,
// a parent server that failed, a lame address and one not tried, an
// expired signature, a resolver that fails validation and one that times
// out, and findings of every severity.
func bogusReport() *probe.Report {
	return &probe.Report{
		Zone:     "example.com.",
		Module:   "default",
		Time:     t0,
		Parent:   "com.",
		Duration: 1234 * time.Millisecond,
		Path: []probe.Hop{
			{Zone: ".", Servers: []string{"a.root-servers.net", "b.root-servers.net"}},
			{Zone: "com.", Servers: []string{"a.gtld-servers.net"}, Cached: true},
		},
		ParentServers: []probe.ParentServer{
			{Nameserver: "b.gtld-servers.net", Address: "192.33.14.30", Detail: "timeout after 2 attempts"},
			{Nameserver: "a.gtld-servers.net", Address: "192.5.6.30", OK: true,
				NS:   []string{"ns1.example.com", "ns2.example.net"},
				Glue: map[string][]string{"ns1.example.com": {"192.0.2.1"}}},
		},
		DelegationNS: []string{"ns1.example.com", "ns2.example.net", "ns3.example.org"},
		NSAddresses: map[string][]string{
			"ns1.example.com": {"192.0.2.1"},
			"ns2.example.net": {"198.51.100.2", "2001:db8::2"},
			"ns3.example.org": nil,
		},
		Servers: []probe.ServerResult{
			{Nameserver: "ns1.example.com", Address: "192.0.2.1", Status: probe.StatusOK, RTT: 12300 * time.Microsecond,
				Serial: 2026112701, ApexNS: []string{"ns1.example.com", "ns2.example.net"}, Transport: "tcp"},
			{Nameserver: "ns2.example.net", Address: "198.51.100.2", Status: probe.StatusRefused, RTT: 5 * time.Millisecond,
				Detail: "answered REFUSED: the server is not configured for the zone"},
			{Nameserver: "ns2.example.net", Address: "2001:db8::2", Status: probe.StatusFamilyUnreachable,
				Detail: "no IPv6 route from the exporter's host"},
		},
		SerialConsistent: ptr(true),
		NSConsistent:     ptr(false),
		DNSSEC: &probe.DNSSECReport{
			Status: probe.DNSSECBogus,
			Anchor: ".",
			Chain: []probe.ChainLink{
				{Zone: ".", Status: probe.DNSSECSecure, KeyTags: []uint16{20326, 38696}},
				{Zone: "com", Status: probe.DNSSECSecure, KeyTags: []uint16{19718}, Cached: true},
			},
			DS: []probe.DSRecord{
				{KeyTag: 370, Algorithm: 13, DigestType: 2, Matched: true},
				{KeyTag: 999, Algorithm: 8, DigestType: 1},
			},
			DNSKEYs: []probe.KeyRecord{
				{KeyTag: 12345, Algorithm: 13, Flags: 256},
				{KeyTag: 370, Algorithm: 13, Flags: 257, SignsKeySet: true},
				{KeyTag: 4242, Algorithm: 13, Flags: 385},
			},
			DSMatchesDNSKEY:  ptr(true),
			DNSKEYConsistent: ptr(true),
			NSEC3:            &probe.NSEC3Param{Iterations: 0, SaltLength: 8},
			Signatures: []probe.SignatureObs{
				{Nameserver: "ns1.example.com", Address: "192.0.2.1", Owner: "example.com.", Type: "SOA",
					Inception: t0.Add(-15 * 24 * time.Hour), Expiration: t0.Add(-36 * time.Hour),
					Detail: "example.com. SOA: RRSIG by key 12345 expired 2026-11-25T24:00:00Z (36h0m0s ago)"},
				{Nameserver: "ns1.example.com", Address: "192.0.2.1", Owner: "example.com.", Type: "DNSKEY", Valid: true,
					Inception: t0.Add(-24 * time.Hour), Expiration: t0.Add(10 * 24 * time.Hour)},
				{Nameserver: "ns1.example.com", Address: "192.0.2.1", Owner: "www.example.com.", Type: "A", Valid: true,
					Inception: t0.Add(-24 * time.Hour), Expiration: t0.Add(2 * 24 * time.Hour)},
			},
			Denials: []probe.DenialObs{
				{Nameserver: "ns1.example.com", Address: "192.0.2.1", Kind: "nxdomain", Qname: "dnshealth-0000002a.example.com.", Qtype: "A",
					Detail: "nxdomain proof for dnshealth-0000002a.example.com. A: no NSEC3 covers the next closer name"},
				{Nameserver: "ns1.example.com", Address: "192.0.2.1", Kind: "nodata", Qname: "example.com.", Qtype: "NULL", Valid: true},
			},
			EarliestExpiration: t0.Add(-36 * time.Hour),
		},
		Resolvers: []probe.ResolverResult{
			{Resolver: "9.9.9.9", Status: probe.ResolverDNSSECFailure, RTT: 20 * time.Millisecond,
				EDE: []probe.EDE{{Code: 7, Text: "signature expired"}},
				Queries: []probe.ResolverQuery{
					{Qname: "example.com.", Qtype: "SOA", Rcode: "SERVFAIL", RTT: 20 * time.Millisecond, EDE: []probe.EDE{{Code: 7, Text: "signature expired"}}},
					{Qname: "example.com.", Qtype: "SOA", CD: true, Rcode: "NOERROR", Answer: true, RTT: 31500 * time.Microsecond},
				},
				Detail: "answered SERVFAIL with CD=0 and NOERROR with CD=1: DNSSEC validation fails"},
			{Resolver: "192.0.2.53:5353", Status: probe.ResolverTimeout, RTT: 2 * time.Second,
				Queries: []probe.ResolverQuery{{Qname: "example.com.", Qtype: "SOA", RTT: 2 * time.Second, Err: "read udp: i/o timeout"}},
				Detail:  "read udp: i/o timeout"},
		},
		Diagnosis: &probe.Diagnosis{
			Cause:            probe.CauseSignatureExpired,
			Severity:         probe.SeverityError,
			ServfailExpected: true,
			Summary:          "DNSSEC signatures of example.com have expired, earliest expiry -1.5 days (ns1.example.com 192.0.2.1): validating resolvers SERVFAIL it",
			Checks:           []probe.CheckID{"rrsig_expired", "lame_refused", "resolver_dnssec_failure", "resolver_unreachable", "nsec3_salt"},
		},
		Findings: []probe.Finding{
			{Check: "nsec3_salt", Severity: probe.SeverityNotice, Message: "NSEC3 salt of 8 octets"},
			{Check: "resolver_unreachable", Severity: probe.SeverityWarning, Address: "192.0.2.53:5353", Message: "resolver 192.0.2.53:5353 timed out"},
			{Check: "rrsig_expired", Severity: probe.SeverityError, Nameserver: "ns1.example.com", Address: "192.0.2.1", Message: "the SOA RRSIG expired 1.5 days ago"},
			{Check: "lame_refused", Severity: probe.SeverityError, Nameserver: "ns2.example.net", Address: "198.51.100.2", Message: "lame for example.com: answered REFUSED"},
			{Check: "resolver_dnssec_failure", Severity: probe.SeverityError, Address: "9.9.9.9", Message: "SERVFAIL with CD=0, NOERROR with CD=1 (EDE 7)"},
			{Check: "address_family_unreachable", Severity: probe.SeverityNotice, Nameserver: "ns2.example.net", Address: "2001:db8::2", Message: "no IPv6 route"},
		},
		QueryCount: 42,
	}
}

func healthyReport() *probe.Report {
	return &probe.Report{
		Zone: "example.org.", Module: "default", Time: t0, Parent: "org.",
		Path:          []probe.Hop{{Zone: ".", Servers: []string{"a.root-servers.net"}}, {Zone: "org.", Servers: []string{"a0.org.afilias-nst.info"}}},
		ParentServers: []probe.ParentServer{{Nameserver: "a0.org.afilias-nst.info", Address: "199.19.56.1", OK: true, NS: []string{"ns1.example.org"}}},
		DelegationNS:  []string{"ns1.example.org"},
		Servers:       []probe.ServerResult{{Nameserver: "ns1.example.org", Address: "192.0.2.10", Status: probe.StatusOK, Serial: 7, Transport: "udp"}},
		DNSSEC:        &probe.DNSSECReport{Status: probe.DNSSECInsecure, Anchor: "."},
		Diagnosis:     &probe.Diagnosis{Cause: probe.CauseHealthy, Summary: "example.org is healthy"},
		Findings:      []probe.Finding{},
	}
}

func testRunbook(t *testing.T) *Runbook {
	t.Helper()
	md, err := os.ReadFile("testdata/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	return ParseRunbook(md)
}

func realRunbook(t *testing.T) *Runbook {
	t.Helper()
	md, err := os.ReadFile("../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	return ParseRunbook(md)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./triage -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test ./triage -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestExit(t *testing.T) {
	withFindings := func(sevs ...probe.Severity) *probe.Report {
		r := &probe.Report{Zone: "example.com."}
		for _, s := range sevs {
			r.Findings = append(r.Findings, probe.Finding{Check: "x", Severity: s})
		}
		return r
	}
	tests := []struct {
		name string
		r    *probe.Report
		want int
	}{
		{"nil_report", nil, ExitNotRun},
		{"no_findings", withFindings(), ExitOK},
		{"notices_only", withFindings(probe.SeverityNotice, probe.SeverityNotice), ExitOK},
		{"warning", withFindings(probe.SeverityNotice, probe.SeverityWarning), ExitWarning},
		{"error", withFindings(probe.SeverityWarning, probe.SeverityError, probe.SeverityNotice), ExitError},
		{"diagnosis_severity_counts", &probe.Report{Diagnosis: &probe.Diagnosis{Cause: "x", Severity: probe.SeverityWarning}}, ExitWarning},
		{"bogus_report", bogusReport(), ExitError},
		{"healthy_report", healthyReport(), ExitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Exit(tc.r); got != tc.want {
				t.Errorf("Exit = %d, want %d", got, tc.want)
			}
		})
	}
}

func renderText(t *testing.T, r *probe.Report, opts TextOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Text(&b, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestText(t *testing.T) {
	rb := testRunbook(t)
	out := renderText(t, bogusReport(), TextOptions{Runbook: rb})

	t.Run("no_colour", func(t *testing.T) {
		if strings.Contains(out, "\x1b") {
			t.Errorf("output without Colour has escape codes:\n%s", out)
		}
	})
	t.Run("sections_in_order", func(t *testing.T) {
		last := -1
		for _, h := range []string{"\nDelegation\n", "\nParent servers (com.)\n", "\nNameservers\n", "\nDNSSEC: bogus", "\nResolvers\n", "\nDiagnosis\n", "\nWhat to do\n"} {
			i := strings.Index(out, h)
			if i < 0 {
				t.Errorf("no section %q", strings.TrimSpace(h))
				continue
			}
			if i < last {
				t.Errorf("section %q out of order", strings.TrimSpace(h))
			}
			last = i
		}
	})
	t.Run("content", func(t *testing.T) {
		for _, want := range []string{
			"Triage of example.com (module default), probed 2026-11-27T12:00:00Z: 42 queries in 1.23s",
			"com.          a.gtld-servers.net                               (cached)",
			"example.com.  ns1.example.com ns2.example.net ns3.example.org  (delegated by com.)",
			"b.gtld-servers.net  192.33.14.30  no delegation  timeout after 2 attempts",
			"a.gtld-servers.net  192.5.6.30    ok\n",
			"all answer NS ns1.example.com ns2.example.net; glue ns1.example.com 192.0.2.1",
			"192.0.2.1     ok                              rtt 12.3ms   serial 2026112701; over TCP (UDP truncated)",
			"198.51.100.2  refused (lame)                  rtt 5.000ms  answered REFUSED",
			"2001:db8::2   not tried (family_unreachable)  -            no IPv6 route",
			"ns3.example.org  -             no address",
			"serials agree: yes; NS same at parent and child: no",
			".             secure  keys 20326 38696",
			"com.          secure  keys 19718 (cached)",
			"example.com.  bogus",
			"DS 370 algorithm 13 digest 2: matches a key that signs the key set",
			"DS 999 algorithm 8 digest 1: matches no key that signs the key set",
			"DNSKEY 370 KSK algorithm 13: signs the key set",
			"DNSKEY 4242 KSK (revoked) algorithm 13",
			"DNSKEY 12345 ZSK algorithm 13",
			"NSEC3: 0 iterations, salt of 8 octets, opt-out no",
			"earliest signature expiry 2026-11-26T00:00:00Z: -1.5 days (expired)",
			"signatures that do not validate (1 of 3):",
			"ns1.example.com  192.0.2.1  SOA  -1.5 days (expired)  RRSIG by key 12345 expired",
			"proofs of non-existence that do not hold (1 of 2):",
			"nxdomain proof  dnshealth-0000002a.example.com. A: no NSEC3 covers the next closer name",
			"9.9.9.9  dnssec_failure  AD=0  rtt 20.0ms  EDE 7 \"signature expired\"",
			"example.com SOA  CD=0 SERVFAIL, EDE 7 \"signature expired\", 20.0ms  CD=1 NOERROR, 31.5ms",
			"192.0.2.53:5353  timeout  AD=0  rtt 2000.0ms",
			"CD=0 error: read udp: i/o timeout, 2000.0ms  CD=1 not asked",
			"signature_expired (error)",
			"  DNSSEC signatures of example.com have expired, earliest expiry -1.5 days (ns1.example.com 192.0.2.1): validating resolvers SERVFAIL it\n",
			"SERVFAIL expected: validating resolvers fail on every path",
			"findings (6):",
			"error lame_refused [ns2.example.net 198.51.100.2]: lame for example.com: answered REFUSED",
			"notice nsec3_salt: NSEC3 salt of 8 octets",
			"rrsig_expired (error): a signature served for the zone has expired",
			"   1. Re-sign now: `rndc sign example.com`.",
			"   2. If a secondary is stale, fix transfers (soa_serial_mismatch), then force a refresh.",
			"   3. Tell the on-call channel.",
			"      runbook: docs/checks.md#rrsig_expired",
			"   4. Restore the zone at the provider (DNS provider).",
			"resolver_dnssec_failure (error): a resolver answers SERVFAIL with DNSSEC validation",
			"(the runbook has no section for this check)\n  resolver_unreachable (warning)",
			"   5. at the next re-signing, set an empty salt. See RFC 9276\n      (https://www.rfc-editor.org/rfc/rfc9276).\n      runbook: docs/checks.md#nsec3_salt",
			"also raised (see the findings above and docs/checks.md): address_family_unreachable (notice)",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
	})
	t.Run("findings_most_urgent_first", func(t *testing.T) {
		var sevs []string
		for _, l := range strings.Split(out[strings.Index(out, "findings (6):"):strings.Index(out, "What to do")], "\n")[1:] {
			if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(l, "        ") {
				sevs = append(sevs, f[0])
			}
		}
		want := []string{"error", "error", "error", "warning", "notice", "notice"}
		if !slices.Equal(sevs, want) {
			t.Errorf("finding severities %v, want %v", sevs, want)
		}
	})
	t.Run("steps_deduplicated", func(t *testing.T) {
		if n := strings.Count(out, "Tell the on-call channel."); n != 1 {
			t.Errorf("the step both checks share is printed %d times, want once", n)
		}
	})
	t.Run("healthy", func(t *testing.T) {
		out := renderText(t, healthyReport(), TextOptions{Runbook: rb})
		for _, want := range []string{"healthy (ok)", "SERVFAIL not expected", "no findings", "nothing: no check raised a finding", "none asked: module default configures no resolvers"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("without_runbook", func(t *testing.T) {
		out := renderText(t, bogusReport(), TextOptions{})
		if !strings.Contains(out, "rrsig_expired (error): a signature served for the zone has expired") {
			t.Errorf("without a runbook the summary should come from probe.Checks:\n%s", out)
		}
		if strings.Contains(out, "   1. ") {
			t.Errorf("steps printed without a runbook:\n%s", out)
		}
	})
	t.Run("bare_report", func(t *testing.T) {
		out := renderText(t, &probe.Report{Zone: "example.net."}, TextOptions{})
		for _, want := range []string{"the walk did not reach the parent zone", "DNSSEC\n  not checked", "Diagnosis\n  none drawn"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("nil_report", func(t *testing.T) {
		if out := renderText(t, nil, TextOptions{}); !strings.Contains(out, "no report") {
			t.Errorf("got %q", out)
		}
	})
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestTextColour(t *testing.T) {
	rb := testRunbook(t)
	for _, tc := range []struct {
		name string
		r    *probe.Report
		want []string
	}{
		{"bogus", bogusReport(), []string{
			"\x1b[31mrefused (lame)\x1b[0m",
			"\x1b[32mok\x1b[0m",
			"\x1b[31mbogus\x1b[0m",
			"\x1b[33mwarning\x1b[0m resolver_unreachable",
			"\x1b[36mnotice\x1b[0m nsec3_salt",
			"\x1b[1mDelegation\x1b[0m",
		}},
		{"healthy", healthyReport(), []string{"\x1b[32mok\x1b[0m", "\x1b[32mno findings\x1b[0m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			coloured := renderText(t, tc.r, TextOptions{Colour: true, Runbook: rb})
			for _, want := range tc.want {
				if !strings.Contains(coloured, want) {
					t.Errorf("coloured output lacks %q", want)
				}
			}
			// Colour changes nothing else: padding is computed on the text.
			plain := renderText(t, tc.r, TextOptions{Runbook: rb})
			if got := ansiRE.ReplaceAllString(coloured, ""); got != plain {
				t.Errorf("coloured output without its escape codes differs from the plain output:\n%s\n---\n%s", got, plain)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	rb := testRunbook(t)
	t.Run("text", func(t *testing.T) {
		golden(t, "bogus.txt", []byte(renderText(t, bogusReport(), TextOptions{Runbook: rb})))
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := JSON(&b, bogusReport(), rb); err != nil {
			t.Fatal(err)
		}
		golden(t, "bogus.json", b.Bytes())
	})
}

func decodeJSON(t *testing.T, r *probe.Report, rb *Runbook) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := JSON(&b, r, rb); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	return doc
}

// at walks a decoded document: keys for objects, indices for arrays.
func at(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				t.Fatalf("no key %q in path %v", p, path)
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				t.Fatalf("no index %q in path %v", p, path)
			}
			v = x[i]
		default:
			t.Fatalf("cannot index %T with %q in path %v", v, p, path)
		}
	}
	return v
}

func TestJSON(t *testing.T) {
	rb := testRunbook(t)
	doc := decodeJSON(t, bogusReport(), rb)
	tests := []struct {
		name string
		path []string
		want any
	}{
		{"version", []string{"version"}, 1.0},
		{"zone", []string{"zone"}, "example.com."},
		{"time_rfc3339", []string{"time"}, "2026-11-27T12:00:00Z"},
		{"duration_seconds", []string{"duration_seconds"}, 1.234},
		{"exit_code", []string{"exit_code"}, 2.0},
		{"success", []string{"success"}, false},
		{"cause", []string{"diagnosis", "cause"}, "signature_expired"},
		{"servfail_expected", []string{"diagnosis", "servfail_expected"}, true},
		{"parent", []string{"delegation", "parent"}, "com."},
		{"parent_servers_sorted", []string{"delegation", "parent_servers", "0", "nameserver"}, "a.gtld-servers.net"},
		{"parent_server_detail_null", []string{"delegation", "parent_servers", "0", "detail"}, nil},
		{"ns_without_address", []string{"delegation", "ns_addresses", "ns3.example.org"}, []any{}},
		{"rtt_seconds", []string{"delegation", "nameservers", "0", "rtt_seconds"}, 0.0123},
		{"serial", []string{"delegation", "nameservers", "0", "serial"}, 2026112701.0},
		{"serial_null_when_lame", []string{"delegation", "nameservers", "1", "serial"}, nil},
		{"lame", []string{"delegation", "nameservers", "1", "lame"}, true},
		{"family_unreachable_not_lame", []string{"delegation", "nameservers", "2", "lame"}, false},
		{"glue_consistent_null", []string{"delegation", "glue_consistent"}, nil},
		{"ns_consistent", []string{"delegation", "ns_parent_child_consistent"}, false},
		{"chain_root_fqdn", []string{"dnssec", "chain", "0", "zone"}, "."},
		{"chain_tld_fqdn", []string{"dnssec", "chain", "1", "zone"}, "com."},
		{"chain_cached", []string{"dnssec", "chain", "1", "cached"}, true},
		{"ksk_first", []string{"dnssec", "dnskeys", "0", "key_tag"}, 370.0},
		{"ksk_role", []string{"dnssec", "dnskeys", "0", "role"}, "ksk"},
		{"revoked", []string{"dnssec", "dnskeys", "1", "revoked"}, true},
		{"zsk_role", []string{"dnssec", "dnskeys", "2", "role"}, "zsk"},
		{"days_to_expiry", []string{"dnssec", "days_to_expiry"}, -1.5},
		{"earliest_expiration", []string{"dnssec", "earliest_expiration"}, "2026-11-26T00:00:00Z"},
		{"cds_null", []string{"dnssec", "cds_matches_ds"}, nil},
		{"signatures_sorted", []string{"dnssec", "signatures", "0", "type"}, "DNSKEY"},
		{"signature_days", []string{"dnssec", "signatures", "1", "days_to_expiry"}, -1.5},
		{"resolver_status", []string{"resolvers", "0", "status"}, "dnssec_failure"},
		{"resolver_cd1", []string{"resolvers", "0", "queries", "1", "cd"}, true},
		{"resolver_ede", []string{"resolvers", "0", "queries", "0", "ede", "0", "code"}, 7.0},
		{"resolver_rcode_null_on_error", []string{"resolvers", "1", "queries", "0", "rcode"}, nil},
		{"resolver_rtt_seconds", []string{"resolvers", "1", "rtt_seconds"}, 2.0},
		{"findings_sorted", []string{"findings", "0", "check"}, "lame_refused"},
		{"finding_without_nameserver", []string{"findings", "1", "nameserver"}, nil},
		{"remediation_order", []string{"remediation", "0", "check"}, "rrsig_expired"},
		{"remediation_runbook", []string{"remediation", "0", "runbook"}, "docs/checks.md#rrsig_expired"},
		{"remediation_zone_substituted", []string{"remediation", "0", "steps", "0"}, "Re-sign now: `rndc sign example.com`."},
		{"remediation_steps_not_deduplicated", []string{"remediation", "1", "steps", "1"}, "Tell the on-call channel."},
		{"remediation_undocumented", []string{"remediation", "2", "steps"}, []any{}},
		{"remediation_outside_diagnosis_last", []string{"remediation", "5", "check"}, "address_family_unreachable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := at(t, doc, tc.path...)
			if g, ok := got.(float64); ok {
				if w, ok := tc.want.(float64); ok && (g-w > 1e-9 || w-g > 1e-9) {
					t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
				}
				return
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tc.want)
			if !bytes.Equal(gj, wj) {
				t.Errorf("%v = %s, want %s", tc.path, gj, wj)
			}
		})
	}

	t.Run("times_parse", func(t *testing.T) {
		for _, p := range [][]string{{"time"}, {"dnssec", "earliest_expiration"}, {"dnssec", "signatures", "0", "inception"}} {
			s, _ := at(t, doc, p...).(string)
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("%v = %q: %v", p, s, err)
			}
		}
	})

	t.Run("empty_report", func(t *testing.T) {
		doc := decodeJSON(t, &probe.Report{Zone: "example.net."}, nil)
		for _, p := range [][]string{{"resolvers"}, {"findings"}, {"remediation"}, {"delegation", "path"}, {"delegation", "nameservers"}, {"delegation", "parent_servers"}, {"delegation", "ns"}} {
			if v, ok := at(t, doc, p...).([]any); !ok || len(v) != 0 {
				t.Errorf("%v = %#v, want []", p, at(t, doc, p...))
			}
		}
		for _, p := range [][]string{{"dnssec"}, {"diagnosis"}, {"time"}, {"delegation", "parent"}} {
			if v := at(t, doc, p...); v != nil {
				t.Errorf("%v = %#v, want null", p, v)
			}
		}
		if v := at(t, doc, "exit_code"); v != 0.0 {
			t.Errorf("exit_code = %v, want 0", v)
		}
	})

	t.Run("healthy_severity_null", func(t *testing.T) {
		doc := decodeJSON(t, healthyReport(), rb)
		if v := at(t, doc, "diagnosis", "severity"); v != nil {
			t.Errorf("severity = %#v, want null", v)
		}
		if v := at(t, doc, "diagnosis", "checks"); len(v.([]any)) != 0 {
			t.Errorf("checks = %#v, want []", v)
		}
	})
}

func TestParseRunbook(t *testing.T) {
	t.Run("real_runbook", func(t *testing.T) {
		rb := realRunbook(t)
		for _, tc := range []struct {
			check     string
			firstStep string
		}{
			{"lame_refused", "If the zone should be on that server"},
			{"rrsig_expired", "Re-sign now"},
		} {
			t.Run(tc.check, func(t *testing.T) {
				e, ok := rb.Entry(tc.check)
				if !ok {
					t.Fatalf("no entry for %s", tc.check)
				}
				if len(e.Steps) < 2 {
					t.Fatalf("steps %q, want the numbered list", e.Steps)
				}
				if !strings.HasPrefix(e.Steps[0], tc.firstStep) {
					t.Errorf("first step %q, want it to start with %q", e.Steps[0], tc.firstStep)
				}
				if e.Severity != "error" {
					t.Errorf("severity %q, want error", e.Severity)
				}
				if want := catalogueSummary(probe.CheckID(tc.check)); e.Summary != want {
					t.Errorf("summary %q, want the catalogue's %q", e.Summary, want)
				}
				for _, s := range e.Steps {
					if strings.Contains(s, "](") || strings.Contains(s, "**") || strings.Contains(s, "\n") {
						t.Errorf("step %q is not plain text", s)
					}
				}
			})
		}
		t.Run("every_section_has_steps", func(t *testing.T) {
			for _, c := range rb.Checks() {
				if e, _ := rb.Entry(c); len(e.Steps) == 0 {
					t.Errorf("%s: no What to do steps parsed", c)
				}
			}
		})
	})

	t.Run("syntax", func(t *testing.T) {
		rb := testRunbook(t)
		if got, want := rb.Checks(), []string{"rrsig_expired", "lame_refused", "nsec3_salt"}; !slices.Equal(got, want) {
			t.Errorf("checks %v, want %v", got, want)
		}
		tests := []struct {
			check    string
			severity string
			summary  string
			steps    []string
		}{
			{"rrsig_expired", "error", "a signature served for the zone has expired", []string{
				"Re-sign now: `rndc sign <zone>`.",
				"If a secondary is stale, fix transfers (soa_serial_mismatch), then force a refresh.",
				"Tell the on-call channel.",
			}},
			{"lame_refused", "error", "a nameserver address answered REFUSED for the zone", []string{
				"Restore the zone at the provider (DNS provider).",
				"Tell the on-call channel.",
			}},
			{"nsec3_salt", "notice", "the NSEC3 chain uses a salt", []string{
				"at the next re-signing, set an empty salt. See RFC 9276 (https://www.rfc-editor.org/rfc/rfc9276).",
			}},
		}
		for _, tc := range tests {
			t.Run(tc.check, func(t *testing.T) {
				e, ok := rb.Entry(tc.check)
				if !ok {
					t.Fatal("no entry")
				}
				if e.Severity != tc.severity || e.Summary != tc.summary || !slices.Equal(e.Steps, tc.steps) {
					t.Errorf("got %q %q %q,\nwant %q %q %q", e.Severity, e.Summary, e.Steps, tc.severity, tc.summary, tc.steps)
				}
			})
		}
	})

	t.Run("edge_cases", func(t *testing.T) {
		md := "## a_check\n\n**What to do:**\n- first\n  - nested detail\n* second, with *emphasis* and `a*b*c`\n\nA paragraph after the list.\n\n" +
			"## b_check\n\n**What to do:**\n1) one\n2) two\n### Notes\n3) not a step\n\n## c_check\n\nNo steps at all.\n"
		rb := ParseRunbook([]byte(md))
		for _, tc := range []struct {
			check string
			steps []string
		}{
			{"a_check", []string{"first nested detail", "second, with emphasis and `a*b*c`"}},
			{"b_check", []string{"one", "two"}},
			{"c_check", nil},
		} {
			t.Run(tc.check, func(t *testing.T) {
				e, ok := rb.Entry(tc.check)
				if !ok {
					t.Fatal("no entry")
				}
				if !slices.Equal(e.Steps, tc.steps) {
					t.Errorf("steps %q, want %q", e.Steps, tc.steps)
				}
			})
		}
	})

	t.Run("nil_and_empty", func(t *testing.T) {
		var rb *Runbook
		if _, ok := rb.Entry("lame_refused"); ok || rb.Checks() != nil {
			t.Error("a nil runbook knows a check")
		}
		if got := ParseRunbook(nil).Checks(); len(got) != 0 {
			t.Errorf("an empty runbook has checks %v", got)
		}
	})

	t.Run("entry_is_a_copy", func(t *testing.T) {
		rb := testRunbook(t)
		e, _ := rb.Entry("lame_refused")
		e.Steps[0] = "changed"
		if e2, _ := rb.Entry("lame_refused"); e2.Steps[0] == "changed" {
			t.Error("Entry returned the runbook's own slice")
		}
	})
}

// TestImports keeps the package a renderer: the standard library and the
// probe's report types, no metrics and no DNS library.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path != "github.com/dnshealth/dnshealth_exporter/probe" && path != "github.com/dnshealth/dnshealth_exporter/internal/display" && strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				t.Errorf("%s imports %s; triage may import only the standard library, probe and internal/display", name, path)
			}
		}
	}
}

// TestJSONDocumented keeps docs/check-json.md complete: every field of the
// document appears there, in backticks, by its path below its top-level
// section (`version`, `nameservers[].rtt_seconds`, `queries[].cd`). A type
// met twice (EDE) is documented once.
func TestJSONDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/check-json.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, rel string, top bool)
	walk = func(typ reflect.Type, rel string, top bool) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			if typ.Kind() == reflect.Slice {
				rel += "[]"
			}
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			path := name
			// A top-level array's elements document their fields bare.
			if r := strings.TrimPrefix(strings.TrimPrefix(rel, "[]"), "."); r != "" {
				path = r + "." + name
			}
			if !bytes.Contains(doc, []byte("`"+path+"`")) {
				t.Errorf("docs/check-json.md does not document `%s`", path)
			}
			if top {
				walk(typ.Field(i).Type, "", false) // sections start afresh
			} else {
				walk(typ.Field(i).Type, path, false)
			}
		}
	}
	walk(reflect.TypeOf(document{}), "", true)
	if len(seen) < 10 {
		t.Errorf("walked only %d types", len(seen))
	}
}
