package s3blob

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/chatpic/chatpic/internal/blob"
)

// Open returns the object under key for reading; the caller must close it. A
// missing key yields an error matching blob.ErrNotFound. ctx bounds the
// opening only.
//
// Open starts one GET of the whole object, which a plain read to the end
// uses as is. A Read after a Seek to elsewhere issues a ranged GET from
// there, pinned with If-Match to the version opened: if the key has been
// overwritten or deleted since, that Read fails rather than mix versions.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("s3blob: open %q: %w", key, err)
	}
	// The response body must outlive ctx, yet cancelling ctx must still
	// abort the opening: so a context of the object's own, tied to ctx only
	// until Open returns.
	octx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	body, oi, _, err := s.client.GetObject(octx, s.bucket, s.name(key), minio.GetObjectOptions{})
	if !stop() {
		err = ctx.Err()
	}
	if err != nil {
		if body != nil {
			body.Close()
		}
		cancel()
		if isNoSuchKey(err) {
			return nil, notFound("open", key)
		}
		return nil, fmt.Errorf("s3blob: open %q: %w", key, ctxErr(ctx, err))
	}
	if oi.Size < 0 {
		body.Close()
		cancel()
		return nil, fmt.Errorf("s3blob: open %q: the server sent no Content-Length", key)
	}
	return &object{
		s:      s,
		key:    key,
		info:   info(key, oi),
		etag:   oi.ETag,
		ctx:    octx,
		cancel: cancel,
		body:   body,
	}, nil
}

// Stat returns the Info of the object under key, or an error matching
// blob.ErrNotFound as Open does.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.ValidKey(key); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("s3blob: stat %q: %w", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.name(key), minio.StatObjectOptions{})
	if isNoSuchKey(err) {
		return blob.Info{}, notFound("stat", key)
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("s3blob: stat %q: %w", key, ctxErr(ctx, err))
	}
	return info(key, oi), nil
}

// info describes an object. ModTime is cut to whole seconds, the precision
// of the Last-Modified header, so that a listing (which may carry
// milliseconds) agrees with Stat and Open.
func info(key string, oi minio.ObjectInfo) blob.Info {
	return blob.Info{Key: key, Size: oi.Size, ModTime: oi.LastModified.UTC().Truncate(time.Second)}
}

// object is an open S3 object: a GET response read in order, replaced by a
// ranged GET when a Seek moves elsewhere.
type object struct {
	s    *Store
	key  string
	info blob.Info
	etag string

	// ctx is the object's own, Open's without its cancellation: Read and
	// Seek take none, yet their requests need one that Close can cancel.
	ctx    context.Context
	cancel context.CancelFunc

	body    io.ReadCloser // nil when there is none open
	bodyOff int64         // where body reads from
	off     int64         // where the next Read reads from
	closed  bool
}

func (o *object) Info() blob.Info { return o.info }

func (o *object) Read(p []byte) (int, error) {
	if o.closed {
		return 0, fmt.Errorf("s3blob: read %q: %w", o.key, os.ErrClosed)
	}
	if o.off >= o.info.Size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if o.body == nil || o.bodyOff != o.off {
		if err := o.reopen(); err != nil {
			return 0, err
		}
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	o.bodyOff += int64(n)
	switch {
	case err == io.EOF && o.off < o.info.Size:
		err = io.ErrUnexpectedEOF
	case err == io.EOF:
		// At the end: the body is spent, and done with.
	case err != nil:
		err = fmt.Errorf("s3blob: read %q: %w", o.key, err)
	}
	if err != nil {
		o.body.Close()
		o.body = nil
	}
	return n, err
}

// reopen replaces the body with a ranged GET from o.off to the end, of the
// version opened.
func (o *object) reopen() error {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
	var opts minio.GetObjectOptions
	if err := opts.SetMatchETag(o.etag); err != nil {
		return fmt.Errorf("s3blob: read %q: %w", o.key, err)
	}
	if o.off > 0 { // SetRange(0, 0) would ask for the first byte only
		if err := opts.SetRange(o.off, 0); err != nil {
			return fmt.Errorf("s3blob: read %q: %w", o.key, err)
		}
	}
	body, _, _, err := o.s.client.GetObject(o.ctx, o.s.bucket, o.s.name(o.key), opts)
	if err != nil {
		if code := minio.ToErrorResponse(err).Code; code == minio.PreconditionFailed || isNoSuchKey(err) {
			return fmt.Errorf("s3blob: read %q: the object was overwritten or deleted since it was opened: %w", o.key, err)
		}
		return fmt.Errorf("s3blob: read %q: %w", o.key, err)
	}
	o.body = body
	o.bodyOff = o.off
	return nil
}

// Seek sets where the next Read reads from. It does no I/O: the next Read
// does, if it must. Seeking past the end is allowed; Read there yields
// io.EOF.
func (o *object) Seek(offset int64, whence int) (int64, error) {
	if o.closed {
		return 0, fmt.Errorf("s3blob: seek %q: %w", o.key, os.ErrClosed)
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.off + offset
	case io.SeekEnd:
		abs = o.info.Size + offset
	default:
		return 0, fmt.Errorf("s3blob: seek %q: invalid whence %d", o.key, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("s3blob: seek %q: negative position %d", o.key, abs)
	}
	o.off = abs
	return abs, nil
}

// Close releases the open GET, if any. Closing twice returns an error
// matching os.ErrClosed.
func (o *object) Close() error {
	if o.closed {
		return fmt.Errorf("s3blob: close %q: %w", o.key, os.ErrClosed)
	}
	o.closed = true
	var err error
	if o.body != nil {
		err = o.body.Close()
		o.body = nil
	}
	o.cancel()
	if err != nil {
		return fmt.Errorf("s3blob: close %q: %w", o.key, err)
	}
	return nil
}
