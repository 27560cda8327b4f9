package posting

import (
	"sync"

	"github.com/chatpic/chatpic/internal/events"
)

// observable is an event source that shows its observers every event
// delivered in this process: *events.Memory and *events.Shared.
type observable interface {
	Observe(fn func(events.Event))
}

// watchers are the caches of rendered pages and listings that events make
// stale (see Watch).
type watchers struct {
	mu  sync.Mutex
	fns []func(topic string)
}

// Watch has fn called with the topic (ChannelTopic or PostTopic) of every
// change to what readers see, on any instance, as soon as this process
// learns of it, and with "" when changes may have been missed (drop
// everything). fn must be quick and must not call the service. It returns
// false, registering nothing, when the service has no event source to
// watch: the caller must then not cache.
func (s *Service) Watch(fn func(topic string)) bool {
	if s.events == nil {
		return false
	}
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	s.watch.fns = append(s.watch.fns, fn)
	return true
}

// changed tells the watchers that what topic shows has changed.
func (s *Service) changed(topic string) {
	s.visible.drop(topic)
	s.watch.mu.Lock()
	fns := s.watch.fns
	s.watch.mu.Unlock()
	for _, fn := range fns {
		fn(topic)
	}
}

// observe is the event source's view of every event.
func (s *Service) observe(ev events.Event) {
	if ev.Type == events.TypeLost {
		s.changed("")
		return
	}
	s.changed(ev.Topic)
}
