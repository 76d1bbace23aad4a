package probe

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestModuleKeysDocumented: every key of a module in the configuration file
// has a row in the table of docs/configuration.md.
func TestModuleKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	mt := reflect.TypeOf(Module{})
	n := 0
	for i := range mt.NumField() {
		key, _, _ := strings.Cut(mt.Field(i).Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		n++
		if !strings.Contains(string(doc), "| `"+key+"` |") {
			t.Errorf("docs/configuration.md has no row for the module key %q", key)
		}
	}
	if n < 10 {
		t.Fatalf("only %d module keys found; the test no longer reads the yaml tags", n)
	}
}
