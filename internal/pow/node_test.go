package pow

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"
)

// powJS is the browser solver, relative to this package.
const powJS = "../web/static/pow.js"

// nodeResult is what testdata/solve.js prints.
type nodeResult struct {
	Solutions []string `json:"solutions"`
	Hashes    int64    `json:"hashes"`
	NS        int64    `json:"ns"`
	Progress  int      `json:"progress"`
}

// runNode solves tokens with pow.js under Node, or skips tb if there is no
// node on PATH.
func runNode(tb testing.TB, bits int, tokens ...string) (nodeResult, error) {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("node is not on PATH; skipping the check of internal/web/static/pow.js against Verify")
	}
	args := append([]string{"testdata/solve.js", powJS, strconv.Itoa(bits)}, tokens...)
	out, err := exec.Command(node, args...).Output()
	if err != nil {
		return nodeResult{}, err
	}
	var r nodeResult
	err = json.Unmarshal(out, &r)
	return r, err
}

func TestNodeSolver(t *testing.T) {
	tests := []struct {
		name string
		bits int
	}{
		{"no work", 0},
		{"one bit", 1},
		{"a byte", 8},
		{"past four digits", 14},
		{"default", DefaultBits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, _ := newTestIssuer()
			var tokens []string
			for range 3 {
				tokens = append(tokens, iss.Issue("channel:gaming", tt.bits).Token)
			}
			r, err := runNode(t, tt.bits, tokens...)
			if err != nil {
				t.Fatalf("pow.js under node: %v", err)
			}
			if len(r.Solutions) != len(tokens) || r.Progress < len(tokens) {
				t.Fatalf("node returned %d solutions and %d progress calls for %d tokens", len(r.Solutions), r.Progress, len(tokens))
			}
			for i, tok := range tokens {
				// Both count up from 0, so they find the same first solution.
				if want := Solve(tok, tt.bits); r.Solutions[i] != want {
					t.Errorf("token %d: pow.js found %q, Solve %q", i, r.Solutions[i], want)
				}
				if err := iss.Verify(t.Context(), "channel:gaming", tok, r.Solutions[i]); err != nil {
					t.Errorf("token %d: Verify(pow.js solution %q) = %v", i, r.Solutions[i], err)
				}
			}
		})
	}
}

func TestNodeSolverRejectsMalformed(t *testing.T) {
	for _, tok := range []string{"", "not a token", "abc=", "abc/def"} {
		if _, err := runNode(t, 8, tok); err == nil {
			t.Errorf("pow.js solved the malformed token %q", tok)
		}
	}
	if _, err := runNode(t, 65, "abc"); err == nil {
		t.Error("pow.js accepted 65 bits")
	}
}
