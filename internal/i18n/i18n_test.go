package i18n

import (
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func newBundleT(t *testing.T) *Bundle {
	t.Helper()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lookup(t *testing.T, b *Bundle, tag string) Lang {
	t.Helper()
	l, ok := b.Lookup(tag)
	if !ok {
		t.Fatalf("no language %s", tag)
	}
	return l
}

func TestMatch(t *testing.T) {
	b := newBundleT(t)
	tests := []struct {
		name       string
		accept     string
		param      string
		want       string
		wantPinned bool
	}{
		{name: "nothing at all", want: "en"},
		{name: "exact language", accept: "de", want: "de"},
		{name: "region falls back to its language", accept: "es-MX", want: "es"},
		{name: "German of Switzerland", accept: "de-CH,de;q=0.9,en;q=0.8", want: "de"},
		{name: "English of Britain", accept: "en-GB,en;q=0.9", want: "en"},
		{name: "European Portuguese reads Brazilian", accept: "pt-PT", want: "pt-BR"},
		{name: "plain Portuguese", accept: "pt", want: "pt-BR"},
		{name: "Canadian French", accept: "fr-CA", want: "fr"},
		{name: "q-values beat order", accept: "fr;q=0.5, de;q=0.9", want: "de"},
		{name: "unshipped first choice, shipped second", accept: "nl, fr;q=0.3", want: "fr"},
		{name: "Catalan speaker who also reads Spanish", accept: "ca, es;q=0.5", want: "es"},
		{name: "q=0 means not acceptable", accept: "fr;q=0, de;q=0.1", want: "de"},
		{name: "unknown language", accept: "nl", want: "en"},
		{name: "only unshipped languages", accept: "ja, zh;q=0.8, ko;q=0.5", want: "en"},
		{name: "wildcard", accept: "*", want: "en"},
		{name: "malformed header", accept: "fr;q=abc,,;", want: "en"},
		{name: "param wins over the header", accept: "de", param: "fr", want: "fr", wantPinned: true},
		{name: "param English wins over the header", accept: "pt-BR", param: "en", want: "en", wantPinned: true},
		{name: "param in another case", param: "pt-br", want: "pt-BR", wantPinned: true},
		{name: "param of an unshipped language is ignored", accept: "es", param: "nl", want: "es"},
		{name: "param that only resembles a shipped one is ignored", accept: "de", param: "pt", want: "de"},
		{name: "param that is no tag is ignored", accept: "de", param: "<script>", want: "de"},
		{name: "overlong param is ignored", accept: "es", param: "fr-" + string(make([]byte, 100)), want: "es"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := b.Match(tt.accept, tt.param)
			if l.Tag() != tt.want || l.Pinned() != tt.wantPinned {
				t.Errorf("Match(%q, %q) = %s pinned %v, want %s pinned %v", tt.accept, tt.param, l.Tag(), l.Pinned(), tt.want, tt.wantPinned)
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	b := newBundleT(t)
	var got []string
	for _, l := range b.Languages() {
		if !l.Pinned() || l.Dir() != "ltr" {
			t.Errorf("%s: pinned %v, dir %s", l.Tag(), l.Pinned(), l.Dir())
		}
		got = append(got, l.Tag()+" "+l.Name())
	}
	// Languages and Unpinned together list every Lang that Match returns.
	all := map[Lang]bool{}
	for _, l := range b.Languages() {
		all[l], all[l.Unpinned()] = true, true
	}
	for _, h := range []struct{ accept, param string }{{"", ""}, {"fr", ""}, {"pt-PT", "de"}, {"es-MX", "xx"}} {
		if m := b.Match(h.accept, h.param); !all[m] {
			t.Errorf("Match(%q, %q) = %s pinned %v, which Languages and Unpinned do not list", h.accept, h.param, m.Tag(), m.Pinned())
		}
	}
	if l := b.Languages()[0].Unpinned(); l.Pinned() || WithLang("/?lang=x", l) != "/" {
		t.Error("Unpinned Lang is still pinned")
	}
	want := []string{"de Deutsch", "en English", "es Español", "fr Français", "pt-BR Português (Brasil)"}
	if !slices.Equal(got, want) {
		t.Errorf("Languages() = %q, want %q", got, want)
	}
}

func TestDir(t *testing.T) {
	files := fstest.MapFS{}
	for tag, name := range map[string]string{"en": "English", "ar": "العربية", "he": "עברית", "fa": "فارسی", "sr-Latn": "Srpski"} {
		files["c/site/"+tag+".json"] = &fstest.MapFile{Data: []byte(`{"name":"` + name + `","messages":{"Share a picture":"x"}}`)}
	}
	b, err := newBundle(files, "c")
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]string{"en": "ltr", "ar": "rtl", "he": "rtl", "fa": "rtl", "sr-Latn": "ltr"} {
		if got := lookup(t, b, tag).Dir(); got != want {
			t.Errorf("%s: Dir() = %s, want %s", tag, got, want)
		}
	}
}

func TestT(t *testing.T) {
	b := newBundleT(t)
	tests := []struct {
		tag, key, want string
	}{
		{"en", "Share a picture", "Share a picture"},
		{"de", "Share a picture", "Bild teilen"},
		{"es", "Share a picture", "Compartir una imagen"},
		{"fr", "Share a picture", "Partager une image"},
		{"pt-BR", "Share a picture", "Compartilhar uma imagem"},
		{"pt-BR", "This upload was removed.", "Esta publicação foi removida."},
		{"fr", "a key no catalog has", "a key no catalog has"},
	}
	for _, tt := range tests {
		t.Run(tt.tag+" "+tt.key, func(t *testing.T) {
			if got := lookup(t, b, tt.tag).T(tt.key); got != tt.want {
				t.Errorf("T(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
	if !b.Has("Share a picture") || b.Has("a key no catalog has") {
		t.Error("Has does not answer from the English catalog")
	}
}

// TestFallback checks that a key missing from a catalog is printed from
// English, plural forms and all, and that arguments keep their places.
func TestFallback(t *testing.T) {
	files := fstest.MapFS{
		"c/site/en.json": {Data: []byte(`{"name":"English","messages":{
			"%s by %s": "%s by %s",
			"%d comments": {"=0": "no comments yet", "one": "%d comment", "other": "%d comments"}}}`)},
		"c/site/de.json": {Data: []byte(`{"name":"Deutsch","messages":{"%s by %s": "%[2]s: %[1]s"}}`)},
	}
	b, err := newBundle(files, "c")
	if err != nil {
		t.Fatal(err)
	}
	de := lookup(t, b, "de")
	if got, want := de.T("%s by %s", "Bild", "Anna"), "Anna: Bild"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	if got, want := de.N("%d comments", 1), "1 comment"; got != want {
		t.Errorf("N(1) falling back = %q, want %q", got, want)
	}
	if got, want := de.N("%d comments", 0), "no comments yet"; got != want {
		t.Errorf("N(0) falling back = %q, want the exact form %q", got, want)
	}
	if got, want := de.N("%d comments", 1000), "1,000 comments"; got != want {
		t.Errorf("N(1000) falling back = %q, want %q (English, number and all)", got, want)
	}
}

func TestN(t *testing.T) {
	b := newBundleT(t)
	tests := []struct {
		tag  string
		n    int
		want string
	}{
		{"en", 0, "0 comments"},
		{"en", 1, "1 comment"},
		{"en", 2, "2 comments"},
		{"en", 1000, "1,000 comments"},
		{"de", 0, "0 Kommentare"},
		{"de", 1, "1 Kommentar"},
		{"de", 21, "21 Kommentare"},
		{"de", 1000, "1.000 Kommentare"},
		{"es", 0, "0 comentarios"},
		{"es", 1, "1 comentario"},
		{"es", 5, "5 comentarios"},
		{"fr", 0, "0 commentaire"}, // French counts 0 as singular
		{"fr", 1, "1 commentaire"},
		{"fr", 2, "2 commentaires"},
		{"fr", 1000, "1\u00a0000 commentaires"},
		{"pt-BR", 0, "0 comentário"}, // so does Brazilian Portuguese, by CLDR
		{"pt-BR", 1, "1 comentário"},
		{"pt-BR", 2, "2 comentários"},
		{"pt-BR", 1000, "1.000 comentários"},
	}
	for _, tt := range tests {
		if got := lookup(t, b, tt.tag).N("%d comments", tt.n); got != tt.want {
			t.Errorf("%s: N(%d) = %q, want %q", tt.tag, tt.n, got, tt.want)
		}
	}
	if got, want := lookup(t, b, "pt-BR").N("%d items", 3), "3 itens"; got != want {
		t.Errorf("pt-BR: N(3 items) = %q, want %q", got, want)
	}
}

func TestRelative(t *testing.T) {
	b := newBundleT(t)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	type forms struct{ ago, in, approx string }
	tests := []struct {
		d    time.Duration
		want map[string]forms
	}{
		{30 * time.Second, map[string]forms{
			"en":    {"less than a minute ago", "in less than a minute", "less than a minute"},
			"de":    {"vor weniger als einer Minute", "in weniger als einer Minute", "weniger als eine Minute"},
			"es":    {"hace menos de un minuto", "en menos de un minuto", "menos de un minuto"},
			"fr":    {"il y a moins d’une minute", "dans moins d’une minute", "moins d’une minute"},
			"pt-BR": {"há menos de um minuto", "em menos de um minuto", "menos de um minuto"},
		}},
		{time.Minute + 59*time.Second, map[string]forms{
			"en":    {"1 minute ago", "in 1 minute", "1 minute"},
			"de":    {"vor 1 Minute", "in 1 Minute", "1 Minute"},
			"es":    {"hace 1 minuto", "en 1 minuto", "1 minuto"},
			"fr":    {"il y a 1 minute", "dans 1 minute", "1 minute"},
			"pt-BR": {"há 1 minuto", "em 1 minuto", "1 minuto"},
		}},
		{3 * time.Minute, map[string]forms{
			"en":    {"3 minutes ago", "in 3 minutes", "3 minutes"},
			"de":    {"vor 3 Minuten", "in 3 Minuten", "3 Minuten"},
			"es":    {"hace 3 minutos", "en 3 minutos", "3 minutos"},
			"fr":    {"il y a 3 minutes", "dans 3 minutes", "3 minutes"},
			"pt-BR": {"há 3 minutos", "em 3 minutos", "3 minutos"},
		}},
		{time.Hour, map[string]forms{
			"en":    {"1 hour ago", "in 1 hour", "1 hour"},
			"de":    {"vor 1 Stunde", "in 1 Stunde", "1 Stunde"},
			"es":    {"hace 1 hora", "en 1 hora", "1 hora"},
			"fr":    {"il y a 1 heure", "dans 1 heure", "1 heure"},
			"pt-BR": {"há 1 hora", "em 1 hora", "1 hora"},
		}},
		{47*time.Hour + 59*time.Minute, map[string]forms{
			"en":    {"47 hours ago", "in 47 hours", "47 hours"},
			"de":    {"vor 47 Stunden", "in 47 Stunden", "47 Stunden"},
			"es":    {"hace 47 horas", "en 47 horas", "47 horas"},
			"fr":    {"il y a 47 heures", "dans 47 heures", "47 heures"},
			"pt-BR": {"há 47 horas", "em 47 horas", "47 horas"},
		}},
		{48 * time.Hour, map[string]forms{
			"en":    {"2 days ago", "in 2 days", "2 days"},
			"de":    {"vor 2 Tagen", "in 2 Tagen", "2 Tage"},
			"es":    {"hace 2 días", "en 2 días", "2 días"},
			"fr":    {"il y a 2 jours", "dans 2 jours", "2 jours"},
			"pt-BR": {"há 2 dias", "em 2 dias", "2 dias"},
		}},
		{1500 * 24 * time.Hour, map[string]forms{
			"en":    {"1,500 days ago", "in 1,500 days", "1,500 days"},
			"de":    {"vor 1.500 Tagen", "in 1.500 Tagen", "1.500 Tage"},
			"fr":    {"il y a 1\u00a0500 jours", "dans 1\u00a0500 jours", "1\u00a0500 jours"},
			"pt-BR": {"há 1.500 dias", "em 1.500 dias", "1.500 dias"},
		}},
	}
	for _, tt := range tests {
		for tag, want := range tt.want {
			l := lookup(t, b, tag)
			got := forms{l.Ago(now.Add(-tt.d), now), l.In(tt.d), l.Approx(tt.d)}
			if got != want {
				t.Errorf("%s, %v: got %q, want %q", tag, tt.d, got, want)
			}
		}
	}
	// A time in the future (clock skew) and a negative span read as "now".
	en := lookup(t, b, "en")
	if got := en.Ago(now.Add(time.Hour), now); got != "less than a minute ago" {
		t.Errorf("Ago(future) = %q", got)
	}
	if got := en.In(-time.Hour); got != "in less than a minute" {
		t.Errorf("In(-1h) = %q", got)
	}
}

func TestLangConcurrent(t *testing.T) {
	b := newBundleT(t)
	var wg sync.WaitGroup
	for _, l := range b.Languages() {
		for range 4 {
			wg.Go(func() {
				for n := range 200 {
					want := l.N("%d comments", n)
					if got := l.N("%d comments", n); got != want {
						t.Errorf("%s: %q then %q", l.Tag(), want, got)
					}
				}
			})
		}
	}
	wg.Wait()
}

func TestKeysAndMessages(t *testing.T) {
	b := newBundleT(t)
	site := b.Keys("site")
	if len(site) == 0 || !slices.IsSorted(site) || !slices.Contains(site, "Share a picture") {
		t.Fatalf("Keys(site) = %q", site)
	}
	if b.Keys("no-such-area") != nil {
		t.Error("an area that is not has keys")
	}
	fr, _ := b.Lookup("fr")
	m := fr.Messages([]string{"Share a picture", "%d minutes ago", "no such key"})
	if m["Share a picture"] != "Partager une image" {
		t.Errorf("a plain message: %v", m["Share a picture"])
	}
	if forms, ok := m["%d minutes ago"].(map[string]string); !ok || forms["one"] == "" || forms["other"] == "" {
		t.Errorf("a plural message: %#v", m["%d minutes ago"])
	}
	if _, ok := m["no such key"]; ok {
		t.Error("a key no catalog has is given")
	}
}
