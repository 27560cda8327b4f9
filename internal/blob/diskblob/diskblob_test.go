package diskblob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/blobtest"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return open(t, t.TempDir())
	})
}

func open(t *testing.T, dir string) *diskblob.Store {
	t.Helper()
	s, err := diskblob.Open(dir)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "blobs")
	s := open(t, dir)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		t.Fatalf("Open did not create %s: %v", dir, err)
	}
	if perm := fi.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("folder mode = %v, want at most 0750", perm)
	}
	if _, err := s.Put(t.Context(), "media/x.jpg", strings.NewReader("x"), ""); err != nil {
		t.Fatalf("Put: %v", err)
	}
	fi, err = os.Stat(filepath.Join(dir, "media", "x.jpg"))
	if err != nil {
		t.Fatalf("key media/x.jpg is not the file media/x.jpg: %v", err)
	}
	if perm := fi.Mode().Perm(); perm&^0o640 != 0 {
		t.Errorf("file mode = %v, want at most 0640", perm)
	}
}

// TestSymlinksCannotEscape plants symlinks to the outside in the folder and
// checks that no key reads or writes through them.
func TestSymlinksCannotEscape(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := open(t, dir)
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o750); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"escape":           outside, // a folder link
		"media/stolen.jpg": secret,  // a file link
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("cannot make symlinks here: %v", err)
		}
	}
	ctx := t.Context()

	for _, key := range []string{"escape/secret.txt", "media/stolen.jpg"} {
		if obj, err := s.Open(ctx, key); err == nil {
			data, _ := io.ReadAll(obj)
			obj.Close()
			t.Errorf("Open(%q) read %q through a symlink", key, data)
		}
		if info, err := s.Stat(ctx, key); err == nil {
			t.Errorf("Stat(%q) = %+v through a symlink", key, info)
		}
	}
	if _, err := s.Put(ctx, "escape/new.jpg", strings.NewReader("planted"), ""); err == nil {
		t.Error("Put through a folder symlink succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "new.jpg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put wrote outside the folder: %v", err)
	}
	// Deleting through the folder link must not reach the target; putting
	// onto the file link may replace the link, never write the target.
	s.Delete(ctx, "escape/secret.txt")
	s.Put(ctx, "media/stolen.jpg", strings.NewReader("overwritten"), "")
	if data, err := os.ReadFile(secret); err != nil || string(data) != "secret" {
		t.Errorf("the file outside is now %q, %v; want it untouched", data, err)
	}
	var keys []string
	s.List(ctx, "", func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if slices.Contains(keys, "escape/secret.txt") {
		t.Errorf("List shows a file outside the folder: %q", keys)
	}
}

// TestOpenRemovesStaleTemp checks that Open sweeps temp files a crash left
// more than an hour ago and keeps younger ones, which may belong to a Put
// running in another process.
func TestOpenRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".tmp")
	if err := os.Mkdir(tmp, 0o750); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	files := []struct {
		name     string
		age      time.Duration
		wantKept bool
	}{
		{"crashed-yesterday", 24 * time.Hour, false},
		{"crashed-two-hours-ago", 2 * time.Hour, false},
		{"in-progress", 10 * time.Minute, true},
		{"just-started", 0, true},
	}
	for _, f := range files {
		p := filepath.Join(tmp, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	open(t, dir)
	for _, f := range files {
		_, err := os.Stat(filepath.Join(tmp, f.name))
		if kept := err == nil; kept != f.wantKept {
			t.Errorf("%s (age %v): kept = %v, want %v (%v)", f.name, f.age, kept, f.wantKept, err)
		}
	}
}

// TestHiddenFilesNotListed checks that temp files and other hidden names,
// which no valid key can name, never show up in List.
func TestHiddenFilesNotListed(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.Put(t.Context(), "media/real.jpg", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".tmp/upload-in-progress", ".hidden", "media/.DS_Store", "media/.tmp/x", "bad name.jpg"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, prefix := range []string{"", "media/"} {
		var keys []string
		if err := s.List(t.Context(), prefix, func(info blob.Info) error {
			keys = append(keys, info.Key)
			return nil
		}); err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		if !slices.Equal(keys, []string{"media/real.jpg"}) {
			t.Errorf("List(%q) = %q, want just media/real.jpg", prefix, keys)
		}
	}
}

// TestFailedPutLeavesNoTemp checks that a Put that fails, for any reason,
// removes its temp file.
func TestFailedPutLeavesNoTemp(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		key  string
		r    io.Reader
	}{
		{"reader fails", t.Context(), "media/a.jpg", io.MultiReader(bytes.NewReader(make([]byte, 200<<10)), errReader{})},
		{"context cancelled", cancelled, "media/a.jpg", strings.NewReader("data")},
		{"key collides with a folder", t.Context(), "media", strings.NewReader("data")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			if _, err := s.Put(t.Context(), "media/other.jpg", strings.NewReader("x"), ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Put(tt.ctx, tt.key, tt.r, ""); err == nil {
				t.Fatal("Put succeeded, want an error")
			}
			left, err := os.ReadDir(filepath.Join(dir, ".tmp"))
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Errorf(".tmp holds %d files after a failed Put, want none", len(left))
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestKeyFolderConflict checks the one place where a folder differs from an
// object store: a key cannot be both an object and a folder of objects.
func TestKeyFolderConflict(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Put(ctx, "a/b", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "a/b/c"} {
		_, err := s.Put(ctx, key, strings.NewReader("y"), "")
		if got := chatpic.ErrorKind(err); got != chatpic.KindConflict {
			t.Errorf("Put(%q) = %v (kind %q), want kind %q", key, err, got, chatpic.KindConflict)
		}
	}
}

func TestNameTooLongForFileSystem(t *testing.T) {
	s := open(t, t.TempDir())
	key := strings.Repeat("n", blob.MaxKeyLen) // a valid key, but one 256-byte file name
	_, err := s.Put(t.Context(), key, strings.NewReader("x"), "")
	if got := chatpic.ErrorKind(err); got != chatpic.KindInvalid {
		t.Errorf("Put = %v (kind %q), want kind %q", err, got, chatpic.KindInvalid)
	}
	_, err = s.Stat(t.Context(), key)
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat = %v, want not found", err)
	}
	if err := s.Delete(t.Context(), key); err != nil {
		t.Errorf("Delete = %v, want nil", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := diskblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "a", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Open(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping after Close = nil, want an error")
	}
	if _, err := s.Put(t.Context(), "b", strings.NewReader("x"), ""); err == nil {
		t.Error("Put after Close succeeded")
	}
	if data, err := io.ReadAll(obj); err != nil || string(data) != "x" {
		t.Errorf("object opened before Close read %q, %v; want \"x\"", data, err)
	}
}

// TestFolderReplacedBehindTheStore: the store keeps its folders open to
// open keys faster; a folder removed and made again behind its back (by an
// operator restoring a backup, say) is found again.
func TestFolderReplacedBehindTheStore(t *testing.T) {
	dir := t.TempDir()
	s, err := diskblob.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	put := func(key, body string) {
		t.Helper()
		if _, err := s.Put(ctx, key, strings.NewReader(body), ""); err != nil {
			t.Fatal(err)
		}
	}
	read := func(key string) string {
		t.Helper()
		o, err := s.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		defer o.Close()
		b, _ := io.ReadAll(o)
		return string(b)
	}
	put("media/a.jpg", "first")
	if got := read("media/a.jpg"); got != "first" {
		t.Fatalf("got %q", got)
	}
	if err := os.RemoveAll(filepath.Join(dir, "media")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "b.jpg"), []byte("restored"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got := read("media/b.jpg"); got != "restored" {
		t.Fatalf("after the folder was replaced: %q", got)
	}
	put("media/c.jpg", "new")
	if got := read("media/c.jpg"); got != "new" {
		t.Fatalf("got %q", got)
	}
}

// TestObjectReadsAndSeeksLikeAFile drives an object and a bytes.Reader over
// the same bytes through the same steps, the kernel's position moved behind
// the object's back as sendfile moves it, and compares every answer: the
// object notes seeks without system calls and must still read from the
// right place.
func TestObjectReadsAndSeeksLikeAFile(t *testing.T) {
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	s := open(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Put(ctx, "media/x.bin", bytes.NewReader(data), ""); err != nil {
		t.Fatal(err)
	}
	type step struct {
		op     string // "seek", "read" or "kernel" (read n bytes past the object, as sendfile does)
		off    int64
		whence int
		n      int
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"size then whole file, as ServeContent", []step{{op: "seek", whence: io.SeekEnd}, {op: "seek", whence: io.SeekStart}, {op: "read", n: 20000}}},
		{"a range", []step{{op: "seek", whence: io.SeekEnd}, {op: "seek", off: 4000, whence: io.SeekStart}, {op: "read", n: 100}, {op: "seek", whence: io.SeekCurrent}}},
		{"relative seeks", []step{{op: "read", n: 10}, {op: "seek", off: 5, whence: io.SeekCurrent}, {op: "read", n: 10}, {op: "seek", off: -3, whence: io.SeekCurrent}, {op: "read", n: 4}}},
		{"from the end", []step{{op: "seek", off: -10, whence: io.SeekEnd}, {op: "read", n: 100}, {op: "read", n: 1}}},
		{"past the end", []step{{op: "seek", off: 20000, whence: io.SeekStart}, {op: "read", n: 10}}},
		{"negative", []step{{op: "seek", off: -1, whence: io.SeekStart}, {op: "read", n: 3}}},
		{"after sendfile", []step{{op: "read", n: 512}, {op: "kernel", n: 1000}, {op: "seek", whence: io.SeekCurrent}, {op: "read", n: 8}}},
		{"sendfile from a range, then back", []step{{op: "seek", off: 300, whence: io.SeekStart}, {op: "kernel", n: 200}, {op: "read", n: 5}, {op: "seek", off: 2, whence: io.SeekStart}, {op: "read", n: 5}}},
		{"sendfile, then seek from the end", []step{{op: "kernel", n: 50}, {op: "seek", off: -4, whence: io.SeekEnd}, {op: "read", n: 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := s.Open(ctx, "media/x.bin")
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			want := bytes.NewReader(data)
			for i, st := range tc.steps {
				switch st.op {
				case "seek":
					got, gerr := obj.Seek(st.off, st.whence)
					w, werr := want.Seek(st.off, st.whence)
					if (gerr != nil) != (werr != nil) || gerr == nil && got != w {
						t.Fatalf("step %d: Seek(%d, %d) = %d, %v; a file gives %d, %v", i, st.off, st.whence, got, gerr, w, werr)
					}
				case "read":
					got := make([]byte, st.n)
					gn, gerr := io.ReadFull(obj, got)
					w := make([]byte, st.n)
					wn, werr := io.ReadFull(want, w)
					if gn != wn || !bytes.Equal(got[:gn], w[:wn]) || (gerr == nil) != (werr == nil) {
						t.Fatalf("step %d: read %d bytes (%v), a file gives %d (%v), same bytes: %v", i, gn, gerr, wn, werr, bytes.Equal(got[:gn], w[:wn]))
					}
				case "kernel":
					rc, err := obj.(syscall.Conn).SyscallConn()
					if err != nil {
						t.Fatal(err)
					}
					buf := make([]byte, st.n)
					var n int
					var rerr error
					rc.Read(func(fd uintptr) bool { n, rerr = syscall.Read(int(fd), buf); return true })
					w := make([]byte, st.n)
					wn, _ := io.ReadFull(want, w)
					if rerr != nil || n != wn || !bytes.Equal(buf[:n], w[:wn]) {
						t.Fatalf("step %d: the kernel read %d bytes (%v) from the object's position, a file gives %d", i, n, rerr, wn)
					}
				}
			}
		})
	}
}
