package moderation

import (
	"context"
	"crypto/sha256"
	"strings"

	"github.com/chatpic/chatpic"
)

// Credentials are what a moderator signs in with.
type Credentials struct {
	Name, Password string
	// Proof is a solved sign-in challenge (see SignInChallenge) as
	// "TOKEN:SOLUTION". An account needs one once it has had Config.Accounts'
	// worth of failed sign-ins, until its allowance comes back (one sign-in
	// every Per/Events); a sign-in that does not need one ignores it.
	Proof string
}

// signInScope is the scope of sign-in challenges: a solution is good for
// one sign-in, to any account.
const signInScope = "signin"

// SignInChallenge returns a fresh proof-of-work challenge for a sign-in.
// Whether it is needed is known only when someone signs in to an account,
// so Required is always false: a sign-in form solves one every time (it
// costs a browser well under a second), and the server checks it only for
// accounts that need it. Errors: the shared store's.
func (s *Service) SignInChallenge(ctx context.Context) (Challenge, error) {
	g := s.guard
	if err := g.keys.Refresh(ctx, g.now()); err != nil {
		return Challenge{}, err
	}
	c := g.pow.Issue(signInScope, g.cfg.ChallengeBits)
	return Challenge{Token: c.Token, Bits: c.Bits, ExpiresAt: c.ExpiresAt}, nil
}

// proveSignIn checks the proof of a sign-in to an account that needs one.
// Errors: KindChallenge (no proof), KindForbidden (a wrong or spent one),
// the shared store's.
func (g *Guard) proveSignIn(ctx context.Context, proof string) error {
	if proof == "" {
		return chatpic.Errorf(chatpic.KindChallenge,
			"this account has had many failed sign-ins lately, so signing in to it needs a solved proof-of-work challenge for now "+
				"(the sign-in form solves one in a browser with JavaScript)")
	}
	token, solution, _ := strings.Cut(proof, ":")
	return g.pow.Verify(ctx, signInScope, token, solution)
}

// accountKey is the key under which an account's sign-in attempts are
// counted: names are case-insensitive, and counted whether or not the
// account exists.
func accountKey(name string) []byte {
	k := sha256.Sum256([]byte("account\x00" + strings.ToLower(name)))
	return k[:]
}
