// Package lab is the exporter's built-in DNS hierarchy: a root, the TLDs
// test. and example., and a set of demo zones under test., each showing one
// kind of delegation fault (a lame server, serial drift, mismatched glue and
// so on) or none at all.
//
// Every nameserver of the hierarchy is a real miekg/dns server running in
// this process on its own loopback address in 127.53.0.0/16, over UDP and
// TCP, all on one port. Start brings the whole hierarchy up; RootHints gives
// the root hints that lead a probe into it. The exporter's --demo mode runs a
// lab and probes its zones, and tests of other packages use it as a network
// of known behaviour. Zones lists the demo zones with the lame addresses and
// check IDs a correct probe reports for each.
//
// The servers are plain authoritative servers over in-memory zones; a few
// addresses are set to misbehave (refuse, drop, answer non-authoritatively,
// refer upwards, ...) in place of serving.
//
// The root, test. and example. are signed (DNSSEC, algorithm 13, NSEC), and
// so are the sec-*.test. demo zones, each with its own algorithm, NSEC or
// NSEC3, and in most cases a deliberate fault: expired signatures, a DS
// that matches no key, a broken denial of existence and so on. Keys are
// generated at Start and signatures made then, against Options.Now;
// TrustAnchors gives the root's DS for a validator. The other demo zones
// are unsigned and have no DS, which test. proves with signed NSEC
// records: a validator finds them insecure. Servers add RRSIGs, DS and
// NSEC/NSEC3 proofs to answers when the query sets the DO bit. Wildcards
// are answered in NSEC zones only; zone transfers are not implemented.
// Some demo zones are nested under other demo zones on the same servers
// (demo.parent), and a few show real-world shapes that must not alarm
// (shapes.go).
//
// StartHostile (hostile.go) serves a second, separate hierarchy on
// 127.62.0.0/16 with its own root and trust anchor: the hostile-zone set,
// zones shaped to make a validating prober work (KeyTrap, NSEC3 at 65535
// iterations, answers near 64 KiB, 500 DNSKEYs, deep CNAME and referral
// chains).
package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// Options configures Start.
type Options struct {
	// Port is the UDP and TCP port used on every lab address; 0 picks a
	// free one.
	Port int
	// Logger receives start-up messages and, at debug level, one line per
	// query. nil discards.
	Logger *slog.Logger
	// Now is the signing clock, read once at Start; nil means time.Now.
	// Signatures are valid from an hour before it until 14 days after it,
	// except where a zone's fault says otherwise.
	Now func() time.Time
}

// Zone describes one demo zone and what a probe should find in it.
type Zone struct {
	// Name is fully qualified, e.g. "healthy.test.".
	Name string
	// Description is one line for a landing page.
	Description string
	// Lame lists the addresses (e.g. "127.53.11.2") a probe must report
	// lame; empty for none.
	Lame []string
	// Checks lists the check IDs (probe/checks.go) the probe is expected
	// to raise, DNSSEC ones included; empty for a healthy zone.
	Checks []string
	// DNSSEC is the verdict a validating resolver reaches for the zone's
	// positive answers: "secure", "insecure" (no DS, or only DS records
	// it cannot use) or "bogus". NSEC3 beyond validators' limits makes
	// only the denials insecure, not this verdict.
	DNSSEC string
	// Rollover is the key rollover state (probe.RolloverState) a probe
	// names for a zone under roll.test. at DefaultRolloverStep, from a
	// cold start; empty for the other zones.
	Rollover string
}

// Lab is a running hierarchy. Close stops it.
type Lab struct {
	port         int
	rootHints    string
	trustAnchors string
	zones        []Zone
	servers      []*dns.Server
	logger       *slog.Logger

	// rollStep is the step of the rollover zones (rollover.go).
	rollStep *atomic.Int32

	closeOnce sync.Once
	closeErr  error
}

// portAttempts is how many free ports Start tries when Options.Port is 0:
// the kernel picks a port free on one address, and it may be taken on
// another.
const portAttempts = 20

// shutdownTimeout bounds how long Close waits for one server.
const shutdownTimeout = 5 * time.Second

// Start builds the hierarchy and starts every server. It returns once all of
// them are listening.
func Start(opts Options) (*Lab, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("lab: port %d out of range", opts.Port)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	started := time.Now()
	h := buildHierarchy()
	h.rollStep.Store(DefaultRolloverStep)
	keys, err := generateKeys(h.keys)
	if err != nil {
		return nil, err
	}
	handlers, err := h.handlers(logger, keys, now())
	if err != nil {
		return nil, err
	}
	anchors, err := trustAnchors(keys)
	if err != nil {
		return nil, err
	}
	logger.Debug("lab: zones signed", "keys", len(keys), "elapsed", time.Since(started))

	var socks []socketPair
	var port int
	for attempt := 1; ; attempt++ {
		socks, port, err = bindAll(h.addrs, opts.Port)
		if err == nil {
			break
		}
		if opts.Port != 0 || !errors.Is(err, syscall.EADDRINUSE) || attempt == portAttempts {
			return nil, fmt.Errorf("lab: %w", err)
		}
		logger.Debug("lab: port collision, retrying", "err", err)
	}

	l := &Lab{port: port, rootHints: h.rootHints(), trustAnchors: anchors, logger: logger, rollStep: h.rollStep}
	for _, d := range h.demos {
		l.zones = append(l.zones, d.Zone)
	}
	l.zones = append(l.zones, h.rollZones...)
	if err := l.serve(socks, handlers); err != nil {
		return nil, err
	}
	logger.Info("lab started", "port", port, "addresses", len(socks), "zones", len(l.zones))
	return l, nil
}

// labReadBuffer is the receive buffer the lab asks for on its UDP sockets.
const labReadBuffer = 4 << 20

// socketPair is the UDP and TCP sockets bound to one lab address.
type socketPair struct {
	addr string
	udp  net.PacketConn
	tcp  net.Listener
}

func (p socketPair) close() {
	p.udp.Close()
	p.tcp.Close()
}

// bindAll binds UDP and TCP on port at every serving address, port 0
// meaning one the kernel picks. It also checks that nothing else is bound
// at the addresses meant to stay silent. On error nothing stays bound.
func bindAll(addrs []nsAddr, port int) (socks []socketPair, _ int, err error) {
	defer func() {
		if err != nil {
			for _, p := range socks {
				p.close()
			}
			socks = nil
		}
	}()
	for _, a := range addrs {
		hostport := net.JoinHostPort(a.addr, strconv.Itoa(port))
		udp, err := net.ListenPacket("udp4", hostport)
		if err != nil {
			return socks, 0, err
		}
		// Hundreds of probes started together send their queries in one
		// burst, and the default receive buffer (about 200 KB) drops part
		// of it: each dropped query then costs its probe a query timeout
		// and a finding the zone does not deserve. Linux caps the size at
		// net.core.rmem_max.
		_ = udp.(*net.UDPConn).SetReadBuffer(labReadBuffer)
		if port == 0 {
			port = udp.LocalAddr().(*net.UDPAddr).Port
			hostport = net.JoinHostPort(a.addr, strconv.Itoa(port))
		}
		tcp, err := net.Listen("tcp4", hostport)
		if err != nil {
			udp.Close()
			return socks, 0, err
		}
		p := socketPair{addr: a.addr, udp: udp, tcp: tcp}
		if a.behaviour == unbound {
			// The port is free here; leave it so, so that queries meet
			// ICMP port unreachable and TCP resets.
			p.close()
			continue
		}
		socks = append(socks, p)
	}
	return socks, port, nil
}

// serve starts a UDP and a TCP server on every socket pair and waits until
// each is running. On failure it stops them all.
func (l *Lab) serve(socks []socketPair, handlers map[string]*server) error {
	type starting struct {
		srv   *dns.Server
		ready chan error
		once  sync.Once
	}
	var all []*starting
	for _, p := range socks {
		h := handlers[p.addr]
		for _, srv := range []*dns.Server{
			{PacketConn: p.udp, Net: "udp", Handler: h},
			{Listener: p.tcp, Net: "tcp", Handler: h},
		} {
			s := &starting{srv: srv, ready: make(chan error, 1)}
			signal := func(err error) { s.once.Do(func() { s.ready <- err }) }
			srv.NotifyStartedFunc = func() { signal(nil) }
			all = append(all, s)
			go func() {
				err := srv.ActivateAndServe()
				if err != nil {
					l.logger.Warn("lab: server failed", "addr", p.addr, "net", srv.Net, "err", err)
				}
				// A no-op unless the server stopped before it started.
				signal(fmt.Errorf("%s/%s did not start: %v", p.addr, srv.Net, err))
			}()
		}
	}
	var errs []error
	for _, s := range all {
		if err := <-s.ready; err != nil {
			errs = append(errs, err)
			continue
		}
		l.servers = append(l.servers, s.srv)
	}
	if len(errs) > 0 {
		l.Close()
		for _, p := range socks {
			p.close() // the sockets of servers that never started
		}
		return fmt.Errorf("lab: %w", errors.Join(errs...))
	}
	return nil
}

// Port returns the UDP and TCP port every lab address listens on.
func (l *Lab) Port() int { return l.port }

// RootHints returns named.root-format root hints for the lab's root
// servers.
func (l *Lab) RootHints() string { return l.rootHints }

// TrustAnchors returns the lab root's trust anchor: the DS record (digest
// type 2, SHA-256) of the root's KSK, in zone-file format, for a probe's
// trust_anchors_file. The key is made at Start, so it differs between labs.
func (l *Lab) TrustAnchors() string { return l.trustAnchors }

// trustAnchors renders the root KSK's DS.
func trustAnchors(keys keyring) (string, error) {
	ds, err := dsSpec{key: keyID(".", "ksk"), digest: dns.SHA256}.record(keys, ".")
	if err != nil {
		return "", fmt.Errorf("lab: trust anchor: %w", err)
	}
	var b strings.Builder
	b.WriteString("; Trust anchor for the dnshealth_exporter lab root (127.53.0.1, 127.53.0.2).\n")
	b.WriteString(ds.String())
	b.WriteString("\n")
	return b.String(), nil
}

// Zones returns the demo zones in landing-page order. The slice is the
// caller's.
func (l *Lab) Zones() []Zone {
	out := make([]Zone, len(l.zones))
	for i, z := range l.zones {
		z.Lame = append([]string(nil), z.Lame...)
		z.Checks = append([]string(nil), z.Checks...)
		out[i] = z
	}
	return out
}

// Close stops every server. Calling it again does nothing.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		var errs []error
		for _, srv := range l.servers {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			if err := srv.ShutdownContext(ctx); err != nil {
				errs = append(errs, err)
			}
			cancel()
		}
		l.closeErr = errors.Join(errs...)
		l.logger.Info("lab stopped", "port", l.port)
	})
	return l.closeErr
}

// handlers parses and signs every zone copy (at now, with keys) and builds
// the handler of each serving address.
func (h *hierarchy) handlers(logger *slog.Logger, keys keyring, now time.Time) (map[string]*server, error) {
	out := map[string]*server{}
	for _, a := range h.addrs {
		out[a.addr] = &server{addr: a.addr, name: a.name, behaviour: a.behaviour, logger: logger}
	}
	var root, test *zone
	for _, c := range h.copies {
		z, err := c.file.zone(keys, now)
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		switch {
		case z.origin == "." && root == nil:
			root = z
		case z.origin == "test." && test == nil:
			test = z
		}
		for _, addr := range c.addrs {
			s, ok := out[addr]
			if !ok {
				return nil, fmt.Errorf("lab: zone %s served by unknown address %s", z.origin, addr)
			}
			s.zones = append(s.zones, z)
		}
	}
	for _, c := range h.rolling {
		rz := &rollingZone{step: h.rollStep}
		for _, f := range c.files {
			z, err := f.zone(keys, now)
			if err != nil {
				return nil, fmt.Errorf("lab: %w", err)
			}
			rz.steps = append(rz.steps, z)
		}
		for _, addr := range c.addrs {
			s, ok := out[addr]
			if !ok {
				return nil, fmt.Errorf("lab: zone %s served by unknown address %s", rz.steps[0].origin, addr)
			}
			s.rolling = append(s.rolling, rz)
		}
	}
	if root == nil || test == nil {
		return nil, errors.New("lab: hierarchy lacks the root or test. zone")
	}
	for _, s := range out {
		s.rootNS = root.apexNS()
		for _, rr := range s.rootNS {
			s.rootGlue = append(s.rootGlue, root.addresses(rr.(*dns.NS).Ns)...)
		}
		s.wrongSOA = test.soa
	}
	return out, nil
}

// zone parses the zone file, adds its DNSSEC records and signs it.
func (f zoneFile) zone(keys keyring, now time.Time) (*zone, error) {
	z, err := parseZone(f.origin, f.render())
	if err != nil {
		return nil, err
	}
	rrs, err := f.dnssecRecords(keys)
	if err != nil {
		return nil, err
	}
	for _, rr := range rrs {
		if err := z.insert(rr); err != nil {
			return nil, err
		}
	}
	if f.sign != nil {
		if err := z.sign(f.sign, keys, now); err != nil {
			return nil, err
		}
	}
	return z, nil
}
