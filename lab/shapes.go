package lab

import (
	"time"

	"github.com/miekg/dns"
)

// Real-world shapes: zones that are healthy as resolvers see them, though
// they look unusual. A correct probe raises no error-severity finding and
// no bogus verdict for any of them; each says what it may raise instead.
// Blocks 57 and up, and the dns-host.example servers.

// nested returns a demo zone label.parent., delegated by the demo zone
// parent and served by the same addresses, signed like it.
func nested(label string, parent *demo, description string) *demo {
	d := &demo{Zone: Zone{Name: label + "." + parent.Name, Description: description, DNSSEC: verdictInsecure},
		parent: parent.Name, parentNS: parent.parentNS, servers: parent.servers}
	if parent.sign != nil {
		d.signed(dns.ECDSAP256SHA256)
	}
	return d
}

// shapeDemos returns the real-world shapes.
func shapeDemos() []*demo {
	// RFC 2181 section 10.3: an NS target must not be an alias. Unbound
	// follows it, BIND skips the server: a warning.
	nsCNAME := &demo{
		Zone: Zone{Name: "ns-cname.test.", DNSSEC: verdictInsecure,
			Description: "Its second NS name, ns-alias.dns-host.example, is a CNAME to ns2.dns-host.example: resolvers differ, a warning."},
		parentNS: []string{"ns1.dns-host.example.", "ns-alias.dns-host.example."},
		servers: []nsAddr{
			{name: "ns1.dns-host.example.", addr: "127.53.2.1"},
			{name: "ns-alias.dns-host.example.", addr: "127.53.2.2"},
		},
	}
	nsCNAME.expect(checkNSTargetCNAME)

	// Five minutes of clock skew: inside Unbound's allowance
	// (val-sig-skew-min, an hour).
	skew := signedDemo("sec-skew", 57, "Every signature's inception is five minutes in the future (a signer's clock ahead): validators allow for skew, so it validates.")
	skew.sign.window = window{inception: 5 * time.Minute, expiration: 14 * day}

	// RFC 4509 section 3: SHA-1 beside SHA-256 for the same key; validators
	// use the SHA-256 one.
	sha := signedDemo("sec-sha1-sha256", 58, "test. has a SHA-1 and a SHA-256 DS for the same KSK: validators use the SHA-256 one.")
	sha.ds = append(sha.ds, dsSpec{key: sha.sign.ksk[0], digest: dns.SHA1})

	// RFC 8901 model 2: two providers, each with its own KSK and ZSK; both
	// publish all four keys, each signs with its own; test. has a DS for
	// each KSK.
	multi := standard("sec-multi-signer", 59, "Two signers (RFC 8901 model 2): ns1 and ns2 each sign with their own KSK and ZSK and publish all four keys; test. has a DS for each KSK.")
	kskA, zskA := multi.key("ksk-a", dns.ECDSAP256SHA256, true), multi.key("zsk-a", dns.ECDSAP256SHA256, false)
	kskB, zskB := multi.key("ksk-b", dns.ECDSAP256SHA256, true), multi.key("zsk-b", dns.ECDSAP256SHA256, false)
	all := []string{kskA, zskA, kskB, zskB}
	multi.sign = &signing{dnskey: all, ksk: []string{kskA}, zsk: []string{zskA}, window: defaultWindow}
	multi.servers[1].sign = &signing{dnskey: all, ksk: []string{kskB}, zsk: []string{zskB}, window: defaultWindow}
	multi.ds = []dsSpec{{key: kskA, digest: dns.SHA256}, {key: kskB, digest: dns.SHA256}}
	multi.DNSSEC = verdictSecure

	// RFC 6781 section 4.1.4, an algorithm rollover from 13 to 15, in two
	// of its middle states.
	roll := func(label string, block int, description string) (*demo, []string, []string) {
		d := standard(label, block, description)
		k13, z13 := d.key("ksk-13", dns.ECDSAP256SHA256, true), d.key("zsk-13", dns.ECDSAP256SHA256, false)
		k15, z15 := d.key("ksk-15", dns.ED25519, true), d.key("zsk-15", dns.ED25519, false)
		d.DNSSEC = verdictSecure
		return d, []string{k13, z13}, []string{k15, z15}
	}
	// "New DNSKEY": everything signed by both algorithms, both key sets
	// published, the DS still the old algorithm's.
	rollNew, old, next := roll("sec-algroll-new-dnskey", 60, "An algorithm rollover (13 to 15) in its \"new DNSKEY\" state: both algorithms sign and publish keys, the DS is still algorithm 13's.")
	rollNew.sign = &signing{dnskey: append(append([]string{}, old...), next...), ksk: []string{old[0], next[0]}, zsk: []string{old[1], next[1]}, window: defaultWindow}
	rollNew.ds = []dsSpec{{key: old[0], digest: dns.SHA256}}
	// "DNSKEY removal": the DS and the DNSKEY RRset are the new
	// algorithm's; the old algorithm's signatures are still there.
	rollOut, old, next := roll("sec-algroll-dnskey-removal", 61, "An algorithm rollover (13 to 15) in its \"DNSKEY removal\" state: only algorithm 15 keys and DS, algorithm 13 signatures still served beside them.")
	rollOut.sign = &signing{dnskey: next, ksk: []string{old[0], next[0]}, zsk: []string{old[1], next[1]}, window: defaultWindow}
	rollOut.ds = []dsSpec{{key: next[0], digest: dns.SHA256}}

	// Three nested zone cuts on one server set, as enterprise sub-zones
	// and reverse zones often are: the walk meets no referral below
	// sec-nest.test.
	nest := signedDemo("sec-nest", 62, "sec-nest.test. delegates mid.sec-nest.test., which delegates leaf.mid.sec-nest.test.; one server set serves all three.")
	mid := nested("mid", nest, "Nested under sec-nest.test. on the same servers, and itself the parent of leaf.mid.sec-nest.test.: its parent is sec-nest.test.")
	leaf := nested("leaf", mid, "Two cuts below sec-nest.test. on the same servers: its parent, which holds its DS, is mid.sec-nest.test.")

	// NSEC3 opt-out (RFC 5155 section 6): the unsigned child is left out
	// of the parent's chain; its DS denial is an opt-out proof.
	optOut := signedDemo("sec-optout", 63, "NSEC3 with opt-out, delegating the unsigned child.sec-optout.test., which has no NSEC3 of its own in the chain.")
	optOut.sign.nsec3 = &nsec3Params{optOut: true}
	ns3, ns4 := host{"ns3.sec-optout.test.", blockAddr(63, 3)}, host{"ns4.sec-optout.test.", blockAddr(63, 4)}
	optOut.hosts = append(optOut.hosts, ns3, ns4)
	child := &demo{Zone: Zone{Name: "child.sec-optout.test.", DNSSEC: verdictInsecure,
		Description: "An unsigned delegation from sec-optout.test., whose NSEC3 chain opts it out: insecure, proved by an opt-out NSEC3."},
		parent: optOut.Name, parentNS: []string{ns3.name, ns4.name},
		servers: []nsAddr{{name: ns3.name, addr: ns3.addr}, {name: ns4.name, addr: ns4.addr}}}

	// A wildcard at the apex: names that do not exist get its TXT and A
	// records, with the wildcard's signatures, and a wildcard NODATA for
	// other types. The probe's random name is answered from it.
	wild := signedDemo("sec-wildcard", 64, "Has wildcard TXT and A records at its apex (*.sec-wildcard.test.): names that do not exist are answered from them, with a proof that the name itself does not exist.")
	wild.extra = []string{`*                              IN TXT "wildcard"`, "*                              IN A   127.0.0.2", "alias                          IN CNAME www"}

	return []*demo{nsCNAME, skew, sha, multi, rollNew, rollOut, nest, mid, leaf, optOut, child, wild}
}
