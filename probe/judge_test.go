package probe

import (
	"net/netip"
	"slices"
	"testing"
)

// The judgement tests drive the pure judgements with hand-built
// observations, no sockets: each check ID they own is raised by one case
// and not raised by a close neighbour.

func checksOf(fs []raised) []CheckID {
	var out []CheckID
	for _, f := range fs {
		out = append(out, f.check)
	}
	return out
}

func parentOK(name, addr string, ns ...string) parentObs {
	return parentObs{measured: true, ps: ParentServer{Nameserver: name, Address: addr, OK: true, NS: ns}}
}

func parentFailed(name, addr, detail string) parentObs {
	return parentObs{measured: true, ps: ParentServer{Nameserver: name, Address: addr, Detail: detail}}
}

func TestJudgeParents(t *testing.T) {
	const zone = "zone.tld."
	cases := []struct {
		name string
		obs  []parentObs
		want []CheckID
	}{
		{"all agree", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentOK("b.tld", "192.0.2.2", "ns1.zone.tld")}, nil},
		{"one times out", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentFailed("b.tld", "192.0.2.2", "timeout: i/o timeout")},
			[]CheckID{CheckParentServerError}},
		{"one is in a family the host cannot reach", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentFailed("b.tld", "2001:db8::2", "family_unreachable: no route")},
			[]CheckID{CheckFamilyUnreachable}},
		{"cut short by the budget: not judged", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), {ps: ParentServer{Nameserver: "b.tld", Address: "192.0.2.2"}}}, nil},
		{"one of three differs", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld", "ns2.zone.tld"), parentOK("b.tld", "192.0.2.2", "ns1.zone.tld", "ns2.zone.tld"), parentOK("c.tld", "192.0.2.3", "ns1.zone.tld")},
			[]CheckID{CheckParentNSInconsistent}},
		{"the same NS in another order is not a difference once sorted", []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld", "ns2.zone.tld"), parentOK("b.tld", "192.0.2.2", "ns1.zone.tld", "ns2.zone.tld")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := judgeParents(zone, tc.obs)
			wantCheckIDs(t, checksOf(v.findings), tc.want...)
		})
	}
	t.Run("the odd one out is the one named, and the union is the delegation", func(t *testing.T) {
		obs := []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld", "ns2.zone.tld"), parentOK("b.tld", "192.0.2.2", "ns1.zone.tld"), parentOK("c.tld", "192.0.2.3", "ns1.zone.tld", "ns2.zone.tld")}
		obs[0].glue = map[string][]netip.Addr{"ns1.zone.tld.": {netip.MustParseAddr("192.0.2.53")}}
		obs[2].glue = map[string][]netip.Addr{"ns1.zone.tld.": {netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("192.0.2.52")}}
		v := judgeParents(zone, obs)
		if len(v.findings) != 1 || v.findings[0].address != "192.0.2.2" {
			t.Errorf("findings %+v, want one about 192.0.2.2", v.findings)
		}
		if !slices.Equal(v.delegationNS, []string{"ns1.zone.tld", "ns2.zone.tld"}) || len(v.servers) != 3 {
			t.Errorf("delegation %v from %d servers", v.delegationNS, len(v.servers))
		}
		if g := v.glue["ns1.zone.tld."]; len(g) != 2 || g[0].String() != "192.0.2.52" {
			t.Errorf("glue %v, want both addresses, sorted", g)
		}
	})
}

func server(addr string, serial uint32, apexNS ...string) ServerResult {
	return ServerResult{Nameserver: "ns1.zone.tld", Address: addr, Status: StatusOK, Serial: serial, ApexNS: apexNS}
}

func TestJudgeSerials(t *testing.T) {
	cases := []struct {
		name       string
		servers    []ServerResult
		want       []CheckID
		consistent bool
	}{
		{"same serial", []ServerResult{server("192.0.2.1", 7), server("192.0.2.2", 7)}, nil, true},
		{"one behind", []ServerResult{server("192.0.2.1", 7), server("192.0.2.2", 6)}, []CheckID{CheckSOASerialMismatch}, false},
		{"a lame server's serial is not compared", []ServerResult{server("192.0.2.1", 7), {Address: "192.0.2.2", Status: StatusRefused, Serial: 6}}, nil, true},
		{"newest across the RFC 1982 wrap", []ServerResult{server("192.0.2.1", 4294967295), server("192.0.2.2", 1)}, []CheckID{CheckSOASerialMismatch}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, fs := judgeSerials(tc.servers)
			wantCheckIDs(t, checksOf(fs), tc.want...)
			if c == nil || *c != tc.consistent {
				t.Errorf("consistent %v, want %v", c, tc.consistent)
			}
			if len(fs) == 1 && tc.name == "newest across the RFC 1982 wrap" && fs[0].address != "192.0.2.1" {
				t.Errorf("behind: %s, want 192.0.2.1 (1 follows 4294967295)", fs[0].address)
			}
		})
	}
	if c, fs := judgeSerials(nil); c != nil || fs != nil {
		t.Error("no server answered, yet a verdict")
	}
}

func TestJudgeNS(t *testing.T) {
	parent := []string{"ns1.zone.tld", "ns2.zone.tld"}
	cases := []struct {
		name    string
		servers []ServerResult
		want    []CheckID
	}{
		{"child agrees with parent", []ServerResult{server("192.0.2.1", 1, parent...), server("192.0.2.2", 1, parent...)}, nil},
		{"child lists another NS, on every server", []ServerResult{server("192.0.2.1", 1, "ns1.zone.tld", "ns3.zone.tld"), server("192.0.2.2", 1, "ns1.zone.tld", "ns3.zone.tld")},
			[]CheckID{CheckNSParentChildDiffer, CheckNSParentChildDiffer}},
		{"servers disagree with each other", []ServerResult{server("192.0.2.1", 1, parent...), server("192.0.2.2", 1, "ns1.zone.tld")},
			[]CheckID{CheckNSParentChildDiffer, CheckNSChildInconsistent}},
		{"a server without its apex NS is not compared", []ServerResult{server("192.0.2.1", 1, parent...), server("192.0.2.2", 1)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := judgeNS(parent, tc.servers)
			wantCheckIDs(t, checksOf(fs), tc.want...)
		})
	}
}

// A bound that stopped validation makes the verdict indeterminate and
// withdraws the claims that resolvers fail; without it, a bogus verdict
// and its findings stand.
func TestJudgeValidationLimits(t *testing.T) {
	report := func(extra ...CheckID) *Report {
		r := &Report{DNSSEC: &DNSSECReport{Status: DNSSECBogus, Intermittent: true}}
		for _, c := range append([]CheckID{CheckDNSSECIntermittent, CheckChainBroken, CheckRRSIGExpired}, extra...) {
			r.Findings = append(r.Findings, Finding{Check: c, Severity: checkSeverity(c)})
		}
		return r
	}
	r := report(CheckValidationBudgetExhausted)
	judgeValidationLimits(r)
	if r.DNSSEC.Status != DNSSECIndeterminate || r.DNSSEC.Intermittent {
		t.Errorf("with validation_budget_exhausted: status %s intermittent %t, want indeterminate", r.DNSSEC.Status, r.DNSSEC.Intermittent)
	}
	if r.HasFinding(CheckDNSSECIntermittent) || r.HasFinding(CheckChainBroken) {
		t.Errorf("findings %v: want dnssec_intermittent and dnssec_chain_broken withdrawn", r.Findings)
	}
	wantFinding(t, r, CheckRRSIGExpired)
	wantFinding(t, r, CheckValidationBudgetExhausted)
	n := report()
	judgeValidationLimits(n)
	if n.DNSSEC.Status != DNSSECBogus || !n.DNSSEC.Intermittent || len(n.Findings) != 3 {
		t.Errorf("without the budget finding the verdict changed: %+v %v", n.DNSSEC, n.Findings)
	}
}
