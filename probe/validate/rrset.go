package validate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Reason is why a verification failed, the most specific one a validator
// would give (RFC 8914's extended errors draw the same distinctions).
type Reason uint8

// Reasons. OK is the zero value: nothing failed.
const (
	OK Reason = iota
	// RRSIGMissing: the RRset is empty or no RRSIG covers it.
	RRSIGMissing
	// RRSIGExpired: a signature verifies but its expiration has passed.
	RRSIGExpired
	// RRSIGNotYetValid: a signature verifies but its inception is ahead.
	RRSIGNotYetValid
	// RRSIGInvalid: a signature does not verify with its key.
	RRSIGInvalid
	// SigningKeyMissing: no key has an RRSIG's key tag and algorithm.
	SigningKeyMissing
	// RRSIGMalformed: an RRSIG's signer or labels field is wrong.
	RRSIGMalformed
	// NoTrustedKey: no zone key matches a DS or trust anchor.
	NoTrustedKey
	// DenialInvalid: the NSEC/NSEC3 records do not prove the denial.
	DenialInvalid
	// LimitExceeded: a bound in Limits stopped the work before a verdict.
	LimitExceeded
)

var reasonNames = [...]string{"ok", "rrsig missing", "rrsig expired", "rrsig not yet valid",
	"rrsig invalid", "signing key missing", "rrsig malformed", "no trusted key",
	"denial invalid", "limit exceeded"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason %d", r)
}

// SigTime turns an RRSIG inception or expiration field into a time, using
// RFC 1982 serial arithmetic relative to now (RFC 4034 section 3.1.5): the
// 32-bit value names the moment within 68 years of now, so a signature made
// in 2105 that expires after the 2106 wrap still reads correctly.
func SigTime(ts uint32, now time.Time) time.Time {
	n := now.Unix()
	delta := int64(int32(ts - uint32(n)))
	return time.Unix(n+delta, 0).UTC()
}

// AlgorithmSupported reports whether signatures of this DNSKEY algorithm
// can be verified (the ones miekg/dns implements and RFC 9904 still lets
// validators use).
func AlgorithmSupported(alg uint8) bool {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
		dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519:
		return true
	}
	return false
}

// DigestSupported reports whether DS digests of this type can be computed.
func DigestSupported(t uint8) bool {
	return t == dns.SHA1 || t == dns.SHA256 || t == dns.SHA384
}

// SigVerdict is what the signatures over one RRset say.
type SigVerdict struct {
	Valid bool
	// Reason is why, when !Valid.
	Reason Reason
	Detail string
	// Expiration is when the RRset stops validating: the latest expiration
	// of the signatures that validate; when none does, the earliest of
	// those that verify outside their window, else of all examined.
	// Inception is the latest over the RRSIGs examined.
	Expiration, Inception time.Time
	// KeyTags of the keys whose signatures verified (inside the window or not).
	KeyTags []uint16
	// Keys are those keys themselves, in the same order: key tags collide
	// (RFC 4034 Appendix B), so a tag alone does not say which key signed.
	Keys []*dns.DNSKEY
	// Algorithms of the RRSIGs that verified and are in their window.
	Algorithms map[uint8]bool
	// TTL is the RRset's TTL, for the "expires inside TTL" check.
	TTL uint32
	// OrigTTL is set when a verified signature's original TTL is below the
	// RRset's TTL (validators then cap the TTL, RFC 4035 5.3.3).
	OrigTTL uint32
}

// sigProblems gathers what went wrong with each RRSIG over one RRset.
type sigProblems struct {
	texts                                               []string
	expired, premature, crypto, noKey, malformed, limit bool
	// validExp is the latest expiration of the signatures that validate,
	// verifiedExp the earliest of those that verify outside their window.
	validExp, verifiedExp time.Time
}

func (p *sigProblems) add(format string, args ...any) {
	p.texts = append(p.texts, fmt.Sprintf(format, args...))
}

// reason is the most specific reason a validator would give, in RFC
// 8914's terms. A bound that stopped the work comes first: the RRSIGs or
// keys left unexamined might have validated.
func (p *sigProblems) reason() Reason {
	switch {
	case p.limit:
		return LimitExceeded
	case p.expired:
		return RRSIGExpired
	case p.premature:
		return RRSIGNotYetValid
	case p.crypto:
		return RRSIGInvalid
	case p.noKey:
		return SigningKeyMissing
	case p.malformed:
		return RRSIGMalformed
	}
	return RRSIGInvalid
}

// VerifyRRset checks the RRSIGs over rrset against keys (the zone's DNSKEY
// RRset, not yet trusted: the caller decides which keys are trusted by
// passing only those). It is valid when at least one signature by a zone
// key verifies and is inside its validity window at now (RFC 4035 5.3).
func (val Validator) VerifyRRset(rrset []dns.RR, sigs []*dns.RRSIG, keys []*dns.DNSKEY, zone string, now time.Time) SigVerdict {
	v := SigVerdict{Algorithms: map[uint8]bool{}}
	if len(rrset) == 0 {
		v.Reason, v.Detail = RRSIGMissing, "empty RRset"
		return v
	}
	h := rrset[0].Header()
	v.TTL = h.Ttl
	what := fmt.Sprintf("%s %s", h.Name, dns.TypeToString[h.Rrtype])
	if len(sigs) == 0 {
		v.Reason, v.Detail = RRSIGMissing, "no RRSIG over "+what
		return v
	}
	var p sigProblems
	// Signatures inside their validity window are tried first, so that
	// expired or premature ones (cheap to tell apart) cost no public-key
	// operation unless nothing else validates; then they are examined for
	// the most specific reason.
	order := make([]*dns.RRSIG, 0, len(sigs))
	for _, sig := range sigs {
		if val.inWindow(sig, now) {
			order = append(order, sig)
		}
	}
	for _, sig := range sigs {
		if !val.inWindow(sig, now) {
			order = append(order, sig)
		}
	}
	for i, sig := range order {
		if val.Limits.MaxSignatures > 0 && i >= val.Limits.MaxSignatures {
			p.limit = true
			p.add("%d more RRSIGs not examined (limit %d)", len(order)-i, val.Limits.MaxSignatures)
			break
		}
		val.checkSig(&v, &p, rrset, sig, keys, zone, now)
		if v.Valid && i+1 < len(order) && !val.inWindow(order[i+1], now) {
			break // the rest cannot change a valid verdict
		}
	}
	if v.Valid {
		v.Expiration = p.validExp
		return v
	}
	if !p.verifiedExp.IsZero() {
		v.Expiration = p.verifiedExp
	}
	v.Detail = what + ": " + strings.Join(p.texts, "; ")
	v.Reason = p.reason()
	return v
}

// checkSig examines one RRSIG over rrset and records the outcome in v or p.
func (val Validator) checkSig(v *SigVerdict, p *sigProblems, rrset []dns.RR, sig *dns.RRSIG, keys []*dns.DNSKEY, zone string, now time.Time) {
	h := rrset[0].Header()
	exp, inc := SigTime(sig.Expiration, now), SigTime(sig.Inception, now)
	if v.Expiration.IsZero() || exp.Before(v.Expiration) {
		v.Expiration = exp
	}
	if inc.After(v.Inception) {
		v.Inception = inc
	}
	switch {
	case !strings.EqualFold(sig.SignerName, zone):
		p.malformed = true
		p.add("RRSIG by %d has signer %s, not the zone %s", sig.KeyTag, sig.SignerName, zone)
		return
	case int(sig.Labels) > dns.CountLabel(h.Name):
		p.malformed = true
		p.add("RRSIG by %d has labels %d, more than the owner's %d", sig.KeyTag, sig.Labels, dns.CountLabel(h.Name))
		return
	}
	if !AlgorithmSupported(sig.Algorithm) {
		p.crypto = true
		p.add("RRSIG by key %d uses algorithm %d, which cannot be verified", sig.KeyTag, sig.Algorithm)
		return
	}
	// An RRset TTL above the original TTL is not an error: validators
	// cap the TTL and verify with the original (RFC 4035 5.3.3), as
	// miekg/dns's Verify does.
	candidates, signer, lastErr := val.tryKeys(rrset, sig, keys)
	verified := signer != nil
	switch {
	case candidates == 0:
		p.noKey = true
		p.add("RRSIG by key %d algorithm %d: no such key in the DNSKEY RRset", sig.KeyTag, sig.Algorithm)
		return
	case !verified && (lastErr == errKeyLimit || lastErr == errBudget):
		p.limit = true
		if lastErr == errBudget {
			p.add("RRSIG by key %d not checked: %v", sig.KeyTag, errBudget)
			return
		}
		p.limit = true
		p.add("RRSIG by key %d: more keys with its tag than the limit of %d", sig.KeyTag, val.Limits.MaxKeyCandidates)
		return
	case !verified:
		p.crypto = true
		p.add("RRSIG by key %d does not verify (%v)", sig.KeyTag, lastErr)
		return
	}
	v.KeyTags = append(v.KeyTags, sig.KeyTag)
	v.Keys = append(v.Keys, signer)
	if p.verifiedExp.IsZero() || exp.Before(p.verifiedExp) {
		p.verifiedExp = exp
	}
	if h.Ttl > sig.OrigTtl {
		v.OrigTTL = sig.OrigTtl
	}
	switch {
	case now.After(exp):
		p.expired = true
		p.add("RRSIG by key %d expired %s (%s ago)", sig.KeyTag, exp.Format(time.RFC3339), now.Sub(exp).Round(time.Second))
	case val.Skew.premature(sig, now):
		p.premature = true
		p.add("RRSIG by key %d is valid only from %s (%s from now)", sig.KeyTag, inc.Format(time.RFC3339), inc.Sub(now).Round(time.Second))
	default:
		v.Valid = true
		v.Algorithms[sig.Algorithm] = true
		if exp.After(p.validExp) {
			p.validExp = exp
		}
	}
}

var errKeyLimit = errors.New("key candidate limit reached")

// tryKeys verifies sig with each key of its tag and algorithm until one
// succeeds. It returns how many keys matched the tag, the key that
// verified it (nil when none did), and the last error.
func (val Validator) tryKeys(rrset []dns.RR, sig *dns.RRSIG, keys []*dns.DNSKEY) (int, *dns.DNSKEY, error) {
	var lastErr error
	candidates := 0
	for _, k := range keys {
		if k.Algorithm != sig.Algorithm || k.KeyTag() != sig.KeyTag {
			continue
		}
		if val.Limits.MaxKeyCandidates > 0 && candidates >= val.Limits.MaxKeyCandidates {
			return candidates, nil, errKeyLimit
		}
		candidates++
		if err := val.Memo.verify(sig, k, rrset, val.Budget); err != nil {
			if err == errBudget {
				return candidates, nil, err
			}
			lastErr = err
			continue
		}
		return candidates, k, nil
	}
	return candidates, nil, lastErr
}

// DSMatches reports whether ds is the digest of key (RFC 4034 section 5.1.4).
func DSMatches(ds *dns.DS, key *dns.DNSKEY) bool {
	if ds.Algorithm != key.Algorithm || !DigestSupported(ds.DigestType) || ds.KeyTag != key.KeyTag() {
		return false
	}
	want := key.ToDS(ds.DigestType)
	return want != nil && strings.EqualFold(want.Digest, ds.Digest)
}

// UsableDS returns the DS records a validator may use: a supported key
// algorithm and digest type, and no SHA-1 DS when a SHA-256 or SHA-384 DS
// of a supported algorithm is there (RFC 4509 section 3), as BIND does
// (lib/dns/validator.c, validate_dnskey: digest_sha1). Every other usable
// DS may vouch for a key: BIND, and Unbound with its default
// harden-algo-downgrade: no (val_verify_DNSKEY_with_DS: "accept any key
// algo, any digest algo"), take a match on any of them, so a wrong SHA-384
// DS beside a right SHA-256 one leaves the zone secure (the differential
// test, docs/differential.md).
func UsableDS(set []*dns.DS) []*dns.DS {
	strong := false
	for _, ds := range set {
		if AlgorithmSupported(ds.Algorithm) && (ds.DigestType == dns.SHA256 || ds.DigestType == dns.SHA384) {
			strong = true
		}
	}
	var out []*dns.DS
	for _, ds := range set {
		if AlgorithmSupported(ds.Algorithm) && DigestSupported(ds.DigestType) && !(strong && ds.DigestType == dns.SHA1) {
			out = append(out, ds)
		}
	}
	return out
}

// ErrNoTrustedKey is returned when no DNSKEY is vouched for by the DS set.
var ErrNoTrustedKey = errors.New("no DNSKEY matches a DS and signs the DNSKEY RRset")

// ZoneKey reports whether k may sign the zone: the Zone flag set and the
// Revoke flag clear (RFC 4034 section 2.1.1, RFC 5011 section 7).
func ZoneKey(k *dns.DNSKEY) bool {
	return k.Flags&dns.ZONE != 0 && k.Flags&dns.REVOKE == 0
}

// vouched reports whether a DS or an anchor vouches for k.
func vouched(k *dns.DNSKEY, ds []*dns.DS, anchors []*dns.DNSKEY) bool {
	for _, d := range ds {
		if DSMatches(d, k) {
			return true
		}
	}
	for _, a := range anchors {
		if a.Algorithm == k.Algorithm && a.PublicKey == k.PublicKey {
			return true
		}
	}
	return false
}

// TrustKeys validates a DNSKEY RRset against a set of trusted DS records
// and/or trusted DNSKEYs (a trust anchor, RFC 4035 section 5): at least one
// key that matches must sign the RRset, validly at now. It returns the
// zone keys of the set, now trusted, and the verdict over the RRset.
func (val Validator) TrustKeys(keyset []dns.RR, sigs []*dns.RRSIG, ds []*dns.DS, anchors []*dns.DNSKEY, zone string, now time.Time) ([]*dns.DNSKEY, SigVerdict, error) {
	var zoneKeys, entry []*dns.DNSKEY
	for _, rr := range keyset {
		k, ok := rr.(*dns.DNSKEY)
		if !ok || !ZoneKey(k) {
			continue
		}
		zoneKeys = append(zoneKeys, k)
		if vouched(k, ds, anchors) {
			entry = append(entry, k)
		}
	}
	if len(entry) == 0 {
		return nil, SigVerdict{Reason: NoTrustedKey}, ErrNoTrustedKey
	}
	v := val.VerifyRRset(keyset, sigs, entry, zone, now)
	if !v.Valid {
		return nil, v, fmt.Errorf("DNSKEY RRset of %s: %s", zone, v.Detail)
	}
	return zoneKeys, v, nil
}

// SplitSigs separates the RRs of one owner and type from the RRSIGs that
// cover them, in a message section.
func SplitSigs(section []dns.RR, owner string, qtype uint16) ([]dns.RR, []*dns.RRSIG) {
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
