package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

// albumPictures returns n different JPEG pictures, far apart for PDQ.
func albumPictures(n int, seed uint64) [][]byte {
	var out [][]byte
	for i := range n {
		out = append(out, mediatest.EncodeJPEG(mediatest.Scene(320, 240, seed+uint64(i)*17), 90))
	}
	return out
}

// uploadAlbum uploads files as one post, through the API with one "file"
// part per file, from ip, and returns the post's ID.
func (ts *testSite) uploadAlbum(t *testing.T, channel, ip string, files [][]byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i, f := range files {
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("%d.jpg", i+1))
		fw.Write(f)
	}
	mw.Close()
	req := from(httptest.NewRequest("POST", "/api/v1/channels/"+channel+"/posts", &body), ip)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := serve(ts.handler, req)
	wantCode(t, rec, http.StatusCreated, "the album upload")
	var p struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.ID == "" {
		t.Fatalf("the album upload answered %s", rec.Body)
	}
	return p.ID
}

// queueFiles returns, from the API queue, the files of the item id:
// "n:reports[:removed][:match]" each.
func (ts *testSite) queueFiles(t *testing.T, token, id string) []string {
	t.Helper()
	rec := serve(ts.handler, jsonReq("GET", "/api/v1/mod/queue", "", token))
	wantCode(t, rec, http.StatusOK, "the queue")
	var q struct {
		Items []struct {
			ID    string
			Files []struct {
				Number     int
				PreviewURL string `json:"preview_url"`
				Removed    bool
				Reports    int
				HashMatch  bool `json:"hash_match"`
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	for _, it := range q.Items {
		if it.ID != id {
			continue
		}
		var out []string
		for _, f := range it.Files {
			s := fmt.Sprintf("%d:%d", f.Number, f.Reports)
			if f.Removed {
				s += ":removed"
			}
			if f.HashMatch {
				s += ":match"
			}
			name := id
			if f.Number > 1 {
				name += fmt.Sprintf("-%d", f.Number)
			}
			if !f.Removed && !strings.HasSuffix(f.PreviewURL, "/mod/preview/"+name) {
				t.Errorf("file %d's preview is %q", f.Number, f.PreviewURL)
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// TestAlbumFileReports: reports through the API, a pasted link and the
// post page's form name one file of an album; a file the album does not
// have is refused; the queue counts the reports by file.
func TestAlbumFileReports(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "mo", false)
	id := ts.uploadAlbum(t, "random", "192.0.2.1", albumPictures(3, 1))
	_, single := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 64), nil)

	tests := []struct {
		name     string
		req      *http.Request
		wantCode int
	}{
		{"the API, file 2", jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"spam","file":2}`, ""), http.StatusAccepted},
		{"the API, a file the album does not have", jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"spam","file":4}`, ""), http.StatusBadRequest},
		{"the API, a negative file", jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"spam","file":-1}`, ""), http.StatusBadRequest},
		{"the API, file 2 of a single upload", jsonReq("POST", "/api/v1/posts/"+single+"/reports", `{"reason":"spam","file":2}`, ""), http.StatusBadRequest},
		{"the API, file 1 of a single upload is the upload", jsonReq("POST", "/api/v1/posts/"+single+"/reports", `{"reason":"spam","file":1}`, ""), http.StatusAccepted},
		{"a media link to file 3", jsonReq("POST", "/api/v1/reports", `{"link":"https://example.org/m/`+id+`-3.jpg","reason":"spam"}`, ""), http.StatusAccepted},
		{"a thumbnail link to file 2", jsonReq("POST", "/api/v1/reports", `{"link":"/t/`+id+`-2.jpg","reason":"other"}`, ""), http.StatusAccepted},
		{"a media link to a file the album does not have", jsonReq("POST", "/api/v1/reports", `{"link":"/m/`+id+`-5.jpg","reason":"spam"}`, ""), http.StatusBadRequest},
		{"a page link and file 2", jsonReq("POST", "/api/v1/reports", `{"link":"/p/`+id+`","file":2,"reason":"spam"}`, ""), http.StatusAccepted},
		{"a link to file 2 said to be file 3", jsonReq("POST", "/api/v1/reports", `{"link":"/m/`+id+`-2.jpg","file":3,"reason":"spam"}`, ""), http.StatusBadRequest},
		{"the whole album", jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"spam"}`, ""), http.StatusAccepted},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each from its own client, so that none counts as another's.
			rec := serve(ts.handler, from(tt.req, fmt.Sprintf("198.51.100.%d", i+1)))
			wantCode(t, rec, tt.wantCode, tt.name)
		})
	}
	t.Run("the post page's form", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/p/"+id+"/report", strings.NewReader(url.Values{"reason": {"spam"}, "file": {"3"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantCode(t, serve(ts.handler, from(req, "198.51.100.99")), http.StatusAccepted, "the form")
	})
	t.Run("the removal request form names the file", func(t *testing.T) {
		rec := serve(ts.handler, httptest.NewRequest("GET", "/report?link=/p/"+id+"&file=2", nil))
		wantCode(t, rec, http.StatusOK, "the form")
		if !strings.Contains(rec.Body.String(), `name="file" value="2"`) {
			t.Fatalf("the form does not carry file 2: %.2000s", rec.Body)
		}
	})

	// Three spam reports hid the album as a whole (the channel's threshold).
	if rec := serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil)); rec.Code != http.StatusNotFound {
		t.Errorf("the reported album answers %d, want 404 (hidden)", rec.Code)
	}
	got := fmt.Sprint(ts.queueFiles(t, token, id))
	if want := fmt.Sprint([]string{"1:0", "2:3", "3:2"}); got != want {
		t.Fatalf("queue files %s, want %s", got, want)
	}
}

// TestRemoveAlbumFile walks the removal of one file of an album: the file
// answers 410, its bytes and thumbnail go, its hashes are banned (the
// other files' are not), the audit names it, the rest stays; removing the
// last file removes the upload.
func TestRemoveAlbumFile(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "mo", false)
	pictures := albumPictures(3, 40)
	id := ts.uploadAlbum(t, "random", "192.0.2.1", pictures)
	for _, path := range []string{"/m/" + id + ".jpg", "/m/" + id + "-2.jpg", "/t/" + id + "-2.jpg", "/m/" + id + "-3.jpg"} {
		wantCode(t, serve(ts.handler, httptest.NewRequest("GET", path, nil)), http.StatusOK, path+" before")
	}
	// A victim's report of file 2 hides the whole album at once.
	wantCode(t, serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"ncii","file":2}`, ""), "198.51.100.7")),
		http.StatusAccepted, "the victim's report")
	wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/m/"+id+"-3.jpg", nil)), http.StatusNotFound, "another file of the hidden album")

	// The queue page shows every file blurred, marks the reported one and
	// offers to remove each.
	rec := serve(ts.handler, jsonReq("GET", "/mod", "", token))
	wantCode(t, rec, http.StatusOK, "the queue page")
	for _, want := range []string{
		`src="/mod/preview/` + id + `"`, `src="/mod/preview/` + id + `-2"`, `src="/mod/preview/` + id + `-3"`,
		`action="/mod/posts/` + id + `/files/2/remove"`, "named by 1 report", "Remove this file", "Remove the whole album",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the queue page lacks %q", want)
		}
	}
	wantCode(t, serve(ts.handler, jsonReq("GET", "/mod/preview/"+id+"-2", "", token)), http.StatusOK, "file 2's preview")

	removeFile := func(n string, body string) *httptest.ResponseRecorder {
		return serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/files/"+n+"/remove", body, token))
	}
	wantCode(t, removeFile("2", `{"reason":"shared without consent","ban":true}`), http.StatusOK, "remove file 2 with a ban")

	for _, tt := range []struct {
		path string
		code int
	}{
		// The album stays hidden until a moderator restores the rest.
		{"/m/" + id + "-2.jpg", http.StatusNotFound},
		{"/m/" + id + "-3.jpg", http.StatusNotFound},
	} {
		rec := serve(ts.handler, httptest.NewRequest("GET", tt.path, nil))
		wantCode(t, rec, tt.code, tt.path+" after the removal")
	}
	if got := fmt.Sprint(ts.queueFiles(t, token, id)); got != fmt.Sprint([]string{"1:0", "2:0:removed", "3:0"}) {
		t.Fatalf("queue files %s", got)
	}
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/restore", `{}`, token)), http.StatusOK, "restore the rest")
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/m/" + id + ".jpg", http.StatusOK},
		{"/m/" + id + "-2.jpg", http.StatusGone},
		{"/t/" + id + "-2.jpg", http.StatusGone},
		{"/m/" + id + "-3.jpg", http.StatusOK},
	} {
		rec := serve(ts.handler, httptest.NewRequest("GET", tt.path, nil))
		wantCode(t, rec, tt.code, tt.path+" after the restore")
		if tt.code == http.StatusGone && !strings.Contains(rec.Body.String(), "removed") {
			t.Errorf("%s: %s does not say removed", tt.path, rec.Body)
		}
	}
	rec = serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"spam","file":2}`, ""), "198.51.100.8"))
	wantCode(t, rec, http.StatusGone, "a report of the removed file")
	for _, tt := range []struct {
		key    string
		exists bool
	}{
		{"media/" + id + "-2.jpg", false}, {"thumb/" + id + "-2.jpg", false},
		{"media/" + id + ".jpg", true}, {"media/" + id + "-3.jpg", true}, {"thumb/" + id + "-3.jpg", true},
	} {
		_, err := ts.blobs.Stat(context.Background(), tt.key)
		if exists := err == nil; exists != tt.exists {
			t.Errorf("%s exists = %v (%v), want %v", tt.key, exists, err, tt.exists)
		}
	}

	// File 2 may not come back; file 1 was not banned.
	rec, _ = ts.upload(t, "photography", "192.0.2.20", pictures[1], nil)
	wantCode(t, rec, http.StatusForbidden, "file 2 again")
	rec, _ = ts.upload(t, "photography", "192.0.2.21", pictures[0], nil)
	wantCode(t, rec, http.StatusCreated, "file 1 again")

	rec = serve(ts.handler, jsonReq("GET", "/api/v1/mod/audit", "", token))
	for _, want := range []string{
		`"action":"remove_file","target":"` + id + `-2","reason":"shared without consent","category":"ncii"`,
		`"action":"ban_hashes","target":"` + id + `-2"`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the audit lacks %s: %s", want, rec.Body)
		}
	}
	rec = serve(ts.handler, jsonReq("GET", "/mod/audit", "", token))
	if !strings.Contains(rec.Body.String(), "remove file") || !strings.Contains(rec.Body.String(), `<a href="/p/`+id+`"><code>`+id+`-2</code>`) {
		t.Errorf("the audit page does not show the file's removal with a link to its upload")
	}

	refusals := []struct {
		name, n string
		code    int
	}{
		{"the same file again", "2", http.StatusConflict},
		{"a file the album does not have", "4", http.StatusNotFound},
		{"file 0", "0", http.StatusNotFound},
		{"a leading zero", "03", http.StatusNotFound},
		{"not a number", "two", http.StatusNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, removeFile(tt.n, `{"reason":"x"}`), tt.code, tt.name)
		})
	}

	// The web form removes file 1; then the last file takes the upload.
	form := url.Values{"statement": {"spam"}, "back": {"/mod"}}
	req := httptest.NewRequest("POST", "/mod/posts/"+id+"/files/1/remove", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	rec = serve(ts.handler, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod?done=file_removed" {
		t.Fatalf("the web form: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/m/"+id+".jpg", nil)), http.StatusGone, "file 1 after the form")
	wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/m/"+id+"-3.jpg", nil)), http.StatusOK, "file 3 after the form")

	wantCode(t, removeFile("3", `{"reason":"the last one"}`), http.StatusOK, "remove the last file")
	rec = serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil))
	wantCode(t, rec, http.StatusGone, "the upload after its last file")
	if !strings.Contains(rec.Body.String(), `"reason":"removed"`) || !strings.Contains(rec.Body.String(), "the last one") {
		t.Fatalf("tombstone %s", rec.Body)
	}
	for _, key := range []string{"media/" + id + "-3.jpg", "thumb/" + id + "-3.jpg"} {
		if _, err := ts.blobs.Stat(context.Background(), key); chatpic.ErrorKind(err) != chatpic.KindNotFound {
			t.Errorf("%s after the upload went: %v", key, err)
		}
	}
}

// TestRemoveAlbumWithBanBansEveryFile: removing an album with a ban bans
// every one of its pictures, one removed from it before included.
func TestRemoveAlbumWithBanBansEveryFile(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "mo", false)
	pictures := albumPictures(3, 70)
	id := ts.uploadAlbum(t, "random", "192.0.2.1", pictures)
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/files/1/remove", `{"reason":"first"}`, token)),
		http.StatusOK, "remove file 1 without a ban")
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/remove", `{"reason":"all of it","ban":true}`, token)),
		http.StatusOK, "remove the album with a ban")
	for i, picture := range pictures {
		rec, _ := ts.upload(t, "photography", fmt.Sprintf("192.0.2.%d", 10+i), picture, nil)
		wantCode(t, rec, http.StatusForbidden, fmt.Sprintf("picture %d again", i+1))
		// Recompressed, the same picture is known by its PDQ hash.
		scene := mediatest.Scene(320, 240, 70+uint64(i)*17)
		rec, _ = ts.upload(t, "photography", fmt.Sprintf("192.0.2.%d", 20+i), mediatest.EncodeJPEG(scene, 50), nil)
		wantCode(t, rec, http.StatusForbidden, fmt.Sprintf("picture %d recompressed", i+1))
	}
	rec, _ := ts.upload(t, "photography", "192.0.2.30", albumPictures(1, 500)[0], nil)
	wantCode(t, rec, http.StatusCreated, "an unrelated picture")
}

// TestRemovedFileOnTwoInstances: two instances share the store, the files
// and the events; each has served an album's second file, and so
// remembers the album as visible. A removal of that file on one makes it
// answer 410 at once on both.
func TestRemovedFileOnTwoInstances(t *testing.T) {
	st := storagetest.Open(t, chatpic.DefaultChannels()...)
	broker := events.NewMemory(events.Options{})
	a := newTestSiteOn(t, st, broker, nil, nil)
	b := newTestSiteOn(t, st, broker, nil, nil)
	token := a.moderator(t, "mo", false)
	id := a.uploadAlbum(t, "random", "192.0.2.1", albumPictures(3, 90))
	for _, ts := range []*testSite{a, b} {
		wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/m/"+id+"-2.jpg", nil)), http.StatusOK, "file 2 before")
	}
	wantCode(t, serve(a.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/files/2/remove", `{"reason":"x"}`, token)),
		http.StatusOK, "remove file 2 on A")
	for name, ts := range map[string]*testSite{"A": a, "B": b} {
		for _, path := range []string{"/m/" + id + "-2.jpg", "/t/" + id + "-2.jpg"} {
			rec := serve(ts.handler, httptest.NewRequest("GET", path, nil))
			wantCode(t, rec, http.StatusGone, path+" on "+name)
		}
		wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/m/"+id+"-3.jpg", nil)), http.StatusOK, "file 3 on "+name)
	}
}

// TestRemovedFileEvent: removing one file of an album tells the streams of
// the album and of its channel, with a "changed" event (which the OpenAPI
// document describes: every event is checked against it).
func TestRemovedFileEvent(t *testing.T) {
	ts := newTestSite(t, nil)
	srv := httptest.NewServer(ts.handler)
	t.Cleanup(srv.Close)
	token := ts.moderator(t, "mo", false)
	id := ts.uploadAlbum(t, "random", "192.0.2.1", albumPictures(3, 120))
	channel := openStream(t, srv.URL+"/api/v1/channels/random/events", "")
	post := openStream(t, srv.URL+"/api/v1/posts/"+id+"/events", "")
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/files/1/remove", `{"reason":"x"}`, token)),
		http.StatusOK, "remove file 1")
	for name, next := range map[string]func() sse{"channel": channel, "post": post} {
		ev := next()
		if ev.typ != "changed" || ev.data != `{"cover":2,"id":"`+id+`","removed_file":1}` {
			t.Errorf("%s stream: %+v, want changed, file 1 removed, file 2 the cover", name, ev)
		}
	}

	// A hidden album's change is told to its own stream only: the
	// channel's must not name it. The channel's next event is then the
	// upload that follows.
	wantCode(t, serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"ncii","file":3}`, ""), "198.51.100.1")),
		http.StatusAccepted, "a report that hides the album")
	if ev := channel(); ev.typ != "gone" || !strings.Contains(ev.data, `"reason":"hidden"`) {
		t.Fatalf("channel stream: %+v, want the album hidden", ev)
	}
	if ev := post(); ev.typ != "gone" {
		t.Fatalf("post stream: %+v, want the album hidden", ev)
	}
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/files/3/remove", `{"reason":"x"}`, token)),
		http.StatusOK, "remove file 3 of the hidden album")
	if ev := post(); ev.typ != "changed" || !strings.Contains(ev.data, `"removed_file":3`) {
		t.Fatalf("post stream: %+v, want changed", ev)
	}
	next, _ := ts.upload(t, "random", "192.0.2.2", mediatest.JPEG(32, 32), nil)
	wantCode(t, next, http.StatusCreated, "the next upload")
	if ev := channel(); ev.typ != "post" {
		t.Fatalf("channel stream: %+v, want the next upload, nothing of the hidden album", ev)
	}
}

// TestQueueMatchesEveryFile: the queue's hash match looks at every file of
// an album, and says which matched.
func TestQueueMatchesEveryFile(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	id := ts.uploadAlbum(t, "random", "192.0.2.1", albumPictures(3, 150))
	wantCode(t, serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"other"}`, ""), "198.51.100.1")),
		http.StatusAccepted, "a report")
	if got := fmt.Sprint(ts.queueFiles(t, admin, id)); got != fmt.Sprint([]string{"1:0", "2:0", "3:0"}) {
		t.Fatalf("queue files before the import: %s", got)
	}
	// A list imported after the upload names its third picture.
	h, _ := pdq.Compute(mediatest.Scene(320, 240, 150+2*17))
	req := httptest.NewRequest("POST", "/api/v1/mod/hashes", strings.NewReader("pdq "+h.String()+" known picture\n"))
	req.Header.Set("Authorization", "Bearer "+admin)
	wantCode(t, serve(ts.handler, req), http.StatusOK, "import")
	if got := fmt.Sprint(ts.queueFiles(t, admin, id)); got != fmt.Sprint([]string{"1:0", "2:0", "3:0:match"}) {
		t.Fatalf("queue files after the import: %s", got)
	}
	rec := serve(ts.handler, jsonReq("GET", "/api/v1/mod/queue", "", admin))
	if !strings.Contains(rec.Body.String(), `"hash_match":true,"preview_url"`) {
		t.Errorf("the item does not say it matches: %s", rec.Body)
	}
}
