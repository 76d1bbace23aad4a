package probe

import (
	"fmt"
	"io"
	"strings"
)

// WriteDebug writes the report as text for /probe?debug=true: the walk,
// every query sent, every server's result and every finding.
func (r *Report) WriteDebug(w io.Writer) {
	fmt.Fprintf(w, "zone %s (module %s), parent %s, %d queries in %s, timed out: %t\n",
		r.Zone, r.Module, orDash(r.Parent), r.QueryCount, r.Duration.Round(1e6), r.TimedOut)

	fmt.Fprintf(w, "\ndelegation path:\n")
	for _, h := range r.Path {
		cached := ""
		if h.Cached {
			cached = " (cached)"
		}
		fmt.Fprintf(w, "  %s served by %s%s\n", h.Zone, strings.Join(h.Servers, " "), cached)
	}

	fmt.Fprintf(w, "\nparent servers:\n")
	for _, p := range r.ParentServers {
		if !p.OK {
			fmt.Fprintf(w, "  %s %s: no delegation: %s\n", p.Nameserver, p.Address, p.Detail)
			continue
		}
		fmt.Fprintf(w, "  %s %s: NS %s\n", p.Nameserver, p.Address, strings.Join(p.NS, " "))
	}

	fmt.Fprintf(w, "\nnameservers:\n")
	for _, s := range r.Servers {
		fmt.Fprintf(w, "  %s %s: %s", s.Nameserver, s.Address, s.Status)
		if s.Status == StatusOK {
			fmt.Fprintf(w, " serial=%d ns=[%s] transport=%s", s.Serial, strings.Join(s.ApexNS, " "), s.Transport)
		}
		fmt.Fprintf(w, " rtt=%s", s.RTT.Round(1000))
		if s.Detail != "" {
			fmt.Fprintf(w, " (%s)", s.Detail)
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\nqueries:\n")
	for _, q := range r.Queries {
		fmt.Fprintf(w, "  %s %s %s %s %s %s", q.Transport, orDash(q.Nameserver), q.Address, q.Qname, q.Qtype, q.Flags)
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
		subject := strings.TrimSpace(f.Nameserver + " " + f.Address)
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
