package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Verdicts, worst last.
var rank = map[string]int{"secure": 0, "insecure": 1, "bogus": 2, "servfail": 3}

// Answer is one validator's answer to one question.
type Answer struct {
	Q       string // "name TYPE"
	Verdict string // secure, insecure, bogus, servfail
	Rcode   string
	AD      bool
	EDE     []uint16
	Denial  bool   // NXDOMAIN or NODATA
	Detail  string // delv's first line
}

// Result is one variant's comparison.
type Result struct {
	Name     string
	Exporter string
	Findings []string
	Unbound  string
	Delv     string
	UAnswers []Answer
	DAnswers []Answer
	Kind     string // "" agreement; else "exporter=X unbound=Y delv=Z"
	Reason   string // the expectation that explains it
	Err      string
	Judged   time.Time // when its last answer came
	Retries  int       // how many times it was judged again
}

// zoneVerdict folds one validator's answers into the zone's verdict: the
// worst answer, except that an insecure denial (an NXDOMAIN or NODATA
// without AD, as NSEC3 opt-out or too many NSEC3 iterations make it) does
// not make a zone whose positive answers are secure insecure: validators
// judge each answer, the exporter judges what positive answers get.
func zoneVerdict(as []Answer) string {
	worst := "secure"
	for _, a := range as {
		v := a.Verdict
		if v == "insecure" && a.Denial {
			continue
		}
		if rank[v] > rank[worst] {
			worst = v
		}
	}
	return worst
}

func questions(v ManifestVariant) []Question {
	qs := []Question{{"@", dns.TypeSOA}, {"@", dns.TypeNS}, {"@", dns.TypeDNSKEY}}
	qs = append(qs, v.Questions...)
	return append(qs, Question{"nx-differential", dns.TypeA})
}

func exchange(c *dns.Client, m *dns.Msg, addr string) (*dns.Msg, error) {
	r, _, err := c.Exchange(m, addr)
	if err == nil && r.Truncated {
		tc := *c
		tc.Net = "tcp"
		r, _, err = tc.Exchange(m, addr)
	}
	return r, err
}

// resolverAddr is Unbound's address and port (a test points it elsewhere).
var resolverAddr = Resolver + ":53"

// askUnbound asks the validating resolver with DO=1; a SERVFAIL is asked
// again with CD=1: an answer then makes it bogus, another SERVFAIL
// servfail (nothing answers).
func askUnbound(name string, t uint16) Answer {
	a := Answer{Q: name + " " + dns.TypeToString[t]}
	c := &dns.Client{Timeout: 15 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion(name, t)
	m.SetEdns0(1232, true)
	r, err := exchange(c, m, resolverAddr)
	if err != nil {
		a.Verdict, a.Detail = "servfail", err.Error()
		return a
	}
	a.Rcode, a.AD = dns.RcodeToString[r.Rcode], r.AuthenticatedData
	if o := r.IsEdns0(); o != nil {
		for _, e := range o.Option {
			if ede, ok := e.(*dns.EDNS0_EDE); ok {
				a.EDE = append(a.EDE, ede.InfoCode)
			}
		}
	}
	switch r.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		a.Denial = r.Rcode == dns.RcodeNameError || !hasType(r.Answer, t)
		a.Verdict = "insecure"
		if r.AuthenticatedData {
			a.Verdict = "secure"
		}
	case dns.RcodeServerFailure:
		// An EDE of DNSSEC's (RFC 8914: 1 to 12, 6 "DNSSEC Bogus" and the
		// specific ones) says validation failed. Without one, ask with
		// CD=1: data then makes it bogus. (Unbound, after validation fails,
		// may set the zone's servers aside and answer CD=1 with SERVFAIL
		// too: the EDE is what tells its bogus from its servfail.)
		for _, e := range a.EDE {
			if e >= 1 && e <= 12 {
				a.Verdict = "bogus"
				return a
			}
		}
		m.CheckingDisabled = true
		r2, err := exchange(c, m, resolverAddr)
		if err == nil && (r2.Rcode == dns.RcodeSuccess || r2.Rcode == dns.RcodeNameError) {
			a.Verdict = "bogus"
		} else {
			a.Verdict = "servfail"
		}
	default:
		a.Verdict = "servfail"
	}
	return a
}

func hasType(rrs []dns.RR, t uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			return true
		}
	}
	return false
}

// retried asks up to three times while the answer is a servfail or a
// timeout (a loaded machine makes both; neither is a verdict on the data).
func retried(ask func() Answer) Answer {
	a := ask()
	for i := 0; i < 2 && (a.Verdict == "servfail" || a.Verdict == "timeout"); i++ {
		time.Sleep(2 * time.Second)
		a = ask()
	}
	return a
}

// askDelv runs delv (BIND's validator) through the resolver with the lab's
// trust anchor; it asks with CD=1 and validates itself.
func askDelv(ctx context.Context, dir, name string, t uint16) Answer {
	a := Answer{Q: name + " " + dns.TypeToString[t]}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "delv", "-a", filepath.Join(dir, "delv.anchor"), "+root=.",
		"@"+Resolver, name, dns.TypeToString[t], "+nomultiline")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run() // the verdict is in the output; a failure is one too
	a.Verdict, a.Denial, a.Detail = delvVerdict(stdout.String(), stderr.String())
	return a
}

// delvVerdict reads delv's output: stdout's first comment line says
// "fully validated" or "unsigned answer" (after "negative response, " for
// a denial); without one, stderr says why resolution failed. delv 9.18
// reports a negative answer it could not validate as secure with
// "resolution failed: ncache nxdomain" (or "ncache nxrrset"): that is an
// insecure denial, not a failure (bogus denials fail with "no valid
// signature found", "insecurity proof failed" or "broken trust chain").
func delvVerdict(stdout, stderr string) (verdict string, denial bool, detail string) {
	for _, l := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(l, "; ") {
			continue
		}
		detail = strings.TrimPrefix(l, "; ")
		denial = strings.HasPrefix(detail, "negative response")
		switch {
		case strings.Contains(detail, "fully validated"):
			return "secure", denial, detail
		case strings.Contains(detail, "unsigned answer"):
			return "insecure", denial, detail
		}
	}
	detail = lastLines(stderr+stdout, 2)
	switch {
	case strings.Contains(stderr, "resolution failed: ncache nxdomain"), strings.Contains(stderr, "resolution failed: ncache nxrrset"):
		return "insecure", true, detail
	case strings.Contains(stderr, "timed out"):
		return "timeout", false, detail
	case strings.Contains(stderr, "resolution failed: SERVFAIL"), strings.Contains(stderr, "resolution failed: failure"):
		return "servfail", false, detail
	case strings.Contains(stderr, "resolution failed"):
		return "bogus", false, detail
	}
	return "servfail", false, "unparsed: " + detail
}

type checkJSON struct {
	DNSSEC *struct {
		Status string `json:"status"`
	} `json:"dnssec"`
	Findings []struct {
		Check string `json:"check"`
	} `json:"findings"`
}

func runExporter(ctx context.Context, bin, dir string, v ManifestVariant) (string, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", v.Zone, "--config.file", filepath.Join(dir, "exporter.yml"),
		"--module", v.Name, "--output", "json")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() < 3 {
		err = nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s check %s: %w: %s", bin, v.Zone, err, lastLines(string(out), 3))
	}
	var cj checkJSON
	if err := json.Unmarshal(out, &cj); err != nil {
		return "", nil, fmt.Errorf("parsing the check JSON of %s: %w", v.Zone, err)
	}
	var fs []string
	for _, f := range cj.Findings {
		fs = append(fs, f.Check)
	}
	sort.Strings(fs)
	if cj.DNSSEC == nil {
		return "none", fs, nil
	}
	return cj.DNSSEC.Status, fs, nil
}

// judge asks Unbound and delv every question of v and runs the exporter.
func judge(ctx context.Context, dir, bin string, v ManifestVariant) *Result {
	r := &Result{Name: v.Name}
	qs := questions(v)
	r.UAnswers, r.DAnswers = make([]Answer, len(qs)), make([]Answer, len(qs))
	// delv spends most of its 0.5-1 s waiting: its questions run
	// side by side.
	var qwg sync.WaitGroup
	for j, q := range qs {
		qwg.Add(1)
		go func(j int, name string, t uint16) {
			defer qwg.Done()
			r.DAnswers[j] = retried(func() Answer { return askDelv(ctx, dir, name, t) })
		}(j, rel(v.Zone, q.Name), q.Type)
	}
	for j, q := range qs {
		name, t := rel(v.Zone, q.Name), q.Type
		r.UAnswers[j] = retried(func() Answer { return askUnbound(name, t) })
	}
	qwg.Wait()
	for j := range qs {
		// delv asks with CD=1 and validates itself; when it fails
		// where Unbound's CD=1 answer had data, delv's own
		// validation failed: bogus, whatever the message says.
		if r.DAnswers[j].Verdict == "servfail" && r.UAnswers[j].Verdict != "servfail" {
			r.DAnswers[j].Verdict = "bogus"
		}
		if r.DAnswers[j].Verdict == "timeout" {
			r.DAnswers[j].Verdict = "servfail"
		}
	}
	r.Unbound, r.Delv = zoneVerdict(r.UAnswers), zoneVerdict(r.DAnswers)
	var xerr error
	r.Exporter, r.Findings, xerr = runExporter(ctx, bin, dir, v)
	if xerr != nil {
		r.Err = xerr.Error()
	}
	return r
}

// Expectation is one line of the expectations file: a disagreement the
// exporter has on purpose (or a known difference between the validators),
// with its reason.
type Expectation struct {
	Glob, Exporter, Unbound, Delv, Reason string
	Line                                  int
	used                                  bool
}

func loadExpectations(file string) ([]*Expectation, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("reading the expectations: %w", err)
	}
	defer f.Close()
	var es []*Expectation
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Fields(l)
		if len(fs) < 5 {
			return nil, fmt.Errorf("%s:%d: want \"GLOB exporter=X unbound=Y delv=Z REASON...\"", file, n)
		}
		e := &Expectation{Glob: fs[0], Line: n, Reason: strings.Join(fs[4:], " ")}
		for i, p := range []*string{&e.Exporter, &e.Unbound, &e.Delv} {
			pre := [...]string{"exporter=", "unbound=", "delv="}[i]
			if !strings.HasPrefix(fs[i+1], pre) {
				return nil, fmt.Errorf("%s:%d: field %d is %q, want it to start with %s", file, n, i+2, fs[i+1], pre)
			}
			*p = strings.TrimPrefix(fs[i+1], pre)
		}
		if _, err := path.Match(e.Glob, "x"); err != nil {
			return nil, fmt.Errorf("%s:%d: bad pattern %q: %w", file, n, e.Glob, err)
		}
		es = append(es, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return es, nil
}

// explain finds the expectation for a disagreement: the first whose glob
// matches the variant and whose verdicts are the ones seen ("*" any).
func explain(es []*Expectation, r *Result) *Expectation {
	m := func(want, got string) bool { return want == "*" || want == got }
	for _, e := range es {
		if ok, _ := path.Match(e.Glob, r.Name); ok && m(e.Exporter, r.Exporter) && m(e.Unbound, r.Unbound) && m(e.Delv, r.Delv) {
			return e
		}
	}
	return nil
}

func cmdCompare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	dir := fs.String("dir", "", "the directory gen wrote")
	bin := fs.String("exporter", "", "the dnshealth_exporter binary")
	expect := fs.String("expect", "", "the expectations file")
	workers := fs.Int("workers", 8, "variants compared in parallel")
	maxAge := fs.Duration("max-age", 25*time.Minute, "fail when a window variant is judged longer than this after signing (every window edge is 30 minutes away)")
	verbose := fs.Bool("v", false, "print every answer of a disagreeing variant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	js, err := os.ReadFile(filepath.Join(*dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(js, &m); err != nil {
		return fmt.Errorf("parsing the manifest: %w", err)
	}
	es, err := loadExpectations(*expect)
	if err != nil {
		return err
	}
	ctx := context.Background()
	results := make([]*Result, len(m.Variants))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				v := m.Variants[i]
				r := judge(ctx, *dir, *bin, v)
				// A disagreement is judged again, twice at most, 3 s apart:
				// on a loaded machine a slow answer makes delv give up on
				// the chain ("broken trust chain") or Unbound time out. A
				// real disagreement stays; the last judgement counts.
				for k := 0; k < 2 && (r.Err != "" || r.Exporter != r.Unbound || r.Exporter != r.Delv); k++ {
					time.Sleep(3 * time.Second)
					r = judge(ctx, *dir, *bin, v)
					r.Retries = k + 1
				}
				r.Judged = time.Now()
				results[i] = r
				fmt.Fprintf(os.Stderr, "%s differential: %s exporter=%s unbound=%s delv=%s\n", r.Judged.Format("15:04:05"), r.Name, r.Exporter, r.Unbound, r.Delv)
			}
		}()
	}
	// The variants whose verdict depends on the clock (the window edges)
	// go first, so that they are judged well inside -max-age.
	var order []int
	for _, timed := range []bool{true, false} {
		for i, v := range m.Variants {
			if clockBound(v.Name) == timed {
				order = append(order, i)
			}
		}
	}
	for n, i := range order {
		next <- i
		if (n+1)%50 == 0 {
			fmt.Fprintf(os.Stderr, "%s differential: %d of %d variants asked\n", time.Now().Format("15:04:05"), n+1, len(order))
		}
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		if age := r.Judged.Sub(m.Generated); clockBound(r.Name) && age > *maxAge {
			return fmt.Errorf("%s was judged %s after its zones were signed, more than %s: a window edge may have been crossed; run again", r.Name, age.Round(time.Second), *maxAge)
		}
	}

	passed, failed, agree, explained := 0, 0, 0, 0
	kinds := map[string]int{}
	unexplainedKinds := map[string]int{}
	for _, r := range results {
		status := "ok  "
		if r.Err != "" {
			status = "FAIL"
			failed++
			r.Kind = "error"
			unexplainedKinds["error"]++
		} else if r.Exporter == r.Unbound && r.Exporter == r.Delv {
			agree++
			passed++
		} else {
			r.Kind = fmt.Sprintf("exporter=%s unbound=%s delv=%s", r.Exporter, r.Unbound, r.Delv)
			kinds[r.Kind]++
			if e := explain(es, r); e != nil {
				e.used = true
				r.Reason = e.Reason
				status = "exp "
				explained++
				passed++
			} else {
				status = "FAIL"
				failed++
				unexplainedKinds[r.Kind]++
			}
		}
		fmt.Printf("%s %-40s exporter=%-13s unbound=%-8s delv=%-8s ede=%s retries=%d\n", status, r.Name, r.Exporter, r.Unbound, r.Delv, edes(r.UAnswers), r.Retries)
		if status == "FAIL" || (*verbose && r.Kind != "") {
			if r.Err != "" {
				fmt.Printf("       error: %s\n", r.Err)
			}
			fmt.Printf("       findings: %s\n", strings.Join(r.Findings, " "))
			for i := range r.UAnswers {
				u, d := r.UAnswers[i], r.DAnswers[i]
				fmt.Printf("       %-45s unbound=%s/%s/ad=%t/ede=%v  delv=%s (%s)\n", u.Q, u.Verdict, u.Rcode, u.AD, u.EDE, d.Verdict, d.Detail)
			}
		}
	}
	fmt.Println()
	fmt.Printf("| variants | agreements | explained disagreements | unexplained |\n|---:|---:|---:|---:|\n| %d | %d | %d | %d |\n\n",
		len(results), agree, explained, failed)
	if len(kinds) > 0 || len(unexplainedKinds) > 0 {
		fmt.Println("| disagreement (exporter, Unbound, delv) | variants | unexplained |\n|---|---:|---:|")
		var ks []string
		for k := range kinds {
			ks = append(ks, k)
		}
		if unexplainedKinds["error"] > 0 {
			ks = append(ks, "error")
		}
		sort.Strings(ks)
		for _, k := range ks {
			n := kinds[k]
			if k == "error" {
				n = unexplainedKinds[k]
			}
			fmt.Printf("| %s | %d | %d |\n", k, n, unexplainedKinds[k])
		}
		fmt.Println()
	}
	for _, e := range es {
		if !e.used {
			fmt.Printf("note: expectations line %d (%s exporter=%s unbound=%s delv=%s) explained nothing in this run\n", e.Line, e.Glob, e.Exporter, e.Unbound, e.Delv)
		}
	}
	fmt.Printf("differential: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return fmt.Errorf("%d unexplained disagreements or errors (add the explained ones to %s with their reason, or fix them)", failed, *expect)
	}
	return nil
}

// clockBound reports whether a variant's verdict depends on when it is
// asked: the signature window variants, whose edges are 30 minutes from the
// moment the zones were signed.
func clockBound(name string) bool { return strings.HasPrefix(name, "win-") }

func edes(as []Answer) string {
	seen := map[uint16]bool{}
	var s []string
	for _, a := range as {
		for _, e := range a.EDE {
			if !seen[e] {
				seen[e] = true
				s = append(s, fmt.Sprint(e))
			}
		}
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}
