package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/posting"
)

// english returns English as negotiated (not pinned), the pages' default.
func english(t *testing.T) i18n.Lang {
	t.Helper()
	return lookup(t, i18n.English).Unpinned()
}

// lookup returns the pinned language tag.
func lookup(t *testing.T, tag string) i18n.Lang {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := b.Lookup(tag)
	if !ok {
		t.Fatalf("no language %s", tag)
	}
	return l
}

// inLanguage asks for path in a language: pinned with ?lang= when
// pinned, else negotiated from Accept-Language.
func inLanguage(f fixture, path, tag string, pinned bool) *httptest.ResponseRecorder {
	if pinned {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return f.get(path+sep+"lang="+tag, nil)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Language", tag+";q=0.9, en;q=0.1")
	return f.serve(req)
}

// TestPagesInLanguages renders the home, channel and post pages through
// the real router in French (pinned with ?lang=, so their links keep it)
// and German (from Accept-Language, so their links stay clean), and
// checks that they speak it, in their own text and in the text made in
// Go (rules, alt texts, titles, limits).
func TestPagesInLanguages(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "photography")
	for _, tt := range []struct {
		name, path, tag string
		pinned          bool
		want, notWant   []string
	}{
		{"home, French", "/", "fr", true,
			[]string{`<html lang="fr"`, "Parcourir les chaînes", "Partager une image", `href="/c/photography?lang=fr"`, `action="/upload?lang=fr"`,
				`action="/link?lang=fr"`, "Garde ses 100 publications les plus récentes", "1 publication", "dernière publication",
				"Images (JPEG, ", " jusqu’à 1 Mo", "Vous partagez depuis ShareX ?", "après 10 minutes", "Mot de passe (facultatif)"},
			[]string{"Browse channels", "Keeps the newest", "Share a picture", "up to", `href="/c/photography"`}},
		{"home, German", "/", "de", false,
			[]string{`<html lang="de"`, "Kanäle ansehen", `href="/c/photography"`, `action="/upload"`, "Behält die neuesten 100 Beiträge",
				"Beiträge verschwinden nach 1 Stunde", "Bilder (JPEG, ", "noch keine"},
			[]string{"Browse channels", "lang=de", "Keeps the newest"}},
		{"channel, French", "/c/photography", "fr", true,
			[]string{`<html lang="fr"`, "Cette chaîne garde ses 100 publications les plus récentes", `href="/c/photography?sort=top&amp;lang=fr"`,
				`href="/p/` + id + `?lang=fr"`, `action="/c/photography?lang=fr"`, `alt="Image dans Photography, publiée il y a moins d’une minute"`,
				"Plus récentes", "Les mieux notées", "Suivez-la dans un lecteur de flux", `href="/c/photography/feed.atom?lang=fr"`},
			[]string{"This channel", "Top voted", "Picture in"}},
		{"channel, German", "/c/flash", "de", false,
			[]string{`<html lang="de"`, "Dieser Kanal behält die neuesten 100 Beiträge; Beiträge verschwinden nach 1 Stunde; beim aktuellen Tempo bleibt dein Beitrag etwa 1 Stunde.",
				`href="/c/flash?sort=top"`, "Hier ist noch nichts."},
			[]string{"This channel", "lang=de", "Nothing here yet"}},
		{"post, French", "/p/" + id, "fr", true,
			[]string{`<html lang="fr"`, "Signaler cette publication", "Supprimer cette publication", `action="/p/` + id + `/comments?lang=fr"`,
				`action="/p/` + id + `/votes?lang=fr"`, `href="/c/photography?lang=fr"`, "0 commentaire", "Publiée",
				`content="Publiée dans Photography sur chatpic, qui garde ses 100 publications les plus récentes."`,
				`alt="Image dans Photography, publiée il y a moins d’une minute"`, "jusqu’à ce que 100 publications plus récentes la chassent",
				"<title>Publication dans Photography · chatpic</title>"},
			[]string{"Report this upload", "Comments", "Upload in", "Posted in"}},
		{"post, German", "/p/" + id, "de", false,
			[]string{`<html lang="de"`, "Diesen Beitrag melden", `action="/p/` + id + `/comments"`, "0 Kommentare", "Gepostet",
				"bis 100 neuere Beiträge ihn verdrängen", "Beitrag in Photography"},
			[]string{"Report this upload", "lang=de"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := inLanguage(f, tt.path, tt.tag, tt.pinned)
			wantPage(t, rec, http.StatusOK, tt.want...)
			if got := rec.Header().Get("Content-Language"); got != tt.tag {
				t.Errorf("Content-Language %q, want %q", got, tt.tag)
			}
			shown := rec.Body.String()
			for _, w := range tt.notWant {
				if strings.Contains(shown, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

// TestPostFormsKeepLanguage checks that the post page's forms answer in
// the language they were in: a comment's redirect keeps ?lang=.
func TestPostFormsKeepLanguage(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "photography")
	rec := f.post("/p/"+id+"/comments?lang=fr", url.Values{"body": {"joli"}}, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("comment: %d %.300s", rec.Code, rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "/p/"+id+"?lang=fr#c-1" {
		t.Errorf("comment goes back to %q, want the post in French", loc)
	}
	if loc := f.post("/p/"+id+"/votes", url.Values{"value": {"1"}}, nil).Header().Get("Location"); loc != "/p/"+id+"#votes" {
		t.Errorf("vote goes back to %q, want the post without lang=", loc)
	}
}

// TestFeedInLanguage checks that a feed asked for in French speaks it.
func TestFeedInLanguage(t *testing.T) {
	f := newFixture(t, nil)
	f.uploaded(t, "photography")
	rec := f.get("/c/photography/feed.atom?lang=fr", nil)
	wantPage(t, rec, http.StatusOK, "<title>Une image</title>", "<name>anonyme</name>")
	if en := f.get("/c/photography/feed.atom", nil); !strings.Contains(en.Body.String(), "<title>A picture</title>") {
		t.Errorf("the English feed changed: %.500s", en.Body)
	}
}

// TestPagesText checks the Go-made sentences of the pages in several
// languages, with the counts and units each needs.
func TestPagesText(t *testing.T) {
	fr, de, en := lookup(t, "fr"), lookup(t, "de"), english(t)
	flash := chatpic.Channel{Capacity: 1, TTL: 90 * time.Minute}
	limits := posting.Limits{PictureBytes: 1_500_000, VideoBytes: 100e6, VideoDuration: 2 * time.Minute}
	album := chatpic.Post{CreatedAt: t0, Item: chatpic.Item{Kind: chatpic.Image}, More: []chatpic.Item{{Kind: chatpic.Image}, {Kind: chatpic.Image}}}
	for _, tt := range []struct{ got, want string }{
		{ruleText(en, flash), "keeps the newest 1; uploads vanish after 90 minutes"},
		{ruleText(de, flash), "behält den neuesten Beitrag; Beiträge verschwinden nach 90 Minuten"},
		{ruleText(fr, chatpic.Channel{Capacity: 1000, TTL: 48 * time.Hour}), "garde ses 1\u00a0000 publications les plus récentes ; les publications disparaissent après 2 jours"},
		{forecastText(fr, 3*time.Hour), "au rythme actuel, votre publication reste environ 3 heures"},
		{sizeText(fr, 1_500_000), "1,5 Mo"},
		{sizeText(de, 1), "1 Byte"},
		{limitsText(de, limits), "Bilder (JPEG, "},
		{limitsText(de, limits), "bis 1,5 MB; Videos ("},
		{limitsText(de, limits), "bis 100 MB und 2 Minuten"},
		{albumText(fr, album), "un album de 3 images"},
		{postAlt(de, album, "Memes", t0), "Ein Album mit 3 Bildern in Memes, gepostet vor weniger als einer Minute"},
		{fileAlt(fr, album, album.Item, 2, "Memes", t0.Add(3*time.Hour)), "Image 2 sur 3 dans Memes, publiée il y a 3 heures"},
	} {
		if !strings.Contains(tt.got, tt.want) {
			t.Errorf("%q, want %q in it", tt.got, tt.want)
		}
	}
}

// TestRendersInManyLanguagesAtOnce renders one page in several languages
// at once: each answer must be wholly in its own language, though the
// copies of a page are shared by every language.
func TestRendersInManyLanguagesAtOnce(t *testing.T) {
	f := newFixture(t, nil)
	want := map[string]string{"fr": "Partager une image", "de": "Bild teilen", "es": "Compartir una imagen", "en": "Share a picture"}
	var wg sync.WaitGroup
	for i := range 40 {
		tag := []string{"fr", "de", "es", "en"}[i%4]
		wg.Go(func() {
			rec := f.get("/report?lang="+tag, nil)
			body := rec.Body.String()
			if !strings.Contains(body, `<html lang="`+tag+`"`) || !strings.Contains(body, want[tag]) {
				t.Errorf("?lang=%s answered another language", tag)
			}
			for other, w := range want {
				if other != tag && strings.Contains(body, ">"+w+"<") {
					t.Errorf("?lang=%s has %s words: %q", tag, other, w)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkRender renders the report page (no store work) in English and
// in French: the cost of binding a language's words to a page's copy at
// each render shows as the difference from the bare template's.
func BenchmarkRender(b *testing.B) {
	f := newFixture(b, nil)
	for _, tag := range []string{"en", "fr"} {
		l, _ := f.web.text.Lookup(tag)
		b.Run(tag, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := f.web.execute(&buf, "report", l, reportPage{Title: "Report"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The binding alone.
	l, _ := f.web.text.Lookup("fr")
	b.Run("bind", func(b *testing.B) {
		ps := f.web.pages["report"]
		t, err := ps.get()
		if err != nil {
			b.Fatal(err)
		}
		defer ps.put(t)
		for b.Loop() {
			t.Funcs(f.web.langFuncs(l))
		}
	})
}
