package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/i18n"
)

// textCall is a call of the scripts' chatpicText (app.js).
var textCall = regexp.MustCompile(`\bchatpicText\(\s*`)

// scriptKeys finds the keys a script passes to chatpicText: each call's
// first argument, which must be a string literal (the key as the catalog
// has it), with where it is ("app.js:12"). A call with anything else as
// its key is a problem: no check could know what it says. Line comments
// are skipped.
func scriptKeys(name, src string) (keys map[string][]string, problems []string) {
	keys = map[string][]string{}
	for i, line := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "//") || strings.HasPrefix(t, "*") {
			continue
		}
		where := name + ":" + strconv.Itoa(i+1)
		for _, m := range textCall.FindAllStringIndex(line, -1) {
			key, ok := jsString(line[m[1]:])
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: chatpicText is called with something else than a string literal as its key", where))
				continue
			}
			keys[key] = append(keys[key], where)
		}
	}
	return keys, problems
}

// jsString reads the JavaScript string literal s starts with, in double or
// single quotes, with the escapes the scripts may use.
func jsString(s string) (string, bool) {
	if s == "" || s[0] != '"' && s[0] != '\'' {
		return "", false
	}
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), true
		case c == '\n':
			return "", false
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", false
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+4 >= len(s) {
				return "", false
			}
			r, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(r))
			i += 4
		case '\\', '"', '\'':
			b.WriteByte(s[i])
		default:
			return "", false
		}
	}
	return "", false
}

// checkScriptText checks the scripts (name → source) against the keys of
// the catalogs' js area: every key a script says must be there, as the
// page sends the scripts only that area, and every key there must be said
// by a script, or it is a stale translation.
func checkScriptText(scripts map[string]string, catalog []string) []string {
	var problems []string
	said := map[string][]string{}
	for _, name := range slices.Sorted(mapKeys(scripts)) {
		keys, p := scriptKeys(name, scripts[name])
		problems = append(problems, p...)
		for k, where := range keys {
			said[k] = append(said[k], where...)
		}
	}
	for _, k := range slices.Sorted(mapKeys(said)) {
		if !slices.Contains(catalog, k) {
			problems = append(problems, fmt.Sprintf("%q (%s) is not a key of catalogs/js/en.json", k, strings.Join(said[k], ", ")))
		}
	}
	for _, k := range catalog {
		if _, ok := said[k]; !ok {
			problems = append(problems, fmt.Sprintf("catalogs/js/en.json has %q, which no script says", k))
		}
	}
	return problems
}

// TestScriptText checks that what the scripts say is in the catalogs' js
// area, and that area holds nothing else.
func TestScriptText(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(files, "static/*.js")
	if err != nil || len(names) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	scripts := map[string]string{}
	for _, name := range names {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		scripts[filepath.Base(name)] = string(src)
	}
	if len(b.Keys("js")) == 0 {
		t.Fatal("the catalogs have no js area")
	}
	for _, p := range checkScriptText(scripts, b.Keys("js")) {
		t.Error(p)
	}
}

// TestScriptTextFindsFaults shows that the check fails where it should.
func TestScriptTextFindsFaults(t *testing.T) {
	catalog := []string{"Copied", "%d files ready to upload.", "It's \"done\""}
	for _, tt := range []struct {
		name    string
		scripts map[string]string
		want    []string
	}{
		{"all said, all known", map[string]string{"a.js": `x(chatpicText("Copied"));
  say(chatpicText( '%d files ready to upload.', n));
  t = chatpicText("It's \"done\"");`}, nil},
		{"a key not in the catalog", map[string]string{"a.js": `chatpicText("Copied"); chatpicText("It's \"done\""); chatpicText("%d files ready to upload.")
b.textContent = chatpicText("Copy link");`}, []string{`"Copy link" (a.js:2) is not a key of catalogs/js/en.json`}},
		{"a key no script says", map[string]string{"a.js": `chatpicText("Copied"); chatpicText("It's \"done\"");`, "b.js": `// chatpicText("%d files ready to upload.") in a comment is not said`},
			[]string{`catalogs/js/en.json has "%d files ready to upload.", which no script says`}},
		{"a key made at run time", map[string]string{"a.js": `chatpicText("Copied"); chatpicText("It's \"done\""); chatpicText("%d files ready to upload.");
chatpicText(words[reason]);`}, []string{"a.js:2: chatpicText is called with something else than a string literal as its key"}},
		{"a key on the next line", map[string]string{"a.js": `chatpicText("Copied"); chatpicText("It's \"done\""); chatpicText(
  "%d files ready to upload.");`}, []string{
			"a.js:1: chatpicText is called with something else than a string literal as its key",
			`catalogs/js/en.json has "%d files ready to upload.", which no script says`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkScriptText(tt.scripts, catalog); !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// wordsTag is the script of the scripts' words a page loads.
var wordsTag = regexp.MustCompile(`<script src="(/static/words-[^"]+\.js)" defer></script>\s*<script src="/static/app\.[0-9a-f]+\.js" defer>`)

// TestScriptTextInPage checks that a page loads the scripts' words in its
// language, chosen by ?lang= or Accept-Language, before app.js: every key
// of the js area, with plural forms as objects, from a static script
// cached as the others are.
func TestScriptTextInPage(t *testing.T) {
	f := newFixture(t, nil)
	keys := f.web.text.Keys("js")
	for _, tt := range []struct {
		name, path, accept, tag string
		want                    map[string]string
		plural                  map[string]string // key → its "other" form
	}{
		{"French by ?lang=", "/c/random?lang=fr", "", "fr",
			map[string]string{"Copy link": "Copier le lien", "just now": "à l’instant", "Voted up. Score %d.": "Vote positif enregistré. Score : %d."},
			map[string]string{"%d files ready to upload.": "%d fichiers prêts à envoyer."}},
		{"German by Accept-Language", "/", "de-CH, en;q=0.5", "de",
			map[string]string{"Copy link": "Link kopieren", "Uploading…": "Wird hochgeladen…"},
			map[string]string{"Try again in %d minutes.": "Versuch es in %d Minuten noch einmal."}},
		{"English", "/", "", "en",
			map[string]string{"Copy link": "Copy link"},
			map[string]string{"%d uploads in the channel": "%d uploads"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			rec := f.serve(req)
			wantPage(t, rec, 200, `<html lang="`+tt.tag+`"`)
			m := wordsTag.FindStringSubmatch(rec.Body.String())
			if m == nil {
				t.Fatal("the page loads no words before app.js")
			}
			script := f.get(m[1], nil)
			if script.Code != 200 || !strings.Contains(script.Header().Get("Content-Type"), "javascript") ||
				!strings.Contains(script.Header().Get("Cache-Control"), "immutable") {
				t.Errorf("GET %s: %d %q %q", m[1], script.Code, script.Header().Get("Content-Type"), script.Header().Get("Cache-Control"))
			}
			body, ok := strings.CutPrefix(script.Body.String(), "window.chatpicWords = ")
			body, ok2 := strings.CutSuffix(body, ";\n")
			var text map[string]any
			if err := json.Unmarshal([]byte(body), &text); !ok || !ok2 || err != nil {
				t.Fatalf("%s is not the words as JSON: %v: %.300s", m[1], err, script.Body)
			}
			if len(text) != len(keys) {
				t.Errorf("the words have %d keys, the js area %d", len(text), len(keys))
			}
			for k, want := range tt.want {
				if got := text[k]; got != want {
					t.Errorf("%q says %q, want %q", k, got, want)
				}
			}
			for k, want := range tt.plural {
				forms, ok := text[k].(map[string]any)
				if !ok || forms["other"] != want || forms["one"] == nil {
					t.Errorf("%q is %v, want plural forms with other %q", k, text[k], want)
				}
			}
		})
	}
}

// TestChatpicText runs the scripts' helpers (app.js) under Node, where it
// is installed: chatpicText's choice of form and its numbers, and
// chatpicAPI's lang=.
func TestChatpicText(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node to run the script with")
	}
	src, err := fs.ReadFile(files, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	helper := between(t, text, "var chatpicText = ", "\n})();\n")
	api := between(t, text, "function chatpicAPI(", "\n}\n")
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr, _ := b.Lookup("fr")
	de, _ := b.Lookup("de")
	words := func(l i18n.Lang, more map[string]any) string {
		m := l.Messages(b.Keys("js"))
		for k, v := range more {
			m[k] = v
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	extra := map[string]any{
		"%s by %s":     "%[2]s, par %[1]s",
		"%d comments":  map[string]string{"=0": "aucun commentaire", "one": "%d commentaire", "other": "%d commentaires"},
		"%d%% done":    "%d %% fait",
		"No. %s (%d)":  "N° %s (%d)",
		"%[2]d and %s": "%[2]d et %s",
	}
	// page(lang, search, json) runs the helpers in a page of that language,
	// address query and words (null: none).
	script := `"use strict";
function page(lang, search, words) {
  var doc = { documentElement: { lang: lang } };
  var win = { chatpicWords: words === null ? undefined : JSON.parse(words) };
  var loc = { search: search, href: "https://chatpic.test/c/random" + search, origin: "https://chatpic.test" };
  function here() { globalThis.document = doc; globalThis.location = loc; globalThis.window = win; }
  here();
  var chatpicText = ` + helper + "\n})();\n" + `function chatpicAPI(` + api + "\n}\n" + `
  return {
    text: function () { here(); return chatpicText.apply(null, arguments); },
    api: function (path) { here(); return chatpicAPI(path); }
  };
}
var fr = page("fr", "?lang=fr", ` + strconv.Quote(words(fr, extra)) + `);
var de = page("de", "", ` + strconv.Quote(words(de, nil)) + `);
var none = page("en", "", null);
console.log(JSON.stringify([
  fr.text("%d files ready to upload.", 0),
  fr.text("%d files ready to upload.", 1),
  fr.text("%d files ready to upload.", 2500),
  de.text("%d files ready to upload.", 1),
  de.text("%d files ready to upload.", 2500),
  fr.text("%d comments", 0),
  fr.text("%d comments", 1),
  fr.text("%s by %s", "a", "b"),
  fr.text("%d%% done", 50),
  fr.text("No. %s (%d)", "1234", 1234),
  fr.text("%[2]d and %s", "x", 3000, "y"),
  fr.text("a key no catalog has: %s", "x"),
  none.text("Copy link"),
  none.text("Upload %d files", 3),
  fr.api("/api/v1/posts/abc"),
  fr.api("/api/v1/channels/random/posts?x=1"),
  fr.api("https://chatpic.test/api/v1/posts/abc/vote?lang=de"),
  de.api("/api/v1/posts/abc")
]));
`
	dir := t.TempDir()
	file := filepath.Join(dir, "t.js")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node said %s: %v", out, err)
	}
	const nnbsp = "\u202f" // French groups digits with a narrow no-break space
	want := []string{
		"0 fichier prêt à envoyer.", // French "one" is 0 and 1
		"1 fichier prêt à envoyer.",
		"2" + nnbsp + "500 fichiers prêts à envoyer.",
		"1 Datei bereit zum Hochladen.",
		"2.500 Dateien bereit zum Hochladen.",
		"aucun commentaire", // "=0" before "one"
		"1 commentaire",
		"b, par a",
		"50 % fait",
		"N° 1234 (1" + nnbsp + "234)", // %s is as it is, %d the language's way
		"3" + nnbsp + "000 et y",      // after %[2]d comes the 3rd argument
		"a key no catalog has: x",
		"Copy link",
		"Upload 3 files",
		"/api/v1/posts/abc?lang=fr",
		"/api/v1/channels/random/posts?x=1&lang=fr",
		"/api/v1/posts/abc/vote?lang=fr",
		"/api/v1/posts/abc",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// between returns what of s lies between the first start and the first end
// after it.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		t.Fatalf("app.js has no %q", start)
	}
	in, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("app.js has no %q after %q", end, start)
	}
	return in
}
