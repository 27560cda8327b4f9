package pow

import (
	"strconv"
	"testing"
)

// BenchmarkSolve reports what a solve costs in Go, per challenge at
// DefaultBits and per hash.
func BenchmarkSolve(b *testing.B) {
	iss, _ := newTestIssuer()
	var hashes int64
	for b.Loop() {
		n, _ := strconv.ParseInt(Solve(iss.Issue("s", DefaultBits).Token, DefaultBits), 10, 64)
		hashes += n + 1
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(hashes), "ns/hash")
	b.ReportMetric(float64(hashes)/float64(b.N), "hashes/op")
}

// BenchmarkNodeSolve runs pow.js under Node on b.N challenges at
// DefaultBits; ns/hash is Node's own timing, without its start-up.
func BenchmarkNodeSolve(b *testing.B) {
	iss, _ := newTestIssuer()
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = iss.Issue("s", DefaultBits).Token
	}
	r, err := runNode(b, DefaultBits, tokens...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(r.NS)/float64(r.Hashes), "ns/hash")
	b.ReportMetric(float64(r.Hashes)/float64(b.N), "hashes/op")
}

// BenchmarkVerify is the server's cost per submitted solution.
func BenchmarkVerify(b *testing.B) {
	iss, _ := newTestIssuer()
	iss.spent.max = 1 << 30
	c := iss.Issue("s", 0)
	for b.Loop() {
		iss.spent.keys = map[[macLen]byte]struct{}{}
		iss.spent.order = iss.spent.order[:0]
		if err := iss.Verify(b.Context(), "s", c.Token, "0"); err != nil {
			b.Fatal(err)
		}
	}
}
