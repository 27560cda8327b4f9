package posting

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/password"
)

// ErrLocked is the cause of the KindForbidden error for a locked upload
// read without its password (see Readable and View). Test for it with
// errors.Is.
var ErrLocked = errors.New("posting: the upload is locked with a password")

// errLocked is what a locked upload answers to a reader without its
// password.
var errLocked = &chatpic.Error{Kind: chatpic.KindForbidden, Err: ErrLocked,
	Message: "this upload is locked with a password: give it to see the upload"}

// lock returns the hash that locks an upload with secret, "" for none. One
// hash is made or checked at a time.
func (s *Service) lock(ctx context.Context, secret string) (string, error) {
	if secret == "" {
		return "", nil
	}
	if err := s.holdPasswords(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.passwords }()
	return password.Hash(secret), nil
}

func (s *Service) holdPasswords(ctx context.Context) error {
	select {
	case s.passwords <- struct{}{}:
		return nil
	case <-ctx.Done():
		return chatpic.Internal(fmt.Errorf("posting: waiting to check a password: %w", ctx.Err()))
	}
}

// unlock checks secret against the password of the locked upload p for
// client: KindForbidden (wrapping ErrLocked) without one, or for a wrong
// one, and KindRateLimited once the client has tried too often (its tries
// count before the check, and the right password clears them).
func (s *Service) unlock(ctx context.Context, p chatpic.Post, secret string, client netip.Addr) error {
	if secret == "" {
		return errLocked
	}
	if s.cfg.Guard != nil {
		if err := s.cfg.Guard.Allow(ctx, chatpic.ActionPassword, client); err != nil {
			return err
		}
	}
	if len(secret) > chatpic.MaxPasswordLen {
		return errWrongPassword
	}
	if err := s.holdPasswords(ctx); err != nil {
		return err
	}
	ok := password.Check(p.PasswordHash, secret)
	<-s.passwords
	if !ok {
		s.log.Info("wrong password for a locked upload", "post", p.ID)
		return errWrongPassword
	}
	if s.cfg.Guard != nil {
		if err := s.cfg.Guard.Forgive(ctx, chatpic.ActionPassword, client); err != nil {
			s.log.Warn("a locked upload was opened, but the failed tries could not be cleared", "err", err)
		}
	}
	return nil
}

var errWrongPassword = &chatpic.Error{Kind: chatpic.KindForbidden, Err: ErrLocked,
	Message: "that password is not right for this upload"}

// Readable returns a visible post as Post does, but a locked upload
// answers KindForbidden (wrapping ErrLocked): its details, comments, votes
// and live events are for nobody, since whoever has the password sees its
// page through View.
func (s *Service) Readable(ctx context.Context, id string) (chatpic.Post, error) {
	p, err := s.Post(ctx, id)
	if err == nil && p.Locked() {
		return chatpic.Post{}, errLocked
	}
	return p, err
}
