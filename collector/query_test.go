package collector

import (
	"net/http"
	"strings"
	"testing"
)

// TestHandlerMalformedQuery: a broken percent-encoding is reported as
// such, not as the empty target url.URL.Query would leave behind.
func TestHandlerMalformedQuery(t *testing.T) {
	for _, path := range []string{"/probe?target=%ZZ", "/probe?target=example.org&module=%G1", "/probe?target=example.org&debug=%"} {
		t.Run(path, func(t *testing.T) {
			h, rec := newTestHandler(t, nil)
			w := get(t, h, path, nil)
			if w.Code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", w.Code)
			}
			body := w.Body.String()
			if !strings.HasPrefix(body, "malformed query string: invalid URL escape") || strings.Count(body, "\n") != 1 {
				t.Errorf("body %q, want one line about the malformed escape", body)
			}
			assertNotProbed(t, rec)
		})
	}
}

// TestHandlerDebugValues: debug takes the yes and no people type, and
// anything else is a 400 before any probe runs.
func TestHandlerDebugValues(t *testing.T) {
	tests := []struct {
		value string
		code  int
		text  bool // the debug text rather than metrics
	}{
		{"1", http.StatusOK, true},
		{"true", http.StatusOK, true},
		{"yes", http.StatusOK, true},
		{"YES", http.StatusOK, true},
		{"True", http.StatusOK, true},
		{"", http.StatusOK, false},
		{"0", http.StatusOK, false},
		{"false", http.StatusOK, false},
		{"no", http.StatusOK, false},
		{"maybe", http.StatusBadRequest, false},
		{"2", http.StatusBadRequest, false},
		{"t", http.StatusBadRequest, false},
		{"yes please", http.StatusBadRequest, false},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			h, rec := newTestHandler(t, nil)
			w := get(t, h, "/probe?target=example.org&debug="+strings.ReplaceAll(tc.value, " ", "+"), nil)
			if w.Code != tc.code {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.code, w.Body.String())
			}
			body := w.Body.String()
			if tc.code == http.StatusBadRequest {
				if !strings.HasPrefix(body, `invalid debug value "`+tc.value+`"`) || strings.Count(body, "\n") != 1 {
					t.Errorf("body %q, want one line naming the value", body)
				}
				assertNotProbed(t, rec)
				assertValue(t, "probes_total{outcome=error}", h.Metrics.ProbesTotal.WithLabelValues("default", OutcomeError), 1)
				return
			}
			if got := strings.Contains(body, "findings:"); got != tc.text {
				t.Errorf("debug text served: %t, want %t:\n%s", got, tc.text, body)
			}
			if got := strings.Contains(body, "# TYPE probe_success gauge"); !got {
				t.Errorf("no metrics in the answer:\n%s", body)
			}
		})
	}
}
