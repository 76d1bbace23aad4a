// Package display renders the names of a probe.Report as people read
// them. The report keeps every name fully qualified; the renderers
// (collector/ for label values, triage/ for `check`, report/ for the HTML
// page) show host names without the trailing dot, through Names.
package display

import (
	"slices"
	"strings"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Bare is a host name without its trailing dot.
func Bare(name string) string { return strings.TrimSuffix(name, ".") }

func bareAll(names []string) []string {
	if names == nil {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Bare(n)
	}
	return out
}

func bareKeys(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[Bare(k)] = v
	}
	return out
}

// Names returns a copy of r whose nameserver names (the walk's servers,
// the delegation, the parent servers, the nameservers, findings, queries,
// signature and denial observations) have no trailing dot. Zone names are
// left as they are: each renderer has its own way to show the root. r is
// not changed.
func Names(r *probe.Report) *probe.Report {
	if r == nil {
		return nil
	}
	c := *r
	c.Path = slices.Clone(r.Path)
	for i, h := range c.Path {
		h.Servers = bareAll(h.Servers)
		c.Path[i] = h
	}
	c.DelegationNS = bareAll(r.DelegationNS)
	c.NSAddresses = bareKeys(r.NSAddresses)
	c.ParentServers = slices.Clone(r.ParentServers)
	for i, p := range c.ParentServers {
		p.Nameserver, p.NS, p.Glue = Bare(p.Nameserver), bareAll(p.NS), bareKeys(p.Glue)
		c.ParentServers[i] = p
	}
	c.Servers = slices.Clone(r.Servers)
	for i, s := range c.Servers {
		s.Nameserver, s.ApexNS = Bare(s.Nameserver), bareAll(s.ApexNS)
		c.Servers[i] = s
	}
	c.Findings = slices.Clone(r.Findings)
	for i, f := range c.Findings {
		f.Nameserver = Bare(f.Nameserver)
		c.Findings[i] = f
	}
	c.Queries = slices.Clone(r.Queries)
	for i, q := range c.Queries {
		q.Nameserver = Bare(q.Nameserver)
		c.Queries[i] = q
	}
	if r.DNSSEC != nil {
		d := *r.DNSSEC
		d.Signatures = slices.Clone(d.Signatures)
		for i, s := range d.Signatures {
			s.Nameserver = Bare(s.Nameserver)
			d.Signatures[i] = s
		}
		d.Denials = slices.Clone(d.Denials)
		for i, o := range d.Denials {
			o.Nameserver = Bare(o.Nameserver)
			d.Denials[i] = o
		}
		c.DNSSEC = &d
	}
	return &c
}
