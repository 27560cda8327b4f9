package pow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// A token is 32 bytes, base64url without padding (43 characters), so that
// token + ":" + an 11-digit counter still fits one SHA-256 block:
//
//	version (1) | bits (1) | expiry, Unix seconds (4) | random nonce (10) | MAC (16)
//
// The MAC is HMAC-SHA256 over the first 16 bytes followed by the whole
// scope, so a token is good for one scope only without the scope (or a
// hash of it, which could collide) being in the token.
const (
	tokenVersion = 1
	nonceLen     = 10
	macLen       = 16
	signedLen    = 2 + 4 + nonceLen
	tokenLen     = signedLen + macLen
)

var encoding = base64.RawURLEncoding.Strict()

// encodedLen is the length of every token string.
var encodedLen = encoding.EncodedLen(tokenLen)

type token struct {
	bits    int
	expires time.Time
	nonce   [nonceLen]byte
	signed  [signedLen]byte // set by parse: the signed bytes
	mac     [macLen]byte    // set by parse
}

// encode signs t for scope and returns its string form.
func (t token) encode(secret []byte, scope string) string {
	b := make([]byte, signedLen, tokenLen)
	b[0] = tokenVersion
	b[1] = byte(t.bits)
	binary.BigEndian.PutUint32(b[2:6], uint32(t.expires.Unix()))
	copy(b[6:], t.nonce[:])
	b = append(b, sign(secret, scope, b)...)
	return encoding.EncodeToString(b)
}

// issued returns when t was issued, as Issue tells it: its expiry less
// Lifetime, a whole second.
func (t token) issued() time.Time { return t.expires.Add(-Lifetime) }

// parse returns the token s if it is well formed, or errMalformed. It
// checks neither the signature nor expiry.
func parse(s string) (token, error) {
	if len(s) != encodedLen {
		return token{}, errMalformed
	}
	b, err := encoding.DecodeString(s)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return token{}, errMalformed
	}
	t := token{
		bits:    int(b[1]),
		expires: time.Unix(int64(binary.BigEndian.Uint32(b[2:6])), 0),
	}
	copy(t.signed[:], b[:signedLen])
	copy(t.nonce[:], b[6:signedLen])
	copy(t.mac[:], b[signedLen:])
	return t, nil
}

// signedBy reports whether secret signed t, as parsed, for scope.
func (t token) signedBy(secret []byte, scope string) bool {
	return hmac.Equal(t.mac[:], sign(secret, scope, t.signed[:]))
}

func sign(secret []byte, scope string, signed []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("chatpic pow v1\x00"))
	m.Write(signed)
	m.Write([]byte(scope))
	return m.Sum(nil)[:macLen]
}
