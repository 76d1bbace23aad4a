package lab

import (
	"fmt"
	"sync/atomic"

	"github.com/miekg/dns"
)

// The rollover zones: signed zones under roll.test. that each go through a
// key rollover, one step at a time, as Lab.SetRolloverStep says. Their
// parent roll.test. holds their DS records, so it has a copy per step too;
// test. delegates roll.test. once. Every step is signed at Start. The
// servers are on 127.71.0.0/16: roll.test. on 127.71.0.1 and .2, the k-th
// rollover zone on 127.71.k.1 and .2.

// rollParent is the parent of the rollover zones.
const rollParent = "roll.test."

// DefaultRolloverStep is the step the lab starts at, and the --demo
// serves: every rollover zone is in the middle of its rollover.
const DefaultRolloverStep = 1

// rollStep is one step of one rollover zone: how it is signed and the DS
// records roll.test. holds for it.
type rollStep struct {
	sign *signing
	ds   []dsSpec
	// state is the rollover state the probe names at this step after it
	// has seen the steps before; checks are the check IDs it raises.
	state  string
	checks []string
	// dnssec is the verdict at this step; "" means secure.
	dnssec string
}

// rollZone is one rollover zone and its steps.
type rollZone struct {
	Zone
	block int
	keys  []keySpec
	steps []rollStep
}

func (z *rollZone) key(role string, alg uint8, ksk bool) string {
	id := keyID(z.Name, role)
	z.keys = append(z.keys, keySpec{id: id, zone: z.Name, alg: alg, ksk: ksk})
	return id
}

// step returns the zone's step at the lab's step s: the last one once
// the rollover is over.
func (z *rollZone) step(s int) rollStep { return z.steps[min(s, len(z.steps)-1)] }

func (z *rollZone) servers() []host {
	return []host{
		{fmt.Sprintf("ns1.%s", z.Name), fmt.Sprintf("127.71.%d.1", z.block)},
		{fmt.Sprintf("ns2.%s", z.Name), fmt.Sprintf("127.71.%d.2", z.block)},
	}
}

func sign(dnskey, ksk, zsk []string) *signing {
	return &signing{dnskey: dnskey, ksk: ksk, zsk: zsk, window: rollWindow}
}

func dsFor(keys ...string) []dsSpec {
	var out []dsSpec
	for _, k := range keys {
		out = append(out, dsSpec{key: k, digest: dns.SHA256})
	}
	return out
}

// rollWindow keeps the rollover zones' signatures valid for the whole
// walk through their steps.
var rollWindow = window{inception: -time1h, expiration: 14 * day}

const time1h = day / 24

// Rollover state names, as the probe writes them (probe/rollover.go).
const (
	rollSteady    = "steady"
	rollZSKPrepub = "zsk_prepublish"
	rollZSKRetire = "zsk_retire"
	rollDoubleDS  = "ksk_double_ds"
	rollDoubleKSK = "ksk_double_ksk"
	rollAlgorithm = "algorithm"
	rollCDS       = "cds_pending"
	rollCDSDelete = "cds_delete"
)

// rollZones returns the rollover zones. Step 0 is steady; the steps
// follow RFC 7583 section 3 (ZSK pre-publication, KSK double-DS), RFC
// 6781 section 4.1.4 (algorithm rollover), RFC 7344 (CDS) and RFC 8078
// (CDS delete).
func rollZones() []*rollZone {
	zsk := &rollZone{Zone: Zone{Name: "sec-zsk.roll.test.", Description: "A ZSK rollover by pre-publication (RFC 7583 section 3.2.1), one step at a time; the demo shows the new ZSK published, not yet signing.", DNSSEC: verdictSecure}, block: 1}
	ksk, z1, z2 := zsk.key("ksk", dns.ECDSAP256SHA256, true), zsk.key("zsk-old", dns.ECDSAP256SHA256, false), zsk.key("zsk-new", dns.ECDSAP256SHA256, false)
	zsk.steps = []rollStep{
		{sign: sign([]string{ksk, z1}, []string{ksk}, []string{z1}), ds: dsFor(ksk), state: rollSteady},
		{sign: sign([]string{ksk, z1, z2}, []string{ksk}, []string{z1}), ds: dsFor(ksk), state: rollZSKPrepub},
		{sign: sign([]string{ksk, z1, z2}, []string{ksk}, []string{z2}), ds: dsFor(ksk), state: rollZSKRetire},
		{sign: sign([]string{ksk, z2}, []string{ksk}, []string{z2}), ds: dsFor(ksk), state: rollSteady},
	}

	dd := &rollZone{Zone: Zone{Name: "sec-ksk.roll.test.", Description: "A KSK rollover by double-DS (RFC 7583 section 3.3.2); the demo shows the new KSK's DS at the parent before the key.", DNSSEC: verdictSecure}, block: 2}
	k1, k2, zk := dd.key("ksk-old", dns.ECDSAP256SHA256, true), dd.key("ksk-new", dns.ECDSAP256SHA256, true), dd.key("zsk", dns.ECDSAP256SHA256, false)
	dd.steps = []rollStep{
		{sign: sign([]string{k1, zk}, []string{k1}, []string{zk}), ds: dsFor(k1), state: rollSteady},
		{sign: sign([]string{k1, zk}, []string{k1}, []string{zk}), ds: dsFor(k1, k2), state: rollDoubleDS, checks: []string{checkDSUnmatched}},
		{sign: sign([]string{k2, zk}, []string{k2}, []string{zk}), ds: dsFor(k1, k2), state: rollDoubleDS, checks: []string{checkDSUnmatched}},
		{sign: sign([]string{k2, zk}, []string{k2}, []string{zk}), ds: dsFor(k2), state: rollSteady},
	}

	alg := &rollZone{Zone: Zone{Name: "sec-alg.roll.test.", Description: "An algorithm rollover from ECDSA P-256 (13) to Ed25519 (15) in RFC 6781 section 4.1.4's order; the demo shows the new algorithm signing before its DNSKEYs are published.", DNSSEC: verdictSecure}, block: 3}
	a13k, a13z := alg.key("ksk-13", dns.ECDSAP256SHA256, true), alg.key("zsk-13", dns.ECDSAP256SHA256, false)
	a15k, a15z := alg.key("ksk-15", dns.ED25519, true), alg.key("zsk-15", dns.ED25519, false)
	both := []string{a13k, a13z, a15k, a15z}
	alg.steps = []rollStep{
		{sign: sign([]string{a13k, a13z}, []string{a13k}, []string{a13z}), ds: dsFor(a13k), state: rollSteady},
		{sign: sign([]string{a13k, a13z}, []string{a13k, a15k}, []string{a13z, a15z}), ds: dsFor(a13k), state: rollAlgorithm},
		{sign: sign(both, []string{a13k, a15k}, []string{a13z, a15z}), ds: dsFor(a13k), state: rollAlgorithm},
		{sign: sign(both, []string{a13k, a15k}, []string{a13z, a15z}), ds: dsFor(a15k), state: rollAlgorithm},
		{sign: sign([]string{a15k, a15z}, []string{a13k, a15k}, []string{a13z, a15z}), ds: dsFor(a15k), state: rollAlgorithm},
		{sign: sign([]string{a15k, a15z}, []string{a15k}, []string{a15z}), ds: dsFor(a15k), state: rollSteady},
	}

	cds := &rollZone{Zone: Zone{Name: "sec-cds.roll.test.", Description: "A KSK rollover by double-KSK with CDS/CDNSKEY (RFC 7344); the demo shows the CDS for the new KSK waiting for the parent.", DNSSEC: verdictSecure}, block: 4}
	c1, c2, cz := cds.key("ksk-old", dns.ECDSAP256SHA256, true), cds.key("ksk-new", dns.ECDSAP256SHA256, true), cds.key("zsk", dns.ECDSAP256SHA256, false)
	withCDS := func(s *signing, keys ...string) *signing { s.cds = keys; return s }
	cds.steps = []rollStep{
		{sign: withCDS(sign([]string{c1, cz}, []string{c1}, []string{cz}), c1), ds: dsFor(c1), state: rollSteady},
		{sign: withCDS(sign([]string{c1, c2, cz}, []string{c1, c2}, []string{cz}), c2), ds: dsFor(c1), state: rollCDS, checks: []string{checkCDSMismatchDS}},
		{sign: withCDS(sign([]string{c1, c2, cz}, []string{c1, c2}, []string{cz}), c2), ds: dsFor(c2), state: rollDoubleKSK},
		{sign: withCDS(sign([]string{c2, cz}, []string{c2}, []string{cz}), c2), ds: dsFor(c2), state: rollSteady},
	}

	del := &rollZone{Zone: Zone{Name: "sec-cds-delete.roll.test.", Description: "A zone going insecure by the CDS delete form (RFC 8078 section 4); the demo shows the request waiting for the parent.", DNSSEC: verdictSecure}, block: 5}
	dk, dz := del.key("ksk", dns.ECDSAP256SHA256, true), del.key("zsk", dns.ECDSAP256SHA256, false)
	deleting := sign([]string{dk, dz}, []string{dk}, []string{dz})
	deleting.cdsDelete = true
	del.steps = []rollStep{
		{sign: sign([]string{dk, dz}, []string{dk}, []string{dz}), ds: dsFor(dk), state: rollSteady},
		{sign: deleting, ds: dsFor(dk), state: rollCDSDelete, checks: []string{checkCDSDelete}},
		{sign: deleting, state: "", dnssec: verdictInsecure}, // insecure: the CDS is no longer checked
	}

	out := []*rollZone{zsk, dd, alg, cds, del}
	for _, z := range out {
		s := z.step(DefaultRolloverStep)
		z.Checks, z.Rollover = s.checks, s.state
		if s.dnssec != "" {
			z.DNSSEC = s.dnssec
		}
	}
	return out
}

// RolloverStep is what a probe should find in one rollover zone at one
// step, once it has probed the steps before with the same Prober.
type RolloverStep struct {
	// State is the rollover state the probe names ("" when the zone is
	// insecure and has none); Checks the check IDs it raises when each
	// step was taken after the TTLs allowed it; DNSSEC the verdict.
	State  string
	Checks []string
	DNSSEC string
}

// RolloverSteps returns, for each rollover zone, what each step shows.
// Step 0 is steady; past its last step a zone stays in its last state.
func (l *Lab) RolloverSteps() map[string][]RolloverStep {
	out := map[string][]RolloverStep{}
	for _, z := range rollZones() {
		for _, s := range z.steps {
			v := s.dnssec
			if v == "" {
				v = verdictSecure
			}
			out[z.Name] = append(out[z.Name], RolloverStep{State: s.state, Checks: append([]string(nil), s.checks...), DNSSEC: v})
		}
	}
	return out
}

// SetRolloverStep moves every rollover zone, and roll.test., to step s
// (clamped to each zone's last step). Servers answer from it at once.
func (l *Lab) SetRolloverStep(s int) { l.rollStep.Store(int32(max(s, 0))) }

// rollingZone is a zone whose copy changes with the lab's rollover step.
type rollingZone struct {
	step  *atomic.Int32
	steps []*zone
}

func (r *rollingZone) current() *zone {
	return r.steps[min(int(r.step.Load()), len(r.steps)-1)]
}

// addRollovers adds roll.test., its delegation from test. (in testZone)
// and the rollover zones to the hierarchy.
func (h *hierarchy) addRollovers() {
	zones := rollZones()
	parentNS := []host{{"ns1." + rollParent, "127.71.0.1"}, {"ns2." + rollParent, "127.71.0.2"}}
	for _, s := range parentNS {
		h.addr(nsAddr{name: s.name, addr: s.addr})
	}
	parentSign, parentDS := h.signInfra(rollParent)
	h.rollDelegation = delegation{name: rollParent, ns: names(parentNS), glue: parentNS, ds: parentDS}
	steps := 0
	for _, z := range zones {
		steps = max(steps, len(z.steps))
		h.keys = append(h.keys, z.keys...)
		for _, s := range z.servers() {
			h.addr(nsAddr{name: s.name, addr: s.addr})
		}
	}
	var parent []zoneFile
	for s := range steps {
		f := zoneFile{origin: rollParent, serial: serial + uint32(s), ns: names(parentNS), hosts: parentNS, sign: parentSign}
		for _, z := range zones {
			f.delegations = append(f.delegations, delegation{name: z.Name, ns: names(z.servers()), glue: z.servers(), ds: z.step(s).ds})
		}
		parent = append(parent, f)
	}
	h.rolling = append(h.rolling, rollingCopy{files: parent, addrs: addrsOf(parentNS)})
	for _, z := range zones {
		var files []zoneFile
		for s := range len(z.steps) {
			files = append(files, zoneFile{origin: z.Name, serial: serial + uint32(s), ns: names(z.servers()), hosts: z.servers(), sign: z.steps[s].sign})
		}
		h.rolling = append(h.rolling, rollingCopy{files: files, addrs: addrsOf(z.servers())})
		h.rollZones = append(h.rollZones, z.Zone)
	}
}

// rollingCopy is a zone with a copy per rollover step, and the addresses
// that serve it.
type rollingCopy struct {
	files []zoneFile
	addrs []string
}
