package probe_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// quiet fails the test for an error-severity finding or a bogus verdict:
// the shapes below are zones users see no failure in.
func quiet(t *testing.T, r *probe.Report) {
	t.Helper()
	for _, f := range r.Findings {
		if f.Severity == probe.SeverityError {
			t.Errorf("error finding %s: %s", f.Check, f.Message)
		}
	}
	if r.DNSSEC != nil && (r.DNSSEC.Status == probe.DNSSECBogus || r.DNSSEC.Status == probe.DNSSECIndeterminate) {
		t.Errorf("DNSSEC status %s\n%s", r.DNSSEC.Status, debugText(r))
	}
}

// Three nested zones on one server set: the walk gets authoritative
// answers from the leaf and no referral below sec-nest.test. The parent
// of leaf.mid.sec-nest.test is mid.sec-nest.test, whose DS RRSIG's signer
// it is; the DS is checked against it and the zone validates.
func TestNestedCutsOnOneServerSetFindTheRealParent(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	for _, c := range []struct{ zone, parent string }{
		{"leaf.mid.sec-nest.test.", "mid.sec-nest.test."},
		{"mid.sec-nest.test.", "sec-nest.test."},
		{"sec-nest.test.", "test."},
	} {
		t.Run(c.zone, func(t *testing.T) {
			r := p.Probe(t.Context(), c.zone, "lab", m)
			if r.Parent != c.parent {
				t.Errorf("parent %s, want %s\n%s", r.Parent, c.parent, debugText(r))
			}
			if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure || r.DNSSEC.DSMatchesDNSKEY == nil || !*r.DNSSEC.DSMatchesDNSKEY {
				t.Errorf("DNSSEC %+v, want secure with the DS matched\n%s", r.DNSSEC, debugText(r))
			}
			if len(r.Findings) != 0 {
				t.Errorf("findings %v", r.Findings)
			}
			if len(r.ParentServers) == 0 {
				t.Errorf("no parent server asked\n%s", debugText(r))
			}
		})
	}
}

// An NS name that is a CNAME (RFC 2181 section 10.3) is a warning naming
// the alias, also when the addresses come from the cache on the next
// probe; the zone still succeeds.
func TestNSTargetCNAMEIsAWarning(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	for i := range 2 {
		r := p.Probe(t.Context(), "ns-cname.test.", "lab", m)
		var named bool
		for _, f := range r.Findings {
			named = named || f.Check == probe.CheckNSTargetCNAME && f.Nameserver == "ns-alias.dns-host.example." && f.Severity == probe.SeverityWarning
		}
		if !named || !r.Success() {
			t.Errorf("probe %d: want a ns_target_cname warning for ns-alias.dns-host.example and success\n%s", i+1, debugText(r))
		}
		if !slices.ContainsFunc(r.Servers, func(s probe.ServerResult) bool {
			return s.Nameserver == "ns-alias.dns-host.example." && s.Status == probe.StatusOK
		}) {
			t.Errorf("probe %d: the alias's address was not probed\n%s", i+1, debugText(r))
		}
	}
	if r := p.Probe(t.Context(), "hosted.test.", "lab", m); r.HasFinding(probe.CheckNSTargetCNAME) {
		t.Errorf("ns_target_cname for a zone without aliases\n%s", debugText(r))
	}
}

// A wildcard at the apex answers the probe's random name: that is no
// broken proof of non-existence (the wildcard NODATA for another type is
// checked instead), and a `records` entry answered from the wildcard
// validates. A `records` entry that is a CNAME is reported (record_cname,
// a notice) and the CNAME's signatures are checked.
func TestWildcardAndAliasRecordsStayQuiet(t *testing.T) {
	l, _ := startLab(t)
	m, err := demo.Module(l, func(m *probe.Module) {
		m.QueryTimeout, m.QueryAttempts = 400*time.Millisecond, 2
		m.Records = []probe.RecordSpec{{Name: "alias", Type: "TXT"}, {Name: "anything", Type: "A"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	r := newProber().Probe(t.Context(), "sec-wildcard.test.", "lab", m)
	quiet(t, r)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Fatalf("want secure\n%s", debugText(r))
	}
	if ids := checkIDs(r); !slices.Equal(ids, []string{string(probe.CheckRecordCNAME)}) {
		t.Errorf("findings %v, want record_cname only", r.Findings)
	}
	var wild, alias, nodata bool
	for _, o := range r.DNSSEC.Signatures {
		wild = wild || o.Owner == "anything.sec-wildcard.test." && o.Type == "A" && o.Valid
		alias = alias || o.Owner == "alias.sec-wildcard.test." && o.Type == "CNAME" && o.Valid
	}
	for _, d := range r.DNSSEC.Denials {
		nodata = nodata || strings.HasPrefix(d.Qname, "dnshealth-") && d.Kind == "nodata" && d.Qtype == "NULL" && d.Valid
	}
	if !wild || !alias || !nodata {
		t.Errorf("wildcard A valid %t, alias CNAME valid %t, wildcard NODATA valid %t\n%s", wild, alias, nodata, debugText(r))
	}
}

// Signatures whose inception is five minutes ahead are valid by default
// (Unbound's allowance); a module that allows no skew, as BIND, reports
// them not yet valid.
func TestSkewAllowanceIsAModuleSetting(t *testing.T) {
	l, m := startLab(t)
	if r := newProber().Probe(t.Context(), "sec-skew.test.", "lab", m); len(r.Findings) != 0 || r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Errorf("default skew: %v\n%s", r.Findings, debugText(r))
	}
	zero := time.Duration(0)
	strict, err := demo.Module(l, func(m *probe.Module) {
		m.QueryTimeout, m.QueryAttempts = 400*time.Millisecond, 2
		m.SignatureSkewMin, m.SignatureSkewMax = &zero, &zero
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := newProber().Probe(t.Context(), "sec-skew.test.", "lab", strict); !r.HasFinding(probe.CheckRRSIGNotYetValid) {
		t.Errorf("no skew allowed: want rrsig_not_yet_valid\n%s", debugText(r))
	}
}

// The other real-world shapes stay quiet: no error finding, no bogus
// verdict. Each is a lab zone whose exact checks and verdict TestLabZones
// asserts; shapes that have a test of their own are named here too.
//   - a parent server failing only DS queries: TestParentServerFailingDSIsNotBogus
//   - optional sibling glue: TestParentsDifferingInSiblingGlueAgree
//   - a secondary one serial behind: serial-drift.test (a warning)
func TestRealWorldShapesStayQuiet(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	for _, zone := range []string{
		"sec-multi-signer.test.", "sec-algroll-new-dnskey.test.", "sec-algroll-dnskey-removal.test.",
		"sec-sha1-sha256.test.", "serial-drift.test.", "sec-optout.test.", "child.sec-optout.test.",
		"sec-skew.test.", "ns-cname.test.", "sec-wildcard.test.", "leaf.mid.sec-nest.test.",
	} {
		t.Run(strings.TrimSuffix(zone, "."), func(t *testing.T) {
			r := p.Probe(t.Context(), zone, "lab", m)
			quiet(t, r)
			if r.DNSSEC != nil && r.DNSSEC.DSMatchesDNSKEY != nil && !*r.DNSSEC.DSMatchesDNSKEY {
				t.Errorf("ds_matches_dnskey 0\n%s", debugText(r))
			}
		})
	}
}
