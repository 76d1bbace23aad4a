package probe

import (
	"bytes"
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

const (
	denialKindNXDomain = "nxdomain"
	denialKindNoData   = "nodata"
)

// denialVerdict is what a negative answer's NSEC/NSEC3 records prove.
type denialVerdict struct {
	valid bool
	kind  string // "nxdomain" or "nodata"
	// check is the failing check ID when !valid: CheckDenialInvalid, or the
	// RRSIG check from verifyRRset when the NSEC/NSEC3 (or SOA) signatures
	// fail.
	check  string
	detail string // one line for people
	// nsec3 is set when the reply used NSEC3: iterations, salt length and
	// opt-out as seen in its NSEC3 records.
	nsec3 *NSEC3Param
}

// verifyDenial checks that msg, a reply to qname/qtype from a server of
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
// validate_msg_signatures). Signature failures are reported ahead of proof failures, as
// the more specific reason (RFC 8914 EDE 6/7/8/10 rather than 12).
func verifyDenial(msg *dns.Msg, zone, qname string, qtype uint16, keys []*dns.DNSKEY, now time.Time) denialVerdict {
	zone = dns.CanonicalName(zone)
	qname = dns.CanonicalName(qname)
	v := denialVerdict{}
	fail := func(format string, args ...any) denialVerdict {
		v.valid = false
		v.check = CheckDenialInvalid
		v.detail = fmt.Sprintf(format, args...)
		return v
	}
	what := qname + " " + denialTypeString(qtype)
	if msg == nil {
		return fail("no reply to %s", what)
	}
	switch {
	case msg.Rcode == dns.RcodeNameError && len(msg.Answer) == 0:
		v.kind = denialKindNXDomain
	case msg.Rcode == dns.RcodeSuccess && len(msg.Answer) == 0:
		v.kind = denialKindNoData
	default:
		return fail("the reply to %s is not a negative answer (rcode %s, %d answer records)",
			what, dns.RcodeToString[msg.Rcode], len(msg.Answer))
	}
	if !denialIsSub(zone, qname) {
		return fail("%s is outside the zone %s", qname, zone)
	}

	// The SOA: the zone's own, as RFC 4035 section 3.1.3 and RFC 2308
	// section 3 ask of a negative answer.
	soaSet, soaSigs := splitSigs(msg.Ns, zone, dns.TypeSOA)
	if len(soaSet) == 0 {
		for _, rr := range msg.Ns {
			if rr.Header().Rrtype == dns.TypeSOA {
				return fail("%s answer for %s carries the SOA of %s, not of the zone %s", v.kind, what, rr.Header().Name, zone)
			}
		}
		return fail("%s answer for %s has no SOA in the authority section", v.kind, what)
	}

	// The NSEC and NSEC3 records of this zone; others cannot be verified
	// with the zone's keys and cannot prove anything about its names.
	var nsecs []*dns.NSEC
	var nsec3s []*dns.NSEC3
	var foreign []string
	type rrsetKey struct {
		owner string
		rtype uint16
	}
	var sets []rrsetKey
	seen := map[rrsetKey]bool{}
	for _, rr := range msg.Ns {
		h := rr.Header()
		switch r := rr.(type) {
		case *dns.NSEC:
			if !denialIsSub(zone, h.Name) {
				foreign = append(foreign, h.Name+" NSEC")
				continue
			}
			nsecs = append(nsecs, r)
		case *dns.NSEC3:
			if _, z := denialNSEC3Owner(h.Name); z != zone {
				foreign = append(foreign, h.Name+" NSEC3")
				continue
			}
			nsec3s = append(nsec3s, r)
		default:
			continue
		}
		k := rrsetKey{dns.CanonicalName(h.Name), h.Rrtype}
		if !seen[k] {
			seen[k] = true
			sets = append(sets, k)
		}
	}
	if len(nsec3s) > 0 {
		v.nsec3 = denialNSEC3Param(nsec3s)
	}

	// The proof, from the records as served.
	var proof string
	var proofErr error
	switch {
	case len(nsec3s) > 0:
		// A zone uses one or the other; if a reply mixes them, NSEC3 is
		// what the zone's NSEC3PARAM would say it uses.
		proof, proofErr = denialProveNSEC3(nsec3s, zone, qname, qtype, v.kind == denialKindNXDomain)
	case len(nsecs) > 0:
		proof, proofErr = denialProveNSEC(nsecs, zone, qname, qtype, v.kind == denialKindNXDomain)
	default:
		proofErr = fmt.Errorf("no NSEC or NSEC3 records of the zone in the authority section")
		if len(foreign) > 0 {
			proofErr = fmt.Errorf("no NSEC or NSEC3 records of the zone in the authority section (only %s, outside it)", strings.Join(foreign, ", "))
		}
	}

	// Signatures: every NSEC/NSEC3 RRset of the zone, then the SOA.
	var sigFail *sigVerdict
	for _, k := range sets {
		rrset, sigs := splitSigs(msg.Ns, k.owner, k.rtype)
		sv := verifyRRset(rrset, sigs, keys, zone, now)
		if !sv.valid {
			sigFail = &sv
			break
		}
	}
	if sigFail == nil {
		if sv := verifyRRset(soaSet, soaSigs, keys, zone, now); !sv.valid {
			sigFail = &sv
		}
	}
	if sigFail != nil {
		v.check = sigFail.check
		v.detail = fmt.Sprintf("%s proof for %s: %s", v.kind, what, sigFail.detail)
		if proofErr != nil {
			v.detail += "; the proof itself also fails: " + proofErr.Error()
		}
		return v
	}
	if proofErr != nil {
		return fail("%s proof for %s: %v", v.kind, what, proofErr)
	}
	v.valid = true
	v.detail = proof
	return v
}

// --- NSEC (RFC 4035 section 5.4) ---

// denialProveNSEC returns what the NSEC records prove for qname/qtype, or
// why they do not prove the denial.
func denialProveNSEC(nsecs []*dns.NSEC, zone, qname string, qtype uint16, nx bool) (string, error) {
	match := func(name string) *dns.NSEC {
		for _, n := range nsecs {
			if denialCompare(n.Hdr.Name, name) == 0 {
				return n
			}
		}
		return nil
	}
	// An ancestor delegation NSEC (NS without SOA, or DNAME, at an
	// ancestor of name) is the parent's view of a zone cut: it says
	// nothing about names below the cut (RFC 6840 section 4.1), so cover
	// skips it; coverAny finds it, to say so.
	cover := func(name string) *dns.NSEC {
		for _, n := range nsecs {
			if denialNSECCovers(n, name) && !denialAncestorCut(n.Hdr.Name, n.TypeBitMap, name) {
				return n
			}
		}
		return nil
	}
	coverAny := func(name string) *dns.NSEC {
		for _, n := range nsecs {
			if denialNSECCovers(n, name) {
				return n
			}
		}
		return nil
	}
	span := func(n *dns.NSEC) string { return n.Hdr.Name + "→" + n.NextDomain }

	if nx {
		if denialCompare(qname, zone) == 0 {
			return "", fmt.Errorf("NXDOMAIN for the zone apex %s, which always exists", zone)
		}
		if m := match(qname); m != nil {
			return "", fmt.Errorf("the NSEC at %s says the name exists (types %s)", qname, denialTypes(m.TypeBitMap))
		}
		c := cover(qname)
		if c == nil {
			if a := coverAny(qname); a != nil {
				return "", fmt.Errorf("the only NSEC covering %s is %s, from the parent side of a zone cut above it (RFC 6840 section 4.1)", qname, span(a))
			}
			return "", fmt.Errorf("no NSEC covers %s", qname)
		}
		// The next name after qname is below qname: qname is an empty
		// non-terminal, which exists (RFC 4035 section 3.1.3.2).
		if denialIsStrictSub(qname, c.NextDomain) {
			return "", fmt.Errorf("NSEC %s shows %s is an empty non-terminal, which exists", span(c), qname)
		}
		ce := denialNSECClosestEncloser(c, qname)
		wc := denialWildcard(ce)
		if m := match(wc); m != nil {
			return "", fmt.Errorf("the NSEC at %s says the wildcard exists, so %s would have been synthesised from it", wc, qname)
		}
		w := cover(wc)
		if w == nil {
			return "", fmt.Errorf("NSEC %s covers %s but no NSEC covers the wildcard %s at its closest encloser %s", span(c), qname, wc, ce)
		}
		return fmt.Sprintf("NSEC %s covers %s; closest encloser %s; NSEC %s covers %s", span(c), qname, ce, span(w), wc), nil
	}

	// NODATA.
	if m := match(qname); m != nil {
		if err := denialBitmapDenies(m.TypeBitMap, qname, qtype, "NSEC", denialCompare(qname, zone) == 0); err != nil {
			return "", err
		}
		return fmt.Sprintf("NSEC at %s lists %s, not %s", qname, denialTypes(m.TypeBitMap), denialTypeString(qtype)), nil
	}
	c := cover(qname)
	if c == nil {
		return "", fmt.Errorf("no NSEC matches %s (nor covers it)", qname)
	}
	if denialIsStrictSub(qname, c.NextDomain) {
		// An empty non-terminal: it exists and has no types at all.
		return fmt.Sprintf("NSEC %s shows %s is an empty non-terminal", span(c), qname), nil
	}
	// Wildcard NODATA (RFC 4035 section 3.1.3.4): qname does not exist,
	// and the wildcard that would answer for it has no qtype.
	ce := denialNSECClosestEncloser(c, qname)
	wc := denialWildcard(ce)
	if w := match(wc); w != nil {
		if err := denialBitmapDenies(w.TypeBitMap, wc, qtype, "NSEC", false); err != nil {
			return "", err
		}
		return fmt.Sprintf("wildcard NODATA: NSEC %s covers %s; NSEC at %s lists %s, not %s", span(c), qname, wc, denialTypes(w.TypeBitMap), denialTypeString(qtype)), nil
	}
	return "", fmt.Errorf("no NSEC matches %s: NSEC %s says it does not exist, so the answer should be NXDOMAIN", qname, span(c))
}

// denialNSECCovers reports whether the NSEC n covers name: name sorts
// strictly between the owner and the next name in canonical order
// (RFC 4034 section 6.1). The last NSEC of the chain points back to the
// apex (RFC 4034 section 4.1.1), so when next does not sort after the owner
// the span wraps: every name after the owner is covered, and with a single
// NSEC (next == owner) every name but the owner.
func denialNSECCovers(n *dns.NSEC, name string) bool {
	owner, next := n.Hdr.Name, n.NextDomain
	if denialCompare(owner, next) < 0 {
		return denialCompare(owner, name) < 0 && denialCompare(name, next) < 0
	}
	return denialCompare(owner, name) < 0 || denialCompare(name, next) < 0
}

// denialNSECClosestEncloser returns the closest encloser of qname given
// the NSEC c that covers it: the longer of qname's common ancestors with
// c's owner and with c's next name. Both of those exist; any longer
// existing ancestor of qname would sort between the owner and qname and
// make the owner its descendant, so no longer one exists.
func denialNSECClosestEncloser(c *dns.NSEC, qname string) string {
	n := max(denialCommonLabels(qname, c.Hdr.Name), denialCommonLabels(qname, c.NextDomain))
	return denialAncestor(qname, n)
}

// --- NSEC3 (RFC 5155 section 8) ---

// denialNSEC3Set holds the NSEC3 records a proof may use, with the hashes
// computed so far (hashing costs iterations+1 SHA-1 runs per name).
type denialNSEC3Set struct {
	recs   []*dns.NSEC3
	hashes map[string]string
}

// hash returns H(name) with r's parameters, upper-case base32hex, or ""
// when it cannot be computed.
func (s *denialNSEC3Set) hash(name string, r *dns.NSEC3) string {
	salt := r.Salt
	if salt == "-" {
		salt = ""
	}
	k := fmt.Sprintf("%d/%d/%s/%s", r.Hash, r.Iterations, strings.ToUpper(salt), name)
	if h, ok := s.hashes[k]; ok {
		return h
	}
	h := dns.HashName(name, r.Hash, r.Iterations, salt)
	s.hashes[k] = h
	return h
}

// match returns the NSEC3 whose owner is H(name).
func (s *denialNSEC3Set) match(name string) *dns.NSEC3 {
	for _, r := range s.recs {
		owner, _ := denialNSEC3Owner(r.Hdr.Name)
		if h := s.hash(name, r); h != "" && h == owner {
			return r
		}
	}
	return nil
}

// cover returns the NSEC3 that covers H(name).
func (s *denialNSEC3Set) cover(name string) *dns.NSEC3 {
	for _, r := range s.recs {
		if h := s.hash(name, r); h != "" && denialNSEC3Covers(r, h) {
			return r
		}
	}
	return nil
}

// denialNSEC3Covers reports whether r covers the hash h (upper-case
// base32hex): h sorts strictly between the owner's hash and the next
// hashed owner name (RFC 5155 section 1.3, "covers"). Base32hex keeps the
// order of the binary hashes, so comparing the strings is comparing the
// hashes. The last NSEC3 in hash order points back to the first
// (RFC 5155 section 3.1.7): its span wraps, covering every hash after its
// owner or before its next; a single NSEC3 (next == owner) covers every
// hash but its own.
//
// dns.NSEC3.Cover (miekg/dns v1.1.73, nsecx.go) is not used: outside the
// wrap it counts a hash equal to the owner's as covered (a match is not a
// cover), it compares NextDomain without upper-casing it (text-parsed
// records keep lower case), and it treats the "" it gets for an unknown
// hash algorithm as covered by the last NSEC3. It also rehashes per call.
func denialNSEC3Covers(r *dns.NSEC3, h string) bool {
	owner, _ := denialNSEC3Owner(r.Hdr.Name)
	next := strings.ToUpper(r.NextDomain)
	if owner == "" || h == "" || h == owner {
		return false
	}
	if owner < next {
		return owner < h && h < next
	}
	return h > owner || h < next
}

// denialNSEC3Owner splits an NSEC3 owner name into its hash label
// (upper-cased) and the zone it belongs to (lower-cased, fully qualified).
func denialNSEC3Owner(name string) (hash, zone string) {
	idx := dns.Split(name)
	if len(idx) < 2 {
		return "", ""
	}
	return strings.ToUpper(name[:idx[1]-1]), dns.CanonicalName(name[idx[1]:])
}

// denialNSEC3Param reports the parameters of the NSEC3 records seen: those
// of the first with a supported hash (else the first), and opt-out if any
// record has the flag.
func denialNSEC3Param(recs []*dns.NSEC3) *NSEC3Param {
	first := recs[0]
	for _, r := range recs {
		if r.Hash == dns.SHA1 {
			first = r
			break
		}
	}
	salt := first.Salt
	if salt == "-" {
		salt = ""
	}
	p := &NSEC3Param{Iterations: first.Iterations, SaltLength: len(salt) / 2}
	for _, r := range recs {
		if r.Flags&1 != 0 {
			p.OptOut = true
		}
	}
	return p
}

// denialProveNSEC3 returns what the NSEC3 records prove for qname/qtype,
// or why they do not prove the denial.
func denialProveNSEC3(recs []*dns.NSEC3, zone, qname string, qtype uint16, nx bool) (string, error) {
	s := &denialNSEC3Set{hashes: map[string]string{}}
	var unknownAlg []string
	var badFlags, badHash int
	for _, r := range recs {
		owner, _ := denialNSEC3Owner(r.Hdr.Name)
		switch {
		case r.Hash != dns.SHA1:
			// RFC 5155 section 8.1: validators MUST ignore NSEC3 RRs with
			// unknown hash types; a reply with only those is bogus.
			unknownAlg = append(unknownAlg, fmt.Sprint(r.Hash))
		case r.Flags&^1 != 0:
			// RFC 5155 section 8.2: ignore NSEC3 RRs whose flags are other
			// than 0 or 1 (opt-out).
			badFlags++
		case !denialIsHash(owner) || !denialIsHash(strings.ToUpper(r.NextDomain)):
			badHash++
		default:
			s.recs = append(s.recs, r)
		}
	}
	if len(s.recs) == 0 {
		switch {
		case len(unknownAlg) > 0:
			return "", fmt.Errorf("NSEC3 hash algorithm %s unsupported (only 1, SHA-1, is defined; RFC 5155 section 8.1 says to ignore such NSEC3 records, which leaves no proof)", strings.Join(denialUnique(unknownAlg), ", "))
		case badFlags > 0:
			return "", fmt.Errorf("every NSEC3 record has flags other than 0 or 1, so none may be used (RFC 5155 section 8.2)")
		default:
			return "", fmt.Errorf("no NSEC3 record has a well-formed SHA-1 owner hash and next hash")
		}
	}
	p := s.recs[0]
	short := func(r *dns.NSEC3) string {
		o, _ := denialNSEC3Owner(r.Hdr.Name)
		return fmt.Sprintf("%s…→%s…", o[:8], strings.ToUpper(r.NextDomain)[:8])
	}
	hashOf := func(name string) string {
		h := s.hash(name, p)
		if len(h) > 8 {
			h = h[:8] + "…"
		}
		return "H(" + name + ")=" + h
	}
	optOut := func(r *dns.NSEC3) bool { return r.Flags&1 != 0 }

	if nx {
		if denialCompare(qname, zone) == 0 {
			return "", fmt.Errorf("NXDOMAIN for the zone apex %s, which always exists", zone)
		}
		if m := s.match(qname); m != nil {
			return "", fmt.Errorf("an NSEC3 matches %s: the name exists (types %s)", hashOf(qname), denialTypes(m.TypeBitMap))
		}
		ce, nc, _, ncRR, err := denialNSEC3ClosestEncloser(s, zone, qname)
		if err != nil {
			return "", err
		}
		wc := denialWildcard(ce)
		if m := s.match(wc); m != nil {
			return "", fmt.Errorf("an NSEC3 matches the wildcard %s: it exists, so %s would have been synthesised from it", hashOf(wc), qname)
		}
		w := s.cover(wc)
		if w == nil {
			return "", fmt.Errorf("closest encloser %s proved and the next closer %s covered, but no NSEC3 covers the wildcard %s (%s)", ce, nc, wc, hashOf(wc))
		}
		out := fmt.Sprintf("NSEC3 closest encloser %s; %s covers next closer %s; %s covers %s", ce, short(ncRR), nc, short(w), wc)
		if optOut(ncRR) {
			// RFC 5155 section 6: an opt-out span may hide an unsigned
			// delegation, so the name is proved absent only insecurely
			// (Unbound returns insecure rather than bogus here).
			out += "; the next closer's NSEC3 has opt-out, so an unsigned delegation could exist there (insecure, not bogus)"
		}
		return out, nil
	}

	// NODATA.
	if m := s.match(qname); m != nil {
		if err := denialBitmapDenies(m.TypeBitMap, qname, qtype, "NSEC3", denialCompare(qname, zone) == 0); err != nil {
			return "", err
		}
		if len(m.TypeBitMap) == 0 {
			return fmt.Sprintf("NSEC3 matching %s has an empty bitmap: an empty non-terminal", hashOf(qname)), nil
		}
		return fmt.Sprintf("NSEC3 matching %s lists %s, not %s", hashOf(qname), denialTypes(m.TypeBitMap), denialTypeString(qtype)), nil
	}
	ce, nc, _, ncRR, err := denialNSEC3ClosestEncloser(s, zone, qname)
	if err != nil {
		return "", fmt.Errorf("no NSEC3 matches %s, and %v", hashOf(qname), err)
	}
	if qtype == dns.TypeDS {
		// RFC 5155 section 8.6: no NSEC3 at qname is allowed for DS only
		// when the next closer is covered by an opt-out NSEC3 (an
		// unsigned delegation in an opt-out span).
		if !optOut(ncRR) {
			return "", fmt.Errorf("no NSEC3 matches %s and the NSEC3 %s covering the next closer %s has no opt-out flag (RFC 5155 section 8.6)", hashOf(qname), short(ncRR), nc)
		}
		return fmt.Sprintf("DS NODATA by opt-out: closest encloser %s; opt-out NSEC3 %s covers %s (an unsigned delegation)", ce, short(ncRR), nc), nil
	}
	// Wildcard NODATA (RFC 5155 section 8.7).
	wc := denialWildcard(ce)
	if w := s.match(wc); w != nil {
		if err := denialBitmapDenies(w.TypeBitMap, wc, qtype, "NSEC3", false); err != nil {
			return "", err
		}
		return fmt.Sprintf("wildcard NODATA: closest encloser %s; %s covers %s; NSEC3 at %s lists %s, not %s", ce, short(ncRR), nc, wc, denialTypes(w.TypeBitMap), denialTypeString(qtype)), nil
	}
	// RFC 5155 erratum 3441 (section 8.5): an empty non-terminal that
	// exists only above insecure delegations has no NSEC3; the proof is
	// then a closest encloser proof whose next closer cover has opt-out.
	if optOut(ncRR) {
		return fmt.Sprintf("NODATA by opt-out: no NSEC3 at %s; closest encloser %s; opt-out NSEC3 %s covers %s (insecure, not bogus)", qname, ce, short(ncRR), nc), nil
	}
	return "", fmt.Errorf("no NSEC3 matches %s; closest encloser %s and NSEC3 %s covering %s (without opt-out) say it does not exist, so the answer should be NXDOMAIN", hashOf(qname), ce, short(ncRR), nc)
}

// denialNSEC3ClosestEncloser runs the closest encloser proof of RFC 5155
// section 8.3: the longest ancestor of qname (qname included) whose hash
// an NSEC3 matches, and an NSEC3 that covers the next closer name (the
// ancestor one label longer). The closest encloser's NSEC3 must not have
// the DNAME bit, nor the NS bit without the SOA bit: that would be the
// parent's record of a zone cut, which cannot deny names below it.
func denialNSEC3ClosestEncloser(s *denialNSEC3Set, zone, qname string) (ce, nc string, ceRR, ncRR *dns.NSEC3, err error) {
	name := qname
	for {
		if m := s.match(name); m != nil {
			ce, ceRR = name, m
			break
		}
		if denialCompare(name, zone) == 0 {
			return "", "", nil, nil, fmt.Errorf("no NSEC3 matches any ancestor of %s up to the apex %s: the closest encloser is not proved (RFC 5155 section 8.3)", qname, zone)
		}
		nc = name
		name = denialParent(name)
	}
	if nc == "" {
		return "", "", nil, nil, fmt.Errorf("an NSEC3 matches %s itself", qname)
	}
	if denialCompare(ce, zone) != 0 && (denialHasType(ceRR.TypeBitMap, dns.TypeDNAME) ||
		(denialHasType(ceRR.TypeBitMap, dns.TypeNS) && !denialHasType(ceRR.TypeBitMap, dns.TypeSOA))) {
		return "", "", nil, nil, fmt.Errorf("the closest encloser %s is a zone cut or DNAME (types %s): its NSEC3 cannot deny names below it (RFC 5155 section 8.3)", ce, denialTypes(ceRR.TypeBitMap))
	}
	ncRR = s.cover(nc)
	if ncRR == nil {
		return "", "", nil, nil, fmt.Errorf("closest encloser %s proved, but no NSEC3 covers the next closer name %s", ce, nc)
	}
	return ce, nc, ceRR, ncRR, nil
}

// --- shared helpers ---

// denialBitmapDenies checks the bitmap of the NSEC/NSEC3 at name for a
// NODATA of qtype: neither qtype nor CNAME may be there (RFC 4035 section
// 5.4, RFC 5155 section 8.5), and a record from the parent side of a zone
// cut (NS without SOA) may deny only DS (RFC 6840 section 4.1).
func denialBitmapDenies(bitmap []uint16, name string, qtype uint16, kind string, apex bool) error {
	switch {
	case denialHasType(bitmap, qtype):
		return fmt.Errorf("the %s at %s lists %s among its types (%s): the type exists", kind, name, denialTypeString(qtype), denialTypes(bitmap))
	case denialHasType(bitmap, dns.TypeCNAME):
		return fmt.Errorf("the %s at %s lists CNAME (%s): the answer should have been the CNAME", kind, name, denialTypes(bitmap))
	case !apex && qtype != dns.TypeDS && denialHasType(bitmap, dns.TypeNS) && !denialHasType(bitmap, dns.TypeSOA):
		return fmt.Errorf("the %s at %s is the parent side of a zone cut (NS without SOA): it can deny DS only, not %s (RFC 6840 section 4.1)", kind, name, denialTypeString(qtype))
	case !apex && qtype == dns.TypeDS && denialHasType(bitmap, dns.TypeSOA):
		return fmt.Errorf("the %s at %s has the SOA bit: it is the child zone's apex record, which cannot deny the DS held by the parent", kind, name)
	}
	return nil
}

// denialAncestorCut reports whether an NSEC at owner with bitmap is an
// "ancestor delegation" for name (RFC 6840 section 4.1): owner is a proper
// ancestor of name and has NS without SOA, or DNAME.
func denialAncestorCut(owner string, bitmap []uint16, name string) bool {
	if !denialIsStrictSub(owner, name) {
		return false
	}
	return denialHasType(bitmap, dns.TypeDNAME) ||
		(denialHasType(bitmap, dns.TypeNS) && !denialHasType(bitmap, dns.TypeSOA))
}

// denialLabels returns name's labels as octet strings, ASCII letters
// lower-cased, root-most label first: the form RFC 4034 section 6.1
// compares. Escapes (\. and \DDD) are resolved by packing the name.
func denialLabels(name string) [][]byte {
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	var labels [][]byte
	if err != nil {
		// Not a valid name (too long, say): compare the presentation labels.
		for _, l := range dns.SplitDomainName(name) {
			labels = append(labels, denialLower([]byte(l)))
		}
	} else {
		wire := buf[:off]
		for i := 0; i < len(wire) && wire[i] != 0; {
			l := int(wire[i])
			if i+1+l > len(wire) {
				break
			}
			labels = append(labels, denialLower(wire[i+1:i+1+l]))
			i += 1 + l
		}
	}
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return labels
}

func denialLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// denialCompare orders two names canonically (RFC 4034 section 6.1):
// label by label from the right, each label lower-cased and compared as a
// left-justified unsigned octet string (a shorter label sorts first when
// it is a prefix of the other), and a name that runs out of labels first
// sorts first. It returns -1, 0 or 1.
func denialCompare(a, b string) int {
	la, lb := denialLabels(a), denialLabels(b)
	for i := 0; i < len(la) && i < len(lb); i++ {
		if c := bytes.Compare(la[i], lb[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(la) < len(lb):
		return -1
	case len(la) > len(lb):
		return 1
	}
	return 0
}

// denialCommonLabels returns how many labels a and b share from the right.
func denialCommonLabels(a, b string) int {
	la, lb := denialLabels(a), denialLabels(b)
	n := 0
	for n < len(la) && n < len(lb) && bytes.Equal(la[n], lb[n]) {
		n++
	}
	return n
}

// denialIsSub reports whether child is parent or below it.
func denialIsSub(parent, child string) bool {
	return denialCommonLabels(parent, child) == len(denialLabels(parent))
}

// denialIsStrictSub reports whether child is strictly below parent.
func denialIsStrictSub(parent, child string) bool {
	return denialIsSub(parent, child) && len(denialLabels(child)) > len(denialLabels(parent))
}

// denialAncestor returns the ancestor of name with n labels.
func denialAncestor(name string, n int) string {
	idx := dns.Split(name)
	if n <= 0 || len(idx) == 0 {
		return "."
	}
	if n >= len(idx) {
		return name
	}
	return name[idx[len(idx)-n]:]
}

// denialParent returns name with its first label removed.
func denialParent(name string) string {
	idx := dns.Split(name)
	if len(idx) < 2 {
		return "."
	}
	return name[idx[1]:]
}

// denialWildcard returns the wildcard name at ce.
func denialWildcard(ce string) string {
	if ce == "." {
		return "*."
	}
	return "*." + ce
}

// denialIsHash reports whether s looks like a SHA-1 NSEC3 hash: 32
// base32hex digits (RFC 5155 section 3.3, RFC 4648 section 7).
func denialIsHash(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'V') {
			return false
		}
	}
	return true
}

func denialHasType(bitmap []uint16, t uint16) bool {
	for _, b := range bitmap {
		if b == t {
			return true
		}
	}
	return false
}

func denialTypeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

func denialTypes(bitmap []uint16) string {
	if len(bitmap) == 0 {
		return "none"
	}
	s := make([]string, len(bitmap))
	for i, t := range bitmap {
		s[i] = denialTypeString(t)
	}
	return strings.Join(s, " ")
}

func denialUnique(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

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

// nsec3Findings returns the RFC 9276 findings for an NSEC3 chain, each as
// (check ID, message):
//   - iterations > 0: CheckNSEC3Iterations. RFC 9276 section 3.1: "an
//     iterations count of 0 MUST be used".
//   - iterations above the limit at which a mainstream validator treats
//     the zone as insecure: CheckNSEC3IterationsLimit, naming them.
//   - a salt: CheckNSEC3Salt. RFC 9276 section 3.1: operators SHOULD NOT
//     use a salt.
func nsec3Findings(p NSEC3Param) [][2]string {
	var out [][2]string
	if p.Iterations > 0 {
		out = append(out, [2]string{CheckNSEC3Iterations,
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
		msg := fmt.Sprintf("NSEC3 iterations %d exceed the limit of %s: those validators treat the zone as insecure (RFC 9276 section 3.2, EDE 27), so its signatures protect nothing for their users", p.Iterations, denialJoin(over))
		if len(under) > 0 {
			msg += "; still validated by " + denialJoin(under)
		}
		out = append(out, [2]string{CheckNSEC3IterationsLimit, msg})
	}
	if p.SaltLength > 0 {
		out = append(out, [2]string{CheckNSEC3Salt,
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
