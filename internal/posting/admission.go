package posting

import (
	"context"
	"net/netip"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/limit"
)

// Defaults for the places of uploads in flight and the pace of their
// bodies.
const (
	DefaultUploadsPerClient = 4
	DefaultUploadsInFlight  = 256
	DefaultUploadRate       = 8 << 10
	DefaultUploadGrace      = 10 * time.Second
)

// UploadRate is the least pace an upload's body must keep: grace at first,
// then on average bytesPerSecond since it began (see Config.UploadRate).
func (s *Service) UploadRate() (bytesPerSecond int64, grace time.Duration) {
	rate, grace := s.cfg.UploadRate, s.cfg.UploadGrace
	if rate == 0 {
		rate = DefaultUploadRate
	}
	if grace <= 0 {
		grace = DefaultUploadGrace
	}
	return rate, grace
}

// Pass is an upload admitted before a byte of its body was read (see Admit).
// It holds one of its client's places for uploads in flight until Release.
type Pass struct {
	s       *Service
	client  netip.Addr
	ch      *chatpic.ChannelStats // once Channel has checked it
	release func()
}

// Admit decides what can be decided of an upload from client before its
// body is read: the client is under its rate limit for uploads (this counts
// as one), is not banned from posting, and has fewer than its share of
// uploads in flight, as has the server. Errors: KindRateLimited (the rate
// limit, or the client's share of uploads in flight), KindUnavailable (the
// server's), KindForbidden (banned). The caller releases the Pass when the
// request ends.
func (s *Service) Admit(ctx context.Context, client netip.Addr) (*Pass, error) {
	p, err := s.admitClient(ctx, client)
	s.refused(err)
	return p, err
}

// admitClient is Admit without counting a refusal: Upload, which calls it
// for callers that read the body first, counts its own.
func (s *Service) admitClient(ctx context.Context, client netip.Addr) (*Pass, error) {
	// The place first: it costs nothing to refuse, and a client refused
	// for having too many uploads in flight spends none of its allowance.
	release, err := s.inflight.Acquire(s.ClientKey(client))
	if err != nil {
		return nil, err
	}
	if s.cfg.Guard != nil {
		if err := s.cfg.Guard.Enter(ctx, chatpic.ActionUpload, client); err != nil {
			release()
			return nil, err
		}
	}
	return &Pass{s: s, client: client, release: release}, nil
}

// Channel checks that the admitted upload may go into the channel slug
// (chatpic.LinkOnly for a link-only upload): it exists and is open. It is
// meant to be called as soon as the channel is known, from the URL or from
// a form field that comes before the file. Errors: KindNotFound,
// KindForbidden (locked).
func (p *Pass) Channel(ctx context.Context, slug string) error {
	if p.ch != nil && p.ch.Slug == slug {
		return nil
	}
	var ch chatpic.ChannelStats
	var err error
	if slug == chatpic.LinkOnly {
		ch, err = p.s.store.Channel(ctx, chatpic.LinkOnly, p.s.Now())
	} else {
		ch, err = p.s.Channel(ctx, slug)
	}
	if err != nil {
		return err
	}
	if p.s.cfg.Guard != nil {
		if err := p.s.cfg.Guard.Open(ch.Channel); err != nil {
			return err
		}
	}
	p.ch = &ch
	return nil
}

// Release gives the pass's place back. It may be called more than once.
func (p *Pass) Release() {
	if p != nil {
		p.release()
	}
}

// passFor returns d's Pass checked for the channel slug, or, when d has
// none, admits the upload now (for callers that read the body first), with
// a release to defer.
func (s *Service) passFor(ctx context.Context, d Draft, slug string) (*Pass, func(), error) {
	p, done := d.Pass, func() {}
	if p == nil {
		var err error
		if p, err = s.admitClient(ctx, d.Client); err != nil {
			return nil, done, err
		}
		done = p.Release
	}
	if err := p.Channel(ctx, slug); err != nil {
		return nil, done, err
	}
	return p, done, nil
}

// newInflight makes the places of uploads in flight from cfg.
func newInflight(cfg Config) *limit.Slots {
	per, total := cfg.UploadsPerClient, cfg.UploadsInFlight
	if per <= 0 {
		per = DefaultUploadsPerClient
	}
	if total <= 0 {
		total = DefaultUploadsInFlight
	}
	return limit.NewSlots(per, total, limit.UploadsInFlight, 10*time.Second)
}

// InFlight returns how many uploads hold a place now (see Admit).
func (s *Service) InFlight() int { return s.inflight.Held() }

// MediaQueue is the state of media work: how many jobs wait for memory,
// light (JPEG, PNG, GIF, WebP) and heavy (HEIC, AVIF, video), and how many
// bytes of the memory budget are in use.
type MediaQueue struct {
	Light, Heavy int
	InUse        int64
}

// MediaQueue returns the state of media work now.
func (s *Service) MediaQueue() MediaQueue {
	l, h, used := s.mem.state()
	return MediaQueue{Light: l, Heavy: h, InUse: used}
}

// ClientKey returns the keyed hash that names client now (it rotates with
// the client secret), for bounding what one client holds; never the
// address itself.
func (s *Service) ClientKey(client netip.Addr) string {
	key, _ := s.keys.Client(client, s.Now())
	return string(key)
}
