package probe

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
)

// Sweep defaults (docs/configuration.md).
const (
	DefaultSweepInterval       = time.Hour
	DefaultSweepTimeout        = 10 * time.Minute
	DefaultSweepExpiryWarning  = 24 * time.Hour
	DefaultSweepMaxValidations = 2_000_000
	// sweepRetry is how soon a failed sweep is tried again, when the
	// interval is longer.
	sweepRetry = 5 * time.Minute
)

// SweepConfig is a module's whole-zone sweep: the zone transferred from
// Primary on its own interval and every RRset checked (probe/sweep).
type SweepConfig struct {
	// Primary is the address ("192.0.2.1", "[2001:db8::1]:5353") the zone
	// is transferred from: any server that allows AXFR, in the NS set or
	// not (a hidden primary).
	Primary string `yaml:"primary"`
	// TSIG signs the transfer; nil sends an unsigned request.
	TSIG *TSIGConfig `yaml:"tsig"`
	// Interval is how often the zone is swept; probes in between report
	// the last result with its age.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one sweep, transfer and validation.
	Timeout time.Duration `yaml:"timeout"`
	// ExpiryWarning is the window within which an RRset's expiry is
	// counted (sweep_rrsig_expiring).
	ExpiryWarning time.Duration `yaml:"expiry_warning"`
	// MaxValidations bounds the public-key operations of one sweep.
	MaxValidations int `yaml:"max_validations"`
	// Window is how many owner names the sweep holds at once (see
	// probe/sweep); 0 means sweep.DefaultWindow.
	Window int `yaml:"window"`

	primary netip.AddrPort
}

// TSIGConfig is a TSIG key (RFC 8945). The secret is given inline or in a
// file; it never appears in the debug view.
type TSIGConfig struct {
	Name       string `yaml:"name"`
	Algorithm  string `yaml:"algorithm"`
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`

	secret string
}

// Secret is a string that renders as "<secret>" when the configuration is
// shown (the debug view prints the module).
type Secret string

// MarshalYAML implements yaml.Marshaler.
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return "<secret>", nil
}

// tsigAlgorithms are the TSIG algorithms miekg/dns signs with.
var tsigAlgorithms = map[string]string{
	"hmac-sha1":   dns.HmacSHA1,
	"hmac-sha224": dns.HmacSHA224,
	"hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384,
	"hmac-sha512": dns.HmacSHA512,
}

// check fills the defaults and validates; a nil config is valid.
func (c *SweepConfig) check(baseDir string) error {
	if c == nil {
		return nil
	}
	if err := c.validate(baseDir); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

func (c *SweepConfig) validate(baseDir string) error {
	if c.Interval == 0 {
		c.Interval = DefaultSweepInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultSweepTimeout
	}
	if c.ExpiryWarning == 0 {
		c.ExpiryWarning = DefaultSweepExpiryWarning
	}
	if c.MaxValidations == 0 {
		c.MaxValidations = DefaultSweepMaxValidations
	}
	switch {
	case c.Interval < time.Minute:
		return fmt.Errorf("interval must be at least 1m, got %s", c.Interval)
	case c.Timeout < 0:
		return errors.New("timeout must be positive")
	case c.ExpiryWarning < 0:
		return errors.New("expiry_warning must be positive")
	case c.MaxValidations < 0:
		return errors.New("max_validations must be positive")
	case c.Window < 0 || c.Window > 1_000_000:
		return fmt.Errorf("window must be between 1 and 1000000, got %d", c.Window)
	}
	if c.Primary == "" {
		return errors.New("primary is required: the address the zone is transferred from")
	}
	ap, err := ParseResolver(c.Primary)
	if err != nil {
		return fmt.Errorf("primary: %w", err)
	}
	c.primary = ap
	if t := c.TSIG; t != nil {
		if _, ok := dns.IsDomainName(t.Name); !ok || t.Name == "" {
			return fmt.Errorf("tsig: name %q is not a key name", t.Name)
		}
		if t.Algorithm == "" {
			t.Algorithm = "hmac-sha256"
		}
		if _, ok := tsigAlgorithms[strings.ToLower(strings.TrimSuffix(t.Algorithm, "."))]; !ok {
			return fmt.Errorf("tsig: algorithm %q is not one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512", t.Algorithm)
		}
		secret := string(t.Secret)
		switch {
		case secret != "" && t.SecretFile != "":
			return errors.New("tsig: give secret or secret_file, not both")
		case t.SecretFile != "":
			b, err := os.ReadFile(resolvePath(t.SecretFile, baseDir))
			if err != nil {
				return fmt.Errorf("tsig: secret_file: %w", err)
			}
			secret = strings.TrimSpace(string(b))
		}
		if _, err := base64.StdEncoding.DecodeString(secret); err != nil || secret == "" {
			return errors.New("tsig: the secret must be base64, as tsig-keygen and ldns-keygen write it")
		}
		t.secret = secret
	}
	return nil
}

// source is where the sweep transfers the zone from.
func (c *SweepConfig) source() sweep.Source {
	src := sweep.Source{Addr: c.primary}
	if t := c.TSIG; t != nil {
		src.TSIG = &sweep.TSIG{Name: t.Name, Algorithm: tsigAlgorithms[strings.ToLower(strings.TrimSuffix(t.Algorithm, "."))], Secret: t.secret}
	}
	return src
}
