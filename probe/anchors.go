package probe

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// rootAnchors are IANA's root trust anchors, KSK-2017 (20326) and KSK-2024
// (38696), as DS records: the same data as /usr/share/dns/root.ds in
// Debian's dns-root-data.
//
//go:embed data/root.ds
var rootAnchors []byte

// TrustAnchors are the DS and DNSKEY records a validation starts from,
// by zone (RFC 4035 section 4.4).
type TrustAnchors struct {
	DS   map[string][]*dns.DS
	Keys map[string][]*dns.DNSKEY

	once sync.Once
	fp   string
}

// Fingerprint names the set of anchors: modules with other anchors trust
// other keys, so cached validated keys must not cross between them.
func (t *TrustAnchors) Fingerprint() string {
	if t == nil {
		return ""
	}
	t.once.Do(func() {
		var lines []string
		for _, set := range t.DS {
			for _, ds := range set {
				lines = append(lines, strings.ToLower(ds.String()))
			}
		}
		for _, set := range t.Keys {
			for _, k := range set {
				lines = append(lines, strings.ToLower(k.String()))
			}
		}
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		t.fp = hex.EncodeToString(h[:8])
	})
	return t.fp
}

// ParseTrustAnchors reads DS and DNSKEY records in zone-file format.
// Other record types are an error; so is a file with no anchor.
func ParseTrustAnchors(r io.Reader, source string) (*TrustAnchors, error) {
	ta := &TrustAnchors{DS: map[string][]*dns.DS{}, Keys: map[string][]*dns.DNSKEY{}}
	zp := dns.NewZoneParser(r, ".", source)
	n := 0
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		owner := strings.ToLower(rr.Header().Name)
		switch v := rr.(type) {
		case *dns.DS:
			ta.DS[owner] = append(ta.DS[owner], v)
		case *dns.DNSKEY:
			ta.Keys[owner] = append(ta.Keys[owner], v)
		default:
			return nil, fmt.Errorf("%s: %s record for %s; trust anchors are DS or DNSKEY records", source, dns.TypeToString[rr.Header().Rrtype], owner)
		}
		n++
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no DS or DNSKEY records", source)
	}
	return ta, nil
}

// DefaultTrustAnchors returns IANA's root anchors.
func DefaultTrustAnchors() *TrustAnchors {
	ta, err := ParseTrustAnchors(bytes.NewReader(rootAnchors), "compiled-in root anchors")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return ta
}

func loadAnchors(path, baseDir string) (*TrustAnchors, error) {
	if path == "" {
		return DefaultTrustAnchors(), nil
	}
	f, err := os.Open(resolvePath(path, baseDir))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTrustAnchors(f, path)
}

// closest returns the deepest zone at or above name that has an anchor.
func (ta *TrustAnchors) closest(name string) (string, bool) {
	if ta == nil {
		return "", false
	}
	labels := dns.SplitDomainName(name)
	for i := 0; i <= len(labels); i++ {
		z := "."
		if i < len(labels) {
			z = dns.Fqdn(strings.Join(labels[i:], "."))
		}
		if len(ta.DS[z]) > 0 || len(ta.Keys[z]) > 0 {
			return z, true
		}
	}
	return "", false
}
