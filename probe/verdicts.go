package probe

import "github.com/dnshealth/dnshealth_exporter/probe/validate"

// checkOf is the check ID a validator failure is reported under. A bound
// that stopped the work (validate.LimitExceeded) is no verdict on the data.
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
	case validate.LimitExceeded:
		return CheckValidationBudgetExhausted
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
