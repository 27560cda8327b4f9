package chatpic

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"
)

// An ID is 15 bytes: a 3-byte hour counter, then 12 random bytes (96 bits,
// so a link-only upload cannot be guessed). The hour prefix gives IDs made
// in the same hour a common prefix, so that indexes keyed by ID (tombstones
// above all, which grow with the whole history) take inserts in a small,
// hot region instead of at random across millions of entries.
const (
	idHourBytes   = 3
	idRandomBytes = 12
	idBytes       = idHourBytes + idRandomBytes
	idLen         = 20 // characters of base64url for idBytes
)

// tokenBytes is the entropy of a delete token.
const tokenBytes = 24

// NewID returns a URL-safe identifier of 20 characters: 96 random bits
// behind a prefix that changes once an hour.
func NewID() string {
	b := make([]byte, idBytes)
	hours := uint32(time.Now().Unix() / 3600)
	b[0], b[1], b[2] = byte(hours>>16), byte(hours>>8), byte(hours)
	rand.Read(b[idHourBytes:]) // never returns an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidID reports whether s has the shape of an ID made by NewID. It lets
// callers refuse junk before touching storage.
func ValidID(s string) bool {
	return len(s) == idLen && urlSafe(s)
}

// NewToken returns a random secret (192 bits, URL-safe) to hand to an
// uploader once, and the hash to store in its place.
func NewToken() (token string, hash []byte) {
	token = randomString(tokenBytes)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of token. Tokens carry enough entropy that a
// plain hash (no salt, no stretching) is the right tool.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// TokenMatches reports, in constant time, whether token hashes to hash.
func TokenMatches(token string, hash []byte) bool {
	if token == "" || len(hash) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(HashToken(token), hash) == 1
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never returns an error; it crashes the program if the OS has no randomness
	return base64.RawURLEncoding.EncodeToString(b)
}

// urlSafe reports whether s is made of the characters of unpadded base64url.
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
