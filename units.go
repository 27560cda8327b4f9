package chatpic

import (
	"fmt"
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

// FormatDuration renders d in the largest whole unit people use ("1 hour",
// "90 minutes", "2 days"), falling back to a smaller unit when d is not a
// whole number of the larger one.
func FormatDuration(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{
		{24 * time.Hour, "day"},
		{time.Hour, "hour"},
		{time.Minute, "minute"},
		{time.Second, "second"},
	}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			return Plural(int64(d/u.d), u.name)
		}
	}
	if d < time.Second {
		return d.String()
	}
	return Plural(int64(d/time.Second), "second")
}

// FormatApprox renders d roughly, in one unit, for "3 hours left" and
// "5 minutes ago". Durations under a minute read "less than a minute".
func FormatApprox(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return Plural(int64(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return Plural(int64(d/time.Hour), "hour")
	default:
		return Plural(int64(d/(24*time.Hour)), "day")
	}
}

// Plural writes a count of a unit in English: "1 upload", "0 uploads",
// "3 uploads". unit is singular and takes an "s" in the plural.
func Plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// FormatShortDuration writes d in the largest unit that divides it
// exactly, the way people write it in a setting: "7d", "10m", "90s",
// "1500ms"; 0 is "0d". ParseDuration reads back every d from 0 to 100 000
// days.
func FormatShortDuration(d time.Duration) string {
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"},
		{time.Millisecond, "ms"}, {time.Microsecond, "us"}}
	for _, u := range units {
		if d%u.size == 0 {
			return strconv.FormatInt(int64(d/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// FormatClock writes d, rounded to the second, as a clip's length is shown:
// minutes and seconds, "0:07", "2:30", "75:00".
func FormatClock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
