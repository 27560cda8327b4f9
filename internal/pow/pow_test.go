package pow

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for an Issuer.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestIssuer() (*Issuer, *clock) {
	c := &clock{t: t0}
	return NewIssuer([]byte("test secret, 32 bytes long......"), c.now), c
}

const (
	msgInvalid = "the proof-of-work solution is not valid; get a new challenge"
	msgUsed    = "this challenge was already used; get a new one"
)

// checkErr fails unless err is a KindForbidden error with message msg
// caused by cause.
func checkErr(t *testing.T, err, cause error, msg string) {
	t.Helper()
	if !errors.Is(err, cause) || chatpic.ErrorKind(err) != chatpic.KindForbidden || chatpic.ErrorMessage(err) != msg {
		t.Fatalf("err = %v (kind %q); want KindForbidden %q caused by %q", err, chatpic.ErrorKind(err), msg, cause)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, bits := range []int{0, 1, 4, 8, 12} {
		iss, _ := newTestIssuer()
		c := iss.Issue("channel:gaming", bits)
		if c.Bits != bits || len(c.Token) != encodedLen || !c.ExpiresAt.Equal(t0.Add(Lifetime)) {
			t.Fatalf("Issue(%d) = %+v; want %d bits, %d characters, expiry t0+%v", bits, c, bits, encodedLen, Lifetime)
		}
		if err := iss.Verify(t.Context(), "channel:gaming", c.Token, Solve(c.Token, bits)); err != nil {
			t.Fatalf("%d bits: Verify(Solve) = %v", bits, err)
		}
	}
}

func TestIssueClampsBits(t *testing.T) {
	iss, _ := newTestIssuer()
	for in, want := range map[int]int{-5: 0, MaxBits + 1: MaxBits, 200: MaxBits, 300: MaxBits} {
		if c := iss.Issue("s", in); c.Bits != want {
			t.Errorf("Issue(%d).Bits = %d, want %d", in, c.Bits, want)
		}
	}
}

func TestTokensDiffer(t *testing.T) {
	iss, _ := newTestIssuer()
	seen := map[string]bool{}
	for range 1000 {
		tok := iss.Issue("s", 8).Token
		if seen[tok] {
			t.Fatalf("token %q issued twice", tok)
		}
		seen[tok] = true
	}
}

// weak returns the first counter whose hash for token has fewer than bits
// zero bits.
func weak(token string, bits int) string {
	for n := 0; ; n++ {
		if s := strconv.Itoa(n); !solves(token, s, bits) {
			return s
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	const bits = 8
	tests := []struct {
		name  string
		later time.Duration // clock moves on this much before Verify
		edit  func(tok string, sol string) (scope, token, solution string)
		cause error
	}{
		{"wrong scope", 0, func(tok, sol string) (string, string, string) { return "channel:other", tok, sol }, errSignature},
		{"scope with a suffix", 0, func(tok, sol string) (string, string, string) { return "channel:gaming2", tok, sol }, errSignature},
		{"empty scope", 0, func(tok, sol string) (string, string, string) { return "", tok, sol }, errSignature},
		{"tampered bits", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", flip(tok, 2), sol }, errSignature},
		{"tampered nonce", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", flip(tok, 15), sol }, errSignature},
		{"tampered MAC", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", flip(tok, 40), sol }, errSignature},
		{"other version", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", flip(tok, 0), sol }, errMalformed},
		{"expired at ExpiresAt", Lifetime, func(tok, sol string) (string, string, string) { return "channel:gaming", tok, sol }, errExpired},
		{"expired long ago", 24 * time.Hour, func(tok, sol string) (string, string, string) { return "channel:gaming", tok, sol }, errExpired},
		{"too few bits", 0, func(tok, _ string) (string, string, string) { return "channel:gaming", tok, weak(tok, bits) }, errSolution},
		{"empty solution", 0, func(tok, _ string) (string, string, string) { return "channel:gaming", tok, "" }, errSolution},
		{"solution with a sign", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", tok, "+" + sol }, errSolution},
		{"solution with a space", 0, func(tok, sol string) (string, string, string) { return "channel:gaming", tok, sol + " " }, errSolution},
		{"solution too long", 0, func(tok, _ string) (string, string, string) { return "channel:gaming", tok, "000000000000" }, errSolution},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, clk := newTestIssuer()
			c := iss.Issue("channel:gaming", bits)
			scope, tok, sol := tt.edit(c.Token, Solve(c.Token, bits))
			clk.t = clk.t.Add(tt.later)
			checkErr(t, iss.Verify(t.Context(), scope, tok, sol), tt.cause, msgInvalid)
		})
	}
}

// flip changes the character at i of a token to another base64url one.
func flip(tok string, i int) string {
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func TestVerifyAcceptsMoreBits(t *testing.T) {
	iss, clk := newTestIssuer()
	c := iss.Issue("s", 4)
	clk.t = c.ExpiresAt.Add(-time.Second)
	if err := iss.Verify(t.Context(), "s", c.Token, Solve(c.Token, 12)); err != nil {
		t.Fatalf("a solution with more bits than asked, a second before expiry: %v", err)
	}
}

func TestOtherIssuer(t *testing.T) {
	a, _ := newTestIssuer()
	b := NewIssuer(nil, nil) // random secret, real clock
	c := a.Issue("s", 4)
	checkErr(t, b.Verify(t.Context(), "s", c.Token, Solve(c.Token, 4)), errSignature, msgInvalid)
}

func TestReplay(t *testing.T) {
	iss, clk := newTestIssuer()
	c := iss.Issue("s", 4)
	sol := Solve(c.Token, 4)
	if err := iss.Verify(t.Context(), "s", c.Token, sol); err != nil {
		t.Fatal(err)
	}
	checkErr(t, iss.Verify(t.Context(), "s", c.Token, sol), errReplayed, msgUsed)
	// Another solution to the same challenge is the same challenge.
	checkErr(t, iss.Verify(t.Context(), "s", c.Token, Solve(c.Token, 10)), errReplayed, msgUsed)
	clk.t = clk.t.Add(time.Minute)
	checkErr(t, iss.Verify(t.Context(), "s", c.Token, sol), errReplayed, msgUsed)
	clk.t = c.ExpiresAt
	checkErr(t, iss.Verify(t.Context(), "s", c.Token, sol), errExpired, msgInvalid)
}

func TestSpentSetBounded(t *testing.T) {
	iss, clk := newTestIssuer()
	iss.spent.max = 4
	var last Challenge
	for i := range 10 {
		clk.t = t0.Add(time.Duration(i) * time.Second)
		last = iss.Issue("s", 2)
		if err := iss.Verify(t.Context(), "s", last.Token, Solve(last.Token, 2)); err != nil {
			t.Fatalf("challenge %d: %v", i, err)
		}
		if n, m := len(iss.spent.keys), len(iss.spent.order); n > 4 || n != m {
			t.Fatalf("after %d uses the spent set holds %d (heap %d), want at most 4", i+1, n, m)
		}
	}
	checkErr(t, iss.Verify(t.Context(), "s", last.Token, Solve(last.Token, 2)), errReplayed, msgUsed)

	// Once they have expired, the next use prunes them all.
	clk.t = last.ExpiresAt
	c := iss.Issue("s", 2)
	if err := iss.Verify(t.Context(), "s", c.Token, Solve(c.Token, 2)); err != nil {
		t.Fatal(err)
	}
	if n := len(iss.spent.keys); n != 1 {
		t.Errorf("after everything expired the spent set holds %d, want 1", n)
	}
}

func TestVerifyGarbage(t *testing.T) {
	iss, _ := newTestIssuer()
	good := iss.Issue("s", 0).Token
	tokens := []string{
		"", "x", "=", strings.Repeat("A", encodedLen), strings.Repeat("_", encodedLen),
		strings.Repeat("A", encodedLen-1), strings.Repeat("A", encodedLen+1),
		strings.Repeat("A", 1<<20), good + "=", good[:encodedLen-1] + "=", good[:encodedLen-1] + "B",
		good[:10] + "!" + good[11:], good[:10] + "é" + good[12:], good[:10] + "\x00" + good[11:],
		"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AP____________________________________________8",
		strings.ToUpper(good), good + ":0",
	}
	solutions := []string{"", "0", "-1", "1e9", "99999999999", "999999999999", "\xff", strings.Repeat("9", 1<<16)}
	for _, tok := range tokens {
		for _, sol := range solutions {
			err := iss.Verify(t.Context(), "s", tok, sol)
			if chatpic.ErrorKind(err) != chatpic.KindForbidden || chatpic.ErrorMessage(err) != msgInvalid {
				t.Errorf("Verify(%.50q, %.20q) = %v; want KindForbidden %q", tok, sol, err, msgInvalid)
			}
		}
	}
}

func FuzzVerify(f *testing.F) {
	iss, _ := newTestIssuer()
	good := iss.Issue("s", 0).Token
	f.Add("s", good, "0")
	f.Add("s", good[:20], "12")
	f.Add("", "", "")
	f.Add("s", strings.Repeat("-", encodedLen), "1")
	f.Fuzz(func(t *testing.T, scope, token, solution string) {
		err := iss.Verify(t.Context(), scope, token, solution)
		if err != nil && chatpic.ErrorKind(err) != chatpic.KindForbidden {
			t.Fatalf("Verify = %v, of kind %q", err, chatpic.ErrorKind(err))
		}
	})
}

func TestConcurrentVerify(t *testing.T) {
	iss, _ := newTestIssuer()
	c := iss.Issue("s", 6)
	sol := Solve(c.Token, 6)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		other []error
	)
	for range 32 {
		wg.Go(func() {
			iss.Issue("s", 1) // concurrent issuing too
			err := iss.Verify(t.Context(), "s", c.Token, sol)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
			} else if !errors.Is(err, errReplayed) {
				other = append(other, err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || len(other) > 0 {
		t.Errorf("%d of 32 concurrent uses succeeded, other errors %v; want exactly 1", wins, other)
	}
}
