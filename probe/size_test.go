package probe

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines bounds every function of probe/ and its sub-packages, test
// files aside: a stage that needs more is doing two things.
const maxFuncLines = 80

// maxMethods bounds the methods declared on any one type of probe/ and its
// sub-packages: a type that needs more is several stages in one.
const maxMethods = 15

// eachFunc calls f with every function declared outside test files in
// probe/ and its sub-packages.
func eachFunc(t *testing.T, f func(path string, fset *token.FileSet, fn *ast.FuncDecl)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok {
				f(path, fset, fn)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFunctionLength(t *testing.T) {
	eachFunc(t, func(path string, fset *token.FileSet, fn *ast.FuncDecl) {
		if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
			t.Errorf("%s: %s is %d lines long, more than %d", path, fn.Name.Name, n, maxFuncLines)
		}
	})
}

func TestNoTypeHasMoreThanFifteenMethods(t *testing.T) {
	methods := map[string][]string{} // package dir + type -> method names
	eachFunc(t, func(path string, _ *token.FileSet, fn *ast.FuncDecl) {
		if fn.Recv == nil || len(fn.Recv.List) == 0 {
			return
		}
		typ := fn.Recv.List[0].Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		id, ok := typ.(*ast.Ident)
		if !ok {
			return
		}
		key := filepath.Dir(path) + "." + id.Name
		methods[key] = append(methods[key], fn.Name.Name)
	})
	if len(methods["..run"]) == 0 {
		t.Fatal("found no method of run: the count is not looking at probe/")
	}
	for typ, ms := range methods {
		if len(ms) > maxMethods {
			t.Errorf("%s has %d methods, more than %d: %s", typ, len(ms), maxMethods, strings.Join(ms, ", "))
		}
	}
}
