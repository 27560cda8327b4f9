package posting

import (
	"strings"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
)

// visibility remembers the posts whose files were asked for, while they
// are visible and have no view limit, so that serving a file needs no
// query. A post leaves it at once when it is gone or hidden: this
// instance's changes drop it before their event is published, others'
// when their event arrives (see observe); a post's own expiry is checked
// at every use; and an entry lives at most visibleTTL, in case an event
// is lost unnoticed.
type visibility struct {
	mu    sync.Mutex
	posts map[string]visibleEntry
}

type visibleEntry struct {
	p      chatpic.Post
	expiry time.Time // of the entry, not the post
}

const (
	maxVisible = 20_000
	visibleTTL = time.Minute
)

// get returns the post remembered under id, if any and still fresh at now.
func (v *visibility) get(id string, now time.Time) (chatpic.Post, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.posts[id]
	if !ok || !now.Before(e.expiry) {
		return chatpic.Post{}, false
	}
	return e.p, true
}

// put remembers p, visible without a view limit, from now.
func (v *visibility) put(p chatpic.Post, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.posts == nil {
		v.posts = map[string]visibleEntry{}
	}
	if len(v.posts) >= maxVisible {
		for id := range v.posts { // forget an arbitrary tenth
			delete(v.posts, id)
			if len(v.posts) < maxVisible*9/10 {
				break
			}
		}
	}
	v.posts[p.ID] = visibleEntry{p: p, expiry: now.Add(visibleTTL)}
}

// drop forgets the post a topic names (PostTopic), or every post for "".
func (v *visibility) drop(topic string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if topic == "" {
		clear(v.posts)
		return
	}
	if id, ok := strings.CutPrefix(topic, "post:"); ok {
		delete(v.posts, id)
	}
}
