package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/mediatest"
)

// albumForm posts files, each a "file" part, and fields to a page's upload
// form, as a browser posts a form whose file input holds several files.
func (f fixture) albumForm(t *testing.T, path string, files [][]byte, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields { // before the files, as the home page's channel field is
		mw.WriteField(k, v)
	}
	for _, b := range files {
		fw, _ := mw.CreateFormFile("file", "x")
		fw.Write(b)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.serve(req)
}

// stored returns the keys of every blob the fixture holds.
func (f fixture) stored(t *testing.T) []string {
	t.Helper()
	var keys []string
	if err := f.disk.List(context.Background(), "", func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// threePictures are three pictures of three formats, in this order.
func threePictures() [][]byte {
	return [][]byte{mediatest.PNG(24, 16), mediatest.JPEG(20, 30), mediatest.GIF(16, 16, 2)}
}

var directLink = regexp.MustCompile(`class="direct" href="([^"]+)"`)

// TestAlbumUpload posts three pictures through each upload form as one
// post: its page shows them in order, each with its position and a direct
// link that serves it, and the channel's grid shows the album's cover with
// a badge that counts its files.
func TestAlbumUpload(t *testing.T) {
	cases := []struct {
		name, path string
		fields     map[string]string
		channel    string // "" for link-only
	}{
		{"channel form", "/c/photography", nil, "photography"},
		{"channel form, album field one", "/c/photography", map[string]string{"album": "one"}, "photography"},
		{"home page form", "/upload", map[string]string{"channel": "gaming"}, "gaming"},
		{"link-only form", "/link", map[string]string{"expires_in": "1h"}, ""},
		{"sensitive", "/c/random", map[string]string{"sensitive": "on"}, "random"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			rec := f.albumForm(t, c.path, threePictures(), c.fields)
			wantPage(t, rec, http.StatusCreated, "1 of 3", "2 of 3", "3 of 3", `data-album`)
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
			p, err := f.db.Post(context.Background(), id, t0)
			if err != nil {
				t.Fatal(err)
			}
			if p.Files() != 3 {
				t.Fatalf("the post has %d files, want 3", p.Files())
			}
			page := rec.Body.String()
			links := directLink.FindAllStringSubmatch(page, -1)
			if len(links) != 3 {
				t.Fatalf("%d direct links on the page, want 3", len(links))
			}
			for i, l := range links {
				it, _ := p.File(i + 1)
				// The page answering the upload carries a view ticket, as
				// a single file's does.
				if want := "/m/" + p.FileName(i+1) + "." + it.Ext + "?v="; !strings.HasPrefix(l[1], want) {
					t.Errorf("direct link %d is %s, want %s", i+1, l[1], want)
				}
				got := f.get(l[1], nil)
				if got.Code != http.StatusOK || got.Header().Get("Content-Type") != it.MIME {
					t.Errorf("%s answers %d %s, want 200 %s", l[1], got.Code, got.Header().Get("Content-Type"), it.MIME)
				}
			}
			if i1, i2, i3 := strings.Index(page, `id="f-1"`), strings.Index(page, `id="f-2"`), strings.Index(page, `id="f-3"`); !(i1 >= 0 && i1 < i2 && i2 < i3) {
				t.Errorf("the files are not in order: at %d, %d, %d", i1, i2, i3)
			}
			if strings.Contains(page, `<figure class="post`) {
				t.Error("the album page also shows the single-file figure")
			}
			if c.fields["sensitive"] == "on" {
				// Blurred for visitors, not on the uploader's own page.
				page := f.get("/p/"+id, nil).Body.String()
				if n := strings.Count(page, `class="album-item sensitive"`); n != 3 {
					t.Errorf("%d files are blurred, want 3", n)
				}
				if n := strings.Count(page, `data-unblur`); n != 3 {
					t.Errorf("%d show controls, want 3", n)
				}
			}
			if c.channel == "" {
				return
			}
			grid := f.get("/c/"+c.channel, nil)
			wantPage(t, grid, http.StatusOK, `<span class="album-count" aria-hidden="true">▦ 3</span>`, "(album of 3)",
				`src="/t/`+id+`.`+p.ThumbExt+`"`)
		})
	}
}

// TestAlbumSeparate posts the files of one form as separate posts when
// its album field says so: a page lists each post's link and delete link;
// a file refused for what it is leaves the others posted.
func TestAlbumSeparate(t *testing.T) {
	cases := []struct {
		name       string
		path       string
		fields     map[string]string
		files      [][]byte
		wantPosts  int
		wantRefuse string
	}{
		{"three pictures", "/c/random", map[string]string{"album": "separate"}, threePictures(), 3, ""},
		{"home page form", "/upload", map[string]string{"album": "separate", "channel": "random"}, threePictures(), 3, ""},
		{"link-only form", "/link", map[string]string{"album": "separate"}, threePictures(), 3, ""},
		{"one not a picture", "/c/random", map[string]string{"album": "separate"},
			[][]byte{mediatest.PNG(8, 8), []byte("not a picture at all"), mediatest.JPEG(9, 9)}, 2, "File 2: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			rec := f.albumForm(t, c.path, c.files, c.fields)
			wantPage(t, rec, http.StatusCreated)
			page := rec.Body.String()
			shares := regexp.MustCompile(`value="http://example.com/p/([A-Za-z0-9_-]+)"`).FindAllStringSubmatch(page, -1)
			if len(shares) != c.wantPosts {
				t.Fatalf("%d share links, want %d: %.3000s", len(shares), c.wantPosts, page)
			}
			if n := strings.Count(page, `value="http://example.com/d/`); n != c.wantPosts {
				t.Errorf("%d delete links, want %d", n, c.wantPosts)
			}
			for _, s := range shares {
				p, err := f.db.Post(context.Background(), s[1], t0)
				if err != nil {
					t.Fatal(err)
				}
				if p.IsAlbum() {
					t.Errorf("post %s is an album of %d files", p.ID, p.Files())
				}
			}
			if c.wantRefuse != "" && !strings.Contains(page, c.wantRefuse) {
				t.Errorf("the page does not say %q: %.3000s", c.wantRefuse, page)
			}
		})
	}
}

// TestAlbumRefused refuses an album with a bad file as a whole: nothing
// is posted or stored, and the page says why, file by file. More files
// than the channel takes are refused too.
func TestAlbumRefused(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.db.CreateChannel(context.Background(), chatpic.Channel{Slug: "pairs", Title: "Pairs", Capacity: 10, MaxFiles: 2}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		fields     map[string]string
		files      [][]byte
		code       int
		wants      []string
	}{
		{"one file not a picture", "/c/random", nil, [][]byte{mediatest.PNG(8, 8), []byte("not a picture at all"), mediatest.JPEG(9, 9)},
			http.StatusUnsupportedMediaType, []string{"Nothing was posted", "One of the files was refused", `<li>File 2: `}},
		{"two bad files", "/c/random", nil, [][]byte{[]byte("no"), mediatest.PNG(8, 8), []byte("nor this")},
			http.StatusUnsupportedMediaType, []string{"2 of the files were refused", `<li>File 1: `, `<li>File 3: `}},
		{"more files than the channel takes: the form again", "/c/pairs", nil, threePictures(),
			http.StatusBadRequest, []string{`<div class="error" role="alert" id="upload-problem"><p>Pairs takes at most 2 files in one post, and you chose 3.`,
				`<form method="post" action="/c/pairs"`}},
		{"the same from the home page", "/upload", map[string]string{"channel": "pairs"}, threePictures(),
			http.StatusBadRequest, []string{"Pairs takes at most 2 files in one post", `<form method="post" action="/c/pairs"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := f.albumForm(t, c.path, c.files, c.fields)
			wantPage(t, rec, c.code, c.wants...)
			if keys := f.stored(t); len(keys) != 0 {
				t.Errorf("blobs left behind: %q", keys)
			}
			for _, slug := range []string{"random", "pairs"} {
				if page := f.get("/c/"+slug, nil).Body.String(); !strings.Contains(page, "Nothing here yet") {
					t.Errorf("channel %s has a post", slug)
				}
			}
		})
	}
}

// TestAlbumRemovedFile shows a file that moderation removed as a short
// placeholder, without its links, and stands the album for the first
// file left in lists and previews.
func TestAlbumRemovedFile(t *testing.T) {
	f := newFixture(t, nil)
	item := func(removed bool) chatpic.Item {
		return chatpic.Item{Kind: chatpic.Image, MIME: "image/png", Ext: "png", ThumbExt: "jpg", ThumbMIME: "image/jpeg",
			Width: 10, Height: 10, Bytes: 100, Removed: removed}
	}
	p := chatpic.Post{ID: chatpic.NewID(), Channel: "random", Item: item(true), More: []chatpic.Item{item(false), item(true), item(false)},
		CreatedAt: t0, DeleteTokenHash: chatpic.HashToken("token")}
	if _, _, err := f.db.CreatePost(context.Background(), p, t0); err != nil {
		t.Fatal(err)
	}
	page := f.get("/p/"+p.ID, nil)
	wantPage(t, page, http.StatusOK, "1 of 4", "2 of 4", "3 of 4", "4 of 4",
		`<meta property="og:image" content="http://example.com/t/`+p.ID+`-2.jpg">`)
	body := page.Body.String()
	if n := strings.Count(body, "This file was removed."); n != 2 {
		t.Errorf("%d placeholders, want 2", n)
	}
	for _, gone := range []string{`href="/m/` + p.ID + `.png"`, `href="/m/` + p.ID + `-3.png"`} {
		if strings.Contains(body, gone) {
			t.Errorf("the page links the removed file: %s", gone)
		}
	}
	if n := len(directLink.FindAllString(body, -1)); n != 2 {
		t.Errorf("%d direct links, want 2", n)
	}
	wantPage(t, f.get("/c/random", nil), http.StatusOK, `src="/t/`+p.ID+`-2.jpg"`, "(album of 2)")
}

// TestSingleFilePage keeps the page of a single file as it was before
// albums: one figure, no gallery, its own links.
func TestSingleFilePage(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")
	page := f.get("/p/"+id, nil)
	wantPage(t, page, http.StatusOK, `<figure class="post">`, `<a href="/m/`+id+`.png" class="full"><img src="/m/`+id+`.png"`,
		`<meta property="og:image" content="http://example.com/t/`+id+`.`)
	for _, not := range []string{"data-album", "album-item", " of 1", "album-count"} {
		if strings.Contains(page.Body.String(), not) {
			t.Errorf("the single file's page has %q", not)
		}
	}
	if grid := f.get("/c/random", nil).Body.String(); strings.Contains(grid, "album-count") || !strings.Contains(grid, `src="/t/`+id+`.`) {
		t.Error("the grid shows a single file as an album, or not by its thumbnail")
	}
}
