package main

import (
	"context"
	"time"

	"github.com/chatpic/chatpic/internal/blob/s3blob"
	"github.com/chatpic/chatpic/internal/web"
)

// presignLife is how long a presigned media link works: short, because a
// link handed out keeps working after a report hides the upload. Redirects
// to one are cached for a fifth of it, so a cached redirect never leads to
// an expired link.
const presignLife = 5 * time.Minute

// presigned redirects media requests to presigned links of the S3 bucket.
type presigned struct{ s3 *s3blob.Store }

var _ web.Redirector = presigned{}

func (p presigned) MediaURL(ctx context.Context, key, contentType string) (string, error) {
	return p.s3.PresignGet(ctx, key, presignLife, contentType)
}

func (presigned) MaxAge() time.Duration { return presignLife / 5 }

// cdn redirects media requests to a CDN that serves the bucket: its base
// URL followed by the object's key (the bucket prefix, if any, belongs in
// the base).
type cdn struct{ base string }

var _ web.Redirector = cdn{}

func (c cdn) MediaURL(_ context.Context, key, _ string) (string, error) {
	return c.base + "/" + key, nil
}

// MaxAge is a minute, so that a hidden or removed upload stops being
// redirected to soon; the CDN's own cache of the file is the operator's
// to bound (a gone upload's file is deleted from the bucket).
func (cdn) MaxAge() time.Duration { return time.Minute }

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
