package probe

// CheckID names a check. The set is closed and documented in
// docs/checks.md; it is used as a label value.
type CheckID string

// Check IDs. They are a stable contract: alert rules, dashboards and
// docs/checks.md refer to them. Never rename one; add a new ID instead.
const (
	// Probe-level.
	CheckProbeTimeout         CheckID = "probe_timeout"
	CheckQueryBudgetExhausted CheckID = "query_budget_exhausted"
	// CheckValidationBudgetExhausted: a bound on DNSSEC validation work
	// (RRSIGs or colliding keys per RRset, the probe's public-key
	// operations or NSEC3 hashing, its deadline) stopped a check.
	CheckValidationBudgetExhausted CheckID = "validation_budget_exhausted"
	CheckResolutionFailed          CheckID = "resolution_failed"
	CheckReferralLoop              CheckID = "referral_loop"
	CheckNotAZone                  CheckID = "not_a_zone"

	// Parent side.
	CheckParentServerError    CheckID = "parent_server_error"
	CheckParentNSInconsistent CheckID = "parent_ns_inconsistent"
	CheckNSUnresolvable       CheckID = "ns_unresolvable"
	CheckGlueMissing          CheckID = "glue_missing"
	// CheckNSTargetCNAME: a delegated NS name is an alias (RFC 2181 10.3).
	CheckNSTargetCNAME CheckID = "ns_target_cname"

	// Each nameserver address of the zone.
	CheckLameTimeout          CheckID = "lame_timeout"
	CheckLameRefused          CheckID = "lame_refused"
	CheckLameServfail         CheckID = "lame_servfail"
	CheckLameNotAuthoritative CheckID = "lame_not_authoritative"
	CheckLameReferral         CheckID = "lame_referral"
	CheckLameUpwardReferral   CheckID = "lame_upward_referral"
	CheckLameWrongZone        CheckID = "lame_wrong_zone"
	CheckLameNetworkError     CheckID = "lame_network_error"
	CheckLameMalformed        CheckID = "lame_malformed"
	CheckFamilyUnreachable    CheckID = "address_family_unreachable"
	CheckNoReachableAuthority CheckID = "no_reachable_authority"
	CheckEDNSUnsupported      CheckID = "edns_unsupported"
	CheckApexNSUnavailable    CheckID = "apex_ns_unavailable"

	// Consistency between servers and between parent and child.
	CheckSOASerialMismatch   CheckID = "soa_serial_mismatch"
	CheckNSParentChildDiffer CheckID = "ns_parent_child_mismatch"
	CheckNSChildInconsistent CheckID = "ns_child_inconsistent"
	CheckGlueMismatch        CheckID = "glue_mismatch"

	// DNSSEC: the chain of trust from the anchor to the zone.
	CheckChainBroken        CheckID = "dnssec_chain_broken"
	CheckDSNoMatchingKey    CheckID = "ds_no_matching_key"
	CheckDSUnsignedChild    CheckID = "ds_unsigned_child"
	CheckDSUnmatched        CheckID = "ds_unmatched"
	CheckDSKeyUnusable      CheckID = "ds_key_unusable"
	CheckDSDigestSHA1Only   CheckID = "ds_digest_sha1_only"
	CheckDSInconsistent     CheckID = "ds_inconsistent"
	CheckUnsupportedAlgo    CheckID = "dnssec_unsupported_algorithm"
	CheckDNSSECIntermittent CheckID = "dnssec_intermittent"

	// DNSSEC: what each server serves.
	CheckRRSIGExpired      CheckID = "rrsig_expired"
	CheckRRSIGNotYetValid  CheckID = "rrsig_not_yet_valid"
	CheckRRSIGInvalid      CheckID = "rrsig_invalid"
	CheckRRSIGMissing      CheckID = "rrsig_missing"
	CheckRRSIGMalformed    CheckID = "rrsig_malformed"
	CheckRRSIGExpiresInTTL CheckID = "rrsig_expires_before_ttl"
	CheckRRSIGOrigTTL      CheckID = "rrsig_original_ttl_exceeded"
	// CheckRecordCNAME: a `records` entry is answered with a CNAME.
	CheckRecordCNAME        CheckID = "record_cname"
	CheckDNSKEYInconsistent CheckID = "dnskey_inconsistent"
	// CheckDNSKEYTagCollision: two zone keys share algorithm and key tag.
	CheckDNSKEYTagCollision   CheckID = "dnskey_tag_collision"
	CheckSigningKeyMissing    CheckID = "signing_key_missing"
	CheckAlgorithmNotSigning  CheckID = "algorithm_not_signing"
	CheckDenialInvalid        CheckID = "denial_invalid"
	CheckNSEC3Iterations      CheckID = "nsec3_iterations_nonzero"
	CheckNSEC3IterationsLimit CheckID = "nsec3_iterations_above_limit"
	CheckNSEC3Salt            CheckID = "nsec3_salt"
	CheckCDSInconsistent      CheckID = "cds_inconsistent"
	CheckCDSMismatchDS        CheckID = "cds_ds_mismatch"
	CheckCDSDelete            CheckID = "cds_delete"
	CheckCDSNotSignedByDSKey  CheckID = "cds_not_signed_by_ds_key"

	// DNSSEC: key rollovers (rollover.go).
	CheckRolloverNewKeyTooEarly  CheckID = "rollover_new_key_too_early"
	CheckRolloverRemovedTooEarly CheckID = "rollover_removed_too_early"
	CheckRolloverAlgorithmOrder  CheckID = "rollover_algorithm_order"
	CheckRolloverStuck           CheckID = "rollover_stuck"

	// The whole-zone sweep (sweep_judge.go).
	CheckSweepFailed            CheckID = "sweep_failed"
	CheckSweepRRSIGInvalid      CheckID = "sweep_rrsig_invalid"
	CheckSweepRRSIGMissing      CheckID = "sweep_rrsig_missing"
	CheckSweepRRSIGExpiring     CheckID = "sweep_rrsig_expiring"
	CheckSweepDenialBroken      CheckID = "sweep_denial_chain_broken"
	CheckSecondaryBehindPrimary CheckID = "secondary_behind_primary"

	// The resolver view.
	CheckResolverDNSSECFailure CheckID = "resolver_dnssec_failure"
	CheckResolverServfail      CheckID = "resolver_servfail"
	CheckResolverNXDomain      CheckID = "resolver_nxdomain"
	CheckResolverUnreachable   CheckID = "resolver_unreachable"
	CheckResolverDisagreement  CheckID = "resolver_disagreement"
)

// Signature expiry judged against the signer's rhythm (expiry.go).
const (
	CheckRRSIGExpiring CheckID = "rrsig_expiring"
	CheckSignerStalled CheckID = "signer_stalled"
)

// CheckInfo describes a check ID: its usual severity and a one-line summary.
// docs/checks.md carries the runbook; a test keeps the two in step.
type CheckInfo struct {
	ID       CheckID
	Severity Severity
	Summary  string
}

// Checks is the catalogue of every check ID the probe can raise.
var Checks = []CheckInfo{
	{CheckProbeTimeout, SeverityError, "the probe hit its deadline before finishing; results are partial"},
	{CheckQueryBudgetExhausted, SeverityError, "the probe sent max_queries queries and stopped; results are partial"},
	{CheckValidationBudgetExhausted, SeverityWarning, "a bound on DNSSEC validation work stopped a check (too many signatures or colliding keys, or the probe's validation budget ran out): the DNSSEC verdict is indeterminate"},
	{CheckResolutionFailed, SeverityError, "the delegation walk from the root could not reach the parent zone's servers"},
	{CheckReferralLoop, SeverityError, "a server answered with a referral that does not lead towards the target"},
	{CheckNotAZone, SeverityError, "the target is not delegated: no zone cut exists at that name"},
	{CheckParentServerError, SeverityWarning, "a parent zone server did not return the delegation"},
	{CheckParentNSInconsistent, SeverityWarning, "parent zone servers disagree on the delegation NS set or glue"},
	{CheckNSUnresolvable, SeverityError, "a delegated nameserver name has no address"},
	{CheckGlueMissing, SeverityError, "an in-bailiwick nameserver has no glue at the parent"},
	{CheckNSTargetCNAME, SeverityWarning, "a delegated nameserver name is an alias (CNAME), which RFC 2181 section 10.3 forbids: BIND resolvers skip that nameserver"},
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

	{CheckChainBroken, SeverityError, "the chain of trust breaks above the zone: a parent zone on the way from the trust anchor does not validate"},
	{CheckDSNoMatchingKey, SeverityError, "no DS at the parent matches a DNSKEY that signs the zone's DNSKEY RRset"},
	{CheckDSUnsignedChild, SeverityError, "the parent has DS records but the zone serves no DNSKEY (the zone is unsigned)"},
	{CheckDSUnmatched, SeverityWarning, "a DS at the parent matches no DNSKEY, though another DS does (often left over from a key rollover)"},
	{CheckDSKeyUnusable, SeverityWarning, "the DNSKEY a DS matches is revoked or not a zone key, so that DS cannot be used"},
	{CheckDSDigestSHA1Only, SeverityWarning, "the DS set uses only digest type 1 (SHA-1)"},
	{CheckDSInconsistent, SeverityWarning, "parent zone servers serve different DS sets for the zone"},
	{CheckUnsupportedAlgo, SeverityWarning, "the DS set uses only algorithms or digest types this exporter (and many validators) cannot validate: the zone is treated as insecure"},
	{CheckDNSSECIntermittent, SeverityError, "some nameserver addresses serve data that validates and others do not: resolvers fail depending on the server they ask"},
	{CheckRRSIGExpired, SeverityError, "a signature served for the zone has expired"},
	{CheckRRSIGNotYetValid, SeverityError, "a signature served for the zone has an inception in the future"},
	{CheckRRSIGInvalid, SeverityError, "no signature over an RRset verifies with the zone's keys"},
	{CheckRRSIGMissing, SeverityError, "an RRset of a signed zone is served without any signature"},
	{CheckRRSIGMalformed, SeverityError, "a signature's signer name or labels field is wrong"},
	{CheckRRSIGExpiresInTTL, SeverityWarning, "a signature expires before the RRset's TTL would let caches drop it"},
	{CheckRRSIGExpiring, SeverityWarning, "a signature has less time left than the signer's refresh margin (named, learned, or the smallest of the default policies): the signer missed its refresh"},
	{CheckSignerStalled, SeverityWarning, "even the newest signature is past the point where the signer should have replaced it: the signer has stopped re-signing the zone"},
	{CheckRRSIGOrigTTL, SeverityNotice, "an RRset is served with a TTL above its signature's original TTL; validators cap the TTL"},
	{CheckRecordCNAME, SeverityNotice, "a name listed in the module's records is an alias (CNAME): the CNAME's signatures are checked, not the type asked for"},
	{CheckDNSKEYInconsistent, SeverityWarning, "nameserver addresses serve different DNSKEY RRsets"},
	{CheckDNSKEYTagCollision, SeverityWarning, "two zone keys share an algorithm and a key tag: BIND resolvers fail the zone when they try the wrong one of them first"},
	{CheckSigningKeyMissing, SeverityError, "a key that signs the zone's data is missing from a server's DNSKEY RRset"},
	{CheckAlgorithmNotSigning, SeverityWarning, "an algorithm in the DS or DNSKEY set does not sign every RRset (RFC 4035 section 2.2)"},
	{CheckDenialInvalid, SeverityError, "a proof of non-existence (NSEC or NSEC3) is missing or does not prove the answer"},
	{CheckNSEC3Iterations, SeverityWarning, "NSEC3 uses additional iterations; RFC 9276 says 0"},
	{CheckNSEC3IterationsLimit, SeverityWarning, "NSEC3 iterations exceed the limit at which common validators treat the answers NSEC3 proves (denials) as insecure"},
	{CheckNSEC3Salt, SeverityNotice, "NSEC3 uses a salt; RFC 9276 says none"},
	{CheckCDSInconsistent, SeverityWarning, "nameserver addresses serve different CDS or CDNSKEY RRsets"},
	{CheckCDSMismatchDS, SeverityNotice, "the zone's CDS/CDNSKEY differs from the parent's DS: a key rollover is in flight or stuck"},
	{CheckCDSDelete, SeverityNotice, "the zone publishes the CDS delete form: it asks the parent to remove its DS"},
	{CheckCDSNotSignedByDSKey, SeverityWarning, "the CDS/CDNSKEY RRset is not signed by a key the current DS trusts, so the parent must ignore it (RFC 7344)"},
	{CheckRolloverNewKeyTooEarly, SeverityWarning, "a new key took over signing before its DNSKEY (or, for a KSK, its DS) could have reached resolvers' caches"},
	{CheckRolloverRemovedTooEarly, SeverityWarning, "a DNSKEY or a DS was removed while data signed only by the old key could still be in resolvers' caches"},
	{CheckRolloverAlgorithmOrder, SeverityWarning, "an algorithm rollover left the order of RFC 6781 section 4.1.4: signatures, then DNSKEY, then DS, each after the TTLs"},
	{CheckRolloverStuck, SeverityWarning, "a key rollover has stayed in one state longer than the module's rollover_stuck_after (for example a CDS the parent never acted on)"},
	{CheckSweepFailed, SeverityWarning, "the whole-zone sweep could not transfer or check the zone: its results are missing or stale"},
	{CheckSweepRRSIGInvalid, SeverityError, "the sweep found RRsets whose signatures do not validate (expired, not yet valid, by a missing key, or not verifying)"},
	{CheckSweepRRSIGMissing, SeverityError, "the sweep found RRsets of the signed zone without any signature"},
	{CheckSweepRRSIGExpiring, SeverityWarning, "the sweep found RRsets whose signatures stop validating within the module's expiry warning window"},
	{CheckSweepDenialBroken, SeverityError, "the sweep found the zone's NSEC or NSEC3 chain incomplete: some denials of existence cannot be proved"},
	{CheckSecondaryBehindPrimary, SeverityWarning, "a nameserver address serves an older SOA serial than the primary served at the last sweep"},
	{CheckResolverDNSSECFailure, SeverityError, "a resolver answers SERVFAIL with DNSSEC validation and the data with CD=1: users behind it cannot resolve the zone"},
	{CheckResolverServfail, SeverityError, "a resolver answers SERVFAIL even with CD=1: users behind it cannot resolve the zone"},
	{CheckResolverNXDomain, SeverityError, "a resolver says the zone does not exist"},
	{CheckResolverUnreachable, SeverityWarning, "a configured resolver timed out, refused or could not be reached: its view is missing"},
	{CheckResolverDisagreement, SeverityWarning, "a resolver's verdict differs from the exporter's own validation: look at the resolver (trust anchor, algorithm policy, cached data)"},
}

// CheckEDE maps a check ID to the RFC 8914 Extended DNS Error a validating
// resolver typically attaches to its SERVFAIL, when there is one.
var CheckEDE = map[CheckID]int{
	CheckRRSIGExpired:         7,  // Signature Expired
	CheckRRSIGNotYetValid:     8,  // Signature Not Yet Valid
	CheckRRSIGInvalid:         6,  // DNSSEC Bogus
	CheckRRSIGMissing:         10, // RRSIGs Missing
	CheckRRSIGMalformed:       6,  // DNSSEC Bogus
	CheckDSNoMatchingKey:      9,  // DNSKEY Missing
	CheckDSUnsignedChild:      9,  // DNSKEY Missing
	CheckDSKeyUnusable:        9,  // DNSKEY Missing
	CheckSigningKeyMissing:    9,  // DNSKEY Missing
	CheckDenialInvalid:        12, // NSEC Missing
	CheckChainBroken:          6,  // DNSSEC Bogus
	CheckDNSSECIntermittent:   6,  // DNSSEC Bogus
	CheckUnsupportedAlgo:      1,  // Unsupported DNSKEY Algorithm (or 2, Unsupported DS Digest Type)
	CheckNoReachableAuthority: 22, // No Reachable Authority
}

// lameCheck maps a lame status to its check ID.
var lameCheck = map[Status]CheckID{
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

func checkSeverity(id CheckID) Severity {
	for _, c := range Checks {
		if c.ID == id {
			return c.Severity
		}
	}
	return SeverityError
}
