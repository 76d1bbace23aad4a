package probe

import (
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// signature_skew_min and signature_skew_max default to Unbound's 1 h and
// 24 h, can be set to 0 (BIND's strictness), and min above max is refused.
func TestSignatureSkewSettings(t *testing.T) {
	cfg, err := ParseConfig([]byte("modules:\n  strict:\n    signature_skew_min: 0s\n    signature_skew_max: 0s\n  wide:\n    signature_skew_max: 48h\n  plain: {}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]validate.Skew{
		"strict": {},
		"wide":   {Min: time.Hour, Max: 48 * time.Hour},
		"plain":  {Min: time.Hour, Max: 24 * time.Hour},
	} {
		if got := cfg.Modules[name].signatureSkew(); got != want {
			t.Errorf("module %s: skew %+v, want %+v", name, got, want)
		}
	}
	_, err = ParseConfig([]byte("modules:\n  x:\n    signature_skew_min: 2h\n    signature_skew_max: 1h\n"), "")
	if err == nil || !strings.Contains(err.Error(), "signature_skew_min") {
		t.Errorf("min above max: error %v", err)
	}
	if a, b := (&Module{}).cacheScopeSkew(), cfg.Modules["strict"].cacheScopeSkew(); a == b {
		t.Errorf("modules with different skews share a cache scope suffix %q", a)
	}
}
