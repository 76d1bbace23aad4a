package lab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Serials used in the lab's zones. Every zone carries serial, except the
// stale copy that serial-drift.test.'s ns2 serves.
const (
	serial    = 2026112701
	oldSerial = 2026112601
)

// Check IDs the probe is expected to raise (probe/checks.go). They are
// repeated here as strings because lab must not import probe.
const (
	checkLameTimeout          = "lame_timeout"
	checkLameRefused          = "lame_refused"
	checkLameServfail         = "lame_servfail"
	checkLameNotAuthoritative = "lame_not_authoritative"
	checkLameReferral         = "lame_referral"
	checkLameUpwardReferral   = "lame_upward_referral"
	checkLameWrongZone        = "lame_wrong_zone"
	checkLameNetworkError     = "lame_network_error"
	checkLameMalformed        = "lame_malformed"
	checkNoReachableAuthority = "no_reachable_authority"
	checkSOASerialMismatch    = "soa_serial_mismatch"
	checkNSParentChildDiffer  = "ns_parent_child_mismatch"
	checkGlueMismatch         = "glue_mismatch"
	checkNSUnresolvable       = "ns_unresolvable"
	checkParentNSInconsistent = "parent_ns_inconsistent"
	checkEDNSUnsupported      = "edns_unsupported"
	checkApexNSUnavailable    = "apex_ns_unavailable"
	checkNSTargetCNAME        = "ns_target_cname"

	checkDSNoMatchingKey     = "ds_no_matching_key"
	checkDSUnsignedChild     = "ds_unsigned_child"
	checkDSUnmatched         = "ds_unmatched"
	checkDSDigestSHA1Only    = "ds_digest_sha1_only"
	checkDNSSECIntermittent  = "dnssec_intermittent"
	checkRRSIGExpired        = "rrsig_expired"
	checkRRSIGNotYetValid    = "rrsig_not_yet_valid"
	checkRRSIGInvalid        = "rrsig_invalid"
	checkRRSIGMissing        = "rrsig_missing"
	checkDNSKEYInconsistent  = "dnskey_inconsistent"
	checkSigningKeyMissing   = "signing_key_missing"
	checkAlgorithmNotSigning = "algorithm_not_signing"
	checkDenialInvalid       = "denial_invalid"
	checkNSEC3Iterations     = "nsec3_iterations_nonzero"
	checkNSEC3IterationsMax  = "nsec3_iterations_above_limit"
	checkNSEC3Salt           = "nsec3_salt"
	checkCDSMismatchDS       = "cds_ds_mismatch"
	checkCDSDelete           = "cds_delete"
	checkCDSNotSignedByDSKey = "cds_not_signed_by_ds_key"
	checkCDSInconsistent     = "cds_inconsistent"
	checkDSInconsistent      = "ds_inconsistent"
	checkRRSIGMalformed      = "rrsig_malformed"
	checkRRSIGExpiresInTTL   = "rrsig_expires_before_ttl"
	checkUnsupportedAlgo     = "dnssec_unsupported_algorithm"
	checkDSKeyUnusable       = "ds_key_unusable"
)

// Root and TLD servers.
const (
	rootA = "a.root-servers.test."
	rootB = "b.root-servers.test."
)

// host is an address record: a fully qualified name and an IPv4 address.
type host struct {
	name string
	addr string
}

// delegation is a zone cut as the parent zone holds it: NS names, glue
// and DS records.
type delegation struct {
	name string
	ns   []string
	glue []host
	ds   []dsSpec
}

// zoneFile describes one copy of a zone; render turns it into zone-file text.
type zoneFile struct {
	origin      string
	serial      uint32
	ns          []string // apex NS names; the first is the SOA MNAME
	hosts       []host   // in-zone A records (nameservers and the like)
	delegations []delegation
	noWWW       bool     // leave out www.<origin> A 127.0.0.1
	soaTTL      uint32   // TTL of the SOA RRset; 0 means the zone's 3600
	sign        *signing // nil: unsigned
	// extra are more records in master-file syntax, relative to the
	// origin (aliases, wildcards).
	extra []string
}

// render returns the zone in master-file format.
func (f zoneFile) render() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL 3600\n", f.origin)
	rname := "hostmaster." + f.origin
	if f.origin == "." {
		rname = "hostmaster.root-servers.test."
	}
	soaTTL := ""
	if f.soaTTL != 0 {
		soaTTL = strconv.FormatUint(uint64(f.soaTTL), 10)
	}
	fmt.Fprintf(&b, "%-30s %s IN SOA %s %s %d 7200 3600 1209600 300\n", "@", soaTTL, f.ns[0], rname, f.serial)
	for _, ns := range f.ns {
		fmt.Fprintf(&b, "%-30s IN NS  %s\n", "@", ns)
	}
	for _, h := range f.hosts {
		fmt.Fprintf(&b, "%-30s IN A   %s\n", h.name, h.addr)
	}
	if !f.noWWW {
		fmt.Fprintf(&b, "%-30s IN A   %s\n", "www", "127.0.0.1")
	}
	for _, line := range f.extra {
		b.WriteString(line + "\n")
	}
	for _, d := range f.delegations {
		b.WriteString(";\n")
		for _, ns := range d.ns {
			fmt.Fprintf(&b, "%-30s IN NS  %s\n", d.name, ns)
		}
		for _, g := range d.glue {
			fmt.Fprintf(&b, "%-30s IN A   %s\n", g.name, g.addr)
		}
	}
	return b.String()
}

// behaviour is how one lab address treats queries.
type behaviour int

const (
	serve        behaviour = iota // a correct authoritative server
	unbound                       // nothing listens on the address
	refuse                        // REFUSED to everything
	drop                          // never answers
	servfail                      // SERVFAIL to everything
	noAA                          // the normal answer with AA cleared
	upward                        // referral to the root
	selfReferral                  // referral to the queried zone itself
	wrongZone                     // authoritative NXDOMAIN from the test. zone
	malformed                     // reply with a different question
	truncateUDP                   // TC=1 with empty sections over UDP
	noEDNS                        // FORMERR without OPT to EDNS queries; fine without EDNS
	refuseNS                      // REFUSED to NS queries only
)

var behaviourNames = map[behaviour]string{
	serve:        "serve",
	unbound:      "unbound",
	refuse:       "refuse",
	drop:         "drop",
	servfail:     "servfail",
	noAA:         "noaa",
	upward:       "upward",
	selfReferral: "selfref",
	wrongZone:    "wrongzone",
	malformed:    "malformed",
	truncateUDP:  "truncate",
	noEDNS:       "noedns",
	refuseNS:     "refusens",
}

func (b behaviour) String() string { return behaviourNames[b] }

// nsAddr is one address serving a demo zone.
type nsAddr struct {
	name      string // nameserver host name, for logs
	addr      string
	behaviour behaviour
	serial    uint32 // serial of the copy it serves; 0 means serial
	// sign, when set, replaces the demo's signing for this address's copy.
	sign *signing
}

// demo is one zone delegated from test. with the fault it demonstrates.
type demo struct {
	Zone
	parentNS []string // NS names in the delegation held by test.
	glue     []host   // glue held by test.
	// staleParentNS, when set, is the NS set in ns2.nic.test.'s copy of test.
	staleParentNS []string
	staleNoDS     bool     // no DS for the zone in ns2.nic.test.'s copy of test.
	apexNS        []string // the child's own apex NS set; nil means parentNS
	hosts         []host   // the child's in-zone A records
	soaTTL        uint32   // the child's SOA TTL; 0 means 3600
	servers       []nsAddr
	sign          *signing  // how the zone is signed; nil: unsigned
	ds            []dsSpec  // the DS records test. holds for the zone
	keys          []keySpec // the keys the zone and its DS need
	// parent, when set, is the demo zone that delegates this one (and
	// holds its NS, glue and DS) in place of test.
	parent string
	extra  []string // more records of the zone, master-file syntax
}

// blockAddr is 127.53.<block>.<n>, the address of nsN in a demo block.
func blockAddr(block, n int) string { return fmt.Sprintf("127.53.%d.%d", block, n) }

// standard is a zone <label>.test. with ns1 and ns2 in its own block, both
// with glue and both serving the zone correctly.
func standard(label string, block int, description string) *demo {
	name := label + ".test."
	d := &demo{Zone: Zone{Name: name, Description: description, DNSSEC: verdictInsecure}}
	for n := 1; n <= 2; n++ {
		h := host{fmt.Sprintf("ns%d.%s", n, name), blockAddr(block, n)}
		d.parentNS = append(d.parentNS, h.name)
		d.glue = append(d.glue, h)
		d.hosts = append(d.hosts, h)
		d.servers = append(d.servers, nsAddr{name: h.name, addr: h.addr})
	}
	return d
}

// lame makes servers[i] misbehave as b and records the address as lame.
func (d *demo) lame(i int, b behaviour) *demo {
	d.servers[i].behaviour = b
	d.Lame = append(d.Lame, d.servers[i].addr)
	return d
}

// expect records the check IDs the probe should raise.
func (d *demo) expect(checks ...string) *demo {
	d.Checks = append(d.Checks, checks...)
	return d
}

// key declares a key of the zone, returning its ID.
func (d *demo) key(role string, alg uint8, ksk bool) string {
	id := keyID(d.Name, role)
	d.keys = append(d.keys, keySpec{id: id, zone: d.Name, alg: alg, ksk: ksk})
	return id
}

// revokedKey declares a KSK of the zone with the REVOKE bit set (flags
// 385), returning its ID.
func (d *demo) revokedKey(role string, alg uint8) string {
	id := keyID(d.Name, role)
	d.keys = append(d.keys, keySpec{id: id, zone: d.Name, alg: alg, ksk: true, revoked: true})
	return id
}

// signed signs the zone with a KSK and a ZSK of algorithm alg, NSEC, the
// default validity window, and has test. publish a SHA-256 DS for the KSK.
// The verdict becomes secure until a fault says otherwise.
func (d *demo) signed(alg uint8) *demo {
	ksk, zsk := d.key("ksk", alg, true), d.key("zsk", alg, false)
	d.sign = &signing{dnskey: []string{ksk, zsk}, ksk: []string{ksk}, zsk: []string{zsk}, window: defaultWindow}
	d.ds = []dsSpec{{key: ksk, digest: dns.SHA256}}
	d.DNSSEC = verdictSecure
	return d
}

// verdict sets the DNSSEC verdict a validating resolver reaches.
func (d *demo) verdict(v string) *demo {
	d.DNSSEC = v
	return d
}

// signedDemo is a standard zone in block, signed with algorithm 13.
func signedDemo(label string, block int, description string) *demo {
	return standard(label, block, description).signed(dns.ECDSAP256SHA256)
}

// day is a signature window unit.
const day = 24 * time.Hour

// dnssecDemos returns the signed demo zones, blocks 30 and up.
func dnssecDemos() []*demo {
	healthy := signedDemo("sec-healthy", 30, "Signed with ECDSA P-256 (algorithm 13) and NSEC; the chain of trust from the root validates.")

	nsec3 := signedDemo("sec-nsec3", 31, "Signed with NSEC3, no extra iterations and no salt (RFC 9276): validates.")
	nsec3.sign.nsec3 = &nsec3Params{}

	ed25519 := standard("sec-ed25519", 32, "Signed with Ed25519 (algorithm 15): validates.").signed(dns.ED25519)
	rsa := standard("sec-rsa", 33, "Signed with RSA/SHA-256 2048-bit keys (algorithm 8): validates.").signed(dns.RSASHA256)

	// Two days either way: Unbound forgives clock skew of up to a tenth
	// of a signature's lifetime, at most 24 hours (val-sig-skew-max), so
	// one day would still validate there.
	expired := signedDemo("sec-expired", 34, "Every signature expired two days ago: validating resolvers SERVFAIL.").
		verdict(verdictBogus).expect(checkRRSIGExpired)
	expired.sign.window = window{inception: -16 * day, expiration: -2 * day}

	future := signedDemo("sec-future", 35, "Every signature becomes valid only in two days (inception in the future): bogus.").
		verdict(verdictBogus).expect(checkRRSIGNotYetValid)
	future.sign.window = window{inception: 2 * day, expiration: 16 * day}

	badSig := signedDemo("sec-badsig", 36, "The SOA signature is corrupted (one byte flipped) and does not verify: bogus.").
		verdict(verdictBogus).expect(checkRRSIGInvalid)
	badSig.sign.corruptSOASig = true

	wrongDigest := signedDemo("sec-ds-wrong-digest", 37, "The DS at test. has the KSK's key tag and algorithm but a wrong digest: bogus.").
		verdict(verdictBogus).expect(checkDSNoMatchingKey)
	wrongDigest.ds[0].corrupt = true

	unpublished := signedDemo("sec-ds-unpublished", 38, "The DS at test. is for a key the zone does not publish: bogus.").
		verdict(verdictBogus).expect(checkDSNoMatchingKey)
	unpublished.ds = []dsSpec{{key: unpublished.key("other-ksk", dns.ECDSAP256SHA256, true), digest: dns.SHA256}}

	unsignedChild := standard("sec-unsigned-child", 39, "test. publishes a DS, but the zone is not signed at all: bogus.").
		verdict(verdictBogus).expect(checkDSUnsignedChild)
	unsignedChild.ds = []dsSpec{{key: unsignedChild.key("ksk", dns.ECDSAP256SHA256, true), digest: dns.SHA256}}

	// A KSK rollover: the zone has replaced its KSK; test. has both DS
	// records (old one left behind) or only the old one (never updated).
	rolled := func(label string, block int, description string, oldDS bool) *demo {
		d := standard(label, block, description)
		old := d.key("ksk-old", dns.ECDSAP256SHA256, true)
		ksk, zsk := d.key("ksk-new", dns.ECDSAP256SHA256, true), d.key("zsk", dns.ECDSAP256SHA256, false)
		d.sign = &signing{dnskey: []string{ksk, zsk}, ksk: []string{ksk}, zsk: []string{zsk}, window: defaultWindow}
		d.ds = []dsSpec{{key: old, digest: dns.SHA256}}
		if oldDS {
			d.ds = append(d.ds, dsSpec{key: ksk, digest: dns.SHA256})
		}
		return d
	}
	staleDS := rolled("sec-rollover-stale-ds", 40, "After a KSK rollover test. still lists the old KSK's DS beside the new one: validates, with a leftover DS.", true).
		verdict(verdictSecure).expect(checkDSUnmatched)
	brokenRoll := rolled("sec-rollover-broken", 41, "The zone rolled to a new KSK but test. has only the old KSK's DS: bogus.", false).
		verdict(verdictBogus).expect(checkDSNoMatchingKey)

	// The ZSK was not pre-published: ns1 serves the new DNSKEY RRset, ns2
	// still the old one, and both sign with the new ZSK.
	staleKey := signedDemo("sec-stale-dnskey", 42, "ns2 serves the old DNSKEY set without the new ZSK that signs its data: bogus from ns2, fine from ns1.").
		verdict(verdictBogus).expect(checkDNSKEYInconsistent, checkSigningKeyMissing, checkDNSSECIntermittent)
	oldZSK := staleKey.key("zsk-old", dns.ECDSAP256SHA256, false)
	stale := *staleKey.sign
	stale.dnskey = []string{staleKey.sign.ksk[0], oldZSK}
	staleKey.servers[1].sign = &stale

	// Validators downgrade only what NSEC3 proves: positive answers keep
	// AD=1 (Unbound's val_nsec3.c; e2e/dnssec.sh checks Unbound 1.17).
	iter := signedDemo("sec-nsec3-iter", 43, "NSEC3 with 200 iterations and an 8-byte salt: above validators' limits, so its denials are insecure; positive answers still validate.").
		expect(checkNSEC3Iterations, checkNSEC3IterationsMax, checkNSEC3Salt)
	iter.sign.nsec3 = &nsec3Params{iterations: 200, salt: "A1B2C3D4E5F60718"}

	// A KSK rollover in flight: the new KSK is published and signs the
	// DNSKEY RRset, and CDS/CDNSKEY ask for it, but the DS is the old one.
	cdsMismatch := signedDemo("sec-cds-mismatch", 44, "CDS and CDNSKEY ask for a new KSK that the DS at test. does not have yet: a rollover in flight.").
		expect(checkCDSMismatchDS)
	newKSK := cdsMismatch.key("ksk-new", dns.ECDSAP256SHA256, true)
	cdsMismatch.sign.dnskey = append(cdsMismatch.sign.dnskey, newKSK)
	cdsMismatch.sign.ksk = append(cdsMismatch.sign.ksk, newKSK)
	cdsMismatch.sign.cds = []string{newKSK}

	algDS := signedDemo("sec-alg-ds-only", 45, "test. has a DS for an Ed25519 key the zone does not have, beside the one for its ECDSA KSK: validates.").
		expect(checkDSUnmatched, checkAlgorithmNotSigning)
	algDS.ds = append(algDS.ds, dsSpec{key: algDS.key("ksk-ed25519", dns.ED25519, true), digest: dns.SHA256})

	badDenial := signedDemo("sec-bad-denial", 46, "NXDOMAIN answers carry a signed NSEC that does not cover the name: bogus.").
		verdict(verdictBogus).expect(checkDenialInvalid)
	badDenial.sign.badDenial = true

	missingSig := signedDemo("sec-missing-rrsig", 47, "The SOA RRset is served without any RRSIG: bogus.").
		verdict(verdictBogus).expect(checkRRSIGMissing)
	missingSig.sign.omitSOASig = true

	sha1 := signedDemo("sec-sha1-only", 48, "The only DS at test. uses digest type 1 (SHA-1): validates, but SHA-1 is on its way out.").
		expect(checkDSDigestSHA1Only)
	sha1.ds[0].digest = dns.SHA1

	cdsDelete := signedDemo("sec-cds-delete", 49, "The zone publishes the CDS/CDNSKEY delete form: it asks test. to remove its DS.").
		expect(checkCDSDelete)
	cdsDelete.sign.cdsDelete = true

	cdsZSK := signedDemo("sec-cds-zsk-signed", 50, "CDS and CDNSKEY match the DS but are signed by the ZSK only, not by the KSK the DS trusts, so the parent must ignore them.").
		expect(checkCDSNotSignedByDSKey)
	cdsZSK.sign.cds = []string{cdsZSK.sign.ksk[0]}
	cdsZSK.sign.cdsZSKOnly = true

	// The zone's DS was added at the registry and has reached ns1.nic.test
	// only: ns2.nic.test's older copy of test. proves, with a signed NSEC,
	// that there is none. Resolvers that ask ns2 find the zone insecure.
	dsDrift := signedDemo("sec-ds-drift", 51, "ns1.nic.test has the zone's DS, but ns2.nic.test still serves an older test. zone whose NSEC proves there is none.").
		expect(checkDSInconsistent)
	dsDrift.staleNoDS = true

	badSigner := signedDemo("sec-bad-signer", 52, "The SOA's RRSIG gives test., not the zone itself, as its signer's name: validators reject it, bogus.").
		verdict(verdictBogus).expect(checkRRSIGMalformed)
	badSigner.sign.soaSigner = "test."

	// Signatures last the usual 14 days; the SOA's TTL is 30 days.
	// Negative answers carry the SOA with the minimum, 300 s, as TTL.
	longTTL := signedDemo("sec-long-ttl", 53, "The SOA has a TTL of 30 days but its signature expires in 14: caches may keep it past the signature's expiry.").
		expect(checkRRSIGExpiresInTTL)
	longTTL.soaTTL = 30 * 24 * 3600

	unsupported := signedDemo("sec-unsupported", 54, "The only DS at test. has digest type 3 (GOST R 34.11-94), which most validators no longer implement: treated as insecure.").
		verdict(verdictInsecure).expect(checkUnsupportedAlgo)
	unsupported.ds[0].digest = dns.GOST94

	// RFC 5011: the revoked KSK stays published and signs the DNSKEY RRset
	// beside the active one; test. still has DS records for both.
	revoked := signedDemo("sec-revoked-ksk", 55, "test. has DS records for two KSKs, one of them revoked (flags 385): validates through the other, but that DS is useless.").
		expect(checkDSKeyUnusable)
	revokedKSK := revoked.revokedKey("ksk-revoked", dns.ECDSAP256SHA256)
	revoked.sign.dnskey = append(revoked.sign.dnskey, revokedKSK)
	revoked.sign.ksk = append(revoked.sign.ksk, revokedKSK)
	revoked.ds = append(revoked.ds, dsSpec{key: revokedKSK, digest: dns.SHA256})

	// A KSK rollover half pushed out: both servers publish the current KSK
	// and a new one, and both keys sign the DNSKEY RRset, so the DNSKEY
	// RRsets agree. Only CDS/CDNSKEY differ: ns1 asks for the current KSK,
	// which the DS at test. already has, ns2 for the new one, which it
	// does not. Each set is signed by both KSKs and the ZSK.
	cdsDrift := signedDemo("sec-cds-drift", 56, "The servers disagree on CDS/CDNSKEY: ns1's ask for the KSK the DS at test. has, ns2's for a new KSK both publish.").
		expect(checkCDSInconsistent, checkCDSMismatchDS)
	nextKSK := cdsDrift.key("ksk-new", dns.ECDSAP256SHA256, true)
	cdsDrift.sign.dnskey = append(cdsDrift.sign.dnskey, nextKSK)
	cdsDrift.sign.ksk = append(cdsDrift.sign.ksk, nextKSK)
	cdsDrift.sign.cds = []string{cdsDrift.sign.ksk[0]}
	rolling := *cdsDrift.sign
	rolling.cds = []string{nextKSK}
	cdsDrift.servers[1].sign = &rolling

	return []*demo{
		healthy, nsec3, ed25519, rsa, expired, future, badSig, wrongDigest, unpublished, unsignedChild,
		staleDS, brokenRoll, staleKey, iter, cdsMismatch, algDS, badDenial, missingSig, sha1, cdsDelete, cdsZSK,
		dsDrift, badSigner, longTTL, unsupported, revoked, cdsDrift,
	}
}

// demos returns the demo zones in landing-page order.
func demos() []*demo {
	hosted := &demo{
		Zone: Zone{
			Name:        "hosted.test.",
			Description: "Hosted on out-of-bailiwick nameservers (ns1/ns2.dns-host.example), so the delegation needs no glue.",
			DNSSEC:      verdictInsecure,
		},
		parentNS: []string{"ns1.dns-host.example.", "ns2.dns-host.example."},
		servers: []nsAddr{
			{name: "ns1.dns-host.example.", addr: "127.53.2.1"},
			{name: "ns2.dns-host.example.", addr: "127.53.2.2"},
		},
	}

	serialDrift := standard("serial-drift", 21, "ns2 still serves serial 2026112601 while ns1 serves 2026112701.").
		expect(checkSOASerialMismatch)
	serialDrift.servers[1].serial = oldSerial

	nsMismatch := standard("ns-mismatch", 22, "The zone's own apex NS set adds ns3, which the parent's delegation does not list.").
		expect(checkNSParentChildDiffer)
	ns3 := host{"ns3.ns-mismatch.test.", blockAddr(22, 3)}
	nsMismatch.apexNS = []string{nsMismatch.parentNS[0], nsMismatch.parentNS[1], ns3.name}
	nsMismatch.hosts = append(nsMismatch.hosts, ns3)
	nsMismatch.servers = append(nsMismatch.servers, nsAddr{name: ns3.name, addr: ns3.addr})

	glueMismatch := standard("glue-mismatch", 23, "The parent's glue for ns2 says 127.53.23.2, the zone itself says 127.53.23.3; both addresses serve the zone.").
		expect(checkGlueMismatch)
	glueMismatch.hosts[1].addr = blockAddr(23, 3)
	glueMismatch.servers = append(glueMismatch.servers, nsAddr{name: "ns2.glue-mismatch.test.", addr: blockAddr(23, 3)})

	nsUnresolvable := standard("ns-unresolvable", 24, "The second nameserver, ns.does-not-exist.example, does not exist (NXDOMAIN).").
		expect(checkNSUnresolvable)
	nsUnresolvable.parentNS[1] = "ns.does-not-exist.example."
	nsUnresolvable.glue = nsUnresolvable.glue[:1]
	nsUnresolvable.hosts = nsUnresolvable.hosts[:1]
	nsUnresolvable.servers = nsUnresolvable.servers[:1]

	truncated := standard("truncated", 25, "ns1 truncates every UDP answer, but answers over TCP, so the zone is healthy.")
	truncated.servers[0].behaviour = truncateUDP

	parentDrift := standard("parent-drift", 26, "The test. servers disagree: ns2.nic.test serves an older test. zone whose delegation lists only ns1.").
		expect(checkParentNSInconsistent)
	parentDrift.staleParentNS = parentDrift.parentNS[:1]

	oldEDNS := standard("old-edns", 27, "ns2 answers FORMERR to every EDNS query and works only without EDNS.").
		expect(checkEDNSUnsupported)
	oldEDNS.servers[1].behaviour = noEDNS

	nsRefused := standard("ns-refused", 28, "ns2 serves the SOA but answers REFUSED when asked for the zone's NS set.").
		expect(checkApexNSUnavailable)
	nsRefused.servers[1].behaviour = refuseNS

	return append([]*demo{
		standard("healthy", 10, "Two nameservers, both authoritative and in agreement: every check passes."),
		hosted,
		standard("lame-refused", 11, "ns2 answers REFUSED: it does not serve the zone.").
			lame(1, refuse).expect(checkLameRefused),
		standard("lame-timeout", 12, "ns2 never answers, over UDP or TCP: queries time out.").
			lame(1, drop).expect(checkLameTimeout),
		standard("lame-noaa", 13, "ns2 answers without the AA bit: it is not authoritative.").
			lame(1, noAA).expect(checkLameNotAuthoritative),
		standard("lame-servfail", 14, "ns2 answers SERVFAIL.").
			lame(1, servfail).expect(checkLameServfail),
		standard("lame-upward", 15, "ns2 answers with an upward referral to the root servers.").
			lame(1, upward).expect(checkLameUpwardReferral),
		standard("lame-referral", 16, "ns2 answers with a referral to the zone itself, as if it were the parent.").
			lame(1, selfReferral).expect(checkLameReferral),
		standard("lame-wrongzone", 17, "ns2 answers authoritatively for test. instead: NXDOMAIN with the test. SOA.").
			lame(1, wrongZone).expect(checkLameWrongZone),
		standard("lame-network", 18, "Nothing listens on ns2's address: connection refused.").
			lame(1, unbound).expect(checkLameNetworkError),
		standard("lame-malformed", 19, "ns2 replies with a question section that does not match the query.").
			lame(1, malformed).expect(checkLameMalformed),
		standard("all-lame", 20, "Both nameservers answer REFUSED: resolvers would SERVFAIL the zone.").
			lame(0, refuse).lame(1, refuse).expect(checkLameRefused, checkNoReachableAuthority),
		serialDrift,
		nsMismatch,
		glueMismatch,
		nsUnresolvable,
		truncated,
		parentDrift,
		oldEDNS,
		nsRefused,
	}, append(dnssecDemos(), shapeDemos()...)...)
}

// zoneCopy is one copy of a zone and the addresses that serve it.
type zoneCopy struct {
	file  zoneFile
	addrs []string
}

// hierarchy is the whole lab: every copy of every zone, every address with
// its behaviour, and the demo table.
type hierarchy struct {
	demos  []*demo
	copies []zoneCopy
	// addrs lists every lab address in a fixed order, with its behaviour and
	// a name for logs.
	addrs []nsAddr
	roots []host
	// keys lists every DNSSEC key the zones and DS records use.
	keys []keySpec
}

// signInfra declares a KSK and a ZSK (algorithm 13) for an infrastructure
// zone and returns how it is signed and the DS its parent publishes.
func (h *hierarchy) signInfra(zone string) (*signing, []dsSpec) {
	ksk, zsk := keyID(zone, "ksk"), keyID(zone, "zsk")
	h.keys = append(h.keys,
		keySpec{id: ksk, zone: zone, alg: dns.ECDSAP256SHA256, ksk: true},
		keySpec{id: zsk, zone: zone, alg: dns.ECDSAP256SHA256})
	return &signing{dnskey: []string{ksk, zsk}, ksk: []string{ksk}, zsk: []string{zsk}, window: defaultWindow},
		[]dsSpec{{key: ksk, digest: dns.SHA256}}
}

// buildHierarchy assembles the lab's zones and servers.
func buildHierarchy() *hierarchy {
	h := &hierarchy{demos: demos()}
	h.roots = []host{{rootA, "127.53.0.1"}, {rootB, "127.53.0.2"}}
	nicTest := []host{{"ns1.nic.test.", "127.53.1.1"}, {"ns2.nic.test.", "127.53.1.2"}}
	nicExample := []host{{"ns1.nic.example.", "127.53.1.11"}, {"ns2.nic.example.", "127.53.1.12"}}
	dnsHost := []host{{"ns1.dns-host.example.", "127.53.2.1"}, {"ns2.dns-host.example.", "127.53.2.2"}}

	addServers := func(hosts []host) {
		for _, s := range hosts {
			h.addr(nsAddr{name: s.name, addr: s.addr})
		}
	}
	addServers(h.roots)
	addServers(nicTest)
	addServers(nicExample)
	addServers(dnsHost)

	// The root, test. and example. are signed; dns-host.example. is not.
	rootSign, _ := h.signInfra(".")
	testSign, testDS := h.signInfra("test.")
	exampleSign, exampleDS := h.signInfra("example.")
	for _, d := range h.demos {
		h.keys = append(h.keys, d.keys...)
	}

	// The root zone delegates test. and example.; the root servers' own
	// addresses live in test. and are glue here.
	h.add(zoneFile{
		origin: ".",
		serial: serial,
		ns:     names(h.roots),
		noWWW:  true,
		sign:   rootSign,
		delegations: []delegation{
			{name: "test.", ns: names(nicTest), glue: append(append([]host{}, nicTest...), h.roots...), ds: testDS},
			{name: "example.", ns: names(nicExample), glue: nicExample, ds: exampleDS},
		},
	}, addrsOf(h.roots)...)

	// test. delegates every demo zone. ns2.nic.test. serves an older copy
	// in which parent-drift.test. lists fewer nameservers and
	// sec-ds-drift.test. has no DS yet.
	testZone := func(stale bool) zoneFile {
		f := zoneFile{origin: "test.", serial: serial, ns: names(nicTest), hosts: append(append([]host{}, nicTest...), h.roots...), sign: testSign}
		for _, d := range h.demos {
			if d.parent != "" {
				continue
			}
			ns := d.parentNS
			if stale && d.staleParentNS != nil {
				ns = d.staleParentNS
			}
			var glue []host
			for _, g := range d.glue {
				if slices.Contains(ns, g.name) {
					glue = append(glue, g)
				}
			}
			ds := d.ds
			if stale && d.staleNoDS {
				ds = nil
			}
			f.delegations = append(f.delegations, delegation{name: d.Name, ns: ns, glue: glue, ds: ds})
		}
		return f
	}
	h.add(testZone(false), nicTest[0].addr)
	h.add(testZone(true), nicTest[1].addr)

	h.add(zoneFile{
		origin:      "example.",
		serial:      serial,
		ns:          names(nicExample),
		hosts:       nicExample,
		delegations: []delegation{{name: "dns-host.example.", ns: names(dnsHost), glue: dnsHost}},
		sign:        exampleSign,
	}, addrsOf(nicExample)...)
	h.add(zoneFile{origin: "dns-host.example.", serial: serial, ns: names(dnsHost), hosts: dnsHost,
		extra: []string{"ns-alias IN CNAME ns2"}}, addrsOf(dnsHost)...)

	for _, d := range h.demos {
		apex := d.apexNS
		if apex == nil {
			apex = d.parentNS
		}
		// One copy per serial and signing, served by the addresses that
		// carry it.
		type variant struct {
			serial uint32
			sign   *signing
		}
		byVariant := map[variant][]string{}
		var variants []variant
		for _, s := range d.servers {
			h.addr(s)
			v := variant{s.serial, s.sign}
			if v.serial == 0 {
				v.serial = serial
			}
			if v.sign == nil {
				v.sign = d.sign
			}
			if s.behaviour == unbound {
				continue
			}
			if _, ok := byVariant[v]; !ok {
				variants = append(variants, v)
			}
			byVariant[v] = append(byVariant[v], s.addr)
		}
		for _, v := range variants {
			h.add(zoneFile{origin: d.Name, serial: v.serial, ns: apex, hosts: d.hosts, soaTTL: d.soaTTL, sign: v.sign,
				extra: d.extra, delegations: h.childDelegations(d.Name)}, byVariant[v]...)
		}
	}
	return h
}

// childDelegations are the delegations the demo zone parent holds for the
// demos nested under it.
func (h *hierarchy) childDelegations(parent string) []delegation {
	var out []delegation
	for _, c := range h.demos {
		if c.parent == parent {
			out = append(out, delegation{name: c.Name, ns: c.parentNS, glue: c.glue, ds: c.ds})
		}
	}
	return out
}

// addr registers a lab address once; the first registration wins.
func (h *hierarchy) addr(a nsAddr) {
	for _, x := range h.addrs {
		if x.addr == a.addr {
			return
		}
	}
	h.addrs = append(h.addrs, a)
}

func (h *hierarchy) add(f zoneFile, addrs ...string) {
	h.copies = append(h.copies, zoneCopy{file: f, addrs: addrs})
}

// rootHints renders named.root-format hints for the lab's root servers.
func (h *hierarchy) rootHints() string {
	var b strings.Builder
	b.WriteString("; Root hints for the dnshealth_exporter lab hierarchy.\n")
	for _, r := range h.roots {
		fmt.Fprintf(&b, "%-24s 3600000    NS  %s\n", ".", r.name)
		fmt.Fprintf(&b, "%-24s 3600000    A   %s\n", r.name, r.addr)
	}
	return b.String()
}

func names(hosts []host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.name
	}
	return out
}

func addrsOf(hosts []host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.addr
	}
	return out
}
