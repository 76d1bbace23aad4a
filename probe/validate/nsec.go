package validate

import (
	"fmt"

	"github.com/miekg/dns"
)

// --- NSEC (RFC 4035 section 5.4) ---

// nsecSet is the NSEC records a proof may use.
type nsecSet []*dns.NSEC

// match returns the NSEC owned by name.
func (s nsecSet) match(name string) *dns.NSEC {
	for _, n := range s {
		if Compare(n.Hdr.Name, name) == 0 {
			return n
		}
	}
	return nil
}

// cover returns the NSEC that covers name. An ancestor delegation NSEC
// (NS without SOA, or DNAME, at an ancestor of name) is the parent's view
// of a zone cut: it says nothing about names below the cut (RFC 6840
// section 4.1), so cover skips it; coverAny finds it, to say so.
func (s nsecSet) cover(name string) *dns.NSEC {
	for _, n := range s {
		if nsecCovers(n, name) && !ancestorCut(n.Hdr.Name, n.TypeBitMap, name) {
			return n
		}
	}
	return nil
}

func (s nsecSet) coverAny(name string) *dns.NSEC {
	for _, n := range s {
		if nsecCovers(n, name) {
			return n
		}
	}
	return nil
}

func nsecSpan(n *dns.NSEC) string { return n.Hdr.Name + "→" + n.NextDomain }

// proveNSEC returns what the NSEC records prove for qname/qtype, or
// why they do not prove the denial.
func proveNSEC(nsecs []*dns.NSEC, zone, qname string, qtype uint16, nx bool) (string, error) {
	if nx {
		return proveNSECNXDomain(nsecSet(nsecs), zone, qname)
	}
	return proveNSECNoData(nsecSet(nsecs), zone, qname, qtype)
}

// proveNSECNXDomain: qname does not exist, nor does the wildcard that
// would have answered for it.
func proveNSECNXDomain(s nsecSet, zone, qname string) (string, error) {
	if Compare(qname, zone) == 0 {
		return "", fmt.Errorf("NXDOMAIN for the zone apex %s, which always exists", zone)
	}
	if m := s.match(qname); m != nil {
		return "", fmt.Errorf("the NSEC at %s says the name exists (types %s)", qname, typesString(m.TypeBitMap))
	}
	c := s.cover(qname)
	if c == nil {
		if a := s.coverAny(qname); a != nil {
			return "", fmt.Errorf("the only NSEC covering %s is %s, from the parent side of a zone cut above it (RFC 6840 section 4.1)", qname, nsecSpan(a))
		}
		return "", fmt.Errorf("no NSEC covers %s", qname)
	}
	// The next name after qname is below qname: qname is an empty
	// non-terminal, which exists (RFC 4035 section 3.1.3.2).
	if IsStrictSubdomain(qname, c.NextDomain) {
		return "", fmt.Errorf("NSEC %s shows %s is an empty non-terminal, which exists", nsecSpan(c), qname)
	}
	ce := nsecClosestEncloser(c, qname)
	wc := wildcard(ce)
	if m := s.match(wc); m != nil {
		return "", fmt.Errorf("the NSEC at %s says the wildcard exists, so %s would have been synthesised from it", wc, qname)
	}
	w := s.cover(wc)
	if w == nil {
		return "", fmt.Errorf("NSEC %s covers %s but no NSEC covers the wildcard %s at its closest encloser %s", nsecSpan(c), qname, wc, ce)
	}
	return fmt.Sprintf("NSEC %s covers %s; closest encloser %s; NSEC %s covers %s", nsecSpan(c), qname, ce, nsecSpan(w), wc), nil
}

// proveNSECNoData: qname exists without qtype, or is an empty
// non-terminal, or a wildcard NODATA.
func proveNSECNoData(s nsecSet, zone, qname string, qtype uint16) (string, error) {
	if m := s.match(qname); m != nil {
		if err := bitmapDenies(m.TypeBitMap, qname, qtype, "NSEC", Compare(qname, zone) == 0); err != nil {
			return "", err
		}
		return fmt.Sprintf("NSEC at %s lists %s, not %s", qname, typesString(m.TypeBitMap), TypeString(qtype)), nil
	}
	c := s.cover(qname)
	if c == nil {
		return "", fmt.Errorf("no NSEC matches %s (nor covers it)", qname)
	}
	if IsStrictSubdomain(qname, c.NextDomain) {
		// An empty non-terminal: it exists and has no types at all.
		return fmt.Sprintf("NSEC %s shows %s is an empty non-terminal", nsecSpan(c), qname), nil
	}
	// Wildcard NODATA (RFC 4035 section 3.1.3.4): qname does not exist,
	// and the wildcard that would answer for it has no qtype.
	ce := nsecClosestEncloser(c, qname)
	wc := wildcard(ce)
	if w := s.match(wc); w != nil {
		if err := bitmapDenies(w.TypeBitMap, wc, qtype, "NSEC", false); err != nil {
			return "", err
		}
		return fmt.Sprintf("wildcard NODATA: NSEC %s covers %s; NSEC at %s lists %s, not %s", nsecSpan(c), qname, wc, typesString(w.TypeBitMap), TypeString(qtype)), nil
	}
	return "", fmt.Errorf("no NSEC matches %s: NSEC %s says it does not exist, so the answer should be NXDOMAIN", qname, nsecSpan(c))
}

// nsecCovers reports whether the NSEC n covers name: name sorts
// strictly between the owner and the next name in canonical order
// (RFC 4034 section 6.1). The last NSEC of the chain points back to the
// apex (RFC 4034 section 4.1.1), so when next does not sort after the owner
// the span wraps: every name after the owner is covered, and with a single
// NSEC (next == owner) every name but the owner.
func nsecCovers(n *dns.NSEC, name string) bool {
	owner, next := n.Hdr.Name, n.NextDomain
	if Compare(owner, next) < 0 {
		return Compare(owner, name) < 0 && Compare(name, next) < 0
	}
	return Compare(owner, name) < 0 || Compare(name, next) < 0
}

// nsecClosestEncloser returns the closest encloser of qname given
// the NSEC c that covers it: the longer of qname's common ancestors with
// c's owner and with c's next name. Both of those exist; any longer
// existing ancestor of qname would sort between the owner and qname and
// make the owner its descendant, so no longer one exists.
func nsecClosestEncloser(c *dns.NSEC, qname string) string {
	n := max(commonLabels(qname, c.Hdr.Name), commonLabels(qname, c.NextDomain))
	return ancestor(qname, n)
}
