package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// The extraction check: every message a person can be shown as an error
// (what chatpic.ErrorMessage returns) is a key of catalogs/errors/en.json,
// and every key there is a message of the code. It reads the repository's
// Go source, so a message added without its key, or a key whose message
// was reworded, fails here rather than showing English on a translated
// page.

// rootImport is the import path of the root package, whose constructors
// make the errors people see.
const rootImport = "github.com/chatpic/chatpic"

// skipDirs are directories, relative to the repository's root, whose
// messages no visitor sees: the command line and its configuration speak
// to the operator, and this package is the translator itself. Directories
// named testdata and packages of test helpers (named *test) are skipped
// too.
var skipDirs = []string{"cmd", "internal/config", "internal/i18n"}

// constructors are the root package's functions that make a user-facing
// message from a format, with the index of the format argument.
var constructors = map[string]int{"Errorf": 1, "Gone": 1, "RateLimited": 1, "Unavailable": 1}

// dynamic are the messages, as "file: expression", that the checker
// cannot read where they are used, each with where it is checked instead.
// Any other message that is not a literal (or a constant) fails the check.
var dynamic = map[string]string{
	"error.go: message(format, args)":      "the constructors: their callers' formats are checked",
	"text.go: r.tooLong":                   "the strings of textRules literals are checked",
	"text.go: r.notUTF8":                   "the strings of textRules literals are checked",
	"text.go: r.empty":                     "the strings of textRules literals are checked",
	"text.go: r.control":                   "the strings of textRules literals are checked",
	"internal/worker/pool.go: msg":         "fail's callers pass the msg constants, which are checked",
	"internal/worker/worker.go: w.Message": "a message made in a worker process, and checked there",
}

// found is a user-facing message in the code: a literal (Key), or, when
// Key is "", a message the checker cannot read (Expr).
type found struct {
	Pos  string // file:line
	Key  string
	Expr string
}

// pkgInfo is what extract needs to know of a file's package: its string
// constants, and its wrappers, functions that pass one of their
// parameters to a constructor as the format (by name, the parameter's
// index).
type pkgInfo struct {
	inRoot   bool
	consts   map[string]string
	wrappers map[string]int
}

// rootName returns the name f imports the root package under, or "".
func rootName(f *ast.File) string {
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == rootImport {
			if im.Name != nil {
				return im.Name.Name
			}
			return "chatpic"
		}
	}
	return ""
}

// names reports whether e names the root package's name: name itself in
// the root package, root.name elsewhere.
func names(e ast.Expr, name, root string, inRoot bool) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return inRoot && e.Name == name
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && root != "" && x.Name == root && e.Sel.Name == name
	}
	return false
}

// learn adds to p the string constants of f and its wrappers. A constant
// named msg* is a message by this code's convention, so it is returned.
func learn(fset *token.FileSet, f *ast.File, p *pkgInfo) []found {
	root := rootName(f)
	var out []found
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, s := range d.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if v, ok := literal(vs.Values[i]); ok {
						p.consts[n.Name] = v
						if strings.HasPrefix(n.Name, "msg") && len(n.Name) > 3 && n.Name[3] >= 'A' && n.Name[3] <= 'Z' {
							out = append(out, found{Pos: position(fset, vs.Values[i]), Key: v})
						}
					}
				}
			}
		case *ast.FuncDecl:
			if d.Body == nil || d.Recv != nil {
				continue
			}
			var params []string
			for _, fl := range d.Type.Params.List {
				for _, n := range fl.Names {
					params = append(params, n.Name)
				}
			}
			ast.Inspect(d.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				for name, i := range constructors {
					if names(call.Fun, name, root, p.inRoot) && len(call.Args) > i {
						if id, ok := call.Args[i].(*ast.Ident); ok {
							if j := slices.Index(params, id.Name); j >= 0 && !p.inRoot {
								p.wrappers[d.Name.Name] = j
							}
						}
					}
				}
				return true
			})
		}
	}
	return out
}

func position(fset *token.FileSet, n ast.Node) string {
	pos := fset.Position(n.Pos())
	return fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
}

// extract finds the user-facing messages of one parsed file: the format
// of every call of an error constructor of the root package (or of a
// wrapper of one), every Message: of a chatpic.Error literal, every
// chatpic.Phrase conversion of a literal and, in the root package, the
// strings of a textRules literal, which cleanText turns into messages.
func extract(fset *token.FileSet, f *ast.File, p *pkgInfo) []found {
	root := rootName(f)
	var out []found
	add := func(e ast.Expr) {
		where := position(fset, e)
		if s, ok := literal(e); ok {
			out = append(out, found{Pos: where, Key: s})
			return
		}
		if id, ok := e.(*ast.Ident); ok {
			if s, ok := p.consts[id.Name]; ok {
				out = append(out, found{Pos: where, Key: s})
				return
			}
		}
		var b strings.Builder
		_ = printer.Fprint(&b, token.NewFileSet(), e)
		out = append(out, found{Pos: where, Expr: b.String()})
	}
	// The format parameters of wrappers are checked at their calls.
	skip := map[ast.Expr]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil {
			continue
		}
		if _, ok := p.wrappers[fd.Name.Name]; !ok {
			continue
		}
		params := map[string]bool{}
		for _, fl := range fd.Type.Params.List {
			for _, n := range fl.Names {
				params[n.Name] = true
			}
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				for _, a := range call.Args {
					if id, ok := a.(*ast.Ident); ok && params[id.Name] {
						skip[a] = true
					}
				}
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			for name, i := range constructors {
				if names(n.Fun, name, root, p.inRoot) && len(n.Args) > i && !skip[n.Args[i]] {
					add(n.Args[i])
				}
			}
			if id, ok := n.Fun.(*ast.Ident); ok {
				if i, ok := p.wrappers[id.Name]; ok && len(n.Args) > i {
					add(n.Args[i])
				}
			}
			if names(n.Fun, "Phrase", root, p.inRoot) && len(n.Args) == 1 {
				add(n.Args[0])
			}
		case *ast.CompositeLit:
			switch {
			case names(n.Type, "Error", root, p.inRoot):
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if k, isIdent := kv.Key.(*ast.Ident); ok && isIdent && k.Name == "Message" && !passedOn(kv.Value, root, p.inRoot) {
						add(kv.Value)
					}
				}
			case p.inRoot && names(n.Type, "textRules", root, true):
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if _, ok := literal(kv.Value); ok {
							add(kv.Value)
						}
					}
				}
			}
		}
		return true
	})
	return out
}

// passedOn reports whether e is the message of another error passed on
// as it is (chatpic.ErrorMessage(err)), which is checked where it is made.
func passedOn(e ast.Expr, root string, inRoot bool) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && names(c.Fun, "ErrorMessage", root, inRoot)
}

// literal returns the value of a string literal, or of a sum of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return literal(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}

// scanFiles extracts the messages of the Go files of fsys, by package
// directory; a file named *_test.go is not read.
func scanFiles(fsys fs.FS, files []string) ([]found, error) {
	byDir := map[string][]string{}
	for _, p := range files {
		byDir[path.Dir(p)] = append(byDir[path.Dir(p)], p)
	}
	var out []found
	for _, dir := range sortedKeys(byDir) {
		info := &pkgInfo{inRoot: dir == ".", consts: map[string]string{}, wrappers: map[string]int{}}
		fset := token.NewFileSet()
		var parsed []*ast.File
		for _, p := range byDir[dir] {
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return nil, err
			}
			f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			parsed = append(parsed, f)
			out = append(out, learn(fset, f, info)...)
		}
		for _, f := range parsed {
			out = append(out, extract(fset, f, info)...)
		}
	}
	return out, nil
}

// scan extracts the messages of every non-test Go file of the repository
// at dir, outside skipDirs.
func scan(dir string) ([]found, error) {
	fsys := os.DirFS(dir)
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor" || strings.HasSuffix(n, "test") || slices.Contains(skipDirs, p)) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return scanFiles(fsys, files)
}

// checkMessages compares the messages found in the code with the keys of
// the errors catalog: missing are messages without a key ("file:line:
// %q"), stale are keys no code has, unreadable are messages the checker
// cannot read that dynamic does not explain.
func checkMessages(fs []found, keys map[string]entry, dynamic map[string]string) (missing, stale, unreadable []string) {
	used := map[string]bool{}
	for _, f := range fs {
		switch {
		case f.Key == "":
			file, _, _ := strings.Cut(f.Pos, ":")
			if _, ok := dynamic[file+": "+f.Expr]; !ok {
				unreadable = append(unreadable, fmt.Sprintf("%s: %s", f.Pos, f.Expr))
			}
		case !hasKey(keys, f.Key):
			missing = append(missing, fmt.Sprintf("%s: %q", f.Pos, f.Key))
		default:
			used[f.Key] = true
		}
	}
	for k := range keys {
		if !used[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	sort.Strings(unreadable)
	return missing, stale, unreadable
}

func hasKey(m map[string]entry, k string) bool { _, ok := m[k]; return ok }

// TestErrorMessagesExtracted is the extraction check (see above).
func TestErrorMessagesExtracted(t *testing.T) {
	fs, err := scan("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) < 100 {
		t.Fatalf("found only %d messages: is the scan reading the repository?", len(fs))
	}
	en := loadCatalogs(t)["errors"]["en"]
	if en == nil {
		t.Fatal("no catalogs/errors/en.json")
	}
	missing, stale, unreadable := checkMessages(fs, en.Messages, dynamic)
	for _, m := range missing {
		t.Errorf("not a key of catalogs/errors/en.json: %s", m)
	}
	for _, k := range stale {
		t.Errorf("catalogs/errors/en.json has %q, which no code says", k)
	}
	for _, u := range unreadable {
		t.Errorf("a message the check cannot read (use a literal format, or explain it in dynamic): %s", u)
	}
}

// TestExtractFindsFaults feeds a small repository and catalog to the
// extraction check, so that it is known to find what it must and to
// fail.
func TestExtractFindsFaults(t *testing.T) {
	files := fstest.MapFS{
		"error.go": {Data: []byte(`package chatpic
func Internal(err error) *Error { return &Error{Kind: KindInternal, Message: "something broke"} }
func rule() { cleanText("", textRules{max: 3, empty: "say something", tooLong: "at most %d (this has %d)"}) }
func sprintf(n int) *Error { return &Error{Message: fmt.Sprintf("%d apples", n)} }
func own() error { return Errorf(KindInvalid, "a root message") }
`)},
		"internal/x/x.go": {Data: []byte(`package x
import cp "github.com/chatpic/chatpic"
const msgGone = "it is gone"
const notMsg = "a constant that is no message"
func refuse(format string, args ...any) *cp.Error { return cp.Errorf(cp.KindInvalid, format, args...) }
var dyn = "x" + os.Getenv("X")
func f() error {
	_ = refuse("wrapped %d", 1)
	_ = cp.Gone(cp.ReasonExpired, msgGone)
	_ = cp.RateLimited(0, "slow " + "down")
	_ = cp.Errorf(cp.KindInvalid, "%s", cp.Phrase("a thing"))
	_ = &cp.Error{Kind: cp.KindInvalid, Message: cp.ErrorMessage(nil)}
	_ = fmt.Errorf("not a user's message %d", 1)
	return cp.Unavailable(0, dyn)
}
`)},
		"internal/y/y.go": {Data: []byte(`package y
func Errorf(string, ...any) error { return nil } // not the root's
var _ = Errorf("not one either")
`)},
	}
	fs, err := scanFiles(files, []string{"error.go", "internal/x/x.go", "internal/y/y.go"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.Key != "" {
			got = append(got, f.Key)
		}
	}
	sort.Strings(got)
	want := []string{"%s", "a root message", "a thing", "at most %d (this has %d)", "it is gone", "it is gone", "say something", "slow down", "something broke", "wrapped %d"}
	if !slices.Equal(got, want) {
		t.Errorf("found %q\nwant  %q", got, want)
	}

	keys := map[string]entry{}
	for _, k := range want {
		keys[k] = entry{text: k}
	}
	delete(keys, "wrapped %d")
	delete(keys, "a thing")
	keys["a message no code has"] = entry{text: "x"}
	missing, stale, unreadable := checkMessages(fs, keys, map[string]string{"internal/x/x.go: dyn": "explained"})
	if want := []string{`internal/x/x.go:11: "a thing"`, `internal/x/x.go:8: "wrapped %d"`}; !slices.Equal(missing, want) {
		t.Errorf("missing %q, want %q", missing, want)
	}
	if want := []string{"a message no code has"}; !slices.Equal(stale, want) {
		t.Errorf("stale %q, want %q", stale, want)
	}
	if want := []string{`error.go:4: fmt.Sprintf("%d apples", n)`}; !slices.Equal(unreadable, want) {
		t.Errorf("unreadable %q, want %q", unreadable, want)
	}
	// Without its explanation, a message made at run time fails.
	if _, _, unreadable := checkMessages(fs, keys, nil); len(unreadable) != 2 {
		t.Errorf("unreadable %q, want the Sprintf and dyn", unreadable)
	}
}
