package posting

import (
	"context"
	"encoding/json"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
)

// Publisher is where the service announces changes for live pages.
// *events.Memory implements it.
type Publisher interface {
	Publish(ctx context.Context, topic, typ string, data []byte) (events.Event, error)
}

// ChannelTopic and PostTopic name the event streams of a channel and of a
// post.
func ChannelTopic(slug string) string { return "channel:" + slug }

// PostTopic names the event stream of a post.
func PostTopic(id string) string { return "post:" + id }

// publish sends an event about p to its post's stream and, unless p is
// link-only (whose existence its channel must not reveal), to its
// channel's. Failures are logged: live updates are best effort, the data
// is already committed.
func (s *Service) publish(ctx context.Context, p chatpic.Post, typ string, data map[string]any, channelToo bool) {
	topics := []string{PostTopic(p.ID)}
	if channelToo && !p.IsLinkOnly() {
		topics = append(topics, ChannelTopic(p.Channel))
	}
	// This instance's caches are told at once, events or not; the event
	// tells the others' (and this one's again, which costs nothing).
	for _, t := range topics {
		s.changed(t)
	}
	if s.cfg.Events == nil {
		return
	}
	data["id"] = p.ID
	b, err := json.Marshal(data)
	if err != nil {
		s.log.Error("encode live event", "err", err)
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, t := range topics {
		if _, err := s.cfg.Events.Publish(ctx, t, typ, b); err != nil {
			s.log.Error("publish live event", "type", typ, "err", err)
		}
	}
}

// Gone announces that posts are gone, with why.
func (s *Service) Gone(ctx context.Context, reason chatpic.GoneReason, posts ...chatpic.Post) {
	for _, p := range posts {
		r := reason
		if p.Expired(s.Now()) {
			r = chatpic.ReasonExpired
		}
		s.publish(ctx, p, events.TypeGone, map[string]any{"reason": r}, true)
	}
}

// Discard announces that posts are gone, with why, and deletes their
// files (a failure is logged; the janitor removes files no row
// references).
func (s *Service) Discard(ctx context.Context, reason chatpic.GoneReason, posts ...chatpic.Post) {
	s.Gone(ctx, reason, posts...)
	s.removeFiles(context.WithoutCancel(ctx), posts...)
}

// FileRemoved announces that the nth file of p (as it is now) was removed
// from its album, and deletes that file's media and thumbnail (a failure
// is logged; the janitor removes files that no row references). The
// event goes to the post's stream and its channel's, whose pages may show
// that file as the cover; every instance forgets what it remembered of
// the post when the event reaches it (see observe), so the file's links
// answer 410 at once everywhere. A hidden or pending post is in no
// channel's listing, and its channel's stream must not name it: only its
// own stream hears of it.
func (s *Service) FileRemoved(ctx context.Context, p chatpic.Post, n int) {
	s.publish(ctx, p, events.TypeChanged, map[string]any{"removed_file": n, "cover": p.Cover()}, p.Visible())
	ctx = context.WithoutCancel(ctx)
	for _, key := range []string{p.FileKey(n, false), p.FileKey(n, true)} {
		if err := s.blobs.Delete(ctx, key); err != nil {
			s.log.Error("delete removed file", "key", key, "err", err)
		}
	}
}

// Hidden announces that a post was hidden pending review: live pages drop
// it as if it were gone.
func (s *Service) Hidden(ctx context.Context, p chatpic.Post) {
	s.publish(ctx, p, events.TypeGone, map[string]any{"reason": "hidden"}, true)
}

// Appeared announces a post that became visible after review, as if it
// had just been uploaded.
func (s *Service) Appeared(ctx context.Context, p chatpic.Post) {
	s.publish(ctx, p, events.TypePost, map[string]any{"channel": p.Channel}, true)
}
