package probe

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// Exchanger sends one DNS message to one address over "udp" or "tcp" and
// returns the reply. The network implementation is NetExchanger; tests may
// substitute an in-memory one.
type Exchanger interface {
	Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error)
}

// NetExchanger sends queries over real sockets.
type NetExchanger struct{}

// Exchange implements Exchanger.
func (NetExchanger) Exchange(ctx context.Context, m *dns.Msg, addr netip.AddrPort, network string) (*dns.Msg, time.Duration, error) {
	c := &dns.Client{Net: network, UDPSize: 65535, Timeout: DefaultQueryTimeout}
	// miekg/dns applies its own 2 s dial, write and read timeouts unless
	// Timeout is set, whatever the context says: the context's deadline
	// (the module's query_timeout, cut by the probe's) is the bound.
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
		if c.Timeout <= 0 {
			return nil, 0, fmt.Errorf("query to %s: %w", addr, context.DeadlineExceeded)
		}
	}
	if opt := m.IsEdns0(); opt != nil {
		c.UDPSize = opt.UDPSize()
	}
	// A socket of its own for every call: a fresh random source port
	// (RFC 5452 section 9.2) is half of what stands between an off-path
	// spoofer and the exporter's cache, and no late duplicate reply to an
	// earlier query can be read as this one's. A probe's own UDP queries
	// go through its session (udpsession.go), which shares one socket per
	// server address for the probe and keeps both properties.
	if network != "udp" {
		return c.ExchangeContext(ctx, m, addr.String())
	}
	// A connected UDP socket made directly: the kernel then drops datagrams
	// from any other address, and the dial skips net.Dialer's address
	// parsing and the goroutine it starts to watch the context, a third of
	// the dial's CPU (docs/benchmarks.md). Connecting a UDP socket never
	// waits, so there is no context to watch; the exchange's deadlines
	// come from the context as before.
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, 0, fmt.Errorf("query to %s: %w", addr, err)
	}
	defer conn.Close()
	return c.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn, UDPSize: c.UDPSize})
}

// Prober runs probes. One Prober serves every request; its cache is shared.
// The zero value works: real sockets, the system clock, no cache, no logs.
type Prober struct {
	Exchanger Exchanger
	// Now is the clock; nil means time.Now. Cache expiry uses it.
	Now    func() time.Time
	Cache  *Cache
	Logger *slog.Logger
	// SigMemo remembers signature checks across probes (see
	// validate.Memo); nil checks every signature afresh.
	SigMemo *validate.Memo
	// Rollover remembers each zone's keys, DS and CDS across probes, for
	// the rollover classifier (rollover_memory.go); nil remembers nothing
	// and classifies every probe as a cold start.
	Rollover *RolloverMemory
	// Expiry remembers each zone's signing rhythm across probes (see
	// ExpiryMemory); nil learns nothing and judges every probe afresh.
	Expiry *ExpiryMemory
	// MaxValidations bounds the public-key operations of one probe; 0
	// means validate.DefaultProbeVerifications.
	MaxValidations int
	// Sweeps runs the whole-zone sweeps of modules that have one, in the
	// background; nil runs each inline, within the probe that wants it
	// (the check command).
	Sweeps *Sweeps
}

func (p *Prober) maxValidations() int {
	if p.MaxValidations > 0 {
		return p.MaxValidations
	}
	return validate.DefaultProbeVerifications
}

// sigMemoEntries bounds the signature memo of NewProber. A signed zone
// needs about eight checks (DNSKEY, SOA, NS, the denials; its servers
// serve the same RRsets, so they share them), and the memo is emptied when
// full: 250,000 keeps 30,000 signed zones warm between scrapes, where
// 20,000 left a 10,000-zone scrape verifying most signatures afresh
// (docs/benchmarks.md). An entry takes about 120 bytes: 28 MiB when full.
const sigMemoEntries = 250000

// rolloverZones bounds the rollover memory of NewProber: a zone costs a
// few kilobytes.
const rolloverZones = 10000

// NewProber returns a Prober on real sockets with a cache of the given size.
func NewProber(logger *slog.Logger, cacheEntries int) *Prober {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Prober{
		Exchanger: NetExchanger{},
		Now:       time.Now,
		Cache:     NewCache(cacheEntries),
		Logger:    logger,
		SigMemo:   validate.NewMemo(sigMemoEntries),
		Rollover:  NewRolloverMemory(rolloverZones),
		Sweeps:    NewSweeps(),
		Expiry:    NewExpiryMemory(DefaultExpiryZones),
	}
}

func (p *Prober) exchanger() Exchanger {
	if p.Exchanger == nil {
		return NetExchanger{}
	}
	return p.Exchanger
}

func (p *Prober) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

func (p *Prober) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}
