// Package blob defines where chatpic keeps media bytes: a Store of objects
// addressed by keys such as "media/AbCd1234efgh5678.jpg". Implementations live
// in sub-packages named after what they wrap (diskblob, later s3blob); each one
// must pass the conformance suite in blobtest.
package blob

import (
	"context"
	"io"
	"time"

	"github.com/chatpic/chatpic"
)

// Store keeps media bytes under keys. Every method first checks its key with
// ValidKey (List its prefix with ValidPrefix) and returns that KindInvalid
// error without touching storage. Implementations are safe for concurrent
// use; concurrent Puts to one key end with one of the written objects whole.
type Store interface {
	// Put stores the bytes read from r under key, replacing any object there,
	// and returns the number of bytes stored. It is atomic: readers see the
	// whole new object or the old state, never a part. If r fails or ctx is
	// cancelled, nothing is left behind, the old object (if any) is intact,
	// and the returned error wraps r's error or ctx.Err(), so that a
	// *chatpic.Error from r (say, KindTooLarge from a size limit) keeps its
	// kind. Put reads r to io.EOF but does not close it.
	//
	// contentType is the object's media type, as its caller decided it
	// (chatpic from the bytes, never from the key): a store that clients
	// may fetch from directly (s3blob) serves the object with it, "" meaning
	// application/octet-stream; a store that serves nothing itself
	// (diskblob) may ignore it.
	Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error)

	// Open returns the object stored under key for reading; the caller must
	// close it. A missing key yields an error of kind chatpic.KindNotFound
	// that also matches ErrNotFound with errors.Is. ctx bounds the opening
	// only, not later reads.
	Open(ctx context.Context, key string) (Object, error)

	// Stat returns the Info of the object under key, or a not-found error as
	// Open does.
	Stat(ctx context.Context, key string) (Info, error)

	// Delete removes the object under key. Deleting a missing key is not an
	// error.
	Delete(ctx context.Context, key string) error

	// List calls fn, one call at a time, for every object whose key starts
	// with prefix, in lexical (byte-wise) key order. prefix is "" for every
	// object, or key-shaped text optionally ending in "/"; it matches bytes,
	// not segments, so "media/a" matches "media/ab.jpg". If fn returns an
	// error, List stops and returns that error unchanged. Objects put or
	// deleted during a List may or may not be seen.
	List(ctx context.Context, prefix string, fn func(Info) error) error

	// Ping reports whether the store answers (for /readyz); nil means it does.
	Ping(ctx context.Context) error
}

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64     // in bytes
	ModTime time.Time // when the object was last written, as the store saw it
}

// Object is an open stored object. It is seekable so that http.ServeContent
// can answer Range requests. Like an *os.File, one Object is not safe for
// concurrent use; open the key again for another reader.
//
// An object whose bytes are a file on the local disk also implements
// syscall.Conn: handed to http.ServeContent, the kernel then sends its bytes
// with sendfile, never copying them through the process.
type Object interface {
	io.ReadSeekCloser
	// Info describes the object as it was when opened.
	Info() Info
}

// ErrNotFound is the cause of every "no object under this key" error a Store
// returns: test for it with errors.Is. It is a *chatpic.Error of kind
// chatpic.KindNotFound, so chatpic.ErrorKind of any error wrapping it is
// KindNotFound too. Implementations wrap it with %w and the key; they never
// return a bare (nil, nil).
var ErrNotFound error = &chatpic.Error{Kind: chatpic.KindNotFound, Message: "blob not found"}
