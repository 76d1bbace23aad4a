package probe

// Small DNSSEC helpers shared by the chain walk and the judgements: DS
// and key identities, tags, CDNSKEY as DNSKEY.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// dsReply is one parent server's answer to "<zone> DS" with DO=1.
type dsReply struct {
	nameserver, address string
	msg                 *dns.Msg
	err                 error
}

// cdnskeyAsKey reads a CDNSKEY as the DNSKEY it names, owned by the zone,
// so its key tag and DS digests can be computed.
func cdnskeyAsKey(c *dns.CDNSKEY) *dns.DNSKEY {
	k := c.DNSKEY
	k.Hdr.Rrtype = dns.TypeDNSKEY
	return &k
}

func dsID(x *dns.DS) string {
	return strings.ToLower(fmt.Sprintf("%d %d %d %s", x.KeyTag, x.Algorithm, x.DigestType, x.Digest))
}

func dsDigestTypes(ds []*dns.DS) []uint8 {
	var out []uint8
	for _, x := range ds {
		if validate.DigestSupported(x.DigestType) && !slices.Contains(out, x.DigestType) {
			out = append(out, x.DigestType)
		}
	}
	if len(out) == 0 {
		out = []uint8{dns.SHA256}
	}
	return out
}

func asDS(set []dns.RR) []*dns.DS {
	var out []*dns.DS
	for _, rr := range set {
		if ds, ok := rr.(*dns.DS); ok {
			out = append(out, ds)
		}
	}
	return out
}

func zoneKeysOf(keys []*dns.DNSKEY) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, k := range keys {
		if k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 {
			out = append(out, k)
		}
	}
	return out
}

func sameDS(a, b *dns.DS) bool {
	return a.KeyTag == b.KeyTag && a.Algorithm == b.Algorithm && a.DigestType == b.DigestType && strings.EqualFold(a.Digest, b.Digest)
}

func dsAlgorithms(ds []*dns.DS) []uint8 {
	var out []uint8
	for _, d := range ds {
		if !slices.Contains(out, d.Algorithm) {
			out = append(out, d.Algorithm)
		}
	}
	slices.Sort(out)
	return out
}

func dsTags(ds []*dns.DS) []uint16 {
	var out []uint16
	for _, d := range ds {
		out = append(out, d.KeyTag)
	}
	return out
}

func keyTags(keys []*dns.DNSKEY) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.KeyTag())
	}
	return out
}

func keyRecordTags(keys []KeyRecord) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.KeyTag)
	}
	return out
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
