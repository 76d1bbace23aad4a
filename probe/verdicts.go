package probe

import "github.com/dnshealth/dnshealth_exporter/probe/validate"

// checkOf is the check ID a validator failure is reported under.
// validate.LimitExceeded cannot happen with validate.DefaultLimits; should
// a budget set one, the signatures are reported as not verifying.
func checkOf(r validate.Reason) CheckID {
	switch r {
	case validate.RRSIGMissing:
		return CheckRRSIGMissing
	case validate.RRSIGExpired:
		return CheckRRSIGExpired
	case validate.RRSIGNotYetValid:
		return CheckRRSIGNotYetValid
	case validate.SigningKeyMissing:
		return CheckSigningKeyMissing
	case validate.RRSIGMalformed:
		return CheckRRSIGMalformed
	case validate.NoTrustedKey:
		return CheckDSNoMatchingKey
	case validate.DenialInvalid:
		return CheckDenialInvalid
	}
	return CheckRRSIGInvalid
}

// nsec3Param converts the validator's NSEC3 parameters for the report.
func nsec3Param(p *validate.NSEC3Params) *NSEC3Param {
	if p == nil {
		return nil
	}
	return &NSEC3Param{Iterations: p.Iterations, SaltLength: p.SaltLength, OptOut: p.OptOut}
}
