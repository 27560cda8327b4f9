package s3blob

import (
	"context"
	"fmt"
	"net/url"
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
// stops it early. With contentType "", the server serves the bytes with the
// Content-Type they were stored with (from the key's extension, see Put);
// otherwise
// the URL asks it to answer with contentType and an inline disposition, so
// that a browser shows a picture or plays a video it is sent to.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration, contentType string) (string, error) {
	if err := blob.ValidKey(key); err != nil {
		return "", err
	}
	if ttl < time.Second || ttl > MaxPresignTTL {
		return "", chatpic.Errorf(chatpic.KindInvalid, "blob: presigned URL lifetime %s is outside 1s to %s", ttl.String(), MaxPresignTTL.String())
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("s3blob: presign %q: %w", key, err)
	}
	var params url.Values
	if contentType != "" {
		params = url.Values{"response-content-type": {contentType}, "response-content-disposition": {"inline"}}
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.name(key), ttl, params)
	if err != nil {
		return "", fmt.Errorf("s3blob: presign %q: %w", key, err)
	}
	return u.String(), nil
}
