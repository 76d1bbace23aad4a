package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

// The graph draws the delegation and the chain of trust as DNSViz does
// (https://dnsviz.net): one box per zone from the root down; inside, the
// zone's servers on the left and its DS, DNSKEYs and signed RRsets on the
// right; arrows for delegation and for DS -> key -> signs. The layout is
// computed here, in pixels; the template only draws it.

// Status classes: the colours of nodes, edges and boxes (see page.css).
const (
	stOK       = "ok"       // answers, validates, matches
	stWarn     = "warn"     // works, with a warning
	stBad      = "bad"      // lame, bogus, broken
	stInsecure = "insecure" // unsigned: neither good nor bad
	stNeutral  = "neutral"  // not examined by this probe
)

// Layout, in SVG user units (pixels at 100%).
const (
	graphWidth   = 1000
	margin       = 12
	clusterGap   = 36 // between zone boxes, room for the arrows
	headerHeight = 30
	pad          = 12
	colGap       = 28
	leftWidth    = 330 // the servers' column
	rowGap       = 30  // between rows of the DNSSEC column: room for arrows
	nodeGap      = 10
	lineHeight   = 15
	charWidth    = 7.3 // of the 12px monospace the nodes use
	nodePadX     = 10
	nodePadY     = 7
	maxLabel     = 40 // characters; longer labels are cut, the title has it all
)

// Graph is a laid-out drawing.
type Graph struct {
	Width, Height int
	Clusters      []*Cluster
	Nodes         []*Node
	Edges         []*Edge
}

// Cluster is one zone's box.
type Cluster struct {
	Zone          string
	X, Y, W, H    int
	Status        string
	Label, Detail string
}

// Node is one server, DS, DNSKEY or RRset.
type Node struct {
	// Kind is server, ds, dnskey or rrset.
	Kind string
	Zone string
	// Name and Address identify a server; Name alone a key ("DNSKEY 4917").
	Name, Address string
	X, Y, W, H    int
	Status        string
	Lines         []string
	// Title is the tooltip: the full text, uncut.
	Title string
}

// Edge is one arrow.
type Edge struct {
	Kind   string // delegation, ds, signs, chain
	Status string
	Path   string // SVG path data
	Label  string
	LX, LY int // where the label goes
	Dashed bool
}

// TextX places a node's lines.
func (n *Node) TextX() int { return n.X + nodePadX }

// TextY places a node's i-th line of text.
func (n *Node) TextY(i int) int { return n.Y + nodePadY + 11 + i*lineHeight }

// Radius rounds the corners of keys and RRsets, not of servers.
func (n *Node) Radius() int {
	if n.Kind == "server" {
		return 4
	}
	return 14
}

// LabelX, LabelY and DetailX place a zone box's heading.
func (c *Cluster) LabelX() int { return c.X + 14 }

// LabelY is the baseline of a zone box's heading.
func (c *Cluster) LabelY() int { return c.Y + 20 }

// DetailX is where the right-aligned status of a zone box ends.
func (c *Cluster) DetailX() int { return c.X + c.W - 14 }

// Marks are the arrowheads, one per status colour.
func (g *Graph) Marks() []string { return []string{stOK, stWarn, stBad, stInsecure, stNeutral} }

func newNode(kind, zone, status string, lines ...string) *Node {
	n := &Node{Kind: kind, Zone: zone, Status: status, Title: strings.Join(lines, "\n")}
	width := 0
	for _, l := range lines {
		if r := []rune(l); len(r) > maxLabel {
			l = string(r[:maxLabel-1]) + "…"
		}
		n.Lines = append(n.Lines, l)
		width = max(width, len([]rune(l)))
	}
	n.W = int(float64(width)*charWidth) + 2*nodePadX
	n.H = len(lines)*lineHeight + 2*nodePadY
	return n
}

// row places nodes left to right from (x, y), wrapping at width; it
// returns the height used.
func row(nodes []*Node, x, y, width int) int {
	if len(nodes) == 0 {
		return 0
	}
	cx, cy, lineH := x, y, 0
	for _, n := range nodes {
		if cx > x && cx+n.W > x+width {
			cx, cy = x, cy+lineH+nodeGap
			lineH = 0
		}
		n.X, n.Y = cx, cy
		n.W = min(n.W, width)
		cx += n.W + nodeGap
		lineH = max(lineH, n.H)
	}
	return cy + lineH - y
}

// severityStatus maps a finding's severity to a colour.
func severityStatus(s probe.Severity) string {
	switch s {
	case probe.SeverityError:
		return stBad
	case probe.SeverityWarning:
		return stWarn
	}
	return stOK
}

func worse(a, b string) string {
	rank := map[string]int{stBad: 0, stWarn: 1, stOK: 2, stInsecure: 3, stNeutral: 4}
	if rank[b] < rank[a] {
		return b
	}
	return a
}

// dnssecStatus maps a DNSSEC verdict to a colour.
func dnssecStatus(s probe.DNSSECStatus) string {
	switch s {
	case probe.DNSSECSecure:
		return stOK
	case probe.DNSSECBogus:
		return stBad
	case probe.DNSSECIndeterminate:
		return stWarn
	case probe.DNSSECInsecure:
		return stInsecure
	}
	return stNeutral
}

// fqdn writes a zone the way the report's Path does: "." for the root.
func fqdn(name string) string {
	switch name {
	case "", ".", "the root":
		return "."
	}
	return strings.TrimSuffix(name, ".") + "."
}

func labels(zone string) int {
	if zone == "." {
		return 0
	}
	return strings.Count(zone, ".")
}

// digestName names a DS digest type (IANA "Delegation Signer (DS)
// Resource Record (RR) Type Digest Algorithms").
func digestName(t uint8) string {
	switch t {
	case 1:
		return "SHA-1"
	case 2:
		return "SHA-256"
	case 3:
		return "GOST"
	case 4:
		return "SHA-384"
	}
	return fmt.Sprintf("digest %d", t)
}

// zoneView is what the graph knows of one zone of the path.
type zoneView struct {
	zone    string
	cluster *Cluster
	servers []*Node
	ds      []*Node
	keys    []*Node
	rrsets  []*Node
	// keyTags are the validated keys of an ancestor.
	keyTags []uint16
	link    *probe.ChainLink
}

// buildGraph lays out the report's delegation and chain of trust.
func buildGraph(r *probe.Report) *Graph {
	g := &Graph{Width: graphWidth}
	target := fqdn(r.Zone)

	// The zones, root first: the walk's, the chain's, then the target.
	byZone := map[string]*zoneView{}
	var zones []*zoneView
	add := func(z string) *zoneView {
		z = fqdn(z)
		if v, ok := byZone[z]; ok {
			return v
		}
		v := &zoneView{zone: z}
		byZone[z] = v
		zones = append(zones, v)
		return v
	}
	for _, h := range r.Path {
		add(h.Zone)
	}
	if r.DNSSEC != nil {
		for i := range r.DNSSEC.Chain {
			l := &r.DNSSEC.Chain[i]
			v := add(l.Zone)
			v.link = l
			v.keyTags = l.KeyTags
		}
	}
	add(target)
	slices.SortStableFunc(zones, func(a, b *zoneView) int { return cmp.Compare(labels(a.zone), labels(b.zone)) })

	worstBy := serverSeverities(r)
	parent := fqdn(r.Parent)
	for _, h := range r.Path {
		v := byZone[fqdn(h.Zone)]
		if v.zone == target {
			continue
		}
		if v.zone == parent && r.Parent != "" {
			v.servers = append(v.servers, parentServerNodes(r, v.zone, h.Servers)...)
			continue
		}
		for _, s := range h.Servers {
			n := newNode("server", v.zone, stNeutral, s)
			n.Name = s
			if h.Cached {
				n.Title += "\n(from the cache)"
			}
			v.servers = append(v.servers, n)
		}
	}
	if r.Parent != "" && len(byZone[parent].servers) == 0 {
		byZone[parent].servers = parentServerNodes(r, parent, nil)
	}
	tv := byZone[target]
	tv.servers = targetServerNodes(r, worstBy)
	dnssecNodes(r, tv, byZone[parent])
	if r.DNSSEC != nil && len(tv.ds) == 0 && len(tv.keys) == 0 && r.Parent != "" {
		// An unsigned delegation: say so where the DS would be.
		n := newNode("ds", target, dnssecStatus(r.DNSSEC.Status), "no DS at "+parent, "DNSSEC "+string(r.DNSSEC.Status))
		n.Name = "no DS"
		tv.ds = append(tv.ds, n)
	}

	// Clusters, top to bottom.
	y := margin
	rightX := margin + pad + leftWidth + colGap
	rightW := graphWidth - margin - pad - rightX
	for _, v := range zones {
		c := &Cluster{Zone: v.zone, X: margin, Y: y, W: graphWidth - 2*margin}
		c.Label = v.zone
		if v.zone == "." {
			c.Label = ". (root)"
		}
		c.Status, c.Detail = clusterStatus(r, v)
		v.cluster = c
		top := y + headerHeight
		leftH := row(v.servers, margin+pad, top, leftWidth)
		rightH, ry := 0, top
		if v.zone != target && len(v.keyTags) > 0 {
			for _, t := range v.keyTags {
				n := newNode("dnskey", v.zone, dnssecStatus(v.link.Status), fmt.Sprintf("DNSKEY %d", t))
				n.Name = fmt.Sprintf("DNSKEY %d", t)
				n.Title += "\nvalidated from the trust anchor"
				v.keys = append(v.keys, n)
			}
		}
		for _, rowNodes := range [][]*Node{v.ds, v.keys, v.rrsets} {
			if len(rowNodes) == 0 {
				continue
			}
			if ry > top {
				ry += rowGap
			}
			h := row(rowNodes, rightX, ry, rightW)
			ry += h
			rightH = ry - top
		}
		c.H = headerHeight + max(leftH, rightH, 10) + pad
		g.Clusters = append(g.Clusters, c)
		for _, list := range [][]*Node{v.servers, v.ds, v.keys, v.rrsets} {
			g.Nodes = append(g.Nodes, list...)
		}
		y += c.H + clusterGap
	}
	g.Height = y - clusterGap + margin + 4

	// Arrows between consecutive zones: delegation on the left, the chain
	// of trust on the right.
	for i := 1; i < len(zones); i++ {
		p, c := zones[i-1], zones[i]
		g.Edges = append(g.Edges, delegationEdge(r, p, c, target))
		if c.zone == target && len(c.ds) > 0 {
			for _, ds := range c.ds {
				st, label := dnssecStatus(linkStatus(p)), ""
				if ds.Name == "no DS" {
					st, label = ds.Status, string(r.DNSSEC.Status) // the parent vouches for no key
				}
				g.Edges = append(g.Edges, chainEdge(p, ds.X+ds.W/2, ds.Y, st, "ds", label))
			}
			continue
		}
		if len(p.keys) > 0 && (len(c.keys) > 0 || c.link != nil) {
			st := stNeutral
			if c.link != nil {
				st = dnssecStatus(c.link.Status)
			}
			tx, ty := rightX+rightW/2, c.cluster.Y+headerHeight
			if len(c.keys) > 0 {
				tx, ty = c.keys[0].X+c.keys[0].W/2, c.keys[0].Y
			}
			label := ""
			if c.link != nil {
				label = string(c.link.Status)
			}
			g.Edges = append(g.Edges, chainEdge(p, tx, ty, st, "chain", label))
		}
	}
	g.Edges = append(g.Edges, keyEdges(r, tv)...)
	return g
}

func linkStatus(v *zoneView) probe.DNSSECStatus {
	if v.link == nil {
		return ""
	}
	return v.link.Status
}

// clusterStatus colours a zone's box: an ancestor by its DNSSEC link, the
// target by the probe's verdict.
func clusterStatus(r *probe.Report, v *zoneView) (string, string) {
	if v.zone == fqdn(r.Zone) {
		st, detail := stOK, "healthy"
		if d := r.Diagnosis; d != nil {
			detail = string(d.Cause)
			if d.Severity != "" {
				st = severityStatus(d.Severity)
				detail += " (" + string(d.Severity) + ")"
			}
		}
		if r.DNSSEC != nil {
			detail += " · DNSSEC " + string(r.DNSSEC.Status)
		}
		return st, detail
	}
	if v.link != nil {
		detail := "DNSSEC " + string(v.link.Status)
		if v.link.Cached {
			detail += " (cached)"
		}
		return dnssecStatus(v.link.Status), detail
	}
	return stNeutral, ""
}

// serverSeverities is the worst finding per nameserver address.
func serverSeverities(r *probe.Report) map[[2]string]probe.Severity {
	out := map[[2]string]probe.Severity{}
	rank := map[probe.Severity]int{probe.SeverityError: 0, probe.SeverityWarning: 1, probe.SeverityNotice: 2}
	for _, f := range r.Findings {
		if f.Address == "" {
			continue
		}
		k := [2]string{f.Nameserver, f.Address}
		if s, ok := out[k]; !ok || rank[f.Severity] < rank[s] {
			out[k] = f.Severity
		}
	}
	return out
}

func parentServerNodes(r *probe.Report, zone string, names []string) []*Node {
	var out []*Node
	seen := map[string]bool{}
	for _, ps := range r.ParentServers {
		st, word := stOK, "ok"
		if !ps.OK {
			st, word = stBad, "failed"
		}
		n := newNode("server", zone, st, ps.Nameserver, ps.Address+" · "+word)
		n.Name, n.Address = ps.Nameserver, ps.Address
		if ps.Detail != "" {
			n.Title += "\n" + ps.Detail
		}
		if len(ps.NS) > 0 {
			n.Title += "\nNS " + strings.Join(ps.NS, " ")
		}
		out = append(out, n)
		seen[ps.Nameserver] = true
	}
	for _, s := range names {
		if !seen[s] {
			n := newNode("server", zone, stNeutral, s)
			n.Name = s
			out = append(out, n)
		}
	}
	return out
}

func targetServerNodes(r *probe.Report, worstBy map[[2]string]probe.Severity) []*Node {
	zone := fqdn(r.Zone)
	var out []*Node
	seen := map[string]bool{}
	for _, s := range r.Servers {
		st := stOK
		switch {
		case s.Status == probe.StatusFamilyUnreachable:
			st = stNeutral
		case s.Status.Lame():
			st = stBad
		}
		if sev, ok := worstBy[[2]string{s.Nameserver, s.Address}]; ok && st != stNeutral {
			st = worse(st, severityStatus(sev))
		}
		second := s.Address + " · " + string(s.Status)
		if s.Status == probe.StatusOK {
			second += " · " + millis(s.RTT)
		}
		n := newNode("server", zone, st, s.Nameserver, second)
		n.Name, n.Address = s.Nameserver, s.Address
		if s.Detail != "" {
			n.Title += "\n" + s.Detail
		}
		if s.Status == probe.StatusOK {
			n.Title += fmt.Sprintf("\nserial %d", s.Serial)
		}
		if s.NSID != "" {
			n.Title += "\nnsid " + s.NSID
		}
		out = append(out, n)
		seen[s.Nameserver] = true
	}
	// Delegated names with no address the probe could use.
	names := slices.Clone(r.DelegationNS)
	slices.Sort(names)
	for _, ns := range names {
		if seen[ns] {
			continue
		}
		n := newNode("server", zone, stBad, ns, "no usable address")
		n.Name = ns
		if r.HasFinding(probe.CheckNSUnresolvable) {
			n.Title += "\n" + string(probe.CheckNSUnresolvable)
		}
		out = append(out, n)
	}
	return out
}

// dnssecNodes adds the target's DS, DNSKEY and RRset nodes.
func dnssecNodes(r *probe.Report, tv, parent *zoneView) {
	d := r.DNSSEC
	if d == nil {
		return
	}
	zone := tv.zone
	anyMatched := slices.ContainsFunc(d.DS, func(ds probe.DSRecord) bool { return ds.Matched })
	for _, ds := range d.DS {
		st := stOK
		if !ds.Matched {
			st = stBad
			if anyMatched {
				st = stWarn
			}
		}
		name := fmt.Sprintf("DS %d", ds.KeyTag)
		n := newNode("ds", zone, st, name, fmt.Sprintf("alg %d · %s", ds.Algorithm, digestName(ds.DigestType)))
		n.Name = name
		if ds.Matched {
			n.Title += "\nmatches a key that signs the key set"
		} else {
			n.Title += "\nmatches no key that signs the key set"
		}
		if parent != nil {
			n.Title += "\npublished by " + parent.zone
		}
		tv.ds = append(tv.ds, n)
	}
	zoneSt := dnssecStatus(d.Status)
	keys := slices.Clone(d.DNSKEYs)
	slices.SortStableFunc(keys, func(a, b probe.KeyRecord) int {
		return cmp.Or(cmp.Compare(b.Flags&1, a.Flags&1), cmp.Compare(a.KeyTag, b.KeyTag))
	})
	for _, k := range keys {
		role := triage.KeyRole(k.Flags)
		st := stNeutral
		switch {
		case k.SignsKeySet:
			st = stOK
		case k.Flags&0x0080 != 0:
			st = stNeutral
		case k.Flags&1 == 0:
			st = zoneSt
		}
		name := fmt.Sprintf("DNSKEY %d", k.KeyTag)
		n := newNode("dnskey", zone, st, name, fmt.Sprintf("%s · alg %d", role, k.Algorithm))
		n.Name = name
		if k.SignsKeySet {
			n.Title += "\nsigns the DNSKEY set"
		}
		tv.keys = append(tv.keys, n)
	}
	type agg struct {
		owner, typ   string
		valid, total int
		details      []string
	}
	var order []*agg
	groups := map[string]*agg{}
	for _, s := range d.Signatures {
		k := s.Owner + " " + s.Type
		a := groups[k]
		if a == nil {
			a = &agg{owner: s.Owner, typ: s.Type}
			groups[k] = a
			order = append(order, a)
		}
		a.total++
		if s.Valid {
			a.valid++
		} else if s.Detail != "" {
			a.details = append(a.details, s.Nameserver+" "+s.Address+": "+s.Detail)
		}
	}
	// The DNSKEY set first: the keys sign it, and it vouches for the rest.
	slices.SortStableFunc(order, func(a, b *agg) int {
		return cmp.Compare(btoi(a.typ != "DNSKEY"), btoi(b.typ != "DNSKEY"))
	})
	for _, a := range order {
		st := stOK
		switch {
		case a.valid == 0:
			st = stBad
		case a.valid < a.total:
			st = stWarn
		}
		name := a.typ
		if fqdn(a.owner) != zone {
			name = strings.TrimSuffix(a.owner, ".") + " " + a.typ
		}
		n := newNode("rrset", zone, st, name, fmt.Sprintf("RRSIG valid %d/%d", a.valid, a.total))
		n.Name = name
		for _, dt := range a.details {
			n.Title += "\n" + dt
		}
		tv.rrsets = append(tv.rrsets, n)
	}
	if len(d.Denials) > 0 {
		valid := 0
		var details []string
		for _, dn := range d.Denials {
			if dn.Valid {
				valid++
			} else if dn.Detail != "" {
				details = append(details, dn.Nameserver+" "+dn.Address+": "+dn.Detail)
			}
		}
		st := stOK
		switch {
		case valid == 0:
			st = stBad
		case valid < len(d.Denials):
			st = stWarn
		}
		name := "NSEC"
		if d.NSEC3 != nil {
			name = "NSEC3"
		}
		n := newNode("rrset", zone, st, name+" denial", fmt.Sprintf("proofs hold %d/%d", valid, len(d.Denials)))
		n.Name = name + " denial"
		for _, dt := range details {
			n.Title += "\n" + dt
		}
		tv.rrsets = append(tv.rrsets, n)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// curve is an S-shaped arrow from (x1, y1) down to (x2, y2).
func curve(x1, y1, x2, y2 int) string {
	dy := max((y2-y1)/2, 12)
	return fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1, y1+dy, x2, y2-dy, x2, y2-2)
}

func delegationEdge(r *probe.Report, p, c *zoneView, target string) *Edge {
	x1 := margin + pad + leftWidth/2
	y1 := p.cluster.Y + p.cluster.H
	if n := len(p.servers); n > 0 {
		last := p.servers[n-1]
		y1 = last.Y + last.H
	}
	y2 := c.cluster.Y + headerHeight
	if len(c.servers) > 0 {
		y2 = c.servers[0].Y
	}
	st := stNeutral
	if c.zone == target {
		st = stOK
		for _, f := range r.Findings {
			if delegationCheck(f.Check) {
				st = worse(st, severityStatus(f.Severity))
			}
		}
	}
	return &Edge{Kind: "delegation", Status: st, Path: curve(x1, y1, x1, y2), Label: "NS", LX: x1 + 8, LY: (y1+y2)/2 + 4}
}

// delegationCheck reports whether a check is about the delegation (parent
// NS, glue, reachability) rather than DNSSEC or resolvers.
func delegationCheck(c probe.CheckID) bool {
	switch c {
	case probe.CheckParentServerError, probe.CheckParentNSInconsistent, probe.CheckNSUnresolvable,
		probe.CheckGlueMissing, probe.CheckNSParentChildDiffer, probe.CheckGlueMismatch,
		probe.CheckNoReachableAuthority, probe.CheckResolutionFailed, probe.CheckReferralLoop, probe.CheckNotAZone:
		return true
	}
	return false
}

// chainEdge draws the parent's keys vouching for something in the child.
func chainEdge(p *zoneView, tx, ty int, st, kind, label string) *Edge {
	x1, y1 := graphWidth-margin-pad-100, p.cluster.Y+p.cluster.H
	if n := len(p.keys); n > 0 {
		k := p.keys[0]
		x1, y1 = k.X+k.W/2, k.Y+k.H
		for _, k := range p.keys {
			y1 = max(y1, k.Y+k.H)
		}
	}
	e := &Edge{Kind: kind, Status: st, Path: curve(x1, y1, tx, ty), Label: label, LX: (x1+tx)/2 + 8, LY: (y1+ty)/2 + 4}
	if st == stInsecure || st == stNeutral {
		e.Dashed = true
	}
	return e
}

// keyEdges are DS -> DNSKEY (digest matches) and DNSKEY -> RRset (signs).
func keyEdges(r *probe.Report, tv *zoneView) []*Edge {
	d := r.DNSSEC
	if d == nil {
		return nil
	}
	var out []*Edge
	keyNode := map[uint16][]*Node{}
	keysByTag := map[uint16][]probe.KeyRecord{}
	keys := slices.Clone(d.DNSKEYs)
	slices.SortStableFunc(keys, func(a, b probe.KeyRecord) int {
		return cmp.Or(cmp.Compare(b.Flags&1, a.Flags&1), cmp.Compare(a.KeyTag, b.KeyTag))
	})
	for i, k := range keys {
		keyNode[k.KeyTag] = append(keyNode[k.KeyTag], tv.keys[i])
		keysByTag[k.KeyTag] = append(keysByTag[k.KeyTag], k)
	}
	for i, ds := range d.DS {
		src := tv.ds[i]
		for j, k := range keysByTag[ds.KeyTag] {
			if k.Algorithm != ds.Algorithm {
				continue
			}
			dst := keyNode[ds.KeyTag][j]
			st, dashed := stOK, false
			if !ds.Matched {
				st, dashed = stBad, true
			}
			out = append(out, &Edge{Kind: "ds", Status: st, Dashed: dashed,
				Path: curve(src.X+src.W/2, src.Y+src.H, dst.X+dst.W/2, dst.Y)})
		}
	}
	var signers, zsks []*Node
	for i, k := range keys {
		if k.SignsKeySet {
			signers = append(signers, tv.keys[i])
		}
		if k.Flags&1 == 0 && k.Flags&0x0080 == 0 && k.Flags&0x0100 != 0 {
			zsks = append(zsks, tv.keys[i])
		}
	}
	if len(zsks) == 0 {
		zsks = signers // a combined signing key signs everything
	}
	for _, rr := range tv.rrsets {
		from := zsks
		if rr.Name == "DNSKEY" {
			from = signers
		}
		for _, k := range from {
			out = append(out, &Edge{Kind: "signs", Status: rr.Status, Dashed: rr.Status == stBad,
				Path: curve(k.X+k.W/2, k.Y+k.H, rr.X+rr.W/2, rr.Y)})
		}
	}
	return out
}
