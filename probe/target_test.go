package probe

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	good := []struct{ in, want string }{
		{"example.org", "example.org."},
		{"Example.ORG.", "example.org."},
		{" example.org ", "example.org."},
		{"bücher.example", "xn--bcher-kva.example."},
		{"_dmarc.example.org", "_dmarc.example.org."},
		{"xn--bcher-kva.example", "xn--bcher-kva.example."},
		{"com", "com."},
	}
	for _, tc := range good {
		t.Run("ok/"+tc.in, func(t *testing.T) {
			got, err := ParseTarget(tc.in)
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseTarget(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	bad := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"ipv4", "192.0.2.1", "IP address"},
		{"ipv6", "2001:db8::1", "IP address"},
		{"ipv6 brackets", "[2001:db8::1]", "IP address"},
		{"addr port", "192.0.2.1:53", "address and port"},
		{"url", "https://example.org/", "without scheme"},
		{"path", "example.org/x", "without scheme"},
		{"root", ".", "root zone"},
		{"empty label", "a..b", "empty label"},
		{"leading dot", ".example", "empty label"},
		{"long label", strings.Repeat("a", 64) + ".example", "63"},
		{"long name", strings.Repeat(strings.Repeat("a", 63)+".", 4) + "example", "255"},
		{"bad char", "exa$mple.org", "not allowed"},
		{"space", "exa mple.org", "without scheme"},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			_, err := ParseTarget(tc.in)
			if err == nil {
				t.Fatalf("ParseTarget(%q) succeeded", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseTarget(%q) error %q does not mention %q", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
