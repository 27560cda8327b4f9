package moderation

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/password"
)

// Session is a signed-in moderator's session: Token goes into the cookie
// and is never stored; Expires is when it ends.
type Session struct {
	Token     string
	Moderator chatpic.Moderator
	Expires   time.Time
}

// SignIn checks a moderator's name and password and opens a session.
//
// Failed sign-ins are held back in two ways, whether the name exists or
// not. Per client, every attempt counts against the login rate limit, and
// past it the client is refused (KindRateLimited) until its allowance comes
// back. Per account, attempts count against Config.Accounts, and past it a
// sign-in to the account must carry a solved sign-in challenge (c.Proof,
// see SignInChallenge): guessing its password then costs every guess a
// proof of work, while the right password with a solution still signs in,
// so that nobody can lock a moderator out by failing on their behalf.
// A successful sign-in clears both counts.
//
// Errors: KindUnauthorized (wrong name or password, the same message for
// both), KindRateLimited (this client tried too often), KindChallenge (the
// account needs a proof and c has none), KindForbidden (a proof that is
// wrong, expired or used before), and the stores' errors.
func (s *Service) SignIn(ctx context.Context, c Credentials, client netip.Addr) (Session, error) {
	now := s.clock()
	if err := s.guard.Allow(ctx, chatpic.ActionLogin, client); err != nil {
		return Session{}, err
	}
	// The attempt counts against the account before the password is
	// checked (the right one clears the count), so that guesses sent all at
	// once cannot all pass under the threshold. Once the account is past
	// it, the attempt is not counted but must carry a proof.
	account := accountKey(c.Name)
	counted, _, err := s.accounts.Allow(ctx, now, account, nil)
	if err != nil {
		return Session{}, err
	}
	if !counted {
		if err := s.guard.proveSignIn(ctx, c.Proof); err != nil {
			s.log.Info("moderator sign-in refused: the account needs a proof of work", "kind", chatpic.ErrorKind(err))
			return Session{}, err
		}
	}
	wrong := chatpic.Errorf(chatpic.KindUnauthorized, "that name and password do not match")
	if len(c.Name) > 64 || len(c.Password) > chatpic.MaxPasswordLen {
		return Session{}, wrong
	}
	m, hash, err := s.store.ModeratorPassword(ctx, c.Name)
	if err != nil && chatpic.ErrorKind(err) != chatpic.KindNotFound {
		return Session{}, err
	}
	if err != nil {
		hash = password.Dummy() // take as long as a real check
	}
	select {
	case s.passwords <- struct{}{}:
	case <-ctx.Done():
		return Session{}, ctx.Err()
	}
	match := password.Check(hash, c.Password)
	<-s.passwords
	if err != nil || !match {
		s.log.Info("moderator sign-in refused")
		return Session{}, wrong
	}
	// The sign-in stands even if the failed attempts stay counted.
	if err := errors.Join(s.guard.Forgive(ctx, chatpic.ActionLogin, client), s.accounts.Reset(ctx, account)); err != nil {
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

// Login is SignIn without a proof of work, for callers that have none.
func (s *Service) Login(ctx context.Context, name, password string, client netip.Addr) (Session, error) {
	return s.SignIn(ctx, Credentials{Name: name, Password: password}, client)
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
func (s *Service) AddModerator(ctx context.Context, by chatpic.Moderator, name, secret string, admin bool) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := chatpic.ValidateModeratorName(name); err != nil {
		return err
	}
	if err := chatpic.ValidatePassword(secret); err != nil {
		return err
	}
	now := s.clock()
	if err := s.store.CreateModerator(ctx, chatpic.Moderator{Name: name, Admin: admin, CreatedAt: now}, password.Hash(secret)); err != nil {
		return err
	}
	action := chatpic.AuditAddModerator
	if admin {
		action = chatpic.AuditAddAdmin
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
	return s.store.AddAudit(ctx, chatpic.AuditEntry{At: s.clock(), Moderator: by.Name, Action: chatpic.AuditRemoveModerator, Target: name})
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
	return token, s.store.AddAudit(ctx, chatpic.AuditEntry{At: now, Moderator: by.Name, Action: chatpic.AuditNewToken, Target: name})
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
