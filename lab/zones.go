package lab

import (
	"fmt"
	"slices"
	"strings"
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

// delegation is a zone cut as the parent zone holds it: NS names and glue.
type delegation struct {
	name string
	ns   []string
	glue []host
}

// zoneFile describes one copy of a zone; render turns it into zone-file text.
type zoneFile struct {
	origin      string
	serial      uint32
	ns          []string // apex NS names; the first is the SOA MNAME
	hosts       []host   // in-zone A records (nameservers and the like)
	delegations []delegation
	noWWW       bool // leave out www.<origin> A 127.0.0.1
}

// render returns the zone in master-file format.
func (f zoneFile) render() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL 3600\n", f.origin)
	rname := "hostmaster." + f.origin
	if f.origin == "." {
		rname = "hostmaster.root-servers.test."
	}
	fmt.Fprintf(&b, "%-30s IN SOA %s %s %d 7200 3600 1209600 300\n", "@", f.ns[0], rname, f.serial)
	for _, ns := range f.ns {
		fmt.Fprintf(&b, "%-30s IN NS  %s\n", "@", ns)
	}
	for _, h := range f.hosts {
		fmt.Fprintf(&b, "%-30s IN A   %s\n", h.name, h.addr)
	}
	if !f.noWWW {
		fmt.Fprintf(&b, "%-30s IN A   %s\n", "www", "127.0.0.1")
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
}

// demo is one zone delegated from test. with the fault it demonstrates.
type demo struct {
	Zone
	parentNS []string // NS names in the delegation held by test.
	glue     []host   // glue held by test.
	// staleParentNS, when set, is the NS set in ns2.nic.test.'s copy of test.
	staleParentNS []string
	apexNS        []string // the child's own apex NS set; nil means parentNS
	hosts         []host   // the child's in-zone A records
	servers       []nsAddr
}

// blockAddr is 127.53.<block>.<n>, the address of nsN in a demo block.
func blockAddr(block, n int) string { return fmt.Sprintf("127.53.%d.%d", block, n) }

// standard is a zone <label>.test. with ns1 and ns2 in its own block, both
// with glue and both serving the zone correctly.
func standard(label string, block int, description string) *demo {
	name := label + ".test."
	d := &demo{Zone: Zone{Name: name, Description: description}}
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

// demos returns the demo zones in landing-page order.
func demos() []*demo {
	hosted := &demo{
		Zone: Zone{
			Name:        "hosted.test.",
			Description: "Hosted on out-of-bailiwick nameservers (ns1/ns2.dns-host.example), so the delegation needs no glue.",
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

	return []*demo{
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
	}
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

	// The root zone delegates test. and example.; the root servers' own
	// addresses live in test. and are glue here.
	h.add(zoneFile{
		origin: ".",
		serial: serial,
		ns:     names(h.roots),
		noWWW:  true,
		delegations: []delegation{
			{name: "test.", ns: names(nicTest), glue: append(append([]host{}, nicTest...), h.roots...)},
			{name: "example.", ns: names(nicExample), glue: nicExample},
		},
	}, addrsOf(h.roots)...)

	// test. delegates every demo zone. ns2.nic.test. serves an older copy
	// in which parent-drift.test. lists fewer nameservers.
	testZone := func(stale bool) zoneFile {
		f := zoneFile{origin: "test.", serial: serial, ns: names(nicTest), hosts: append(append([]host{}, nicTest...), h.roots...)}
		for _, d := range h.demos {
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
			f.delegations = append(f.delegations, delegation{name: d.Name, ns: ns, glue: glue})
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
	}, addrsOf(nicExample)...)
	h.add(zoneFile{origin: "dns-host.example.", serial: serial, ns: names(dnsHost), hosts: dnsHost}, addrsOf(dnsHost)...)

	for _, d := range h.demos {
		apex := d.apexNS
		if apex == nil {
			apex = d.parentNS
		}
		// One copy per serial, served by the addresses that carry it.
		bySerial := map[uint32][]string{}
		var serials []uint32
		for _, s := range d.servers {
			h.addr(s)
			sn := s.serial
			if sn == 0 {
				sn = serial
			}
			if s.behaviour == unbound {
				continue
			}
			if _, ok := bySerial[sn]; !ok {
				serials = append(serials, sn)
			}
			bySerial[sn] = append(bySerial[sn], s.addr)
		}
		for _, sn := range serials {
			h.add(zoneFile{origin: d.Name, serial: sn, ns: apex, hosts: d.hosts}, bySerial[sn]...)
		}
	}
	return h
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
