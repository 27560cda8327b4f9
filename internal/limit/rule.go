package limit

import (
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// Rule is a rate: at most Events events in any window of length Per, with
// the allowance coming back evenly over Per (so a client that used its
// whole burst may make one more event every Per/Events). The zero Rule, and
// any Rule with Events ≤ 0, is unlimited.
type Rule struct {
	Events int
	Per    time.Duration
}

// Bounds on a Rule that ParseRule accepts.
const (
	MaxEvents = 1_000_000
	MaxPer    = 366 * 24 * time.Hour
)

// Unlimited reports whether r allows everything.
func (r Rule) Unlimited() bool { return r.Events <= 0 }

// String returns r in the form ParseRule reads, such as "20/10m", or "off"
// for an unlimited rule; ParseRule(r.String()) returns r for every rule
// ParseRule can return.
func (r Rule) String() string {
	if r.Unlimited() {
		return "off"
	}
	return strconv.Itoa(r.Events) + "/" + chatpic.FormatShortDuration(r.Per)
}

// ParseRule reads a rate written as events/period: "20/10m", "5/1h",
// "100/h" (a bare unit means one of it), "3/2d" (days), or any Go duration
// as the period ("1h30m"). "off" and "0" mean unlimited. Anything else,
// and rates outside MaxEvents and (0, MaxPer], is a KindInvalid error.
func ParseRule(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	if s == "0" || strings.EqualFold(s, "off") {
		return Rule{}, nil
	}
	events, period, ok := strings.Cut(s, "/")
	if !ok {
		return Rule{}, invalid(s, "it needs a slash")
	}
	n, err := strconv.Atoi(events)
	if err != nil || !isDigits(events) {
		return Rule{}, invalid(s, "the number of events is not a whole number")
	}
	if n < 1 || n > MaxEvents {
		return Rule{}, invalid(s, "the number of events must be between 1 and "+strconv.Itoa(MaxEvents))
	}
	per, ok := parsePeriod(period)
	if !ok {
		return Rule{}, invalid(s, "the period is not a duration such as 10m, 1h or 2d")
	}
	if per <= 0 || per > MaxPer {
		return Rule{}, invalid(s, "the period must be more than 0 and at most 366d")
	}
	return Rule{Events: n, Per: per}, nil
}

func invalid(s, why string) error {
	return chatpic.Errorf(chatpic.KindInvalid,
		"rate limit %q: %s; write events/period, such as 20/10m, or off", s, why)
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

const day = 24 * time.Hour

// parsePeriod reads a Go duration, a whole number of days ("2d"), or a
// bare unit ("h") meaning one of it.
func parsePeriod(s string) (time.Duration, bool) {
	if s != "" && (s[0] < '0' || s[0] > '9') && s[0] != '.' {
		s = "1" + s
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || !isDigits(days) || n > int(MaxPer/day) {
			return 0, false
		}
		return time.Duration(n) * day, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}
