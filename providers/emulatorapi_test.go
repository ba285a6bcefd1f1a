package providers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEmulatorAPIShowsNoInternalTypes: no exported name of an emulator
// package (providers/<name>/<name>test) is, or speaks, a type of an
// internal package. go doc shows an alias of an internal type as the bare
// alias, fields hidden, and a user cannot name the type it stands for;
// types the emulators share live in providers/providertest instead.
func TestEmulatorAPIShowsNoInternalTypes(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("*/*test")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 6 {
		t.Fatalf("found the emulator packages %q, want one per provider", dirs)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			files, err := filepath.Glob(filepath.Join(dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range files {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
				if err != nil {
					t.Fatal(err)
				}
				for _, use := range internalUses(f) {
					t.Errorf("%s: exported %s uses %s, a type of an internal package", fset.Position(use.pos), use.name, use.ref)
				}
			}
		})
	}
}

type internalUse struct {
	pos       token.Pos
	name, ref string
}

// internalUses lists where f's exported API (types and their exported
// fields, the signatures of functions and of exported types' methods, the
// declared types of variables and constants) names something of an
// internal package.
func internalUses(f *ast.File) []internalUse {
	internal := map[string]bool{} // import names of internal packages
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if !strings.Contains(path, "/internal/") && !strings.HasSuffix(path, "/internal") {
			continue
		}
		name := path[strings.LastIndexByte(path, '/')+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		internal[name] = true
	}
	var uses []internalUse
	scan := func(owner string, n ast.Node) {
		if n == nil {
			return
		}
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit, *ast.BlockStmt:
				return false // bodies are not API
			case *ast.StructType:
				for _, fld := range n.Fields.List {
					if exportedField(fld) {
						ast.Inspect(fld.Type, inspectRefs(internal, owner, &uses))
					}
				}
				return false
			}
			return inspectRefs(internal, owner, &uses)(n)
		})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
				continue
			}
			scan(d.Name.Name, d.Type)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						scan(s.Name.Name, s.Type)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							scan(n.Name, s.Type)
						}
					}
				}
			}
		}
	}
	return uses
}

// inspectRefs returns an ast.Inspect function that records every
// pkg.Name whose pkg is one of internal.
func inspectRefs(internal map[string]bool, owner string, uses *[]internalUse) func(ast.Node) bool {
	return func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
				*uses = append(*uses, internalUse{sel.Pos(), owner, id.Name + "." + sel.Sel.Name})
			}
		}
		return true
	}
}

// exportedField reports whether a struct field is exported: a named one
// with an exported name, or an embedded exported type.
func exportedField(f *ast.Field) bool {
	for _, n := range f.Names {
		if n.IsExported() {
			return true
		}
	}
	if len(f.Names) > 0 {
		return false
	}
	t := f.Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.IsExported()
	case *ast.SelectorExpr:
		return t.Sel.IsExported()
	}
	return false
}

// exportedRecv reports whether a method's receiver is an exported type.
func exportedRecv(recv *ast.FieldList) bool {
	if len(recv.List) == 0 {
		return false
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
