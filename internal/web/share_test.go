package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/moderation"
)

// TestManifest checks the web app manifest: what makes the site
// installable, icons that are there at the sizes it says, and a share
// target that takes what the upload form takes, as the registry lists it.
func TestManifest(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.get("/manifest.webmanifest", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/manifest+json" ||
		!strings.HasPrefix(rec.Header().Get("Cache-Control"), "public") {
		t.Fatalf("GET /manifest.webmanifest: %d %v", rec.Code, rec.Header())
	}
	var m manifest
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, rec.Body)
	}
	if m.Name != "chatpic" || m.ShortName == "" || m.Description == "" || m.StartURL != "/" || m.Scope != "/" ||
		m.Display != "standalone" || m.ThemeColor != themeLight || m.BackgroundColor != themeLight {
		t.Errorf("manifest fields: %+v", m)
	}
	st := m.ShareTarget
	if st.Action != "/share" || st.Method != "POST" || st.Enctype != "multipart/form-data" || len(st.Params.Files) != 1 ||
		st.Params.Files[0].Name != "file" {
		t.Fatalf("share target: %+v", st)
	}
	// The fixture takes no video: pictures only.
	var want []string
	for _, info := range media.Formats() {
		if info.Kind != chatpic.Image {
			continue
		}
		want = append(want, info.MIME)
		want = append(want, info.Aliases...)
		for _, e := range info.Exts {
			want = append(want, "."+e)
		}
	}
	if got := st.Params.Files[0].Accept; !slices.Equal(got, want) {
		t.Errorf("share target accepts %q, want the registry's %q", got, want)
	}
	// And concretely, in case the registry's list and the manifest's went
	// wrong together: a phone's HEIC photo by type or extension, no clip.
	for entry, in := range map[string]bool{"image/jpeg": true, "image/heic": true, ".heic": true, ".jpg": true, "video/mp4": false, ".mp4": false} {
		if slices.Contains(st.Params.Files[0].Accept, entry) != in {
			t.Errorf("share target accepts %q: %t, want %t", entry, !in, in)
		}
	}

	sizes := map[string]int{}
	for _, icon := range m.Icons {
		rec := f.get(icon.Src, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != icon.Type {
			t.Errorf("icon %s: %d %s, want %s", icon.Src, rec.Code, rec.Header().Get("Content-Type"), icon.Type)
			continue
		}
		if icon.Type != "image/png" {
			continue
		}
		img, err := png.Decode(rec.Body)
		if err != nil {
			t.Errorf("icon %s: %v", icon.Src, err)
			continue
		}
		b := img.Bounds()
		if got := fmt.Sprintf("%dx%d", b.Dx(), b.Dy()); got != icon.Sizes {
			t.Errorf("icon %s is %s, the manifest says %s", icon.Src, got, icon.Sizes)
		}
		// A maskable icon fills its square to the corners; the others
		// have icon.svg's rounded corners.
		if _, _, _, a := img.At(0, 0).RGBA(); (a == 0xffff) != (icon.Purpose == "maskable") {
			t.Errorf("icon %s (%s): corner alpha %#x", icon.Src, icon.Purpose, a)
		}
		sizes[icon.Purpose+" "+icon.Sizes]++
	}
	for _, s := range []string{"any 192x192", "any 512x512", "maskable 512x512"} {
		if sizes[s] != 1 {
			t.Errorf("no %s PNG icon: %v", s, sizes)
		}
	}

	wantPage(t, f.get("/", nil), http.StatusOK, `<link rel="manifest" href="/manifest.webmanifest">`,
		`<meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)">`, `<link rel="apple-touch-icon" href="/static/icon-192.`)
}

// share posts body to the share target as a phone's share sheet does: the
// file with its name, and the fields of other parts before it.
func (f fixture) share(t *testing.T, body []byte, fields ...string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if body != nil {
		fw, _ := mw.CreateFormFile("file", "IMG_20261123_120000.jpg")
		fw.Write(body)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/share", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.serve(req)
}

// shared shares body and returns the address of its prefilled form.
func (f fixture) shared(t *testing.T, body []byte, fields ...string) string {
	t.Helper()
	rec := f.share(t, body, fields...)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/share/") {
		t.Fatalf("POST /share: %d %q %.300s", rec.Code, loc, rec.Body)
	}
	return loc
}

// postShare sends the prefilled form at page (its share field, and the
// fields given) to action, as the browser does without JavaScript.
func (f fixture) postShare(t *testing.T, page, action string, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.WriteField("share", strings.TrimPrefix(page, "/share/"))
	mw.Close()
	req := httptest.NewRequest("POST", action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.serve(req)
}

var shareField = regexp.MustCompile(`<input type="hidden" name="share" value="([^"]+)"`)

// TestShareTarget is a picture shared from a phone's gallery: held, shown
// on its prefilled form, posted from there through the ordinary upload
// path (scrubbed like any upload), and no longer held once posted.
func TestShareTarget(t *testing.T) {
	f := newFixture(t, nil)
	const marker = "GPS 48.8584 2.2945"
	raw := mediatest.CameraJPEG(64, 48, 1, marker)
	page := f.shared(t, raw, "title", "IMG_20261123_120000.jpg", "text", "look")
	id := strings.TrimPrefix(page, "/share/")
	if expires, files, ok := chatpic.ParseShareID(id); !ok || !expires.Equal(t0.Add(chatpic.ShareHold)) || files != 1 {
		t.Fatalf("share ID %q: expires %v, %d files, %v", id, expires, files, ok)
	}

	rec := f.get(page, nil)
	wantPage(t, rec, http.StatusOK, `<img class="shared-file" src="`+page+`/file" width="320" height="320" alt="The picture you shared">`,
		`action="/upload"`, `action="/link"`, `<select name="channel" required>`, `name="caption"`, "JPEG, ", "15 minutes")
	if m := shareField.FindAllStringSubmatch(rec.Body.String(), -1); len(m) != 2 || m[0][1] != id {
		t.Errorf("share fields %q, want two with %q", m, id)
	}
	if strings.Contains(rec.Body.String(), "IMG_2026") || strings.Contains(rec.Body.String(), `type="file"`) {
		t.Error("the prefilled page shows the file's name, or a file field the form would send empty")
	}

	file := f.get(page+"/file", nil)
	if file.Code != http.StatusOK || !bytes.Equal(file.Body.Bytes(), raw) {
		t.Fatalf("GET %s/file: %d, %d bytes", page, file.Code, file.Body.Len())
	}
	for k, v := range map[string]string{"Content-Type": "image/jpeg", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": mediaCSP} {
		if got := file.Header().Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}

	rec = f.postShare(t, page, "/upload", map[string]string{"channel": "photography", "caption": "From my phone"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("posting the share: %d %.500s", rec.Code, rec.Body)
	}
	postID := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	p, err := f.posts.Post(t.Context(), postID)
	if err != nil || p.Caption != "From my phone" || p.Channel != "photography" || p.Width != 64 {
		t.Fatalf("the post: %+v, %v", p, err)
	}
	media := f.get("/m/"+p.ID+"."+p.Ext, nil)
	if media.Code != http.StatusOK || bytes.Contains(media.Body.Bytes(), []byte(marker)) {
		t.Errorf("the posted file: %d, still holding the GPS marker: %v", media.Code, bytes.Contains(media.Body.Bytes(), []byte(marker)))
	}
	if rec := f.get(page+"/file", nil); rec.Code != http.StatusNotFound {
		t.Errorf("the held file after posting: %d, want 404", rec.Code)
	}
	wantPage(t, f.get(page, nil), http.StatusNotFound, "share it again", `type="file"`)
	if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "photography"}); rec.Code != http.StatusNotFound {
		t.Errorf("posting the share again: %d, want 404", rec.Code)
	}

	// By link only, too.
	page = f.shared(t, mediatest.PNG(24, 16))
	rec = f.postShare(t, page, "/link", map[string]string{"expires_in": "1h"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("posting the share by link: %d %.500s", rec.Code, rec.Body)
	}
	if rec := f.get(page+"/file", nil); rec.Code != http.StatusNotFound {
		t.Errorf("the held file after posting by link: %d, want 404", rec.Code)
	}
}

// TestShareTargetRefusals checks what the share target and the prefilled
// form refuse, with the ordinary error pages, and when a held file is let
// go of.
func TestShareTargetRefusals(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name   string
		body   []byte
		fields []string
		code   int
		want   string
	}{
		{"not a picture", []byte("%PDF-1.7 not a picture at all"), nil, http.StatusUnsupportedMediaType, "That kind of file can&#39;t be posted here"},
		{"too large", append(mediatest.JPEG(8, 8), make([]byte, 2<<20)...), nil, http.StatusRequestEntityTooLarge, "1 MB"},
		{"no file", nil, []string{"text", "hello"}, http.StatusBadRequest, "Nothing was shared"},
		{"an empty file", []byte{}, nil, http.StatusBadRequest, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPage(t, f.share(t, tt.body, tt.fields...), tt.code, tt.want)
		})
	}
	t.Run("not a form", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/share", strings.NewReader("file=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantPage(t, f.serve(req), http.StatusUnsupportedMediaType)
	})
	t.Run("too many files", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for range chatpic.MaxFiles + 1 {
			fw, _ := mw.CreateFormFile("file", "x")
			fw.Write(mediatest.PNG(10, 10))
		}
		mw.Close()
		req := httptest.NewRequest("POST", "/share", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		wantPage(t, f.serve(req), http.StatusBadRequest, "at most 10 files")
	})
	t.Run("unknown", func(t *testing.T) {
		for _, id := range []string{chatpic.NewShareID(t0.Add(time.Minute), 1), chatpic.NewShareID(t0.Add(time.Minute), 3), "nonsense", "1764000000-AAAA", "1764000000-AAAAAAAAAAAAAAAAAAAA.."} {
			wantPage(t, f.get("/share/"+id, nil), http.StatusNotFound, "share it again", `type="file"`)
			if rec := f.get("/share/"+id+"/file", nil); rec.Code != http.StatusNotFound {
				t.Errorf("GET /share/%s/file: %d", id, rec.Code)
			}
		}
	})
	t.Run("a refusal worth retrying keeps it", func(t *testing.T) {
		page := f.shared(t, mediatest.PNG(12, 12))
		// The busy channel always asks for a proof of work, which a form
		// without JavaScript cannot give.
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "busy"}); rec.Code != http.StatusPreconditionRequired {
			t.Fatalf("posting into the busy channel: %d %.300s", rec.Code, rec.Body)
		}
		// A wrong (or stale, or used) proof is forbidden, and may be
		// solved again.
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "busy", "pow": "nonsense:1"}); rec.Code != http.StatusForbidden {
			t.Fatalf("posting with a wrong proof: %d %.300s", rec.Code, rec.Body)
		}
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "no-such-channel"}); rec.Code != http.StatusNotFound {
			t.Fatalf("posting into no channel: %d %.300s", rec.Code, rec.Body)
		}
		if rec := f.get(page+"/file", nil); rec.Code != http.StatusOK {
			t.Fatalf("the held file after a refusal worth retrying: %d", rec.Code)
		}
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "random"}); rec.Code != http.StatusCreated {
			t.Errorf("trying again: %d %.300s", rec.Code, rec.Body)
		}
	})
	t.Run("a banned file lets go of it", func(t *testing.T) {
		png := mediatest.PNG(14, 14)
		sum := sha256.Sum256(png)
		if _, err := f.mods.ImportHashes(context.Background(), moderation.CLI, strings.NewReader("sha256 "+hex.EncodeToString(sum[:])+"\n"), "test"); err != nil {
			t.Fatal(err)
		}
		page := f.shared(t, png)
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "random"}); rec.Code != http.StatusForbidden {
			t.Fatalf("posting a banned picture: %d %.300s", rec.Code, rec.Body)
		}
		if rec := f.get(page+"/file", nil); rec.Code != http.StatusNotFound {
			t.Errorf("the held file after its ban: %d, want 404", rec.Code)
		}
	})
	t.Run("a refusal of the file lets go of it", func(t *testing.T) {
		jpg := mediatest.JPEG(64, 64)
		page := f.shared(t, jpg[:len(jpg)/2]) // cut off: it is a JPEG, but does not decode
		if rec := f.postShare(t, page, "/upload", map[string]string{"channel": "random"}); rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("posting a broken picture: %d %.300s", rec.Code, rec.Body)
		}
		if rec := f.get(page+"/file", nil); rec.Code != http.StatusNotFound {
			t.Errorf("the held file after its refusal: %d, want 404", rec.Code)
		}
	})
	t.Run("expired", func(t *testing.T) {
		page := f.shared(t, mediatest.PNG(12, 12))
		defer func() { *f.clock = t0 }()
		*f.clock = t0.Add(chatpic.ShareHold - time.Second)
		wantPage(t, f.get(page, nil), http.StatusOK, "The picture you shared")
		*f.clock = t0.Add(chatpic.ShareHold)
		wantPage(t, f.get(page, nil), http.StatusGone, "waited more than 15 minutes", "share it again", `type="file"`)
		if rec := f.get(page+"/file", nil); rec.Code != http.StatusNotFound {
			t.Errorf("the file of an expired share: %d", rec.Code)
		}
		rec := f.postShare(t, page, "/upload", map[string]string{"channel": "random"})
		wantPage(t, rec, http.StatusNotFound, "share it again")
	})
}

// shareMany posts files to the share target as a phone shares several
// pictures at once, each in a "file" part.
func (f fixture) shareMany(t *testing.T, files ...[]byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "holiday")
	for _, b := range files {
		fw, _ := mw.CreateFormFile("file", "IMG_0001.jpg")
		fw.Write(b)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/share", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.serve(req)
}

// TestShareSeveral is several pictures shared at once: all are held, each
// shown on the prefilled page, and posted together as one album, after
// which none is held. A share with a file that is not a picture is refused
// whole, naming that file.
func TestShareSeveral(t *testing.T) {
	f := newFixture(t, nil)
	files := [][]byte{mediatest.PNG(10, 10), mediatest.JPEG(20, 20), mediatest.GIF(8, 8, 2)}
	rec := f.shareMany(t, files...)
	page := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(page, "/share/") {
		t.Fatalf("POST /share: %d %q", rec.Code, page)
	}
	if _, n, ok := chatpic.ParseShareID(strings.TrimPrefix(page, "/share/")); !ok || n != 3 {
		t.Fatalf("share %q holds %d files, want 3", page, n)
	}
	wantPage(t, f.get(page, nil), http.StatusOK, "3 files", "as one upload (an album)",
		`src="`+page+`/file"`, `src="`+page+`/file/2"`, `src="`+page+`/file/3"`, `data-files="3"`)
	for i, want := range []string{"image/png", "image/jpeg", "image/gif"} {
		u := page + "/file"
		if i > 0 {
			u += "/" + strconv.Itoa(i+1)
		}
		if got := f.get(u, nil); got.Code != http.StatusOK || got.Header().Get("Content-Type") != want || !bytes.Equal(got.Body.Bytes(), files[i]) {
			t.Errorf("GET %s: %d %q, want the %s as shared", u, got.Code, got.Header().Get("Content-Type"), want)
		}
	}
	for _, bad := range []string{"/file/4", "/file/1", "/file/02", "/file/x"} {
		if got := f.get(page+bad, nil); got.Code != http.StatusNotFound {
			t.Errorf("GET %s%s: %d, want 404", page, bad, got.Code)
		}
	}

	rec = f.postShare(t, page, "/upload", map[string]string{"channel": "random"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("posting the share: %d %.500s", rec.Code, rec.Body)
	}
	p, err := f.posts.Post(t.Context(), strings.TrimPrefix(rec.Header().Get("Location"), "/p/"))
	if err != nil || p.Files() != 3 || p.More[1].MIME != "image/gif" {
		t.Fatalf("the post: %d files, %v; want the 3 shared", p.Files(), err)
	}
	for _, u := range []string{page + "/file", page + "/file/2", page + "/file/3"} {
		if got := f.get(u, nil); got.Code != http.StatusNotFound {
			t.Errorf("GET %s after posting: %d, want 404: no longer held", u, got.Code)
		}
	}

	rec = f.shareMany(t, mediatest.PNG(10, 10), []byte("plain words, no picture"))
	wantPage(t, rec, http.StatusUnsupportedMediaType, "Nothing was posted", "File 2: This file is not something")
}
