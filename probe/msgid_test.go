package probe

import (
	"testing"

	"github.com/miekg/dns"
)

// Two probes must not send the same ID sequence: each seeds its own
// generator from the operating system.
func TestEachIDSourceHasItsOwnSeed(t *testing.T) {
	a, b := newIDSource(), newIDSource()
	same := 0
	for range 8 {
		if a.next() == b.next() {
			same++
		}
	}
	if same == 8 {
		t.Fatal("two ID sources drew the same 8 IDs: they share a seed")
	}
}

// newQuestion is SetQuestion without the ID.
func TestNewQuestionIsSetQuestionWithoutAnID(t *testing.T) {
	want := new(dns.Msg)
	want.SetQuestion("example.test.", dns.TypeDNSKEY)
	want.Id = 0
	got := newQuestion("example.test.", dns.TypeDNSKEY)
	if got.String() != want.String() {
		t.Fatalf("newQuestion:\n%s\nSetQuestion:\n%s", got, want)
	}
}
