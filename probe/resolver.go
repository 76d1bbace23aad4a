package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// resolverNameserver is the Nameserver of every Query sent to a resolver.
const resolverNameserver = "resolver"

// maxEDEText bounds the EXTRA-TEXT kept from one EDE option: it is free
// text from a remote server, shown in logs and messages only.
const maxEDEText = 160

// knownEDE reports whether code is assigned in IANA's "Extended DNS Error
// Codes" registry (https://www.iana.org/assignments/dns-parameters/
// dns-parameters.xhtml#extended-dns-error-codes): 0-24 from RFC 8914 and
// 25-30 assigned since (25 Signature Expired before Valid, 26 Too Early
// from RFC 9250, 27 Unsupported NSEC3 Iterations Value from RFC 9276,
// 28 Unable to conform to policy, 29 Synthesized, 30 Invalid Query Type).
// miekg/dns's ExtendedErrorCodeToString names the same 0-30. Anything
// else, including the private-use range 49152-65535 and the 33 (Negative
// Trust Anchor) BIND's development branch sends, whose registration is not
// verified, is not a label value: it goes to ResolverResult.Detail. Extend
// the range once IANA's registry lists more.
func knownEDE(code uint16) bool { return code <= 30 }

// resolverReply is the outcome of one question to one resolver.
type resolverReply struct {
	ResolverQuery
	msg     *dns.Msg
	err     error
	unknown []EDE // EDE options with codes outside the registry
}

// is reports whether the resolver replied with rcode.
func (q *resolverReply) is(rcode int) bool { return q.err == nil && q.msg.Rcode == rcode }

// answered reports whether the resolver gave a usable NOERROR or NXDOMAIN.
func (q *resolverReply) answered() bool {
	return q.is(dns.RcodeSuccess) || q.is(dns.RcodeNameError)
}

// outcome names what the resolver did, for messages: an rcode or the error.
func (q *resolverReply) outcome() string {
	if q == nil {
		return "not asked"
	}
	if q.err != nil {
		return string(classifyError(q.err))
	}
	return dns.RcodeToString[q.msg.Rcode]
}

// unmeasured reports whether the probe's own budget or deadline, not the
// resolver, stopped the query.
func (q *resolverReply) unmeasured() bool {
	return errors.Is(q.err, errBudget) || errors.Is(q.err, errAborted)
}

// resolverStage is the run asking the module's recursive resolvers.
type resolverStage struct{ *run }

// checkResolvers asks every configured resolver, in parallel, for the
// zone's SOA and the module's records with CD=0 and then CD=1, and returns
// one view per resolver in configuration order. A resolver whose view the
// probe's own budget or deadline cut short is nil, judged by nothing.
func (r *resolverStage) checkResolvers(ctx context.Context, zone string) []*resolverView {
	addrs := r.m.resolverAddrs
	results := make([]*resolverView, len(addrs))
	parallel(len(addrs), func(i int) {
		label := addrs[i].String()
		if i < len(r.m.Resolvers) {
			label = r.m.Resolvers[i]
		}
		results[i] = r.checkResolver(ctx, zone, label, addrs[i])
	})
	return results
}

// resolverView is one resolver's result with the evidence behind it.
type resolverView struct {
	result ResolverResult
	addr   string // addr:port, the findings' Address
	// soa0 and soa1 are the SOA replies with CD=0 and CD=1 (soa1 is nil
	// when it was not asked).
	soa0, soa1 *resolverReply
	// rec0 and rec1 are the record whose CD=0 SERVFAIL and CD=1 answer
	// made the status dnssec_failure, when the SOA alone did not.
	rec0, rec1 *resolverReply
	why        string // the SOA classification in words
}

// checkResolver asks one resolver and classifies what it said. nil means
// the probe ran out of budget or time before measuring it.
func (r *resolverStage) checkResolver(ctx context.Context, zone, label string, ap netip.AddrPort) *resolverView {
	a := &resolverAsk{r: r, ctx: ctx, ap: ap}
	v := &resolverView{addr: ap.String()}
	res := &v.result
	res.Resolver = label
	v.soa0 = a.ask(zone, dns.TypeSOA, false)
	if v.soa0.unmeasured() {
		return nil
	}
	res.RTT = v.soa0.RTT
	switch {
	case v.soa0.err != nil:
		// No reply at all: the resolver's view is missing, and a CD=1
		// query would only wait for the same timeout again.
		switch classifyError(v.soa0.err) {
		case StatusTimeout:
			res.Status = ResolverTimeout
		case StatusMalformed:
			res.Status = ResolverMalformedReply
		default:
			res.Status = ResolverNetworkError
		}
		a.detail = append(a.detail, v.soa0.err.Error())
	default:
		v.soa1 = a.ask(zone, dns.TypeSOA, true)
		if v.soa1.unmeasured() {
			if v.soa0.is(dns.RcodeServerFailure) {
				return nil // SERVFAIL with CD=0 means little without the CD=1 reply
			}
			v.soa1 = nil
		}
		res.Status, v.why = r.classifyResolverSOA(v.soa0, v.soa1)
		if v.why != "" {
			a.detail = append(a.detail, v.why)
		}
		res.Authenticated = v.soa0.AD
	}
	// The module's records add evidence when the apex resolves: a record
	// that fails validation makes the zone a DNSSEC failure for its users.
	// Against a resolver that already fails, they would only spend budget.
	if res.Status == ResolverOK || res.Status == ResolverInsecure {
		a.records(zone, v)
	}
	a.gather(res)
	return v
}

// resolverAsk is the questions put to one resolver and the notes on its
// answers, for ResolverResult.Detail.
type resolverAsk struct {
	r      *resolverStage
	ctx    context.Context
	ap     netip.AddrPort
	asked  []*resolverReply
	detail []string
}

func (a *resolverAsk) ask(qname string, qtype uint16, cd bool) *resolverReply {
	q := a.r.askResolver(a.ctx, a.ap, qname, qtype, cd)
	if !q.unmeasured() {
		a.asked = append(a.asked, q)
	}
	return q
}

// records asks for the module's records with CD=0 and CD=1; the first
// that fails only with CD=0 makes the resolver's status dnssec_failure.
func (a *resolverAsk) records(zone string, v *resolverView) {
	seen := map[string]bool{zone + "/" + dns.TypeToString[dns.TypeSOA]: true}
	for _, rec := range a.r.m.Records {
		owner := recordOwner(rec.Name, zone)
		key := owner + "/" + dns.TypeToString[rec.qtype]
		if seen[key] {
			continue
		}
		seen[key] = true
		q0 := a.ask(owner, rec.qtype, false)
		if q0.unmeasured() {
			break
		}
		q1 := a.ask(owner, rec.qtype, true)
		if q1.unmeasured() {
			break
		}
		switch {
		case q0.is(dns.RcodeServerFailure) && q1.answered():
			if v.rec0 == nil {
				v.rec0, v.rec1 = q0, q1
			}
		case !q0.answered():
			a.detail = append(a.detail, fmt.Sprintf("%s %s: %s with CD=0, %s with CD=1",
				strings.TrimSuffix(owner, "."), dns.TypeToString[rec.qtype], q0.outcome(), q1.outcome()))
		}
	}
	if v.rec0 != nil {
		v.result.Status = ResolverDNSSECFailure
		a.detail = append(a.detail, fmt.Sprintf("%s %s: SERVFAIL with CD=0, %s with CD=1",
			strings.TrimSuffix(v.rec0.Qname, "."), v.rec0.Qtype, v.rec1.outcome()))
	}
}

// gather puts the queries, the distinct EDEs and the notes into res.
func (a *resolverAsk) gather(res *ResolverResult) {
	seenEDE := map[uint16]bool{}
	for _, q := range a.asked {
		res.Queries = append(res.Queries, q.ResolverQuery)
		for _, e := range q.EDE {
			if !seenEDE[e.Code] {
				seenEDE[e.Code] = true
				res.EDE = append(res.EDE, e)
			}
		}
		for _, e := range q.unknown {
			a.detail = append(a.detail, fmt.Sprintf("unregistered EDE code %d %q on %s %s cd=%d",
				e.Code, e.Text, strings.TrimSuffix(q.Qname, "."), q.Qtype, b2i(q.CD)))
		}
	}
	res.Detail = strings.Join(a.detail, "; ")
}

// classifyResolverSOA reads the replies to "zone SOA": q0 with CD=0, q1
// with CD=1 (nil when not measured). The CD=1 reply only tells a DNSSEC
// failure from a plain SERVFAIL.
func (r *resolverStage) classifyResolverSOA(q0, q1 *resolverReply) (ResolverStatus, string) {
	m := q0.msg
	switch m.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeServerFailure:
		if q1 != nil && q1.answered() {
			return ResolverDNSSECFailure, fmt.Sprintf("answered SERVFAIL with CD=0 and %s with CD=1: DNSSEC validation fails", q1.outcome())
		}
		return ResolverServfail, fmt.Sprintf("answered SERVFAIL with CD=0 and %s with CD=1", q1.outcome())
	case dns.RcodeNameError:
		return ResolverNXDomain, "answered NXDOMAIN for the zone's apex"
	case dns.RcodeRefused:
		return ResolverRefused, "answered REFUSED: it does not recurse for the exporter"
	default:
		return ResolverMalformedReply, "answered rcode " + dns.RcodeToString[m.Rcode]
	}
	if !q0.Answer {
		why := "answered NOERROR without the zone's SOA"
		if !m.RecursionAvailable {
			why += " and with RA=0: it does not look like a recursive resolver"
		}
		return ResolverMalformedReply, why
	}
	// Whether an answer without AD is insecure depends on the exporter's
	// own verdict, which does not exist yet: settleResolver decides.
	return ResolverOK, ""
}

// recordOwner resolves a RecordSpec name as checkServerDNSSEC does: "@" is the
// apex, a name ending in a dot is absolute, anything else is under zone.
func recordOwner(name, zone string) string {
	switch {
	case name == "@":
		return zone
	case dns.IsFqdn(name):
		return strings.ToLower(name)
	}
	return strings.ToLower(name) + "." + zone
}

// askResolver sends qname/qtype to a resolver with RD=1, DO=1, EDNS0 at
// the module's buffer size and CD as given, retrying UDP timeouts up to
// query_attempts times and repeating over TCP when the UDP answer is
// truncated, and records the outcome.
func (r *resolverStage) askResolver(ctx context.Context, ap netip.AddrPort, qname string, qtype uint16, cd bool) *resolverReply {
	q := newQuestion(qname, qtype)
	q.RecursionDesired = true
	q.CheckingDisabled = cd
	q.SetEdns0(r.m.EDNSBufferSize, true)
	var rep reply
	for attempt := 0; attempt < r.m.QueryAttempts; attempt++ {
		rep = r.exchangeResolver(ctx, ap, q, "udp")
		if rep.err == nil && rep.msg.Truncated {
			rep = r.exchangeResolver(ctx, ap, q, "tcp")
			break
		}
		if !isTimeout(rep.err) || errors.Is(rep.err, errAborted) {
			break
		}
	}
	out := &resolverReply{
		ResolverQuery: ResolverQuery{Qname: qname, Qtype: dns.TypeToString[qtype], CD: cd, RTT: rep.rtt},
		msg:           rep.msg,
		err:           rep.err,
	}
	if rep.err != nil {
		out.Err = rep.err.Error()
		return out
	}
	m := rep.msg
	out.Rcode = dns.RcodeToString[m.Rcode]
	out.AD = m.AuthenticatedData
	out.Answer = hasRRset(m.Answer, qname, qtype)
	if opt := m.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			e, ok := o.(*dns.EDNS0_EDE)
			if !ok {
				continue
			}
			ede := EDE{Code: e.InfoCode, Text: cleanText(e.ExtraText, maxEDEText)}
			if knownEDE(e.InfoCode) {
				out.EDE = append(out.EDE, ede)
			} else {
				out.unknown = append(out.unknown, ede)
			}
		}
	}
	return out
}

// hasRRset reports whether answer holds the qtype RRset at qname, following
// the CNAME chain a resolver puts before it.
func hasRRset(answer []dns.RR, qname string, qtype uint16) bool {
	name := qname
	for hops := 0; hops < 10; hops++ {
		var next string
		for _, rr := range answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			if h.Rrtype == qtype {
				return true
			}
			if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				next = c.Target
			}
		}
		if next == "" {
			return false
		}
		name = next
	}
	return false
}

func (r *resolverStage) exchangeResolver(ctx context.Context, ap netip.AddrPort, q *dns.Msg, network string) reply {
	return r.exchangeTo(ctx, resolverNameserver, ap, q, network)
}

// cleanText makes remote free text safe for one-line messages and logs.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return ' '
		}
		return c
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strings.TrimSpace(s)
}

// edeList formats the registered EDEs of replies for a message:
// `EDE 7 (Signature Expired) "sig expired", EDE 22 (No Reachable Authority)`.
func edeList(qs ...*resolverReply) string {
	var parts []string
	seen := map[EDE]bool{}
	for _, q := range qs {
		if q == nil {
			continue
		}
		for _, e := range q.EDE {
			if seen[e] {
				continue
			}
			seen[e] = true
			s := fmt.Sprintf("EDE %d (%s)", e.Code, dns.ExtendedErrorCodeToString[e.Code])
			if e.Text != "" {
				s += fmt.Sprintf(" %q", e.Text)
			}
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "no EDE"
	}
	return strings.Join(parts, ", ")
}

// settleResolver completes a resolver's status with the exporter's own
// DNSSEC verdict (nil without DNSSEC), which did not exist yet when the
// resolver was asked: a NOERROR without AD for a zone the exporter
// validates as secure is insecure.
func settleResolver(v *resolverView, own *DNSSECReport) {
	res := &v.result
	if res.Status != ResolverOK || res.Authenticated || own == nil || own.Status != DNSSECSecure {
		return
	}
	res.Status = ResolverInsecure
	v.why = "answered without AD for a zone the exporter validates as secure"
	if res.Detail == "" {
		res.Detail = v.why
	} else {
		res.Detail = v.why + "; " + res.Detail
	}
}

// judgeResolver judges one resolver's view, and compares it with the
// exporter's own DNSSEC verdict (nil without DNSSEC). delegationOK says
// whether any of the zone's servers answered the exporter.
func judgeResolver(zone string, v *resolverView, own *DNSSECReport, delegationOK bool) []raised {
	var fs []raised
	res := &v.result
	name := strings.TrimSuffix(zone, ".")
	soa := name + " SOA"
	switch res.Status {
	case ResolverDNSSECFailure:
		if v.rec0 != nil {
			fs = append(fs, raise(CheckResolverDNSSECFailure, "", v.addr,
				"resolver %s answers %s with %s but %s %s with SERVFAIL with CD=0 and %s with CD=1: it fails to validate the zone's data (%s)",
				res.Resolver, soa, v.soa0.outcome(), strings.TrimSuffix(v.rec0.Qname, "."), v.rec0.Qtype, v.rec1.outcome(), edeList(v.rec0, v.rec1)))
		} else {
			fs = append(fs, raise(CheckResolverDNSSECFailure, "", v.addr,
				"resolver %s answers %s with SERVFAIL with CD=0 and %s with CD=1: it fails to validate the zone (%s)",
				res.Resolver, soa, v.soa1.outcome(), edeList(v.soa0, v.soa1)))
		}
	case ResolverServfail:
		fs = append(fs, raise(CheckResolverServfail, "", v.addr,
			"resolver %s answers %s with SERVFAIL with CD=0 and %s with CD=1: it cannot resolve the zone at all (%s)",
			res.Resolver, soa, v.soa1.outcome(), edeList(v.soa0, v.soa1)))
	case ResolverNXDomain:
		fs = append(fs, raise(CheckResolverNXDomain, "", v.addr,
			"resolver %s answers %s with NXDOMAIN with CD=0 and %s with CD=1: its users see no such zone (%s)",
			res.Resolver, soa, v.soa1.outcome(), edeList(v.soa0, v.soa1)))
	case ResolverTimeout, ResolverRefused, ResolverNetworkError, ResolverMalformedReply:
		what := v.why
		if v.soa0.err != nil {
			what = v.soa0.outcome() + ": " + v.soa0.err.Error()
		}
		fs = append(fs, raise(CheckResolverUnreachable, "", v.addr,
			"resolver %s gave no usable answer to %s (%s; %s): its view of the zone is missing",
			res.Resolver, soa, cleanText(what, 300), edeList(v.soa0, v.soa1)))
	}

	// The resolver against the exporter's own validation.
	if own == nil {
		return fs
	}
	status, intermittent := own.Status, own.Intermittent
	// A SERVFAIL even with CD=1 is not about DNSSEC: it disagrees with the
	// exporter only when the exporter found the zone's servers answering.
	var says string
	switch {
	case res.Status == ResolverServfail && !delegationOK:
		return fs
	case (res.Status == ResolverDNSSECFailure || res.Status == ResolverServfail) && (status == DNSSECSecure || status == DNSSECInsecure):
		says = fmt.Sprintf("fails the zone (%s: SERVFAIL with CD=0, %s with CD=1; %s)", res.Status, v.soa1.outcome(), edeList(v.soa0, v.soa1, v.rec0, v.rec1))
		if v.rec0 != nil {
			says = fmt.Sprintf("fails the zone (%s: SERVFAIL for %s %s with CD=0, %s with CD=1; %s)", res.Status,
				strings.TrimSuffix(v.rec0.Qname, "."), v.rec0.Qtype, v.rec1.outcome(), edeList(v.rec0, v.rec1))
		}
	case res.Status == ResolverOK && res.Authenticated && status == DNSSECBogus && !intermittent:
		// With only some servers bogus, a resolver that retried a good one
		// validates: that is the intermittent failure, not a disagreement.
		says = "validates the zone as secure (NOERROR with AD=1)"
	case res.Status == ResolverInsecure && status == DNSSECSecure:
		says = "treats the zone as insecure (NOERROR with AD=0)"
	default:
		return fs
	}
	return append(fs, raise(CheckResolverDisagreement, "", v.addr,
		"resolver %s %s while the exporter's own validation says %s: look at the resolver (trust anchor, algorithm policy, cached data) or at what it is served",
		res.Resolver, says, status))
}
