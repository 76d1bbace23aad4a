package display

import (
	"slices"
	"testing"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

func TestNamesDropsTrailingDotsOnACopy(t *testing.T) {
	r := &probe.Report{
		Zone:          "example.com.",
		Path:          []probe.Hop{{Zone: ".", Servers: []string{"a.root."}}},
		DelegationNS:  []string{"ns1.example.com."},
		NSAddresses:   map[string][]string{"ns1.example.com.": {"192.0.2.1"}},
		ParentServers: []probe.ParentServer{{Nameserver: "a.gtld.", NS: []string{"ns1.example.com."}, Glue: map[string][]string{"ns1.example.com.": {"192.0.2.1"}}}},
		Servers:       []probe.ServerResult{{Nameserver: "ns1.example.com.", ApexNS: []string{"ns1.example.com."}}},
		Findings:      []probe.Finding{{Check: probe.CheckLameRefused, Nameserver: "ns1.example.com."}},
		Queries:       []probe.Query{{Nameserver: "ns1.example.com."}},
		DNSSEC: &probe.DNSSECReport{
			Signatures: []probe.SignatureObs{{Nameserver: "ns1.example.com.", Owner: "example.com."}},
			Denials:    []probe.DenialObs{{Nameserver: "ns1.example.com."}},
		},
	}
	c := Names(r)
	got := []string{c.Path[0].Servers[0], c.DelegationNS[0], c.ParentServers[0].Nameserver, c.ParentServers[0].NS[0],
		c.Servers[0].Nameserver, c.Servers[0].ApexNS[0], c.Findings[0].Nameserver, c.Queries[0].Nameserver,
		c.DNSSEC.Signatures[0].Nameserver, c.DNSSEC.Denials[0].Nameserver}
	for i, n := range got {
		if n[len(n)-1] == '.' {
			t.Errorf("name %d = %q, still with its trailing dot", i, n)
		}
	}
	if _, ok := c.NSAddresses["ns1.example.com"]; !ok {
		t.Errorf("NSAddresses keys = %v", c.NSAddresses)
	}
	if _, ok := c.ParentServers[0].Glue["ns1.example.com"]; !ok {
		t.Errorf("glue keys = %v", c.ParentServers[0].Glue)
	}
	// Zone names and the original report are left alone.
	if c.Zone != "example.com." || c.DNSSEC.Signatures[0].Owner != "example.com." {
		t.Errorf("zone names changed: %q, %q", c.Zone, c.DNSSEC.Signatures[0].Owner)
	}
	if !slices.Equal(r.DelegationNS, []string{"ns1.example.com."}) || r.Servers[0].Nameserver != "ns1.example.com." ||
		r.Findings[0].Nameserver != "ns1.example.com." || r.DNSSEC.Signatures[0].Nameserver != "ns1.example.com." {
		t.Error("Names changed the report it was given")
	}
}
