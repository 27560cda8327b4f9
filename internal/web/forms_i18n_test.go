package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/mediatest"
)

// sendIn sends a request to the fixture's router in a language: acceptLang
// as its Accept-Language header (none if ""), form, if not nil, as a
// URL-encoded body.
func (f fixture) sendIn(method, path, acceptLang string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	return f.serve(req)
}

// uploadRequest is the upload form of path with a small picture, as
// uploadForm sends it.
func uploadRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.png")
	fw.Write(mediatest.PNG(24, 16))
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// wantNot fails if the page says any of nots.
func wantNot(t *testing.T, rec *httptest.ResponseRecorder, nots ...string) {
	t.Helper()
	for _, s := range nots {
		if strings.Contains(rec.Body.String(), s) {
			t.Errorf("page has %q: %.2000s", s, rec.Body)
		}
	}
}

var deleteToken = regexp.MustCompile(`data-token="([^"]+)"`)

// TestFormsSpeakTheLanguage follows a report through the forms in French,
// chosen with ?lang= (the links and forms keep it), and in German, chosen
// by the browser (the links stay clean).
func TestFormsSpeakTheLanguage(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")

	t.Run("the report form, pinned to French", func(t *testing.T) {
		rec := f.get("/report?lang=fr&link=/p/"+id, nil)
		wantPage(t, rec, http.StatusOK, `<html lang="fr" dir="ltr">`, "<h1>Signaler une image</h1>",
			`<form method="post" action="/report?lang=fr">`, `<form method="get" action="/report/status?lang=fr">`,
			`<input type="hidden" name="lang" value="fr">`, "C’est illégal", "<legend>Quel est le problème ?</legend>",
			"Jusqu’à 1", "000 caractères", `href="/transparency?lang=fr"`)
		wantNot(t, rec, "What is wrong?", "Send the request")
		if got := rec.Header().Get("Content-Language"); got != "fr" {
			t.Errorf("Content-Language %q, want fr", got)
		}
	})

	t.Run("the report form, in the browser's German", func(t *testing.T) {
		rec := f.sendIn("GET", "/report", "de-CH, en;q=0.5", nil)
		wantPage(t, rec, http.StatusOK, `<html lang="de" dir="ltr">`, "<h1>Ein Bild melden</h1>",
			`<form method="post" action="/report">`, `<form method="get" action="/report/status">`, "Es ist illegal", "Belegcode")
		wantNot(t, rec, "lang=de", `name="lang"`, "Report an image")
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
			t.Errorf("Vary %q lacks Accept-Language", rec.Header().Get("Vary"))
		}
	})

	t.Run("a refused report says why in German", func(t *testing.T) {
		rec := f.sendIn("POST", "/report", "de", url.Values{"link": {"hallo"}, "reason": {"spam"}})
		wantPage(t, rec, http.StatusBadRequest, "Füge den Link zum Beitrag ein", `value="hallo"`, `value="spam" required checked`)
	})

	var code string
	t.Run("a report filed in French", func(t *testing.T) {
		rec := f.post("/report?lang=fr", url.Values{"link": {"/p/" + id}, "reason": {"spam"}}, nil)
		wantPage(t, rec, http.StatusAccepted, "<h1>Signalement reçu</h1>", "Votre code de reçu :", "Copier le code",
			`<a href="/?lang=fr">Retour aux chaînes</a>`)
		if code = receiptCode.FindString(rec.Body.String()); code == "" {
			t.Fatalf("no receipt code: %s", rec.Body)
		}
		wantPage(t, rec, http.StatusAccepted, `href="/report/status/`+code+`?lang=fr"`)
	})

	t.Run("the receipt, in German", func(t *testing.T) {
		rec := f.sendIn("GET", "/report/status/"+code, "de", nil)
		wantPage(t, rec, http.StatusOK, "<h1>Deine Meldung</h1>", "23. November 2026, 12:00 UTC", "<dt>Grund</dt><dd>Spam</dd>",
			`<a href="/report">Etwas anderes melden</a>`)
	})

	t.Run("the look-up keeps the chosen language", func(t *testing.T) {
		rec := f.get("/report/status?code=abcd&lang=fr", nil)
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/report/status/ABCD?lang=fr" {
			t.Errorf("got %d to %q", rec.Code, loc)
		}
		rec = f.sendIn("GET", "/report/status?code=abcd", "fr", nil)
		if loc := rec.Header().Get("Location"); loc != "/report/status/ABCD" {
			t.Errorf("a negotiated language went to %q", loc)
		}
	})

	t.Run("an unknown code, in French", func(t *testing.T) {
		rec := f.get("/report/status/ZZZZ?lang=fr", nil)
		wantPage(t, rec, http.StatusNotFound, "<h1>Introuvable</h1>", "Il n’y a aucun signalement avec ce code de reçu.",
			`href="/report?lang=fr">Consulter un autre code</a>`)
	})

	t.Run("the transparency report, in French", func(t *testing.T) {
		rec := f.get("/transparency?lang=fr", nil)
		wantPage(t, rec, http.StatusOK, "<h1>Rapport de transparence</h1>", "<h2>Novembre 2026</h2>",
			"<caption>Signalements et retraits en novembre 2026, par motif</caption>",
			`<th scope="row">Spam</th><td>1</td>`, `<th scope="row">Image intime partagée sans consentement</th>`,
			`href="/report?lang=fr"`)
	})
}

// TestAnswersSpeakTheLanguage checks the pages that answer a form, and the
// error pages, in German and French.
func TestAnswersSpeakTheLanguage(t *testing.T) {
	f := newFixture(t, nil)

	t.Run("a rate limit, in German", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/c/random", nil)
		req.Header.Set("Accept-Language", "de")
		rec := httptest.NewRecorder()
		f.web.fail(rec, req, chatpic.RateLimited(90*time.Second, "too many uploads"))
		wantPage(t, rec, http.StatusTooManyRequests, `<html lang="de"`, "<h1>Bitte etwas langsamer</h1>",
			"Du kannst es in 2 Minuten noch einmal versuchen.", `<a class="button-link secondary" href="/">Zurück zu den Kanälen</a>`)
	})

	t.Run("an unknown address, in French", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/nowhere?lang=fr", nil)
		rec := httptest.NewRecorder()
		f.web.NotFound(rec, req)
		wantPage(t, rec, http.StatusNotFound, `<html lang="fr"`, "<h1>Introuvable</h1>", `href="/?lang=fr">Retour aux chaînes</a>`)
		wantNot(t, rec, "There is nothing at this address")
	})

	t.Run("an album refused file by file, in French", func(t *testing.T) {
		rec := f.albumForm(t, "/c/random?lang=fr", [][]byte{[]byte("no"), mediatest.PNG(8, 8), []byte("nor this")}, nil)
		wantPage(t, rec, http.StatusUnsupportedMediaType, "<h1>Rien n’a été publié</h1>",
			"2 des fichiers ont été refusés, donc aucun n’a été publié :", "<li>Fichier 1 : Ce fichier", "<li>Fichier 3 : Ce fichier")
	})

	var token, id string
	t.Run("an upload waiting for review, in German", func(t *testing.T) {
		req := uploadRequest(t, "/c/vetted")
		req.Header.Set("Accept-Language", "de")
		rec := f.serve(req)
		wantPage(t, rec, http.StatusAccepted, "<h1>Hochgeladen: wartet auf Prüfung</h1>", "Die Moderatoren von",
			`<a href="/c/vetted">Vetted</a>`, "Noch kann niemand deinen sehen.", "Token kopieren", `<a href="/c/vetted">Zurück zu Vetted</a>`)
	})

	t.Run("the delete link's page, in French", func(t *testing.T) {
		rec := f.upload(t, "random")
		id = strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
		m := deleteToken.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("no delete token: %.300s", rec.Body)
		}
		token = m[1]
		rec = f.get("/d/"+id+"/"+token+"?lang=fr", nil)
		wantPage(t, rec, http.StatusOK, "<h1>Supprimer cette publication ?</h1>", `alt="Image dans random, publiée il y a moins d’une minute"`,
			`action="/d/`+id+`/`+token+`?lang=fr"`, `href="/p/`+id+`?lang=fr">La garder</a>`)
	})

	t.Run("a deleted upload's file, in German", func(t *testing.T) {
		if rec := f.post("/d/"+id+"/"+token, url.Values{}, nil); rec.Code != http.StatusOK {
			t.Fatalf("delete: %d %.300s", rec.Code, rec.Body)
		}
		rec := f.sendIn("GET", "/m/"+id+".png", "de", nil)
		if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "Dieser Beitrag wurde von der Person gelöscht, die ihn gepostet hat.") {
			t.Errorf("got %d %q", rec.Code, rec.Body)
		}
		rec = f.sendIn("GET", "/m/nothing", "fr", nil)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Ce fichier n’existe pas.") || rec.Header().Get("Content-Language") != "fr" {
			t.Errorf("got %d %q %v", rec.Code, rec.Body, rec.Header())
		}
	})
}

// TestFormsKeysInCatalogs checks the English keys that the forms' code
// keeps in tables and translates where it shows them: every one must be
// in the catalogs.
func TestFormsKeysInCatalogs(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, h := range headings {
		keys = append(keys, h)
	}
	for _, r := range chatpic.ReportReasons {
		keys = append(keys, reasonLabel(r), reasonName(r))
	}
	for _, r := range []chatpic.GoneReason{chatpic.ReasonEvicted, chatpic.ReasonExpired, chatpic.ReasonDeleted,
		chatpic.ReasonRemoved, chatpic.ReasonLost, ""} {
		keys = append(keys, r.Explain())
	}
	keys = append(keys, months[:]...)
	keys = append(keys, "Something went wrong")
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("%q is in no catalog", k)
		}
	}
}
