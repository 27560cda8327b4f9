package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// sse is one event read from a stream.
type sse struct{ id, typ, data string }

// openStream connects to an event stream and returns a function that reads
// the next event (skipping comments and the retry line). The stream ends
// with the test; a read that takes longer than 10 s fails it.
func openStream(t *testing.T, url, lastID string) func() sse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("stream: %d %v", res.StatusCode, res.Header)
	}
	br := bufio.NewReader(res.Body)
	return func() sse {
		t.Helper()
		var ev sse
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("reading the stream: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.typ != "" {
					return ev
				}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}
}

func TestLiveStreams(t *testing.T) {
	srv := httptest.NewServer(newHandler(t))
	t.Cleanup(srv.Close) // after the streams' own clean-ups, which come later

	post := func(path, ct, body string, header map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	next := openStream(t, srv.URL+"/api/v1/channels/random/events", "")
	body, ct := multipartBody(t, nil, mediatest.PNG(8, 8))
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/channels/random/posts", body)
	req.Header.Set("Content-Type", ct)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		ID          string `json:"id"`
		DeleteToken string `json:"delete_token"`
	}
	json.NewDecoder(res.Body).Decode(&p)
	res.Body.Close()

	first := next()
	if first.typ != "post" || !strings.Contains(first.data, `"id":"`+p.ID+`"`) || first.id == "" {
		t.Fatalf("first event %+v, want the new post", first)
	}
	postStream := openStream(t, srv.URL+"/api/v1/posts/"+p.ID+"/events", "")
	post("/api/v1/posts/"+p.ID+"/comments", "application/json", `{"body":"hi"}`, nil)
	if ev := postStream(); ev.typ != "comment" || !strings.Contains(ev.data, `"number":1`) {
		t.Fatalf("post stream: %+v, want the comment", ev)
	}
	post("/api/v1/posts/"+p.ID+"/votes", "application/json", `{"value":1}`, nil)
	if ev := next(); ev.typ != "score" || !strings.Contains(ev.data, `"score":1`) {
		t.Fatalf("channel stream: %+v, want the score", ev)
	}
	if ev := postStream(); ev.typ != "score" {
		t.Fatalf("post stream: %+v, want the score", ev)
	}
	delReq, _ := http.NewRequest("DELETE", srv.URL+"/api/v1/posts/"+p.ID, nil)
	delReq.Header.Set("X-Delete-Token", p.DeleteToken)
	if res, err := http.DefaultClient.Do(delReq); err != nil || res.StatusCode != 204 {
		t.Fatalf("delete: %v %v", res, err)
	}
	gone := next()
	if gone.typ != "gone" || !strings.Contains(gone.data, `"reason":"deleted"`) {
		t.Fatalf("channel stream: %+v, want gone (deleted)", gone)
	}
	if ev := postStream(); ev.typ != "gone" {
		t.Fatalf("post stream: %+v, want gone", ev)
	}

	// A client that reconnects after the first event gets what it missed,
	// in order, from the backlog.
	resumed := openStream(t, srv.URL+"/api/v1/channels/random/events", first.id)
	if ev := resumed(); ev.typ != "score" {
		t.Fatalf("resumed stream: %+v, want the score first", ev)
	}
	if ev := resumed(); ev.typ != "gone" || ev.id != gone.id {
		t.Fatalf("resumed stream: %+v, want the gone event %s", ev, gone.id)
	}

	// Streams of things that do not exist answer as the things do.
	for path, want := range map[string]int{
		"/api/v1/channels/nope/events":              404,
		"/api/v1/posts/" + p.ID + "/events":         410,
		"/api/v1/posts/AAAAAAAAAAAAAAAAAAAA/events": 404,
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestStreamsPerClient: one client may hold a few streams open; the next
// is refused at once with 429 and Retry-After, while a stream the client
// closed frees its place.
func TestStreamsPerClient(t *testing.T) {
	ts := newTestSite(t, nil)
	srv := httptest.NewServer(ts.handler)
	t.Cleanup(srv.Close)
	var closers []func()
	for range 8 { // DefaultStreamsPerClient
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/channels/random/events", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("stream: %v %v", res, err)
		}
		closers = append(closers, func() { cancel(); res.Body.Close() })
	}
	res, err := http.Get(srv.URL + "/api/v1/channels/random/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a ninth stream: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	closers[0]()
	deadline := time.Now().Add(10 * time.Second)
	for ts.api.OpenStreams() > 7 {
		if time.Now().After(deadline) {
			t.Fatal("the closed stream kept its place")
		}
		time.Sleep(time.Millisecond) // the server notices the closed connection
	}
	next := openStream(t, srv.URL+"/api/v1/channels/random/events", "")
	_ = next
	for _, c := range closers[1:] {
		c()
	}
}
