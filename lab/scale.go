package lab

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// ScaleOptions configures StartScale.
type ScaleOptions struct {
	// Zones is the number of customer zones; 0 means 10,000.
	Zones int
	// PerTLD is how many customer zones each TLD delegates; 0 means 500.
	PerTLD int
	// Providers is the number of provider server sets the zones are
	// spread over, two servers each; 0 means 50.
	Providers int
	// Delay is added by every server before each reply, as a round trip
	// would be.
	Delay time.Duration
	// Port is the UDP and TCP port of every server; 0 picks a free one.
	Port int
	// Now is the signing clock, read once; nil means time.Now.
	Now func() time.Time
	// Logger receives start-up messages; nil discards.
	Logger *slog.Logger
}

// Signing algorithms of scale zones (ScaleZone.Signing).
const (
	ScaleECDSA    = "ecdsa"
	ScaleRSA      = "rsa"
	ScaleUnsigned = "unsigned"
)

// ScaleZone is one customer zone of the scale hierarchy.
type ScaleZone struct {
	// Name is fully qualified, e.g. "z000042.t000.".
	Name string
	// Signing is ScaleECDSA, ScaleRSA or ScaleUnsigned.
	Signing string
	// Dead is set when one of the zone's two nameservers never answers.
	Dead bool
	// Provider is the index of the server set that serves the zone.
	Provider int
}

// Scale is a running scale hierarchy: a signed root; TLDs t000., t001.,
// ... each delegating PerTLD customer zones; and Providers provider server
// sets, each its own unsigned zone (prov00., prov01., ...) with two
// servers that serve their share of the customer zones. Of the customer
// zones 70% are signed with ECDSA P-256 (a KSK and a ZSK each), 10% with
// RSA/SHA-256 (2048-bit keys from a pool of four pairs shared by the RSA
// zones, as generating a key per zone would take minutes), and 20% are
// unsigned; 5% have their second nameserver at an address that reads
// queries and never answers. Addresses are in 127.64.0.0/16 (root and
// TLDs), 127.65.0.0/16 (providers) and 127.66.0.0/16 (dead servers).
type Scale struct {
	*Lab
	szones  []ScaleZone
	queries *atomic.Int64
}

// rsaPool is how many RSA key pairs the RSA-signed scale zones share.
const rsaPool = 4

// maxScaleTLDs and maxScaleProviders keep addresses within their /16s.
const (
	maxScaleTLDs      = 250
	maxScaleProviders = 250
)

// StartScale builds the scale hierarchy, signs it and starts its servers.
// Building 10,000 zones takes some seconds of CPU.
func StartScale(opts ScaleOptions) (*Scale, error) {
	if opts.Zones == 0 {
		opts.Zones = 10000
	}
	if opts.PerTLD == 0 {
		opts.PerTLD = 500
	}
	if opts.Providers == 0 {
		opts.Providers = 50
	}
	tlds := (opts.Zones + opts.PerTLD - 1) / opts.PerTLD
	switch {
	case opts.Zones < 0 || opts.PerTLD < 0 || opts.Providers < 0:
		return nil, errors.New("lab: scale: negative size")
	case tlds > maxScaleTLDs:
		return nil, fmt.Errorf("lab: scale: %d TLDs, at most %d", tlds, maxScaleTLDs)
	case opts.Providers > maxScaleProviders:
		return nil, fmt.Errorf("lab: scale: %d providers, at most %d", opts.Providers, maxScaleProviders)
	case opts.Port < 0 || opts.Port > 65535:
		return nil, fmt.Errorf("lab: scale: port %d out of range", opts.Port)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	b, err := newScaleBuilder(opts, tlds, now())
	if err != nil {
		return nil, err
	}
	if err := b.build(); err != nil {
		return nil, err
	}

	var socks []socketPair
	var port int
	for attempt := 1; ; attempt++ {
		socks, port, err = bindAll(b.addrs, opts.Port)
		if err == nil {
			break
		}
		if opts.Port != 0 || !errors.Is(err, syscall.EADDRINUSE) || attempt == portAttempts {
			return nil, fmt.Errorf("lab: scale: %w", err)
		}
	}
	l := &Lab{port: port, rootHints: b.rootHints(), trustAnchors: b.anchor, logger: logger}
	if err := l.serve(socks, b.handlers); err != nil {
		return nil, err
	}
	logger.Info("scale lab started", "port", port, "addresses", len(socks), "zones", len(b.zones))
	return &Scale{Lab: l, szones: b.zones, queries: b.queries}, nil
}

// ScaleZones returns the customer zones. The slice is the caller's.
func (s *Scale) ScaleZones() []ScaleZone { return append([]ScaleZone(nil), s.szones...) }

// Queries returns how many queries the hierarchy's servers have received,
// over UDP and TCP, dropped ones included.
func (s *Scale) Queries() int64 { return s.queries.Load() }

// scaleBuilder assembles the scale hierarchy.
type scaleBuilder struct {
	opts     ScaleOptions
	tlds     int
	now      time.Time
	addrs    []nsAddr
	handlers map[string]*server
	zones    []ScaleZone
	queries  *atomic.Int64
	anchor   string
	roots    []host
	rsa      []*signKey // KSK, ZSK pairs: rsa[2i], rsa[2i+1]
	tldKeys  keyring    // the TLDs' keys, for their DS in the root
}

func newScaleBuilder(opts ScaleOptions, tlds int, now time.Time) (*scaleBuilder, error) {
	b := &scaleBuilder{opts: opts, tlds: tlds, now: now, handlers: map[string]*server{}, tldKeys: keyring{}, queries: &atomic.Int64{}}
	b.roots = []host{{"a.rs.", "127.64.0.1"}, {"b.rs.", "127.64.0.2"}}
	if opts.Zones/10 > 0 {
		var wg sync.WaitGroup
		b.rsa = make([]*signKey, 2*rsaPool)
		errs := make([]error, len(b.rsa))
		for i := range b.rsa {
			wg.Go(func() {
				b.rsa[i], errs[i] = newKey(keySpec{id: fmt.Sprintf("rsa/%d", i), zone: ".", alg: dns.RSASHA256, ksk: i%2 == 0}, 0)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("lab: scale: %w", err)
		}
	}
	return b, nil
}

func tldName(t int) string                   { return fmt.Sprintf("t%03d.", t) }
func providerName(p int) string              { return fmt.Sprintf("prov%02d.", p) }
func tldAddr(t, n int) string                { return fmt.Sprintf("127.64.%d.%d", t+1, n) }
func providerAddr(p, n int) string           { return fmt.Sprintf("127.65.%d.%d", p, n) }
func deadAddr(p int) string                  { return fmt.Sprintf("127.66.%d.1", p) }
func scaleZoneName(i, t int) string          { return fmt.Sprintf("z%06d.%s", i, tldName(t)) }
func providerNS(p, n int) string             { return fmt.Sprintf("ns%d.%s", n, providerName(p)) }
func providerDeadNS(p int) string            { return "dead." + providerName(p) }
func (b *scaleBuilder) delay() time.Duration { return b.opts.Delay }

// server adds a serving address with its zones.
func (b *scaleBuilder) server(name, addr string, behave behaviour) *server {
	b.addrs = append(b.addrs, nsAddr{name: name, addr: addr, behaviour: behave})
	s := &server{addr: addr, name: name, behaviour: behave, logger: slog.New(slog.DiscardHandler),
		index: map[string]*zone{}, delay: b.delay(), queries: b.queries}
	b.handlers[addr] = s
	return s
}

// scaleKeys makes a zone's keys: fresh ECDSA ones, or a pair from the RSA
// pool with the zone as owner.
func (b *scaleBuilder) scaleKeys(zone, alg string, i int) (keyring, *signing, []dsSpec, error) {
	ksk, zsk := keyID(zone, "ksk"), keyID(zone, "zsk")
	keys := keyring{}
	switch alg {
	case ScaleRSA:
		pair := i % rsaPool
		for j, id := range []string{ksk, zsk} {
			src := b.rsa[2*pair+j]
			k := dns.Copy(src.dnskey).(*dns.DNSKEY)
			k.Hdr.Name = zone
			keys[id] = &signKey{dnskey: k, priv: src.priv}
		}
	default:
		for _, s := range []keySpec{{id: ksk, zone: zone, alg: dns.ECDSAP256SHA256, ksk: true}, {id: zsk, zone: zone, alg: dns.ECDSAP256SHA256}} {
			for attempt := 0; ; attempt++ {
				k, err := newKey(s, attempt)
				if err != nil {
					return nil, nil, nil, err
				}
				if tag := k.dnskey.KeyTag(); tag != 0 && (s.ksk || tag != keys[ksk].dnskey.KeyTag()) {
					keys[s.id] = k
					break
				}
			}
		}
	}
	return keys, &signing{dnskey: []string{ksk, zsk}, ksk: []string{ksk}, zsk: []string{zsk}, window: defaultWindow},
		[]dsSpec{{key: ksk, digest: dns.SHA256}}, nil
}

// build makes every zone and server.
func (b *scaleBuilder) build() error {
	n := b.opts.Zones
	// Customer zones: signing and dead server by index, so any prefix of
	// the zones has the same mix.
	b.zones = make([]ScaleZone, n)
	for i := range b.zones {
		alg := ScaleECDSA
		switch i % 10 {
		case 7:
			alg = ScaleRSA
		case 8, 9:
			alg = ScaleUnsigned
		}
		b.zones[i] = ScaleZone{Name: scaleZoneName(i, i/b.opts.PerTLD), Signing: alg, Dead: i%20 == 3, Provider: i % b.opts.Providers}
	}

	// Sign the customer zones in parallel; keep the DS their TLD holds.
	built := make([]*zone, n)
	dsOf := make([][]dns.RR, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				built[i], dsOf[i], errs[i] = b.customer(b.zones[i], i)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab: scale: %w", err)
	}

	// Providers: two servers each, serving their zone and their customers.
	var provDelegations []delegation
	for p := range b.opts.Providers {
		hosts := []host{{providerNS(p, 1), providerAddr(p, 1)}, {providerNS(p, 2), providerAddr(p, 2)}}
		all := append(hosts, host{providerDeadNS(p), deadAddr(p)})
		z, err := parseZone(providerName(p), zoneFile{origin: providerName(p), serial: serial, ns: names(hosts), hosts: all}.render())
		if err != nil {
			return fmt.Errorf("lab: scale: %w", err)
		}
		for _, h := range hosts {
			s := b.server(h.name, h.addr, serve)
			s.zones = []*zone{z}
			s.index[z.origin] = z
		}
		b.server(providerDeadNS(p), deadAddr(p), drop)
		provDelegations = append(provDelegations, delegation{name: providerName(p), ns: names(hosts), glue: hosts})
	}
	for i, z := range built {
		zd := b.zones[i]
		for _, addr := range []string{providerAddr(zd.Provider, 1), providerAddr(zd.Provider, 2)} {
			b.handlers[addr].index[z.origin] = z
		}
	}

	// TLDs, each signed, delegating their customer zones.
	var tldDelegations []delegation
	for t := range b.tlds {
		name := tldName(t)
		hosts := []host{{"ns1.nic." + name, tldAddr(t, 1)}, {"ns2.nic." + name, tldAddr(t, 2)}}
		keys, sign, ds, err := b.scaleKeys(name, ScaleECDSA, t)
		if err != nil {
			return fmt.Errorf("lab: scale: %s: %w", name, err)
		}
		f := zoneFile{origin: name, serial: serial, ns: names(hosts), hosts: hosts, noWWW: true, sign: sign}
		var dsRecords []dns.RR
		for i := t * b.opts.PerTLD; i < min(n, (t+1)*b.opts.PerTLD); i++ {
			zd := b.zones[i]
			ns := []string{providerNS(zd.Provider, 1), providerNS(zd.Provider, 2)}
			if zd.Dead {
				ns[1] = providerDeadNS(zd.Provider)
			}
			f.delegations = append(f.delegations, delegation{name: zd.Name, ns: ns})
			dsRecords = append(dsRecords, dsOf[i]...)
		}
		z, err := b.signedZone(f, keys, dsRecords)
		if err != nil {
			return fmt.Errorf("lab: scale: %w", err)
		}
		for _, h := range hosts {
			s := b.server(h.name, h.addr, serve)
			s.zones = []*zone{z}
			s.index[z.origin] = z
		}
		tldDelegations = append(tldDelegations, delegation{name: name, ns: names(hosts), glue: hosts, ds: ds})
		for id, k := range keys {
			b.tldKeys[id] = k
		}
	}

	// The root: the TLDs and the providers' zones, the root servers'
	// addresses as its own data (no rs. zone is delegated).
	rootKeys, rootSign, rootDS, err := b.scaleKeys(".", ScaleECDSA, 0)
	if err != nil {
		return fmt.Errorf("lab: scale: root: %w", err)
	}
	for id, k := range b.tldKeys {
		rootKeys[id] = k
	}
	f := zoneFile{origin: ".", serial: serial, ns: names(b.roots), hosts: b.roots, noWWW: true, sign: rootSign,
		delegations: append(tldDelegations, provDelegations...)}
	root, err := f.zone(rootKeys, b.now)
	if err != nil {
		return fmt.Errorf("lab: scale: %w", err)
	}
	for _, h := range b.roots {
		s := b.server(h.name, h.addr, serve)
		s.zones = []*zone{root}
		s.index["."] = root
	}
	ds, err := rootDS[0].record(rootKeys, ".")
	if err != nil {
		return fmt.Errorf("lab: scale: trust anchor: %w", err)
	}
	b.anchor = "; Trust anchor for the dnshealth_exporter scale hierarchy.\n" + ds.String() + "\n"
	for _, s := range b.handlers {
		s.rootNS = root.apexNS()
		s.wrongSOA = root.soa
	}
	return nil
}

// customer builds and signs one customer zone and returns the DS records
// its TLD publishes.
func (b *scaleBuilder) customer(zd ScaleZone, i int) (*zone, []dns.RR, error) {
	p := zd.Provider
	ns := []string{providerNS(p, 1), providerNS(p, 2)}
	if zd.Dead {
		ns[1] = providerDeadNS(p)
	}
	f := zoneFile{origin: zd.Name, serial: serial, ns: ns}
	if zd.Signing == ScaleUnsigned {
		z, err := parseZone(f.origin, f.render())
		return z, nil, err
	}
	keys, sign, dsSpecs, err := b.scaleKeys(zd.Name, zd.Signing, i)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", zd.Name, err)
	}
	f.sign = sign
	z, err := f.zone(keys, b.now)
	if err != nil {
		return nil, nil, err
	}
	ds, err := dsSpecs[0].record(keys, zd.Name)
	if err != nil {
		return nil, nil, err
	}
	return z, []dns.RR{ds}, nil
}

// signedZone is zoneFile.zone with DS records added before signing.
func (b *scaleBuilder) signedZone(f zoneFile, keys keyring, extra []dns.RR) (*zone, error) {
	z, err := parseZone(f.origin, f.render())
	if err != nil {
		return nil, err
	}
	rrs, err := f.dnssecRecords(keys)
	if err != nil {
		return nil, err
	}
	for _, rr := range append(rrs, extra...) {
		if err := z.insert(rr); err != nil {
			return nil, err
		}
	}
	if err := z.sign(f.sign, keys, b.now); err != nil {
		return nil, err
	}
	return z, nil
}

// rootHints renders the scale root's hints.
func (b *scaleBuilder) rootHints() string {
	var s strings.Builder
	s.WriteString("; Root hints for the dnshealth_exporter scale hierarchy.\n")
	for _, r := range b.roots {
		fmt.Fprintf(&s, "%-24s 3600000    NS  %s\n", ".", r.name)
		fmt.Fprintf(&s, "%-24s 3600000    A   %s\n", r.name, r.addr)
	}
	return s.String()
}

// indexedZone is zoneFor over the server's index: the closest enclosing
// zone found by walking up qname's labels, except that a DS query at a
// zone's apex goes to the parent zone when this server serves that too.
func (s *server) indexedZone(qname string, qtype uint16) *zone {
	var apex *zone
	for name := qname; ; name = parentName(name) {
		if z, ok := s.index[name]; ok {
			if qtype != dns.TypeDS || name != qname {
				return z
			}
			apex = z
		}
		if name == "." {
			return apex
		}
	}
}
