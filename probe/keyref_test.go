package probe

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
)

// Key tags collide. A DS for key A, where only key B (same tag and
// algorithm, another public key) signs the DNSKEY RRset, matches no
// signing key: ds_no_matching_key, not "matched". And key B signing on one
// server is not published by a server that has only key A:
// signing_key_missing.
func TestKeyTagCollisionDoesNotMatchTheWrongKey(t *testing.T) {
	a, b := dnstest.CollidingKeys(t, "collide.test.", 257)
	ds := a.DNSKEY.ToDS(dns.SHA256)
	both := &serverMaterial{name: "ns1.collide.test", addr: "127.63.0.1",
		keyset: []*dns.DNSKEY{a.DNSKEY, b.DNSKEY}, keySigners: map[keyRef]bool{refOf(b.DNSKEY): true}, signers: map[keyRef]bool{refOf(b.DNSKEY): true}}
	onlyA := &serverMaterial{name: "ns2.collide.test", addr: "127.63.0.2",
		keyset: []*dns.DNSKEY{a.DNSKEY}, keySigners: map[keyRef]bool{}, signers: map[keyRef]bool{}}
	d := &DNSSECReport{DS: []DSRecord{{KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, DigestType: ds.DigestType, digest: ds.Digest}}}
	r := &Report{Findings: nil}
	for _, f := range compareKeys("collide.test.", []*dns.DS{ds}, []*serverMaterial{both, onlyA}, d) {
		r.Findings = append(r.Findings, Finding{Check: f.check, Nameserver: f.nameserver, Address: f.address, Message: f.message})
	}
	if d.DS[0].Matched || d.DSMatchesDNSKEY == nil || *d.DSMatchesDNSKEY {
		t.Errorf("the DS for key A counts as matched by key B's signature: %+v", d.DS)
	}
	if !r.HasFinding(CheckDSNoMatchingKey) {
		t.Errorf("no ds_no_matching_key: %v", r.Findings)
	}
	var missing bool
	for _, f := range r.Findings {
		missing = missing || f.Check == CheckSigningKeyMissing && f.Address == "127.63.0.2"
	}
	if !missing {
		t.Errorf("no signing_key_missing for the server without key B: %v", r.Findings)
	}
	signs := 0
	for _, k := range d.DNSKEYs {
		if k.SignsKeySet {
			signs++
		}
	}
	if signs != 1 {
		t.Errorf("%d keys marked as signing the DNSKEY RRset, want 1 (key B): %+v", signs, d.DNSKEYs)
	}
}
