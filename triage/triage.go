// Package triage renders one probe report for people and for scripts: the
// output of `dnshealth_exporter check`. Text writes the triage an on-call
// reads (the delegation as walked, every nameserver address, the DNSSEC
// chain, the resolvers' view, the diagnosis and the runbook's steps); JSON
// writes a stable, versioned document described in docs/check-json.md;
// Exit turns the findings into the command's exit status.
//
// The package only reads *probe.Report values. It imports no metrics and
// no DNS library, so what it prints is exactly what the probe observed.
package triage

import (
	"cmp"
	"slices"
	"strings"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Exit statuses of the check command.
const (
	// ExitOK: no finding, or notices only.
	ExitOK = 0
	// ExitWarning: warnings, and no error.
	ExitWarning = 1
	// ExitError: at least one error finding (probe_success would be 0).
	ExitError = 2
	// ExitNotRun: the probe could not run (bad target, unknown module,
	// bad configuration). Exit never returns it for a report; the command
	// does before there is one.
	ExitNotRun = 3
)

// Exit returns the exit status for a report: ExitError when any finding
// is an error, ExitWarning when the worst is a warning, else ExitOK.
// Notices do not change the status. A nil report is ExitNotRun.
func Exit(r *probe.Report) int {
	if r == nil {
		return ExitNotRun
	}
	code := ExitOK
	for _, f := range r.Findings {
		code = max(code, exitFor(f.Severity))
	}
	if r.Diagnosis != nil {
		code = max(code, exitFor(r.Diagnosis.Severity))
	}
	return code
}

func exitFor(s probe.Severity) int {
	switch s {
	case probe.SeverityError:
		return ExitError
	case probe.SeverityWarning:
		return ExitWarning
	}
	return ExitOK
}

// sortedFindings returns the findings most urgent first, then by check,
// nameserver, address and message: the probe raises them from parallel
// queries, in no fixed order.
func sortedFindings(r *probe.Report) []probe.Finding {
	out := slices.Clone(r.Findings)
	slices.SortStableFunc(out, func(a, b probe.Finding) int {
		return cmp.Or(
			cmp.Compare(a.Severity.Rank(), b.Severity.Rank()),
			cmp.Compare(a.Check, b.Check),
			strings.Compare(a.Nameserver, b.Nameserver),
			strings.Compare(a.Address, b.Address),
			strings.Compare(a.Message, b.Message),
		)
	})
	return out
}

// remedy is one check to act on, with the steps the runbook gives.
type remedy struct {
	check    probe.CheckID
	severity probe.Severity // the worst of its findings
	summary  string
	steps    []string
	// documented: the runbook has a section for the check.
	documented bool
}

// remedies lists every check raised, in the diagnosis's order (the checks
// behind the cause first, then by severity), then any check the diagnosis
// does not name, most urgent first.
func remedies(r *probe.Report, rb *Runbook) []remedy {
	worst := map[probe.CheckID]probe.Severity{}
	for _, f := range r.Findings {
		if s, ok := worst[f.Check]; !ok || f.Severity.Rank() < s.Rank() {
			worst[f.Check] = f.Severity
		}
	}
	var order []probe.CheckID
	seen := map[probe.CheckID]bool{}
	if r.Diagnosis != nil {
		for _, c := range r.Diagnosis.Checks {
			if !seen[c] {
				seen[c] = true
				order = append(order, c)
			}
		}
	}
	var rest []probe.CheckID
	for c := range worst {
		if !seen[c] {
			rest = append(rest, c)
		}
	}
	slices.SortFunc(rest, func(a, b probe.CheckID) int {
		return cmp.Or(cmp.Compare(worst[a].Rank(), worst[b].Rank()), cmp.Compare(a, b))
	})
	order = append(order, rest...)

	zone := strings.TrimSuffix(r.Zone, ".")
	var out []remedy
	for _, c := range order {
		rm := remedy{check: c, severity: worst[c]}
		if rm.severity == "" {
			rm.severity = catalogueSeverity(c)
		}
		if e, ok := rb.Entry(string(c)); ok {
			rm.documented = true
			rm.summary = e.Summary
			for _, s := range e.Steps {
				if zone != "" {
					s = strings.ReplaceAll(s, "<zone>", zone)
				}
				rm.steps = append(rm.steps, s)
			}
		}
		if rm.summary == "" {
			rm.summary = catalogueSummary(c)
		}
		out = append(out, rm)
	}
	return out
}

func catalogueSummary(check probe.CheckID) string {
	for _, c := range probe.Checks {
		if c.ID == check {
			return c.Summary
		}
	}
	return ""
}

func catalogueSeverity(check probe.CheckID) probe.Severity {
	for _, c := range probe.Checks {
		if c.ID == check {
			return c.Severity
		}
	}
	return ""
}

// runbookAnchor is where a check's runbook section is, relative to the
// repository root.
func runbookAnchor(check probe.CheckID) string { return "docs/checks.md#" + string(check) }

// fqdn writes a name fully qualified: "." for the root, otherwise with
// the trailing dot. The report's names mostly are already; nameservers
// are not, and "" stands for the root.
func fqdn(name string) string {
	if name == "" || name == "." {
		return "."
	}
	return strings.TrimSuffix(name, ".") + "."
}

// label writes a name for people: "the root", or without the trailing dot.
func label(name string) string {
	if name == "" || name == "." {
		return "the root"
	}
	return strings.TrimSuffix(name, ".")
}

// checkStrings turns check IDs into the strings JSON and text show.
func checkStrings(ids []probe.CheckID) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
