package probe_test

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// withNSID wraps h: when a query carries the NSID option, the reply
// carries payload as its NSID (RFC 5001 section 2.2), as BIND and NSD do.
// asked counts the queries that carried the option.
func withNSID(h dnstest.Handler, payload []byte, asked *int) dnstest.Handler {
	return func(q *dns.Msg) *dns.Msg {
		m := h(q)
		opt := q.IsEdns0()
		if opt == nil {
			return m
		}
		for _, o := range opt.Option {
			if _, ok := o.(*dns.EDNS0_NSID); ok {
				*asked++
				m.SetEdns0(1232, opt.Do())
				ro := m.IsEdns0()
				ro.Option = append(ro.Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID, Nsid: hex.EncodeToString(payload)})
			}
		}
		return m
	}
}

// TestNSIDAskedInTheSOAQueryAndReportedPerAddress: the NSID each server
// returns lands in its ServerResult, asked for in the SOA query the probe
// sends anyway (the query count does not change), printable payloads as
// text and others as hex; a server that returns none has none.
func TestNSIDAskedInTheSOAQueryAndReportedPerAddress(t *testing.T) {
	plainNet, m := miniNet(t)
	plain := (&probe.Prober{Exchanger: plainNet}).Probe(t.Context(), "zone.tld.", "mem", m)

	net, m := miniNet(t)
	ns1, ns2 := netip.MustParseAddr("192.0.2.21"), netip.MustParseAddr("192.0.2.22")
	var asked1, asked2 int
	net[ns1] = withNSID(net[ns1], []byte("fra1.anycast.example"), &asked1)
	net[ns2] = withNSID(net[ns2], []byte{0xde, 0xad, 0x00, 0x01}, &asked2)
	r := (&probe.Prober{Exchanger: net}).Probe(t.Context(), "zone.tld.", "mem", m)

	got := map[string]string{}
	for _, s := range r.Servers {
		got[s.Address] = s.NSID
	}
	if got["192.0.2.21"] != "fra1.anycast.example" || got["192.0.2.22"] != "0xdead0001" {
		t.Errorf("NSIDs = %v, want 192.0.2.21 fra1.anycast.example, 192.0.2.22 0xdead0001\n%s", got, debugText(r))
	}
	if text := debugText(r); !strings.Contains(text, `nsid="fra1.anycast.example"`) {
		t.Errorf("the debug view lacks the NSID:\n%s", text)
	}
	if asked1 != 1 || asked2 != 1 {
		t.Errorf("queries carrying the NSID option: ns1 %d, ns2 %d; want 1 each (the SOA query)", asked1, asked2)
	}
	if r.QueryCount != plain.QueryCount {
		t.Errorf("the probe sent %d queries with NSID servers and %d without: asking for NSID must cost no query", r.QueryCount, plain.QueryCount)
	}
	for _, s := range plain.Servers {
		if s.NSID != "" {
			t.Errorf("%s sent no NSID, but the report has %q", s.Address, s.NSID)
		}
	}
}

// TestNSIDTextCutsLongPayloads: a payload longer than 64 characters is
// cut, so that a label value stays bounded.
func TestNSIDTextCutsLongPayloads(t *testing.T) {
	long := make([]byte, 200)
	for i := range long {
		long[i] = 'a'
	}
	if s := probe.NSIDText(long); len([]rune(s)) != 64 || s[len(s)-len("…"):] != "…" {
		t.Errorf("NSIDText(200 × a) = %q (%d characters), want 63 a and …", s, len([]rune(s)))
	}
}
