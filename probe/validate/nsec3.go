package validate

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// --- NSEC3 (RFC 5155 section 8) ---

// nsec3Set holds the NSEC3 records a proof may use, with the hashes
// computed so far (hashing costs iterations+1 SHA-1 runs per name).
type nsec3Set struct {
	recs   []*dns.NSEC3
	hashes map[string]string
	// budget pays for each hash; limited is set when it refused one.
	budget  *Budget
	limited bool
}

// hash returns H(name) with r's parameters, upper-case base32hex, or ""
// when it cannot be computed.
func (s *nsec3Set) hash(name string, r *dns.NSEC3) string {
	salt := r.Salt
	if salt == "-" {
		salt = ""
	}
	k := fmt.Sprintf("%d/%d/%s/%s", r.Hash, r.Iterations, strings.ToUpper(salt), name)
	if h, ok := s.hashes[k]; ok {
		return h
	}
	if !s.budget.spendHash(r.Iterations) {
		s.limited = true
		return ""
	}
	h := dns.HashName(name, r.Hash, r.Iterations, salt)
	s.hashes[k] = h
	return h
}

// match returns the NSEC3 whose owner is H(name).
func (s *nsec3Set) match(name string) *dns.NSEC3 {
	for _, r := range s.recs {
		owner, _ := NSEC3Owner(r.Hdr.Name)
		if h := s.hash(name, r); h != "" && h == owner {
			return r
		}
	}
	return nil
}

// cover returns the NSEC3 that covers H(name).
func (s *nsec3Set) cover(name string) *dns.NSEC3 {
	for _, r := range s.recs {
		if h := s.hash(name, r); h != "" && nsec3Covers(r, h) {
			return r
		}
	}
	return nil
}

// nsec3Covers reports whether r covers the hash h (upper-case
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
func nsec3Covers(r *dns.NSEC3, h string) bool {
	owner, _ := NSEC3Owner(r.Hdr.Name)
	next := strings.ToUpper(r.NextDomain)
	if owner == "" || h == "" || h == owner {
		return false
	}
	if owner < next {
		return owner < h && h < next
	}
	return h > owner || h < next
}

// NSEC3Owner splits an NSEC3 owner name into its hash label
// (upper-cased) and the zone it belongs to (lower-cased, fully qualified).
func NSEC3Owner(name string) (hash, zone string) {
	idx := dns.Split(name)
	if len(idx) < 2 {
		return "", ""
	}
	return strings.ToUpper(name[:idx[1]-1]), dns.CanonicalName(name[idx[1]:])
}

// nsec3Params reports the parameters of the NSEC3 records seen: those
// of the first with a supported hash (else the first), and opt-out if any
// record has the flag.
func nsec3Params(recs []*dns.NSEC3) *NSEC3Params {
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
	p := &NSEC3Params{Iterations: first.Iterations, SaltLength: len(salt) / 2}
	for _, r := range recs {
		if r.Flags&1 != 0 {
			p.OptOut = true
		}
	}
	return p
}

// usableNSEC3 returns the NSEC3 records a validator may use, or why none
// is left. Records over maxIter iterations (when maxIter > 0) are set
// aside unhashed.
func usableNSEC3(recs []*dns.NSEC3, maxIter int, b *Budget) (*nsec3Set, error) {
	s := &nsec3Set{hashes: map[string]string{}, budget: b}
	var unknownAlg []string
	var badFlags, badHash, overLimit int
	for _, r := range recs {
		owner, _ := NSEC3Owner(r.Hdr.Name)
		switch {
		case r.Hash != dns.SHA1:
			// RFC 5155 section 8.1: validators MUST ignore NSEC3 RRs with
			// unknown hash types; a reply with only those is bogus.
			unknownAlg = append(unknownAlg, fmt.Sprint(r.Hash))
		case r.Flags&^1 != 0:
			// RFC 5155 section 8.2: ignore NSEC3 RRs whose flags are other
			// than 0 or 1 (opt-out).
			badFlags++
		case !isHash(owner) || !isHash(strings.ToUpper(r.NextDomain)):
			badHash++
		case maxIter > 0 && int(r.Iterations) > maxIter:
			overLimit++
		default:
			s.recs = append(s.recs, r)
		}
	}
	if len(s.recs) > 0 {
		return s, nil
	}
	switch {
	case len(unknownAlg) > 0:
		return nil, fmt.Errorf("NSEC3 hash algorithm %s unsupported (only 1, SHA-1, is defined; RFC 5155 section 8.1 says to ignore such NSEC3 records, which leaves no proof)", strings.Join(unique(unknownAlg), ", "))
	case badFlags > 0:
		return nil, fmt.Errorf("every NSEC3 record has flags other than 0 or 1, so none may be used (RFC 5155 section 8.2)")
	case overLimit > 0:
		return nil, fmt.Errorf("every NSEC3 record has more than %d iterations: %w", maxIter, errOverIterations)
	}
	return nil, fmt.Errorf("no NSEC3 record has a well-formed SHA-1 owner hash and next hash")
}

func nsec3Short(r *dns.NSEC3) string {
	o, _ := NSEC3Owner(r.Hdr.Name)
	return fmt.Sprintf("%s…→%s…", o[:8], strings.ToUpper(r.NextDomain)[:8])
}

// hashOf names H(name) under the first usable record's parameters, for messages.
func (s *nsec3Set) hashOf(name string) string {
	h := s.hash(name, s.recs[0])
	if len(h) > 8 {
		h = h[:8] + "…"
	}
	return "H(" + name + ")=" + h
}

func optOut(r *dns.NSEC3) bool { return r.Flags&1 != 0 }

// proveNSEC3 returns what the NSEC3 records prove for qname/qtype,
// or why they do not prove the denial.
func proveNSEC3(recs []*dns.NSEC3, zone, qname string, qtype uint16, nx bool, maxIter int, b *Budget) (string, error) {
	s, err := usableNSEC3(recs, maxIter, b)
	if err != nil {
		return "", err
	}
	var proof string
	if nx {
		proof, err = proveNSEC3NXDomain(s, zone, qname)
	} else {
		proof, err = proveNSEC3NoData(s, zone, qname, qtype)
	}
	if s.limited {
		// A hash the budget refused reads as "no match": the verdict
		// would be a guess.
		return "", fmt.Errorf("NSEC3 hashing stopped: %w", errLimit)
	}
	return proof, err
}

// proveNSEC3NXDomain: a closest encloser proof, a cover of the next
// closer name and a cover of the wildcard (RFC 5155 section 8.4).
func proveNSEC3NXDomain(s *nsec3Set, zone, qname string) (string, error) {
	if Compare(qname, zone) == 0 {
		return "", fmt.Errorf("NXDOMAIN for the zone apex %s, which always exists", zone)
	}
	if m := s.match(qname); m != nil {
		return "", fmt.Errorf("an NSEC3 matches %s: the name exists (types %s)", s.hashOf(qname), typesString(m.TypeBitMap))
	}
	ce, nc, _, ncRR, err := nsec3ClosestEncloser(s, zone, qname)
	if err != nil {
		return "", err
	}
	wc := wildcard(ce)
	if m := s.match(wc); m != nil {
		return "", fmt.Errorf("an NSEC3 matches the wildcard %s: it exists, so %s would have been synthesised from it", s.hashOf(wc), qname)
	}
	w := s.cover(wc)
	if w == nil {
		return "", fmt.Errorf("closest encloser %s proved and the next closer %s covered, but no NSEC3 covers the wildcard %s (%s)", ce, nc, wc, s.hashOf(wc))
	}
	out := fmt.Sprintf("NSEC3 closest encloser %s; %s covers next closer %s; %s covers %s", ce, nsec3Short(ncRR), nc, nsec3Short(w), wc)
	if optOut(ncRR) {
		// RFC 5155 section 6: an opt-out span may hide an unsigned
		// delegation, so the name is proved absent only insecurely
		// (Unbound returns insecure rather than bogus here).
		out += "; the next closer's NSEC3 has opt-out, so an unsigned delegation could exist there (insecure, not bogus)"
	}
	return out, nil
}

// proveNSEC3NoData: qname exists without qtype (RFC 5155 sections 8.5
// to 8.7).
func proveNSEC3NoData(s *nsec3Set, zone, qname string, qtype uint16) (string, error) {
	if m := s.match(qname); m != nil {
		if err := bitmapDenies(m.TypeBitMap, qname, qtype, "NSEC3", Compare(qname, zone) == 0); err != nil {
			return "", err
		}
		if len(m.TypeBitMap) == 0 {
			return fmt.Sprintf("NSEC3 matching %s has an empty bitmap: an empty non-terminal", s.hashOf(qname)), nil
		}
		return fmt.Sprintf("NSEC3 matching %s lists %s, not %s", s.hashOf(qname), typesString(m.TypeBitMap), TypeString(qtype)), nil
	}
	ce, nc, _, ncRR, err := nsec3ClosestEncloser(s, zone, qname)
	if err != nil {
		return "", fmt.Errorf("no NSEC3 matches %s, and %v", s.hashOf(qname), err)
	}
	if qtype == dns.TypeDS {
		// RFC 5155 section 8.6: no NSEC3 at qname is allowed for DS only
		// when the next closer is covered by an opt-out NSEC3 (an
		// unsigned delegation in an opt-out span).
		if !optOut(ncRR) {
			return "", fmt.Errorf("no NSEC3 matches %s and the NSEC3 %s covering the next closer %s has no opt-out flag (RFC 5155 section 8.6)", s.hashOf(qname), nsec3Short(ncRR), nc)
		}
		return fmt.Sprintf("DS NODATA by opt-out: closest encloser %s; opt-out NSEC3 %s covers %s (an unsigned delegation)", ce, nsec3Short(ncRR), nc), nil
	}
	// Wildcard NODATA (RFC 5155 section 8.7).
	wc := wildcard(ce)
	if w := s.match(wc); w != nil {
		if err := bitmapDenies(w.TypeBitMap, wc, qtype, "NSEC3", false); err != nil {
			return "", err
		}
		return fmt.Sprintf("wildcard NODATA: closest encloser %s; %s covers %s; NSEC3 at %s lists %s, not %s", ce, nsec3Short(ncRR), nc, wc, typesString(w.TypeBitMap), TypeString(qtype)), nil
	}
	// RFC 5155 erratum 3441 (section 8.5): an empty non-terminal that
	// exists only above insecure delegations has no NSEC3; the proof is
	// then a closest encloser proof whose next closer cover has opt-out.
	if optOut(ncRR) {
		return fmt.Sprintf("NODATA by opt-out: no NSEC3 at %s; closest encloser %s; opt-out NSEC3 %s covers %s (insecure, not bogus)", qname, ce, nsec3Short(ncRR), nc), nil
	}
	return "", fmt.Errorf("no NSEC3 matches %s; closest encloser %s and NSEC3 %s covering %s (without opt-out) say it does not exist, so the answer should be NXDOMAIN", s.hashOf(qname), ce, nsec3Short(ncRR), nc)
}

// nsec3ClosestEncloser runs the closest encloser proof of RFC 5155
// section 8.3: the longest ancestor of qname (qname included) whose hash
// an NSEC3 matches, and an NSEC3 that covers the next closer name (the
// ancestor one label longer). The closest encloser's NSEC3 must not have
// the DNAME bit, nor the NS bit without the SOA bit: that would be the
// parent's record of a zone cut, which cannot deny names below it.
func nsec3ClosestEncloser(s *nsec3Set, zone, qname string) (ce, nc string, ceRR, ncRR *dns.NSEC3, err error) {
	name := qname
	for {
		if m := s.match(name); m != nil {
			ce, ceRR = name, m
			break
		}
		if Compare(name, zone) == 0 {
			return "", "", nil, nil, fmt.Errorf("no NSEC3 matches any ancestor of %s up to the apex %s: the closest encloser is not proved (RFC 5155 section 8.3)", qname, zone)
		}
		nc = name
		name = parentName(name)
	}
	if nc == "" {
		return "", "", nil, nil, fmt.Errorf("an NSEC3 matches %s itself", qname)
	}
	if Compare(ce, zone) != 0 && (hasType(ceRR.TypeBitMap, dns.TypeDNAME) ||
		(hasType(ceRR.TypeBitMap, dns.TypeNS) && !hasType(ceRR.TypeBitMap, dns.TypeSOA))) {
		return "", "", nil, nil, fmt.Errorf("the closest encloser %s is a zone cut or DNAME (types %s): its NSEC3 cannot deny names below it (RFC 5155 section 8.3)", ce, typesString(ceRR.TypeBitMap))
	}
	ncRR = s.cover(nc)
	if ncRR == nil {
		return "", "", nil, nil, fmt.Errorf("closest encloser %s proved, but no NSEC3 covers the next closer name %s", ce, nc)
	}
	return ce, nc, ceRR, ncRR, nil
}
