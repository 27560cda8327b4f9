package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// modGet asks for a moderation page as moderator cookie, with an
// Accept-Language header when acceptLanguage is set.
func (f fixture) modGet(path, acceptLanguage string, cookie *http.Cookie) *httptest.ResponseRecorder {
	req, _ := http.NewRequest("GET", path, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return f.serve(req)
}

// TestModPagesInTheirLanguage walks the moderation pages, with a reported
// upload in the queue and an entry in the audit log, in French chosen by
// ?lang= (pinned: the pages' links and forms keep it) and in German from
// Accept-Language (negotiated: links stay clean).
func TestModPagesInTheirLanguage(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")
	if rec := f.post("/p/"+id+"/report", url.Values{"reason": {"spam"}, "note": {"pub"}}, nil); rec.Code != http.StatusAccepted {
		t.Fatalf("report: %d %.300s", rec.Code, rec.Body)
	}
	admin := f.login(t, adminName, adminPassword)
	if rec := f.post("/mod/channels/random/lock", url.Values{"reason": {"calm"}}, admin); rec.Code != http.StatusSeeOther {
		t.Fatalf("lock: %d %.300s", rec.Code, rec.Body)
	}

	for _, tt := range []struct {
		path  string
		wants map[string][]string // by language: what the page shows
		links []string            // addresses in the page's own content, without ?lang=
	}{
		{"/mod", map[string][]string{
			"fr": {"File d’attente", "1 élément en attente.", "Signalé, toujours affiché", "Spam: <strong>", "1 note des personnes qui ont signalé", "Bannir l’auteur", "Le laisser en ligne", "<title>File de modération · chatpic</title>"},
			"de": {"Warteschlange", "1 Eintrag wartet.", "Gemeldet, noch sichtbar", "1 Notiz der Meldenden", "Die Person sperren, die es gepostet hat", "Sichtbar lassen"},
		}, []string{"/mod/posts/" + id + "/remove", "/mod/posts/" + id + "/restore", "/mod/posts/" + id + "/ban", "/c/random", "/p/" + id}},
		{"/mod/channels", map[string][]string{
			"fr": {"<h1>Chaînes</h1>", "lecture seule", "Le rouvrir", "Modifier ses réglages", "prémodération : désactivée", "défi : pendant un afflux", "masquée après 3 signalements", "Enregistrer"},
			"de": {"<h1>Kanäle</h1>", "schreibgeschützt", "Wieder öffnen", "Einstellungen ändern", "Vorabprüfung: aus", "ausgeblendet ab 3 Meldungen", "Speichern"},
		}, []string{"/mod/channels/random/unlock", "/mod/channels/random", "/c/random"}},
		{"/mod/audit", map[string][]string{
			"fr": {"<h1>Journal d’audit</h1>", "Actions de modération, les plus récentes d’abord", "Pourquoi", "a passé une chaîne en lecture seule", "calm"},
			"de": {"<h1>Audit-Protokoll</h1>", "Moderationsaktionen, neueste zuerst", "Warum", "calm"},
		}, []string{"/c/random"}},
		{"/mod/moderators", map[string][]string{
			"fr": {"<h1>Modérateurs</h1>", "(vous)", "Ajouter un modérateur", "Retirer mo", "Mot de passe"},
			"de": {"<h1>Moderatoren</h1>", "(du)", "Moderator hinzufügen", "mo entfernen", "Passwort"},
		}, []string{"/mod/moderators/mo/remove", "/mod/moderators"}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			fr := f.get(tt.path+"?lang=fr", admin)
			wantPage(t, fr, http.StatusOK, append([]string{`<html lang="fr"`}, tt.wants["fr"]...)...)
			de := f.modGet(tt.path, "de-CH, en;q=0.5", admin)
			wantPage(t, de, http.StatusOK, append([]string{`<html lang="de"`}, tt.wants["de"]...)...)
			for _, link := range tt.links {
				if !strings.Contains(fr.Body.String(), `"`+link+`?lang=fr"`) {
					t.Errorf("the French page has no link to %s?lang=fr", link)
				}
				if !strings.Contains(de.Body.String(), `"`+link+`"`) || strings.Contains(de.Body.String(), link+"?lang=") {
					t.Errorf("the German page's link to %s is not clean", link)
				}
			}
		})
	}
}

// TestModActionsKeepTheLanguage checks that a moderation form's answer,
// the page it goes back to with its notice, the sign-in redirect and the
// sign-in form's refusals keep the language of the form.
func TestModActionsKeepTheLanguage(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.get("/mod?lang=de", nil)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/mod/login?lang=de" {
		t.Errorf("signed out: %d to %q, want 303 to /mod/login?lang=de", rec.Code, loc)
	}
	wantPage(t, f.get("/mod/login?lang=de", nil), http.StatusOK, `<html lang="de"`, "Anmeldung für Moderatoren", `action="/mod/login?lang=de"`, "Passwort")

	rec = f.post("/mod/login?lang=fr", url.Values{"name": {adminName}, "password": {"wrong password"}}, nil)
	wantPage(t, rec, http.StatusUnauthorized, `<html lang="fr"`, "Ce nom et ce mot de passe ne correspondent pas.", "Connexion des modérateurs")
	rec = f.post("/mod/login?lang=fr", url.Values{"name": {adminName}, "password": {adminPassword}}, nil)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/mod?lang=fr" {
		t.Errorf("signed in: %d to %q, want 303 to /mod?lang=fr", rec.Code, loc)
	}

	admin := f.login(t, adminName, adminPassword)
	rec = f.post("/mod/channels/random/lock?lang=de", url.Values{"reason": {"calm"}, "back": {"/mod/channels"}}, admin)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || loc != "/mod/channels?done=locked&lang=de" {
		t.Fatalf("lock: %d to %q, want 303 to /mod/channels?done=locked&lang=de", rec.Code, loc)
	}
	wantPage(t, f.get(loc, admin), http.StatusOK, `<p class="done" role="status">Der Kanal ist jetzt schreibgeschützt.</p>`)
	// Negotiated, the answer stays clean.
	req, _ := http.NewRequest("POST", "/mod/channels/random/unlock", strings.NewReader("back=%2Fmod%2Fchannels"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "pt-PT")
	req.AddCookie(admin)
	if rec := f.serve(req); rec.Header().Get("Location") != "/mod/channels?done=unlocked" {
		t.Errorf("unlock: to %q, want /mod/channels?done=unlocked", rec.Header().Get("Location"))
	}
	wantPage(t, f.modGet("/mod/channels?done=unlocked", "pt-PT", admin), http.StatusOK, `<html lang="pt-BR"`, "O canal está aberto de novo.")

	// A refusal's page offers the way back to the queue in its language.
	wantPage(t, f.get("/mod/audit?before=x&lang=es", admin), http.StatusBadRequest, `<html lang="es"`,
		`href="/mod?lang=es"`, "Volver a la cola")

	// Too many failed sign-ins: the refusal and when to try again.
	for range 12 {
		rec = f.post("/mod/login?lang=de", url.Values{"name": {modName}, "password": {"guess guess guess"}}, nil)
		if rec.Code == http.StatusTooManyRequests {
			break
		}
	}
	// (The refusal itself is moderation's "too many %s …" with an English
	// noun until its guard uses chatpic.Action.TooMany.)
	wantPage(t, rec, http.StatusTooManyRequests, `<html lang="de"`, "Du kannst es in ")
	if strings.Contains(rec.Body.String(), "You can try again") {
		t.Error("the German sign-in says when to try again in English")
	}
}

// TestModWordsInEveryLanguage checks the language-bound words of the
// moderation pages: every audit action, report reason, queue state and
// action outcome has its own words in each language, none left in English.
func TestModWordsInEveryLanguage(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	en, _ := b.Lookup(i18n.English)
	done := []string{"removed", "file_removed", "restored", "banned", "locked", "unlocked", "edited", "added", "deleted"}
	for _, l := range b.Languages() {
		var words []string
		var english []string
		for _, a := range chatpic.AuditActions() {
			words, english = append(words, auditActionText(l, a)), append(english, auditActionText(en, a))
		}
		for _, r := range chatpic.ReportReasons {
			words, english = append(words, reasonText(l, r)), append(english, reasonText(en, r))
		}
		for _, s := range []chatpic.Status{chatpic.StatusHidden, chatpic.StatusPending, chatpic.StatusRemoved, chatpic.StatusVisible} {
			words, english = append(words, stateText(l, s), approveText(l, s)), append(english, stateText(en, s), approveText(en, s))
		}
		for _, d := range done {
			words, english = append(words, doneText(l, d)), append(english, doneText(en, d))
		}
		for i, w := range words {
			if w == "" {
				t.Errorf("%s: word %d (%q in English) is empty", l.Tag(), i, english[i])
			}
			if l.Tag() != i18n.English && w == english[i] && w != "Spam" && w != "Illegal" {
				t.Errorf("%s: %q is left in English", l.Tag(), w)
			}
		}
		for _, a := range chatpic.AuditActions() {
			if en := auditActionText(en, a); en != actionText(a) {
				t.Errorf("%s reads %q in English, the log always said %q", a, en, actionText(a))
			}
		}
	}
	if doneText(en, "unknown") != "" {
		t.Error("an unknown outcome shows words")
	}
}
