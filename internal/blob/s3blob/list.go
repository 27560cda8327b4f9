package s3blob

import (
	"context"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/chatpic/chatpic/internal/blob"
)

// List calls fn for every object whose key starts with prefix, in lexical key
// order (S3 lists in that order), and stops with fn's error, unchanged, if fn
// fails. It pages through the listing a thousand objects at a time, holding
// no more in memory. It skips objects whose names are not valid keys, which
// no caller can have put or can ask for: another tool's files in a shared
// bucket, folder markers ending in '/'.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	if err := blob.ValidPrefix(prefix); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: list %q: %w", prefix, err)
	}
	noOwner := false
	objects := s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:     s.prefix + prefix,
		Recursive:  true,
		FetchOwner: &noOwner,
	})
	for oi := range objects {
		if oi.Err != nil {
			return fmt.Errorf("s3blob: list %q: %w", prefix, ctxErr(ctx, oi.Err))
		}
		key, ok := strings.CutPrefix(oi.Key, s.prefix)
		if !ok || blob.ValidKey(key) != nil {
			continue
		}
		if err := fn(info(key, oi)); err != nil {
			return err
		}
	}
	// The listing ends quietly when ctx is cancelled: say so.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: list %q: %w", prefix, err)
	}
	return nil
}
