package validate

import (
	"time"

	"github.com/miekg/dns"
)

// Skew is the allowance for a signer's clock running ahead of the
// validator's: a signature whose inception is in the future by no more
// than the allowance is treated as valid. The allowance is a tenth of the
// signature's validity period (expiration minus inception), clamped to
// [Min, Max], as Unbound computes it (check_dates in
// validator/val_sigcrypt.c, with val-sig-skew-min and val-sig-skew-max).
// The zero Skew allows nothing, as BIND does (dns_dnssec_verify in
// lib/dns/dnssec.c returns DNS_R_SIGFUTURE for any inception after now).
//
// Unbound applies the same allowance after expiration; this package does
// not: an expired signature is reported expired, since BIND and most other
// validators already reject it.
type Skew struct {
	Min, Max time.Duration
}

// Unbound's defaults: val-sig-skew-min 3600, val-sig-skew-max 86400
// (doc/unbound.conf.5.in).
const (
	DefaultSkewMin = time.Hour
	DefaultSkewMax = 24 * time.Hour
)

// DefaultSkew is Unbound's allowance.
func DefaultSkew() Skew { return Skew{Min: DefaultSkewMin, Max: DefaultSkewMax} }

// Allowance is how far in the future an inception may be for a signature
// valid from inception to expiration.
func (s Skew) Allowance(inception, expiration time.Time) time.Duration {
	a := expiration.Sub(inception) / 10
	if a < s.Min {
		a = s.Min
	}
	if a > s.Max {
		a = s.Max
	}
	if a < 0 {
		a = 0
	}
	return a
}

// premature reports whether sig's inception is still ahead of now by more
// than the allowance.
func (s Skew) premature(sig *dns.RRSIG, now time.Time) bool {
	inc, exp := SigTime(sig.Inception, now), SigTime(sig.Expiration, now)
	return inc.Sub(now) > s.Allowance(inc, exp)
}

// inWindow reports whether now is inside sig's validity period, the
// inception moved back by the allowance.
func (val Validator) inWindow(sig *dns.RRSIG, now time.Time) bool {
	return !now.After(SigTime(sig.Expiration, now)) && !val.Skew.premature(sig, now)
}
