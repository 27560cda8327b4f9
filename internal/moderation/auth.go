package moderation

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// Session is a signed-in moderator's session: Token goes into the cookie
// and is never stored; Expires is when it ends.
type Session struct {
	Token     string
	Moderator chatpic.Moderator
	Expires   time.Time
}

// Login checks a moderator's name and password and opens a session.
// Attempts are throttled per client and per account, whether the name
// exists or not. Errors: KindUnauthorized (wrong name or password, the
// same message for both), KindRateLimited.
func (s *Service) Login(ctx context.Context, name, password string, client netip.Addr) (Session, error) {
	now := s.clock()
	if err := s.guard.Allow(ctx, chatpic.ActionLogin, client); err != nil {
		return Session{}, err
	}
	account := sha256.Sum256([]byte("account\x00" + strings.ToLower(name)))
	ok, wait, err := s.accounts.Allow(ctx, now, account[:], nil)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, chatpic.RateLimited(wait, "too many sign-in attempts for this account; try again in %s",
			chatpic.FormatApprox(max(wait, time.Second)))
	}
	wrong := chatpic.Errorf(chatpic.KindUnauthorized, "that name and password do not match")
	if len(name) > 64 || len(password) > chatpic.MaxPasswordLen {
		return Session{}, wrong
	}
	m, hash, err := s.store.ModeratorPassword(ctx, name)
	if err != nil && chatpic.ErrorKind(err) != chatpic.KindNotFound {
		return Session{}, err
	}
	if err != nil {
		hash = dummyHash() // take as long as a real check
	}
	select {
	case s.passwords <- struct{}{}:
	case <-ctx.Done():
		return Session{}, ctx.Err()
	}
	match := CheckPassword(hash, password)
	<-s.passwords
	if err != nil || !match {
		s.log.Info("moderator sign-in refused")
		return Session{}, wrong
	}
	// The sign-in stands even if the failed attempts stay counted.
	if err := errors.Join(s.guard.Forgive(ctx, chatpic.ActionLogin, client), s.accounts.Reset(ctx, account[:])); err != nil {
		s.log.Warn("moderator signed in, but the failed attempts could not be cleared", "err", err)
	}
	token, tokenHash := chatpic.NewToken()
	expires := now.Add(s.cfg.SessionLife)
	if err := s.store.CreateSession(ctx, tokenHash, m.Name, now, expires); err != nil {
		return Session{}, err
	}
	s.log.Info("moderator signed in", "moderator", m.Name)
	return Session{Token: token, Moderator: m, Expires: expires}, nil
}

// Logout ends the session with the given token, if there is one.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, chatpic.HashToken(token))
}

// Authenticate returns the moderator behind a session token (session
// true) or an API token. Errors: KindUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string, session bool) (chatpic.Moderator, error) {
	if token == "" || len(token) > 200 {
		return chatpic.Moderator{}, chatpic.Errorf(chatpic.KindUnauthorized, "sign in as a moderator first")
	}
	return s.store.Authenticate(ctx, chatpic.HashToken(token), session, s.clock())
}

// AddModerator creates a moderator account. by is the admin who does it,
// or the zero Moderator with Admin set for the command line. Errors:
// KindForbidden (not an admin), KindInvalid, KindConflict.
func (s *Service) AddModerator(ctx context.Context, by chatpic.Moderator, name, password string, admin bool) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := chatpic.ValidateModeratorName(name); err != nil {
		return err
	}
	if err := chatpic.ValidatePassword(password); err != nil {
		return err
	}
	now := s.clock()
	if err := s.store.CreateModerator(ctx, chatpic.Moderator{Name: name, Admin: admin, CreatedAt: now}, HashPassword(password)); err != nil {
		return err
	}
	action := "add_moderator"
	if admin {
		action = "add_admin"
	}
	return s.store.AddAudit(ctx, chatpic.AuditEntry{At: now, Moderator: by.Name, Action: action, Target: name})
}

// RemoveModerator deletes a moderator account and ends their sessions.
// Errors: KindForbidden, KindNotFound.
func (s *Service) RemoveModerator(ctx context.Context, by chatpic.Moderator, name string) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := s.store.DeleteModerator(ctx, name); err != nil {
		return err
	}
	return s.store.AddAudit(ctx, chatpic.AuditEntry{At: s.clock(), Moderator: by.Name, Action: "remove_moderator", Target: name})
}

// Moderators lists the moderator accounts. Errors: KindForbidden.
func (s *Service) Moderators(ctx context.Context, by chatpic.Moderator) ([]chatpic.Moderator, error) {
	if err := requireAdmin(by); err != nil {
		return nil, err
	}
	return s.store.Moderators(ctx)
}

// NewToken makes a new API token for a moderator, replacing the old one,
// and returns it; only its hash is kept. Errors: KindForbidden,
// KindNotFound.
func (s *Service) NewToken(ctx context.Context, by chatpic.Moderator, name string) (string, error) {
	if err := requireAdmin(by); err != nil {
		return "", err
	}
	token, hash := chatpic.NewToken()
	now := s.clock()
	if err := s.store.SetModeratorToken(ctx, name, hash, now); err != nil {
		return "", err
	}
	return token, s.store.AddAudit(ctx, chatpic.AuditEntry{At: now, Moderator: by.Name, Action: "new_token", Target: name})
}

// CLI is the moderator the command line acts as: an admin with no name.
var CLI = chatpic.Moderator{Admin: true}

func requireAdmin(by chatpic.Moderator) error {
	if !by.Admin {
		return chatpic.Errorf(chatpic.KindForbidden, "only admins can do that")
	}
	return nil
}

func requireModerator(by chatpic.Moderator) error {
	if by.Name == "" && !by.Admin {
		return chatpic.Errorf(chatpic.KindUnauthorized, "sign in as a moderator first")
	}
	return nil
}
