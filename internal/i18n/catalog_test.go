package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/language"
)

// shipped is what the product promises; a catalog may be added, never
// dropped.
var shipped = []string{"de", "en", "es", "fr", "pt-BR"}

// loadCatalogs returns the embedded catalogs by area and tag.
func loadCatalogs(t *testing.T) map[string]map[string]*catalogFile {
	t.Helper()
	areas, err := readAreas(catalogFS, "catalogs")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]*catalogFile{}
	for area, cs := range areas {
		out[area] = map[string]*catalogFile{}
		for tag, c := range cs {
			out[area][tag.String()] = c
		}
		for _, tag := range shipped {
			if cs[language.MustParse(tag)] == nil {
				t.Errorf("no catalog %s/%s.json", area, tag)
			}
		}
	}
	for _, area := range []string{"site", "errors"} {
		if out[area] == nil {
			t.Errorf("no area %s", area)
		}
	}
	return out
}

// TestCatalogsComplete is the gate on translations: in every area, every
// catalog, English included, has exactly the keys of that area's en.json,
// each with the key's placeholders and the plural forms its language
// needs.
func TestCatalogsComplete(t *testing.T) {
	for area, cs := range loadCatalogs(t) {
		en := cs["en"]
		if en == nil {
			continue
		}
		for name, c := range cs {
			t.Run(area+"/"+name, func(t *testing.T) {
				if r := audit(language.MustParse(name), en.Messages, c.Messages); !r.ok() {
					t.Errorf("catalogs/%s/%s.json does not match %s/en.json:%s", area, name, area, r)
				}
			})
		}
	}
}

// TestAuditFindsFaults feeds broken catalogs to the checker that
// TestCatalogsComplete and New use, so that they are known to be able to
// fail.
func TestAuditFindsFaults(t *testing.T) {
	en := map[string]entry{
		"Share a picture":   {text: "Share a picture"},
		"%s by %s":          {text: "%s by %s"},
		"%d comments":       {forms: map[string]string{"one": "%d comment", "other": "%d comments"}},
		"%d comments on %s": {forms: map[string]string{"one": "one comment on %[2]s", "other": "%d comments on %s"}},
	}
	good := func() map[string]entry {
		return map[string]entry{
			"Share a picture":   {text: "Partager une image"},
			"%s by %s":          {text: "%[2]s : %[1]s"},
			"%d comments":       {forms: map[string]string{"one": "%d commentaire", "other": "%d commentaires"}},
			"%d comments on %s": {forms: map[string]string{"=1": "un commentaire sur %[2]s", "one": "%d commentaire sur %s", "other": "%d commentaires sur %s"}},
		}
	}
	tests := []struct {
		name   string
		tag    string
		change func(m map[string]entry)
		want   report
	}{
		{name: "complete French", tag: "fr", change: func(map[string]entry) {}},
		{name: "English against itself", tag: "en", change: func(m map[string]entry) {
			clear(m)
			for k, v := range en {
				m[k] = v
			}
		}},
		{name: "missing key", tag: "fr", change: func(m map[string]entry) { delete(m, "Share a picture") },
			want: report{Missing: []string{"Share a picture"}}},
		{name: "key English no longer has", tag: "fr", change: func(m map[string]entry) { m["Share a photo"] = entry{text: "Partager une photo"} },
			want: report{Extra: []string{"Share a photo"}}},
		{name: "lost placeholder", tag: "fr", change: func(m map[string]entry) { m["%s by %s"] = entry{text: "par %s"} },
			want: report{Problems: []string{`"%s by %s": placeholders [%[1]s], the key has [%[1]s %[2]s]`}}},
		{name: "placeholder of another verb", tag: "fr", change: func(m map[string]entry) { m["%s by %s"] = entry{text: "%[2]s : %[1]d"} },
			want: report{Problems: []string{`"%s by %s": placeholders [%[1]d %[2]s], the key has [%[1]s %[2]s]`}}},
		{name: "placeholder doubled", tag: "fr", change: func(m map[string]entry) { m["%s by %s"] = entry{text: "%s par %s (%[1]s)"} },
			want: report{Problems: []string{`"%s by %s": placeholders [%[1]s %[1]s %[2]s], the key has [%[1]s %[2]s]`}}},
		{name: "stray percent sign", tag: "fr", change: func(m map[string]entry) { m["Share a picture"] = entry{text: "100 %"} },
			want: report{Problems: []string{`"Share a picture": % at the end of "100 %" (write %% for a percent sign)`}}},
		{name: "plain string for a plural", tag: "fr", change: func(m map[string]entry) { m["%d comments"] = entry{text: "%d commentaires"} },
			want: report{Problems: []string{`"%d comments" is plural in en.json but a plain string here`}}},
		{name: "plural for a plain string", tag: "fr", change: func(m map[string]entry) {
			m["Share a picture"] = entry{forms: map[string]string{"one": "Partager", "other": "Partager"}}
		}, want: report{Problems: []string{`"Share a picture" is plural here but not in en.json`}}},
		{name: "plural lacks other", tag: "de", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"one": "%d Kommentar"}}
		}, want: report{Problems: []string{`"%d comments" lacks the plural form "other"`}}},
		{name: "plural lacks one", tag: "de", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"other": "%d Kommentare"}}
		}, want: report{Problems: []string{`"%d comments" lacks the plural form "one"`}}},
		{name: "category the language never uses", tag: "es", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"one": "%d comentario", "few": "%d comentarios", "other": "%d comentarios"}}
		}, want: report{Problems: []string{`"%d comments" has the plural form "few", which es never uses`}}},
		{name: "bad exact form", tag: "fr", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"=x": "", "one": "%d commentaire", "other": "%d commentaires"}}
		}, want: report{Problems: []string{`"%d comments": plural form "=x" is not =<number>`}}},
		{name: "French one without the count, though it is 0 and 1", tag: "fr", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"one": "un commentaire", "other": "%d commentaires"}}
		}, want: report{Problems: []string{`"%d comments" form one: placeholders [], the key has [%[1]d]`}}},
		{name: "German one without the count, as it is only 1", tag: "de", change: func(m map[string]entry) {
			clear(m)
			m["Share a picture"] = entry{text: "Bild teilen"}
			m["%s by %s"] = entry{text: "%s von %s"}
			m["%d comments"] = entry{forms: map[string]string{"one": "ein Kommentar", "other": "%d Kommentare"}}
			m["%d comments on %s"] = entry{forms: map[string]string{"one": "ein Kommentar zu %[2]s", "other": "%d Kommentare zu %s"}}
		}},
		{name: "other without the count", tag: "fr", change: func(m map[string]entry) {
			m["%d comments"] = entry{forms: map[string]string{"one": "%d commentaire", "other": "des commentaires"}}
		}, want: report{Problems: []string{`"%d comments" form other: placeholders [], the key has [%[1]d]`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(m)
			got := audit(language.MustParse(tt.tag), en, m)
			if !slices.Equal(got.Missing, tt.want.Missing) || !slices.Equal(got.Extra, tt.want.Extra) || !slices.Equal(got.Problems, tt.want.Problems) {
				t.Errorf("audit found:%s\nwant:%s", got, tt.want)
			}
		})
	}
}

func TestAuditPluralKeyNeedsCountFirst(t *testing.T) {
	en := map[string]entry{"%s has %d comments": {forms: map[string]string{"one": "%s has %d comment", "other": "%s has %d comments"}}}
	r := audit(language.English, en, en)
	want := []string{`plural key "%s has %d comments" must take the count as its first argument, %d`}
	if !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q, want %q", r.Problems, want)
	}
}

func TestCategories(t *testing.T) {
	tests := []struct {
		tag  string
		want map[string]int // category → how many sampled numbers, -1 for "more than one"
	}{
		{"en", map[string]int{"one": 1, "other": -1}},
		{"de", map[string]int{"one": 1, "other": -1}},
		{"es", map[string]int{"one": 1, "other": -1}},
		{"fr", map[string]int{"one": 2, "other": -1}},                       // 0 and 1
		{"pt-BR", map[string]int{"one": 2, "other": -1}},                    // 0 and 1
		{"pl", map[string]int{"one": 1, "few": -1, "many": -1, "other": 0}}, // other is for fractions only
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			got := categories(language.MustParse(tt.tag))
			if len(got) != len(tt.want) {
				t.Fatalf("categories %v, want %v", got, tt.want)
			}
			for c, n := range tt.want {
				if n == -1 && got[c] < 2 || n != -1 && got[c] != n {
					t.Errorf("category %s holds %d numbers, want %d", c, got[c], n)
				}
			}
		})
	}
}

func TestVerbs(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "no placeholder", want: "[]"},
		{in: "100%% sure", want: "[]"},
		{in: "%d comments on %s", want: "[%[1]d %[2]s]"},
		{in: "%[2]s: %[1]d", want: "[%[1]d %[2]s]"},
		{in: "%5.2f and %-8s and %+v", want: "[%[1]f %[2]s %[3]v]"},
		{in: "%[2]s then %s", want: "[%[2]s %[3]s]"},
		{in: "%[x]s", wantErr: true},
		{in: "%[1s", wantErr: true},
		{in: "%*d", wantErr: true},
		{in: "50%", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := verbs(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("verbs(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil {
				if s := fmtVerbs(got); s != tt.want {
					t.Errorf("verbs(%q) = %s, want %s", tt.in, s, tt.want)
				}
			}
		})
	}
}

func fmtVerbs(vs []verb) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestNewRefusesBrokenCatalogs(t *testing.T) {
	en := `{"name":"English","messages":{"%s by %s":"%s by %s","%d comments":{"one":"%d comment","other":"%d comments"}}}`
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no English", fstest.MapFS{"c/site/fr.json": {Data: []byte(`{"name":"Français","messages":{"a":"b"}}`)}}, "no en catalog"},
		{"not a tag", fstest.MapFS{"c/site/en.json": {Data: []byte(en)}, "c/site/french.json": {Data: []byte(en)}}, "site/french.json is not named by a canonical BCP 47 tag"},
		{"not canonical", fstest.MapFS{"c/site/en.json": {Data: []byte(en)}, "c/site/pt-br.json": {Data: []byte(en)}}, "site/pt-br.json is not named by a canonical BCP 47 tag"},
		{"a key in two areas", fstest.MapFS{"c/site/en.json": {Data: []byte(en)},
			"c/errors/en.json": {Data: []byte(`{"name":"English","messages":{"%s by %s":"%s by %s"}}`)}},
			`catalogs errors/en and site/en both have the key "%s by %s"`},
		{"areas that name a language differently", fstest.MapFS{"c/site/en.json": {Data: []byte(en)},
			"c/errors/en.json": {Data: []byte(`{"name":"Anglais","messages":{"a":"a"}}`)}},
			`catalog site/en names its language "English", another area "Anglais"`},
		{"bad JSON", fstest.MapFS{"c/site/en.json": {Data: []byte(`{"name":"English","messages":{"a":1}}`)}}, "catalog site/en.json: json"},
		{"unknown field", fstest.MapFS{"c/site/en.json": {Data: []byte(`{"name":"English","dir":"ltr","messages":{"a":"a"}}`)}}, `unknown field "dir"`},
		{"no name", fstest.MapFS{"c/site/en.json": {Data: []byte(`{"messages":{"a":"a"}}`)}}, `no "name"`},
		{"no messages", fstest.MapFS{"c/site/en.json": {Data: []byte(`{"name":"English","messages":{}}`)}}, "no messages"},
		{"broken placeholders", fstest.MapFS{"c/site/en.json": {Data: []byte(en)}, "c/site/de.json": {Data: []byte(
			`{"name":"Deutsch","messages":{"%s by %s":"von %s","%d comments":{"one":"%d Kommentar","other":"%d Kommentare"}}}`)}},
			`catalog de:` + "\n" + `  "%s by %s": placeholders`},
		{"missing plural form", fstest.MapFS{"c/site/en.json": {Data: []byte(en)}, "c/site/fr.json": {Data: []byte(
			`{"name":"Français","messages":{"%d comments":{"other":"%d commentaires"}}}`)}},
			`"%d comments" lacks the plural form "one"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newBundle(tt.files, "c")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newBundle error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
