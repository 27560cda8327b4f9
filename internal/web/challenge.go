package web

import "context"

// powChallenge is what a posting form carries so that app.js can solve a
// proof-of-work before sending it, when the channel is flooded.
type powChallenge struct {
	// Channel is where app.js asks for a fresh challenge ("-" for
	// link-only uploads).
	Channel string
	// Token and Bits are the puzzle; Token is "" when none is needed now.
	Token string
	Bits  int
}

// challenge returns the puzzle a form posting into the channel slug must
// solve now, if any. A failure to tell is logged and treated as none: the
// server still checks, and answers 428 with a clear message.
func (w *Web) challenge(ctx context.Context, slug string) powChallenge {
	c := powChallenge{Channel: slug}
	if w.mods == nil {
		return c
	}
	ch, err := w.mods.Challenge(ctx, slug)
	if err != nil {
		w.log.Error("proof-of-work challenge", "channel", slug, "err", err)
		return c
	}
	if ch.Required {
		c.Token, c.Bits = ch.Token, ch.Bits
	}
	return c
}
