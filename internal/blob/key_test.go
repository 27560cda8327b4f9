package blob_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{"media key", "media/AbCd1234efgh5678.jpg", true},
		{"single segment", "a", true},
		{"all allowed characters", "AZaz09._-/x", true},
		{"dot inside segment", "a/b.c.d", true},
		{"dash and underscore first", "-a/_b", true},
		{"longest key", strings.Repeat("a", blob.MaxKeyLen), true},
		{"empty", "", false},
		{"leading slash", "/a", false},
		{"trailing slash", "a/", false},
		{"double slash", "a//b", false},
		{"dot segment", "a/./b", false},
		{"lone dot", ".", false},
		{"lone dot-dot", "..", false},
		{"parent at start", "../x", false},
		{"parent in middle", "a/../b", false},
		{"hidden name", ".hidden", false},
		{"hidden folder", "a/.tmp/x", false},
		{"space", "a b", false},
		{"backslash", `a\b`, false},
		{"NUL byte", "a\x00b", false},
		{"non-ASCII", "é", false},
		{"one byte too long", strings.Repeat("a", blob.MaxKeyLen+1), false},
		{"300 bytes", strings.Repeat("ab/", 100), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := blob.ValidKey(tt.key)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidKey(%q) = %v, want nil", tt.key, err)
				}
				return
			}
			if got := chatpic.ErrorKind(err); got != chatpic.KindInvalid {
				t.Fatalf("ValidKey(%q) = %v (kind %q), want kind %q", tt.key, err, got, chatpic.KindInvalid)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error message is %d bytes; long input should not be echoed in full", len(err.Error()))
			}
		})
	}
}

func TestValidPrefix(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		ok     bool
	}{
		{"everything", "", true},
		{"folder", "media/", true},
		{"nested folder", "media/sub/", true},
		{"partial segment", "media/Ab", true},
		{"whole key", "media/a.jpg", true},
		{"lone slash", "/", false},
		{"leading slash", "/media/", false},
		{"double slash", "media//", false},
		{"parent", "../", false},
		{"hidden", ".tmp/", false},
		{"dot segment at end", "media/.", false},
		{"space", "a b/", false},
		{"non-ASCII", "é/", false},
		{"too long", strings.Repeat("a", blob.MaxKeyLen) + "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := blob.ValidPrefix(tt.prefix)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidPrefix(%q) = %v, want nil", tt.prefix, err)
				}
				return
			}
			if got := chatpic.ErrorKind(err); got != chatpic.KindInvalid {
				t.Fatalf("ValidPrefix(%q) = %v (kind %q), want kind %q", tt.prefix, err, got, chatpic.KindInvalid)
			}
		})
	}
}

func TestErrNotFound(t *testing.T) {
	err := wrapNotFound("media/x.jpg")
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false", err)
	}
	if got := chatpic.ErrorKind(err); got != chatpic.KindNotFound {
		t.Errorf("ErrorKind(%v) = %q, want %q", err, got, chatpic.KindNotFound)
	}
	if got := chatpic.ErrorKind(blob.ErrNotFound); got != chatpic.KindNotFound {
		t.Errorf("ErrorKind(ErrNotFound) = %q, want %q", got, chatpic.KindNotFound)
	}
}

// wrapNotFound wraps ErrNotFound the way implementations are told to.
func wrapNotFound(key string) error {
	return fmt.Errorf("somestore: open %q: %w", key, blob.ErrNotFound)
}
