package validate

import (
	"bytes"
	"cmp"

	"github.com/miekg/dns"
)

// labels returns name's labels as octet strings, ASCII letters
// lower-cased, root-most label first: the form RFC 4034 section 6.1
// compares. Escapes (\. and \DDD) are resolved by packing the name.
func labels(name string) [][]byte {
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	var labels [][]byte
	if err != nil {
		// Not a valid name (too long, say): compare the presentation labels.
		for _, l := range dns.SplitDomainName(name) {
			labels = append(labels, lower([]byte(l)))
		}
	} else {
		wire := buf[:off]
		for i := 0; i < len(wire) && wire[i] != 0; {
			l := int(wire[i])
			if i+1+l > len(wire) {
				break
			}
			labels = append(labels, lower(wire[i+1:i+1+l]))
			i += 1 + l
		}
	}
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return labels
}

func lower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Compare orders two names canonically (RFC 4034 section 6.1):
// label by label from the right, each label lower-cased and compared as a
// left-justified unsigned octet string (a shorter label sorts first when
// it is a prefix of the other), and a name that runs out of labels first
// sorts first. It returns -1, 0 or 1. It works on the wire forms in stack
// buffers: the lab sorts and searches with it on every negative answer.
func Compare(a, b string) int {
	var bufA, bufB [256]byte
	wa, okA := wireName(a, bufA[:])
	wb, okB := wireName(b, bufB[:])
	if !okA || !okB {
		return compareLabels(labels(a), labels(b))
	}
	var sa, sb [128]int
	na, nb := labelStarts(wa, sa[:]), labelStarts(wb, sb[:])
	for i := 1; i <= na && i <= nb; i++ {
		x, y := sa[na-i], sb[nb-i]
		if c := compareFold(wa[x+1:x+1+int(wa[x])], wb[y+1:y+1+int(wb[y])]); c != 0 {
			return c
		}
	}
	return cmp.Compare(na, nb)
}

// wireName packs name, fully qualified, into buf; false when it is not a
// valid name.
func wireName(name string, buf []byte) ([]byte, bool) {
	if !dns.IsFqdn(name) {
		name += "."
	}
	off, err := dns.PackDomainName(name, buf, 0, nil, false)
	if err != nil {
		return nil, false
	}
	return buf[:off], true
}

// labelStarts records the offset of each label of a wire name, leftmost
// first, and returns how many there are.
func labelStarts(wire []byte, starts []int) int {
	n := 0
	for i := 0; i < len(wire) && wire[i] != 0 && n < len(starts); i += int(wire[i]) + 1 {
		if i+1+int(wire[i]) > len(wire) {
			break
		}
		starts[n] = i
		n++
	}
	return n
}

// compareFold compares two labels as octet strings with ASCII letters
// lower-cased.
func compareFold(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// compareLabels compares label lists as labels returns them, for names
// that do not pack.
func compareLabels(la, lb [][]byte) int {
	for i := 0; i < len(la) && i < len(lb); i++ {
		if c := bytes.Compare(la[i], lb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(la), len(lb))
}

// commonLabels returns how many labels a and b share from the right.
func commonLabels(a, b string) int {
	la, lb := labels(a), labels(b)
	n := 0
	for n < len(la) && n < len(lb) && bytes.Equal(la[n], lb[n]) {
		n++
	}
	return n
}

// IsSubdomain reports whether child is parent or below it.
func IsSubdomain(parent, child string) bool {
	return commonLabels(parent, child) == len(labels(parent))
}

// IsStrictSubdomain reports whether child is strictly below parent.
func IsStrictSubdomain(parent, child string) bool {
	return IsSubdomain(parent, child) && len(labels(child)) > len(labels(parent))
}

// ancestor returns the ancestor of name with n labels.
func ancestor(name string, n int) string {
	idx := dns.Split(name)
	if n <= 0 || len(idx) == 0 {
		return "."
	}
	if n >= len(idx) {
		return name
	}
	return name[idx[len(idx)-n]:]
}

// parentName returns name with its first label removed.
func parentName(name string) string {
	idx := dns.Split(name)
	if len(idx) < 2 {
		return "."
	}
	return name[idx[1]:]
}

// wildcard returns the wildcard name at ce.
func wildcard(ce string) string {
	if ce == "." {
		return "*."
	}
	return "*." + ce
}

// isHash reports whether s looks like a SHA-1 NSEC3 hash: 32
