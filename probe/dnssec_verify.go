package probe

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// sigTime turns an RRSIG inception or expiration field into a time, using
// RFC 1982 serial arithmetic relative to now (RFC 4034 section 3.1.5): the
// 32-bit value names the moment within 68 years of now, so a signature made
// in 2105 that expires after the 2106 wrap still reads correctly.
func sigTime(ts uint32, now time.Time) time.Time {
	n := now.Unix()
	delta := int64(int32(ts - uint32(n)))
	return time.Unix(n+delta, 0).UTC()
}

// algorithmSupported reports whether the probe can verify signatures of
// this DNSKEY algorithm (the ones miekg/dns implements and RFC 9904 still
// lets validators use).
func algorithmSupported(alg uint8) bool {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
		dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519:
		return true
	}
	return false
}

// digestSupported reports whether the probe can compute DS digests of this type.
func digestSupported(t uint8) bool {
	return t == dns.SHA1 || t == dns.SHA256 || t == dns.SHA384
}

// sigVerdict is what the signatures over one RRset say.
type sigVerdict struct {
	valid bool
	// check is the failing check ID when !valid.
	check  string
	detail string
	// expiration is when the RRset stops validating: the latest
	// expiration of the signatures that verify in their window; when none
	// does, the earliest of those that verify, else of all served.
	// inception is the latest over the RRSIGs served.
	expiration, inception time.Time
	// keyTags of the keys whose signatures verified (inside the window or not).
	keyTags []uint16
	// algorithms of the RRSIGs that verified and are in their window.
	algorithms map[uint8]bool
	// ttl is the RRset's TTL, for the "expires inside TTL" check.
	ttl uint32
	// origTTL is set when a verified signature's original TTL is below the
	// RRset's TTL (validators then cap the TTL, RFC 4035 5.3.3).
	origTTL uint32
}

// verifyRRset checks the RRSIGs over rrset against keys (the zone's DNSKEY
// RRset, not yet trusted: the caller decides which keys are trusted by
// passing only those). It is valid when at least one signature by a zone
// key verifies and is inside its validity window at now (RFC 4035 5.3).
func verifyRRset(rrset []dns.RR, sigs []*dns.RRSIG, keys []*dns.DNSKEY, zone string, now time.Time) sigVerdict {
	v := sigVerdict{algorithms: map[uint8]bool{}}
	if len(rrset) == 0 {
		v.check, v.detail = CheckRRSIGMissing, "empty RRset"
		return v
	}
	h := rrset[0].Header()
	v.ttl = h.Ttl
	what := fmt.Sprintf("%s %s", h.Name, dns.TypeToString[h.Rrtype])
	if len(sigs) == 0 {
		v.check, v.detail = CheckRRSIGMissing, "no RRSIG over "+what
		return v
	}
	var problems []string
	var timeFail, cryptoFail, malformed, noKey bool
	var expired, premature bool
	// The RRset validates until its last valid signature expires;
	// signatures that do not verify, or by keys not in the set, are no
	// deadline. Those are used only when no signature verifies.
	var validExp, verifiedExp time.Time
	for _, sig := range sigs {
		exp, inc := sigTime(sig.Expiration, now), sigTime(sig.Inception, now)
		if v.expiration.IsZero() || exp.Before(v.expiration) {
			v.expiration = exp
		}
		if inc.After(v.inception) {
			v.inception = inc
		}
		switch {
		case !strings.EqualFold(sig.SignerName, zone):
			malformed = true
			problems = append(problems, fmt.Sprintf("RRSIG by %d has signer %s, not the zone %s", sig.KeyTag, sig.SignerName, zone))
			continue
		case int(sig.Labels) > dns.CountLabel(h.Name):
			malformed = true
			problems = append(problems, fmt.Sprintf("RRSIG by %d has labels %d, more than the owner's %d", sig.KeyTag, sig.Labels, dns.CountLabel(h.Name)))
			continue
		}
		// An RRset TTL above the original TTL is not an error: validators
		// cap the TTL and verify with the original (RFC 4035 5.3.3), as
		// miekg/dns's Verify does.
		var verified bool
		var lastErr error
		candidates := 0
		for _, k := range keys {
			if k.Algorithm != sig.Algorithm || k.KeyTag() != sig.KeyTag {
				continue
			}
			candidates++
			if err := verifyMemo.verify(sig, k, rrset); err != nil {
				lastErr = err
				continue
			}
			verified = true
			break
		}
		switch {
		case candidates == 0:
			noKey = true
			problems = append(problems, fmt.Sprintf("RRSIG by key %d algorithm %d: no such key in the DNSKEY RRset", sig.KeyTag, sig.Algorithm))
			continue
		case !verified:
			cryptoFail = true
			problems = append(problems, fmt.Sprintf("RRSIG by key %d does not verify (%v)", sig.KeyTag, lastErr))
			continue
		}
		v.keyTags = append(v.keyTags, sig.KeyTag)
		if verifiedExp.IsZero() || exp.Before(verifiedExp) {
			verifiedExp = exp
		}
		if h.Ttl > sig.OrigTtl {
			v.origTTL = sig.OrigTtl
		}
		switch {
		case now.After(exp):
			timeFail, expired = true, true
			problems = append(problems, fmt.Sprintf("RRSIG by key %d expired %s (%s ago)", sig.KeyTag, exp.Format(time.RFC3339), now.Sub(exp).Round(time.Second)))
		case now.Before(inc):
			timeFail, premature = true, true
			problems = append(problems, fmt.Sprintf("RRSIG by key %d is valid only from %s (%s from now)", sig.KeyTag, inc.Format(time.RFC3339), inc.Sub(now).Round(time.Second)))
		default:
			v.valid = true
			v.algorithms[sig.Algorithm] = true
			if exp.After(validExp) {
				validExp = exp
			}
		}
	}
	if v.valid {
		v.expiration = validExp
		return v
	}
	if !verifiedExp.IsZero() {
		v.expiration = verifiedExp
	}
	v.detail = what + ": " + strings.Join(problems, "; ")
	// The most specific reason a validator would give, in RFC 8914's terms.
	switch {
	case timeFail && expired:
		v.check = CheckRRSIGExpired
	case timeFail && premature:
		v.check = CheckRRSIGNotYetValid
	case cryptoFail:
		v.check = CheckRRSIGInvalid
	case noKey:
		v.check = CheckSigningKeyMissing
	case malformed:
		v.check = CheckRRSIGMalformed
	default:
		v.check = CheckRRSIGInvalid
	}
	return v
}

// dsMatches reports whether ds is the digest of key (RFC 4034 section 5.1.4).
func dsMatches(ds *dns.DS, key *dns.DNSKEY) bool {
	if ds.KeyTag != key.KeyTag() || ds.Algorithm != key.Algorithm || !digestSupported(ds.DigestType) {
		return false
	}
	want := key.ToDS(ds.DigestType)
	return want != nil && strings.EqualFold(want.Digest, ds.Digest)
}

// errNoTrustedKey is returned when no DNSKEY is vouched for by the DS set.
var errNoTrustedKey = errors.New("no DNSKEY matches a DS and signs the DNSKEY RRset")

// trustKeys validates a DNSKEY RRset against a set of trusted DS records
// and/or trusted DNSKEYs (a trust anchor, RFC 4035 section 5): at least one
// key that matches must sign the RRset, validly at now. It returns the
// zone keys of the set, now trusted, and the verdict over the RRset.
func trustKeys(keyset []dns.RR, sigs []*dns.RRSIG, ds []*dns.DS, anchors []*dns.DNSKEY, zone string, now time.Time) ([]*dns.DNSKEY, sigVerdict, error) {
	var all, entry []*dns.DNSKEY
	for _, rr := range keyset {
		k, ok := rr.(*dns.DNSKEY)
		if !ok {
			continue
		}
		all = append(all, k)
		vouched := false
		for _, d := range ds {
			if dsMatches(d, k) {
				vouched = true
			}
		}
		for _, a := range anchors {
			if a.Algorithm == k.Algorithm && a.PublicKey == k.PublicKey {
				vouched = true
			}
		}
		if vouched && k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 {
			entry = append(entry, k)
		}
	}
	if len(entry) == 0 {
		return nil, sigVerdict{check: CheckDSNoMatchingKey}, errNoTrustedKey
	}
	v := verifyRRset(keyset, sigs, entry, zone, now)
	if !v.valid {
		return nil, v, fmt.Errorf("DNSKEY RRset of %s: %s", zone, v.detail)
	}
	var zoneKeys []*dns.DNSKEY
	for _, k := range all {
		if k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0 {
			zoneKeys = append(zoneKeys, k)
		}
	}
	return zoneKeys, v, nil
}

// splitSigs separates the RRs of one owner and type from the RRSIGs that
// cover them, in a message section.
func splitSigs(section []dns.RR, owner string, qtype uint16) ([]dns.RR, []*dns.RRSIG) {
	var rrset []dns.RR
	var sigs []*dns.RRSIG
	for _, rr := range section {
		if !strings.EqualFold(rr.Header().Name, owner) {
			continue
		}
		if sig, ok := rr.(*dns.RRSIG); ok {
			if sig.TypeCovered == qtype {
				sigs = append(sigs, sig)
			}
			continue
		}
		if rr.Header().Rrtype == qtype {
			rrset = append(rrset, rr)
		}
	}
	return rrset, sigs
}

// sigMemo remembers the outcome of signature checks, keyed by a hash of the
// key, the RRSIG and the RRset. Zones are re-signed every few days while
// scrapes come every minute, so a warm probe mostly meets signatures it
// has checked before; the public-key operation is most of a signed probe's
// CPU (see docs/benchmarks.md). The result is a pure function of the key,
// so caching it cannot change a verdict; the validity window is checked
// apart, against the probe's clock.
type sigMemo struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]error
}

var verifyMemo = &sigMemo{max: 20000, m: map[[32]byte]error{}}

func (c *sigMemo) verify(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR) error {
	key, ok := memoKey(sig, k, rrset)
	if !ok {
		return sig.Verify(k, rrset)
	}
	c.mu.Lock()
	err, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return err
	}
	err = sig.Verify(k, rrset)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m) // crude but bounded: the next probes refill it
	}
	c.m[key] = err
	c.mu.Unlock()
	return err
}

// memoKey hashes what a signature check depends on: the key's and the
// RRSIG's wire form, and the RRset's wire form with the owner in lower case
// and the TTL set to the RRSIG's original TTL, as RFC 4034 section 6.2
// canonicalises them, the records sorted. Record data keeps its case: a TXT
// record in other case is other data, and a cached "valid" must never carry
// over to it. ok is false when something does not pack; then nothing is
// cached.
func memoKey(sig *dns.RRSIG, k *dns.DNSKEY, rrset []dns.RR) (key [32]byte, ok bool) {
	h := sha256.New()
	for _, rr := range []dns.RR{k, sig} {
		b, ok := wire(rr)
		if !ok {
			return key, false
		}
		h.Write(b)
	}
	records := make([][]byte, 0, len(rrset))
	for _, rr := range rrset {
		c := dns.Copy(rr)
		c.Header().Name = strings.ToLower(c.Header().Name)
		c.Header().Ttl = sig.OrigTtl
		b, ok := wire(c)
		if !ok {
			return key, false
		}
		records = append(records, b)
	}
	sort.Slice(records, func(i, j int) bool { return bytes.Compare(records[i], records[j]) < 0 })
	for _, b := range records {
		h.Write(b)
	}
	h.Sum(key[:0])
	return key, true
}

// wire is rr's uncompressed wire form.
func wire(rr dns.RR) ([]byte, bool) {
	b := make([]byte, dns.Len(rr))
	n, err := dns.PackRR(rr, b, 0, nil, false)
	if err != nil {
		return nil, false
	}
	return b[:n], true
}
