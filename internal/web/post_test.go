package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/posting"
)

// TestPreviewTags checks the OpenGraph and Twitter card tags that make a
// shared link preview in chat apps, and that they are left out where a
// preview would show what it should not or spend a counted view.
func TestPreviewTags(t *testing.T) {
	f := newFixture(t, nil)
	public := f.uploaded(t, "photography")
	nsfw := f.uploaded(t, "after-dark")
	rec := f.uploadForm(t, "/link", map[string]string{"expires_in": "1h", "max_views": "5"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("link-only upload: %d %.300s", rec.Code, rec.Body)
	}
	counted := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	tests := []struct {
		name      string
		id        string
		want      []string
		wantNoTag bool
	}{
		{"a public upload previews", public, []string{
			`<meta property="og:title" content="Upload in Photography">`,
			`<meta property="og:image" content="http://example.com/t/` + public + `.`,
			`<meta property="og:image:width" content="24">`,
			`<meta property="og:image:height" content="16">`,
			`<meta property="og:image:alt" content="Picture in Photography, posted less than a minute ago">`,
			`<meta property="og:url" content="http://example.com/p/` + public + `">`,
			`<meta name="twitter:card" content="summary_large_image">`,
			`Posted in Photography on chatpic, which keeps the newest`,
		}, false},
		{"an NSFW channel's upload does not", nsfw, nil, true},
		{"an upload with counted views does not, and is not indexed", counted, []string{`<meta name="robots" content="noindex, nofollow">`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.get("/p/"+tt.id, nil)
			wantPage(t, rec, http.StatusOK, tt.want...)
			body := rec.Body.String()
			if has := strings.Contains(body, "og:") || strings.Contains(body, "twitter:"); has == tt.wantNoTag {
				t.Errorf("preview tags present: %v, want %v", has, !tt.wantNoTag)
			}
		})
	}
}

// TestReplyWithoutScript checks that a comment's Reply link works without
// JavaScript: ?reply=N starts the comment box with a reference to N, and
// nonsense starts it empty.
func TestReplyWithoutScript(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "photography")
	tests := []struct{ query, want string }{
		{"?reply=3", ">&gt;&gt;3\n</textarea>"},
		{"?reply=0", "required></textarea>"},
		{"?reply=x", "required></textarea>"},
		{"?reply=99999999", "required></textarea>"},
		{"", "required></textarea>"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			wantPage(t, f.get("/p/"+id+tt.query, nil), http.StatusOK, tt.want)
		})
	}
}

// TestChannelPageImages checks what keeps the grid accessible and steady:
// alt text for every thumbnail, width and height before it loads, eager
// loading for the first rows only.
func TestChannelPageImages(t *testing.T) {
	f := newFixture(t, nil)
	for range 14 {
		f.uploaded(t, "gaming")
	}
	body := f.get("/c/gaming", nil).Body.String()
	imgs := strings.Count(body, "<img ")
	if imgs != 14 {
		t.Fatalf("%d thumbnails, want 14", imgs)
	}
	if n := strings.Count(body, `alt="Picture in Gaming, posted less than a minute ago"`); n != 14 {
		t.Errorf("%d thumbnails with alt text, want 14", n)
	}
	if n := strings.Count(body, `width="24" height="16"`); n != 14 {
		t.Errorf("%d thumbnails with their size, want 14", n)
	}
	if n := strings.Count(body, `loading="lazy"`); n != 2 {
		t.Errorf("%d lazy thumbnails, want the 2 past the first 12", n)
	}
}

func TestUploadFormAccepts(t *testing.T) {
	tests := []struct {
		name      string
		limits    posting.Limits
		wantVideo bool
	}{
		{"pictures and videos", posting.Limits{PictureBytes: 20e6, VideoBytes: 100e6}, true},
		{"pictures only", posting.Limits{PictureBytes: 20e6}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newUploadForm("x", tt.limits)
			if got := strings.Contains(f.Accept, "video/mp4"); got != tt.wantVideo {
				t.Errorf("accept %q offers video: %v, want %v", f.Accept, got, tt.wantVideo)
			}
			if text := limitsText(english(t), f.Limits); strings.Contains(text, "videos") != tt.wantVideo {
				t.Errorf("text %q speaks of videos: %v, want %v", text, !tt.wantVideo, tt.wantVideo)
			}
			if f.MaxPicture != tt.limits.PictureBytes || f.MaxVideo != tt.limits.VideoBytes {
				t.Errorf("limits %d/%d, want %d/%d", f.MaxPicture, f.MaxVideo, tt.limits.PictureBytes, tt.limits.VideoBytes)
			}
			// upload.js knows a HEIC by its extension, and not to preview it.
			if s := f.Formats; !slices.Contains(s.Picture.Exts, "heic") || !slices.Contains(s.NoPreview, "image/heic") ||
				!slices.Contains(s.Video.Types, "video/quicktime") || !strings.HasPrefix(s.Picture.Names, "JPEG, PNG, ") {
				t.Errorf("formats for upload.js %+v", s)
			}
		})
	}
}

// TestUploadRefusedWithoutScript checks what a plain form upload answers
// when the file is refused: a heading in words, the limits, and the way
// back to the form.
func TestUploadRefusedWithoutScript(t *testing.T) {
	f := newFixture(t, nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	fw.Write([]byte("just some text, not a picture"))
	mw.Close()
	req := httptest.NewRequest("POST", "/c/gaming", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	wantPage(t, f.serve(req), http.StatusUnsupportedMediaType,
		"That kind of file can&#39;t be posted here", "Pictures ("+strings.Join(media.Names(chatpic.Image), ", ")+") up to", `href="/c/gaming">Back to the upload form`)
}

// cdnTest is a Redirector to a made-up CDN: it only builds URLs.
type cdnTest struct{}

func (cdnTest) MediaURL(_ context.Context, key, contentType string) (string, error) {
	return "https://cdn.test/" + key + "?type=" + contentType, nil
}
func (cdnTest) MaxAge() time.Duration { return time.Hour }

// TestMediaRedirect checks that with a Redirector media requests answer
// with a redirect, except for uploads whose views are counted, which
// chatpic serves itself, to the ticket of a spent view only.
func TestMediaRedirect(t *testing.T) {
	f := newFixture(t, nil)
	f.web.RedirectMedia(cdnTest{})
	public := f.uploaded(t, "photography")
	rec := f.uploadForm(t, "/link", map[string]string{"expires_in": "1h", "max_views": "2"})
	counted := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	p, err := f.posts.Post(context.Background(), public)
	if err != nil {
		t.Fatal(err)
	}
	if typ, _ := media.ByExt(p.ThumbExt); p.ThumbMIME == "" || p.ThumbMIME != typ.MIME {
		t.Fatalf("the post records its thumbnail .%s as %q", p.ThumbExt, p.ThumbMIME)
	}
	view, err := f.posts.View(context.Background(), counted, "", netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path   string
		wantCode     int
		wantLocation string
		wantCache    string
	}{
		{"media", "/m/" + public + "." + p.Ext, http.StatusFound, "https://cdn.test/" + p.MediaKey() + "?type=image/png", "private, max-age=3600"},
		{"thumbnail", "/t/" + public + "." + p.ThumbExt, http.StatusFound, "https://cdn.test/" + p.ThumbKey() + "?type=" + p.ThumbMIME, "private, max-age=3600"},
		{"wrong extension", "/m/" + public + ".gif", http.StatusNotFound, "", "no-store"},
		{"counted views are served to a view's ticket", "/m/" + counted + ".png?v=" + view.Ticket, http.StatusOK, "", "private, no-store"},
		{"as often as its page loads", "/m/" + counted + ".png?v=" + view.Ticket, http.StatusOK, "", "private, no-store"},
		{"and without a ticket, go to the page", "/m/" + counted + ".png", http.StatusSeeOther, "/p/" + counted, "no-store"},
	}
	for _, tt := range tests {
		rec := f.get(tt.path, nil)
		if rec.Code != tt.wantCode || rec.Header().Get("Location") != tt.wantLocation || rec.Header().Get("Cache-Control") != tt.wantCache {
			t.Errorf("%s: %d to %q, cache %q; want %d to %q, cache %q", tt.name, rec.Code, rec.Header().Get("Location"),
				rec.Header().Get("Cache-Control"), tt.wantCode, tt.wantLocation, tt.wantCache)
		}
	}
}
