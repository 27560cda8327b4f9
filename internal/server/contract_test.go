package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/request"
)

// jsonEndpoints names, for every route of the JSON API whose body carries
// fields, a field it takes (text, when it has a text field) and a body
// with a value of the wrong type. TestJSONErrorContract fails for a route
// with a body that is in neither this nor bodiesNotJSON, so a new endpoint
// cannot escape the walk.
var jsonEndpoints = map[string]struct {
	field     string
	text      bool
	wrongType string
}{
	"POST /api/v1/posts/{id}/comments":             {"body", true, `{"body":["nice"]}`},
	"POST /api/v1/posts/{id}/votes":                {"value", false, `{"value":"1"}`},
	"POST /api/v1/posts/{id}/reports":              {"note", true, `{"reason":1}`},
	"POST /api/v1/comments/{id}/reports":           {"note", true, `{"note":false}`},
	"POST /api/v1/reports":                         {"link", true, `{"link":{"href":"x"}}`},
	"POST /api/v1/mod/posts/{id}/remove":           {"reason", true, `{"reason":"x","ban":1}`},
	"POST /api/v1/mod/posts/{id}/files/{n}/remove": {"reason", true, `{"reason":"x","ban":"yes"}`},
	"POST /api/v1/mod/posts/{id}/restore":          {"reason", true, `{"reason":null}`},
	"POST /api/v1/mod/posts/{id}/ban":              {"reason", true, `{"reason":2}`},
	"POST /api/v1/mod/comments/{id}/remove":        {"reason", true, `{"ban":"true"}`},
	"POST /api/v1/mod/comments/{id}/restore":       {"reason", true, `{"reason":true}`},
	"POST /api/v1/mod/comments/{id}/ban":           {"reason", true, `{"reason":[]}`},
	"POST /api/v1/mod/channels/{slug}/lock":        {"reason", true, `{"reason":1.5}`},
	"POST /api/v1/mod/channels/{slug}/unlock":      {"reason", true, `{"reason":{}}`},
	"PATCH /api/v1/mod/channels/{slug}":            {"ttl", true, `{"capacity":"100"}`},
	"POST /api/v1/mod/moderators":                  {"name", true, `{"name":"eve","password":"long enough password","admin":"yes"}`},
}

// bodiesNotJSON are the API routes whose body is not fields, or not read.
var bodiesNotJSON = map[string]string{
	"POST /api/v1/channels/{slug}/posts": "a multipart upload",
	"POST /api/v1/uploads":               "a multipart upload",
	"POST /api/v1/mod/hashes":            "a text/plain hash list",
	"POST /api/v1/posts/{id}/views":      "spending a view reads no body",
}

// concrete fills a route's path in with values that reach its handler.
func concrete(path string) string {
	return strings.NewReplacer("{id}", chatpic.NewID(), "{slug}", "random", "{name}", "nobody", "{$}", "").Replace(path)
}

// TestJSONErrorContract walks every JSON endpoint in the route table with
// bodies that break the contract: too large (413 too_large, whether sent
// or only announced), not UTF-8, a NUL byte raw or escaped, half a
// surrogate pair, an unknown field, a value of the wrong type, trailing
// data, not an object, another content type; and the same text faults in
// a form, which the API takes too.
func TestJSONErrorContract(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	routes := table(ts.pages, ts.api, nil, Deps{})
	walked := 0
	for pattern := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		if !strings.HasPrefix(path, "/api/") || method != "POST" && method != "PATCH" && method != "PUT" {
			continue
		}
		if _, ok := bodiesNotJSON[pattern]; ok {
			continue
		}
		ep, ok := jsonEndpoints[pattern]
		if !ok {
			t.Errorf("%s takes a body but is not in jsonEndpoints: add it, so the walk covers it", pattern)
			continue
		}
		walked++
		big := `{"` + ep.field + `":"` + strings.Repeat("a", request.MaxBody) + `"}`
		tests := []struct {
			name, contentType, body string
			announce                int64 // a Content-Length to claim, if not 0
			wantCode                int
			wantKind, wantMessage   string
		}{
			{"a body over the limit", "application/json", big, 0, 413, "too_large", "limited to"},
			{"a body announced over the limit", "application/json", `{}`, request.MaxBody + 1, 413, "too_large", "limited to"},
			{"invalid UTF-8", "application/json", `{"` + ep.field + "\":\"caf\xe9\"}", 0, 400, "invalid", "UTF-8"},
			{"a NUL byte", "application/json", `{"` + ep.field + "\":\"a\x00b\"}", 0, 400, "invalid", "NUL"},
			{"an unknown field", "application/json", `{"surely_not_a_field":"x"}`, 0, 400, "invalid", `unknown field "surely_not_a_field"`},
			{"a value of the wrong type", "application/json", ep.wrongType, 0, 400, "invalid", "must be"},
			{"data after the object", "application/json", `{} {}`, 0, 400, "invalid", "goes on after"},
			{"not an object", "application/json", `["x"]`, 0, 400, "invalid", "not a JSON object"},
			{"a field given twice", "application/json", `{"` + ep.field + `":null,"` + ep.field + `":null}`, 0, 400, "invalid", ""},
			{"another content type", "text/plain", "reason: spam", 0, 415, "unsupported", "application/json"},
			{"a form with invalid UTF-8", "application/x-www-form-urlencoded", ep.field + "=caf%E9", 0, 400, "invalid", "UTF-8"},
			{"a form with a NUL byte", "application/x-www-form-urlencoded", ep.field + "=a%00b", 0, 400, "invalid", "NUL"},
			{"a form over the limit", "application/x-www-form-urlencoded", ep.field + "=" + strings.Repeat("a", request.MaxBody), 0, 413, "too_large", ""},
		}
		if ep.text {
			tests = append(tests,
				struct {
					name, contentType, body string
					announce                int64
					wantCode                int
					wantKind, wantMessage   string
				}{"an escaped NUL", "application/json", `{"` + ep.field + `":"a\u0000b"}`, 0, 400, "invalid", "NUL"},
				struct {
					name, contentType, body string
					announce                int64
					wantCode                int
					wantKind, wantMessage   string
				}{"half a surrogate pair", "application/json", `{"` + ep.field + `":"a\ud83d b"}`, 0, 400, "invalid", "surrogate"},
			)
		}
		for _, tt := range tests {
			t.Run(pattern+" "+tt.name, func(t *testing.T) {
				req := httptest.NewRequest(method, concrete(path), strings.NewReader(tt.body))
				req.Header.Set("Content-Type", tt.contentType)
				req.Header.Set("Authorization", "Bearer "+admin)
				if tt.announce != 0 {
					req.ContentLength = tt.announce
				}
				rec := serve(ts.handler, req)
				var e struct {
					Error struct{ Kind, Message string }
				}
				json.Unmarshal(rec.Body.Bytes(), &e)
				if rec.Code != tt.wantCode || e.Error.Kind != tt.wantKind || !strings.Contains(e.Error.Message, tt.wantMessage) {
					t.Fatalf("got %d %s, want %d %s with %q", rec.Code, rec.Body, tt.wantCode, tt.wantKind, tt.wantMessage)
				}
			})
		}
	}
	if walked < len(jsonEndpoints) {
		t.Errorf("walked %d JSON endpoints, but jsonEndpoints names %d: a stale entry?", walked, len(jsonEndpoints))
	}

	t.Run("the hash list announced over its limit", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/v1/mod/hashes", strings.NewReader("sha256 00\n"))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+admin)
		req.ContentLength = 1 << 40
		rec := serve(ts.handler, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"kind":"too_large"`) {
			t.Fatalf("got %d %s, want 413 too_large", rec.Code, rec.Body)
		}
	})
	t.Run("the right types still go through", func(t *testing.T) {
		wantCode(t, serve(ts.handler, jsonReq("PATCH", "/api/v1/mod/channels/random", `{"capacity":50,"ttl":"2h","report_threshold":null}`, admin)),
			http.StatusOK, "channel settings")
		wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/moderators", `{"name":"eve","password":"long enough password","admin":false}`, admin)),
			http.StatusOK, "a new moderator")
	})
}

// formsNoFields are the page routes whose body is never read.
var formsNoFields = map[string]string{
	"POST /mod/logout":     "signing out reads no fields",
	"POST /d/{id}/{token}": "the deletion link carries its token; its confirmation form has no fields",
	"POST /share":          "the share target reads only its file, skipping any text part unread (web's TestShareTargetRefusals)",
}

// uploadForms are the page routes whose form is a multipart upload.
var uploadForms = map[string]bool{"POST /c/{slug}": true, "POST /upload": true, "POST /link": true}

// TestFormErrorContract walks every form of the pages in the route table
// with text that is not UTF-8 and with a NUL byte (400), and a form over
// its limit (413), as a moderator so that the moderation forms read it.
func TestFormErrorContract(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	routes := table(ts.pages, ts.api, nil, Deps{})
	walked := 0
	for pattern := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		if method != "POST" || strings.HasPrefix(path, "/api/") || formsNoFields[pattern] != "" {
			continue
		}
		walked++
		// An upload's caption is checked as a caption, which has no
		// control characters at all.
		nul := "holds a NUL byte"
		if uploadForms[pattern] {
			nul = "holds control characters"
		}
		tests := []struct {
			name, value string
			wantCode    int
			want        string
		}{
			{"invalid UTF-8", "caf\xe9", http.StatusBadRequest, "must be UTF-8 text"},
			{"a NUL byte", "a\x00b", http.StatusBadRequest, nul},
		}
		if !uploadForms[pattern] {
			tests[0].want = "not valid UTF-8 text"
			tests = append(tests, struct {
				name, value string
				wantCode    int
				want        string
			}{"a form over the limit", strings.Repeat("a", request.MaxBody), http.StatusRequestEntityTooLarge, "limited to 32 KB"})
		}
		for _, tt := range tests {
			t.Run(pattern+" "+tt.name, func(t *testing.T) {
				var req *http.Request
				if uploadForms[pattern] {
					var body bytes.Buffer
					mw := multipart.NewWriter(&body)
					mw.WriteField("channel", "random")
					mw.WriteField("caption", tt.value)
					fw, _ := mw.CreateFormFile("file", "x.png")
					fw.Write(mediatest.PNG(8, 8))
					mw.Close()
					req = httptest.NewRequest(method, concrete(path), &body)
					req.Header.Set("Content-Type", mw.FormDataContentType())
				} else {
					// The fields the forms read, all with the same text.
					form := url.Values{"value": {"1"}}
					for _, name := range []string{"name", "password", "body", "note", "reason", "statement", "token", "link"} {
						form.Set(name, tt.value)
					}
					req = httptest.NewRequest(method, concrete(path), strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Authorization", "Bearer "+admin)
				rec := serve(ts.handler, req)
				if rec.Code != tt.wantCode {
					t.Fatalf("got %d, want %d: %.500s", rec.Code, tt.wantCode, rec.Body)
				}
				if !strings.Contains(rec.Body.String(), tt.want) {
					t.Fatalf("the page does not say %q: %.3000s", tt.want, rec.Body)
				}
			})
		}
	}
	if walked < 15 {
		t.Fatalf("only %d forms in the table; the walk proves little", walked)
	}
}
