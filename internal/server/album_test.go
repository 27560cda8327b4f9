package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// albumReq is an upload request to path with each of files as a "file"
// part, in order.
func albumReq(t *testing.T, path string, files ...[]byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", "x.bin")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

type albumPost struct {
	ID       string `json:"id"`
	MediaURL string `json:"media_url"`
	MIME     string `json:"mime"`
	Media    []struct {
		URL      string `json:"url"`
		ThumbURL string `json:"thumb_url"`
		MIME     string `json:"mime"`
		Width    int    `json:"width"`
		Removed  bool   `json:"removed"`
	} `json:"media"`
}

// TestAlbumAPI posts an album through the JSON API and reads it back: the
// answer lists every file in order with its own links, which serve it,
// the single-file fields describe the first, and the channel counts one
// upload. A refused album names each refused file.
func TestAlbumAPI(t *testing.T) {
	ts := newTestSite(t, nil)
	rec := serve(ts.handler, albumReq(t, "/api/v1/channels/random/posts",
		mediatest.JPEG(40, 30), mediatest.PNG(20, 10), mediatest.JPEG(50, 20)))
	wantCode(t, rec, http.StatusCreated, "an album of three")
	var p albumPost
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	wantTypes, wantWidths := []string{"image/jpeg", "image/png", "image/jpeg"}, []int{40, 20, 50}
	if len(p.Media) != 3 {
		t.Fatalf("media lists %d files, want 3: %s", len(p.Media), rec.Body)
	}
	if p.MediaURL != p.Media[0].URL || p.MIME != "image/jpeg" {
		t.Errorf("media_url %q, mime %q; want the first file's", p.MediaURL, p.MIME)
	}
	for i, m := range p.Media {
		if m.MIME != wantTypes[i] || m.Width != wantWidths[i] || m.Removed {
			t.Errorf("file %d: %+v, want %s %d wide", i+1, m, wantTypes[i], wantWidths[i])
		}
		for _, u := range []string{m.URL, m.ThumbURL} {
			link, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			path := link.Path
			got := serve(ts.handler, httptest.NewRequest("GET", path, nil))
			if got.Code != http.StatusOK || got.Body.Len() == 0 {
				t.Errorf("GET %s: %d", path, got.Code)
			}
			if i > 0 && !strings.Contains(path, p.ID+"-") {
				t.Errorf("file %d is linked as %s, want a name of its own", i+1, path)
			}
		}
	}
	if got := serve(ts.handler, httptest.NewRequest("GET", "/m/"+p.ID+"-2.png", nil)); got.Header().Get("Content-Type") != "image/png" {
		t.Errorf("/m/%s-2.png is served as %q", p.ID, got.Header().Get("Content-Type"))
	}
	var again albumPost
	json.Unmarshal(serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+p.ID, nil)).Body.Bytes(), &again)
	if len(again.Media) != 3 {
		t.Errorf("GET /api/v1/posts/%s lists %d files, want 3", p.ID, len(again.Media))
	}
	var ch struct {
		Count    int `json:"count"`
		MaxFiles int `json:"max_files"`
	}
	json.Unmarshal(serve(ts.handler, httptest.NewRequest("GET", "/api/v1/channels/random", nil)).Body.Bytes(), &ch)
	if ch.Count != 1 || ch.MaxFiles != 10 {
		t.Errorf("the channel: count %d, max_files %d; want 1 upload and 10 files", ch.Count, ch.MaxFiles)
	}

	rec = serve(ts.handler, albumReq(t, "/api/v1/channels/random/posts",
		mediatest.PNG(8, 8), []byte("no picture here"), mediatest.PNG(8, 9), []byte("nor here")))
	wantCode(t, rec, http.StatusUnsupportedMediaType, "an album with two files that are not pictures")
	var refused struct {
		Error struct {
			Kind, Message string
			Files         []struct {
				File          int
				Kind, Message string
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &refused); err != nil {
		t.Fatal(err)
	}
	if f := refused.Error.Files; len(f) != 2 || f[0].File != 2 || f[1].File != 4 || f[0].Kind != "unsupported" || f[1].Message == "" {
		t.Errorf("the refusal names %+v, want files 2 and 4, unsupported", f)
	}
	json.Unmarshal(serve(ts.handler, httptest.NewRequest("GET", "/api/v1/channels/random", nil)).Body.Bytes(), &ch)
	if ch.Count != 1 {
		t.Errorf("after a refused album the channel counts %d uploads, want 1", ch.Count)
	}

	rec = serve(ts.handler, albumReq(t, "/api/v1/channels/random/posts", slices.Repeat([][]byte{mediatest.PNG(8, 8)}, 11)...))
	wantCode(t, rec, http.StatusBadRequest, "eleven files")
}
