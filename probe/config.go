package probe

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// rootHints is IANA's named.root, the same file Debian's dns-root-data ships
// as /usr/share/dns/root.hints.
//
//go:embed data/root.hints
var rootHints []byte

// IP protocol choices for Module.IPProtocol.
const (
	IPv4Only = "ip4"
	IPv6Only = "ip6"
	IPBoth   = "both"
)

// Module defaults.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultQueryTimeout   = 2 * time.Second
	DefaultQueryAttempts  = 2
	DefaultPort           = 53
	DefaultEDNSBufferSize = 1232
	DefaultMaxQueries     = 300
)

// Config is the exporter's configuration file: a set of named modules.
type Config struct {
	Modules map[string]*Module `yaml:"modules"`
}

// Module says how to probe a zone.
type Module struct {
	// Timeout caps the whole probe; the scrape timeout may shorten it.
	Timeout time.Duration `yaml:"timeout"`
	// QueryTimeout caps one query, all its UDP attempts together: each
	// attempt waits QueryTimeout/QueryAttempts before the next is sent, so
	// a server that never answers costs one QueryTimeout.
	QueryTimeout time.Duration `yaml:"query_timeout"`
	// QueryAttempts is how many times a UDP query is sent before the
	// server is declared timed out.
	QueryAttempts int `yaml:"query_attempts"`
	// RootHintsFile is a named.root-format file; empty means IANA's root
	// servers, compiled in.
	RootHintsFile string `yaml:"root_hints_file"`
	// IPProtocol selects which address families of each nameserver to probe.
	IPProtocol string `yaml:"ip_protocol"`
	// Port is the destination port of every query (53 except in labs).
	Port int `yaml:"port"`
	// EDNSBufferSize is the advertised EDNS0 UDP payload size.
	EDNSBufferSize uint16 `yaml:"edns_buffer_size"`
	// MaxQueries bounds the DNS messages one probe may send.
	MaxQueries int `yaml:"max_queries"`
	// TrustAnchorsFile holds DS and/or DNSKEY records in zone-file format,
	// for any zones; empty means IANA's root anchors, compiled in.
	TrustAnchorsFile string `yaml:"trust_anchors_file"`
	// Records are extra RRsets whose signatures are checked on every
	// server, besides the apex SOA, NS and DNSKEY.
	Records []RecordSpec `yaml:"records"`
	// DNSSEC turns the DNSSEC checks off when false (default true): for
	// an unsigned private hierarchy with no trust anchor of its own.
	DNSSEC *bool `yaml:"dnssec"`
	// Resolvers are recursive resolvers ("address" or "address:port",
	// port 53 by default) asked for the zone with and without CD, for the
	// view users get. None by default: which resolvers to ask is a choice.
	Resolvers []string `yaml:"resolvers"`
	// Sweep transfers the whole zone on an interval of its own and checks
	// every RRset (sweep_config.go); nil, the default, sweeps nothing.
	Sweep *SweepConfig `yaml:"sweep"`
	// SigningPolicy names the zone signer's policy, by which signature
	// expiry is judged (expiry.go); nil learns it from the zone.
	SigningPolicy *SigningPolicyConfig `yaml:"signing_policy"`
	// SignatureSkewMin and SignatureSkewMax bound the allowance for a
	// signature whose inception is in the future (a signer's clock ahead
	// of the exporter's): a tenth of its validity period, clamped to
	// [min, max], as Unbound's val-sig-skew-min and val-sig-skew-max. nil
	// means Unbound's defaults, 1h and 24h; 0 and 0 allow nothing, as BIND.
	SignatureSkewMin *time.Duration `yaml:"signature_skew_min"`
	SignatureSkewMax *time.Duration `yaml:"signature_skew_max"`

	// RolloverPropagation is the allowance added to every TTL when the
	// rollover classifier times a step (RFC 7583's Dprp); 0 means
	// DefaultRolloverPropagation.
	RolloverPropagation time.Duration `yaml:"rollover_propagation"`
	// RolloverStuckAfter is how long one rollover state may last before
	// rollover_stuck; 0 means DefaultRolloverStuckAfter.
	RolloverStuckAfter time.Duration `yaml:"rollover_stuck_after"`

	// RootServers holds the parsed root hints. It is filled at load time
	// (or set directly by the demo) and never read from YAML.
	RootServers []NameServer `yaml:"-"`
	// TrustAnchors holds the parsed trust anchors, filled like RootServers.
	TrustAnchors *TrustAnchors `yaml:"-"`
	// resolverAddrs are the parsed Resolvers.
	resolverAddrs []netip.AddrPort
	// signingPolicy is the parsed SigningPolicy.
	signingPolicy *SigningPolicy
}

// RecordSpec names one RRset to check: a name relative to the zone ("@"
// for the apex, or a name ending in a dot to give it in full) and a type.
type RecordSpec struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`

	qtype uint16
}

// NameServer is a server name with its addresses.
type NameServer struct {
	Name  string
	Addrs []netip.Addr
}

// DefaultModule returns the built-in module: IANA's root, both families.
func DefaultModule() *Module {
	m := &Module{}
	m.setDefaults()
	servers, err := ParseRootHints(bytes.NewReader(rootHints), "compiled-in root hints")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	m.RootServers = servers
	return m
}

func (m *Module) setDefaults() {
	if m.Timeout == 0 {
		m.Timeout = DefaultTimeout
	}
	if m.QueryTimeout == 0 {
		m.QueryTimeout = DefaultQueryTimeout
	}
	if m.QueryAttempts == 0 {
		m.QueryAttempts = DefaultQueryAttempts
	}
	if m.IPProtocol == "" {
		m.IPProtocol = IPBoth
	}
	if m.Port == 0 {
		m.Port = DefaultPort
	}
	if m.EDNSBufferSize == 0 {
		m.EDNSBufferSize = DefaultEDNSBufferSize
	}
	if m.MaxQueries == 0 {
		m.MaxQueries = DefaultMaxQueries
	}
	if m.RolloverPropagation == 0 {
		m.RolloverPropagation = DefaultRolloverPropagation
	}
	if m.RolloverStuckAfter == 0 {
		m.RolloverStuckAfter = DefaultRolloverStuckAfter
	}
}

// Validate fills defaults and checks every value, loading the root hints.
// baseDir resolves a relative root_hints_file.
func (m *Module) Validate(baseDir string) error {
	m.setDefaults()
	switch {
	case m.Timeout < 0:
		return errors.New("timeout must be positive")
	case m.QueryTimeout < 0:
		return errors.New("query_timeout must be positive")
	case m.QueryAttempts < 1 || m.QueryAttempts > 5:
		return fmt.Errorf("query_attempts must be between 1 and 5, got %d", m.QueryAttempts)
	case m.Port < 1 || m.Port > 65535:
		return fmt.Errorf("port must be between 1 and 65535, got %d", m.Port)
	case m.EDNSBufferSize < 512:
		return fmt.Errorf("edns_buffer_size must be at least 512, got %d", m.EDNSBufferSize)
	case m.MaxQueries < 10 || m.MaxQueries > 10000:
		return fmt.Errorf("max_queries must be between 10 and 10000, got %d", m.MaxQueries)
	case m.RolloverPropagation < 0 || m.RolloverStuckAfter < 0:
		return errors.New("rollover_propagation and rollover_stuck_after must be positive")
	}
	switch m.IPProtocol {
	case IPv4Only, IPv6Only, IPBoth:
	default:
		return fmt.Errorf("ip_protocol must be ip4, ip6 or both, got %q", m.IPProtocol)
	}
	if err := m.validateRecords(); err != nil {
		return err
	}
	if err := m.validateSignatures(); err != nil {
		return err
	}
	if err := m.parseResolvers(); err != nil {
		return err
	}
	if err := m.Sweep.check(baseDir); err != nil {
		return err
	}
	if m.TrustAnchors == nil {
		anchors, err := loadAnchors(m.TrustAnchorsFile, baseDir)
		if err != nil {
			return fmt.Errorf("trust_anchors_file: %w", err)
		}
		m.TrustAnchors = anchors
	}
	if m.RootServers != nil {
		return nil
	}
	if m.RootHintsFile == "" {
		m.RootServers = DefaultModule().RootServers
		return nil
	}
	path := resolvePath(m.RootHintsFile, baseDir)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("root_hints_file: %w", err)
	}
	defer f.Close()
	servers, err := ParseRootHints(f, path)
	if err != nil {
		return fmt.Errorf("root_hints_file: %w", err)
	}
	m.RootServers = servers
	return nil
}

// validateRecords checks the records setting and notes each one's type.
func (m *Module) validateRecords() error {
	if len(m.Records) > 20 {
		return fmt.Errorf("records: at most 20, got %d", len(m.Records))
	}
	for i := range m.Records {
		rec := &m.Records[i]
		t, ok := dns.StringToType[strings.ToUpper(rec.Type)]
		if !ok || t == dns.TypeANY || t == dns.TypeAXFR || t == dns.TypeIXFR || t == dns.TypeRRSIG || t == dns.TypeOPT {
			return fmt.Errorf("records[%d]: type %q is not a record type that can be checked", i, rec.Type)
		}
		rec.qtype = t
		if rec.Name == "" {
			return fmt.Errorf("records[%d]: name is empty; use \"@\" for the zone apex", i)
		}
		if _, ok := dns.IsDomainName(rec.Name); !ok && rec.Name != "@" {
			return fmt.Errorf("records[%d]: name %q is not a domain name", i, rec.Name)
		}
	}
	return nil
}

// parseResolvers checks the module's resolvers and parses them.
func (m *Module) parseResolvers() error {
	if len(m.Resolvers) > 10 {
		return fmt.Errorf("resolvers: at most 10, got %d", len(m.Resolvers))
	}
	m.resolverAddrs = nil
	for i, r := range m.Resolvers {
		ap, err := ParseResolver(r)
		if err != nil {
			return fmt.Errorf("resolvers[%d]: %w", i, err)
		}
		m.resolverAddrs = append(m.resolverAddrs, ap)
	}
	return nil
}

// ParseResolver reads a resolver address: "192.0.2.53", "2001:db8::53",
// "192.0.2.53:5353" or "[2001:db8::53]:5353". The port defaults to 53.
func ParseResolver(s string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a, 53), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("%q is not an IP address or address:port", s)
	}
	return ap, nil
}

func resolvePath(path, baseDir string) string {
	if !strings.HasPrefix(path, "/") && baseDir != "" {
		return baseDir + "/" + path
	}
	return path
}

// ParseRootHints reads a named.root-format file: NS records for "." and the
// A/AAAA records of those names. Every NS name needs at least one address.
func ParseRootHints(r io.Reader, source string) ([]NameServer, error) {
	zp := dns.NewZoneParser(r, ".", source)
	var names []string
	addrs := map[string][]netip.Addr{}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		name := strings.ToLower(rr.Header().Name)
		switch v := rr.(type) {
		case *dns.NS:
			if name != "." {
				return nil, fmt.Errorf("%s: NS record for %q; root hints hold NS records for \".\" only", source, name)
			}
			names = append(names, strings.ToLower(v.Ns))
		case *dns.A:
			a, ok := netip.AddrFromSlice(v.A.To4())
			if !ok {
				return nil, fmt.Errorf("%s: the A record of %s has no IPv4 address", source, name)
			}
			addrs[name] = append(addrs[name], a)
		case *dns.AAAA:
			a, ok := netip.AddrFromSlice(v.AAAA)
			if !ok || !a.Is6() {
				return nil, fmt.Errorf("%s: the AAAA record of %s has no IPv6 address", source, name)
			}
			addrs[name] = append(addrs[name], a)
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no NS records for \".\"", source)
	}
	sort.Strings(names)
	var out []NameServer
	for _, n := range names {
		if len(addrs[n]) == 0 {
			return nil, fmt.Errorf("%s: root server %s has no A or AAAA record", source, n)
		}
		out = append(out, NameServer{Name: n, Addrs: addrs[n]})
	}
	return out, nil
}

// LoadConfig reads and validates a configuration file. Unknown keys are
// errors that name the key and its line. The built-in "default" module is
// added unless the file defines its own.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	dir := ""
	if i := strings.LastIndex(path, "/"); i >= 0 {
		dir = path[:i]
	}
	cfg, err := ParseConfig(data, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses and validates configuration YAML; baseDir resolves
// relative file names in it.
func ParseConfig(data []byte, baseDir string) (*Config, error) {
	cfg := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parsing config: %w", err)
	}
	if cfg.Modules == nil {
		cfg.Modules = map[string]*Module{}
	}
	for name, m := range cfg.Modules {
		if m == nil {
			m = &Module{}
			cfg.Modules[name] = m
		}
		if !validModuleName(name) {
			return nil, fmt.Errorf("module name %q: use letters, digits, '_' and '-'", name)
		}
		if err := m.Validate(baseDir); err != nil {
			return nil, fmt.Errorf("module %q: %w", name, err)
		}
	}
	if _, ok := cfg.Modules["default"]; !ok {
		cfg.Modules["default"] = DefaultModule()
	}
	return cfg, nil
}

// DefaultConfig is the configuration used when no file is given.
func DefaultConfig() *Config {
	return &Config{Modules: map[string]*Module{"default": DefaultModule()}}
}

func validModuleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// dnssecEnabled reports whether the module validates DNSSEC.
func (m *Module) dnssecEnabled() bool {
	return m.DNSSEC == nil || *m.DNSSEC
}

// signatureSkew is the module's allowance for inceptions in the future.
func (m *Module) signatureSkew() validate.Skew {
	s := validate.DefaultSkew()
	if m.SignatureSkewMin != nil {
		s.Min = *m.SignatureSkewMin
	}
	if m.SignatureSkewMax != nil {
		s.Max = *m.SignatureSkewMax
	}
	return s
}

// cacheScopeSkew separates the keys validated under different skews.
func (m *Module) cacheScopeSkew() string {
	s := m.signatureSkew()
	return ",skew=" + s.Min.String() + "/" + s.Max.String()
}
