package s3blob

import (
	"context"
	"fmt"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

// MaxPresignTTL is the longest validity S3 allows a presigned URL.
const MaxPresignTTL = 7 * 24 * time.Hour

// PresignGet returns a URL that lets anyone holding it GET the object under
// key, without credentials, for ttl (at most MaxPresignTTL, measured to the
// second). Signing is local: it does not check that the object exists (a
// URL for a missing key answers 404), and it makes no request, so ctx only
// stops it early. The server serves the bytes with the Content-Type they
// were stored with, application/octet-stream: a caller that wants a browser
// to show them inline must not rely on this URL for the type.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := blob.ValidKey(key); err != nil {
		return "", err
	}
	if ttl < time.Second || ttl > MaxPresignTTL {
		return "", chatpic.Errorf(chatpic.KindInvalid, "blob: presigned URL lifetime %v is outside 1s to %v", ttl, MaxPresignTTL)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("s3blob: presign %q: %w", key, err)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.name(key), ttl, nil)
	if err != nil {
		return "", fmt.Errorf("s3blob: presign %q: %w", key, err)
	}
	return u.String(), nil
}
