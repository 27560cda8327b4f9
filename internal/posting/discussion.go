package posting

import (
	"context"
	"net/netip"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
)

// Comment adds a comment by client to a visible post's thread. token is
// what the commenter's browser kept from the upload, if anything: when it
// is the post's delete token the comment is marked as the uploader's. The
// client's address only feeds the keyed poster ID and is not kept.
// proof is a proof-of-work solution for when the channel asks for one. In
// a channel where everything is pre-moderated the comment waits for a
// moderator (Status pending). Errors: KindInvalid (empty, too long),
// KindGone, KindNotFound, and the Guard's (KindRateLimited,
// KindForbidden, KindChallenge).
func (s *Service) Comment(ctx context.Context, postID, body, token, proof string, client netip.Addr) (chatpic.Comment, error) {
	body, err := chatpic.CleanComment(body)
	if err != nil {
		return chatpic.Comment{}, err
	}
	p, err := s.Readable(ctx, postID)
	if err != nil {
		return chatpic.Comment{}, err
	}
	now := s.Now()
	ch, err := s.store.ChannelSettings(ctx, p.Channel)
	if err != nil {
		return chatpic.Comment{}, err
	}
	if s.cfg.Guard != nil {
		if err := s.cfg.Guard.Admit(ctx, chatpic.ActionComment, ch, client, proof); err != nil {
			return chatpic.Comment{}, err
		}
	}
	status := chatpic.StatusVisible
	if ch.Moderation() == chatpic.PremodAll {
		status = chatpic.StatusPending
	}
	clientKey, _ := s.keys.Client(client, now)
	c := chatpic.Comment{
		Status:     status,
		ClientKey:  clientKey,
		ID:         chatpic.NewID(),
		PostID:     p.ID,
		Body:       body,
		PosterID:   s.keys.PosterID(p, client, now),
		IsUploader: token != "" && chatpic.TokenMatches(token, p.DeleteTokenHash),
		CreatedAt:  now.Truncate(time.Millisecond),
	}
	c, err = s.store.AddComment(ctx, c, now)
	if err == nil && c.Visible() {
		s.publish(ctx, p, events.TypeComment, map[string]any{"number": c.Number}, false)
	}
	return c, err
}

// Comments returns the thread of a visible post as the public sees it,
// oldest first: comments that are hidden or wait for review are left out,
// removed ones keep their number without a body. Errors: KindGone,
// KindNotFound, and KindForbidden for an upload locked with a password,
// which has no discussion (whoever has its link would see it).
func (s *Service) Comments(ctx context.Context, postID string) ([]chatpic.Comment, error) {
	if !chatpic.ValidID(postID) {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	// In grace: the page of a self-destructing post's last view shows its
	// thread too.
	p, err := s.store.PostInGrace(ctx, postID, s.Now())
	if err != nil {
		return nil, err
	}
	if err := p.Unavailable(); err != nil {
		return nil, err
	}
	if p.Locked() {
		return nil, errLocked
	}
	all, err := s.store.Comments(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	shown := all[:0]
	for _, c := range all {
		if c.Visible() || c.Status == chatpic.StatusRemoved {
			c.ClientKey = nil
			shown = append(shown, c)
		}
	}
	return shown, nil
}

// Vote records client's vote on a visible post (1 up, -1 down, 0 to
// withdraw), one per client per post, and returns the new score. The vote
// is kept under a keyed hash that leads back to no one. Errors:
// KindInvalid, KindGone, KindNotFound.
func (s *Service) Vote(ctx context.Context, postID string, value int, client netip.Addr) (int, error) {
	if err := chatpic.ValidateVote(value); err != nil {
		return 0, err
	}
	p, err := s.Readable(ctx, postID)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	ch, err := s.store.ChannelSettings(ctx, p.Channel)
	if err != nil {
		return 0, err
	}
	if ch.Locked {
		return 0, chatpic.Errorf(chatpic.KindForbidden, "this channel is read-only for now")
	}
	if s.cfg.Guard != nil {
		if err := s.cfg.Guard.Allow(ctx, chatpic.ActionVote, client); err != nil {
			return 0, err
		}
	}
	score, err := s.store.Vote(ctx, p.ID, s.keys.VoterKey(p, client, now), value, now)
	if err == nil {
		s.publish(ctx, p, events.TypeScore, map[string]any{"score": score}, true)
	}
	return score, err
}
