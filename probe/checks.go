package probe

// Check IDs. They are a stable contract: alert rules, dashboards and
// docs/checks.md refer to them. Never rename one; add a new ID instead.
const (
	// Probe-level.
	CheckProbeTimeout         = "probe_timeout"
	CheckQueryBudgetExhausted = "query_budget_exhausted"
	CheckResolutionFailed     = "resolution_failed"
	CheckReferralLoop         = "referral_loop"
	CheckNotAZone             = "not_a_zone"

	// Parent side.
	CheckParentServerError    = "parent_server_error"
	CheckParentNSInconsistent = "parent_ns_inconsistent"
	CheckNSUnresolvable       = "ns_unresolvable"
	CheckGlueMissing          = "glue_missing"

	// Each nameserver address of the zone.
	CheckLameTimeout          = "lame_timeout"
	CheckLameRefused          = "lame_refused"
	CheckLameServfail         = "lame_servfail"
	CheckLameNotAuthoritative = "lame_not_authoritative"
	CheckLameReferral         = "lame_referral"
	CheckLameUpwardReferral   = "lame_upward_referral"
	CheckLameWrongZone        = "lame_wrong_zone"
	CheckLameNetworkError     = "lame_network_error"
	CheckLameMalformed        = "lame_malformed"
	CheckFamilyUnreachable    = "address_family_unreachable"
	CheckNoReachableAuthority = "no_reachable_authority"
	CheckEDNSUnsupported      = "edns_unsupported"
	CheckApexNSUnavailable    = "apex_ns_unavailable"

	// Consistency between servers and between parent and child.
	CheckSOASerialMismatch   = "soa_serial_mismatch"
	CheckNSParentChildDiffer = "ns_parent_child_mismatch"
	CheckNSChildInconsistent = "ns_child_inconsistent"
	CheckGlueMismatch        = "glue_mismatch"
)

// CheckInfo describes a check ID: its usual severity and a one-line summary.
// docs/checks.md carries the runbook; a test keeps the two in step.
type CheckInfo struct {
	ID       string
	Severity Severity
	Summary  string
}

// Checks is the catalogue of every check ID the probe can raise.
var Checks = []CheckInfo{
	{CheckProbeTimeout, SeverityError, "the probe hit its deadline before finishing; results are partial"},
	{CheckQueryBudgetExhausted, SeverityError, "the probe sent max_queries queries and stopped; results are partial"},
	{CheckResolutionFailed, SeverityError, "the delegation walk from the root could not reach the parent zone's servers"},
	{CheckReferralLoop, SeverityError, "a server answered with a referral that does not lead towards the target"},
	{CheckNotAZone, SeverityError, "the target is not delegated: no zone cut exists at that name"},
	{CheckParentServerError, SeverityWarning, "a parent zone server did not return the delegation"},
	{CheckParentNSInconsistent, SeverityWarning, "parent zone servers disagree on the delegation NS set or glue"},
	{CheckNSUnresolvable, SeverityError, "a delegated nameserver name has no address"},
	{CheckGlueMissing, SeverityError, "an in-bailiwick nameserver has no glue at the parent"},
	{CheckLameTimeout, SeverityError, "a nameserver address did not answer in time"},
	{CheckLameRefused, SeverityError, "a nameserver address answered REFUSED for the zone"},
	{CheckLameServfail, SeverityError, "a nameserver address answered SERVFAIL for the zone"},
	{CheckLameNotAuthoritative, SeverityError, "a nameserver address answered without the AA bit"},
	{CheckLameReferral, SeverityError, "a nameserver address answered with a referral instead of the zone"},
	{CheckLameUpwardReferral, SeverityError, "a nameserver address referred the probe up towards the root"},
	{CheckLameWrongZone, SeverityError, "a nameserver address answered authoritatively for a different zone"},
	{CheckLameNetworkError, SeverityError, "a nameserver address could not be reached (ICMP unreachable, connection refused)"},
	{CheckLameMalformed, SeverityError, "a nameserver address sent an unparseable or mismatched response"},
	{CheckFamilyUnreachable, SeverityNotice, "the exporter's host has no route for this address family; the address was not tried"},
	{CheckNoReachableAuthority, SeverityError, "no nameserver address answered authoritatively: resolvers SERVFAIL the zone"},
	{CheckEDNSUnsupported, SeverityWarning, "a nameserver address answers only queries without EDNS (FORMERR or NOTIMP to EDNS0)"},
	{CheckApexNSUnavailable, SeverityWarning, "a nameserver address serves the zone's SOA but not its apex NS set"},
	{CheckSOASerialMismatch, SeverityWarning, "nameservers serve different SOA serials"},
	{CheckNSParentChildDiffer, SeverityWarning, "the parent's NS set differs from the zone's own apex NS set"},
	{CheckNSChildInconsistent, SeverityWarning, "the zone's nameservers serve different apex NS sets"},
	{CheckGlueMismatch, SeverityWarning, "parent glue differs from the addresses the zone itself serves for its nameservers"},
}

// lameCheck maps a lame status to its check ID.
var lameCheck = map[Status]string{
	StatusTimeout:          CheckLameTimeout,
	StatusRefused:          CheckLameRefused,
	StatusServfail:         CheckLameServfail,
	StatusNotAuthoritative: CheckLameNotAuthoritative,
	StatusReferral:         CheckLameReferral,
	StatusUpwardReferral:   CheckLameUpwardReferral,
	StatusWrongZone:        CheckLameWrongZone,
	StatusNetworkError:     CheckLameNetworkError,
	StatusMalformed:        CheckLameMalformed,
}

func checkSeverity(id string) Severity {
	for _, c := range Checks {
		if c.ID == id {
			return c.Severity
		}
	}
	return SeverityError
}
