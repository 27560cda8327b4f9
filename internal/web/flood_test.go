package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func TestPreModeratedUpload(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.upload(t, "vetted")
	wantPage(t, rec, http.StatusAccepted, "waiting for review", "will work once it is approved", "delete token")
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	if !strings.Contains(rec.Body.String(), "/p/"+id) {
		t.Error("the page does not give the upload's link")
	}
	wantPage(t, f.get("/c/vetted", nil), http.StatusOK, "shown once a moderator has approved them")
	wantPage(t, f.get("/p/"+id, nil), http.StatusNotFound, "waiting for review by the moderators")

	mod := f.login(t, modName, modPassword)
	wantPage(t, f.get("/mod", mod), http.StatusOK, "Waiting for approval", ">Approve</button>")
	if rec := f.post("/mod/posts/"+id+"/restore", nil, mod); rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	wantPage(t, f.get("/p/"+id, nil), http.StatusOK)
}

func TestChallengeForms(t *testing.T) {
	f := newFixture(t, nil)
	t.Run("a busy channel's forms carry the puzzle", func(t *testing.T) {
		page := f.get("/c/busy", nil)
		wantPage(t, page, http.StatusOK, `data-pow-channel="busy"`, `data-pow-token="`, `data-pow-bits="4"`,
			`name="pow"`, `src="`+f.web.staticURL["pow.js"]+`"`)
	})
	t.Run("the home page's link-only form can carry one", func(t *testing.T) {
		wantPage(t, f.get("/", nil), http.StatusOK, `data-pow-channel="-"`)
	})
	t.Run("a calm channel's do not", func(t *testing.T) {
		page := f.get("/c/random", nil).Body.String()
		if strings.Contains(page, "data-pow-token") || strings.Contains(page, "pow.js") {
			t.Error("a channel that needs no proof-of-work asks for one")
		}
	})
	t.Run("without a solution the server explains", func(t *testing.T) {
		wantPage(t, f.upload(t, "busy"), http.StatusPreconditionRequired, "not a flood bot", "JavaScript")
	})
}

func TestLockedChannel(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "gaming")
	admin := f.login(t, adminName, adminPassword)
	rec := f.post("/mod/channels/gaming/lock", url.Values{"reason": {"raid"}, "back": {"/mod/channels"}}, admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod/channels?done=locked" {
		t.Fatalf("lock: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	wantPage(t, f.get("/mod/channels?done=locked", admin), http.StatusOK, "The channel is read-only now.", "Open it again")
	wantPage(t, f.get("/c/gaming", nil), http.StatusOK, "read-only for now")
	wantPage(t, f.get("/p/"+id, nil), http.StatusOK, "no new comments")

	rec = f.post("/mod/channels/gaming", url.Values{"capacity": {"50"}, "ttl": {"2h"}, "report_threshold": {"2"},
		"premod": {"all"}, "challenge": {"off"}, "back": {"/mod/channels"}}, admin)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body)
	}
	wantPage(t, f.get("/mod/channels", admin), http.StatusOK, "keeps the newest 50; uploads vanish after 2 hours",
		"pre-moderation: all", "challenge: off", "hidden after 2 reports", `name="ttl" value="2h"`)
	wantPage(t, f.post("/mod/channels/gaming", url.Values{"ttl": {"soon"}}, admin), http.StatusBadRequest, "a duration such as 1h")
}

func TestFailSaysWhenToRetry(t *testing.T) {
	w := newPages(t)
	tests := []struct {
		wait      time.Duration
		header    string
		wantWords string
	}{
		{90 * time.Second, "90", "You can try again in 2 minutes."},
		{30 * time.Second, "30", "You can try again in 30 seconds."},
		{time.Second, "1", "You can try again in 1 second."},
		{2*time.Hour + time.Second, "7201", "You can try again in 3 hours."},
		{0, "60", "You can try again in 60 seconds."},
	}
	for _, tt := range tests {
		t.Run(tt.wantWords, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w.fail(rec, httptest.NewRequest("POST", "/c/random", nil), chatpic.RateLimited(tt.wait, "too many uploads"))
			wantPage(t, rec, http.StatusTooManyRequests, tt.wantWords, "Too many uploads.")
			if got := rec.Header().Get("Retry-After"); got != tt.header {
				t.Errorf("Retry-After %q, want %q", got, tt.header)
			}
		})
	}
}
