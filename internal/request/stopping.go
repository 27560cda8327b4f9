package request

import "context"

type stoppingKey struct{}

// WithStopping returns ctx carrying a channel that closes when the server
// begins to shut down. The server puts it in every request's context, so
// that endless responses such as event streams can end and let the
// shutdown finish, while ordinary requests (an upload in flight) are left
// to complete.
func WithStopping(ctx context.Context, stopping <-chan struct{}) context.Context {
	return context.WithValue(ctx, stoppingKey{}, stopping)
}

// Stopping returns the channel WithStopping put in ctx, or nil (which never
// closes) when there is none.
func Stopping(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stoppingKey{}).(<-chan struct{})
	return ch
}
