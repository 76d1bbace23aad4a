package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// idnaProfile converts Unicode names to A-labels as registries do (IDNA2008
// lookup rules), while letting through the underscores and digits-only labels
// that DNS names may hold.
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false))

// ParseTarget turns the target of a probe request into a fully qualified,
// lower-case zone name in A-label form. The error is one line, fit for an
// HTTP 400 body.
func ParseTarget(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("target is empty: give a zone name such as example.org")
	}
	// IDNA would turn bytes that are not UTF-8 into U+FFFD and encode that
	// as an A-label: a name nobody asked for.
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return "", fmt.Errorf("target %q is not valid UTF-8", s)
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@ \t") {
		return "", fmt.Errorf("target %q is not a zone name: give the name only, without scheme, path or spaces", s)
	}
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return "", fmt.Errorf("target %q is an IP address: give the zone name, not a server", s)
	}
	if _, err := netip.ParseAddrPort(s); err == nil {
		return "", fmt.Errorf("target %q is an address and port: give the zone name, not a server", s)
	}
	if s == "." {
		return "", errors.New("target \".\" is the root zone, which has no parent to delegate it")
	}
	name := strings.TrimSuffix(s, ".")
	if name == "" || strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
		return "", fmt.Errorf("target %q has an empty label", s)
	}
	ascii, err := idnaProfile.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("target %q is not a valid internationalised name: %v", s, err)
	}
	ascii = strings.ToLower(ascii)
	for _, label := range strings.Split(ascii, ".") {
		if label == "" {
			return "", fmt.Errorf("target %q has an empty label", s)
		}
		if len(label) > 63 {
			return "", fmt.Errorf("target %q has a label of %d octets; the limit is 63", s, len(label))
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("target %q has a character %q that is not allowed in a host name label", s, c)
			}
		}
	}
	fqdn := dns.Fqdn(ascii)
	// Wire length: one length octet per label plus the root octet.
	if len(fqdn)+1 > 255 {
		return "", fmt.Errorf("target %q is %d octets long in wire form; the limit is 255", s, len(fqdn)+1)
	}
	if _, ok := dns.IsDomainName(fqdn); !ok {
		return "", fmt.Errorf("target %q is not a valid domain name", s)
	}
	return fqdn, nil
}
