package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var receiptCode = regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`)

// TestReportToRemoval follows an upload from a report on its page through
// the queue to its removal with a hash ban, as the reporter, the public
// and the moderators see it.
func TestReportToRemoval(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")
	wantPage(t, f.get("/p/"+id, nil), http.StatusOK, `action="/p/`+id+`/report"`, "This is a private image of me shared without my consent")

	rec := f.post("/p/"+id+"/report", url.Values{"reason": {"ncii"}, "note": {"that is me"}}, nil)
	wantPage(t, rec, http.StatusAccepted, "Report received", "is hidden now", "shown only this once")
	code := receiptCode.FindString(rec.Body.String())
	if code == "" || !strings.Contains(rec.Body.String(), `href="/report/status/`+code+`"`) {
		t.Fatalf("no receipt code and link: %s", rec.Body)
	}
	wantPage(t, f.get("/report/status/"+code, nil), http.StatusOK, "Hidden from everyone while the moderators review it.",
		"Private image shared without consent", "23 November 2026, 12:00 UTC")
	wantPage(t, f.get("/p/"+id, nil), http.StatusNotFound, "hidden while the moderators review")

	mod := f.login(t, modName, modPassword)
	queue := f.get("/mod", mod)
	wantPage(t, queue, http.StatusOK, `src="/mod/preview/`+id+`"`, `class="reveal"`, "Hidden by reports",
		"Private image shared without consent: <strong>1</strong>", "that is me", `name="ban" value="1" checked`,
		`action="/mod/posts/`+id+`/remove"`, `action="/mod/posts/`+id+`/restore"`, `action="/mod/posts/`+id+`/ban"`)
	if queue.Header().Get("Cache-Control") != "no-store" || queue.Header().Get("X-Robots-Tag") != "noindex" {
		t.Errorf("queue headers %v", queue.Header())
	}

	for _, path := range []string{"/mod/preview/" + id, "/mod/preview/" + id + "/full"} {
		rec := f.get(path, mod)
		h := rec.Header()
		if rec.Code != http.StatusOK || h.Get("Cache-Control") != "private, no-store" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.HasPrefix(h.Get("Content-Type"), "image/") {
			t.Errorf("GET %s: %d %v", path, rec.Code, h)
		}
	}

	rec = f.post("/mod/posts/"+id+"/remove", url.Values{"statement": {"Shared without consent"}, "ban": {"1"}, "back": {"/mod"}}, mod)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod?done=removed" {
		t.Fatalf("remove: %d to %q: %.300s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	wantPage(t, f.get("/mod?done=removed", mod), http.StatusOK, "Removed.", "Nothing is waiting")
	wantPage(t, f.get("/p/"+id, nil), http.StatusGone, "The moderators removed this upload. Their reason: Shared without consent.")
	wantPage(t, f.get("/report/status/"+strings.ToLower(code), nil), http.StatusOK, "Removed by the moderators.", "Shared without consent")
	wantPage(t, f.get("/mod/audit", mod), http.StatusOK, "remove post", "ban hashes", "Shared without consent", `href="/p/`+id+`"`)
	wantPage(t, f.get("/transparency", nil), http.StatusOK, "November 2026",
		`<th scope="row">Private image shared without consent</th><td>1</td><td>1</td>`, "under a minute (1 report decided)")

	// The same picture cannot come back.
	if rec := f.upload(t, "random"); rec.Code != http.StatusForbidden {
		t.Errorf("a banned picture was uploaded again: %d", rec.Code)
	}
}

func TestReportComment(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "memes")
	if rec := f.post("/p/"+id+"/comments", url.Values{"body": {"buy pills at spam.example"}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	page := f.get("/p/"+id, nil).Body.String()
	commentID := regexp.MustCompile(`name="comment" value="([A-Za-z0-9_-]{20})"`).FindStringSubmatch(page)
	if commentID == nil {
		t.Fatalf("no report control for the comment: %s", page)
	}
	rec := f.post("/p/"+id+"/report", url.Values{"reason": {"spam"}, "comment": {commentID[1]}}, nil)
	wantPage(t, rec, http.StatusAccepted, "The moderators will look at it.")

	mod := f.login(t, modName, modPassword)
	wantPage(t, f.get("/mod", mod), http.StatusOK, "Comment No. 1", "buy pills at spam.example", "Reported, still shown",
		`action="/mod/comments/`+commentID[1]+`/remove"`)
	rec = f.post("/mod/comments/"+commentID[1]+"/remove", url.Values{"statement": {"spam"}}, mod)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("remove comment: %d %s", rec.Code, rec.Body)
	}
	page = f.get("/p/"+id, nil).Body.String()
	if !strings.Contains(page, "Removed by the moderators.") || strings.Contains(page, "buy pills") {
		t.Errorf("the removed comment shows: %s", page)
	}
}

func TestRemovalRequestForm(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")
	form := f.get("/report", nil)
	wantPage(t, form, http.StatusOK, `name="link"`, `action="/report/status"`, "no e-mail")
	body := form.Body.String()
	if i, j := strings.Index(body, `value="ncii"`), strings.Index(body, `value="illegal"`); i < 0 || j < i {
		t.Error("the non-consensual reason does not come first")
	}

	tests := []struct {
		name     string
		form     url.Values
		wantCode int
		want     []string
	}{
		{"not a link", url.Values{"link": {"hello"}, "reason": {"ncii"}, "note": {"kept"}}, 400,
			[]string{"Paste the link to the upload", `value="hello"`, ">kept</textarea>", `value="ncii" required checked`}},
		{"an unknown upload", url.Values{"link": {"https://x.test/p/AAAAAAAAAAAAAAAAAAAA"}, "reason": {"spam"}}, 404, []string{"no such upload"}},
		{"no reason", url.Values{"link": {"/p/" + id}}, 400, []string{"The reason is one of"}},
		{"a note too long", url.Values{"link": {"/p/" + id}, "reason": {"other"}, "note": {strings.Repeat("x", 1001)}}, 400, []string{"limited to 1,000"}},
		{"a media link", url.Values{"link": {"http://example.org/m/" + id + ".png"}, "reason": {"illegal"}}, 202,
			[]string{"Report received", "/report/status/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPage(t, f.post("/report", tt.form, nil), tt.wantCode, tt.want...)
		})
	}

	t.Run("look up a code", func(t *testing.T) {
		rec := f.get("/report/status?code=+abcd-efgh+", nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/report/status/ABCD-EFGH" {
			t.Fatalf("got %d to %q", rec.Code, rec.Header().Get("Location"))
		}
		wantPage(t, f.get("/report/status/ABCD-EFGH", nil), http.StatusNotFound, "There is no report with that receipt code.")
	})
}
