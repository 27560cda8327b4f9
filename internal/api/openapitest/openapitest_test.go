package openapitest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatpic/chatpic/internal/api"
)

// TestDocumentIsValid: the document is a valid OpenAPI 3.1 document, by
// the specification's own schema.
func TestDocumentIsValid(t *testing.T) {
	for _, err := range Document() {
		t.Error(err)
	}
}

// TestDocumentNamesEveryRoute: every route of the API has an operation in
// the document, and every operation a route; the catch-all "/api/" aside,
// whose answer Check knows.
func TestDocumentNamesEveryRoute(t *testing.T) {
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	routes := new(api.API).Routes()
	delete(routes, "/api/")
	for _, p := range slices.Sorted(maps.Keys(routes)) {
		if !slices.Contains(ops, p) {
			t.Errorf("the route %s has no operation in the document", p)
		}
	}
	for _, op := range ops {
		if _, ok := routes[op]; !ok {
			t.Errorf("the document's operation %s has no route", op)
		}
	}
	if len(ops) < 30 {
		t.Errorf("the document has %d operations; the walk proves little", len(ops))
	}
}

// recordingT is a testing.TB whose Errorf is kept, not reported, so that a
// test can see what the wrappers report.
type recordingT struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingT) reported() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

const channel = `{"slug":"random","title":"Random","description":"","rule":"keeps the newest 100","capacity":100,"max_files":10,` +
	`"ttl_seconds":0,"nsfw":false,"count":0,"last_post_at":null,"url":"http://example.com/c/random","forecast_seconds":null}`

const post = `{"id":"abc","channel":"random","url":"http://example.com/p/abc","media_url":"http://example.com/m/abc.jpg",` +
	`"thumb_url":"http://example.com/t/abc.webp","caption":"","kind":"image","mime":"image/jpeg","width":1,"height":1,` +
	`"bytes":10,"duration_seconds":null,"frames":1,"score":0,"comment_count":0,"views_left":null,` +
	`"created_at":"2026-01-02T03:04:05Z","expires_at":null,"status":"visible","sensitive":false,` +
	`"media":[{"url":"http://example.com/m/abc.jpg","thumb_url":"http://example.com/t/abc.webp","kind":"image","mime":"image/jpeg",` +
	`"width":1,"height":1,"bytes":10,"duration_seconds":null,"frames":1,"removed":false}]}`

// TestChecksCatchDrift: answers that drift from the document, in each way
// a handler can drift, make both wrappers report; answers that keep to it
// make them report nothing. Without this the hook could pass everything.
func TestChecksCatchDrift(t *testing.T) {
	type answer struct {
		status      int
		contentType string
		header      map[string]string
		body        string
	}
	tests := []struct {
		name, method, path string
		answer             answer
		want               string // in the report; "" for none
	}{
		{"a channel as documented", "GET", "/api/v1/channels/random", answer{200, "application/json; charset=utf-8", nil, channel}, ""},
		{"an upload as documented", "GET", "/api/v1/posts/abc", answer{200, "application/json", nil, post}, ""},
		{"an extra field", "GET", "/api/v1/channels/random", answer{200, "application/json", nil, strings.Replace(channel, `{`, `{"secret":1,`, 1)}, "secret"},
		{"a field of the wrong type", "GET", "/api/v1/channels/random", answer{200, "application/json", nil, strings.Replace(channel, `"count":0`, `"count":"0"`, 1)}, "count"},
		{"a missing field", "GET", "/api/v1/channels/random", answer{200, "application/json", nil, strings.Replace(channel, `"nsfw":false,`, ``, 1)}, "nsfw"},
		{"null where it may not be", "GET", "/api/v1/posts/abc", answer{200, "application/json", nil, strings.Replace(post, `"frames":1`, `"frames":1,"caption2":null`, 1)}, "caption2"},
		{"a delete token where the upload is only read", "GET", "/api/v1/posts/abc", answer{200, "application/json", nil, strings.Replace(post, `{`, `{"delete_token":"t",`, 1)}, "delete_token"},
		{"a value out of its enum", "GET", "/api/v1/posts/abc", answer{200, "application/json", nil, strings.Replace(post, `"kind":"image"`, `"kind":"audio"`, 1)}, "kind"},
		{"a malformed timestamp", "GET", "/api/v1/posts/abc", answer{200, "application/json", nil, strings.Replace(post, `2026-01-02T03:04:05Z`, `yesterday`, 1)}, "created_at"},
		{"an undocumented status", "GET", "/api/v1/channels/random", answer{418, "application/json", nil, `{"error":{"kind":"internal","message":"x"}}`}, "418"},
		{"another content type", "GET", "/api/v1/channels/random", answer{200, "text/html", nil, `<p>hi</p>`}, "text/html"},
		{"an error of the wrong kind for its status", "GET", "/api/v1/posts/abc", answer{404, "application/json", nil, `{"error":{"kind":"gone","message":"gone","reason":"expired"}}`}, "not_found"},
		{"an error not in the error shape", "GET", "/api/v1/posts/abc", answer{404, "application/json", nil, `{"message":"no"}`}, "error"},
		{"a gone without its reason", "GET", "/api/v1/posts/abc", answer{410, "application/json", nil, `{"error":{"kind":"gone","message":"gone"}}`}, "reason"},
		{"a gone with its reason", "GET", "/api/v1/posts/abc", answer{410, "application/json", nil, `{"error":{"kind":"gone","message":"gone","reason":"expired"}}`}, ""},
		{"a rate limit without Retry-After", "POST", "/api/v1/posts/abc/votes", answer{429, "application/json", nil, `{"error":{"kind":"rate_limited","message":"slow down","retry_after":3}}`}, "Retry-After"},
		{"a rate limit with Retry-After", "POST", "/api/v1/posts/abc/votes", answer{429, "application/json", map[string]string{"Retry-After": "3"}, `{"error":{"kind":"rate_limited","message":"slow down","retry_after":3}}`}, ""},
		{"a body where the document has none", "DELETE", "/api/v1/posts/abc", answer{204, "application/json", nil, `{"ok":true}`}, "body"},
		{"no body where the document has none", "DELETE", "/api/v1/posts/abc", answer{204, "", nil, ``}, ""},
		{"an event stream", "GET", "/api/v1/channels/random/events", answer{200, "text/event-stream", nil, "retry: 3000\n\n"}, ""},
		{"an event stream of the wrong type", "GET", "/api/v1/channels/random/events", answer{200, "application/json", nil, `{}`}, "application/json"},
		{"a path no operation has, answered", "GET", "/api/v1/nothing", answer{200, "application/json", nil, `{}`}, "matches no operation"},
		{"a path no operation has, answered not found", "GET", "/api/v1/nothing", answer{404, "application/json", nil, `{"error":{"kind":"not_found","message":"no"}}`}, ""},
		{"a method no operation has, answered not found", "PUT", "/api/v1/channels", answer{404, "application/json", nil, `{"error":{"kind":"not_found","message":"no"}}`}, ""},
		{"a HEAD of a GET", "HEAD", "/api/v1/channels/random", answer{200, "application/json", nil, ""}, ""},
		{"a HEAD answered with an undocumented status", "HEAD", "/api/v1/channels/random", answer{410, "application/json", nil, ""}, "410"},
		{"a HEAD where there is no GET, answered not found", "HEAD", "/api/v1/uploads", answer{404, "application/json", nil, ""}, ""},
		{"a page outside the API", "GET", "/c/random", answer{200, "text/html", nil, `<p>anything</p>`}, ""},
	}
	for _, tt := range tests {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.answer.contentType != "" {
				w.Header().Set("Content-Type", tt.answer.contentType)
			}
			for k, v := range tt.answer.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(tt.answer.status)
			io.WriteString(w, tt.answer.body)
		})
		check := func(t *testing.T, rt *recordingT) {
			t.Helper()
			got := rt.reported()
			switch {
			case tt.want == "" && got != "":
				t.Errorf("reported a faithful answer:\n%s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("reported %q, want a report that names %q", got, tt.want)
			}
		}
		t.Run(tt.name+" through Handler", func(t *testing.T) {
			rt := &recordingT{TB: t}
			rec := httptest.NewRecorder()
			Handler(rt, h).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.answer.status || rec.Body.String() != tt.answer.body {
				t.Errorf("the wrapper changed the answer: %d %q", rec.Code, rec.Body)
			}
			check(t, rt)
		})
		t.Run(tt.name+" through Transport", func(t *testing.T) {
			if tt.answer.status == http.StatusNoContent && tt.answer.body != "" {
				t.Skip("net/http drops the body of a 204 on the wire: only a handler can show it")
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			rt := &recordingT{TB: t}
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			res, err := (&http.Client{Transport: Transport(rt, nil)}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.answer.status || string(b) != tt.answer.body {
				t.Errorf("the wrapper changed the answer: %d %q", res.StatusCode, b)
			}
			check(t, rt)
		})
	}
}

// TestHandlerChecksCompressedAnswers: an answer compressed for the client
// is checked as it reads once decompressed.
func TestHandlerChecksCompressedAnswers(t *testing.T) {
	rt := &recordingT{TB: t}
	h := Handler(rt, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipped(t, `{"channels":[`+strings.Replace(channel, `"nsfw":false`, `"nsfw":0`, 1)+`]}`))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/channels", nil))
	if got := rt.reported(); !strings.Contains(got, "nsfw") {
		t.Errorf("reported %q, want the wrong nsfw named", got)
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
