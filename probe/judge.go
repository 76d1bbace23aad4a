package probe

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Judgement: pure functions from a stage's observations to what they show,
// findings included, with no run, no clock and no network, so that tests
// drive them with hand-built observations. The run records their verdicts
// (recordJudgement). So far the parent view and the consistency checks
// are judged this way; the other stages still raise findings inline.

// raised is one finding a judgement draws, before the run records it.
type raised struct {
	check      CheckID
	nameserver string
	address    string
	message    string
}

func raise(check CheckID, nameserver, address, format string, args ...any) raised {
	return raised{check, nameserver, address, fmt.Sprintf(format, args...)}
}

// record adds the findings of a judgement to the report.
func (r *run) record(fs []raised) {
	for _, f := range fs {
		r.addFinding(f.check, f.nameserver, f.address, "%s", f.message)
	}
}

// parentView is the judgement of what the parent servers said.
type parentView struct {
	servers      []ParentServer          // the measured ones, in order
	delegationNS []string                // union of their NS names, sorted
	glue         map[string][]netip.Addr // union of their glue, sorted
	findings     []raised
}

// judgeParents judges the parent servers' answers about the delegation of
// zone: each failure, and the servers that differ from what most say.
func judgeParents(zone string, obs []parentObs) parentView {
	v := parentView{glue: map[string][]netip.Addr{}}
	union := map[string]bool{}
	var ok []*ParentServer
	for i := range obs {
		o := &obs[i]
		if !o.measured {
			continue
		}
		ps := o.ps
		v.servers = append(v.servers, ps)
		if !ps.OK {
			check := CheckParentServerError
			if strings.HasPrefix(ps.Detail, string(StatusFamilyUnreachable)) {
				check = CheckFamilyUnreachable
			}
			v.findings = append(v.findings, raise(check, ps.Nameserver, ps.Address, "parent zone server gave no delegation for %s: %s", zone, ps.Detail))
			continue
		}
		ok = append(ok, &o.ps)
		for _, n := range ps.NS {
			union[n] = true
		}
		for n, as := range o.glue {
			for _, a := range as {
				if !containsAddr(v.glue[n], a) {
					v.glue[n] = append(v.glue[n], a)
				}
			}
		}
	}
	v.findings = append(v.findings, oddParents(zone, ok)...)
	for n := range union {
		v.delegationNS = append(v.delegationNS, n)
	}
	sort.Strings(v.delegationNS)
	for n := range v.glue {
		sortAddrs(v.glue[n])
	}
	return v
}

// oddParents flags the parent servers that differ from what most say;
// on a tie, the first server's view is the reference.
func oddParents(zone string, ok []*ParentServer) []raised {
	count := map[string]int{}
	ref := ""
	for _, ps := range ok {
		d := describeDelegation(ps, zone)
		count[d]++
		if ref == "" || count[d] > count[ref] {
			ref = d
		}
	}
	var out []raised
	for _, ps := range ok {
		if d := describeDelegation(ps, zone); d != ref {
			out = append(out, raise(CheckParentNSInconsistent, ps.Nameserver, ps.Address,
				"this parent zone server gives %s for %s, while %d of %d parent server addresses give %s",
				d, zone, count[ref], len(ok), ref))
		}
	}
	return out
}

// okOnly returns the servers that answered authoritatively.
func okOnly(servers []ServerResult) []ServerResult {
	var out []ServerResult
	for _, s := range servers {
		if s.Status == StatusOK {
			out = append(out, s)
		}
	}
	return out
}

// judgeSerials: every server that answers should serve the newest serial
// (RFC 1982 order). nil when no server answered.
func judgeSerials(servers []ServerResult) (*bool, []raised) {
	ok := okOnly(servers)
	if len(ok) == 0 {
		return nil, nil
	}
	newest := ok[0].Serial
	for _, s := range ok[1:] {
		if serialLess(newest, s.Serial) {
			newest = s.Serial
		}
	}
	consistent := true
	var out []raised
	for _, s := range ok {
		if s.Serial != newest {
			consistent = false
			out = append(out, raise(CheckSOASerialMismatch, s.Nameserver, s.Address,
				"serves SOA serial %d while other servers serve %d: zone transfers to it may have stopped", s.Serial, newest))
		}
	}
	return &consistent, out
}

// judgeNS checks the parent's NS set against each server's apex NS set,
// and the servers' sets against each other. nil when no server served one.
func judgeNS(parent []string, servers []ServerResult) (*bool, []raised) {
	var sets [][]string
	consistent := true
	var out []raised
	for _, s := range okOnly(servers) {
		if s.ApexNS == nil {
			continue
		}
		if !slices.ContainsFunc(sets, func(x []string) bool { return slices.Equal(x, s.ApexNS) }) {
			sets = append(sets, s.ApexNS)
		}
		if slices.Equal(s.ApexNS, parent) {
			continue
		}
		consistent = false
		out = append(out, raise(CheckNSParentChildDiffer, s.Nameserver, s.Address,
			"serves apex NS [%s] but the parent lists [%s]: only at the parent: [%s], only in the zone: [%s]",
			strings.Join(s.ApexNS, " "), strings.Join(parent, " "),
			strings.Join(minus(parent, s.ApexNS), " "), strings.Join(minus(s.ApexNS, parent), " ")))
	}
	if len(sets) == 0 {
		return nil, out
	}
	if len(sets) > 1 {
		var desc []string
		for _, set := range sets {
			desc = append(desc, "["+strings.Join(set, " ")+"]")
		}
		out = append(out, raise(CheckNSChildInconsistent, "", "", "the zone's servers serve %d different apex NS sets: %s", len(sets), strings.Join(desc, ", ")))
	}
	return &consistent, out
}

// judgeValidationLimits: when a bound on validation work stopped a check
// (validation_budget_exhausted), what was not checked is no evidence either
// way. The verdict is indeterminate, never bogus and never secure, and the
// findings that would claim resolvers fail (the chain broken, servers
// disagreeing) are withdrawn: a zone an attacker makes expensive must not
// page as broken, nor pass as secure.
func judgeValidationLimits(rep *Report) {
	if rep.DNSSEC == nil || !rep.HasFinding(CheckValidationBudgetExhausted) {
		return
	}
	rep.DNSSEC.Status = DNSSECIndeterminate
	rep.DNSSEC.Intermittent = false
	kept := rep.Findings[:0]
	for _, f := range rep.Findings {
		if f.Check != CheckDNSSECIntermittent && f.Check != CheckChainBroken {
			kept = append(kept, f)
		}
	}
	rep.Findings = kept
}
