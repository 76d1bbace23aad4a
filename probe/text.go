package probe

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteDebug writes the report as text for /probe?debug=true: the walk,
// every query sent, every server's result and every finding.
func (r *Report) WriteDebug(w io.Writer) {
	r.debugServers(w)
	if d := r.DNSSEC; d != nil {
		r.debugDNSSEC(w, d)
	}
	r.debugResolvers(w)
	r.debugQueries(w)
}

// debugServers writes the walk, the parent servers and the nameservers.
func (r *Report) debugServers(w io.Writer) {
	fmt.Fprintf(w, "zone %s (module %s), parent %s, %d queries in %s, timed out: %t\n",
		r.Zone, r.Module, orDash(r.Parent), r.QueryCount, r.Duration.Round(1e6), r.TimedOut)

	fmt.Fprintf(w, "\ndelegation path:\n")
	for _, h := range r.Path {
		cached := ""
		if h.Cached {
			cached = " (cached)"
		}
		fmt.Fprintf(w, "  %s served by %s%s\n", h.Zone, strings.Join(bareAll(h.Servers), " "), cached)
	}

	fmt.Fprintf(w, "\nparent servers:\n")
	for _, p := range r.ParentServers {
		if !p.OK {
			fmt.Fprintf(w, "  %s %s: no delegation: %s\n", bare(p.Nameserver), p.Address, p.Detail)
			continue
		}
		fmt.Fprintf(w, "  %s %s: NS %s\n", bare(p.Nameserver), p.Address, strings.Join(bareAll(p.NS), " "))
	}

	fmt.Fprintf(w, "\nnameservers:\n")
	for _, s := range r.Servers {
		fmt.Fprintf(w, "  %s %s: %s", bare(s.Nameserver), s.Address, s.Status)
		if s.Status == StatusOK {
			fmt.Fprintf(w, " serial=%d ns=[%s] transport=%s", s.Serial, strings.Join(bareAll(s.ApexNS), " "), s.Transport)
		}
		fmt.Fprintf(w, " rtt=%s", s.RTT.Round(1000))
		if s.Detail != "" {
			fmt.Fprintf(w, " (%s)", s.Detail)
		}
		fmt.Fprintln(w)
	}
}

// debugDNSSEC writes the chain of trust and what every address serves.
func (r *Report) debugDNSSEC(w io.Writer, d *DNSSECReport) {
	fmt.Fprintf(w, "\ndnssec: %s", d.Status)
	if d.Intermittent {
		fmt.Fprintf(w, " (intermittent: some servers validate, some do not)")
	}
	if d.Anchor != "" {
		fmt.Fprintf(w, ", trust anchor at %s", d.Anchor)
	}
	if !d.EarliestExpiration.IsZero() {
		fmt.Fprintf(w, ", earliest signature expiry %s (%.2f days)", d.EarliestExpiration.Format(time.RFC3339), d.EarliestExpiration.Sub(r.Time).Hours()/24)
	}
	fmt.Fprintln(w)
	for _, c := range d.Chain {
		fmt.Fprintf(w, "  chain %s: %s keys=%v", zoneLabel(c.Zone), c.Status, c.KeyTags)
		if c.Cached {
			fmt.Fprintf(w, " (cached)")
		}
		if c.Detail != "" {
			fmt.Fprintf(w, " (%s)", c.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, ds := range d.DS {
		fmt.Fprintf(w, "  DS %d algorithm %d digest %d matched=%t\n", ds.KeyTag, ds.Algorithm, ds.DigestType, ds.Matched)
	}
	for _, k := range d.DNSKEYs {
		fmt.Fprintf(w, "  DNSKEY %d algorithm %d flags %d signs-key-set=%t\n", k.KeyTag, k.Algorithm, k.Flags, k.SignsKeySet)
	}
	for _, o := range d.Signatures {
		fmt.Fprintf(w, "  RRSIG %s %s %s %s valid=%t", bare(o.Nameserver), o.Address, zoneLabel(o.Owner), o.Type, o.Valid)
		if !o.Expiration.IsZero() {
			fmt.Fprintf(w, " inception=%s expiration=%s", o.Inception.Format(time.RFC3339), o.Expiration.Format(time.RFC3339))
		}
		if o.Detail != "" {
			fmt.Fprintf(w, " (%s)", o.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, o := range d.Denials {
		fmt.Fprintf(w, "  denial %s %s %s %s %s valid=%t", bare(o.Nameserver), o.Address, o.Kind, o.Qname, o.Qtype, o.Valid)
		if o.Detail != "" {
			fmt.Fprintf(w, " (%s)", o.Detail)
		}
		fmt.Fprintln(w)
	}
	if p := d.NSEC3; p != nil {
		fmt.Fprintf(w, "  NSEC3 iterations=%d salt_length=%d opt_out=%t\n", p.Iterations, p.SaltLength, p.OptOut)
	}
}

// debugResolvers writes the resolvers' view and the diagnosis.
func (r *Report) debugResolvers(w io.Writer) {
	if len(r.Resolvers) > 0 {
		fmt.Fprintf(w, "\nresolvers:\n")
		for _, res := range r.Resolvers {
			fmt.Fprintf(w, "  %s: %s ad=%t rtt=%s", res.Resolver, res.Status, res.Authenticated, res.RTT.Round(1000))
			for _, e := range res.EDE {
				fmt.Fprintf(w, " ede=%d(%q)", e.Code, e.Text)
			}
			if res.Detail != "" {
				fmt.Fprintf(w, " (%s)", res.Detail)
			}
			fmt.Fprintln(w)
			for _, q := range res.Queries {
				fmt.Fprintf(w, "    %s %s cd=%t rcode=%s ad=%t answer=%t rtt=%s", q.Qname, q.Qtype, q.CD, orDash(q.Rcode), q.AD, q.Answer, q.RTT.Round(1000))
				if q.Err != "" {
					fmt.Fprintf(w, " error=%q", q.Err)
				}
				fmt.Fprintln(w)
			}
		}
	}

	if d := r.Diagnosis; d != nil {
		fmt.Fprintf(w, "\ndiagnosis: %s (severity %s, servfail expected %t, intermittent %t)\n  %s\n",
			d.Cause, orDash(string(d.Severity)), d.ServfailExpected, d.ServfailIntermittent, d.Summary)
	}
}

// debugQueries writes every query sent and every finding.
func (r *Report) debugQueries(w io.Writer) {
	fmt.Fprintf(w, "\nqueries:\n")
	for _, q := range r.Queries {
		fmt.Fprintf(w, "  %s %s %s %s %s %s", q.Transport, orDash(bare(q.Nameserver)), q.Address, q.Qname, q.Qtype, q.Flags)
		if q.Cached {
			fmt.Fprintf(w, " cached")
		}
		if q.Err != "" {
			fmt.Fprintf(w, " error=%q", q.Err)
		} else {
			fmt.Fprintf(w, " rcode=%s flags=[%s]", q.Rcode, q.RespFlags)
		}
		fmt.Fprintf(w, " rtt=%s\n", q.RTT.Round(1000))
	}

	fmt.Fprintf(w, "\nfindings:\n")
	if len(r.Findings) == 0 {
		fmt.Fprintf(w, "  none\n")
	}
	for _, f := range r.Findings {
		subject := strings.TrimSpace(bare(f.Nameserver) + " " + f.Address)
		if subject != "" {
			subject = " [" + subject + "]"
		}
		fmt.Fprintf(w, "  %s %s%s: %s\n", f.Severity, f.Check, subject, f.Message)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// bare is a host name as people read it: without the trailing dot the
// report keeps.
func bare(name string) string { return strings.TrimSuffix(name, ".") }

func bareAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = bare(n)
	}
	return out
}
