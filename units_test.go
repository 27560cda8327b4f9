package chatpic

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90s", 90 * time.Second},
		{"2h", 2 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"1d", 24 * time.Hour},
		{"0d", 0},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"0", 0},
		{"500ms", 500 * time.Millisecond},
		{"  2h\t", 2 * time.Hour},
		{" 7d ", 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDurationRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"-1h",
		"-1s",
		"-1d",
		"abc",
		"7x",
		"d",
		"7D",
		"1.5d",
		"1dd",
		"7days",
		"100001d",
		"99999999999d",
		"h",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseDuration(in)
			if ErrorKind(err) != KindInvalid {
				t.Errorf("ParseDuration(%q) = %v, %v; want a %q error", in, got, err, KindInvalid)
			}
			if got != 0 {
				t.Errorf("ParseDuration(%q) returned %v with its error, want 0", in, got)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"20MB", 20_000_000},
		{"512KB", 512_000},
		{"64MiB", 64 << 20},
		{"1KiB", 1024},
		{"2GiB", 2 << 30},
		{"1.5GB", 1_500_000_000},
		{"0.5KB", 500},
		{"100", 100},
		{"100B", 100},
		{"0", 0},
		{"20 MB", 20_000_000},
		{"64 MiB", 64 << 20},
		{" 20MB ", 20_000_000},
		{"3kB", 3000},
		{"5K", 5000},
		{"7M", 7_000_000},
		{"1G", 1_000_000_000},
		{"1e6", 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseSizeRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"MB",
		"MiB",
		"B",
		"abc",
		"twenty MB",
		"-1",
		"-5MB",
		"-0.5KiB",
		"20XB",
		"1TB",
		"20mb",
		"20MBMB",
		"1,000",
		"1e300",
		"Inf",
		"+InfMB",
		"NaN",
		"NaNMB",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseSize(in)
			if ErrorKind(err) != KindInvalid {
				t.Errorf("ParseSize(%q) = %d, %v; want a %q error", in, got, err, KindInvalid)
			}
			if got != 0 {
				t.Errorf("ParseSize(%q) returned %d with its error, want 0", in, got)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"},
		{900, "900 bytes"},
		{999, "999 bytes"},
		{1000, "1 KB"},
		{1500, "1.5 KB"},
		{1024, "1 KB"},
		{512_000, "512 KB"},
		{999_999, "999.9 KB"},
		{1_000_000, "1 MB"},
		{1_250_000, "1.2 MB"},
		{20_000_000, "20 MB"},
		{64 << 20, "67.1 MB"},
		{999_999_999, "999.9 MB"},
		{1_000_000_000, "1 GB"},
		{1_500_000_000, "1.5 GB"},
		{1_234_567_890, "1234.5 MB"}, // not a whole 10 MB: GB would round
		{2_010_000_000, "2.01 GB"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatSize(tt.in); got != tt.want {
				t.Errorf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSizeRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"20MB", "20 MB"},
		{"20 MB", "20 MB"},
		{"512KB", "512 KB"},
		{"1.5GB", "1.5 GB"},
		{"900", "900 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseSize(tt.in)
			if err != nil {
				t.Fatalf("ParseSize(%q): %v", tt.in, err)
			}
			if got := FormatSize(n); got != tt.want {
				t.Errorf("FormatSize(ParseSize(%q)) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "500ms"},
		{time.Second, "1 second"},
		{45 * time.Second, "45 seconds"},
		{90 * time.Second, "90 seconds"},
		{1500 * time.Millisecond, "1 second"},
		{time.Minute, "1 minute"},
		{90 * time.Minute, "90 minutes"},
		{time.Hour, "1 hour"},
		{36 * time.Hour, "36 hours"},
		{24 * time.Hour, "1 day"},
		{48 * time.Hour, "2 days"},
		{MaxTTL, "365 days"},
		{time.Hour + time.Second, "3601 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := FormatDuration(tt.in); got != tt.want {
				t.Errorf("FormatDuration(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatApprox(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{-time.Hour, "less than a minute"},
		{0, "less than a minute"},
		{59 * time.Second, "less than a minute"},
		{time.Minute, "1 minute"},
		{119 * time.Second, "1 minute"},
		{59*time.Minute + 59*time.Second, "59 minutes"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "1 hour"},
		{47*time.Hour + 59*time.Minute, "47 hours"},
		{48 * time.Hour, "2 days"},
		{71 * time.Hour, "2 days"},
		{72 * time.Hour, "3 days"},
		{365 * 24 * time.Hour, "365 days"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := FormatApprox(tt.in); got != tt.want {
				t.Errorf("FormatApprox(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 uploads"},
		{1, "1 upload"},
		{2, "2 uploads"},
		{-1, "-1 uploads"},
		{1_000_000, "1000000 uploads"},
	}
	for _, tt := range tests {
		if got := Plural(tt.n, "upload"); got != tt.want {
			t.Errorf("Plural(%d, \"upload\") = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatShortDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0d"},
		{24 * time.Hour, "1d"},
		{7 * 24 * time.Hour, "7d"},
		{25 * time.Hour, "25h"},
		{time.Hour, "1h"},
		{90 * time.Minute, "90m"},
		{90 * time.Second, "90s"},
		{1500 * time.Millisecond, "1500ms"},
		{2 * time.Microsecond, "2us"},
		{1500 * time.Nanosecond, "1500ns"},
		{-time.Hour, "-1h"},
		{366 * 24 * time.Hour, "366d"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			got := FormatShortDuration(tt.in)
			if got != tt.want {
				t.Errorf("FormatShortDuration(%v) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.in < 0 {
				return
			}
			if back, err := ParseDuration(got); err != nil || back != tt.in {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v", got, back, err, tt.in)
			}
		})
	}
}

func TestFormatClock(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0:00"},
		{400 * time.Millisecond, "0:00"},
		{500 * time.Millisecond, "0:01"},
		{7 * time.Second, "0:07"},
		{59*time.Second + 600*time.Millisecond, "1:00"},
		{150 * time.Second, "2:30"},
		{75 * time.Minute, "75:00"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := FormatClock(tt.in); got != tt.want {
				t.Errorf("FormatClock(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
