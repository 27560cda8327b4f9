package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/api"
	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestOpenAPIDocument: GET /api/v1/openapi.json answers the embedded
// document as JSON, with an ETag that a client sends back to get 304.
func TestOpenAPIDocument(t *testing.T) {
	ts := newTestSite(t, nil)
	rec := serve(ts.handler, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	wantCode(t, rec, http.StatusOK, "the document")
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), api.OpenAPI()) {
		t.Error("the answer is not the embedded document")
	}
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	if rec := serve(ts.handler, req); etag == "" || rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("again with its ETag %q: %d %q, want 304", etag, rec.Code, rec.Body)
	}
}

// TestCrossSiteAPIRequestsAnswerJSON: a request that changes something,
// sent by a browser from another site, is refused under /api/ with the
// API's JSON error, as every error of the API is.
func TestCrossSiteAPIRequestsAnswerJSON(t *testing.T) {
	ts := newTestSite(t, nil)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.PNG(8, 8), nil)
	req := jsonReq("POST", "/api/v1/posts/"+id+"/votes", `{"value":1}`, "")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := serve(ts.handler, req)
	wantCode(t, rec, http.StatusForbidden, "a cross-site vote")
	var e apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Kind != "forbidden" || e.Error.Message == "" {
		t.Fatalf("got %q %s, want a JSON error of kind forbidden", rec.Header().Get("Content-Type"), rec.Body)
	}
}

// TestModerationAnswers walks the moderation operations that the tests of
// what they do reach only through pages or the service, so that their
// answers too are checked against the document: a comment reported,
// restored, its poster banned, removed, and then not restored; the moderators listed, one
// added and removed; the transparency figures; an upload and a comment
// that wait for review.
func TestModerationAnswers(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.PNG(8, 8), nil)
	rec := serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/comments", `{"body":"hello"}`, ""), "192.0.2.2"))
	wantCode(t, rec, http.StatusCreated, "a comment")
	var c struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &c)

	tests := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/comments/" + c.ID + "/reports", `{"reason":"spam","note":"ads"}`, http.StatusAccepted},
		{"GET", "/api/v1/mod/queue", "", http.StatusOK},
		{"POST", "/api/v1/mod/comments/" + c.ID + "/restore", `{"reason":"not spam after all"}`, http.StatusOK},
		{"POST", "/api/v1/mod/comments/" + c.ID + "/ban", `{"reason":"spam elsewhere"}`, http.StatusOK},
		{"POST", "/api/v1/mod/comments/" + c.ID + "/remove", `{"reason":"spam","category":"spam"}`, http.StatusOK},
		{"POST", "/api/v1/mod/comments/" + c.ID + "/restore", `{"reason":"too late"}`, http.StatusConflict},
		{"GET", "/api/v1/posts/" + id + "/comments", "", http.StatusOK},
		{"POST", "/api/v1/mod/moderators", `{"name":"eve","password":"long enough password"}`, http.StatusOK},
		{"POST", "/api/v1/mod/moderators", `{"name":"eve","password":"long enough password"}`, http.StatusConflict},
		{"GET", "/api/v1/mod/moderators", "", http.StatusOK},
		{"DELETE", "/api/v1/mod/moderators/eve", "", http.StatusNoContent},
		{"DELETE", "/api/v1/mod/moderators/eve", "", http.StatusNotFound},
		{"GET", "/api/v1/mod/audit?limit=5", "", http.StatusOK},
		{"GET", "/api/v1/transparency", "", http.StatusOK},
	}
	for _, tt := range tests {
		rec := serve(ts.handler, jsonReq(tt.method, tt.path, tt.body, admin))
		wantCode(t, rec, tt.want, tt.method+" "+tt.path)
	}
	if rec := serve(ts.handler, jsonReq("GET", "/api/v1/transparency", "", "")); !strings.Contains(rec.Body.String(), `"spam":1`) {
		t.Errorf("the transparency figures do not count the report: %s", rec.Body)
	}

	// Under pre-moderation, an upload and a comment wait: 202.
	wantCode(t, serve(ts.handler, jsonReq("PATCH", "/api/v1/mod/channels/random", `{"premod":"all","reason":"a raid"}`, admin)),
		http.StatusOK, "pre-moderation on")
	rec, _ = ts.upload(t, "random", "192.0.2.3", mediatest.PNG(9, 9), nil)
	wantCode(t, rec, http.StatusAccepted, "an upload that waits")
	wantCode(t, serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/comments", `{"body":"later"}`, ""), "192.0.2.4")),
		http.StatusAccepted, "a comment that waits")
}
