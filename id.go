package chatpic

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// idBytes is the entropy of a post ID: 96 bits, so a link-only upload cannot
// be guessed.
const idBytes = 12

// tokenBytes is the entropy of a delete token.
const tokenBytes = 24

// NewID returns a random, URL-safe identifier of 16 characters (96 bits).
func NewID() string {
	return randomString(idBytes)
}

// ValidID reports whether s has the shape of an ID made by NewID. It lets
// callers refuse junk before touching storage.
func ValidID(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(idBytes) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
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
