package probe

import "time"

// Resolver statuses: what a recursive resolver does with the zone. The set
// is closed: it is used as a label value.
// ResolverStatus is what one recursive resolver did with the zone. The
// set is closed: it is used as a label value.
type ResolverStatus string

const (
	ResolverOK             ResolverStatus = "ok"             // answers; AD set when the zone is secure
	ResolverDNSSECFailure  ResolverStatus = "dnssec_failure" // SERVFAIL with CD=0, an answer with CD=1
	ResolverServfail       ResolverStatus = "servfail"       // SERVFAIL with and without CD
	ResolverNXDomain       ResolverStatus = "nxdomain"       // says the zone's apex does not exist
	ResolverTimeout        ResolverStatus = "timeout"        // no answer in time
	ResolverRefused        ResolverStatus = "refused"        // refuses to recurse for the exporter
	ResolverInsecure       ResolverStatus = "insecure"       // answers without AD for a zone the exporter finds secure
	ResolverNetworkError   ResolverStatus = "network_error"  // could not be reached
	ResolverMalformedReply ResolverStatus = "malformed"      // an unusable reply
)

// ResolverStatuses lists every resolver status in a fixed order, for
// state-set metrics (dashboards/ lists them too).
var ResolverStatuses = []ResolverStatus{
	ResolverOK, ResolverDNSSECFailure, ResolverServfail, ResolverNXDomain, ResolverTimeout,
	ResolverRefused, ResolverInsecure, ResolverNetworkError, ResolverMalformedReply,
}

// EDE is one RFC 8914 Extended DNS Error a resolver returned. Text is for
// logs and debug output only, never a label.
type EDE struct {
	Code uint16 `json:"code"`
	Text string `json:"text,omitempty"`
}

// ResolverQuery is one question to a resolver.
type ResolverQuery struct {
	Qname  string        `json:"qname"`
	Qtype  string        `json:"qtype"`
	CD     bool          `json:"cd"`
	Rcode  string        `json:"rcode,omitempty"`
	AD     bool          `json:"ad"`
	Answer bool          `json:"answer"` // the answer section has the asked RRset
	RTT    time.Duration `json:"rtt"`
	EDE    []EDE         `json:"ede,omitempty"`
	Err    string        `json:"error,omitempty"`
}

// ResolverResult is the view of the zone from one recursive resolver.
type ResolverResult struct {
	Resolver string         `json:"resolver"` // as configured: address, or address:port
	Status   ResolverStatus `json:"status"`
	// Authenticated: the resolver set AD on its answer to the zone's SOA
	// with CD=0, i.e. it validated the zone as secure.
	Authenticated bool `json:"authenticated"`
	// RTT of the SOA query with CD=0.
	RTT time.Duration `json:"rtt"`
	// EDE lists the distinct Extended DNS Errors over all its replies.
	EDE     []EDE           `json:"ede,omitempty"`
	Queries []ResolverQuery `json:"queries"`
	Detail  string          `json:"detail,omitempty"`
}

// Cause is the one conclusion a Diagnosis draws. The set is closed: it
// is used as a label value.
type Cause string

// Diagnosis causes: the fixed set a probe's conclusion is drawn from.
const (
	CauseHealthy              Cause = "healthy"
	CauseSignatureExpired     Cause = "signature_expired"
	CauseSignatureNotYetValid Cause = "signature_not_yet_valid"
	CauseDSMismatch           Cause = "ds_mismatch"
	CauseDNSKEYMissing        Cause = "dnskey_missing"
	CauseBogusSignature       Cause = "bogus_signature"
	CauseBogusDenial          Cause = "bogus_denial"
	CauseChainBroken          Cause = "chain_broken"
	CauseNoReachableAuthority Cause = "no_reachable_authority"
	CausePartialLame          Cause = "partial_lame"
	CauseStaleSecondary       Cause = "stale_secondary"
	CauseRolloverStuck        Cause = "rollover_stuck"
	CauseInsecureDowngrade    Cause = "insecure_downgrade"
	CauseDelegationMismatch   Cause = "delegation_mismatch"
	CauseNotAZone             Cause = "not_a_zone"
	CauseResolutionFailed     Cause = "resolution_failed"
	CauseResolverFailure      Cause = "resolver_failure"
	CauseProbeIncomplete      Cause = "probe_incomplete"
	// CauseAdvisory: every finding is advisory; resolvers are not affected,
	// but something should still be fixed.
	CauseAdvisory Cause = "advisory"
)

// Causes lists every cause in the order docs/checks.md explains them.
var Causes = []Cause{
	CauseHealthy, CauseSignatureExpired, CauseSignatureNotYetValid, CauseDSMismatch,
	CauseDNSKEYMissing, CauseBogusSignature, CauseBogusDenial, CauseChainBroken,
	CauseNoReachableAuthority, CausePartialLame, CauseStaleSecondary, CauseRolloverStuck,
	CauseInsecureDowngrade, CauseDelegationMismatch, CauseNotAZone, CauseResolutionFailed,
	CauseResolverFailure, CauseProbeIncomplete, CauseAdvisory,
}

// Diagnosis is the one conclusion a probe draws from all its evidence.
type Diagnosis struct {
	Cause    Cause    `json:"cause"`
	Severity Severity `json:"severity"` // "" for healthy
	// ServfailExpected: validating resolvers SERVFAIL the zone on every path.
	ServfailExpected bool `json:"servfail_expected"`
	// ServfailIntermittent: only some servers or some paths lead to SERVFAIL.
	ServfailIntermittent bool `json:"servfail_intermittent"`
	// Summary is one line for a Slack alert or a terminal.
	Summary string `json:"summary"`
	// Checks are the findings behind the cause, most important first;
	// their runbook entries are the remediation steps.
	Checks []CheckID `json:"checks,omitempty"`
}
