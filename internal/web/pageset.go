package web

import (
	"html/template"
	"runtime"
	"sync"
)

// pageSet holds the parsed copies of one page's templates. A copy renders
// one request at a time, with the words of that request's language bound
// to it just before (see Web.execute): html/template keeps the escaped
// form of every copy, so a copy per language (ten, with ?lang= pinned or
// not) would hold ten times the memory. The copies grow on demand up to
// maxCopies, for as many renders of the page at once as the machine has
// cores; one more render waits for a copy to be free.
type pageSet struct {
	parse func() (*template.Template, error)
	free  chan *template.Template
	mu    sync.Mutex
	made  int
}

// maxCopies bounds the copies of a page: renders are CPU work, so more
// than the cores would only wait anyway.
var maxCopies = min(runtime.GOMAXPROCS(0), 4)

// newPageSet parses the page once (so that a broken template fails at
// start-up) and keeps that copy.
func newPageSet(parse func() (*template.Template, error)) (*pageSet, error) {
	t, err := parse()
	if err != nil {
		return nil, err
	}
	ps := &pageSet{parse: parse, free: make(chan *template.Template, maxCopies), made: 1}
	ps.free <- t
	return ps, nil
}

// get returns a copy of the page for the caller's sole use until put.
func (ps *pageSet) get() (*template.Template, error) {
	select {
	case t := <-ps.free:
		return t, nil
	default:
	}
	ps.mu.Lock()
	grow := ps.made < maxCopies
	if grow {
		ps.made++
	}
	ps.mu.Unlock()
	if !grow {
		return <-ps.free, nil
	}
	t, err := ps.parse()
	if err != nil {
		ps.mu.Lock()
		ps.made--
		ps.mu.Unlock()
		return nil, err
	}
	return t, nil
}

// put gives back a copy that get returned.
func (ps *pageSet) put(t *template.Template) { ps.free <- t }
