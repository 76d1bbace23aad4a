package probe

import (
	"net/netip"
	"slices"
	"strings"
)

// judgeAddresses judges what each nameserver address answered on its own:
// lame, unreachable family, EDNS, apex NS.
func judgeAddresses(zone string, obs []serverObs) []raised {
	var fs []raised
	name := strings.TrimSuffix(zone, ".")
	for _, o := range obs {
		s := o.result
		if s == nil {
			continue
		}
		switch {
		case s.Status == StatusFamilyUnreachable:
			fs = append(fs, raise(CheckFamilyUnreachable, s.Nameserver, s.Address,
				"the exporter's host cannot reach this address family, so this address was not tried: %s", s.Detail))
		case s.Status.Lame():
			fs = append(fs, raise(lameCheck[s.Status], s.Nameserver, s.Address, "lame for %s: %s", name, s.Detail))
		}
		if o.noEDNS {
			fs = append(fs, raise(CheckEDNSUnsupported, s.Nameserver, s.Address,
				"answers FORMERR or NOTIMP to EDNS0 queries and only works without EDNS; resolvers have stopped working around this since DNS Flag Day 2019"))
		}
		if o.apexNSError != "" {
			fs = append(fs, raise(CheckApexNSUnavailable, s.Nameserver, s.Address, "serves the SOA of %s but not its apex NS set: %s", name, o.apexNSError))
		}
	}
	return fs
}

// judgeGlue compares the parent's glue for the in-zone nameservers with
// the addresses the zone itself serves for them, as the answering server
// with the newest serial among those asked (one address of each
// nameserver) says: a stale secondary's view of its own addresses is not
// the zone's. wanted filters the parent's glue to the
// module's address families. nil when nothing could be compared.
func judgeGlue(glue map[string][]netip.Addr, obs []serverObs, wanted func(netip.Addr) bool) (*bool, []raised) {
	var src *serverObs
	for i := range obs {
		o := &obs[i]
		if o.result == nil || o.result.Status != StatusOK || len(o.glue) == 0 {
			continue
		}
		if src == nil || serialLess(src.result.Serial, o.result.Serial) {
			src = o
		}
	}
	if src == nil || len(src.glue) == 0 {
		return nil, nil
	}
	var names []string
	child := map[string][]netip.Addr{}
	incomplete := map[string]bool{}
	for _, g := range src.glue {
		if !slices.Contains(names, g.name) {
			names = append(names, g.name)
		}
		incomplete[g.name] = incomplete[g.name] || !g.complete
		child[g.name] = append(child[g.name], g.addrs...)
	}
	var fs []raised
	consistent, measured := true, false
	for _, name := range names {
		if incomplete[name] {
			continue
		}
		measured = true
		have := child[name]
		sortAddrs(have)
		var parentGlue []netip.Addr
		for _, a := range glue[name] {
			if wanted(a) {
				parentGlue = append(parentGlue, a)
			}
		}
		if !slices.Equal(have, parentGlue) {
			consistent = false
			fs = append(fs, raise(CheckGlueMismatch, name, "", "parent glue for %s is [%s] but the zone (asked at %s) says [%s]",
				strings.TrimSuffix(name, "."), strings.Join(addrStrings(parentGlue), " "), src.result.Address, strings.Join(addrStrings(have), " ")))
		}
	}
	if !measured {
		return nil, fs
	}
	return &consistent, fs
}
