package probe_test

import (
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// A zone whose only issue is NSEC3 iterations above the validators' limit
// keeps status secure for its positive answers, as Unbound keeps AD=1 on
// them; the downgrade of its denials is reported apart, as a finding and
// as NSEC3.DenialsInsecure. A zone within the limits has no such mark.
func TestNSEC3IterationsDowngradeOnlyDenials(t *testing.T) {
	_, m := startLab(t)
	p := newProber()
	r := p.Probe(t.Context(), "sec-nsec3-iter.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Errorf("status %v, want secure for positive answers\n%s", r.DNSSEC, debugText(r))
	}
	if r.DNSSEC == nil || r.DNSSEC.NSEC3 == nil || !r.DNSSEC.NSEC3.DenialsInsecure || !r.HasFinding(probe.CheckNSEC3IterationsLimit) {
		t.Errorf("denials not reported insecure\n%s", debugText(r))
	}
	r = p.Probe(t.Context(), "sec-nsec3.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.NSEC3 == nil || r.DNSSEC.NSEC3.DenialsInsecure || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Errorf("sec-nsec3.test: %+v\n%s", r.DNSSEC, debugText(r))
	}
}
