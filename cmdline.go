package main

import (
	"io"
	"slices"

	"github.com/alecthomas/kingpin/v2"
)

// checkFlags are the application's flags that the check command reads.
// The server's flags live on the application too (so that a command line
// without a command runs the server), which would put them all in check's
// help.
var checkFlags = []string{"help", "config.file", "cache.max-entries", "demo", "log.level", "log.format"}

// appFor is newApp for the command args select: for check, every flag
// check does not read is hidden from its help. Hidden flags still parse,
// so no command line that worked before stops working.
func appFor(args []string, o *options, stdout, stderr io.Writer) *kingpin.Application {
	app := newApp(o, stdout, stderr)
	// "help check" is kingpin's help command asking for check's help.
	if cmd := commandOf(args); cmd == checkCommand || cmd == "help" && slices.Contains(args, checkCommand) {
		for _, f := range app.Model().Flags {
			if !slices.Contains(checkFlags, f.Name) {
				app.GetFlag(f.Name).Hidden()
			}
		}
	}
	return app
}
