package chatpic

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestNewIDShapeAndUniqueness(t *testing.T) {
	const draws = 10_000
	seen := make(map[string]bool, draws)
	for range draws {
		id := NewID()
		if len(id) != 20 {
			t.Fatalf("NewID() = %q: length %d, want 20", id, len(id))
		}
		if !ValidID(id) {
			t.Fatalf("ValidID(NewID()) = false for %q", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q within %d draws", id, draws)
		}
		seen[id] = true
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"letters digits hyphen underscore", "aZ09-_bcdefghijkwxyz", true},
		{"all hyphens", "--------------------", true},
		{"empty", "", false},
		{"one short", "abcdefghijklmnowxyz", false},
		{"one long", "abcdefghijklmnopqwxyz", false},
		{"standard base64 plus", "abcdefghijklmnowxyz+", false},
		{"standard base64 slash", "abcdefghijklmnowxyz/", false},
		{"padding", "abcdefghijklmnowxy==", false},
		{"dot", "abcdefghijklmnowxyz.", false},
		{"space", "abcdefgh ijklmnowxyz", false},
		{"path traversal", "../../../etc/passwdx", false},
		{"multi-byte rune of the right byte length", "abcdefghijklmnowxyé", false},
		{"NUL byte", "abcdefghijklmnowxyz\x00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidID(tt.in); got != tt.want {
				t.Errorf("ValidID(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	token, hash := NewToken()
	if len(token) != 32 {
		t.Errorf("NewToken() token %q has length %d, want 32 (192 bits)", token, len(token))
	}
	if strings.ContainsAny(token, "+/=") {
		t.Errorf("NewToken() token %q is not URL-safe", token)
	}
	if len(hash) != sha256.Size {
		t.Errorf("NewToken() hash has %d bytes, want %d", len(hash), sha256.Size)
	}
	if !bytes.Equal(hash, HashToken(token)) {
		t.Error("NewToken() hash is not HashToken(token)")
	}
	if other, _ := NewToken(); other == token {
		t.Errorf("NewToken() returned %q twice", token)
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256 of "abc", from FIPS 180-2.
	want := []byte{
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	}
	if got := HashToken("abc"); !bytes.Equal(got, want) {
		t.Errorf("HashToken(%q) = %x, want %x", "abc", got, want)
	}
}

func TestTokenMatches(t *testing.T) {
	token, hash := NewToken()
	other, _ := NewToken()
	emptyHash := HashToken("")
	tests := []struct {
		name  string
		token string
		hash  []byte
		want  bool
	}{
		{"right token", token, hash, true},
		{"wrong token", other, hash, false},
		{"token with one character changed", flipLast(token), hash, false},
		{"empty token against a real hash", "", hash, false},
		{"empty token against the hash of empty", "", emptyHash, false},
		{"truncated hash", token, hash[:sha256.Size-1], false},
		{"hash one byte too long", token, append(bytes.Clone(hash), 0), false},
		{"nil hash", token, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TokenMatches(tt.token, tt.hash); got != tt.want {
				t.Errorf("TokenMatches(%q, %x) = %v, want %v", tt.token, tt.hash, got, tt.want)
			}
		})
	}
}

func flipLast(s string) string {
	last := s[len(s)-1]
	if last == 'A' {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}
