package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// crawlers are the user agents of what fetches a link without a person
// looking: chat apps' link previews, mail scanners, security proxies,
// search engines, scripts, and a browser's prefetch.
var crawlers = []string{
	"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
	"WhatsApp/2.24.1.6 A",
	"TelegramBot (like TwitterBot)",
	"Twitterbot/1.0",
	"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
	"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
	"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0", // iMessage
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) SkypeUriPreview Preview/0.5",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"Mozilla/5.0 (compatible; proofpoint-urldefense)",
	"Mimecast URL Protect",
	"curl/8.5.0",
	"Go-http-client/1.1",
	"python-requests/2.31.0",
	"Wget/1.21.4",
	"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
	"", // none at all
}

// viewsLeft reads views_left from the API's post answer (-1 for null).
func viewsLeft(t *testing.T, h http.Handler, id string) int {
	t.Helper()
	rec := serve(h, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil))
	var p struct {
		ViewsLeft *int `json:"views_left"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
		t.Fatalf("GET /api/v1/posts/%s: %d %s", id, rec.Code, rec.Body)
	}
	if p.ViewsLeft == nil {
		return -1
	}
	return *p.ViewsLeft
}

// TestViewLimits walks an upload that vanishes after two views: twenty
// fetches by crawlers, previews and scripts (GET and HEAD of the page, the
// direct link, the thumbnail and the JSON) spend nothing and show nothing
// of the picture; a cross-site form post spends nothing either; the page's
// button spends one view and shows the picture through a ticket; a script
// spends the last through the API, and that last view still shows the
// picture; the next answers 410.
func TestViewLimits(t *testing.T) {
	ts := newTestSite(t, nil)
	h := ts.handler
	picture := mediatest.PNG(40, 30)
	rec := serve(h, uploadReq(t, "/api/v1/uploads", map[string]string{"expires_in": "1h", "max_views": "2"}, picture))
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	var up struct {
		ID       string `json:"id"`
		ThumbURL string `json:"thumb_url"`
	}
	json.Unmarshal(rec.Body.Bytes(), &up)
	id := up.ID
	page, media, thumb := "/p/"+id, "/m/"+id+".png", strings.TrimPrefix(up.ThumbURL, "http://example.com")

	t.Run("crawlers spend nothing and see nothing", func(t *testing.T) {
		paths := []string{page, page, media, thumb, "/api/v1/posts/" + id}
		for i, ua := range crawlers {
			method, path := "GET", paths[i%len(paths)]
			if i%4 == 3 {
				method = "HEAD"
			}
			req := httptest.NewRequest(method, path, nil)
			req.Header.Set("User-Agent", ua)
			rec := serve(h, req)
			body := rec.Body.String()
			switch {
			case path == page:
				if rec.Code != http.StatusOK || method == "GET" && (!strings.Contains(body, "This picture vanishes after it has been viewed 2 more times. View it now?") ||
					!strings.Contains(body, `action="/p/`+id+`/view"`) || strings.Contains(body, "/m/"+id) ||
					strings.Contains(body, "/t/"+id) || strings.Contains(body, "og:image")) {
					t.Errorf("%s %s as %q: %d, want the notice and nothing of the picture: %.1500s", method, path, ua, rec.Code, body)
				}
			case path == media || path == thumb:
				if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page || bytes.Contains(rec.Body.Bytes(), picture[:8]) ||
					rec.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("%s %s as %q: %d to %q (%s), want 303 to the page, uncached, no picture", method, path, ua,
						rec.Code, rec.Header().Get("Location"), rec.Header().Get("Cache-Control"))
				}
			default:
				if rec.Code != http.StatusOK {
					t.Errorf("%s %s as %q: %d", method, path, ua, rec.Code)
				}
			}
		}
		if n := viewsLeft(t, h, id); n != 2 {
			t.Fatalf("after %d fetches, %d views left, want 2", len(crawlers), n)
		}
	})

	t.Run("a cross-site form post spends nothing", func(t *testing.T) {
		req := httptest.NewRequest("POST", page+"/view", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if rec := serve(h, req); rec.Code != http.StatusForbidden {
			t.Errorf("cross-site POST: %d, want 403", rec.Code)
		}
		if n := viewsLeft(t, h, id); n != 2 {
			t.Fatalf("%d views left, want 2", n)
		}
	})

	var ticket string
	t.Run("the button spends one view and shows the picture", func(t *testing.T) {
		req := httptest.NewRequest("POST", page+"/view", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := serve(h, req)
		m := regexp.MustCompile(`<img src="/m/` + id + `\.png\?v=([a-z0-9]+)"`).FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || m == nil || !strings.Contains(rec.Body.String(), "1 more view left") {
			t.Fatalf("the view: %d, picture %v: %.2000s", rec.Code, m, rec.Body)
		}
		ticket = m[1]
		if n := viewsLeft(t, h, id); n != 1 {
			t.Fatalf("%d views left, want 1", n)
		}
		// The picture and the thumbnail load with the ticket, as often as
		// the page needs, spending nothing more; a forged ticket does not.
		for range 3 {
			for _, path := range []string{media, thumb} {
				rec := serve(h, httptest.NewRequest("GET", path+"?v="+ticket, nil))
				if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "private, no-store" {
					t.Fatalf("%s with the ticket: %d %q", path, rec.Code, rec.Header().Get("Cache-Control"))
				}
			}
		}
		if rec := serve(h, httptest.NewRequest("GET", media+"?v=forged", nil)); rec.Code != http.StatusSeeOther {
			t.Errorf("a forged ticket: %d, want 303 to the page", rec.Code)
		}
		if n := viewsLeft(t, h, id); n != 1 {
			t.Fatalf("%d views left, want 1", n)
		}
	})

	t.Run("a script spends the last view, which still shows the picture", func(t *testing.T) {
		rec := serve(h, httptest.NewRequest("POST", "/api/v1/posts/"+id+"/views", nil))
		var v struct {
			ViewsLeft *int   `json:"views_left"`
			MediaURL  string `json:"media_url"`
			ThumbURL  string `json:"thumb_url"`
			Ticket    string `json:"ticket"`
		}
		json.Unmarshal(rec.Body.Bytes(), &v)
		if rec.Code != http.StatusOK || v.ViewsLeft == nil || *v.ViewsLeft != 0 || v.Ticket == "" ||
			v.MediaURL != "http://example.com"+media+"?v="+v.Ticket {
			t.Fatalf("the last view: %d %s", rec.Code, rec.Body)
		}
		for _, u := range []string{v.MediaURL, v.ThumbURL} {
			rec := serve(h, httptest.NewRequest("GET", strings.TrimPrefix(u, "http://example.com"), nil))
			if rec.Code != http.StatusOK || u == v.MediaURL && !bytes.HasPrefix(rec.Body.Bytes(), picture[:8]) {
				t.Errorf("%s after the last view: %d", u, rec.Code)
			}
		}
	})

	t.Run("the next view answers 410", func(t *testing.T) {
		for _, req := range []*http.Request{
			httptest.NewRequest("POST", page+"/view", nil),
			httptest.NewRequest("POST", "/api/v1/posts/"+id+"/views", nil),
			httptest.NewRequest("GET", page, nil),
			httptest.NewRequest("GET", media, nil),
			httptest.NewRequest("GET", "/api/v1/posts/"+id, nil),
		} {
			rec := serve(h, req)
			if rec.Code != http.StatusGone {
				t.Errorf("%s %s: %d, want 410", req.Method, req.URL, rec.Code)
			}
			if strings.HasPrefix(req.URL.Path, "/api/") && !strings.Contains(rec.Body.String(), `"reason":"expired"`) {
				t.Errorf("%s %s: %s, want the reason", req.Method, req.URL, rec.Body)
			}
		}
	})
}

// TestViewWithoutLimit checks that the button and the API's views spend
// and change nothing for an upload without a view limit.
func TestViewWithoutLimit(t *testing.T) {
	ts := newTestSite(t, nil)
	rec := serve(ts.handler, uploadReq(t, "/api/v1/channels/random/posts", nil, mediatest.PNG(20, 20)))
	var p struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &p)
	tests := []struct {
		name         string
		req          *http.Request
		wantCode     int
		wantLocation string
	}{
		{"the page shows the picture", httptest.NewRequest("GET", "/p/"+p.ID, nil), http.StatusOK, ""},
		{"the button goes back to the page", httptest.NewRequest("POST", "/p/"+p.ID+"/view", nil), http.StatusSeeOther, "/p/" + p.ID},
		{"the API answers the post", httptest.NewRequest("POST", "/api/v1/posts/"+p.ID+"/views", nil), http.StatusOK, ""},
		{"the direct link needs no ticket", httptest.NewRequest("GET", "/m/"+p.ID+".png", nil), http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(ts.handler, tt.req)
			if rec.Code != tt.wantCode || rec.Header().Get("Location") != tt.wantLocation {
				t.Fatalf("%d to %q, want %d to %q", rec.Code, rec.Header().Get("Location"), tt.wantCode, tt.wantLocation)
			}
			if strings.Contains(rec.Body.String(), `"ticket"`) || strings.Contains(rec.Body.String(), "View it now") {
				t.Errorf("a ticket or the notice for an upload without a view limit: %.500s", rec.Body)
			}
		})
	}
}
