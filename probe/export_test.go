package probe

// MustRR is mustRR for the external test package.
var MustRR = mustRR
