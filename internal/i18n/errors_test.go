package i18n

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func TestError(t *testing.T) {
	b := newBundleT(t)
	tooLarge := chatpic.Errorf(chatpic.KindTooLarge, "files are limited to %s", chatpic.FormatSize(20_000_000))
	pdf := chatpic.Errorf(chatpic.KindUnsupported, "this file is not an image chatpic accepts (JPEG, PNG, GIF or WebP); it looks like %s", chatpic.Phrase("a PDF document"))

	// An album refused as a whole, as posting makes it: a summary, then
	// each refused file.
	album := chatpic.Errorf(chatpic.KindTooLarge, "%d of %d files were refused, so nothing was posted", 2, 3)
	album.Files = []chatpic.FileRefusal{chatpic.RefuseFile(1, tooLarge), chatpic.RefuseFile(3, pdf)}
	for _, f := range album.Files {
		album.Message += "; " + chatpic.Errorf(album.Kind, "file %d: %s", f.File, f.Message).Message
	}
	one := chatpic.Errorf(chatpic.KindUnsupported, "file %d of %d was refused, so nothing was posted: %s", 2, 4, pdf.Message)
	one.Files = []chatpic.FileRefusal{chatpic.RefuseFile(2, pdf)}
	// As request makes it, when the second file of a form is over the limit.
	cut := chatpic.Errorf(chatpic.KindTooLarge, "file %d was refused, so nothing was posted: %s", 2, tooLarge)
	cut.Files = []chatpic.FileRefusal{chatpic.RefuseFile(2, tooLarge)}

	tests := []struct {
		name      string
		err       error
		de, fr    string
		noEnglish bool // en differs from ErrorMessage on purpose
	}{
		{name: "plain", err: chatpic.Errorf(chatpic.KindInvalid, "the file is empty"),
			de: "die Datei ist leer", fr: "le fichier est vide"},
		{name: "a size", err: tooLarge,
			de: "Dateien dürfen höchstens 20 MB groß sein", fr: "les fichiers sont limités à 20 MB"},
		{name: "numbers", err: chatpic.Errorf(chatpic.KindInvalid, "comments are limited to %d characters (this one has %d)", 2000, 2345),
			de: "Kommentare haben höchstens 2.000 Zeichen (dieser hat 2.345)", fr: "les commentaires sont limités à 2\u00a0000 caractères (celui-ci en a 2\u00a0345)",
			noEnglish: true}, // numbers are written the language's way: 2,000
		{name: "durations", err: chatpic.Errorf(chatpic.KindInvalid, "expires_in is between %s and %s", time.Minute, 30*24*time.Hour),
			de: "expires_in beträgt mindestens 1 Minute und höchstens 30 Tage", fr: "expires_in est compris entre 1 minute et 30 jours"},
		{name: "a phrase", err: pdf,
			de: "diese Datei ist kein Bild, das chatpic annimmt (JPEG, PNG, GIF oder WebP); sie sieht aus wie ein PDF-Dokument",
			fr: "ce fichier n’est pas une image acceptée par chatpic (JPEG, PNG, GIF ou WebP) ; on dirait un document PDF"},
		{name: "an error inside", err: chatpic.Errorf(chatpic.KindInvalid, "line %d: %s", 3, chatpic.Errorf(chatpic.KindInvalid, "a PDQ hash is %d hex digits (0-9, a-f)", 64)),
			de: "Zeile 3: ein PDQ-Hash hat 64 Hexadezimalziffern (0-9, a-f)", fr: "ligne 3 : un hash PDQ compte 64 chiffres hexadécimaux (0-9, a-f)"},
		{name: "a message without a format", err: &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: "this file could not be read"},
			de: "diese Datei konnte nicht gelesen werden", fr: "ce fichier n’a pas pu être lu"},
		{name: "wrapped", err: fmt.Errorf("posting: %w", chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")),
			de: "dieser Beitrag ist abgelaufen", fr: "cette publication a expiré"},
		{name: "plural, one", err: chatpic.RateLimited(time.Second, "you have %d uploads in flight already; wait until one ends", 1),
			de: "du hast schon 1 laufenden Upload; warte, bis er fertig ist", fr: "vous avez déjà 1 envoi en cours ; attendez qu’il se termine", noEnglish: true},
		{name: "plural, other", err: chatpic.RateLimited(time.Second, "you have %d uploads in flight already; wait until one ends", 4),
			de: "du hast schon 4 laufende Uploads; warte, bis einer fertig ist", fr: "vous avez déjà 4 envois en cours ; attendez que l’un d’eux se termine"},
		{name: "album, several files", err: album,
			de: "2 von 3 Dateien wurden abgelehnt, daher wurde nichts gepostet; Datei 1: Dateien dürfen höchstens 20 MB groß sein; " +
				"Datei 3: diese Datei ist kein Bild, das chatpic annimmt (JPEG, PNG, GIF oder WebP); sie sieht aus wie ein PDF-Dokument",
			fr: "2 fichiers sur 3 ont été refusés, donc rien n’a été publié; fichier 1 : les fichiers sont limités à 20 MB; " +
				"fichier 3 : ce fichier n’est pas une image acceptée par chatpic (JPEG, PNG, GIF ou WebP) ; on dirait un document PDF"},
		{name: "album, one file", err: one,
			de: "Datei 2 von 4 wurde abgelehnt, daher wurde nichts gepostet: diese Datei ist kein Bild, das chatpic annimmt (JPEG, PNG, GIF oder WebP); sie sieht aus wie ein PDF-Dokument",
			fr: "le fichier 2 sur 4 a été refusé, donc rien n’a été publié : ce fichier n’est pas une image acceptée par chatpic (JPEG, PNG, GIF ou WebP) ; on dirait un document PDF"},
		{name: "form cut at its second file", err: cut,
			de: "Datei 2 wurde abgelehnt, daher wurde nichts gepostet: Dateien dürfen höchstens 20 MB groß sein",
			fr: "le fichier 2 a été refusé, donc rien n’a été publié : les fichiers sont limités à 20 MB"},
		{name: "a key no catalog has falls back to the English message", err: chatpic.Errorf(chatpic.KindInvalid, "a rule %d no catalog has", 7),
			de: "a rule 7 no catalog has", fr: "a rule 7 no catalog has"},
		{name: "internal error never shows its cause", err: chatpic.Internal(errors.New("open /var/lib/chatpic/x: disk on fire")),
			de: "bei uns ist etwas schiefgelaufen", fr: "un problème est survenu de notre côté"},
		{name: "an error that is no chatpic.Error", err: errors.New("pq: password authentication failed"),
			de: "bei uns ist etwas schiefgelaufen", fr: "un problème est survenu de notre côté"},
		{name: "an internal error with Files still hides its cause", err: &chatpic.Error{Kind: chatpic.KindInternal, Message: "secret", Files: album.Files},
			de: "bei uns ist etwas schiefgelaufen", fr: "un problème est survenu de notre côté"},
	}
	de, fr, en := lookup(t, b, "de"), lookup(t, b, "fr"), lookup(t, b, "en")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := de.Error(tt.err); got != tt.de {
				t.Errorf("de:\n got %q\nwant %q", got, tt.de)
			}
			if got := fr.Error(tt.err); got != tt.fr {
				t.Errorf("fr:\n got %q\nwant %q", got, tt.fr)
			}
			// English reads as ErrorMessage: the catalog's English and
			// the code's agree.
			if got, want := en.Error(tt.err), chatpic.ErrorMessage(tt.err); got != want && !tt.noEnglish {
				t.Errorf("en:\n got %q\nwant %q (ErrorMessage)", got, want)
			}
		})
	}
	if got, want := en.Error(tests[8].err), "you have 1 upload in flight already; wait until it ends"; got != want {
		t.Errorf("en plural one: got %q, want %q", got, want)
	}
}

func TestRefusal(t *testing.T) {
	b := newBundleT(t)
	f := chatpic.RefuseFile(2, chatpic.Errorf(chatpic.KindTooLarge, "videos are limited to %s", "100 MB"))
	for tag, want := range map[string]string{
		"en":    "videos are limited to 100 MB",
		"es":    "los vídeos tienen un límite de 100 MB",
		"pt-BR": "os vídeos têm limite de 100 MB",
	} {
		if got := lookup(t, b, tag).Refusal(f); got != want {
			t.Errorf("%s: Refusal = %q, want %q", tag, got, want)
		}
	}
	unknown := chatpic.FileRefusal{File: 1, Kind: chatpic.KindInvalid, Message: "an unknown refusal", Key: "an unknown refusal"}
	if got := lookup(t, b, "es").Refusal(unknown); got != "an unknown refusal" {
		t.Errorf("Refusal of an unknown key = %q", got)
	}
}
