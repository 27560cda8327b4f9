package api

import (
	"context"
	"net/http"
	"time"

	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// Heartbeat is how often an idle stream gets a comment line, so proxies
// do not close it.
const Heartbeat = 25 * time.Second

// StreamWriteTimeout is how long one event may take to reach a client: a
// client that stops reading is cut off once the connection's buffers are
// full and a write waits this long.
const StreamWriteTimeout = 30 * time.Second

// Defaults for Limits.
const (
	DefaultStreamsPerClient = 8
	DefaultStreams          = 4096
)

// Limits bound what clients may hold open.
type Limits struct {
	// StreamsPerClient and Streams bound the open event streams, per
	// client and in all; over them a stream is refused at once, with 429
	// or 503 and Retry-After. 0 means the defaults.
	StreamsPerClient, Streams int
}

func (l Limits) streams() *limit.Slots {
	per, total := l.StreamsPerClient, l.Streams
	if per <= 0 {
		per = DefaultStreamsPerClient
	}
	if total <= 0 {
		total = DefaultStreams
	}
	return limit.NewSlots(per, total, limit.LiveStreams, 30*time.Second)
}

// OpenStreams returns how many event streams are open.
func (a *API) OpenStreams() int { return a.streams.Held() }

// Subscriber is the half of the broker the streams use.
type Subscriber interface {
	Subscribe(ctx context.Context, topic string, lastID uint64) (*events.Subscription, error)
}

// ChannelEvents answers GET /api/v1/channels/{slug}/events: a Server-Sent
// Events stream of the channel's new uploads ("post"), gone uploads
// ("gone") and scores ("score").
func (a *API) ChannelEvents(w http.ResponseWriter, r *http.Request) {
	release, ok := a.streamPlace(w, r)
	if !ok {
		return
	}
	defer release()
	ch, err := a.posts.Channel(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.stream(w, r, posting.ChannelTopic(ch.Slug))
}

// PostEvents answers GET /api/v1/posts/{id}/events: a Server-Sent Events
// stream of the post's comments ("comment"), score ("score") and end
// ("gone").
func (a *API) PostEvents(w http.ResponseWriter, r *http.Request) {
	release, ok := a.streamPlace(w, r)
	if !ok {
		return
	}
	defer release()
	p, err := a.posts.Readable(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.stream(w, r, posting.PostTopic(p.ID))
}

// streamPlace takes one of the client's places for a stream, first of all
// (a refusal costs nothing), or answers the refusal.
func (a *API) streamPlace(w http.ResponseWriter, r *http.Request) (func(), bool) {
	release, err := a.streams.Acquire(a.posts.ClientKey(a.origin.ClientAddr(r)))
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	return release, true
}

// stream relays a topic to the client until either side ends. A client
// that reconnects with Last-Event-ID (header, or the last_event_id query
// parameter for clients that cannot set headers) first gets what it
// missed; if that is no longer kept it gets a "reset" event and should
// reload. A client too slow to keep up is cut off and reconnects.
func (a *API) stream(w http.ResponseWriter, r *http.Request, topic string) {
	if a.live == nil {
		a.fail(w, r, errNoLive)
		return
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	lastID, err := events.ParseID(last)
	if err != nil {
		lastID = 0
	}
	sub, err := a.live.Subscribe(r.Context(), topic, lastID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer sub.Close()

	rc := http.NewResponseController(w)
	// Streams outlive the server's write timeout; each event gets its own.
	rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 3000\n\n"))
	if sub.Missed() {
		w.Write([]byte("event: reset\ndata: {}\n\n"))
	}
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(Heartbeat)
	defer beat.Stop()
	stopping := request.Stopping(r.Context())
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return // dropped or the request ended: the client reconnects
			}
			rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
			w.Write([]byte("id: " + events.FormatID(ev.ID) + "\nevent: " + ev.Type + "\ndata: "))
			w.Write(ev.Data)
			w.Write([]byte("\n\n"))
		case <-beat.C:
			rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
			w.Write([]byte(": ping\n\n"))
		case <-r.Context().Done():
			return
		case <-stopping:
			return // the server is shutting down: the client reconnects elsewhere
		}
		if rc.Flush() != nil {
			return // the client stopped reading, or went away
		}
		rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
	}
}
