// Package dnstest is the test kit shared by every package's tests: DNS
// records from text, reply builders, an in-memory exchanger and a resolver
// stub. It is imported by test files only.
package dnstest

import (
	"testing"

	"github.com/miekg/dns"
)

// MustRR parses one record in zone-file syntax, failing the test if it
// does not parse.
func MustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("NewRR(%q): %v", s, err)
	}
	return rr
}
