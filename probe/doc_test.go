package probe

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPackageDocNamesEveryFile keeps doc.go's map of the stages true:
// every file it names exists, and every source file of the package is
// named there.
func TestPackageDocNamesEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile(`[a-z0-9_]+\.go\b`).FindAllString(string(doc), -1) {
		named[m] = true
		if _, err := os.Stat(m); err != nil {
			t.Errorf("doc.go names %s, which does not exist", m)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "doc.go" {
			continue
		}
		if !named[f] {
			t.Errorf("doc.go does not say what %s holds", f)
		}
	}
}
