package probe

import (
	"strings"

	"github.com/miekg/dns"
)

// keyRef names one DNSKEY by what makes it that key: its algorithm, its
// tag and its public key. Key tags collide (RFC 4034 Appendix B: the tag
// is a checksum, not an identifier), so a tag alone cannot say which key
// signed a set or which key a DS names; with a collision it would mark
// the wrong key as signer or as DS-matched.
type keyRef struct {
	alg uint8
	tag uint16
	pub string
}

func refOf(k *dns.DNSKEY) keyRef {
	// The base64 text of the key, spaces removed: the zone file may split it.
	return keyRef{k.Algorithm, k.KeyTag(), strings.ReplaceAll(k.PublicKey, " ", "")}
}

// refsOf names the keys (the signers in a validate.SigVerdict).
func refsOf(keys []*dns.DNSKEY) []keyRef {
	out := make([]keyRef, 0, len(keys))
	for _, k := range keys {
		out = append(out, refOf(k))
	}
	return out
}

// publishes reports whether keyset holds the key ref names.
func publishes(keyset []*dns.DNSKEY, ref keyRef) bool {
	for _, k := range keyset {
		if refOf(k) == ref {
			return true
		}
	}
	return false
}
