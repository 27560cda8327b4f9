package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// receiver is a webhook that fails its first fails requests and records
// the bodies of the others.
type receiver struct {
	mu    sync.Mutex
	fails int
	tries int
	got   []Message
	done  chan struct{} // gets a value per message received
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.tries++
	if rc.tries <= rc.fails {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var m Message
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil {
		http.Error(w, "bad", http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, m)
	rc.done <- struct{}{}
}

// waits records the backoff waits asked for and returns at once.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) after(d time.Duration) <-chan time.Time {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	c := make(chan time.Time, 1)
	c <- time.Time{}
	return c
}

func TestDelivery(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name      string
		fails     int
		send      func(s *Sender)
		wantWaits []time.Duration
		want      Message
		wantText  []string
	}{
		{
			name: "an urgent report, delivered at once",
			send: func(s *Sender) { s.UrgentReport(chatpic.ReasonNCII, false, at) },
			want: Message{Kind: KindUrgentReport, Reason: "ncii", At: at, QueueURL: "https://pics.example.org/mod"},
			wantText: []string{"an upload was hidden at 2026-12-04 09:30 UTC", "a private image shared without consent",
				"https://pics.example.org/mod"},
		},
		{
			name:      "a waiting queue, after the webhook failed twice",
			fails:     2,
			send:      func(s *Sender) { s.QueueWaiting(3, at.Add(-2*time.Hour), at) },
			wantWaits: []time.Duration{2 * time.Second, 4 * time.Second},
			want: Message{Kind: KindQueueWaiting, At: at, Waiting: 3, Since: at.Add(-2 * time.Hour),
				QueueURL: "https://pics.example.org/mod"},
			wantText: []string{"3 reports have waited for a moderator since 2026-12-04 07:30 UTC (2 hours)"},
		},
		{
			name:     "a comment hidden for illegal content",
			send:     func(s *Sender) { s.UrgentReport(chatpic.ReasonIllegal, true, at) },
			want:     Message{Kind: KindUrgentReport, Reason: "illegal", Comment: true, At: at, QueueURL: "https://pics.example.org/mod"},
			wantText: []string{"a comment was hidden", "illegal content"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &receiver{fails: tt.fails, done: make(chan struct{}, 1)}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			w := &waits{}
			s := New(srv.URL, "https://pics.example.org/mod", slog.New(slog.NewTextHandler(io.Discard, nil)), Options{After: w.after})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go s.Run(ctx)
			tt.send(s)
			select {
			case <-rc.done:
			case <-time.After(10 * time.Second):
				t.Fatal("no message arrived")
			}
			got := rc.got[0]
			for _, want := range tt.wantText {
				if !strings.Contains(got.Text, want) {
					t.Errorf("text %q lacks %q", got.Text, want)
				}
			}
			if got.Content != got.Text {
				t.Errorf("content %q differs from text %q", got.Content, got.Text)
			}
			got.Text, got.Content = "", ""
			if got.Kind != tt.want.Kind || got.Reason != tt.want.Reason || got.Comment != tt.want.Comment ||
				!got.At.Equal(tt.want.At) || got.Waiting != tt.want.Waiting || !got.Since.Equal(tt.want.Since) || got.QueueURL != tt.want.QueueURL {
				t.Errorf("message %+v, want %+v", got, tt.want)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if len(w.d) != len(tt.wantWaits) {
				t.Fatalf("waits %v, want %v", w.d, tt.wantWaits)
			}
			for i := range w.d {
				if w.d[i] != tt.wantWaits[i] {
					t.Errorf("waits %v, want %v", w.d, tt.wantWaits)
				}
			}
		})
	}
}

// TestGivingUp: a webhook that keeps failing is tried Attempts times, with
// doubling waits, and the log names neither its URL nor what it holds.
func TestGivingUp(t *testing.T) {
	rc := &receiver{fails: 1 << 30, done: make(chan struct{}, 1)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	var logs syncBuffer
	w := &waits{}
	s := New(srv.URL+"/hooks/Xq9zKey", "https://pics.example.org/mod", slog.New(slog.NewTextHandler(&logs, nil)),
		Options{Attempts: 4, After: w.after})
	s.deliver(context.Background(), Message{Kind: KindUrgentReport})
	if rc.tries != 4 {
		t.Errorf("%d tries, want 4", rc.tries)
	}
	if want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}; len(w.d) != 3 || w.d[2] != want[2] {
		t.Errorf("waits %v, want %v", w.d, want)
	}
	if !strings.Contains(logs.String(), "alert not sent") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
	// An unreachable webhook: the client's error names the URL.
	srv.Close()
	s.deliver(context.Background(), Message{Kind: KindUrgentReport})
	if strings.Contains(logs.String(), "Xq9z") {
		t.Errorf("the log holds the webhook's URL: %s", logs.String())
	}
}

// TestSendNeverBlocks: with nothing delivering, Send queues up to its bound
// and then drops, returning at once either way.
func TestSendNeverBlocks(t *testing.T) {
	s := New("http://127.0.0.1:1/", "https://pics.example.org/mod", slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	for i := range queued {
		if !s.Send(Message{Kind: KindQueueWaiting}) {
			t.Fatalf("message %d was dropped", i)
		}
	}
	if s.Send(Message{Kind: KindQueueWaiting}) {
		t.Error("a message past the bound was queued")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
