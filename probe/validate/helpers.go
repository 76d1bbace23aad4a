package validate

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// --- shared helpers ---

// bitmapDenies checks the bitmap of the NSEC/NSEC3 at name for a
// NODATA of qtype: neither qtype nor CNAME may be there (RFC 4035 section
// 5.4, RFC 5155 section 8.5), and a record from the parent side of a zone
// cut (NS without SOA) may deny only DS (RFC 6840 section 4.1).
func bitmapDenies(bitmap []uint16, name string, qtype uint16, kind string, apex bool) error {
	switch {
	case hasType(bitmap, qtype):
		return fmt.Errorf("the %s at %s lists %s among its types (%s): the type exists", kind, name, TypeString(qtype), typesString(bitmap))
	case hasType(bitmap, dns.TypeCNAME):
		return fmt.Errorf("the %s at %s lists CNAME (%s): the answer should have been the CNAME", kind, name, typesString(bitmap))
	case !apex && qtype != dns.TypeDS && hasType(bitmap, dns.TypeNS) && !hasType(bitmap, dns.TypeSOA):
		return fmt.Errorf("the %s at %s is the parent side of a zone cut (NS without SOA): it can deny DS only, not %s (RFC 6840 section 4.1)", kind, name, TypeString(qtype))
	case !apex && qtype == dns.TypeDS && hasType(bitmap, dns.TypeSOA):
		return fmt.Errorf("the %s at %s has the SOA bit: it is the child zone's apex record, which cannot deny the DS held by the parent", kind, name)
	}
	return nil
}

// ancestorCut reports whether an NSEC at owner with bitmap is an
// "ancestor delegation" for name (RFC 6840 section 4.1): owner is a proper
// ancestor of name and has NS without SOA, or DNAME.
func ancestorCut(owner string, bitmap []uint16, name string) bool {
	if !IsStrictSubdomain(owner, name) {
		return false
	}
	return hasType(bitmap, dns.TypeDNAME) ||
		(hasType(bitmap, dns.TypeNS) && !hasType(bitmap, dns.TypeSOA))
}

// base32hex digits (RFC 5155 section 3.3, RFC 4648 section 7).
func isHash(s string) bool {
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

func hasType(bitmap []uint16, t uint16) bool {
	for _, b := range bitmap {
		if b == t {
			return true
		}
	}
	return false
}

func TypeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

func typesString(bitmap []uint16) string {
	if len(bitmap) == 0 {
		return "none"
	}
	s := make([]string, len(bitmap))
	for i, t := range bitmap {
		s[i] = TypeString(t)
	}
	return strings.Join(s, " ")
}

func unique(s []string) []string {
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
