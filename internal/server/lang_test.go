package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestAPIErrorsSpeakTheLanguageAsked checks that the JSON API's refusals
// are in the language a request names (?lang=, else Accept-Language), the
// refusal of each file of an album too, and in English exactly as before
// for a request that names none.
func TestAPIErrorsSpeakTheLanguageAsked(t *testing.T) {
	ts := newTestSite(t, nil)
	for _, tt := range []struct {
		name, query, header string
		message, file       string
		language            string
	}{
		{"no language named", "", "", "2 of 3 files were refused, so nothing was posted", "", ""},
		{"Accept-Language", "", "de-DE,de;q=0.9,en;q=0.5", "2 von 3 Dateien", "", "de"},
		{"?lang= wins", "?lang=fr", "de", "2 fichiers sur 3", "", "fr"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := albumReq(t, "/api/v1/channels/random/posts"+tt.query, mediatest.PNG(8, 8), []byte("words"), []byte("more words"))
			if tt.header != "" {
				req.Header.Set("Accept-Language", tt.header)
			}
			rec := serve(ts.handler, req)
			wantCode(t, rec, http.StatusUnsupportedMediaType, "an album with two files that are not pictures")
			var got struct {
				Error struct {
					Message string `json:"message"`
					Files   []struct {
						Message string `json:"message"`
					} `json:"files"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.Error.Message, tt.message) || len(got.Error.Files) != 2 {
				t.Errorf("message %q with %d files, want it to say %q", got.Error.Message, len(got.Error.Files), tt.message)
			}
			if rec.Header().Get("Content-Language") != tt.language {
				t.Errorf("Content-Language %q, want %q", rec.Header().Get("Content-Language"), tt.language)
			}
			if tt.language != "" && len(got.Error.Files) > 0 && got.Error.Files[0].Message == "this file is not something chatpic accepts: pictures (JPEG, PNG, GIF, WebP, HEIC, AVIF) and videos (MP4, WebM, MOV)" {
				t.Errorf("the file's refusal is still in English: %q", got.Error.Files[0].Message)
			}
		})
	}
	rec := serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/AAAAAAAAAAAAAAAAAAAA?lang=es", nil))
	if !strings.Contains(rec.Body.String(), "no existe") && !strings.Contains(rec.Body.String(), "no hay") {
		t.Errorf("a 404 in Spanish says %s", rec.Body)
	}
}
