package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"
)

var helpFlagRE = regexp.MustCompile(`(?m)^  (?:-\w, |    )--(?:\[no-\])?([a-z][a-z.-]*)`)

// helpFlags returns the flags the help for args lists.
func helpFlags(t *testing.T, args ...string) []string {
	t.Helper()
	var out bytes.Buffer
	app := appFor(args, &options{log: &promslog.Config{Writer: io.Discard}}, &out, io.Discard)
	app.Terminate(func(int) {}) // help would otherwise exit the test binary
	_, _ = app.Parse(args)
	var names []string
	for _, m := range helpFlagRE.FindAllStringSubmatch(out.String(), -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Fatalf("no flags in the help for %q:\n%s", args, out.String())
	}
	slices.Sort(names)
	return names
}

// TestCheckHelp: check's help lists the flags check reads and no server
// flag; the server's help still lists its own.
func TestCheckHelp(t *testing.T) {
	want := []string{"cache.max-entries", "config.file", "demo", "help", "log.format", "log.level", "module", "output"}
	for _, args := range [][]string{{"check", "--help"}, {"--help", "check"}, {"check", "-h"}, {"help", "check"}} {
		if got := helpFlags(t, args...); !slices.Equal(got, want) {
			t.Errorf("%q lists %q, want %q", args, got, want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}} {
		got := helpFlags(t, args...)
		for _, f := range []string{"web.listen-address", "timeout-offset", "probe.max-concurrent", "demo.port", "config.check"} {
			if !slices.Contains(got, f) {
				t.Errorf("%q does not list --%s: %q", args, f, got)
			}
		}
	}
}

// TestCheckAcceptsServerFlags: flags hidden from check's help still parse,
// so command lines that worked before still do.
func TestCheckAcceptsServerFlags(t *testing.T) {
	o, err := parseFlags([]string{"check", "--timeout-offset=1s", "--web.listen-address=127.0.0.1:0", "example.com"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.command != checkCommand || o.timeoutOffset != time.Second {
		t.Errorf("command %q, timeout offset %s", o.command, o.timeoutOffset)
	}
}

// TestFlagsDocumented: every visible flag of the server and of the check
// command is documented in docs/ (the reference is docs/configuration.md).
func TestFlagsDocumented(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	var docs strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs.Write(b)
	}
	model := newApp(&options{log: &promslog.Config{Writer: io.Discard}}, io.Discard, io.Discard).Model()
	flags := model.Flags
	for _, c := range model.Commands {
		flags = append(flags, c.Flags...)
	}
	if len(flags) < 10 {
		t.Fatalf("only %d flags in the model", len(flags))
	}
	for _, f := range flags {
		if f.Hidden {
			continue
		}
		if !strings.Contains(docs.String(), "`--"+f.Name+"`") {
			t.Errorf("--%s is not documented: add it to docs/configuration.md", f.Name)
		}
	}
}
