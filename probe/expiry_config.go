package probe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SigningPolicyConfig is a module's signing_policy: the name of a signer's
// default policy ("bind", "knot", "powerdns", "opendnssec"), or explicit
// durations:
//
//	signing_policy: bind
//	signing_policy: {validity: 30d, refresh: 5d}
//
// Durations are Go durations ("120h") or whole days ("5d").
type SigningPolicyConfig struct {
	Name     string
	Validity time.Duration
	Refresh  time.Duration
}

// UnmarshalYAML reads a policy name or a mapping of durations.
func (c *SigningPolicyConfig) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		c.Name = strings.ToLower(strings.TrimSpace(n.Value))
		return nil
	case yaml.MappingNode:
		var raw struct {
			Validity string `yaml:"validity"`
			Refresh  string `yaml:"refresh"`
		}
		// Decode strictly, so that a misspelt key is an error here too.
		if err := decodeStrict(n, &raw); err != nil {
			return err
		}
		var err error
		if c.Validity, err = parseDays(raw.Validity); err != nil {
			return fmt.Errorf("line %d: signing_policy validity: %w", n.Line, err)
		}
		if c.Refresh, err = parseDays(raw.Refresh); err != nil {
			return fmt.Errorf("line %d: signing_policy refresh: %w", n.Line, err)
		}
		c.Name = "custom"
		return nil
	}
	return fmt.Errorf("line %d: signing_policy is a policy name (%s) or {validity: D, refresh: D}", n.Line, strings.Join(PolicyNames, ", "))
}

func decodeStrict(n *yaml.Node, v any) error {
	out, err := yaml.Marshal(n)
	if err != nil {
		return fmt.Errorf("signing_policy: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(out)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("line %d: signing_policy: %w", n.Line, err)
	}
	return nil
}

// parseDays reads "5d" or a Go duration.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("missing")
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n * float64(day)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: %w", s, err)
	}
	return d, nil
}

// policy checks the setting and returns the policy it names.
func (c *SigningPolicyConfig) policy() (*SigningPolicy, error) {
	if c == nil {
		return nil, nil
	}
	if c.Name != "custom" {
		p, ok := signingPolicies[c.Name]
		if !ok {
			return nil, fmt.Errorf("signing_policy %q: use one of %s, or {validity: D, refresh: D}", c.Name, strings.Join(PolicyNames, ", "))
		}
		return &p, nil
	}
	switch {
	case c.Validity <= 0 || c.Refresh <= 0:
		return nil, errors.New("signing_policy: validity and refresh must be positive")
	case c.Refresh >= c.Validity:
		return nil, fmt.Errorf("signing_policy: refresh %s must be shorter than validity %s", c.Refresh, c.Validity)
	}
	return &SigningPolicy{Name: "custom", Validity: c.Validity, Refresh: c.Refresh, Grace: defaultGrace}, nil
}

// validateSignatures checks the settings signatures are judged by:
// signature_skew_min and signature_skew_max, and signing_policy.
func (m *Module) validateSignatures() error {
	if sk := m.signatureSkew(); sk.Min < 0 || sk.Max < 0 || sk.Min > sk.Max {
		return fmt.Errorf("signature_skew_min (%s) and signature_skew_max (%s) must be at least 0, min no more than max", sk.Min, sk.Max)
	}
	return m.parseSigningPolicy()
}

// parseSigningPolicy checks signing_policy and keeps the policy it names.
func (m *Module) parseSigningPolicy() error {
	p, err := m.SigningPolicy.policy()
	m.signingPolicy = p
	return err
}
