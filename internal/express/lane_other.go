//go:build !linux

package express

import (
	"context"
	"net"
)

// Lane is the express lane; it runs only on Linux (see New).
type Lane struct{}

// New returns ErrUnsupported: the lane needs epoll.
func New(net.Listener, Options) (*Lane, error) { return nil, ErrUnsupported }

// Listener is never called: New returns no Lane.
func (l *Lane) Listener() net.Listener { return nil }

// Start is never called: New returns no Lane.
func (l *Lane) Start() {}

// Shutdown is never called: New returns no Lane.
func (l *Lane) Shutdown(context.Context) error { return nil }
