package lab

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// The hostile-zone set: a second, separate hierarchy of in-process servers
// on real sockets in 127.62.0.0/16, with its own root and trust anchor,
// whose zones are built to make a validating prober work: the shapes of
// KeyTrap (CVE-2023-50387), of the NSEC3 closest-encloser attack
// (CVE-2023-50868), answers near the 64 KiB limit of DNS over TCP, very
// large DNSKEY sets, and CNAME and referral chains deeper than the probe's
// walk follows. Every zone is correctly signed unless its description says
// otherwise: what makes it hostile is its size and shape, not a fault a
// validator could reject at once. StartHostile serves it; Zones lists each
// zone with what a probe must report.

// Names of the hostile zones, fully qualified.
const (
	HostileTLD = "hostile."
	// HostileKeyTrap's DNSKEY RRset holds KeyTrapKeys keys sharing the
	// ZSK's key tag and algorithm ahead of the real keys, and every RRset
	// it serves carries KeyTrapSigs junk RRSIGs per real one, in front.
	HostileKeyTrap = "keytrap.hostile."
	// HostileNSEC3 is signed with NSEC3 at 65535 iterations, each NSEC3
	// record with a salt of its own.
	HostileNSEC3 = "nsec3-iterations.hostile."
	// HostileBigDNSKEY's DNSKEY answer is close to 65535 bytes: UDP
	// answers are truncated and TCP carries it.
	HostileBigDNSKEY = "big-dnskey.hostile."
	// HostileManyKeys's DNSKEY RRset holds ManyKeys keys.
	HostileManyKeys = "many-keys.hostile."
	// HostileCNAMEChain has a nameserver whose name is the head of a
	// chain of CNAMEChainLength aliases.
	HostileCNAMEChain = "cname-chain.hostile."
)

// Sizes of the hostile shapes.
const (
	KeyTrapKeys      = 100
	KeyTrapSigs      = 100
	NSEC3Iterations  = 65535
	ManyKeys         = 500
	CNAMEChainLength = 20
	// ReferralChainDepth is how many zones the referral chain nests below
	// hostile.: d1.hostile., d2.d1.hostile., ..., each on its own address.
	ReferralChainDepth = 40
	// bigDNSKEYJunk is how many 4096-bit-sized RSA keys big-dnskey.hostile.
	// publishes besides its own KSK and ZSK.
	bigDNSKEYJunk = 119
)

// ReferralChainZone returns the zone depth levels down the referral
// chain: d1.hostile. for 1, d2.d1.hostile. for 2, and so on.
func ReferralChainZone(depth int) string {
	name := HostileTLD
	for i := 1; i <= depth; i++ {
		name = fmt.Sprintf("d%d.%s", i, name)
	}
	return name
}

// hostileAddr is 127.62.<block>.<n>.
func hostileAddr(block, n int) string { return fmt.Sprintf("127.62.%d.%d", block, n) }

// hostileCopy is one zone of the hostile set with the addresses serving
// it, records added before signing (built from the keys), and changes
// made after signing.
type hostileCopy struct {
	file  zoneFile
	addrs []string
	extra func(keys keyring) ([]dns.RR, error)
	tweak func(z *zone, keys keyring, now time.Time) error
}

// zone parses, completes and signs the copy.
func (c hostileCopy) zone(keys keyring, now time.Time) (*zone, error) {
	z, err := parseZone(c.file.origin, c.file.render())
	if err != nil {
		return nil, err
	}
	var rrs []dns.RR
	if c.extra != nil {
		if rrs, err = c.extra(keys); err != nil {
			return nil, fmt.Errorf("zone %s: %w", c.file.origin, err)
		}
	}
	own, err := c.file.dnssecRecords(keys)
	if err != nil {
		return nil, err
	}
	for _, rr := range append(rrs, own...) {
		if err := z.insert(rr); err != nil {
			return nil, err
		}
	}
	if c.file.sign != nil {
		if err := z.sign(c.file.sign, keys, now); err != nil {
			return nil, err
		}
	}
	if c.tweak != nil {
		if err := c.tweak(z, keys, now); err != nil {
			return nil, fmt.Errorf("zone %s: %w", c.file.origin, err)
		}
	}
	return z, nil
}

// hostileSet is the hostile hierarchy before it is started.
type hostileSet struct {
	h      hierarchy // roots, addrs and keys
	copies []*hostileCopy
	zones  []Zone
}

// signedZone declares a KSK and a ZSK of alg for zone and returns its
// signing and the DS its parent publishes.
func (s *hostileSet) signedZone(zone string, alg uint8) (*signing, []dsSpec) {
	ksk, zsk := keyID(zone, "ksk"), keyID(zone, "zsk")
	s.h.keys = append(s.h.keys, keySpec{id: ksk, zone: zone, alg: alg, ksk: true}, keySpec{id: zsk, zone: zone, alg: alg})
	return &signing{dnskey: []string{ksk, zsk}, ksk: []string{ksk}, zsk: []string{zsk}, window: defaultWindow},
		[]dsSpec{{key: ksk, digest: dns.SHA256}}
}

// buildHostile assembles the hostile set.
func buildHostile() *hostileSet {
	s := &hostileSet{}
	s.h.roots = []host{{"a.root-servers.hostile.", hostileAddr(0, 1)}}
	nic := []host{{"ns1.nic.hostile.", hostileAddr(1, 1)}}
	for _, a := range append(append([]host{}, s.h.roots...), nic...) {
		s.h.addr(nsAddr{name: a.name, addr: a.addr})
	}
	rootSign, _ := s.h.signInfra(".")
	tldSign, tldDS := s.h.signInfra(HostileTLD)
	s.copies = append(s.copies, &hostileCopy{file: zoneFile{origin: ".", serial: serial, ns: names(s.h.roots), noWWW: true, sign: rootSign,
		delegations: []delegation{{name: HostileTLD, ns: names(nic), glue: append(append([]host{}, nic...), s.h.roots...), ds: tldDS}}},
		addrs: addrsOf(s.h.roots)})

	tld := zoneFile{origin: HostileTLD, serial: serial, ns: names(nic), hosts: append(append([]host{}, nic...), s.h.roots...), sign: tldSign}
	var tldExtra []dns.RR

	// shape adds a zone <label>.hostile. served by ns1 and ns2 at
	// 127.62.<block>.1 and .2, delegated with glue, signed with alg.
	shape := func(name string, block int, alg uint8, z Zone) *hostileCopy {
		var servers []host
		for n := 1; n <= 2; n++ {
			servers = append(servers, host{fmt.Sprintf("ns%d.%s", n, name), hostileAddr(block, n)})
		}
		for _, a := range servers {
			s.h.addr(nsAddr{name: a.name, addr: a.addr})
		}
		sign, ds := s.signedZone(name, alg)
		tld.delegations = append(tld.delegations, delegation{name: name, ns: names(servers), glue: servers, ds: ds})
		z.Name = name
		s.zones = append(s.zones, z)
		c := &hostileCopy{file: zoneFile{origin: name, serial: serial, ns: names(servers), hosts: servers, sign: sign}, addrs: addrsOf(servers)}
		s.copies = append(s.copies, c)
		return c
	}

	keytrap := shape(HostileKeyTrap, 10, dns.ED25519, Zone{
		Description: fmt.Sprintf("KeyTrap (CVE-2023-50387): %d keys share the ZSK's key tag, and every RRset carries %d junk RRSIGs with that tag in front of each real one. Validators give up (Unbound SERVFAILs); the probe stops within its bounds: indeterminate.", KeyTrapKeys, KeyTrapSigs),
		Checks:      []string{checkTagCollision, checkValidationBudget},
		DNSSEC:      verdictIndeterminate,
	})
	keytrap.extra = func(keys keyring) ([]dns.RR, error) {
		zsk := keys[keyID(HostileKeyTrap, "zsk")].dnskey
		var out []dns.RR
		k := zsk
		for range KeyTrapKeys {
			c, err := collidingKey(k)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			k = c
		}
		return out, nil
	}
	keytrap.tweak = func(z *zone, _ keyring, _ time.Time) error {
		rng := rand.New(rand.NewPCG(1, 2))
		for key, sigs := range z.sec.sigs {
			var junk []dns.RR
			for _, rr := range sigs {
				for range KeyTrapSigs {
					j := dns.Copy(rr).(*dns.RRSIG)
					j.Signature = randomBase64(rng, 64)
					junk = append(junk, j)
				}
			}
			z.sec.sigs[key] = append(junk, sigs...)
		}
		return nil
	}

	nsec3 := shape(HostileNSEC3, 11, dns.ED25519, Zone{
		Description: fmt.Sprintf("NSEC3 (CVE-2023-50868 shape): %d iterations, and each NSEC3 record with a salt of its own, all signed. Validators treat such proofs as insecure without hashing (RFC 9276 section 3.2); so does the probe.", NSEC3Iterations),
		Checks:      []string{checkNSEC3Iterations, checkNSEC3IterationsMax, checkNSEC3Salt},
		// Positive answers validate; only the denials are insecure.
		DNSSEC: verdictSecure,
	})
	// The chain is built (and answers are chosen) with no iterations and
	// no salt, which costs the server nothing; the records it serves then
	// say 65535 iterations with a salt each, and are signed as served.
	nsec3.file.sign.nsec3 = &nsec3Params{}
	for i := range 12 {
		nsec3.file.hosts = append(nsec3.file.hosts, host{fmt.Sprintf("h%d.%s", i, HostileNSEC3), "127.0.0.1"})
	}
	nsec3.tweak = func(z *zone, keys keyring, now time.Time) error {
		zsk := keys[keyID(HostileNSEC3, "zsk")]
		for i, rec := range z.sec.nsec3 {
			rec.Iterations = NSEC3Iterations
			rec.Salt = fmt.Sprintf("%016X", uint64(i+1)*0x9E3779B97F4A7C15)
			rec.SaltLength = 8
			if err := resign(z, zsk, []dns.RR{rec}, now); err != nil {
				return err
			}
		}
		param := z.nodes[z.origin].rrsets[dns.TypeNSEC3PARAM][0].(*dns.NSEC3PARAM)
		param.Iterations, param.Salt, param.SaltLength = NSEC3Iterations, "0123456789ABCDEF", 8
		return resign(z, zsk, []dns.RR{param}, now)
	}

	big := shape(HostileBigDNSKEY, 12, dns.RSASHA256, Zone{
		Description: fmt.Sprintf("A DNSKEY answer near 64 KiB: the KSK and ZSK and %d more 4096-bit RSA keys. UDP answers are truncated; over TCP it validates: secure.", bigDNSKEYJunk),
		DNSSEC:      verdictSecure,
	})
	big.extra = func(keyring) ([]dns.RR, error) {
		rng := rand.New(rand.NewPCG(3, 4))
		var out []dns.RR
		for range bigDNSKEYJunk {
			// RFC 3110 public key: exponent length 3, exponent 65537, a
			// 4096-bit modulus.
			pub := append([]byte{3, 1, 0, 1}, randomBytes(rng, 512)...)
			pub[4] |= 0x80
			out = append(out, junkKey(HostileBigDNSKEY, dns.RSASHA256, pub))
		}
		return out, nil
	}

	many := shape(HostileManyKeys, 13, dns.ED25519, Zone{
		Description: fmt.Sprintf("A DNSKEY RRset of %d keys besides the KSK and ZSK, correctly signed: secure.", ManyKeys),
		DNSSEC:      verdictSecure,
	})
	many.extra = func(keys keyring) ([]dns.RR, error) {
		taken := map[uint16]bool{
			keys[keyID(HostileManyKeys, "ksk")].dnskey.KeyTag(): true,
			keys[keyID(HostileManyKeys, "zsk")].dnskey.KeyTag(): true,
		}
		rng := rand.New(rand.NewPCG(5, 6))
		var out []dns.RR
		for len(out) < ManyKeys {
			k := junkKey(HostileManyKeys, dns.ED25519, randomBytes(rng, 32))
			if taken[k.KeyTag()] {
				continue
			}
			taken[k.KeyTag()] = true
			out = append(out, k)
		}
		return out, nil
	}

	// cname-chain.hostile.: ns1 is an ordinary in-zone server; the other
	// nameserver, ns.alias.hostile., is the head of a chain of CNAMEs in
	// hostile. whose end is the address of the zone's second server.
	chain := shape(HostileCNAMEChain, 14, dns.ED25519, Zone{
		Description: fmt.Sprintf("A nameserver name at the head of a chain of %d CNAMEs (served %d to an answer): the walk follows at most 8 and reports the name unresolvable.", CNAMEChainLength, maxCNAMEChain),
		Checks:      []string{checkNSTargetCNAME, checkNSUnresolvable},
		DNSSEC:      verdictSecure,
	})
	head := "ns.alias." + HostileTLD
	chain.file.ns = []string{chain.file.ns[0], head}
	tld.delegations[len(tld.delegations)-1].ns = chain.file.ns
	tld.delegations[len(tld.delegations)-1].glue = chain.file.hosts[:1]
	prev := head
	for i := 1; i <= CNAMEChainLength; i++ {
		next := fmt.Sprintf("a%d.alias.%s", i, HostileTLD)
		tldExtra = append(tldExtra, &dns.CNAME{Hdr: dns.RR_Header{Name: prev, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 3600}, Target: next})
		prev = next
	}
	tld.hosts = append(tld.hosts, host{prev, hostileAddr(14, 2)})

	// The referral chain: d1.hostile. down to d40.d39...d1.hostile., each
	// zone unsigned and served by its own address, delegating the next.
	for depth := 1; depth <= ReferralChainDepth; depth++ {
		name := ReferralChainZone(depth)
		ns := host{"ns." + name, hostileAddr(20, depth)}
		s.h.addr(nsAddr{name: ns.name, addr: ns.addr})
		f := zoneFile{origin: name, serial: serial, ns: []string{ns.name}, hosts: []host{ns}}
		if depth < ReferralChainDepth {
			child := ReferralChainZone(depth + 1)
			childNS := host{"ns." + child, hostileAddr(20, depth+1)}
			f.delegations = []delegation{{name: child, ns: []string{childNS.name}, glue: []host{childNS}}}
		}
		if depth == 1 {
			tld.delegations = append(tld.delegations, delegation{name: name, ns: []string{ns.name}, glue: []host{ns}})
		}
		s.copies = append(s.copies, &hostileCopy{file: f, addrs: []string{ns.addr}})
	}
	s.zones = append(s.zones,
		Zone{Name: ReferralChainZone(12), DNSSEC: verdictInsecure,
			Description: "12 zone cuts below hostile., each on its own server, unsigned: deep but within the walk's bound of 30 referrals."},
		Zone{Name: ReferralChainZone(ReferralChainDepth), Checks: []string{checkReferralLoop},
			Description: fmt.Sprintf("%d zone cuts below hostile.: the walk stops after 30 referrals (referral_loop).", ReferralChainDepth)})

	s.copies = append(s.copies, &hostileCopy{file: tld, addrs: addrsOf(nic),
		extra: func(keyring) ([]dns.RR, error) { return tldExtra, nil }})
	return s
}

// Check IDs and verdicts of the hostile set that the demo zones do not use.
const (
	checkValidationBudget = "validation_budget_exhausted"
	checkTagCollision     = "dnskey_tag_collision"
	checkReferralLoop     = "referral_loop"
	verdictIndeterminate  = "indeterminate"
)

// resign replaces the zone's RRSIGs over rrset with one by k, made at now
// over the default window.
func resign(z *zone, k *signKey, rrset []dns.RR, now time.Time) error {
	h := rrset[0].Header()
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Ttl: h.Ttl},
		Algorithm:  k.dnskey.Algorithm,
		Inception:  uint32(now.Add(defaultWindow.inception).Unix()),
		Expiration: uint32(now.Add(defaultWindow.expiration).Unix()),
		KeyTag:     k.dnskey.KeyTag(),
		SignerName: z.origin,
	}
	if err := sig.Sign(k.priv, rrset); err != nil {
		return fmt.Errorf("signing %s %s: %w", h.Name, dns.TypeToString[h.Rrtype], err)
	}
	z.sec.sigs[rrKey{h.Name, h.Rrtype}] = []dns.RR{sig}
	return nil
}

// collidingKey returns a zone key with k's key tag and algorithm and
// another public key: one unit moved between two bytes at even offsets
// keeps the RFC 4034 Appendix B checksum.
func collidingKey(k *dns.DNSKEY) (*dns.DNSKEY, error) {
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return nil, err
	}
	for i := 0; i+2 < len(b); i += 2 {
		if b[i] < 0xff && b[i+2] > 0 {
			b[i]++
			b[i+2]--
			break
		}
	}
	c := dns.Copy(k).(*dns.DNSKEY)
	c.PublicKey = base64.StdEncoding.EncodeToString(b)
	if c.KeyTag() != k.KeyTag() || c.PublicKey == k.PublicKey {
		return nil, fmt.Errorf("no key colliding with tag %d", k.KeyTag())
	}
	return c, nil
}

// junkKey is a zone key (flags 256) of zone with the given public key
// bytes, which nothing signs with.
func junkKey(zone string, alg uint8, pub []byte) *dns.DNSKEY {
	return &dns.DNSKEY{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: flagsZSK, Protocol: 3, Algorithm: alg, PublicKey: base64.StdEncoding.EncodeToString(pub)}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func randomBase64(rng *rand.Rand, n int) string {
	return base64.StdEncoding.EncodeToString(randomBytes(rng, n))
}

// StartHostile builds the hostile-zone set and starts its servers, like
// Start does for the demo hierarchy; Options.Port and Now work the same.
// RootHints and TrustAnchors of the returned Lab lead a probe into it, and
// Zones lists its zones with the checks and verdict a probe must report.
func StartHostile(opts Options) (*Lab, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	s := buildHostile()
	keys, err := generateKeys(s.h.keys)
	if err != nil {
		return nil, err
	}
	handlers := map[string]*server{}
	for _, a := range s.h.addrs {
		handlers[a.addr] = &server{addr: a.addr, name: a.name, behaviour: a.behaviour, logger: logger}
	}
	for _, c := range s.copies {
		z, err := c.zone(keys, now())
		if err != nil {
			return nil, fmt.Errorf("lab: hostile: %w", err)
		}
		for _, addr := range c.addrs {
			h, ok := handlers[addr]
			if !ok {
				return nil, fmt.Errorf("lab: hostile: zone %s served by unknown address %s", z.origin, addr)
			}
			h.zones = append(h.zones, z)
		}
	}
	anchors, err := trustAnchors(keys)
	if err != nil {
		return nil, err
	}
	var socks []socketPair
	var port int
	for attempt := 1; ; attempt++ {
		socks, port, err = bindAll(s.h.addrs, opts.Port)
		if err == nil {
			break
		}
		if opts.Port != 0 || !errors.Is(err, syscall.EADDRINUSE) || attempt == portAttempts {
			return nil, fmt.Errorf("lab: hostile: %w", err)
		}
	}
	l := &Lab{port: port, rootHints: strings.ReplaceAll(s.h.rootHints(), "lab hierarchy", "hostile-zone set"),
		trustAnchors: anchors, zones: s.zones, logger: logger}
	if err := l.serve(socks, handlers); err != nil {
		return nil, err
	}
	logger.Info("hostile lab started", "port", port, "addresses", len(socks), "zones", len(l.zones))
	return l, nil
}
