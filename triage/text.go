package triage

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dnshealth/dnshealth_exporter/internal/display"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// TextOptions configures Text.
type TextOptions struct {
	// Colour adds ANSI colours: red for errors, yellow for warnings, cyan
	// for notices, green for what is fine, bold headings. Leave it off
	// when the output is not a terminal.
	Colour bool
	// Runbook gives the "What to do" steps; with nil, each check gets
	// its summary and runbook anchor only.
	Runbook *Runbook
}

// width is where Text wraps prose (summaries, messages, steps).
const width = 100

// Text writes the report as a person reads it: the delegation as walked,
// the parent's servers, every nameserver address, the DNSSEC chain, the
// resolvers' view, the diagnosis with every finding, and what to do about
// it. It returns the first write error.
func Text(w io.Writer, r *probe.Report, opts TextOptions) error {
	t := &textWriter{w: w, p: painter(opts.Colour)}
	if r == nil {
		t.line("no report: the probe did not run")
		return t.err
	}
	r = display.Names(r)
	t.header(r)
	t.delegation(r)
	t.parentServers(r)
	t.nameservers(r)
	t.dnssec(r)
	t.resolvers(r)
	t.diagnosis(r)
	t.whatToDo(r, opts.Runbook)
	return t.err
}

// painter adds ANSI colour when true.
type painter bool

const (
	red    = "31"
	green  = "32"
	yellow = "33"
	cyan   = "36"
	bold   = "1"
	dim    = "2"
)

func (p painter) paint(code, s string) string {
	if !p || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func sevColour(s probe.Severity) string {
	switch s {
	case probe.SeverityError:
		return red
	case probe.SeverityWarning:
		return yellow
	case probe.SeverityNotice:
		return cyan
	}
	return green
}

type textWriter struct {
	w   io.Writer
	p   painter
	err error
}

func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, s+"\n")
}

func (t *textWriter) linef(format string, args ...any) { t.line(fmt.Sprintf(format, args...)) }

func (t *textWriter) heading(s string) {
	t.line("")
	t.line(t.p.paint(bold, s))
}

// wrapped writes text after prefix, wrapping at width with later lines
// indented by hang. prefix may hold colour codes; its visible width is
// given by visible.
func (t *textWriter) wrapped(prefix string, visible int, hang, text string) {
	for i, l := range wrap(text, width-visible, width-len(hang)) {
		if i == 0 {
			t.line(prefix + l)
		} else {
			t.line(hang + l)
		}
	}
}

// wrap breaks text into lines of at most first (then rest) visible
// runes, at spaces; a longer word gets a line of its own.
func wrap(text string, first, rest int) []string {
	var lines []string
	var cur strings.Builder
	limit := max(first, 20)
	for _, word := range strings.Fields(text) {
		n := visibleLen(cur.String())
		if n > 0 && n+1+visibleLen(word) > limit {
			lines = append(lines, cur.String())
			cur.Reset()
			limit = max(rest, 20)
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// visibleLen is the width of s on a terminal: its runes, less any ANSI
// colour sequences.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if j := strings.IndexByte(s[i:], 'm'); j >= 0 {
				i += j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// cell is one table cell: its text and its colour.
type cell struct{ text, colour string }

// table writes rows with columns padded to the widest text, each line
// starting with indent. The last cell of a row is not padded.
func (t *textWriter) table(indent string, rows [][]cell) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(t.p.paint(c.colour, c.text))
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.text)))
			}
		}
		t.line(strings.TrimRight(b.String(), " "))
	}
}

func plainCell(s string) cell { return cell{text: s} }

func (t *textWriter) header(r *probe.Report) {
	zone := strings.TrimSuffix(r.Zone, ".")
	s := fmt.Sprintf("Triage of %s (module %s)", t.p.paint(bold, zone), orDash(r.Module))
	if !r.Time.IsZero() {
		s += ", probed " + r.Time.UTC().Format(time.RFC3339)
	}
	s += fmt.Sprintf(": %d queries in %s", r.QueryCount, seconds(r.Duration))
	if r.TimedOut {
		s += t.p.paint(red, "; the probe timed out, results are partial")
	}
	t.line(s)
}

func (t *textWriter) delegation(r *probe.Report) {
	t.heading("Delegation")
	var rows [][]cell
	for _, h := range r.Path {
		row := []cell{plainCell(fqdn(h.Zone)), plainCell(strings.Join(h.Servers, " "))}
		if h.Cached {
			row = append(row, cell{"(cached)", dim})
		}
		rows = append(rows, row)
	}
	zone := fqdn(r.Zone)
	switch {
	case len(r.DelegationNS) > 0:
		row := []cell{cell{zone, bold}, plainCell(strings.Join(r.DelegationNS, " "))}
		if r.Parent != "" {
			row = append(row, cell{"(delegated by " + fqdn(r.Parent) + ")", dim})
		}
		rows = append(rows, row)
	case r.Parent != "":
		rows = append(rows, []cell{cell{zone, bold}, cell{"no delegation from " + fqdn(r.Parent), red}})
	default:
		rows = append(rows, []cell{cell{zone, bold}, cell{"the walk did not reach the parent zone", red}})
	}
	t.table("  ", rows)
}

func (t *textWriter) parentServers(r *probe.Report) {
	title := "Parent servers"
	if r.Parent != "" {
		title += " (" + fqdn(r.Parent) + ")"
	}
	t.heading(title)
	if len(r.ParentServers) == 0 {
		t.line("  none asked")
		return
	}
	servers := slices.Clone(r.ParentServers)
	slices.SortStableFunc(servers, func(a, b probe.ParentServer) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address))
	})
	// When every server that answered gave the same NS set and glue, say
	// it once after the list; otherwise on each server's line.
	same := true
	var first *probe.ParentServer
	for i := range servers {
		if !servers[i].OK {
			continue
		}
		if first == nil {
			first = &servers[i]
		} else if !slices.Equal(first.NS, servers[i].NS) || !maps.EqualFunc(first.Glue, servers[i].Glue, slices.Equal) {
			same = false
		}
	}
	var rows [][]cell
	for _, p := range servers {
		row := []cell{plainCell(p.Nameserver), plainCell(p.Address)}
		switch {
		case !p.OK:
			row = append(row, cell{"no delegation", red}, plainCell(p.Detail))
		case same:
			row = append(row, cell{"ok", green})
		default:
			row = append(row, cell{"ok", green}, plainCell("NS "+strings.Join(p.NS, " ")+glueText(p.Glue)))
		}
		rows = append(rows, row)
	}
	t.table("  ", rows)
	if same && first != nil {
		t.wrapped("  all answer NS ", 16, "    ", strings.Join(first.NS, " ")+glueText(first.Glue))
	}
}

func glueText(glue map[string][]string) string {
	if len(glue) == 0 {
		return ""
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(glue)) {
		parts = append(parts, name+" "+strings.Join(glue[name], " "))
	}
	return "; glue " + strings.Join(parts, ", ")
}

func (t *textWriter) nameservers(r *probe.Report) {
	t.heading("Nameservers")
	var rows [][]cell
	withAddr := map[string]bool{}
	for _, s := range r.Servers {
		withAddr[s.Nameserver] = true
		status := cell{string(s.Status), green}
		switch {
		case s.Status.Lame():
			status = cell{string(s.Status) + " (lame)", red}
		case s.Status == probe.StatusFamilyUnreachable:
			status = cell{"not tried (" + string(s.Status) + ")", dim}
		}
		rtt := "rtt " + millis(s.RTT)
		if s.Status == probe.StatusFamilyUnreachable {
			rtt = "-"
		}
		row := []cell{plainCell(s.Nameserver), plainCell(s.Address), status, plainCell(rtt)}
		var note []string
		if s.Status == probe.StatusOK {
			note = append(note, "serial "+strconv.FormatUint(uint64(s.Serial), 10))
			if s.Transport == "tcp" {
				note = append(note, "over TCP (UDP truncated)")
			}
		}
		if s.Detail != "" {
			note = append(note, s.Detail)
		}
		row = append(row, plainCell(strings.Join(note, "; ")))
		rows = append(rows, row)
	}
	// Delegated names the probe found no address for.
	for _, name := range r.DelegationNS {
		if !withAddr[strings.TrimSuffix(name, ".")] && len(r.NSAddresses[name]) == 0 {
			rows = append(rows, []cell{plainCell(name), plainCell("-"), cell{"no address", red}})
		}
	}
	if len(rows) == 0 {
		t.line("  none checked")
	} else {
		t.table("  ", rows)
	}
	t.yesNo(yellow, []fact{
		{"serials agree:", r.SerialConsistent},
		{"NS same at parent and child:", r.NSConsistent},
		{"glue agrees:", r.GlueConsistent},
	})
}

func dnssecColour(status probe.DNSSECStatus) string {
	switch status {
	case probe.DNSSECSecure:
		return green
	case probe.DNSSECBogus:
		return red
	case probe.DNSSECIndeterminate:
		return yellow
	}
	return ""
}

func (t *textWriter) dnssec(r *probe.Report) {
	d := r.DNSSEC
	if d == nil {
		t.heading("DNSSEC")
		t.line("  not checked (the probe did not get that far, or the module turns DNSSEC off)")
		return
	}
	title := t.p.paint(bold, "DNSSEC: ") + t.p.paint(dnssecColour(d.Status), string(d.Status))
	if d.Anchor != "" {
		title += " (trust anchor " + fqdn(d.Anchor) + ")"
	}
	t.line("")
	t.line(title)
	if d.Intermittent {
		t.line("  " + t.p.paint(red, "intermittent: some nameserver addresses serve data that validates and others do not"))
	}
	zone := fqdn(r.Zone)
	var rows [][]cell
	zoneInChain := false
	for _, c := range d.Chain {
		name := fqdn(c.Zone)
		zoneInChain = zoneInChain || name == zone
		row := []cell{plainCell(name), cell{string(c.Status), dnssecColour(c.Status)}}
		var note []string
		if len(c.KeyTags) > 0 {
			note = append(note, "keys "+tags(c.KeyTags))
		}
		if c.Cached {
			note = append(note, "(cached)")
		}
		if c.Detail != "" {
			note = append(note, c.Detail)
		}
		rows = append(rows, append(row, plainCell(strings.Join(note, " "))))
	}
	if !zoneInChain {
		rows = append(rows, []cell{cell{zone, bold}, cell{string(d.Status), dnssecColour(d.Status)}})
	}
	t.table("  ", rows)

	for _, ds := range d.DS {
		match := cell{"matches a key that signs the key set", green}
		if !ds.Matched {
			match = cell{"matches no key that signs the key set", red}
		}
		t.linef("    DS %d algorithm %d digest %d: %s", ds.KeyTag, ds.Algorithm, ds.DigestType, t.p.paint(match.colour, match.text))
	}
	for _, k := range sortedKeys(d.DNSKEYs) {
		s := fmt.Sprintf("    DNSKEY %d %s algorithm %d", k.KeyTag, keyRole(k.Flags), k.Algorithm)
		if k.SignsKeySet {
			s += ": signs the key set"
		}
		t.line(s)
	}
	t.yesNo(red, []fact{
		{"DS matches DNSKEY:", d.DSMatchesDNSKEY},
		{"same DNSKEY set everywhere:", d.DNSKEYConsistent},
		{"CDS matches DS:", d.CDSMatchesDS},
	})
	if p := d.NSEC3; p != nil {
		t.linef("  NSEC3: %d iterations, salt of %d octets, opt-out %s", p.Iterations, p.SaltLength, yesNo(p.OptOut))
	}
	if !d.EarliestExpiration.IsZero() {
		days := daysTo(d.EarliestExpiration, r.Time)
		t.linef("  earliest signature expiry %s: %s", d.EarliestExpiration.UTC().Format(time.RFC3339), t.p.paint(daysColour(days), daysText(days)))
	}

	sigs := slices.Clone(d.Signatures)
	slices.SortStableFunc(sigs, func(a, b probe.SignatureObs) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address),
			strings.Compare(a.Owner, b.Owner), strings.Compare(a.Type, b.Type))
	})
	var bad [][]cell
	addrs := map[string]bool{}
	for _, s := range sigs {
		addrs[s.Address] = true
		if s.Valid {
			continue
		}
		rrset := s.Type
		if fqdn(s.Owner) != zone {
			rrset = label(s.Owner) + " " + s.Type
		}
		expiry := "-"
		if !s.Expiration.IsZero() {
			expiry = daysText(daysTo(s.Expiration, r.Time))
		}
		// The detail starts with the RRset it is about; the row says that.
		detail := strings.TrimPrefix(s.Detail, fqdn(s.Owner)+" "+s.Type+": ")
		bad = append(bad, []cell{plainCell(s.Nameserver), plainCell(s.Address), plainCell(rrset), cell{expiry, red}, plainCell(detail)})
	}
	switch {
	case len(bad) > 0:
		t.line("  " + t.p.paint(red, fmt.Sprintf("signatures that do not validate (%d of %d):", len(bad), len(sigs))))
		t.table("    ", bad)
	case len(sigs) > 0:
		t.line("  " + t.p.paint(green, fmt.Sprintf("all %d signatures checked on %d addresses validate", len(sigs), len(addrs))))
	}

	denials := slices.Clone(d.Denials)
	slices.SortStableFunc(denials, func(a, b probe.DenialObs) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address), strings.Compare(a.Kind, b.Kind))
	})
	bad = nil
	for _, o := range denials {
		if !o.Valid {
			detail := strings.TrimPrefix(o.Detail, o.Kind+" proof for ")
			bad = append(bad, []cell{plainCell(o.Nameserver), plainCell(o.Address), plainCell(o.Kind + " proof"), plainCell(detail)})
		}
	}
	switch {
	case len(bad) > 0:
		t.line("  " + t.p.paint(red, fmt.Sprintf("proofs of non-existence that do not hold (%d of %d):", len(bad), len(denials))))
		t.table("    ", bad)
	case len(denials) > 0:
		t.line("  " + t.p.paint(green, fmt.Sprintf("all %d proofs of non-existence hold", len(denials))))
	}
}

// sortedKeys orders keys KSKs first, then by algorithm and tag.
func sortedKeys(keys []probe.KeyRecord) []probe.KeyRecord {
	out := slices.Clone(keys)
	slices.SortStableFunc(out, func(a, b probe.KeyRecord) int {
		return cmp.Or(cmp.Compare(b.Flags&1, a.Flags&1), cmp.Compare(a.Algorithm, b.Algorithm), cmp.Compare(a.KeyTag, b.KeyTag))
	})
	return out
}

// keyRole names a DNSKEY by its flags (RFC 4034 section 2.1.1, RFC 5011).
func keyRole(flags uint16) string {
	var s string
	switch {
	case flags&0x0100 == 0:
		s = "not-a-zone-key"
	case flags&1 != 0:
		s = "KSK"
	default:
		s = "ZSK"
	}
	if flags&0x0080 != 0 {
		s += " (revoked)"
	}
	return s
}

func tags(ts []uint16) string {
	var out []string
	for _, t := range ts {
		out = append(out, strconv.Itoa(int(t)))
	}
	return strings.Join(out, " ")
}

func resolverColour(status probe.ResolverStatus) string {
	switch status {
	case probe.ResolverOK:
		return green
	case probe.ResolverDNSSECFailure, probe.ResolverServfail, probe.ResolverNXDomain:
		return red
	}
	return yellow
}

func (t *textWriter) resolvers(r *probe.Report) {
	t.heading("Resolvers")
	if len(r.Resolvers) == 0 {
		t.linef("  none asked: module %s configures no resolvers", orDash(r.Module))
		return
	}
	for _, res := range r.Resolvers {
		row := []cell{cell{res.Resolver, bold}, cell{string(res.Status), resolverColour(res.Status)}}
		ad := "AD=0"
		if res.Authenticated {
			ad = "AD=1"
		}
		row = append(row, plainCell(ad), plainCell("rtt "+millis(res.RTT)))
		if len(res.EDE) > 0 {
			row = append(row, plainCell(edeText(res.EDE)))
		}
		t.table("  ", [][]cell{row})
		// One line per question: the CD=0 answer, then the CD=1 one.
		type pair struct {
			name string
			cd0  []probe.ResolverQuery
			cd1  []probe.ResolverQuery
		}
		var pairs []*pair
		byName := map[string]*pair{}
		for _, q := range res.Queries {
			key := q.Qname + " " + q.Qtype
			p := byName[key]
			if p == nil {
				p = &pair{name: strings.TrimSuffix(q.Qname, ".") + " " + q.Qtype}
				byName[key] = p
				pairs = append(pairs, p)
			}
			if q.CD {
				p.cd1 = append(p.cd1, q)
			} else {
				p.cd0 = append(p.cd0, q)
			}
		}
		var rows [][]cell
		for _, p := range pairs {
			row := []cell{plainCell(p.name)}
			row = append(row, t.resolverAnswer("CD=0", p.cd0), t.resolverAnswer("CD=1", p.cd1))
			rows = append(rows, row)
		}
		t.table("    ", rows)
		if res.Detail != "" {
			t.wrapped("    ", 4, "      ", res.Detail)
		}
	}
}

// resolverAnswer describes the replies to one question with one CD value.
func (t *textWriter) resolverAnswer(label string, qs []probe.ResolverQuery) cell {
	if len(qs) == 0 {
		return cell{label + " not asked", dim}
	}
	var parts []string
	colour := green
	for _, q := range qs {
		var s string
		if q.Err != "" {
			s = "error: " + q.Err
			colour = yellow
		} else {
			s = q.Rcode
			if q.AD {
				s += " AD"
			}
			if q.Rcode == "NOERROR" && !q.Answer {
				s += " no answer"
			}
			if len(q.EDE) > 0 {
				s += ", " + edeText(q.EDE)
			}
			if q.Rcode != "NOERROR" {
				colour = red
			}
		}
		parts = append(parts, s+", "+millis(q.RTT))
	}
	return cell{label + " " + strings.Join(parts, "; "), colour}
}

func edeText(edes []probe.EDE) string {
	var parts []string
	for _, e := range edes {
		s := "EDE " + strconv.Itoa(int(e.Code))
		if e.Text != "" {
			s += " " + strconv.Quote(e.Text)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func (t *textWriter) diagnosis(r *probe.Report) {
	t.heading("Diagnosis")
	d := r.Diagnosis
	if d == nil {
		t.line("  none drawn")
	} else {
		sev := string(d.Severity)
		if sev == "" {
			sev = "ok"
		}
		t.line("  " + t.p.paint(bold, string(d.Cause)) + " (" + t.p.paint(sevColour(d.Severity), sev) + ")")
		if d.Summary != "" {
			// One line, as the probe means it: for a terminal, a chat
			// message or grep.
			t.line("  " + d.Summary)
		}
		switch {
		case d.ServfailExpected:
			t.line("  " + t.p.paint(red, "SERVFAIL expected: validating resolvers fail on every path"))
		case d.ServfailIntermittent:
			t.line("  " + t.p.paint(yellow, "SERVFAIL intermittent: some resolvers, or queries to some servers, fail"))
		default:
			t.line("  SERVFAIL " + t.p.paint(green, "not expected"))
		}
	}
	findings := sortedFindings(r)
	if len(findings) == 0 {
		t.line("  " + t.p.paint(green, "no findings"))
		return
	}
	t.linef("  findings (%d):", len(findings))
	for _, f := range findings {
		head := t.p.paint(sevColour(f.Severity), string(f.Severity)) + " " + string(f.Check)
		visible := len(f.Severity) + 1 + len(f.Check)
		if subject := strings.TrimSpace(f.Nameserver + " " + f.Address); subject != "" {
			head += " [" + subject + "]"
			visible += len(subject) + 3
		}
		t.wrapped("    "+head+": ", 4+visible+2, "        ", f.Message)
	}
}

func (t *textWriter) whatToDo(r *probe.Report, rb *Runbook) {
	t.heading("What to do")
	all := remedies(r, rb)
	if len(all) == 0 {
		t.line("  nothing: no check raised a finding")
		return
	}
	named := map[probe.CheckID]bool{}
	if r.Diagnosis != nil {
		for _, c := range r.Diagnosis.Checks {
			named[c] = true
		}
	}
	done := map[string]bool{}
	n := 0
	var others []string
	for _, rm := range all {
		if r.Diagnosis != nil && !named[rm.check] {
			others = append(others, string(rm.check)+" ("+t.p.paint(sevColour(rm.severity), string(rm.severity))+")")
			continue
		}
		head := t.p.paint(bold, string(rm.check)) + " (" + t.p.paint(sevColour(rm.severity), string(rm.severity)) + ")"
		visible := len(rm.check) + len(rm.severity) + 3
		if rm.summary != "" {
			t.wrapped("  "+head+": ", 2+visible+2, "      ", rm.summary)
		} else {
			t.line("  " + head)
		}
		fresh := 0
		for _, s := range rm.steps {
			if done[s] {
				continue
			}
			done[s] = true
			fresh++
			n++
			num := fmt.Sprintf("%4d. ", n)
			t.wrapped(num, len(num), "      ", s)
		}
		switch {
		case !rm.documented:
			t.line("      (the runbook has no section for this check)")
			continue
		case len(rm.steps) == 0:
			t.line("      (the runbook lists no steps for this check)")
		case fresh == 0:
			t.line("      (its steps are above)")
		}
		t.line("      runbook: " + runbookAnchor(rm.check))
	}
	if len(others) > 0 {
		t.wrapped("  also raised (see the findings above and docs/checks.md): ", 59, "    ", strings.Join(others, ", "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// millis writes a round-trip time in milliseconds, to the microsecond
// below 10ms.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	prec := 1
	if ms < 10 {
		prec = 3
	}
	return strconv.FormatFloat(ms, 'f', prec, 64) + "ms"
}

// seconds writes a probe's duration: milliseconds below a second.
func seconds(d time.Duration) string {
	if d < time.Second {
		return millis(d)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

func daysTo(t, from time.Time) float64 { return t.Sub(from).Hours() / 24 }

func daysText(days float64) string {
	s := strconv.FormatFloat(days, 'f', 1, 64) + " days"
	if days < 0 {
		s += " (expired)"
	}
	return s
}

// daysColour: red once expired, yellow under three days (the runbook's
// suggested alert), green otherwise.
func daysColour(days float64) string {
	switch {
	case days < 0:
		return red
	case days < 3:
		return yellow
	}
	return green
}

// fact is a yes/no comparison; nil when it could not be made.
type fact struct {
	what string
	b    *bool
}

// yesNo prints the comparisons that were made on one line: "yes" in green,
// "no" in the colour given.
func (t *textWriter) yesNo(no string, facts []fact) {
	var out []string
	for _, f := range facts {
		switch {
		case f.b == nil:
		case *f.b:
			out = append(out, f.what+" "+t.p.paint(green, "yes"))
		default:
			out = append(out, f.what+" "+t.p.paint(no, "no"))
		}
	}
	if len(out) > 0 {
		t.line("  " + strings.Join(out, "; "))
	}
}
