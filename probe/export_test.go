package probe

// ResetSignatureMemo empties the memo of signature checks, so that a
// benchmark can measure a probe that verifies every signature.
func ResetSignatureMemo() {
	verifyMemo.mu.Lock()
	defer verifyMemo.mu.Unlock()
	clear(verifyMemo.m)
}

// MustRR is mustRR for the external test package.
var MustRR = mustRR
