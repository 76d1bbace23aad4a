package probe_test

import (
	"strings"
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Keys validated under one module's trust anchors are not trusted by a
// module with the same root hints and other anchors, on the same Prober
// and cache: that module's chain stays broken however warm the cache is.
func TestCachedKeysDoNotCrossTrustAnchors(t *testing.T) {
	l, good := startLab(t)
	// The same root DS with one digest octet changed: an anchor that
	// matches no key of the lab's root.
	text := l.TrustAnchors()
	i := strings.LastIndexAny(text, "0123456789ABCDEFabcdef")
	flip := "0"
	if text[i] == '0' {
		flip = "1"
	}
	wrong, err := probe.ParseTrustAnchors(strings.NewReader(text[:i]+flip+text[i+1:]), "wrong")
	if err != nil {
		t.Fatal(err)
	}
	other := *good
	other.TrustAnchors = wrong

	p := newProber()
	if r := p.Probe(t.Context(), "sec-healthy.test.", "good", good); r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Fatalf("with the lab's anchor: %v\n%s", r.DNSSEC, debugText(r))
	}
	r := p.Probe(t.Context(), "sec-healthy.test.", "other", &other)
	if r.DNSSEC == nil || r.DNSSEC.Status == probe.DNSSECSecure {
		t.Fatalf("with an anchor matching no root key, after a probe with the right one: %v, want not secure\n%s", r.DNSSEC, debugText(r))
	}
	if got := good.TrustAnchors.Fingerprint(); got == "" || got == wrong.Fingerprint() {
		t.Errorf("fingerprints %q and %q", got, wrong.Fingerprint())
	}
}
