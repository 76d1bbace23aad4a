package probe

import (
	"fmt"
	"strings"
)

// --- RFC 9276 findings ---

// nsec3ValidatorLimit is the NSEC3 iteration count above which a
// mainstream validating resolver stops validating and treats the zone as
// insecure (RFC 9276 section 3.2 lets it; EDE 27 where it reports one).
type nsec3ValidatorLimit struct {
	name   string
	max    uint16
	source string
}

// nsec3ValidatorLimits are the limits as each resolver's own source sets
// them:
//   - BIND 9: DNS_NSEC3_MAXITERATIONS 50U (lib/dns/include/dns/nsec3.h;
//     lowered from 150 to 50 by commit ff4201e388, 2023-12-05; the 9.21.20
//     notes for CVE-2026-1519 also name "a processing limit, set at 50").
//   - Knot Resolver: kr_nsec3_limited, MAX_ITERATIONS = 50
//     (lib/dnssec/nsec3.h). Knot compares a "price" that also grows with
//     the salt length, so with a long salt it can downgrade below 50
//     iterations; the finding here uses the plain iteration count.
//   - Unbound: val-nsec3-keysize-iterations, default
//     "1024 150 2048 150 4096 150" (doc/unbound.conf.5.in).
//
// For comparison, RFC 9276 Appendix A (informative) found 100 iterations
// interoperable as the "treat as insecure" limit and SERVFAIL beyond 500
// interoperable; limits have been lowered since (CVE-2023-50868).
var nsec3ValidatorLimits = []nsec3ValidatorLimit{
	{"BIND 9", 50, "DNS_NSEC3_MAXITERATIONS, lib/dns/include/dns/nsec3.h"},
	{"Knot Resolver", 50, "MAX_ITERATIONS in kr_nsec3_limited, lib/dnssec/nsec3.h"},
	{"Unbound", 150, "val-nsec3-keysize-iterations default"},
}

// nsec3Finding is one RFC 9276 finding about an NSEC3 chain.
type nsec3Finding struct {
	check   CheckID
	message string
}

// nsec3Findings returns the RFC 9276 findings for an NSEC3 chain, each as
// (check ID, message):
//   - iterations > 0: CheckNSEC3Iterations. RFC 9276 section 3.1: "an
//     iterations count of 0 MUST be used".
//   - iterations above the limit at which a mainstream validator treats
//     the denials as insecure: CheckNSEC3IterationsLimit, naming them.
//   - a salt: CheckNSEC3Salt. RFC 9276 section 3.1: operators SHOULD NOT
//     use a salt.
func nsec3Findings(p NSEC3Param) []nsec3Finding {
	var out []nsec3Finding
	if p.Iterations > 0 {
		out = append(out, nsec3Finding{CheckNSEC3Iterations,
			fmt.Sprintf("NSEC3 uses %d additional iterations; RFC 9276 section 3.1 says the count MUST be 0 (extra iterations add resolver work, not protection)", p.Iterations)})
	}
	var over, under []string
	for _, l := range nsec3ValidatorLimits {
		if p.Iterations > l.max {
			over = append(over, fmt.Sprintf("%s (limit %d, %s)", l.name, l.max, l.source))
		} else {
			under = append(under, fmt.Sprintf("%s (limit %d)", l.name, l.max))
		}
	}
	if len(over) > 0 {
		msg := fmt.Sprintf("NSEC3 iterations %d exceed the limit of %s: those validators treat every answer proved by NSEC3 (NXDOMAIN, NODATA, delegations without DS, wildcard answers) as insecure (RFC 9276 section 3.2, EDE 27); positive answers still validate", p.Iterations, denialJoin(over))
		if len(under) > 0 {
			msg += "; still validated by " + denialJoin(under)
		}
		out = append(out, nsec3Finding{CheckNSEC3IterationsLimit, msg})
	}
	if p.SaltLength > 0 {
		out = append(out, nsec3Finding{CheckNSEC3Salt,
			fmt.Sprintf("NSEC3 uses a %d-byte salt; RFC 9276 section 3.1 says operators SHOULD NOT use a salt (it adds little protection against zone walking)", p.SaltLength)})
	}
	return out
}

// denialJoin joins items as "a", "a and b", or "a, b and c".
func denialJoin(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// judgeNSEC3 returns the RFC 9276 findings for the zone's NSEC3 chain and
// marks p.DenialsInsecure when the iterations exceed a mainstream
// validator's limit. Validators downgrade only what NSEC3 proves: in
// Unbound's validator/val_nsec3.c every NSEC3 proof (name error, NODATA,
// wildcard, the DS of a delegation) returns sec_status_insecure when
// nsec3_iteration_count_high, and positive answers, which need no proof,
// keep AD=1 (the lab's Unbound 1.17 in e2e/dnssec.sh shows it); BIND
// applies DNS_NSEC3_MAXITERATIONS where its validator reads NSEC3 proofs.
// So the zone's status is not changed here.
func judgeNSEC3(p *NSEC3Param) []nsec3Finding {
	fs := nsec3Findings(*p)
	p.DenialsInsecure = false
	for _, f := range fs {
		p.DenialsInsecure = p.DenialsInsecure || f.check == CheckNSEC3IterationsLimit
	}
	return fs
}
