package i18n

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// catalogFile is one language's catalog of one area as stored in
// catalogs/<area>/<tag>.json:
//
//	{
//	  "name": "Français",
//	  "messages": {
//	    "Share a picture": "Partager une image",
//	    "%d minutes ago": {"one": "il y a %d minute", "other": "il y a %d minutes"}
//	  }
//	}
//
// A key is the English text, a fmt format string (literal percent signs
// written %%). A value is either a string or, for a message whose first
// argument is a count, an object from plural category (zero, one, two,
// few, many, other, or "=N" for an exact count) to format string.
type catalogFile struct {
	Name     string           `json:"name"`
	Messages map[string]entry `json:"messages"`
}

// entry is one message: text for a plain message, forms for a plural one.
type entry struct {
	text  string
	forms map[string]string
}

func (e entry) isPlural() bool { return e.forms != nil }

func (e *entry) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		e.forms = map[string]string{}
		return json.Unmarshal(b, &e.forms)
	}
	return json.Unmarshal(b, &e.text)
}

func parseCatalog(data []byte) (*catalogFile, error) {
	var c catalogFile
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the catalog object")
	}
	if c.Name == "" {
		return nil, fmt.Errorf(`no "name"`)
	}
	if len(c.Messages) == 0 {
		return nil, fmt.Errorf("no messages")
	}
	return &c, nil
}

// report is what audit finds wrong with a catalog, measured against the
// English one. Missing and Extra are keys; Problems are sentences naming
// the key.
type report struct {
	Missing  []string // keys en.json has and this catalog lacks
	Extra    []string // keys this catalog has and en.json does not
	Problems []string // malformed messages: placeholders, plural forms
}

func (r report) ok() bool { return len(r.Missing)+len(r.Extra)+len(r.Problems) == 0 }

func (r report) String() string {
	var b strings.Builder
	for _, k := range r.Missing {
		fmt.Fprintf(&b, "\n  missing %q", k)
	}
	for _, k := range r.Extra {
		fmt.Fprintf(&b, "\n  extra %q (en.json no longer has it)", k)
	}
	for _, p := range r.Problems {
		b.WriteString("\n  " + p)
	}
	return b.String()
}

// audit checks the messages of language tag against en, the English
// messages. A key is the contract with the callers: every translation of a
// key must use the key's placeholders, the same verbs for the same
// arguments (positions may move with %[n]). A message that is plural in
// English is plural in every language, and its key's first verb is the
// count (%d); it must have a form for each plural category the language
// uses for whole numbers and none for the categories it never uses; a form
// may leave the count out only if its category holds a single number (so
// French "one", which is 0 and 1, must print it).
func audit(tag language.Tag, en, msgs map[string]entry) report {
	var r report
	for k := range en {
		if _, ok := msgs[k]; !ok {
			r.Missing = append(r.Missing, k)
		}
	}
	cats := categories(tag)
	for k, e := range msgs {
		ref, ok := en[k]
		if !ok {
			r.Extra = append(r.Extra, k)
			continue
		}
		want, err := verbs(k)
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("key %q: %v", k, err))
			continue
		}
		if !ref.isPlural() {
			if e.isPlural() {
				r.Problems = append(r.Problems, fmt.Sprintf("%q is plural here but not in en.json", k))
				continue
			}
			r.Problems = append(r.Problems, placeholderProblems(k, "", e.text, want, false)...)
			continue
		}
		if !e.isPlural() {
			r.Problems = append(r.Problems, fmt.Sprintf("%q is plural in en.json but a plain string here", k))
			continue
		}
		if len(want) == 0 || want[0] != (verb{1, 'd'}) {
			r.Problems = append(r.Problems, fmt.Sprintf("plural key %q must take the count as its first argument, %%d", k))
			continue
		}
		for _, c := range sortedKeys(cats) {
			if _, ok := e.forms[c]; !ok {
				r.Problems = append(r.Problems, fmt.Sprintf("%q lacks the plural form %q", k, c))
			}
		}
		for _, c := range sortedKeys(e.forms) {
			size, ok := cats[c]
			if exact, isExact := strings.CutPrefix(c, "="); isExact {
				if _, err := strconv.Atoi(exact); err != nil {
					r.Problems = append(r.Problems, fmt.Sprintf("%q: plural form %q is not =<number>", k, c))
					continue
				}
				ok, size = true, 1
			}
			if !ok {
				r.Problems = append(r.Problems, fmt.Sprintf("%q has the plural form %q, which %s never uses", k, c, tag))
				continue
			}
			r.Problems = append(r.Problems, placeholderProblems(k, c, e.forms[c], want, size == 1)...)
		}
	}
	sort.Strings(r.Missing)
	sort.Strings(r.Extra)
	sort.Strings(r.Problems)
	return r
}

func placeholderProblems(key, form, text string, want []verb, countOptional bool) []string {
	where := fmt.Sprintf("%q", key)
	if form != "" {
		where += " form " + form
	}
	got, err := verbs(text)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	if countOptional && !slices.Contains(got, want[0]) {
		want = want[1:]
	}
	if !slices.Equal(got, want) {
		return []string{fmt.Sprintf("%s: placeholders %v, the key has %v", where, got, want)}
	}
	return nil
}

// categories returns the plural categories language tag uses for whole
// numbers, each with how many of the numbers sampled fall in it (1 means
// the category is a single number, such as English "one").
func categories(tag language.Tag) map[string]int {
	names := map[plural.Form]string{
		plural.Zero: "zero", plural.One: "one", plural.Two: "two",
		plural.Few: "few", plural.Many: "many", plural.Other: "other",
	}
	cats := map[string]int{"other": 0}
	sample := func(n int) {
		f := plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)
		cats[names[f]]++
	}
	for n := range 1001 {
		sample(n)
	}
	for _, n := range []int{1e4, 1e5, 1e6, 2e6, 1e7, 1e9} {
		sample(n)
	}
	return cats
}

// verb is one fmt placeholder: the argument it formats (from 1) and its
// verb letter.
type verb struct {
	arg  int
	verb rune
}

func (v verb) String() string { return fmt.Sprintf("%%[%d]%c", v.arg, v.verb) }

// verbs lists the placeholders of format string s, sorted by argument, so
// that "%[2]s … %[1]d" and "%d … %s" compare equal.
func verbs(s string) ([]verb, error) {
	var vs []verb
	arg := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		for i < len(s) && strings.IndexByte("+-# 0", s[i]) >= 0 {
			i++
		}
		if i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed %%[ in %q", s)
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad argument index in %q", s)
			}
			arg = n
			i += end + 1
		}
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i >= len(s) {
			return nil, fmt.Errorf("%% at the end of %q (write %%%% for a percent sign)", s)
		}
		if s[i] == '%' {
			continue
		}
		if s[i] == '*' || !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			return nil, fmt.Errorf("unsupported placeholder in %q", s)
		}
		vs = append(vs, verb{arg, rune(s[i])})
		arg++
	}
	slices.SortFunc(vs, func(a, b verb) int {
		if a.arg != b.arg {
			return a.arg - b.arg
		}
		return int(a.verb) - int(b.verb)
	})
	return vs, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
