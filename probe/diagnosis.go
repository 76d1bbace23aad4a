package probe

import (
	"fmt"
	"slices"
	"strings"
)

// rule maps findings to a cause. The first rule whose checks were raised
// (and whose condition holds) names the cause: rules are in the order an
// on-call should care, outages first.
type rule struct {
	cause  Cause
	checks []CheckID
	when   func(*Report) bool
	// servfail says what validating resolvers do.
	servfail func(*Report) servfailScope
}

// servfailScope is where validating resolvers SERVFAIL the zone.
type servfailScope int

const (
	servfailNone servfailScope = iota
	servfailAll                // on every path
	servfailSome               // depending on the server or path
)

func servfailEverywhere(*Report) servfailScope { return servfailAll }
func servfailSomewhere(*Report) servfailScope  { return servfailSome }

func bogus(r *Report) bool { return r.DNSSEC != nil && r.DNSSEC.Status == DNSSECBogus }

func bogusServfail(r *Report) servfailScope {
	if r.DNSSEC != nil && r.DNSSEC.Intermittent {
		return servfailSome
	}
	return servfailAll
}

var rules = []rule{
	{cause: CauseNotAZone, checks: []CheckID{CheckNotAZone}},
	{cause: CauseResolutionFailed, checks: []CheckID{CheckReferralLoop}, servfail: servfailEverywhere},
	{cause: CauseResolutionFailed, checks: []CheckID{CheckResolutionFailed}},
	{cause: CauseNoReachableAuthority, checks: []CheckID{CheckNoReachableAuthority}, servfail: servfailEverywhere},
	{cause: CauseChainBroken, checks: []CheckID{CheckChainBroken}, when: bogus, servfail: servfailEverywhere},
	{cause: CauseSignatureExpired, checks: []CheckID{CheckRRSIGExpired}, when: bogus, servfail: bogusServfail},
	{cause: CauseSignatureNotYetValid, checks: []CheckID{CheckRRSIGNotYetValid}, when: bogus, servfail: bogusServfail},
	{cause: CauseStaleSecondary, checks: []CheckID{CheckSigningKeyMissing, CheckDNSKEYInconsistent}, when: func(r *Report) bool { return bogus(r) && r.DNSSEC.Intermittent }, servfail: bogusServfail},
	{cause: CauseDSMismatch, checks: []CheckID{CheckDSNoMatchingKey, CheckDSKeyUnusable}, when: bogus, servfail: bogusServfail},
	{cause: CauseDNSKEYMissing, checks: []CheckID{CheckDSUnsignedChild, CheckSigningKeyMissing}, when: bogus, servfail: bogusServfail},
	{cause: CauseBogusSignature, checks: []CheckID{CheckRRSIGInvalid, CheckRRSIGMissing, CheckRRSIGMalformed}, when: bogus, servfail: bogusServfail},
	{cause: CauseBogusDenial, checks: []CheckID{CheckDenialInvalid}, when: bogus, servfail: bogusServfail},
	{cause: CauseProbeIncomplete, checks: []CheckID{CheckProbeTimeout, CheckQueryBudgetExhausted}},
	{cause: CauseResolverFailure, checks: []CheckID{CheckResolverDNSSECFailure, CheckResolverServfail, CheckResolverNXDomain}, servfail: servfailSomewhere},
	// The whole-zone sweep's findings: names the probe itself never asks
	// for fail validation, so resolvers SERVFAIL those names only.
	{cause: CauseBogusSignature, checks: []CheckID{CheckSweepRRSIGInvalid, CheckSweepRRSIGMissing}, servfail: servfailSomewhere},
	{cause: CauseBogusDenial, checks: []CheckID{CheckSweepDenialBroken}, servfail: servfailSomewhere},
	{cause: CausePartialLame, checks: []CheckID{
		CheckLameTimeout, CheckLameRefused, CheckLameServfail, CheckLameNotAuthoritative, CheckLameReferral,
		CheckLameUpwardReferral, CheckLameWrongZone, CheckLameNetworkError, CheckLameMalformed,
		CheckEDNSUnsupported, CheckApexNSUnavailable,
	}},
	{cause: CauseDelegationMismatch, checks: []CheckID{
		CheckNSUnresolvable, CheckGlueMissing, CheckNSTargetCNAME, CheckParentNSInconsistent, CheckParentServerError,
		CheckNSParentChildDiffer, CheckNSChildInconsistent, CheckGlueMismatch, CheckDSInconsistent,
	}},
	{cause: CauseStaleSecondary, checks: []CheckID{CheckSOASerialMismatch, CheckDNSKEYInconsistent, CheckSigningKeyMissing, CheckSecondaryBehindPrimary}},
	{cause: CauseSignatureExpired, checks: []CheckID{CheckRRSIGExpiresInTTL, CheckRRSIGExpiring, CheckSignerStalled, CheckSweepRRSIGExpiring}},
	{cause: CauseInsecureDowngrade, checks: []CheckID{CheckNSEC3IterationsLimit, CheckUnsupportedAlgo}},
	{cause: CauseRolloverStuck, checks: []CheckID{CheckCDSMismatchDS, CheckDSUnmatched, CheckAlgorithmNotSigning, CheckCDSNotSignedByDSKey, CheckCDSInconsistent, CheckDSKeyUnusable,
		CheckRolloverNewKeyTooEarly, CheckRolloverRemovedTooEarly, CheckRolloverAlgorithmOrder, CheckRolloverStuck}},
	{cause: CauseAdvisory, checks: nil},
}

// diagnose draws the probe's one conclusion from its findings, DNSSEC
// verdict and resolver view.
func diagnose(r *Report) *Diagnosis {
	raised := map[CheckID]Severity{}
	for _, f := range r.Findings {
		if s, ok := raised[f.Check]; !ok || f.Severity.Rank() < s.Rank() {
			raised[f.Check] = f.Severity
		}
	}
	d := &Diagnosis{Cause: CauseHealthy}
	if len(raised) == 0 {
		d.Summary = healthySummary(r)
		r.noteResolverServfail(d)
		return d
	}
	for _, ru := range rules {
		var hit []CheckID
		for _, c := range ru.checks {
			if _, ok := raised[c]; ok {
				hit = append(hit, c)
			}
		}
		if ru.checks != nil && len(hit) == 0 {
			continue
		}
		if ru.when != nil && !ru.when(r) {
			continue
		}
		d.Cause = ru.cause
		if ru.servfail != nil {
			switch ru.servfail(r) {
			case servfailAll:
				d.ServfailExpected = true
			case servfailSome:
				d.ServfailIntermittent = true
			}
		}
		break
	}
	// The checks behind the cause first, then every other one raised,
	// errors before warnings before notices.
	primary := map[CheckID]bool{}
	for _, ru := range rules {
		if ru.cause == d.Cause {
			for _, c := range ru.checks {
				if _, ok := raised[c]; ok {
					primary[c] = true
				}
			}
		}
	}
	for c := range raised {
		d.Checks = append(d.Checks, c)
	}
	slices.SortFunc(d.Checks, func(a, b CheckID) int {
		if primary[a] != primary[b] {
			if primary[a] {
				return -1
			}
			return 1
		}
		if x, y := raised[a].Rank(), raised[b].Rank(); x != y {
			return x - y
		}
		return strings.Compare(string(a), string(b))
	})
	d.Severity = raised[d.Checks[0]]
	for c, s := range raised {
		if primary[c] && s.Rank() < d.Severity.Rank() {
			d.Severity = s
		}
	}
	r.noteResolverServfail(d)
	d.Summary = summarise(r, d, raised)
	return d
}

// noteResolverServfail marks SERVFAIL as intermittent when a resolver
// answers SERVFAIL but the authoritative evidence does not predict it.
func (r *Report) noteResolverServfail(d *Diagnosis) {
	if d.ServfailExpected {
		return
	}
	for _, res := range r.Resolvers {
		if res.Status == ResolverDNSSECFailure || res.Status == ResolverServfail {
			d.ServfailIntermittent = true
		}
	}
}

func healthySummary(r *Report) string {
	z := strings.TrimSuffix(r.Zone, ".")
	ok := 0
	for _, s := range r.Servers {
		if s.Status == StatusOK {
			ok++
		}
	}
	s := fmt.Sprintf("%s is healthy: %d nameserver addresses answer authoritatively and agree", z, ok)
	if r.DNSSEC != nil {
		switch r.DNSSEC.Status {
		case DNSSECSecure:
			s += fmt.Sprintf("; DNSSEC secure, earliest signature expiry in %.1f days", r.DNSSEC.EarliestExpiration.Sub(r.Time).Hours()/24)
		case DNSSECInsecure:
			s += "; not DNSSEC-signed (no DS at the parent)"
		}
	}
	return s
}

// summarise writes the one line an on-call reads first.
func summarise(r *Report, d *Diagnosis, raised map[CheckID]Severity) string {
	z := strings.TrimSuffix(r.Zone, ".")
	subjects := func(checks ...CheckID) string { return subjectsOf(r, checks...) }
	effect := ""
	switch {
	case d.ServfailExpected:
		effect = ": validating resolvers SERVFAIL it"
	case d.ServfailIntermittent:
		effect = ": some resolvers or some paths SERVFAIL it"
	}
	days := ""
	if r.DNSSEC != nil && !r.DNSSEC.EarliestExpiration.IsZero() {
		days = fmt.Sprintf(", earliest expiry %+.1f days", r.DNSSEC.EarliestExpiration.Sub(r.Time).Hours()/24)
	}
	lame := 0
	for _, s := range r.Servers {
		if s.Status.Lame() {
			lame++
		}
	}
	switch d.Cause {
	case CauseNotAZone:
		return z + " is not a delegated zone" + firstMessage(r, CheckNotAZone)
	case CauseResolutionFailed:
		return "the delegation walk to " + z + " failed" + firstMessage(r, CheckReferralLoop, CheckResolutionFailed)
	case CauseNoReachableAuthority:
		return fmt.Sprintf("no nameserver of %s answers authoritatively (%d of %d addresses lame)%s", z, lame, len(r.Servers), effect)
	case CauseChainBroken:
		return "the DNSSEC chain of trust breaks above " + z + effect
	case CauseSignatureExpired:
		if !bogus(r) && (raised[CheckRRSIGExpiring] != "" || raised[CheckSignerStalled] != "") {
			return "signatures of " + z + " were not replaced when their signer's refresh margin said" + days
		}
		if !bogus(r) {
			return "signatures of " + z + " expire before caches drop them" + days + subjects(CheckRRSIGExpiresInTTL)
		}
		return "DNSSEC signatures of " + z + " have expired" + days + subjects(CheckRRSIGExpired) + effect
	case CauseSignatureNotYetValid:
		return "DNSSEC signatures of " + z + " are not valid yet (inception in the future)" + subjects(CheckRRSIGNotYetValid) + effect
	case CauseStaleSecondary:
		if bogus(r) {
			return "some nameservers of " + z + " serve an old DNSKEY set that does not match the signatures" + subjects(CheckSigningKeyMissing, CheckDNSKEYInconsistent) + effect
		}
		return "some nameservers of " + z + " serve stale data" + subjects(CheckSOASerialMismatch, CheckDNSKEYInconsistent, CheckSigningKeyMissing)
	case CauseDSMismatch:
		return "no DS at the parent of " + z + " matches a key that signs its DNSKEY set" + effect
	case CauseDNSKEYMissing:
		return "the parent has a DS for " + z + " but the zone serves no matching DNSKEY" + subjects(CheckDSUnsignedChild, CheckSigningKeyMissing) + effect
	case CauseBogusSignature:
		return "DNSSEC signatures of " + z + " do not verify" + subjects(CheckRRSIGInvalid, CheckRRSIGMissing, CheckRRSIGMalformed) + effect
	case CauseBogusDenial:
		return "proofs of non-existence (NSEC/NSEC3) from " + z + " do not verify" + subjects(CheckDenialInvalid) + effect
	case CauseProbeIncomplete:
		return "the probe of " + z + " did not finish; results are partial" + firstMessage(r, CheckProbeTimeout, CheckQueryBudgetExhausted)
	case CauseResolverFailure:
		return "resolvers fail to resolve " + z + " though its servers look healthy to the exporter" + subjects(CheckResolverDNSSECFailure, CheckResolverServfail, CheckResolverNXDomain) + effect
	case CausePartialLame:
		if lame == 0 {
			return "nameservers of " + z + " answer, but not as resolvers expect" + firstMessage(r, CheckEDNSUnsupported, CheckApexNSUnavailable)
		}
		return fmt.Sprintf("%d of %d nameserver addresses of %s are lame%s; the others answer, so resolvers retry them and slow down", lame, len(r.Servers), z, subjects(lameChecks()...))
	case CauseDelegationMismatch:
		return "the delegation of " + z + " is inconsistent between the parent and the zone's servers" + firstMessage(r, rulesChecks(CauseDelegationMismatch)...)
	case CauseInsecureDowngrade:
		if r.DNSSEC != nil && r.DNSSEC.Status == DNSSECSecure {
			return z + " is signed but validators treat its proofs of non-existence as insecure" + firstMessage(r, CheckNSEC3IterationsLimit)
		}
		return z + " is signed but validators treat it as insecure" + firstMessage(r, CheckNSEC3IterationsLimit, CheckUnsupportedAlgo)
	case CauseRolloverStuck:
		return "a DNSSEC key rollover of " + z + " is incomplete" + firstMessage(r, rulesChecks(CauseRolloverStuck)...)
	}
	return fmt.Sprintf("%s resolves; advisory: %s", z, joinChecks(d.Checks))
}

func lameChecks() []CheckID {
	var out []CheckID
	for _, c := range lameCheck {
		out = append(out, c)
	}
	return out
}

func rulesChecks(cause Cause) []CheckID {
	var out []CheckID
	for _, ru := range rules {
		if ru.cause == cause {
			out = append(out, ru.checks...)
		}
	}
	return out
}

// firstMessage is ": <message>" of the first finding of those checks.
func firstMessage(r *Report, checks ...CheckID) string {
	for _, c := range checks {
		for _, f := range r.Findings {
			if f.Check == c {
				return ": " + f.Message
			}
		}
	}
	return ""
}

func joinChecks(ids []CheckID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

// subjectsOf is " (ns addr, ...)" naming up to three addresses with
// findings of the checks, or "".
func subjectsOf(r *Report, checks ...CheckID) string {
	var out []string
	for _, f := range r.Findings {
		if slices.Contains(checks, f.Check) && f.Address != "" {
			out = appendUnique(out, strings.TrimSpace(bare(f.Nameserver)+" "+f.Address))
		}
	}
	if len(out) == 0 {
		return ""
	}
	if len(out) > 3 {
		out = append(out[:3], fmt.Sprintf("and %d more", len(out)-3))
	}
	return " (" + strings.Join(out, ", ") + ")"
}
