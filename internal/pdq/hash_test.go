package pdq

import (
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
)

func TestHashTextRoundTrip(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"zero", strings.Repeat("0", 64), strings.Repeat("0", 64)},
		{"all ones", strings.Repeat("f", 64), strings.Repeat("f", 64)},
		{"reference vector", "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22", "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"},
		{"upper case is read, lower case written", "D8F8F0CCE0F4A84F0E370A22028F67F0B36E2ED596623E1D33E6B39C4E9C9B22", "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHash(tt.in)
			if err != nil {
				t.Fatalf("ParseHash: %v", err)
			}
			if got := h.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseHashErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"one digit short", strings.Repeat("a", 63)},
		{"one digit long", strings.Repeat("a", 65)},
		{"not hex", strings.Repeat("a", 63) + "g"},
		{"0x prefix", "0x" + strings.Repeat("a", 62)},
		{"surrounding space", " " + strings.Repeat("a", 62) + " "},
		{"bytes of a hash, not text", string(make([]byte, 32))},
		{"64 characters, not all ASCII", strings.Repeat("a", 63) + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHash(tt.in)
			if err == nil {
				t.Fatalf("ParseHash(%q) = %v, want an error", tt.in, h)
			}
			if k := chatpic.ErrorKind(err); k != chatpic.KindInvalid {
				t.Errorf("error kind %q, want %q", k, chatpic.KindInvalid)
			}
			if msg := chatpic.ErrorMessage(err); !strings.Contains(msg, "64 hex digits") {
				t.Errorf("message %q does not say what a hash looks like", msg)
			}
			if h != (Hash{}) {
				t.Errorf("hash %v returned with the error, want zero", h)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	var ones Hash
	for i := range ones {
		ones[i] = 0xff
	}
	var bit0, bit255 Hash
	bit0.setBit(0)
	bit255.setBit(255)
	tests := []struct {
		name string
		a, b Hash
		want int
	}{
		{"same", ones, ones, 0},
		{"zero and zero", Hash{}, Hash{}, 0},
		{"complement", Hash{}, ones, 256},
		{"one bit", Hash{}, bit0, 1},
		{"two bits", bit0, bit255, 2},
		{"a byte's worth", Hash{3: 0xff}, Hash{}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance = %d, want %d", got, tt.want)
			}
			if got := Distance(tt.b, tt.a); got != tt.want {
				t.Errorf("Distance reversed = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBitOrder(t *testing.T) {
	// The reference keeps bit k in bit k%16 of 16-bit word k/16 and prints
	// word 15 first, so coefficient 0 is the lowest bit of the last digit.
	tests := []struct {
		bit  int
		want string
	}{
		{0, strings.Repeat("0", 63) + "1"},
		{4, strings.Repeat("0", 62) + "10"},
		{15, strings.Repeat("0", 60) + "8000"},
		{16, strings.Repeat("0", 59) + "10000"},
		{255, "8" + strings.Repeat("0", 63)},
	}
	for _, tt := range tests {
		var h Hash
		h.setBit(tt.bit)
		if got := h.String(); got != tt.want {
			t.Errorf("bit %d: %s, want %s", tt.bit, got, tt.want)
		}
	}
}
