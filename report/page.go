// Package report renders the exporter's HTML pages: the report of one probe
// (/report), the runbook (/runbook) and the landing page with the demo
// zones' status. Everything is drawn on the server with html/template: the
// pages stand alone, with no script, stylesheet or font from elsewhere, so
// they work offline and behind any proxy.
//
// Links between the pages are relative ("runbook#lame_refused",
// "report?target=…"), so they work under any --web.route-prefix.
//
// The package reads *probe.Report values and reuses triage for what the
// check command prints; it imports no DNS library.
package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/display"
	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

//go:embed templates/*.html templates/page.css
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"css": func() template.CSS { return template.CSS(pageCSS) },
}).ParseFS(templateFS, "templates/*.html"))

var pageCSS = func() string {
	b, err := templateFS.ReadFile("templates/page.css")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// Options are what a report page needs beyond the probe's report.
type Options struct {
	// Runbook gives each finding's "What to do" steps; nil gives none.
	Runbook *triage.Runbook
	// Permalink is the page's absolute address, from --web.external-url,
	// for sharing; "" leaves it out.
	Permalink string
	// Version is the exporter's, for the footer.
	Version string
}

// reportPage is the data the report template draws.
type reportPage struct {
	Title     string
	Zone      string
	Module    string
	Time      string
	Duration  string
	Queries   int
	TimedOut  bool
	Status    string // ok, warn or bad: the banner's colour
	Verdict   string
	Cause     string
	Summary   string
	Servfail  string
	Permalink string
	ProbeURL  string
	DebugURL  string
	Version   string

	Remedies []remedyView
	Others   []remedyView
	Findings []findingView
	Graph    *Graph

	Path          []probe.Hop
	Parent        string
	ParentServers []parentView
	Nameservers   []serverView
	Facts         []factView

	DNSSEC *dnssecView

	Resolvers        []resolverView
	ResolversSkipped bool

	Text string
	JSON string
}

type remedyView struct {
	Check, Anchor, Severity, Summary string
	Steps                            []template.HTML
	Documented                       bool
}

type findingView struct {
	Check, Anchor, Severity, Subject, Message string
}

type parentView struct {
	Nameserver, Address, Status, Detail, NS, Glue string
	StatusClass                                   string
}

type serverView struct {
	Nameserver, Address, Status, StatusClass, RTT, Serial, ApexNS, Transport, Detail string
}

type factView struct {
	Label, Value, Class string
}

type dnssecView struct {
	Status, StatusClass, Anchor string
	Intermittent                bool
	Chain                       []chainView
	DS                          []dsView
	Keys                        []keyView
	Facts                       []factView
	Expiry, ExpiryClass         string
	NSEC3                       string
	BadSignatures               []sigView
	Signatures                  int
	BadDenials                  []sigView
	Denials                     int
}

type chainView struct {
	Zone, Status, StatusClass, Keys, Detail string
	Cached                                  bool
}

type dsView struct {
	KeyTag, Algorithm, Digest, Matched, Class string
}

type keyView struct {
	KeyTag, Role, Algorithm, SignsKeySet string
}

type sigView struct {
	Nameserver, Address, What, Expiry, Detail string
}

type resolverView struct {
	Resolver, Status, StatusClass, AD, RTT, EDE, Detail string
}

// Write renders the report page of one probe.
func Write(w io.Writer, r *probe.Report, o Options) error {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "report.html", newReportPage(display.Names(r), o)); err != nil {
		return fmt.Errorf("rendering the report of %s: %w", r.Zone, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// Link is the relative address of the report of zone with module, as the
// pages link it.
func Link(zone, module string) string {
	q := url.Values{}
	q.Set("target", strings.TrimSuffix(zone, "."))
	q.Set("module", module)
	return "report?" + q.Encode()
}

func newReportPage(r *probe.Report, o Options) *reportPage {
	zone := strings.TrimSuffix(r.Zone, ".")
	if zone == "" {
		zone = "."
	}
	p := &reportPage{
		Title:     zone + " — DNS health report",
		Zone:      zone,
		Module:    r.Module,
		Time:      r.Time.UTC().Format(time.RFC3339),
		Duration:  seconds(r.Duration),
		Queries:   r.QueryCount,
		TimedOut:  r.TimedOut,
		Status:    stOK,
		Verdict:   "healthy",
		Permalink: o.Permalink,
		Version:   o.Version,
		Graph:     buildGraph(r),
		Path:      r.Path,
		Parent:    r.Parent,
	}
	q := url.Values{}
	q.Set("target", zone)
	q.Set("module", r.Module)
	p.ProbeURL = "probe?" + q.Encode()
	q.Set("debug", "true")
	p.DebugURL = "probe?" + q.Encode()

	if d := r.Diagnosis; d != nil {
		p.Cause, p.Summary = string(d.Cause), d.Summary
		if d.Severity != "" {
			p.Status = severityStatus(d.Severity)
			p.Verdict = string(d.Severity)
		}
		switch {
		case d.ServfailExpected:
			p.Servfail = "Validating resolvers answer SERVFAIL on every path."
		case d.ServfailIntermittent:
			p.Servfail = "Some resolvers, or queries to some servers, get SERVFAIL."
		}
	}
	if p.Status == stOK && !r.Success() {
		p.Status, p.Verdict = stBad, "error"
	}

	for _, rm := range triage.Remedies(r, o.Runbook) {
		v := remedyView{Check: rm.Check, Anchor: Anchor(rm.Check), Severity: string(rm.Severity), Summary: rm.Summary, Documented: rm.Documented}
		for _, s := range rm.Steps {
			v.Steps = append(v.Steps, inlineCode(s))
		}
		if rm.Diagnosed {
			p.Remedies = append(p.Remedies, v)
		} else {
			p.Others = append(p.Others, v)
		}
	}
	for _, f := range triage.SortedFindings(r) {
		p.Findings = append(p.Findings, findingView{
			Check: string(f.Check), Anchor: Anchor(string(f.Check)), Severity: string(f.Severity),
			Subject: strings.TrimSpace(f.Nameserver + " " + f.Address), Message: f.Message,
		})
	}

	for _, ps := range r.ParentServers {
		v := parentView{Nameserver: ps.Nameserver, Address: ps.Address, Status: "ok", StatusClass: stOK, Detail: ps.Detail, NS: strings.Join(ps.NS, " ")}
		if !ps.OK {
			v.Status, v.StatusClass = "failed", stBad
		}
		var glue []string
		for _, ns := range ps.NS {
			if a := ps.Glue[ns]; len(a) > 0 {
				glue = append(glue, ns+" "+strings.Join(a, " "))
			}
		}
		v.Glue = strings.Join(glue, ", ")
		p.ParentServers = append(p.ParentServers, v)
	}
	for _, s := range r.Servers {
		v := serverView{Nameserver: s.Nameserver, Address: s.Address, Status: string(s.Status), StatusClass: stOK,
			ApexNS: strings.Join(s.ApexNS, " "), Transport: s.Transport, Detail: s.Detail}
		switch {
		case s.Status == probe.StatusFamilyUnreachable:
			v.StatusClass = stNeutral
		case s.Status.Lame():
			v.StatusClass = stBad
		}
		if s.Status == probe.StatusOK {
			v.RTT = millis(s.RTT)
			v.Serial = strconv.FormatUint(uint64(s.Serial), 10)
		}
		p.Nameservers = append(p.Nameservers, v)
	}
	p.Facts = facts(
		"SOA serials agree", r.SerialConsistent,
		"NS the same at parent and child", r.NSConsistent,
		"glue agrees with the zone", r.GlueConsistent,
	)
	p.DNSSEC = newDNSSECView(r)
	for _, res := range r.Resolvers {
		v := resolverView{Resolver: res.Resolver, Status: string(res.Status), StatusClass: resolverClass(res.Status), AD: yesNo(res.Authenticated), RTT: millis(res.RTT), Detail: res.Detail}
		var ede []string
		for _, e := range res.EDE {
			s := strconv.Itoa(int(e.Code))
			if e.Text != "" {
				s += " " + strconv.Quote(e.Text)
			}
			ede = append(ede, s)
		}
		v.EDE = strings.Join(ede, ", ")
		p.Resolvers = append(p.Resolvers, v)
	}

	var text bytes.Buffer
	_ = triage.Text(&text, r, triage.TextOptions{Runbook: o.Runbook}) // a bytes.Buffer does not fail
	p.Text = text.String()
	var doc bytes.Buffer
	_ = triage.JSON(&doc, r, o.Runbook)
	p.JSON = doc.String()
	return p
}

func newDNSSECView(r *probe.Report) *dnssecView {
	d := r.DNSSEC
	if d == nil {
		return nil
	}
	v := &dnssecView{Status: string(d.Status), StatusClass: dnssecStatus(d.Status), Anchor: fqdn(d.Anchor), Intermittent: d.Intermittent,
		Signatures: len(d.Signatures), Denials: len(d.Denials)}
	if d.Anchor == "" {
		v.Anchor = ""
	}
	for _, l := range d.Chain {
		v.Chain = append(v.Chain, chainView{Zone: fqdn(l.Zone), Status: string(l.Status), StatusClass: dnssecStatus(l.Status), Keys: tags(l.KeyTags), Detail: l.Detail, Cached: l.Cached})
	}
	for _, ds := range d.DS {
		dv := dsView{KeyTag: strconv.Itoa(int(ds.KeyTag)), Algorithm: strconv.Itoa(int(ds.Algorithm)), Digest: digestName(ds.DigestType), Matched: "no", Class: stBad}
		if ds.Matched {
			dv.Matched, dv.Class = "yes", stOK
		}
		v.DS = append(v.DS, dv)
	}
	for _, k := range d.DNSKEYs {
		v.Keys = append(v.Keys, keyView{KeyTag: strconv.Itoa(int(k.KeyTag)), Role: triage.KeyRole(k.Flags), Algorithm: strconv.Itoa(int(k.Algorithm)), SignsKeySet: yesNo(k.SignsKeySet)})
	}
	v.Facts = facts(
		"DS matches a DNSKEY", d.DSMatchesDNSKEY,
		"same DNSKEY set on every server", d.DNSKEYConsistent,
		"CDS matches DS", d.CDSMatchesDS,
	)
	if !d.EarliestExpiration.IsZero() {
		days := d.EarliestExpiration.Sub(r.Time).Hours() / 24
		v.Expiry = d.EarliestExpiration.UTC().Format(time.RFC3339) + ", in " + daysText(days)
		v.ExpiryClass = stOK
		switch {
		case days < 0:
			v.ExpiryClass = stBad
		case days < 3:
			v.ExpiryClass = stWarn
		}
	}
	if n := d.NSEC3; n != nil {
		v.NSEC3 = fmt.Sprintf("%d iterations, salt of %d octets, opt-out %s", n.Iterations, n.SaltLength, yesNo(n.OptOut))
	}
	for _, s := range d.Signatures {
		if s.Valid {
			continue
		}
		sv := sigView{Nameserver: s.Nameserver, Address: s.Address, What: strings.TrimSuffix(s.Owner, ".") + " " + s.Type, Detail: s.Detail}
		if !s.Expiration.IsZero() {
			sv.Expiry = daysText(s.Expiration.Sub(r.Time).Hours() / 24)
		}
		v.BadSignatures = append(v.BadSignatures, sv)
	}
	for _, dn := range d.Denials {
		if !dn.Valid {
			v.BadDenials = append(v.BadDenials, sigView{Nameserver: dn.Nameserver, Address: dn.Address, What: dn.Kind + " " + dn.Qname + " " + dn.Qtype, Detail: dn.Detail})
		}
	}
	return v
}

// facts turns label, *bool pairs into yes/no lines; nil ones (not
// compared) are left out.
func facts(pairs ...any) []factView {
	var out []factView
	for i := 0; i+1 < len(pairs); i += 2 {
		b, _ := pairs[i+1].(*bool)
		if b == nil {
			continue
		}
		f := factView{Label: pairs[i].(string), Value: "yes", Class: stOK}
		if !*b {
			f.Value, f.Class = "no", stBad
		}
		out = append(out, f)
	}
	return out
}

func resolverClass(status probe.ResolverStatus) string {
	switch status {
	case probe.ResolverOK:
		return stOK
	case probe.ResolverInsecure:
		return stWarn
	}
	return stBad
}

// inlineCode escapes a runbook step and shows its `code spans` as code.
func inlineCode(s string) template.HTML {
	var b strings.Builder
	parts := strings.Split(s, "`")
	for i, part := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
			continue
		}
		if i%2 == 1 {
			b.WriteString("`") // an unpaired backtick stays as typed
		}
		b.WriteString(template.HTMLEscapeString(part))
	}
	return template.HTML(b.String()) // every part is escaped above
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func tags(ts []uint16) string {
	var out []string
	for _, t := range ts {
		out = append(out, strconv.Itoa(int(t)))
	}
	return strings.Join(out, " ")
}

// millis writes a round-trip time in milliseconds.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	prec := 1
	if ms < 10 {
		prec = 2
	}
	return strconv.FormatFloat(ms, 'f', prec, 64) + " ms"
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return millis(d)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

func daysText(days float64) string {
	s := strconv.FormatFloat(days, 'f', 1, 64) + " days"
	if days < 0 {
		s += " (expired)"
	}
	return s
}
