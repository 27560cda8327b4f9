package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestLockedUploadAPI locks a link-only upload with a password through the
// API and opens it as a script would: the post, its comments and its live
// events answer 403 until POST .../views carries the password, whose
// answer's links carry the ticket that shows the files. The password is
// nowhere in the data folder or the log.
func TestLockedUploadAPI(t *testing.T) {
	in := start(t)
	const secret = "Correct-Horse-7319"
	r := in.uploadForm("/api/v1/uploads", mediatest.JPEG(64, 48), map[string]string{"password": secret, "caption": "for your eyes"})
	if r.status != http.StatusCreated {
		t.Fatalf("locked upload: %d %s", r.status, r.body)
	}
	p := decode[postJSON](t, r)

	for _, path := range []string{"/api/v1/posts/" + p.ID, "/api/v1/posts/" + p.ID + "/comments", "/api/v1/posts/" + p.ID + "/events"} {
		got := in.get(path)
		if got.status != http.StatusForbidden || !strings.Contains(string(got.body), `"kind":"forbidden"`) || strings.Contains(string(got.body), "for your eyes") {
			t.Errorf("%s: %d %s; want 403 forbidden", path, got.status, got.body)
		}
	}
	view := func(body string) response {
		req, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+p.ID+"/views", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return in.do(req)
	}
	for _, body := range []string{`{}`, `{"password":"wrong horse"}`} {
		if got := view(body); got.status != http.StatusForbidden {
			t.Errorf("views with %s: %d %s, want 403", body, got.status, got.body)
		}
	}
	if got := view(`{"password":1}`); got.status != http.StatusBadRequest {
		t.Errorf("a password that is not a string: %d, want 400", got.status)
	}
	got := view(`{"password":"` + secret + `"}`)
	var opened struct {
		Caption   string `json:"caption"`
		MediaURL  string `json:"media_url"`
		Ticket    string `json:"ticket"`
		ViewsLeft *int   `json:"views_left"`
	}
	if err := json.Unmarshal(got.body, &opened); err != nil || got.status != http.StatusOK || opened.Caption != "for your eyes" ||
		opened.Ticket == "" || !strings.HasSuffix(opened.MediaURL, "?v="+opened.Ticket) || opened.ViewsLeft != nil {
		t.Fatalf("views with the password: %d %s", got.status, got.body)
	}
	if file := in.get(opened.MediaURL); file.status != http.StatusOK || file.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the file with the ticket: %d %q", file.status, file.header.Get("Content-Type"))
	}
	if containsMarker(t, in.data, []byte(secret)) || strings.Contains(in.log.String(), secret) {
		t.Error("the password was written down")
	}
}
