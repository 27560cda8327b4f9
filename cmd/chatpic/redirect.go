package main

import (
	"context"
	"time"

	"github.com/chatpic/chatpic/internal/blob/s3blob"
	"github.com/chatpic/chatpic/internal/web"
)

// presignLife is how long a presigned media link works. Redirects to one
// are cached for half of it, so a cached redirect never leads to an
// expired link.
const presignLife = time.Hour

// presigned redirects media requests to presigned links of the S3 bucket.
type presigned struct{ s3 *s3blob.Store }

var _ web.Redirector = presigned{}

func (p presigned) MediaURL(ctx context.Context, key, contentType string) (string, error) {
	return p.s3.PresignGet(ctx, key, presignLife, contentType)
}

func (presigned) MaxAge() time.Duration { return presignLife / 2 }

// cdn redirects media requests to a CDN that serves the bucket: its base
// URL followed by the object's key (the bucket prefix, if any, belongs in
// the base).
type cdn struct{ base string }

var _ web.Redirector = cdn{}

func (c cdn) MediaURL(_ context.Context, key, _ string) (string, error) {
	return c.base + "/" + key, nil
}

// MaxAge is a day: the link never changes, and a gone upload's file is
// deleted from the bucket, so the CDN answers 404 once its cache expires.
func (cdn) MaxAge() time.Duration { return 24 * time.Hour }

// mediaRedirector returns the Redirector that --media-redirect asks for,
// or nil to serve media from chatpic itself.
func mediaRedirector(setting string, s3 *s3blob.Store) web.Redirector {
	switch setting {
	case "":
		return nil
	case "presign":
		return presigned{s3}
	}
	return cdn{setting}
}
