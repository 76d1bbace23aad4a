package probe

import (
	"strings"
	"testing"
	"time"
)

// TestSigningPolicySetting: a name picks that signer's default policy,
// a mapping gives explicit durations, and anything else is an error that
// says what is wrong.
func TestSigningPolicySetting(t *testing.T) {
	for _, c := range []struct {
		yaml             string
		name             string
		refresh, errWant string
	}{
		{yaml: "bind", name: "bind", refresh: "120h0m0s"},
		{yaml: "Knot", name: "knot", refresh: "0s"},
		{yaml: "powerdns", name: "powerdns", refresh: "168h0m0s"},
		{yaml: "opendnssec", name: "opendnssec", refresh: "72h0m0s"},
		{yaml: "{validity: 30d, refresh: 5d}", name: "custom", refresh: "120h0m0s"},
		{yaml: "{validity: 720h, refresh: 36h}", name: "custom", refresh: "36h0m0s"},
		{yaml: "nsd", errWant: `signing_policy "nsd": use one of bind, knot, powerdns, opendnssec`},
		{yaml: "{validity: 5d, refresh: 5d}", errWant: "must be shorter than validity"},
		{yaml: "{validity: 14d}", errWant: "signing_policy refresh: missing"},
		{yaml: "{validity: 14d, refresh: 5d, jitter: 1h}", errWant: "field jitter not found"},
		{yaml: "{validity: 14x, refresh: 5d}", errWant: `"14x" is not a duration`},
		{yaml: "[bind]", errWant: "is a policy name"},
	} {
		cfg, err := ParseConfig([]byte("modules:\n  m:\n    signing_policy: "+c.yaml+"\n"), "")
		if c.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), c.errWant) {
				t.Errorf("%s: error %v, want one with %q", c.yaml, err, c.errWant)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.yaml, err)
			continue
		}
		p := cfg.Modules["m"].signingPolicy
		if p == nil || p.Name != c.name || p.Refresh.String() != c.refresh {
			t.Errorf("%s: policy %+v, want %s with refresh %s", c.yaml, p, c.name, c.refresh)
		}
	}
	cfg, err := ParseConfig([]byte("modules:\n  m: {}\n"), "")
	if err != nil || cfg.Modules["m"].signingPolicy != nil {
		t.Errorf("no signing_policy: %v, policy %+v, want none", err, cfg.Modules["m"].signingPolicy)
	}
	if got := signingPolicies["knot"].refreshFor(30 * time.Minute); got != 90*time.Minute {
		t.Errorf("knot's refresh with a 30m TTL = %s, want 1h30m", got)
	}
}
