package chatpic

import (
	"testing"
	"time"
)

func TestForecast(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	// every returns n upload times, newest first, one every gap, the newest
	// gap before now.
	every := func(n int, gap time.Duration) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = now.Add(-time.Duration(i+1) * gap)
		}
		return out
	}
	hundred := Channel{Capacity: 100}
	tests := []struct {
		name   string
		ch     Channel
		recent []time.Time
		want   time.Duration
		known  bool
	}{
		{"empty channel without TTL", hundred, nil, 0, false},
		{"too few uploads without TTL", hundred, every(4, time.Minute), 0, false},
		{"too few uploads, TTL is the answer", Channel{Capacity: 100, TTL: time.Hour}, every(2, time.Minute), time.Hour, true},
		{"one upload a minute, keeps 100", hundred, every(50, time.Minute), 100 * time.Minute, true},
		{"one upload an hour, keeps 10", Channel{Capacity: 10}, every(20, time.Hour), 10 * time.Hour, true},
		{"a quiet channel is slow to turn over", hundred, every(5, 24*time.Hour), 100 * 24 * time.Hour, true},
		{"TTL caps the estimate", Channel{Capacity: 100, TTL: time.Hour}, every(50, time.Minute), time.Hour, true},
		{"a busy channel beats its TTL", Channel{Capacity: 10, TTL: time.Hour}, every(50, time.Second), 10 * time.Second, true},
		{"only the newest sample counts", Channel{Capacity: 50}, append(every(50, time.Minute), now.Add(-1000*time.Hour)), 50 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, known := Forecast(tt.ch, tt.recent, now)
			if known != tt.known || got != tt.want {
				t.Fatalf("Forecast = %v, %v; want %v, %v", got, known, tt.want, tt.known)
			}
		})
	}
}

func TestForecastText(t *testing.T) {
	if got := ForecastText(3*time.Hour + 10*time.Minute); got != "at the current pace your upload stays about 3 hours" {
		t.Fatalf("got %q", got)
	}
}
