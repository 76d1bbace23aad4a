package probe

import (
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// The labels asked for a SOA lie strictly between the zone whose servers
// answered and the target, shallowest first; none for a direct child.
func TestLabelsBetweenAreTheCandidateCuts(t *testing.T) {
	for _, c := range []struct {
		zone, name string
		want       []string
	}{
		{"example.", "a.b.c.example.", []string{"c.example.", "b.c.example."}},
		{"example.", "c.example.", nil},
		{".", "leaf.mid.test.", []string{"test.", "mid.test."}},
		{"other.", "a.b.example.", nil},
	} {
		if got := labelsBetween(c.zone, c.name); !slices.Equal(got, c.want) {
			t.Errorf("labelsBetween(%s, %s) = %v, want %v", c.zone, c.name, got, c.want)
		}
	}
}

// Only an authoritative answer with the label's own SOA makes it a zone
// apex: a SOA of the enclosing zone (NODATA) or a non-authoritative copy
// does not.
func TestApexSOAWantsTheLabelsOwnAuthoritativeSOA(t *testing.T) {
	soa := func(owner string) dns.RR {
		return &dns.SOA{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300}, Ns: "ns.", Mbox: "h.", Minttl: 300}
	}
	m := &dns.Msg{Answer: []dns.RR{soa("mid.example.")}}
	m.Authoritative = true
	if !apexSOA(m, "mid.example.") {
		t.Error("authoritative SOA at the label: not an apex")
	}
	if apexSOA(m, "other.example.") {
		t.Error("a SOA owned by another name counts")
	}
	nodata := &dns.Msg{Ns: []dns.RR{soa("example.")}}
	nodata.Authoritative = true
	if apexSOA(nodata, "mid.example.") {
		t.Error("NODATA with the enclosing zone's SOA counts")
	}
	m.Authoritative = false
	if apexSOA(m, "mid.example.") {
		t.Error("a non-authoritative SOA counts")
	}
}
