// Package alert tells moderators at once of what should not wait for them
// to look at the queue: a report of a private image or of illegal content
// that hid something, and a queue that has waited too long. It posts a
// short JSON message to a webhook (a chat room's incoming webhook, ntfy,
// or anything that takes a POST), retrying with backoff, and never holds
// up whoever raised the alert.
//
// A message says what happened, when, and where the queue is; never the
// picture, its link, the report's note, the reporter or any address.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/chatpic/chatpic"
)

// Kinds of alert.
const (
	KindUrgentReport = "urgent_report" // an ncii or illegal report hid something
	KindQueueWaiting = "queue_waiting" // reports have waited longer than they should
)

// Message is what a webhook receives, as JSON. Text (Slack, Mattermost,
// Rocket.Chat, Google Chat) and Content (Discord) carry the same sentence
// for chat rooms; the other fields are for programs.
type Message struct {
	Kind string `json:"kind"`
	// Reason is the report's reason, for an urgent report.
	Reason string `json:"reason,omitempty"`
	// Comment is set when the report was about a comment.
	Comment bool      `json:"comment,omitempty"`
	At      time.Time `json:"at"`
	// Waiting and Since say how many reports wait and since when, for a
	// waiting queue.
	Waiting  int       `json:"waiting,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	QueueURL string    `json:"queue_url"`
	Text     string    `json:"text"`
	Content  string    `json:"content"`
}

// Options tune a Sender. The zero value is what New uses.
type Options struct {
	// Attempts is how many times a message is tried (default 6); Backoff
	// the wait before the second (default 2 s), doubled for each after,
	// up to 5 minutes.
	Attempts int
	Backoff  time.Duration
	// Client sends the requests (default: one with a 10 s timeout).
	Client *http.Client
	// After waits between attempts (default time.After); tests replace
	// it.
	After func(time.Duration) <-chan time.Time
}

// queued is how many messages may wait to be sent; past that, new ones are
// dropped (and logged): an alert storm says nothing more than its first
// few messages.
const queued = 64

// Sender posts messages to one webhook, one at a time, in the order they
// were sent. It is safe for concurrent use. Send queues; Run delivers.
type Sender struct {
	url      string
	queueURL string
	log      *slog.Logger
	opts     Options
	queue    chan Message
}

// New returns a Sender that posts to url, linking messages to the
// moderation queue at queueURL. Nothing is delivered until Run.
func New(url, queueURL string, log *slog.Logger, opts Options) *Sender {
	if opts.Attempts <= 0 {
		opts.Attempts = 6
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.After == nil {
		opts.After = time.After
	}
	return &Sender{url: url, queueURL: queueURL, log: log, opts: opts, queue: make(chan Message, queued)}
}

// UrgentReport queues the alert that a report for reason hid an upload
// (or, with comment, a comment) at at.
func (s *Sender) UrgentReport(reason chatpic.ReportReason, comment bool, at time.Time) {
	what := "an upload"
	if comment {
		what = "a comment"
	}
	about := reason.Label()
	if reason == chatpic.ReasonNCII {
		about = "a private image shared without consent"
	}
	text := fmt.Sprintf("chatpic: %s was hidden at %s UTC by a report of %s. It waits in the moderation queue: %s",
		what, at.UTC().Format("2006-01-02 15:04"), about, s.queueURL)
	s.Send(Message{Kind: KindUrgentReport, Reason: string(reason), Comment: comment, At: at.UTC(),
		QueueURL: s.queueURL, Text: text, Content: text})
}

// QueueWaiting queues the alert that waiting reports have waited since
// since, as seen at at.
func (s *Sender) QueueWaiting(waiting int, since, at time.Time) {
	verb := "have"
	if waiting == 1 {
		verb = "has"
	}
	text := fmt.Sprintf("chatpic: %s %s waited for a moderator since %s UTC (%s). The queue: %s",
		chatpic.Plural(int64(waiting), "report"), verb,
		since.UTC().Format("2006-01-02 15:04"), chatpic.FormatApprox(at.Sub(since)), s.queueURL)
	s.Send(Message{Kind: KindQueueWaiting, At: at.UTC(), Waiting: waiting, Since: since.UTC(),
		QueueURL: s.queueURL, Text: text, Content: text})
}

// Send queues m for delivery and returns at once. It reports whether m was
// queued: when too many messages wait already, m is dropped and logged.
func (s *Sender) Send(m Message) bool {
	select {
	case s.queue <- m:
		return true
	default:
		s.log.Warn("alert dropped: too many alerts wait to be sent", "kind", m.Kind)
		return false
	}
}

// Run delivers queued messages until ctx is done; what is still queued
// then is dropped.
func (s *Sender) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.queue:
			s.deliver(ctx, m)
		}
	}
}

// deliver posts m, trying again with backoff while the webhook fails, up to
// Attempts times.
func (s *Sender) deliver(ctx context.Context, m Message) {
	body, err := json.Marshal(m)
	if err != nil {
		s.log.Error("alert not sent", "kind", m.Kind, "err", err)
		return
	}
	wait := s.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := s.post(ctx, body)
		if err == nil {
			return
		}
		if attempt == s.opts.Attempts || ctx.Err() != nil {
			s.log.Error("alert not sent", "kind", m.Kind, "attempts", attempt, "err", err)
			return
		}
		s.log.Warn("alert failed; trying again", "kind", m.Kind, "attempt", attempt, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-s.opts.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// post makes one attempt.
func (s *Sender) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "chatpic-alert")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		// Not the *url.Error itself: the webhook's URL often holds its
		// secret, and the error goes to the log.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}
