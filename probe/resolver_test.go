package probe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
)

const rsZone = "example.com."

func rsWrite(t *testing.T, w dns.ResponseWriter, m *dns.Msg) {
	if err := w.WriteMsg(m); err != nil {
		t.Errorf("stub resolver write: %v", err)
	}
}

// rsRun builds a run as Probe does, for the given resolvers and records,
// with the exporter's own DNSSEC verdict set when verdict is not "".
func rsRun(t *testing.T, resolvers []string, records []RecordSpec, verdict DNSSECStatus) *run {
	t.Helper()
	m := &Module{Resolvers: resolvers, Records: records, QueryTimeout: 200 * time.Millisecond, QueryAttempts: 1}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	r, end := newRun(context.Background(), &Prober{Now: time.Now}, m, rsZone, "")
	t.Cleanup(end)
	if verdict != "" {
		// A verdict of its own means the exporter reached the zone's servers.
		r.report.DNSSEC = &DNSSECReport{Status: verdict}
		r.report.Servers = []ServerResult{{Nameserver: "ns1." + strings.TrimSuffix(rsZone, "."), Address: "192.0.2.1", Status: StatusOK}}
	}
	return r
}

// askAndJudge asks the resolvers and judges their views, as Probe does.
func askAndJudge(ctx context.Context, r *run, zone string) {
	for _, v := range (&resolverStage{r}).checkResolvers(ctx, zone) {
		if v != nil {
			settleResolver(v, r.report.DNSSEC)
			r.report.Resolvers = append(r.report.Resolvers, v.result)
			r.record(judgeResolver(zone, v, r.report.DNSSEC, okCount(r.report.Servers) > 0))
		}
	}
	r.report.Queries = r.queries
}

type rsFinding struct {
	check    CheckID
	severity Severity
}

func TestResolverClassification(t *testing.T) {
	expired := dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeSignatureExpired, ExtraText: "signature expired"}
	unreachable := dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeNoReachableAuthority, ExtraText: "no reachable authority"}
	prohibited := dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeProhibited}

	servfailUnlessCD := func(t *testing.T) func(w dns.ResponseWriter, req *dns.Msg) {
		return func(w dns.ResponseWriter, req *dns.Msg) {
			if req.CheckingDisabled {
				rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeSuccess, false, true))
				return
			}
			rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeServerFailure, false, false, expired))
		}
	}
	always := func(t *testing.T, rcode int, ad, data bool, edes ...dns.EDNS0_EDE) func(w dns.ResponseWriter, req *dns.Msg) {
		return func(w dns.ResponseWriter, req *dns.Msg) {
			rsWrite(t, w, dnstest.ResolverReply(t, req, rcode, ad, data, edes...))
		}
	}

	cases := []struct {
		name    string
		handler func(t *testing.T) func(w dns.ResponseWriter, req *dns.Msg)
		tcp     bool
		records []RecordSpec
		verdict DNSSECStatus // the exporter's own verdict; "" leaves Report.DNSSEC nil

		status   ResolverStatus
		auth     bool
		ede      []uint16
		findings []rsFinding
		// msg must appear in every finding's message; detail in Detail.
		msg, detail string
		queries     int    // ResolverResult.Queries
		transport   string // of the last query in Report.Queries
	}{
		{
			name:    "ok with AD",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, true, true) },
			verdict: DNSSECSecure,
			status:  ResolverOK, auth: true, queries: 2,
		},
		{
			name:    "ok with AD, no verdict of our own",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, true, true) },
			status:  ResolverOK, auth: true, queries: 2,
		},
		{
			name:    "ok with AD while the exporter says bogus",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, true, true) },
			verdict: DNSSECBogus,
			status:  ResolverOK, auth: true, queries: 2,
			findings: []rsFinding{{CheckResolverDisagreement, SeverityWarning}},
			msg:      "exporter's own validation says bogus",
		},
		{
			name:    "AD=0 for a zone the exporter finds secure",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, false, true) },
			verdict: DNSSECSecure,
			status:  ResolverInsecure, queries: 2,
			findings: []rsFinding{{CheckResolverDisagreement, SeverityWarning}},
			msg:      "treats the zone as insecure (NOERROR with AD=0) while the exporter's own validation says secure",
			detail:   "without AD",
		},
		{
			name:    "AD=0 for an insecure zone",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, false, true) },
			verdict: DNSSECInsecure,
			status:  ResolverOK, queries: 2,
		},
		{
			name:    "AD=0 without a verdict of our own",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) { return always(t, dns.RcodeSuccess, false, true) },
			status:  ResolverOK, queries: 2,
		},
		{
			name:    "SERVFAIL unless CD, exporter says bogus",
			handler: servfailUnlessCD,
			verdict: DNSSECBogus,
			status:  ResolverDNSSECFailure, ede: []uint16{7}, queries: 2,
			findings: []rsFinding{{CheckResolverDNSSECFailure, SeverityError}},
			msg:      `SERVFAIL with CD=0 and NOERROR with CD=1`,
		},
		{
			name:    "SERVFAIL unless CD, exporter says secure",
			handler: servfailUnlessCD,
			verdict: DNSSECSecure,
			status:  ResolverDNSSECFailure, ede: []uint16{7}, queries: 2,
			findings: []rsFinding{
				{CheckResolverDNSSECFailure, SeverityError},
				{CheckResolverDisagreement, SeverityWarning},
			},
			msg: `EDE 7 (Signature Expired) "signature expired"`,
		},
		{
			name: "SERVFAIL always",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeServerFailure, false, false, unreachable)
			},
			status: ResolverServfail, ede: []uint16{22}, queries: 2,
			findings: []rsFinding{{CheckResolverServfail, SeverityError}},
			msg:      `SERVFAIL with CD=0 and SERVFAIL with CD=1`,
		},
		{
			name: "SERVFAIL always, exporter says insecure",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeServerFailure, false, false, unreachable)
			},
			verdict: DNSSECInsecure,
			status:  ResolverServfail, ede: []uint16{22}, queries: 2,
			findings: []rsFinding{
				{CheckResolverServfail, SeverityError},
				{CheckResolverDisagreement, SeverityWarning},
			},
			msg: `EDE 22 (No Reachable Authority) "no reachable authority"`,
		},
		{
			name: "NXDOMAIN",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeNameError, false, false)
			},
			verdict: DNSSECSecure,
			status:  ResolverNXDomain, queries: 2,
			findings: []rsFinding{{CheckResolverNXDomain, SeverityError}},
			msg:      "NXDOMAIN with CD=0 and NXDOMAIN with CD=1",
		},
		{
			name: "REFUSED",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeRefused, false, false, prohibited)
			},
			verdict: DNSSECSecure,
			status:  ResolverRefused, ede: []uint16{18}, queries: 2,
			findings: []rsFinding{{CheckResolverUnreachable, SeverityWarning}},
			msg:      "EDE 18 (Prohibited)",
		},
		{
			name: "never answers",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return func(dns.ResponseWriter, *dns.Msg) {}
			},
			verdict: DNSSECSecure,
			status:  ResolverTimeout, queries: 1,
			findings: []rsFinding{{CheckResolverUnreachable, SeverityWarning}},
			msg:      "(timeout: ",
		},
		{
			name: "mismatched question",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return func(w dns.ResponseWriter, req *dns.Msg) {
					m := dnstest.ResolverReply(t, req, dns.RcodeSuccess, true, true)
					m.Question[0].Name = "example.net."
					rsWrite(t, w, m)
				}
			},
			status: ResolverMalformedReply, queries: 1,
			findings: []rsFinding{{CheckResolverUnreachable, SeverityWarning}},
			msg:      "reply is for example.net.",
		},
		{
			name: "garbage",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return func(w dns.ResponseWriter, req *dns.Msg) {
					if _, err := w.Write([]byte{0xde, 0xad, 0xbe}); err != nil {
						t.Errorf("stub resolver write: %v", err)
					}
				}
			},
			status: ResolverMalformedReply, queries: 1,
			findings: []rsFinding{{CheckResolverUnreachable, SeverityWarning}},
			msg:      "(malformed: ",
		},
		{
			name: "NOERROR without the SOA",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeSuccess, false, false)
			},
			status: ResolverMalformedReply, queries: 2,
			findings: []rsFinding{{CheckResolverUnreachable, SeverityWarning}},
			msg:      "NOERROR without the zone's SOA",
		},
		{
			name: "TC over UDP, the answer over TCP",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return func(w dns.ResponseWriter, req *dns.Msg) {
					if w.RemoteAddr().Network() == "udp" {
						m := dnstest.ResolverReply(t, req, dns.RcodeSuccess, true, false)
						m.Truncated = true
						rsWrite(t, w, m)
						return
					}
					rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeSuccess, true, true))
				}
			},
			tcp:     true,
			verdict: DNSSECSecure,
			status:  ResolverOK, auth: true, queries: 2, transport: "tcp",
		},
		{
			name: "unregistered EDE code",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeSuccess, true, true,
					dns.EDNS0_EDE{InfoCode: 60000, ExtraText: "private\nuse"},
					dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeStaleAnswer, ExtraText: "stale"})
			},
			verdict: DNSSECSecure,
			status:  ResolverOK, auth: true, ede: []uint16{3}, queries: 2,
			detail: `unregistered EDE code 60000 "private use" on example.com SOA cd=0`,
		},
		{
			name: "a record fails validation while the SOA resolves",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return func(w dns.ResponseWriter, req *dns.Msg) {
					if req.Question[0].Qtype == dns.TypeA && !req.CheckingDisabled {
						rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeServerFailure, false, false, expired))
						return
					}
					rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeSuccess, !req.CheckingDisabled, true))
				}
			},
			// "@ SOA" is the SOA already asked: not asked twice.
			records: []RecordSpec{{Name: "www", Type: "A"}, {Name: "@", Type: "SOA"}},
			verdict: DNSSECSecure,
			status:  ResolverDNSSECFailure, auth: true, ede: []uint16{7}, queries: 4,
			findings: []rsFinding{
				{CheckResolverDNSSECFailure, SeverityError},
				{CheckResolverDisagreement, SeverityWarning},
			},
			msg:    "www.example.com A",
			detail: "www.example.com A: SERVFAIL with CD=0, NOERROR with CD=1",
		},
		{
			name: "records that resolve add nothing",
			handler: func(t *testing.T) func(dns.ResponseWriter, *dns.Msg) {
				return always(t, dns.RcodeSuccess, true, true)
			},
			records: []RecordSpec{{Name: "www", Type: "A"}, {Name: "mail.example.com.", Type: "A"}},
			verdict: DNSSECSecure,
			status:  ResolverOK, auth: true, queries: 6,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stub := dnstest.StartResolverStub(t, tc.tcp, tc.handler(t))
			r := rsRun(t, []string{stub.Addr}, tc.records, tc.verdict)
			askAndJudge(context.Background(), r, rsZone)

			if len(r.report.Resolvers) != 1 {
				t.Fatalf("got %d resolver results, want 1", len(r.report.Resolvers))
			}
			res := r.report.Resolvers[0]
			if res.Resolver != stub.Addr {
				t.Errorf("Resolver = %q, want %q", res.Resolver, stub.Addr)
			}
			if res.Status != tc.status {
				t.Errorf("Status = %q, want %q (detail %q)", res.Status, tc.status, res.Detail)
			}
			if res.Authenticated != tc.auth {
				t.Errorf("Authenticated = %v, want %v", res.Authenticated, tc.auth)
			}
			var codes []uint16
			for _, e := range res.EDE {
				codes = append(codes, e.Code)
			}
			if !slices.Equal(codes, tc.ede) {
				t.Errorf("EDE codes = %v, want %v", codes, tc.ede)
			}
			if len(res.Queries) != tc.queries {
				t.Errorf("%d resolver queries, want %d: %+v", len(res.Queries), tc.queries, res.Queries)
			}
			if len(res.Queries) > 0 && (res.Queries[0].CD || res.Queries[0].Qtype != "SOA" || res.Queries[0].RTT != res.RTT) {
				t.Errorf("first query %+v is not the CD=0 SOA query behind RTT %v", res.Queries[0], res.RTT)
			}
			if tc.detail != "" && !strings.Contains(res.Detail, tc.detail) {
				t.Errorf("Detail = %q, want it to contain %q", res.Detail, tc.detail)
			}

			var got []rsFinding
			for _, f := range r.report.Findings {
				got = append(got, rsFinding{f.Check, f.Severity})
				if f.Nameserver != "" || f.Address != stub.Addr {
					t.Errorf("finding %s is about %q %q, want \"\" %q", f.Check, f.Nameserver, f.Address, stub.Addr)
				}
				if strings.ContainsAny(f.Message, "\n\r") {
					t.Errorf("finding %s message is not one line: %q", f.Check, f.Message)
				}
				if tc.msg != "" && !strings.Contains(f.Message, tc.msg) && f.Check != CheckResolverDisagreement {
					t.Errorf("finding %s message %q does not contain %q", f.Check, f.Message, tc.msg)
				}
				if f.Check == CheckResolverDisagreement && !strings.Contains(f.Message, "exporter's own validation says "+string(tc.verdict)) {
					t.Errorf("disagreement %q does not say what the exporter says (%s)", f.Message, tc.verdict)
				}
			}
			var gotIDs, wantIDs []CheckID
			for _, f := range got {
				gotIDs = append(gotIDs, f.check)
			}
			for _, f := range tc.findings {
				wantIDs = append(wantIDs, f.check)
			}
			wantCheckIDs(t, gotIDs, wantIDs...)
			if !slices.Equal(got, tc.findings) {
				t.Errorf("findings = %v, want %v\n%+v", got, tc.findings, r.report.Findings)
			}

			// Every query went through the report, with the resolver's flags.
			if len(r.report.Queries) < len(res.Queries) {
				t.Errorf("%d queries in the report, fewer than the %d resolver queries", len(r.report.Queries), len(res.Queries))
			}
			for i, q := range r.report.Queries {
				if q.Nameserver != "resolver" || q.Address != stub.Addr {
					t.Errorf("query %d is to %q %q", i, q.Nameserver, q.Address)
				}
				if !strings.HasPrefix(q.Flags, "rd=1 edns=1232 do=1 cd=") {
					t.Errorf("query %d flags %q", i, q.Flags)
				}
			}
			if tc.transport != "" {
				if last := r.report.Queries[len(r.report.Queries)-1]; last.Transport != tc.transport {
					t.Errorf("last query went over %s, want %s", last.Transport, tc.transport)
				}
			}
			if r.sent != len(r.report.Queries) {
				t.Errorf("budget counted %d queries, report has %d", r.sent, len(r.report.Queries))
			}

			// What the resolver saw: RD=1, DO=1, EDNS 1232, CD=0 then CD=1.
			reqs := stub.Requests()
			for i, rq := range reqs {
				opt := rq.Msg.IsEdns0()
				if !rq.Msg.RecursionDesired || opt == nil || !opt.Do() || opt.UDPSize() != 1232 {
					t.Errorf("request %d: rd=%v edns=%v", i, rq.Msg.RecursionDesired, opt)
				}
			}
			if tc.queries >= 2 {
				cds := []bool{}
				for _, q := range res.Queries[:2] {
					cds = append(cds, q.CD)
				}
				if !slices.Equal(cds, []bool{false, true}) {
					t.Errorf("SOA queries CD = %v, want [false true]", cds)
				}
			}
		})
	}
}

// TestResolverOrder checks that results follow the configuration, not the
// order in which the parallel queries finish.
func TestResolverOrder(t *testing.T) {
	slow := dnstest.StartResolverStub(t, false, func(dns.ResponseWriter, *dns.Msg) {}) // times out
	fail := dnstest.StartResolverStub(t, false, func(w dns.ResponseWriter, req *dns.Msg) {
		rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeServerFailure, false, false))
	})
	ok := dnstest.StartResolverStub(t, false, func(w dns.ResponseWriter, req *dns.Msg) {
		rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeSuccess, true, true))
	})
	r := rsRun(t, []string{slow.Addr, fail.Addr, ok.Addr}, nil, DNSSECSecure)
	askAndJudge(context.Background(), r, rsZone)
	var got []string
	for _, res := range r.report.Resolvers {
		got = append(got, res.Resolver+"="+string(res.Status))
	}
	want := []string{slow.Addr + "=timeout", fail.Addr + "=servfail", ok.Addr + "=ok"}
	if !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	var checks []string
	for _, f := range r.report.Findings {
		checks = append(checks, string(f.Check)+"@"+f.Address)
	}
	wantChecks := []string{
		string(CheckResolverUnreachable) + "@" + slow.Addr,
		string(CheckResolverServfail) + "@" + fail.Addr,
		string(CheckResolverDisagreement) + "@" + fail.Addr,
	}
	if !slices.Equal(checks, wantChecks) {
		t.Errorf("findings %v, want %v", checks, wantChecks)
	}
}

// TestResolverCutShort checks that the probe's own limits stop the
// resolver view without findings.
func TestResolverCutShort(t *testing.T) {
	handler := func(t *testing.T) func(w dns.ResponseWriter, req *dns.Msg) {
		return func(w dns.ResponseWriter, req *dns.Msg) {
			if req.CheckingDisabled {
				rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeSuccess, false, true))
				return
			}
			rsWrite(t, w, dnstest.ResolverReply(t, req, dns.RcodeServerFailure, false, false))
		}
	}
	t.Run("budget spent", func(t *testing.T) {
		stub := dnstest.StartResolverStub(t, false, handler(t))
		r := rsRun(t, []string{stub.Addr}, nil, DNSSECSecure)
		r.sent = r.m.MaxQueries
		askAndJudge(context.Background(), r, rsZone)
		if len(r.report.Resolvers) != 0 || len(r.report.Findings) != 0 || !r.budgetHit {
			t.Errorf("resolvers %+v, findings %+v, budget hit %v", r.report.Resolvers, r.report.Findings, r.budgetHit)
		}
	})
	t.Run("budget spent before the CD=1 query", func(t *testing.T) {
		stub := dnstest.StartResolverStub(t, false, handler(t))
		r := rsRun(t, []string{stub.Addr}, nil, DNSSECSecure)
		r.sent = r.m.MaxQueries - 1
		askAndJudge(context.Background(), r, rsZone)
		// SERVFAIL with CD=0 alone does not tell a DNSSEC failure from a
		// broken resolver: nothing is concluded.
		if len(r.report.Resolvers) != 0 || len(r.report.Findings) != 0 || len(r.report.Queries) != 1 {
			t.Errorf("resolvers %+v, findings %+v, %d queries", r.report.Resolvers, r.report.Findings, len(r.report.Queries))
		}
	})
	t.Run("deadline passed", func(t *testing.T) {
		stub := dnstest.StartResolverStub(t, false, handler(t))
		r := rsRun(t, []string{stub.Addr}, nil, DNSSECSecure)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		askAndJudge(ctx, r, rsZone)
		if len(r.report.Resolvers) != 0 || len(r.report.Findings) != 0 || !r.aborted() || len(stub.Requests()) != 0 {
			t.Errorf("resolvers %+v, findings %+v, aborted %v", r.report.Resolvers, r.report.Findings, r.aborted())
		}
	})
	t.Run("no resolvers", func(t *testing.T) {
		r := rsRun(t, nil, nil, DNSSECSecure)
		askAndJudge(context.Background(), r, rsZone)
		if r.report.Resolvers != nil || r.sent != 0 {
			t.Errorf("resolvers %+v, %d queries", r.report.Resolvers, r.sent)
		}
	})
}

func TestResolverEDERegistry(t *testing.T) {
	for code := range uint16(31) {
		if !knownEDE(code) {
			t.Errorf("EDE %d is in the IANA registry", code)
		}
		if _, ok := dns.ExtendedErrorCodeToString[code]; !ok {
			t.Errorf("miekg/dns has no name for EDE %d", code)
		}
	}
	for _, code := range []uint16{31, 49151, 49152, 60000, 65535} {
		if knownEDE(code) {
			t.Errorf("EDE %d is not an assigned code", code)
		}
	}
}

func TestResolverHasRRset(t *testing.T) {
	cname := dnstest.MustRR(t, "www.example.com. 300 IN CNAME web.example.net.")
	a := dnstest.MustRR(t, "web.example.net. 300 IN A 192.0.2.1")
	cases := []struct {
		name   string
		answer []dns.RR
		qtype  uint16
		want   bool
	}{
		{"direct", []dns.RR{dnstest.MustRR(t, "WWW.example.com. 300 IN A 192.0.2.1")}, dns.TypeA, true},
		{"through a CNAME", []dns.RR{cname, a}, dns.TypeA, true},
		{"CNAME without its target", []dns.RR{cname}, dns.TypeA, false},
		{"the CNAME itself", []dns.RR{cname}, dns.TypeCNAME, true},
		{"another type", []dns.RR{a}, dns.TypeAAAA, false},
		{"CNAME loop", []dns.RR{cname, dnstest.MustRR(t, "web.example.net. 300 IN CNAME www.example.com.")}, dns.TypeA, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasRRset(tc.answer, "www.example.com.", tc.qtype); got != tc.want {
				t.Errorf("hasRRset = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResolverCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines\x00", "two lines"},
		{"bad \xff utf8", "bad ? utf8"},
		{strings.Repeat("é", 100), strings.Repeat("é", 80) + "..."},
	} {
		t.Run(fmt.Sprintf("%.10q", tc.in), func(t *testing.T) {
			if got := cleanText(tc.in, maxEDEText); got != tc.want {
				t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestResolverServfailWithLameZone: when no server of the zone answers, a
// resolver's SERVFAIL agrees with the exporter; it is not a disagreement.
func TestResolverServfailWithLameZone(t *testing.T) {
	stub := dnstest.StartResolverStub(t, false, func(w dns.ResponseWriter, q *dns.Msg) {
		rsWrite(t, w, dnstest.ResolverReply(t, q, dns.RcodeServerFailure, false, false))
	})
	r := rsRun(t, []string{stub.Addr}, nil, DNSSECInsecure)
	r.report.Servers[0].Status = StatusRefused
	askAndJudge(t.Context(), r, rsZone)
	for _, f := range r.report.Findings {
		if f.Check == CheckResolverDisagreement {
			t.Errorf("disagreement raised for a zone whose servers all fail: %s", f.Message)
		}
	}
	wantFinding(t, r.report, CheckResolverServfail)
}
