package validate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Authenticated denial of existence: checking that a negative answer's
// NSEC (RFC 4035 section 5.4) or NSEC3 (RFC 5155 section 8) records prove
// what the answer claims, the way a validating resolver does before it
// accepts an NXDOMAIN or an empty NOERROR.
//
// Covered: NXDOMAIN and NODATA, with NSEC or NSEC3; empty non-terminals;
// the apex; the wrap-around from the last name (or hash) of the chain to
// the first; wildcard NODATA (RFC 4035 section 3.1.3.4, RFC 5155 section
// 8.7); NSEC3 opt-out where it may apply (DS NODATA, RFC 5155 section 8.6,
// and an empty non-terminal above an insecure delegation, RFC 5155 erratum
// 3441); "ancestor delegation" NSEC/NSEC3 records, which must not deny
// names below a zone cut (RFC 6840 section 4.1, RFC 5155 section 8.3).
// Not covered: positive wildcard answers (RFC 5155 section 8.8), CNAME
// chains that end in a denial, referrals to unsigned zones (section 8.9),
// and qnames below a delegation (the caller asks only inside the zone).

// Kinds of negative answer.
const (
	KindNXDomain = "nxdomain"
	KindNoData   = "nodata"
)

// NSEC3Params are the NSEC3 parameters seen in a reply.
type NSEC3Params struct {
	Iterations uint16
	SaltLength int
	OptOut     bool
}

// DenialVerdict is what a negative answer's NSEC/NSEC3 records prove.
type DenialVerdict struct {
	Valid bool
	Kind  string // KindNXDomain or KindNoData
	// Reason is why, when !Valid: DenialInvalid, LimitExceeded, or the
	// RRSIG reason from VerifyRRset when the NSEC/NSEC3 (or SOA)
	// signatures fail.
	Reason Reason
	Detail string // one line for people
	// NSEC3 is set when the reply used NSEC3: iterations, salt length and
	// opt-out as seen in its NSEC3 records.
	NSEC3 *NSEC3Params
	// Insecure is set (with Valid) when the NSEC3 records' iterations are
	// over Limits.MaxNSEC3Iterations: signed, but not hashed or proved.
	Insecure bool
}

// errLimit marks a proof stopped by a bound in Limits or the Budget.
var errLimit = errors.New("over the validator's limit")

// errOverIterations marks NSEC3 records over Limits.MaxNSEC3Iterations:
// validators treat such answers as insecure without hashing (RFC 9276
// section 3.2), and so does VerifyDenial.
var errOverIterations = errors.New("over the NSEC3 iteration limit, so not hashed: validators treat the answer as insecure (RFC 9276 section 3.2)")

// rrsetKey names one RRset of a message section.
type rrsetKey struct {
	owner string
	rtype uint16
}

// denialRecords are the NSEC and NSEC3 records of the zone in a reply's
// authority section, and the RRsets they form.
type denialRecords struct {
	nsecs   []*dns.NSEC
	nsec3s  []*dns.NSEC3
	foreign []string // records of other zones, for the message
	sets    []rrsetKey
}

// collectDenial picks the NSEC and NSEC3 records of zone out of section;
// others cannot be verified with the zone's keys and cannot prove anything
// about its names.
func collectDenial(section []dns.RR, zone string) denialRecords {
	var d denialRecords
	seen := map[rrsetKey]bool{}
	for _, rr := range section {
		h := rr.Header()
		switch r := rr.(type) {
		case *dns.NSEC:
			if !IsSubdomain(zone, h.Name) {
				d.foreign = append(d.foreign, h.Name+" NSEC")
				continue
			}
			d.nsecs = append(d.nsecs, r)
		case *dns.NSEC3:
			if _, z := NSEC3Owner(h.Name); z != zone {
				d.foreign = append(d.foreign, h.Name+" NSEC3")
				continue
			}
			d.nsec3s = append(d.nsec3s, r)
		default:
			continue
		}
		k := rrsetKey{dns.CanonicalName(h.Name), h.Rrtype}
		if !seen[k] {
			seen[k] = true
			d.sets = append(d.sets, k)
		}
	}
	return d
}

// VerifyDenial checks that msg, a reply to qname/qtype from a server of
// zone (asked with DO=1), proves what it claims:
//
//   - NXDOMAIN: qname does not exist. With NSEC, one NSEC covers qname and
//     one covers the wildcard at the closest encloser (RFC 4035 section
//     5.4). With NSEC3, a closest encloser proof, a cover of the next closer
//     name and a cover of the wildcard (RFC 5155 sections 8.3 and 8.4).
//   - NOERROR with an empty answer (NODATA): qname exists without qtype.
//     The NSEC or NSEC3 matching qname lacks qtype and CNAME in its bitmap
//     (RFC 4035 section 5.4, RFC 5155 sections 8.5 and 8.6), or qname is an
//     empty non-terminal, or a wildcard NODATA.
//
// Every NSEC and NSEC3 RRset of the zone in the authority section must
// carry a valid signature by one of keys (the zone's trusted keys) at now,
// and so must the zone's SOA there: a validator treats the whole reply as
// bogus when any authority RRset fails (Unbound, for one, does so in
// validate_msg_signatures). Signature failures are reported ahead of proof
// failures, as the more specific reason (RFC 8914 EDE 6/7/8/10 rather than 12).
func (val Validator) VerifyDenial(msg *dns.Msg, zone, qname string, qtype uint16, keys []*dns.DNSKEY, now time.Time) DenialVerdict {
	zone = dns.CanonicalName(zone)
	qname = dns.CanonicalName(qname)
	v := DenialVerdict{}
	fail := func(format string, args ...any) DenialVerdict {
		v.Valid = false
		v.Reason = DenialInvalid
		v.Detail = fmt.Sprintf(format, args...)
		return v
	}
	what := qname + " " + TypeString(qtype)
	if msg == nil {
		return fail("no reply to %s", what)
	}
	switch {
	case msg.Rcode == dns.RcodeNameError && len(msg.Answer) == 0:
		v.Kind = KindNXDomain
	case msg.Rcode == dns.RcodeSuccess && len(msg.Answer) == 0:
		v.Kind = KindNoData
	default:
		return fail("the reply to %s is not a negative answer (rcode %s, %d answer records)",
			what, dns.RcodeToString[msg.Rcode], len(msg.Answer))
	}
	if !IsSubdomain(zone, qname) {
		return fail("%s is outside the zone %s", qname, zone)
	}
	// The SOA: the zone's own, as RFC 4035 section 3.1.3 and RFC 2308
	// section 3 ask of a negative answer.
	soaSet, soaSigs := SplitSigs(msg.Ns, zone, dns.TypeSOA)
	if len(soaSet) == 0 {
		for _, rr := range msg.Ns {
			if rr.Header().Rrtype == dns.TypeSOA {
				return fail("%s answer for %s carries the SOA of %s, not of the zone %s", v.Kind, what, rr.Header().Name, zone)
			}
		}
		return fail("%s answer for %s has no SOA in the authority section", v.Kind, what)
	}
	d := collectDenial(msg.Ns, zone)
	if len(d.nsec3s) > 0 {
		v.NSEC3 = nsec3Params(d.nsec3s)
	}
	// Signatures first: NSEC3 hashing of records nobody signed is work an
	// attacker chooses (RFC 5155 section 10.3, RFC 9276 section 3.2).
	if sigFail := val.denialSigs(msg.Ns, d.sets, soaSet, soaSigs, keys, zone, now); sigFail != nil {
		v.Reason = sigFail.Reason
		v.Detail = fmt.Sprintf("%s proof for %s: %s", v.Kind, what, sigFail.Detail)
		if len(d.nsec3s) == 0 {
			if _, proofErr := val.prove(d, zone, qname, qtype, v.Kind == KindNXDomain); proofErr != nil {
				v.Detail += "; the proof itself also fails: " + proofErr.Error()
			}
		}
		return v
	}
	proof, proofErr := val.prove(d, zone, qname, qtype, v.Kind == KindNXDomain)
	if errors.Is(proofErr, errOverIterations) {
		v.Valid, v.Insecure = true, true
		v.Detail = fmt.Sprintf("%s proof for %s: %v", v.Kind, what, proofErr)
		return v
	}
	if proofErr != nil {
		v = fail("%s proof for %s: %v", v.Kind, what, proofErr)
		if errors.Is(proofErr, errLimit) {
			v.Reason = LimitExceeded
		}
		return v
	}
	v.Valid = true
	v.Detail = proof
	return v
}

// prove returns the proof from the records as served, or why it fails.
func (val Validator) prove(d denialRecords, zone, qname string, qtype uint16, nx bool) (string, error) {
	switch {
	case len(d.nsec3s) > 0:
		// A zone uses one or the other; if a reply mixes them, NSEC3 is
		// what the zone's NSEC3PARAM would say it uses.
		return proveNSEC3(d.nsec3s, zone, qname, qtype, nx, val.Limits.MaxNSEC3Iterations, val.Budget)
	case len(d.nsecs) > 0:
		return proveNSEC(d.nsecs, zone, qname, qtype, nx)
	case len(d.foreign) > 0:
		return "", fmt.Errorf("no NSEC or NSEC3 records of the zone in the authority section (only %s, outside it)", strings.Join(d.foreign, ", "))
	}
	return "", fmt.Errorf("no NSEC or NSEC3 records of the zone in the authority section")
}

// denialSigs verifies every NSEC/NSEC3 RRset of the zone, then the SOA,
// and returns the first failure, or nil.
func (val Validator) denialSigs(section []dns.RR, sets []rrsetKey, soaSet []dns.RR, soaSigs []*dns.RRSIG, keys []*dns.DNSKEY, zone string, now time.Time) *SigVerdict {
	for _, k := range sets {
		rrset, sigs := SplitSigs(section, k.owner, k.rtype)
		if sv := val.VerifyRRset(rrset, sigs, keys, zone, now); !sv.Valid {
			return &sv
		}
	}
	if sv := val.VerifyRRset(soaSet, soaSigs, keys, zone, now); !sv.Valid {
		return &sv
	}
	return nil
}
