// Package s3blob is a blob.Store on a bucket of an S3-compatible object
// store (AWS S3, MinIO, versitygw, Garage, ...), through minio-go.
//
// Its tests run against a real server: .ci/s3-start starts versitygw and
// prints the environment they need; without CHATPIC_TEST_S3 they skip.
package s3blob

import (
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/chatpic/chatpic/internal/blob"
)

// Store is a blob.Store keeping each object as an S3 object: key
// "media/x.jpg" is object "media/x.jpg" in the bucket, or "PREFIX/media/x.jpg"
// with Config.Prefix. It is safe for concurrent use, also by several
// processes sharing the bucket.
//
// It differs from diskblob in what an object store gives. ModTime is the
// server's clock, in whole seconds. An open Object reads the version it
// opened or fails: once the key is overwritten or deleted, a Read that needs
// a new request (after a Seek) fails rather than mix versions, where a file
// would go on yielding the old bytes. A Put cancelled at the very moment the
// server completes it may report the cancellation yet leave the new object
// in place. And whether a key can name both an object and a folder of
// objects ("a" and "a/b") is the server's call: S3 allows it, a server that
// keeps objects as files (versitygw's posix backend) refuses the second Put
// with an error of its own.
type Store struct {
	client *minio.Core
	bucket string
	prefix string // "" or ending in '/'
}

var _ blob.Store = (*Store)(nil)

// New returns a Store on the bucket cfg names, after checking that it exists
// (ctx bounds that check). It returns an error for a bad Config (see
// ParseURL), an unreachable server, refused credentials or a missing bucket.
// New does not create the bucket. The Store needs no closing.
func New(ctx context.Context, cfg Config) (*Store, error) {
	ep, err := cfg.check()
	if err != nil {
		return nil, err
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.NewCore(ep.host, &minio.Options{
		// Empty keys make anonymous requests.
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       ep.secure,
		Region:       region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	s := &Store{client: client, bucket: cfg.Bucket, prefix: cfg.keyPrefix()}
	if err := s.Ping(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Ping reports whether the server answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: ping: %w", err)
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3blob: ping bucket %q: %w", s.bucket, ctxErr(ctx, err))
	}
	if !ok {
		return fmt.Errorf("s3blob: ping: bucket %q does not exist", s.bucket)
	}
	return nil
}

// Delete removes the object under key. A missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: delete %q: %w", key, err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{})
	if err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("s3blob: delete %q: %w", key, ctxErr(ctx, err))
	}
	return nil
}

// name returns the object name of key in the bucket.
func (s *Store) name(key string) string {
	return s.prefix + key
}

func notFound(op, key string) error {
	return fmt.Errorf("s3blob: %s %q: %w", op, key, blob.ErrNotFound)
}

// isNoSuchKey reports whether err is the server saying there is no object
// under the name. Any other 404 (a missing bucket, a wrong endpoint behind a
// proxy) is a broken setup, and must not pass for a missing object.
func isNoSuchKey(err error) bool {
	return minio.ToErrorResponse(err).Code == minio.NoSuchKey
}

// ctxErr returns ctx's error if ctx is done, and err otherwise: once the
// caller has cancelled, what the client made of that (a failed request, a
// closed connection) says less than context.Canceled itself.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}
