package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestAlertWebhook: a server started with --alert-webhook posts to it when
// a report of a private image hides an upload, without holding up the
// report, and the message names the reason and the queue but not the
// upload, the note, the reporter or any address.
func TestAlertWebhook(t *testing.T) {
	bodies := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
	}))
	defer hook.Close()
	in := start(t, "--alert-webhook", hook.URL+"/hooks/room", "--base-url", "https://pics.example.org")
	p := mustUpload(t, in, "random", mediatest.JPEG(64, 48))
	req, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+p.ID+"/reports",
		strings.NewReader(`{"reason":"ncii","note":"this is me, NoteMarker"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := in.do(req); r.status != http.StatusAccepted {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	var body string
	select {
	case body = <-bodies:
	case <-time.After(30 * time.Second):
		t.Fatal("no alert reached the webhook")
	}
	var m struct {
		Kind, Reason, Text string
		QueueURL           string `json:"queue_url"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if m.Kind != "urgent_report" || m.Reason != "ncii" || m.QueueURL != "https://pics.example.org/mod" ||
		!strings.Contains(m.Text, m.QueueURL) {
		t.Errorf("alert %s", body)
	}
	for _, leak := range []string{p.ID, "NoteMarker", "203.0.113.77", "127.0.0.1", "UniqueTestAgent"} {
		if strings.Contains(body, leak) {
			t.Errorf("the alert holds %q: %s", leak, body)
		}
	}
}
