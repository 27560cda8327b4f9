package pow

import (
	"crypto/sha256"
	"math/bits"
	"strconv"
)

// maxSolutionLen bounds the counter a solution may be: 11 digits keep the
// hashed text within one SHA-256 block and are far more than any solver
// needs (2^MaxBits is 8 digits).
const maxSolutionLen = 11

// Solve returns the first decimal counter (0, 1, 2, ...) that solves token
// with bits leading zero bits, clamped to [0, MaxBits]. It is the reference
// solver for tests and scripts; it takes about 2^bits hashes.
func Solve(token string, bits int) string {
	bits = min(max(bits, 0), MaxBits)
	buf := make([]byte, 0, len(token)+1+20)
	buf = append(append(buf, token...), ':')
	base := len(buf)
	for n := uint64(0); ; n++ {
		b := strconv.AppendUint(buf[:base], n, 10)
		if zeroBits(sha256.Sum256(b)) >= bits {
			return string(b[base:])
		}
	}
}

// solves reports whether solution, a decimal counter, solves token with
// at least want leading zero bits.
func solves(token, solution string, want int) bool {
	if solution == "" || len(solution) > maxSolutionLen {
		return false
	}
	for _, c := range []byte(solution) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return zeroBits(sha256.Sum256([]byte(token+":"+solution))) >= want
}

// zeroBits returns the number of leading zero bits of sum.
func zeroBits(sum [sha256.Size]byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}
