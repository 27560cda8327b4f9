package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/chatpic/chatpic"
)

// Every change to a channel goes through this file, whoever makes it: a
// moderator in the moderation UI or API, or the operator on the command
// line (as CLI, an admin with no name, whom the audit log shows as the
// command line). Each is audited, and what it takes down is announced to
// live pages and its files deleted through the Announcer.

// ChannelStore is the part of the Store that adds and removes channels.
type ChannelStore interface {
	CreateChannel(ctx context.Context, c chatpic.Channel) error
	DeleteChannel(ctx context.Context, slug string, now time.Time) ([]chatpic.Post, error)
}

// LockChannel makes a channel read-only (locked) or open again. Errors:
// KindUnauthorized, KindNotFound.
func (s *Service) LockChannel(ctx context.Context, by chatpic.Moderator, slug string, locked bool, reason string) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return err
	}
	action := chatpic.AuditUnlockChannel
	if locked {
		action = chatpic.AuditLockChannel
	}
	return s.store.SetChannelLocked(ctx, slug, locked, chatpic.AuditEntry{
		At: s.clock(), Moderator: by.Name, Action: action, Target: slug, Reason: reason,
	})
}

// ChannelEdit changes some of a channel's settings; nil fields stay.
type ChannelEdit struct {
	Title           *string
	Description     *string
	NSFW            *bool
	Capacity        *int
	TTL             *time.Duration
	ReportThreshold *int
	Premod          *chatpic.Premod
	Challenge       *chatpic.Challenge
	MaxFiles        *int
}

// EditChannel changes a channel's title, description, NSFW mark,
// capacity, time to live, report threshold, pre-moderation or challenge
// setting, or the files one upload may carry, and audits it as edit_channel. Lowering the capacity evicts at
// once: the evicted uploads are announced, their files deleted, and they
// are returned. Only admins may do it. Errors: KindForbidden, KindInvalid,
// KindNotFound.
func (s *Service) EditChannel(ctx context.Context, by chatpic.Moderator, slug string, e ChannelEdit, reason string) ([]chatpic.Post, error) {
	if err := requireAdmin(by); err != nil {
		return nil, err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return nil, err
	}
	if err := chatpic.ValidateSlug(slug); err != nil {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	now := s.clock()
	st, err := s.store.Channel(ctx, slug, now)
	if err != nil {
		return nil, err
	}
	c := st.Channel
	if e.Title != nil {
		c.Title = *e.Title
	}
	if e.Description != nil {
		c.Description = *e.Description
	}
	if e.NSFW != nil {
		c.NSFW = *e.NSFW
	}
	if e.Capacity != nil {
		c.Capacity = *e.Capacity
	}
	if e.TTL != nil {
		c.TTL = *e.TTL
	}
	if e.ReportThreshold != nil {
		if *e.ReportThreshold < 1 {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "a channel's report threshold is between 1 and %d", chatpic.MaxReportThreshold)
		}
		c.ReportThreshold = *e.ReportThreshold
	}
	if e.Premod != nil {
		c.Premod = *e.Premod
	}
	if e.Challenge != nil {
		c.Challenge = *e.Challenge
	}
	if e.MaxFiles != nil {
		if *e.MaxFiles < 1 {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "an upload to a channel carries between 1 and %d files", chatpic.MaxFiles)
		}
		c.MaxFiles = *e.MaxFiles
	}
	evicted, err := s.store.UpdateChannelAudited(ctx, c, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: chatpic.AuditEditChannel, Target: slug, Reason: reason,
	}, now)
	if err != nil {
		return nil, err
	}
	s.announce.Discard(ctx, chatpic.ReasonEvicted, evicted...)
	return evicted, nil
}

// AddChannel creates the channel c (its slug, title, description,
// capacity, time to live, NSFW mark and files per upload (0: the default); the moderation settings start at
// their defaults) and audits it as add_channel. Only admins may do it.
// Errors: KindForbidden, KindInvalid, KindConflict (the slug is taken).
func (s *Service) AddChannel(ctx context.Context, by chatpic.Moderator, c chatpic.Channel, reason string) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return err
	}
	now := s.clock()
	c = chatpic.Channel{Slug: c.Slug, Title: c.Title, Description: c.Description,
		Capacity: c.Capacity, TTL: c.TTL, NSFW: c.NSFW, MaxFiles: c.MaxFiles, CreatedAt: now}
	if err := s.store.CreateChannel(ctx, c); err != nil {
		return err
	}
	s.log.Info("channel added", "channel", c.Slug, "moderator", by.Name)
	return s.audit(ctx, chatpic.AuditEntry{At: now, Moderator: by.Name, Action: chatpic.AuditAddChannel, Target: c.Slug,
		Reason: reasonOr(reason, c.Rule())})
}

// RemoveChannel removes a channel and, with force, every upload in it:
// they become tombstones (removed), live pages are told they are gone, and
// their files are deleted. It is audited as remove_channel, and returns
// the uploads it removed. Only admins may do it. Errors: KindForbidden,
// KindInvalid, KindNotFound, KindConflict (uploads remain and force is
// false).
func (s *Service) RemoveChannel(ctx context.Context, by chatpic.Moderator, slug string, force bool, reason string) ([]chatpic.Post, error) {
	if err := requireAdmin(by); err != nil {
		return nil, err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return nil, err
	}
	if err := chatpic.ValidateSlug(slug); err != nil {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	now := s.clock()
	st, err := s.store.Channel(ctx, slug, now)
	if err != nil {
		return nil, err
	}
	if st.Count > 0 && !force {
		return nil, chatpic.Errorf(chatpic.KindConflict, "%s holds %d uploads; remove them too (--force) or wait", slug, st.Count)
	}
	ctx = context.WithoutCancel(ctx) // from here on, finish the job
	gone, err := s.store.DeleteChannel(ctx, slug, now)
	if err != nil {
		return nil, err
	}
	s.log.Info("channel removed", "channel", slug, "moderator", by.Name, "uploads", len(gone))
	s.announce.Discard(ctx, chatpic.ReasonRemoved, gone...)
	return gone, s.audit(ctx, chatpic.AuditEntry{At: now, Moderator: by.Name, Action: chatpic.AuditRemoveChannel, Target: slug,
		Reason: reasonOr(reason, fmt.Sprintf("with %d uploads", len(gone)))})
}

// audit records e, wrapping a failure.
func (s *Service) audit(ctx context.Context, e chatpic.AuditEntry) error {
	if err := s.store.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("moderation: audit %s %s: %w", e.Action, e.Target, err)
	}
	return nil
}

// reasonOr returns reason, or what happened when none was given.
func reasonOr(reason, what string) string {
	if reason != "" {
		return reason
	}
	return what
}
