package chatpic

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a duration in Go syntax ("90s", "1h30m") or a whole
// number of days ("7d"). It returns a KindInvalid error for anything else,
// including negative durations.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 32)
		if err != nil || n < 0 || n > 100_000 {
			return 0, Errorf(KindInvalid, "%q is not a duration (try 90s, 2h or 7d)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, Errorf(KindInvalid, "%q is not a duration (try 90s, 2h or 7d)", s)
	}
	return d, nil
}

// ParseSize parses a byte size such as "20MB", "512KB", "1.5GB", "64MiB" or
// a plain number of bytes. KB, MB and GB are powers of 1000; KiB, MiB and
// GiB powers of 1024. It returns a KindInvalid error for anything else.
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
		{"kB", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1},
	}
	mult := 1.0
	num := s
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(n) || n < 0 || n*mult > 1<<50 {
		return 0, Errorf(KindInvalid, "%q is not a size (try 20MB or 512KB)", s)
	}
	return int64(n * mult), nil
}

// FormatSize renders n bytes for people: "20 MB", "512 KB", "900 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1e9 && n%1e7 == 0:
		return strconv.FormatFloat(float64(n)/1e9, 'f', -1, 64) + " GB"
	case n >= 1e6:
		return strconv.FormatFloat(float64(n/1e5)/10, 'f', -1, 64) + " MB"
	case n >= 1e3:
		return strconv.FormatFloat(float64(n/100)/10, 'f', -1, 64) + " KB"
	case n == 1:
		return "1 byte"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}
