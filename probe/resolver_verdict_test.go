package probe_test

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/demo"
	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The resolvers are asked alongside the probe, before the exporter has a
// DNSSEC verdict of its own; a resolver that answers a zone the exporter
// then validates as secure without AD is still judged against that
// verdict: status insecure and resolver_disagreement, while a resolver
// that sets AD raises nothing.
func TestResolverWithoutADDisagreesWithTheSecureVerdict(t *testing.T) {
	l, err := lab.Start(lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	stub := func(ad bool) *dnstest.ResolverStub {
		return dnstest.StartResolverStub(t, false, func(w dns.ResponseWriter, req *dns.Msg) {
			if err := w.WriteMsg(dnstest.ResolverReply(t, req, dns.RcodeSuccess, ad, true)); err != nil {
				t.Errorf("stub resolver write: %v", err)
			}
		})
	}
	noAD, withAD := stub(false), stub(true)
	m, err := demo.Module(l, func(m *probe.Module) {
		m.QueryTimeout, m.QueryAttempts = 400*time.Millisecond, 2
		m.Resolvers = []string{noAD.Addr, withAD.Addr}
	})
	if err != nil {
		t.Fatal(err)
	}
	r := newProber().Probe(t.Context(), "sec-healthy.test.", "lab", m)
	if r.DNSSEC == nil || r.DNSSEC.Status != probe.DNSSECSecure {
		t.Fatalf("the exporter's own verdict is not secure\n%s", debugText(r))
	}
	status := map[string]probe.ResolverStatus{}
	for _, res := range r.Resolvers {
		status[res.Resolver] = res.Status
	}
	if status[noAD.Addr] != probe.ResolverInsecure || status[withAD.Addr] != probe.ResolverOK {
		t.Errorf("resolver statuses %v, want %s insecure and %s ok", status, noAD.Addr, withAD.Addr)
	}
	var disagree []string
	for _, f := range r.Findings {
		if f.Check == probe.CheckResolverDisagreement {
			disagree = append(disagree, f.Address)
		}
	}
	if len(disagree) != 1 || disagree[0] != noAD.Addr {
		t.Errorf("resolver_disagreement at %v, want only at %s\n%s", disagree, noAD.Addr, debugText(r))
	}
}
