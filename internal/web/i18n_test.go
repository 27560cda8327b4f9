package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/chatpic/chatpic/internal/i18n"
)

// templateText is what a page template says: the keys it translates (t
// and n with a literal key) and the English it shows without translating.
type templateText struct {
	keys      map[string][]string // key → where
	untouched []string            // "file: text"
}

// untranslated finds words in a template's own text (not in {{...}}):
// element text and the attributes people read.
var (
	tags       = regexp.MustCompile(`<[^>]*>`)
	readAttrs  = regexp.MustCompile(`\b(?:alt|aria-label|title|placeholder|aria-roledescription)="([^"{]*)"`)
	entities   = regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`)
	words      = regexp.MustCompile(`\p{L}{2,}`)
	notEnglish = map[string]bool{ // names and marks that stay as they are in every language
		"chatpic": true, "NSFW": true, "UTC": true, "QR": true, "ShareX": true, "JSON": true, "API": true,
		"ID": true, "JPEG": true, "PNG": true, "GIF": true, "WebP": true, "HEIC": true, "AVIF": true, "MP4": true, "WebM": true, "MOV": true,
		"PDQ": true, "SHA": true, "Atom": true, "RSS": true, "curl": true, "ncii": true,
		"https": true, "ABCD": true, "EFGH": true, "JKLM": true, "NPQR": true, // a link's and a receipt code's pattern
	}
)

func untranslatedWords(text string) []string {
	var out []string
	// Names, codes in capitals (a sample receipt code) and the scheme of
	// a sample address read the same in every language.
	english := func(w string) bool { return !notEnglish[w] && strings.ToUpper(w) != w && w != "https" }
	for _, m := range readAttrs.FindAllStringSubmatch(text, -1) {
		for _, w := range words.FindAllString(entities.ReplaceAllString(m[1], " "), -1) {
			if english(w) {
				out = append(out, w)
			}
		}
	}
	text = entities.ReplaceAllString(tags.ReplaceAllString(text, " "), " ")
	for _, w := range words.FindAllString(text, -1) {
		if english(w) {
			out = append(out, w)
		}
	}
	return out
}

// readTemplates walks every template file's parse tree.
func readTemplates(t *testing.T) templateText {
	t.Helper()
	out := templateText{keys: map[string][]string{}}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		tree := parse.New(name)
		tree.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		if _, err := tree.Parse(string(src), "{{", "}}", trees); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, tree := range trees {
			// The text of a tree read whole, each action a mark in its
			// place, so that a tag with an action in it is still a tag.
			if ws := untranslatedWords(flatten(tree.Root)); len(ws) > 0 {
				out.untouched = append(out.untouched, name+" ("+tree.Name+"): "+strings.Join(ws, " "))
			}
			walkTemplate(tree.Root, func(n parse.Node) {
				switch n := n.(type) {
				case *parse.CommandNode:
					if len(n.Args) < 2 {
						return
					}
					id, ok := n.Args[0].(*parse.IdentifierNode)
					if !ok || id.Ident != "t" && id.Ident != "n" {
						return
					}
					if s, ok := n.Args[1].(*parse.StringNode); ok {
						out.keys[s.Text] = append(out.keys[s.Text], name)
					}
				}
			})
		}
	}
	return out
}

// flatten returns the text of the template under n, with "{}" for each
// action and for each branch of an if, range or with.
func flatten(n parse.Node) string {
	var b strings.Builder
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TextNode:
			b.Write(n.Text)
		case *parse.IfNode:
			b.WriteString("{}")
			walk(n.List)
			b.WriteString("{}")
			walk(n.ElseList)
			b.WriteString("{}")
		case *parse.RangeNode:
			b.WriteString("{}")
			walk(n.List)
			b.WriteString("{}")
			walk(n.ElseList)
			b.WriteString("{}")
		case *parse.WithNode:
			b.WriteString("{}")
			walk(n.List)
			b.WriteString("{}")
			walk(n.ElseList)
			b.WriteString("{}")
		default:
			b.WriteString("{}")
		}
	}
	walk(n)
	return b.String()
}

// walkTemplate calls fn for every node under n.
func walkTemplate(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplate(c, fn)
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTemplate(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkTemplate(a, fn)
		}
	case *parse.IfNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.RangeNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.WithNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, fn)
	}
}

// goKeys returns the keys the package's Go code translates: the literal
// first argument of every call to a method T or N. literals are all its
// string literals, where a table keeps sentences it translates later.
func goKeys(t *testing.T) (keys map[string][]string, literals map[string]bool) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, literals = map[string][]string{}, map[string]bool{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if e, ok := n.(ast.Expr); ok {
					if s, ok := constString(e); ok {
						literals[s] = true
					}
				}
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "T" && sel.Sel.Name != "N" {
					return true
				}
				if s, ok := constString(call.Args[0]); ok {
					keys[s] = append(keys[s], fset.Position(call.Args[0].Pos()).String())
				}
				return true
			})
		}
	}
	return keys, literals
}

// constString returns the string e is, for a literal or a sum of them.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, ok1 && ok2
	case *ast.ParenExpr:
		return constString(e.X)
	}
	return "", false
}

// TestEveryWordTranslated checks that the pages show no English of their
// own outside the catalogs, and that every key the templates and the
// package's code translate is in the English catalog (so every other
// catalog, by its own test, translates it).
func TestEveryWordTranslated(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	text := readTemplates(t)
	for _, u := range text.untouched {
		t.Errorf("untranslated text in %s", u)
	}
	code, literals := goKeys(t)
	for _, keys := range []map[string][]string{text.keys, code} {
		for _, k := range slices.Sorted(mapKeys(keys)) {
			if !b.Has(k) {
				t.Errorf("%q (%s) is in no catalog", k, strings.Join(keys[k], ", "))
			}
		}
	}
	// The areas of the pages hold only what the pages say.
	for _, area := range []string{"pages", "forms", "mod"} {
		for _, k := range b.Keys(area) {
			if _, ok := text.keys[k]; !ok && !literals[k] {
				t.Errorf("catalogs/%s has %q, which no page or code of the package says", area, k)
			}
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestUntranslatedWords checks the checker: it must see English in text
// and in the attributes people read, and nothing in markup or names.
func TestUntranslatedWords(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{`<p>Share a picture</p>`, []string{"Share", "picture"}},
		{`<img alt="A cat" src="/x">`, []string{"cat"}},
		{`<a aria-label="Votes" href="/p">`, []string{"Votes"}},
		{`<section class="upload share" id="share-title" data-upload="/api/v1/uploads">`, nil},
		{`<p>chatpic · NSFW · JPEG &middot; 3</p>`, nil},
		{`<input placeholder="https://example.org/p/x ABCD-EFGH">`, []string{"example", "org"}},
		{`<a href="{}">{}</a><a title="Open it" href="/">`, []string{"Open", "it"}},
		{`<input value="one" name="album">`, nil},
		{`<img alt="" src="x">`, nil},
	} {
		if got := untranslatedWords(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("untranslatedWords(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
