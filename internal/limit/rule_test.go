package limit

import (
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		in   string
		want Rule
	}{
		{"20/10m", Rule{20, 10 * time.Minute}},
		{"5/1h", Rule{5, time.Hour}},
		{"100/h", Rule{100, time.Hour}},
		{"3/2d", Rule{3, 48 * time.Hour}},
		{"1/d", Rule{1, 24 * time.Hour}},
		{"10/1h30m", Rule{10, 90 * time.Minute}},
		{"4/500ms", Rule{4, 500 * time.Millisecond}},
		{"7/1.5s", Rule{7, 1500 * time.Millisecond}},
		{"  20/10m  ", Rule{20, 10 * time.Minute}},
		{"1000000/366d", Rule{MaxEvents, MaxPer}},
		{"0", Rule{}},
		{"off", Rule{}},
		{"OFF", Rule{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRule(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseRule(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRuleInvalid(t *testing.T) {
	for _, in := range []string{
		"", "20", "/10m", "20/", "x/10m", "-1/10m", "+1/10m", "0/10m", "1000001/1h",
		"20/10", "20/ten minutes", "20/-1m", "20/0s", "20/0d", "20/367d", "20/1.5d",
		"20/1d12h", "20/10m/1h", "1e3/1h", "20 / 10m", "on",
	} {
		t.Run(in, func(t *testing.T) {
			r, err := ParseRule(in)
			if chatpic.ErrorKind(err) != chatpic.KindInvalid {
				t.Fatalf("ParseRule(%q) = %v, %v; want a KindInvalid error", in, r, err)
			}
		})
	}
}

func TestRuleStringRoundTrip(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{}, "off"},
		{Rule{20, 10 * time.Minute}, "20/10m"},
		{Rule{5, time.Hour}, "5/1h"},
		{Rule{10, 90 * time.Minute}, "10/90m"},
		{Rule{3, 48 * time.Hour}, "3/2d"},
		{Rule{1, 25 * time.Hour}, "1/25h"},
		{Rule{4, 1500 * time.Millisecond}, "4/1500ms"},
		{Rule{4, 1500 * time.Microsecond}, "4/1500us"},
		{Rule{4, 1501 * time.Nanosecond}, "4/1501ns"},
		{Rule{MaxEvents, MaxPer}, "1000000/366d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s := tt.rule.String()
			if s != tt.want {
				t.Errorf("String() = %q, want %q", s, tt.want)
			}
			back, err := ParseRule(s)
			if err != nil || back != tt.rule {
				t.Errorf("ParseRule(%q) = %v, %v; want %v", s, back, err, tt.rule)
			}
		})
	}
}
