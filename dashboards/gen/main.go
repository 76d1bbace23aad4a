// Command gen writes the Grafana dashboard JSON built by package dashboards:
//
//	go generate ./dashboards         (from the repository root)
//	go run ./dashboards/gen -o dashboards/dnshealth-dashboard.json
//
// Without -o it writes to standard output. The output is stable: the same
// source gives the same bytes, and dashboards' tests fail when the
// committed file differs from what the builder produces.
//
// With -exprs it prints the dashboard's PromQL expressions instead, one
// per line as "<panel>\t<refId>\t<expr>", for checking queries by hand.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dnshealth/dnshealth_exporter/dashboards"
)

func main() {
	out := flag.String("o", "", "file to write (default: standard output)")
	exprs := flag.Bool("exprs", false, "print the PromQL expressions, one per line, instead of the dashboard")
	flag.Parse()
	var err error
	if *exprs {
		err = printExprs()
	} else {
		err = run(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func printExprs() error {
	qs, err := dashboards.Queries()
	if err != nil {
		return err
	}
	for _, q := range qs {
		if strings.ContainsAny(q.Panel+q.Expr, "\t\n") {
			return fmt.Errorf("panel %q: a tab or newline in the title or expression", q.Panel)
		}
		fmt.Printf("%s\t%s\t%s\n", q.Panel, q.RefID, q.Expr)
	}
	return nil
}

func run(out string) error {
	b, err := dashboards.JSON()
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
