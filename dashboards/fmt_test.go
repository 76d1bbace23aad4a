package dashboards_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-jsonnet/formatter"
)

// TestMixinFormatted checks that the mixin's jsonnet is formatted as
// jsonnetfmt (go-jsonnet's formatter, default options) formats it, as
// gofmt does for Go.
func TestMixinFormatted(t *testing.T) {
	n := 0
	err := filepath.WalkDir("mixin", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "sonnet") {
			return err
		}
		n++
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		want, err := formatter.Format(path, string(raw), formatter.DefaultOptions())
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if want != string(raw) {
			t.Errorf("%s is not formatted as jsonnetfmt formats it: %s\nRun: go run ./gen -fmt (in dashboards/)", path, firstDiff(raw, []byte(want), "jsonnetfmt"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("found only %d jsonnet files under mixin/", n)
	}
}
