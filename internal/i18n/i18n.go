// Package i18n translates chatpic's user-visible text: it picks a language
// for a request (a ?lang= parameter, then Accept-Language, then English),
// and formats messages, counts and relative times in it.
//
// It is built on golang.org/x/text: language.Matcher negotiates with the
// CLDR's knowledge of which languages stand in for which (es-MX reads es,
// pt-PT reads pt-BR, gsw reads de), and message/catalog with feature/plural
// select CLDR plural forms and format numbers per language (1.000, 1 000),
// with no code generation step and no dependency outside the Go project.
//
// Messages live in embedded JSON files, catalogs/<area>/<tag>.json, one per
// language and area (site: the pages; errors: the messages of
// chatpic.Error), keyed by the English text (see catalogFile). The English text as key keeps
// templates readable ({{t "Share a picture"}}), makes English the natural
// fallback, and turns a change of English wording into a new key, so the
// completeness test flags every translation of the old wording as stale.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed catalogs/*/*.json
var catalogFS embed.FS

// English is the tag of the reference language: its catalog defines the
// set of keys, and it is the answer when nothing else matches.
const English = "en"

// Bundle holds the parsed catalogs of every shipped language. It is
// immutable and safe for concurrent use.
type Bundle struct {
	langs   []*lang // ordered by tag; English among them
	english *lang
	matcher language.Matcher
	tags    []*lang // matcher index → language
	// areas lists each area's English keys, sorted.
	areas map[string][]string
}

// lang is one shipped language.
type lang struct {
	tag     language.Tag
	name    string
	msgs    map[string]entry
	printer *message.Printer
	english *lang // the fallback for a key this catalog lacks; nil for English
}

// New parses every catalog under catalogs/ and merges each language's
// areas into one. It returns an error if a catalog is malformed, is not
// named by a valid BCP 47 tag, has a key that another area of its language
// has too, or names its language otherwise than the language's other
// areas, or if a message's placeholders or plural forms are wrong (see
// audit): such a message would render wrongly. A key that a translation
// lacks is not an error here, it falls back to English; the package's
// tests refuse it.
//
// The catalogs are the binary's own and the Bundle immutable, so every
// caller shares the one made by the first call.
func New() (*Bundle, error) { return shared() }

var shared = sync.OnceValues(func() (*Bundle, error) { return newBundle(catalogFS, "catalogs") })

func newBundle(fsys fs.FS, dir string) (*Bundle, error) {
	areas, err := readAreas(fsys, dir)
	if err != nil {
		return nil, err
	}
	merged := map[language.Tag]*catalogFile{}
	from := map[language.Tag]map[string]string{} // key → the area that has it
	for _, area := range sortedKeys(areas) {
		for tag, c := range areas[area] {
			m := merged[tag]
			if m == nil {
				m = &catalogFile{Name: c.Name, Messages: map[string]entry{}}
				merged[tag], from[tag] = m, map[string]string{}
			}
			if c.Name != m.Name {
				return nil, fmt.Errorf("i18n: catalog %s/%s names its language %q, another area %q", area, tag, c.Name, m.Name)
			}
			for k, e := range c.Messages {
				if other, ok := from[tag][k]; ok {
					return nil, fmt.Errorf("i18n: catalogs %s/%s and %s/%s both have the key %q", other, tag, area, tag, k)
				}
				m.Messages[k], from[tag][k] = e, area
			}
		}
	}
	b, err := build(merged)
	if err != nil {
		return nil, err
	}
	b.areas = map[string][]string{}
	for area, tags := range areas {
		if en, ok := tags[language.English]; ok {
			b.areas[area] = sortedKeys(en.Messages)
		}
	}
	return b, nil
}

// Keys returns the English keys of one area of the catalogs (the
// directory catalogs/<area>), sorted, so that whoever uses the area can
// check that it uses every key; nil for an area there is not.
func (b *Bundle) Keys(area string) []string { return b.areas[area] }

// Messages returns l's messages of the keys given, for a program that
// formats them itself (the pages' scripts): each key's text, or for a
// plural message an object from plural category ("one", "other", "=0",
// ...) to text, in l's language or, where it lacks the key, English. Keys
// no catalog has are left out.
func (l Lang) Messages(keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		e, ok := l.source(k).msgs[k]
		switch {
		case !ok:
		case e.isPlural():
			out[k] = e.forms
		default:
			out[k] = e.text
		}
	}
	return out
}

// readAreas parses the catalogs dir/<area>/<tag>.json, by area and tag.
func readAreas(fsys fs.FS, dir string) (map[string]map[language.Tag]*catalogFile, error) {
	dirs, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	areas := map[string]map[language.Tag]*catalogFile{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		area := d.Name()
		files, err := fs.ReadDir(fsys, path.Join(dir, area))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		areas[area] = map[language.Tag]*catalogFile{}
		for _, f := range files {
			name, ok := strings.CutSuffix(f.Name(), ".json")
			if !ok {
				continue
			}
			tag, err := language.Parse(name)
			if err != nil || tag.String() != name {
				return nil, fmt.Errorf("i18n: catalog %s/%s is not named by a canonical BCP 47 tag", area, f.Name())
			}
			data, err := fs.ReadFile(fsys, path.Join(dir, area, f.Name()))
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			c, err := parseCatalog(data)
			if err != nil {
				return nil, fmt.Errorf("i18n: catalog %s/%s: %w", area, f.Name(), err)
			}
			areas[area][tag] = c
		}
	}
	return areas, nil
}

// build checks the parsed catalogs and turns them into a Bundle.
func build(parsed map[language.Tag]*catalogFile) (*Bundle, error) {
	en, ok := parsed[language.English]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s catalog", English)
	}
	cat := catalog.NewBuilder() // fallback to English is Lang.source's, per key
	b := &Bundle{}
	tags := make([]language.Tag, 0, len(parsed))
	for tag := range parsed {
		tags = append(tags, tag)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].String() < tags[j].String() })
	for _, tag := range tags {
		c := parsed[tag]
		if r := audit(tag, en.Messages, c.Messages); len(r.Problems) > 0 {
			return nil, fmt.Errorf("i18n: catalog %s:%s", tag, report{Problems: r.Problems})
		}
		for k, e := range c.Messages {
			if err := cat.Set(tag, k, toMessage(e)); err != nil {
				return nil, fmt.Errorf("i18n: catalog %s, %q: %w", tag, k, err)
			}
		}
		b.langs = append(b.langs, &lang{tag: tag, name: c.Name, msgs: c.Messages})
	}
	supported := []language.Tag{language.English} // the matcher's first tag is its default
	for _, l := range b.langs {
		l.printer = message.NewPrinter(l.tag, message.Catalog(cat))
		if l.tag == language.English {
			b.english = l
			b.tags = append([]*lang{l}, b.tags...)
			continue
		}
		supported = append(supported, l.tag)
		b.tags = append(b.tags, l)
	}
	for _, l := range b.langs {
		if l != b.english {
			l.english = b.english
		}
	}
	b.matcher = language.NewMatcher(supported)
	return b, nil
}

func toMessage(e entry) catalog.Message {
	if !e.isPlural() {
		return catalog.String(e.text)
	}
	var cases []any
	for _, c := range sortedKeys(e.forms) {
		if c == "other" {
			continue // Selectf takes the first match: "=N" sorts first, other goes last
		}
		cases = append(cases, selector(c), e.forms[c])
	}
	cases = append(cases, plural.Other, e.forms["other"])
	return plural.Selectf(1, "%d", cases...)
}

func selector(c string) any {
	switch c {
	case "zero":
		return plural.Zero
	case "one":
		return plural.One
	case "two":
		return plural.Two
	case "few":
		return plural.Few
	case "many":
		return plural.Many
	}
	return c // "=N"
}

// Match picks the language of a request. langParam, the request's ?lang=
// value, wins if it names a shipped language (case aside: "pt-br" does);
// the Lang then is Pinned, so links carry it along (see WithLang).
// Otherwise acceptLanguage, the Accept-Language header, chooses with its
// q-values and CLDR's idea of close languages (es-MX gets es, pt-PT gets
// pt-BR); a header that is malformed or names nothing close gets English.
func (b *Bundle) Match(acceptLanguage, langParam string) Lang {
	if l, ok := b.Lookup(langParam); ok {
		return l
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Lang{l: b.english}
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return Lang{l: b.english}
	}
	return Lang{l: b.tags[i]}
}

// Lookup returns the pinned Lang that tag names exactly (case aside), and
// false if tag names no shipped language.
func (b *Bundle) Lookup(tag string) (Lang, bool) {
	if tag == "" || len(tag) > 35 {
		return Lang{}, false
	}
	t, err := language.Parse(tag)
	if err != nil {
		return Lang{}, false
	}
	for _, l := range b.langs {
		if l.tag == t {
			return Lang{l: l, pinned: true}, true
		}
	}
	return Lang{}, false
}

// Languages returns every shipped language, pinned, ordered by tag: the
// entries of the visible language switch, each linked with WithLang.
func (b *Bundle) Languages() []Lang {
	ls := make([]Lang, len(b.langs))
	for i, l := range b.langs {
		ls[i] = Lang{l: l, pinned: true}
	}
	return ls
}

// Has reports whether key is a message of the English catalog, so that a
// test can check every key a template uses.
func (b *Bundle) Has(key string) bool {
	_, ok := b.english.msgs[key]
	return ok
}

// Lang is the language of one request. It is a small value, safe to copy
// and to use concurrently. The zero Lang is not usable: get one from a
// Bundle.
type Lang struct {
	l      *lang
	pinned bool
}

// Tag returns the language's BCP 47 tag, such as "pt-BR", for <html lang>
// and for ?lang=.
func (l Lang) Tag() string { return l.l.tag.String() }

// Name returns the language's name in itself, such as "Français".
func (l Lang) Name() string { return l.l.name }

// Pinned reports whether the language was chosen by a ?lang= parameter
// (or is an entry of Languages), rather than negotiated from
// Accept-Language. Links from a page in a pinned language carry ?lang=.
func (l Lang) Pinned() bool { return l.pinned }

// Unpinned returns l as if negotiated from Accept-Language: the same
// language, whose links WithLang leaves clean. With Languages it lists
// every Lang that Match can return, for state kept per Lang (Lang is
// comparable, so it can be a map key).
func (l Lang) Unpinned() Lang { return Lang{l: l.l} }

// Dir returns the language's writing direction, "ltr" or "rtl", for
// <html dir>.
func (l Lang) Dir() string {
	s, _ := l.l.tag.Script()
	switch s.String() {
	case "Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr":
		return "rtl"
	}
	return "ltr"
}

// T returns the message key in the language, formatted with args as by
// fmt (numbers in the language's style). A key the catalog lacks falls
// back to English, and a key no catalog has is formatted as it is.
// The result is plain text: html/template escapes it.
func (l Lang) T(key string, args ...any) string {
	return l.source(key).printer.Sprintf(key, args...)
}

// N returns the plural message key for the count n in the language: the
// form the language's plural rules choose for n, formatted with n as the
// first argument (%d, or %[1]d) and args after it.
func (l Lang) N(key string, n int, args ...any) string {
	return l.source(key).printer.Sprintf(key, append([]any{n}, args...)...)
}

// source returns the language that has key: l's own, or English.
func (l Lang) source(key string) *lang {
	if _, ok := l.l.msgs[key]; ok || l.l.english == nil {
		return l.l
	}
	return l.l.english
}
