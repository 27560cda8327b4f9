package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShareXConfig checks the ShareX uploader /sharex.sxcu downloads: its
// links from --base-url when set, else from the request, and uploads into
// a channel with ?channel=SLUG.
func TestShareXConfig(t *testing.T) {
	pics, _ := url.Parse("https://pics.example.org")
	tests := []struct {
		name         string
		base         *url.URL
		path         string
		wantURL      string
		wantName     string
		wantFileName string
	}{
		{"from the request", nil, "/sharex.sxcu", "http://example.com/api/v1/uploads",
			"chatpic (example.com)", "chatpic-example.com.sxcu"},
		{"from --base-url", pics, "/sharex.sxcu", "https://pics.example.org/api/v1/uploads",
			"chatpic (pics.example.org)", "chatpic-pics.example.org.sxcu"},
		{"into a channel", pics, "/sharex.sxcu?channel=photography", "https://pics.example.org/api/v1/channels/photography/posts",
			"chatpic Photography (pics.example.org)", "chatpic-pics.example.org-photography.sxcu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFixture(t, tt.base).get(tt.path, nil)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Fatalf("%d %s: %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="`+tt.wantFileName+`"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			var c map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"Version": "15.0.0", "Name": tt.wantName, "DestinationType": "ImageUploader, FileUploader",
				"RequestMethod": "POST", "RequestURL": tt.wantURL, "Body": "MultipartFormData", "FileFormName": "file",
				"URL": "{json:url}", "ThumbnailURL": "{json:thumb_url}", "DeletionURL": "{json:delete_url}",
				"ErrorMessage": "{json:error.message}",
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("%s = %q, want %q", k, c[k], v)
				}
			}
		})
	}
	t.Run("into no such channel", func(t *testing.T) {
		wantPage(t, newFixture(t, nil).get("/sharex.sxcu?channel=nope", nil), http.StatusNotFound, "no channel called")
	})
}

var tokenOnPage = regexp.MustCompile(`data-token="([^"]+)"`)

// TestDeleteLink checks /d/{id}/{token}: a GET only asks to confirm
// (link previews and prefetchers follow links), a POST deletes, and a
// wrong token is refused as the post page's delete form refuses it.
func TestDeleteLink(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.upload(t, "photography")
	m := tokenOnPage.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil {
		t.Fatalf("upload: %d, token found: %v", rec.Code, m != nil)
	}
	id, token := strings.TrimPrefix(rec.Header().Get("Location"), "/p/"), m[1]
	link := "/d/" + id + "/" + token

	refusal := f.post("/p/"+id+"/delete", url.Values{"token": {"wrong"}}, nil)
	wantPage(t, refusal, http.StatusForbidden, "delete token is not right")
	for _, method := range []string{"GET", "POST"} {
		t.Run(method+" with a wrong token", func(t *testing.T) {
			rec := f.serve(newRequest(method, "/d/"+id+"/wrong"))
			if rec.Code != refusal.Code || rec.Body.String() != refusal.Body.String() {
				t.Fatalf("%d %.300s; want the delete form's refusal", rec.Code, rec.Body)
			}
		})
	}
	t.Run("GET asks and deletes nothing", func(t *testing.T) {
		for range 2 {
			rec := f.get(link, nil)
			wantPage(t, rec, http.StatusOK, `<form method="post" action="`+link+`">`, `src="/t/`+id+`.`, "Delete it")
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
		}
		wantPage(t, f.get("/p/"+id, nil), http.StatusOK)
	})
	t.Run("POST deletes", func(t *testing.T) {
		wantPage(t, f.serve(newRequest("POST", link)), http.StatusOK, "Deleted", `href="/c/photography"`)
		wantPage(t, f.get("/p/"+id, nil), http.StatusGone)
		wantPage(t, f.get(link, nil), http.StatusGone)
	})
}

// TestDeleteLinkSpendsNoView checks that the confirmation page of an
// upload with a view limit shows its thumbnail with a ticket and spends
// none of its views.
func TestDeleteLinkSpendsNoView(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.uploadForm(t, "/link", map[string]string{"expires_in": "1h", "max_views": "1"})
	m := tokenOnPage.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil {
		t.Fatalf("upload: %d, token found: %v", rec.Code, m != nil)
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	wantPage(t, f.get("/d/"+id+"/"+m[1], nil), http.StatusOK, `src="/t/`+id+`.jpg?v=`)
	p, err := f.posts.Post(t.Context(), id)
	if err != nil || p.ViewsLeft != 1 {
		t.Fatalf("after the confirmation page: %d views left, %v", p.ViewsLeft, err)
	}
	wantPage(t, f.serve(newRequest("POST", "/d/"+id+"/"+m[1])), http.StatusOK, "Deleted", `href="/"`)
}

func newRequest(method, path string) *http.Request {
	req, _ := http.NewRequest(method, "http://example.com"+path, nil)
	return req
}
