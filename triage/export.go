package triage

import "github.com/dnshealth/dnshealth_exporter/probe"

// Remedy is one check to act on, as the check command's "What to do"
// section lists it: for other renderings of the triage, such as the HTML
// report.
type Remedy struct {
	Check string
	// Severity is the worst of the check's findings.
	Severity probe.Severity
	Summary  string
	// Steps are the runbook's "What to do" items, with <zone> replaced by
	// the probed zone; inline code keeps its backticks.
	Steps []string
	// Documented: the runbook has a section for the check.
	Documented bool
	// Diagnosed: the diagnosis names the check. The check command lists
	// the others only by name, under "also raised".
	Diagnosed bool
}

// Remedies lists every check raised, in the order the check command's
// "What to do" section gives them.
func Remedies(r *probe.Report, rb *Runbook) []Remedy {
	named := map[probe.CheckID]bool{}
	if r.Diagnosis != nil {
		for _, c := range r.Diagnosis.Checks {
			named[c] = true
		}
	}
	var out []Remedy
	for _, rm := range remedies(r, rb) {
		out = append(out, Remedy{
			Check:      string(rm.check),
			Severity:   rm.severity,
			Summary:    rm.summary,
			Steps:      rm.steps,
			Documented: rm.documented,
			Diagnosed:  r.Diagnosis == nil || named[rm.check],
		})
	}
	return out
}

// SortedFindings returns the report's findings in the order the check
// command prints them: most urgent first.
func SortedFindings(r *probe.Report) []probe.Finding { return sortedFindings(r) }

// KeyRole names a DNSKEY by its flags as the check command does: KSK, ZSK
// or not-a-zone-key, with " (revoked)" when the RFC 5011 REVOKE bit is set.
func KeyRole(flags uint16) string { return keyRole(flags) }
