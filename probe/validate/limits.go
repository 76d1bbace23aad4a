package validate

import (
	"context"
	"sync/atomic"
)

// Limits bounds the work one call may do. A zero field means no bound.
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

// The figures validators chose after KeyTrap (CVE-2023-50387) and the
// NSEC3 closest-encloser attack (CVE-2023-50868):
//   - Unbound 1.19.1: MAX_VALIDATE_RRSIGS 8 signatures tried per RRset,
//     MAX_DS_MATCH_FAILURES 4, MAX_NSEC3_CALCULATIONS 8 per message
//     (validator/val_sigcrypt.h, validator/val_nsec3.h);
//   - BIND 9.18.24 stops at the first failed validation of an RRset;
//     9.20 adds max-validations-per-fetch 16 and
//     max-validation-failures-per-fetch 1;
//   - Unbound's val-nsec3-keysize-iterations and RFC 9276 section 3.2:
//     above 150 iterations NSEC3 proofs are treated as insecure.
const (
	DefaultMaxSignatures      = 8
	DefaultMaxKeyCandidates   = 4
	DefaultMaxNSEC3Iterations = 150
	// DefaultProbeVerifications bounds the public-key operations of one
	// probe: a signed zone with 8 addresses checks about 200 signatures
	// cold and far fewer warm (the memo answers the rest).
	DefaultProbeVerifications = 600
	// DefaultProbeHashes bounds the SHA-1 runs of one probe's NSEC3
	// hashing (iterations+1 per name hashed): about 10 ms of CPU.
	DefaultProbeHashes = 40000
)

// DefaultLimits are the per-call bounds the probe runs with.
func DefaultLimits() Limits {
	return Limits{
		MaxSignatures:      DefaultMaxSignatures,
		MaxKeyCandidates:   DefaultMaxKeyCandidates,
		MaxNSEC3Iterations: DefaultMaxNSEC3Iterations,
	}
}

// Budget bounds the expensive work of one probe across all its
// validations, public-key operations and NSEC3 hashing, and ends that work
// as soon as the probe's context ends. Memo hits cost nothing. It is safe
// for concurrent use; a nil *Budget bounds nothing.
type Budget struct {
	ctx           context.Context
	verifications atomic.Int64
	hashes        atomic.Int64
	exhausted     atomic.Bool
}

// NewBudget returns a budget of verifications public-key operations and
// hashes SHA-1 runs, both ending when ctx does.
func NewBudget(ctx context.Context, verifications, hashes int) *Budget {
	b := &Budget{ctx: ctx}
	b.verifications.Store(int64(verifications))
	b.hashes.Store(int64(hashes))
	return b
}

// spend takes n from c; false (and the budget exhausted) when not enough
// is left or the context has ended.
func (b *Budget) spend(c *atomic.Int64, n int64) bool {
	if b == nil {
		return true
	}
	if b.ctx != nil && b.ctx.Err() != nil {
		b.exhausted.Store(true)
		return false
	}
	if c.Add(-n) < 0 {
		b.exhausted.Store(true)
		return false
	}
	return true
}

func (b *Budget) spendVerification() bool {
	if b == nil {
		return true
	}
	return b.spend(&b.verifications, 1)
}

func (b *Budget) spendHash(iterations uint16) bool {
	if b == nil {
		return true
	}
	return b.spend(&b.hashes, int64(iterations)+1)
}

// Exhausted reports whether some work was refused: a verdict reached
// after that may be missing what the refused work would have shown.
func (b *Budget) Exhausted() bool { return b != nil && b.exhausted.Load() }

// Validator verifies signatures and denial proofs. The zero value works:
// no memo, no bounds.
type Validator struct {
	// Memo remembers signature checks across calls; nil checks every one.
	Memo   *Memo
	Limits Limits
	// Budget is the probe's budget shared by every call; nil is none.
	Budget *Budget
	// Skew is the allowance for inceptions in the future; the zero
	// value allows none.
	Skew Skew
}
