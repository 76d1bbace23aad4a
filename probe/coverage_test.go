package probe

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// assertHelpers are the helpers that assert a finding was raised
// (assert_test.go, assert_internal_test.go).
var assertHelpers = map[string]bool{"wantFinding": true, "wantChecks": true, "wantCheckIDs": true, "wantCheckAmong": true}

// TestEveryCheckIsExercised keeps "every check ID is asserted by a test"
// true as checks are added. A check counts as tested only where a test
// asserts it is raised, read from the syntax of the test files, so that a
// mention in a comment, a message or an input does not count:
//
//   - its ID (the constant, or the ID as a string) is an argument of a
//     call to an assertion helper;
//   - or it is in a composite literal (a table of cases) of a function or
//     declaration that passes its cases' checks to an assertion helper
//     (tc.want..., e.check), or of a function of the test files that
//     such a declaration calls to build its table (catalogue());
//   - or it is an expected check of a lab zone (Zone.Checks, set by
//     expect(...) or a Checks field in the lab file that builds those
//     zones), and a test that starts that lab passes each zone's Checks to
//     an assertion helper (TestLabZones, TestHostileZones).
func TestEveryCheckIsExercised(t *testing.T) {
	names := checkConstNames(t)
	ids := map[string]string{} // constant name or ID -> ID
	for id, name := range names {
		ids[id], ids[name] = id, id
	}
	asserted := map[string][]string{} // ID -> where
	// labTables are the lab files whose zone tables a test asserts: one
	// that starts that lab and passes a zone's Checks to a helper.
	labTables := map[string]bool{}

	tests, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	funcs := map[string][]*ast.FuncDecl{} // the test files' functions by name
	for _, path := range tests {
		if path == "coverage_test.go" {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				funcs[fd.Name.Name] = append(funcs[fd.Name.Name], fd)
			}
		}
	}
	tableIDs := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				for _, id := range idsIn(lit, ids) {
					asserted[id] = append(asserted[id], "table at "+fset.Position(lit.Pos()).String())
				}
				return false
			}
			return true
		})
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			tables, zoneChecks := false, false
			ast.Inspect(decl, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !assertHelpers[calleeName(call)] {
					return true
				}
				// Every helper takes (t, what was raised, the checks wanted...).
				for _, arg := range call.Args[min(2, len(call.Args)):] {
					for _, id := range idsIn(arg, ids) {
						asserted[id] = append(asserted[id], fset.Position(call.Pos()).String())
					}
				}
				tables = tables || consumesTable(call, ids)
				if last := call.Args[len(call.Args)-1]; call.Ellipsis.IsValid() {
					if sel, ok := last.(*ast.SelectorExpr); ok && sel.Sel.Name == "Checks" {
						zoneChecks = true
					}
				}
				return true
			})
			if zoneChecks {
				ast.Inspect(decl, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok && labStarters[calleeName(call)] != "" {
						labTables[labStarters[calleeName(call)]] = true
					}
					return true
				})
			}
			if !tables {
				continue
			}
			// The table is in this declaration, or built by functions of
			// the test files that it calls, directly or through others
			// (catalogue(), which appends rolloverCatalogue()).
			visited := map[string]bool{}
			var follow func(d ast.Node)
			follow = func(d ast.Node) {
				tableIDs(d)
				ast.Inspect(d, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok && !assertHelpers[calleeName(call)] {
						if id, ok := call.Fun.(*ast.Ident); ok && !visited[id.Name] {
							visited[id.Name] = true
							for _, fd := range funcs[id.Name] {
								follow(fd)
							}
						}
					}
					return true
				})
			}
			follow(decl)
		}
	}
	for id, where := range labExpectedChecks(t, fset, names, labTables) {
		asserted[id] = append(asserted[id], where...)
	}
	for _, c := range Checks {
		if len(asserted[string(c.ID)]) == 0 {
			t.Errorf("check %s is asserted by no test: pass it to wantFinding, wantChecks, wantCheckIDs or wantCheckAmong, or expect it of a lab zone", c.ID)
		}
	}
}

// consumesTable reports whether an assertion helper call takes its
// checks from data rather than naming them: a slice passed with ... or a
// field of a case (e.check, tc.want).
func consumesTable(call *ast.CallExpr, ids map[string]string) bool {
	if call.Ellipsis.IsValid() {
		return true
	}
	for _, arg := range call.Args[min(2, len(call.Args)):] {
		if sel, ok := arg.(*ast.SelectorExpr); ok {
			if _, isID := ids[sel.Sel.Name]; !isID {
				if _, onVar := sel.X.(*ast.Ident); onVar {
					return true
				}
			}
		}
	}
	return false
}

// calleeName is the name of the function a call calls, without any
// package qualifier or type parameters.
func calleeName(call *ast.CallExpr) string {
	fun := call.Fun
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	}
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// idsIn returns the check IDs named in n: identifiers (constant names,
// qualified or not) and string literals found in ids.
func idsIn(n ast.Node, ids map[string]string) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := ids[x.Sel.Name]; ok && strings.HasPrefix(x.Sel.Name, "Check") {
				out = append(out, id)
			}
			return false
		case *ast.Ident:
			if id, ok := ids[x.Name]; ok && strings.HasPrefix(x.Name, "Check") {
				out = append(out, id)
			}
		case *ast.BasicLit:
			if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING {
				if id, ok := ids[s]; ok && id == s {
					out = append(out, id)
				}
			}
		}
		return true
	})
	return out
}

// labStarters maps the test helpers that start a lab to the lab file that
// builds its zones.
var labStarters = map[string]string{"startLab": "zones.go", "startHostile": "hostile.go"}

// labExpectedChecks returns the check IDs the zone tables of the lab files
// in asserted expect (arguments of expect, and Checks fields), with where
// each is.
// The lab repeats the IDs as string constants, since it must not import
// the probe; those are resolved here.
func labExpectedChecks(t *testing.T, fset *token.FileSet, names map[string]string, asserted map[string]bool) map[string][]string {
	t.Helper()
	paths, err := filepath.Glob("../lab/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	consts := map[string]string{} // lab constant -> check ID
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if i < len(spec.Values) {
					if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && names[s] != "" {
							consts[name.Name] = s
						}
					}
				}
			}
			return true
		})
	}
	out := map[string][]string{}
	add := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Ident:
				if id, ok := consts[x.Name]; ok {
					out[id] = append(out[id], "lab zone at "+fset.Position(x.Pos()).String())
				}
			case *ast.BasicLit:
				if s, err := strconv.Unquote(x.Value); err == nil && names[s] != "" {
					out[s] = append(out[s], "lab zone at "+fset.Position(x.Pos()).String())
				}
			}
			return true
		})
	}
	for _, f := range files {
		if !asserted[filepath.Base(fset.Position(f.Pos()).Filename)] {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if calleeName(x) == "expect" {
					for _, a := range x.Args {
						add(a)
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Checks" {
					add(x.Value)
				}
			}
			return true
		})
	}
	return out
}

// checkConstNames maps each check ID to the name of its constant, read
// from checks.go.
func checkConstNames(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("checks.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && strings.HasPrefix(f[0], "Check") && f[1] == "CheckID" && f[2] == "=" {
			out[strings.Trim(f[3], `"`)] = f[0]
		}
	}
	if len(out) < len(Checks) {
		t.Fatalf("read %d check constants from checks.go, want %d", len(out), len(Checks))
	}
	return out
}
