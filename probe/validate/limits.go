package validate

// Limits bounds the work one call may do. A zero field means no bound,
// which is how the probe has always run; the budgets are set by the caller.
type Limits struct {
	// MaxSignatures is how many RRSIGs over one RRset are examined; the
	// rest are ignored, and when none of those examined validates the
	// verdict is LimitExceeded.
	MaxSignatures int
	// MaxKeyCandidates is how many keys with an RRSIG's key tag and
	// algorithm are tried for it (key tags collide, RFC 4034 Appendix B).
	MaxKeyCandidates int
	// MaxNSEC3Iterations is the highest NSEC3 iteration count a denial
	// proof hashes with; records above it are set aside unhashed
	// (RFC 9276 section 3.2 lets a validator stop there).
	MaxNSEC3Iterations int
}

// DefaultLimits are the bounds the probe runs with: none, as before the
// budgets were introduced.
func DefaultLimits() Limits { return Limits{} }

// Validator verifies signatures and denial proofs. The zero value works:
// no memo, no bounds.
type Validator struct {
	// Memo remembers signature checks across calls; nil checks every one.
	Memo   *Memo
	Limits Limits
}
