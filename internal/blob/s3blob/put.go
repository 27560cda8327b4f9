package s3blob

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

const (
	// PartSize is the size of the parts Put uploads an object in when it is
	// larger than one part, and so the most memory one Put of a reader of
	// unknown size holds. S3 wants parts of at least 5 MiB (but the last)
	// and at most 10,000 of them, so such a reader may yield up to 160 GiB.
	PartSize = 16 << 20

	maxParts = 10_000
	// minBuf is where the part buffer starts: small objects, the common
	// case, take little memory.
	minBuf = 64 << 10
	// abortTimeout bounds the request abandoning a failed upload, which
	// runs even when the caller's context is done.
	abortTimeout = time.Minute
)

// Put stores the bytes read from r under key, replacing any object there, and
// returns the number of bytes stored. Readers see the old object or the
// whole new one, never a part. The object is stored with contentType as its
// Content-Type (application/octet-stream for ""), which is what a client
// sent straight to the bucket (a CDN in front of it, a presigned link)
// receives, so that a browser shows the file rather than downloading it.
//
// If r tells its size without being read (a *bytes.Reader, *strings.Reader
// or *bytes.Buffer through Len, a regular *os.File through Stat, an
// *io.SectionReader or multipart.File through Size and Seek), Put reads
// exactly that many bytes and streams them, holding no object in memory. It
// trusts that size: a reader that yields fewer bytes fails the Put. From any
// other reader, Put reads up to PartSize bytes into memory: an object that
// fits goes up in one request; a larger one goes up as a multipart upload
// of PartSize parts, reusing that one buffer. So one Put holds at most about
// PartSize bytes (briefly 1.25 times that, while its buffer last grows).
//
// If r fails or ctx is cancelled, the returned error wraps r's error or
// ctx.Err(), whatever the HTTP client made of it, and a started multipart
// upload is abandoned (best effort, even after ctx is done: a bucket
// lifecycle rule aborting incomplete uploads catches what a lost server
// leaves). Put does not close r, and does not read it after returning.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error) {
	if err := blob.ValidKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("s3blob: put %q: %w", key, err)
	}
	name := s.name(key)
	opts := minio.PutObjectOptions{ContentType: cmp.Or(contentType, "application/octet-stream")}
	src := &source{r: r}
	size, sized := remaining(r)
	var err error
	if sized {
		err = s.putSized(ctx, name, opts, src, size)
	} else {
		err = s.putStream(ctx, name, opts, src)
	}
	n, rerr := src.stop()
	switch {
	case err == nil && sized:
		// The server has exactly size bytes, whatever net/http read past
		// them to check the length.
		return size, nil
	case err == nil:
		return n, nil
	case rerr != nil:
		// r's own error, not the client's account of it: it keeps its kind.
		return 0, fmt.Errorf("s3blob: put %q: %w", key, rerr)
	default:
		return 0, fmt.Errorf("s3blob: put %q: %w", key, ctxErr(ctx, err))
	}
}

// putSized uploads the size bytes src yields, streaming them.
func (s *Store) putSized(ctx context.Context, name string, opts minio.PutObjectOptions, src io.Reader, size int64) error {
	if size <= PartSize {
		_, err := s.client.PutObject(ctx, s.bucket, name, src, size, "", "", opts)
		return err
	}
	// Streamed parts cost no memory, so a huge object just takes larger
	// parts rather than more of them.
	part := max(int64(PartSize), (size+maxParts-1)/maxParts)
	left := size
	return s.putParts(ctx, name, opts, func() (io.Reader, int64, error) {
		n := min(left, part)
		left -= n
		return io.LimitReader(src, n), n, nil
	})
}

// putStream uploads what src yields up to its EOF, a part at a time.
func (s *Store) putStream(ctx context.Context, name string, opts minio.PutObjectOptions, src io.Reader) error {
	buf, eof, err := fill(ctx, src, nil, PartSize)
	if err != nil {
		return err
	}
	if eof {
		_, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(buf), int64(len(buf)), "", "", opts)
		return err
	}
	first := true
	return s.putParts(ctx, name, opts, func() (io.Reader, int64, error) {
		if !first {
			if eof {
				return nil, 0, nil
			}
			// The previous part is uploaded: its buffer is free again.
			if buf, eof, err = fill(ctx, src, buf, PartSize); err != nil {
				return nil, 0, err
			}
		}
		first = false
		return bytes.NewReader(buf), int64(len(buf)), nil
	})
}

// putParts uploads the parts next returns, until it returns a size of 0, as
// one multipart upload, which it abandons if anything fails.
func (s *Store) putParts(ctx context.Context, name string, opts minio.PutObjectOptions, next func() (io.Reader, int64, error)) (err error) {
	id, err := s.client.NewMultipartUpload(ctx, s.bucket, name, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			// Best effort: the Put fails with its own error either way.
			s.client.AbortMultipartUpload(actx, s.bucket, name, id)
		}
	}()
	var parts []minio.CompletePart
	for n := 1; ; n++ {
		r, size, err := next()
		if err != nil {
			return err
		}
		if size == 0 {
			break
		}
		if n > maxParts {
			return chatpic.Errorf(chatpic.KindTooLarge, "blob: object larger than %d bytes", int64(maxParts)*PartSize)
		}
		part, err := s.client.PutObjectPart(ctx, s.bucket, name, id, n, r, size, minio.PutObjectPartOptions{})
		if err != nil {
			return err
		}
		parts = append(parts, minio.CompletePart{PartNumber: n, ETag: part.ETag})
	}
	// Last chance to honour a cancellation: once complete, the object is in.
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = s.client.CompleteMultipartUpload(ctx, s.bucket, name, id, parts, opts)
	return err
}

// fill reads r into buf from its start until buf holds limit bytes or r ends
// (eof), checking ctx before each read. It grows buf as needed, quadrupling
// from minBuf (so little is copied and left for the collector), never past
// limit.
func fill(ctx context.Context, r io.Reader, buf []byte, limit int) (_ []byte, eof bool, err error) {
	buf = buf[:0]
	for len(buf) < limit {
		if err := ctx.Err(); err != nil {
			return buf, false, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(max(3*cap(buf), minBuf), limit-len(buf)))
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF { // Read returns io.EOF itself, never wrapped
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, false, nil
}

// remaining returns how many bytes r has left to read, if r can tell without
// being read.
func remaining(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		return int64(r.Len()), true
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false // a pipe, a device: its size says nothing
		}
		return sizeLeft(r, fi.Size())
	case interface {
		Size() int64
		io.Seeker
	}: // io.SectionReader, multipart.File
		return sizeLeft(r, r.Size())
	}
	return 0, false
}

// sizeLeft returns the bytes from r's offset to size.
func sizeLeft(r io.Seeker, size int64) (int64, bool) {
	off, err := r.Seek(0, io.SeekCurrent)
	if err != nil || off > size {
		return 0, false
	}
	return size - off, true
}

// errPutReturned is what the reader handed to the HTTP client yields once Put
// has returned.
var errPutReturned = errors.New("s3blob: Put has returned")

// source is the reader given to Put, as minio-go and net/http see it. It
// keeps r's first error, so that Put returns that error whatever the HTTP
// client wraps it in (or mistakes it for); and it stops reading r once Put
// returns, because net/http may go on reading a request body in the
// background after a failed request, while r belongs to the caller again.
type source struct {
	mu   sync.Mutex
	r    io.Reader
	n    int64 // bytes read
	err  error // r's first error other than io.EOF
	done bool
}

func (s *source) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return 0, errPutReturned
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// stop makes later Reads fail without touching r, waiting for one in
// progress, and returns the bytes read and r's error.
func (s *source) stop() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	return s.n, s.err
}
