package pdq

import (
	"encoding/hex"
	"math/bits"
	"unicode/utf8"

	"github.com/chatpic/chatpic"
)

// MinQuality is the quality below which a hash is too weak to match on
// (a nearly flat picture), as the reference advises.
const MinQuality = 50

// MatchThreshold is the customary Hamming distance at or below which two PDQ
// hashes are taken to be of the same picture.
const MatchThreshold = 31

// Hash is a 256-bit PDQ hash. Its bytes are in the order of the reference
// hex text: the hash read as one big-endian 256-bit number has bit k set
// where DCT coefficient k (row-major in the 16×16 block) is above the
// median. The zero Hash is what Compute returns for an empty image.
type Hash [32]byte

// String returns h as 64 lower-case hex digits, the text form that the
// reference implementations print and that hash-sharing lists use.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the text form of a hash: exactly 64 hex digits, either
// case, nothing around them. Any other input gives a chatpic.KindInvalid
// error whose message is safe to show.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if n := utf8.RuneCountInString(s); n != 2*len(h) {
		return Hash{}, chatpic.Errorf(chatpic.KindInvalid,
			"a PDQ hash is %d hex digits (this one has %d characters)", 2*len(h), n)
	}
	notHex := chatpic.Errorf(chatpic.KindInvalid, "a PDQ hash is %d hex digits (0-9, a-f)", 2*len(h))
	if len(s) != 2*len(h) { // some characters are not ASCII
		return Hash{}, notHex
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, notHex
	}
	return h, nil
}

// Distance returns the Hamming distance between a and b: the number of bits
// that differ, 0 to 256.
func Distance(a, b Hash) int {
	n := 0
	for i := range a {
		n += bits.OnesCount8(a[i] ^ b[i])
	}
	return n
}

// setBit sets bit k (0..255) in the reference numbering: bit k&15 of 16-bit
// word k>>4, with word 15 printed first. That is bit k of a big-endian
// 256-bit number.
func (h *Hash) setBit(k int) { h[31-(k>>3)] |= 1 << (k & 7) }
