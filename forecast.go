package chatpic

import "time"

// ForecastSample is how many of a channel's newest uploads the forecast
// reads to learn the channel's pace.
const ForecastSample = 50

// minForecastSample is the fewest uploads the pace is judged from.
const minForecastSample = 5

// Forecast estimates how long an upload made at now into c will stay
// visible, from the channel's rules and its recent pace. recent holds the
// creation times of the channel's newest visible uploads, newest first (at
// most ForecastSample are used).
//
// An upload is pushed out once Capacity newer ones have arrived; at the
// pace of the sample (its size over the time from its oldest upload to
// now) that takes Capacity/pace. A TTL caps the estimate. It reports false
// when it cannot tell: a channel without TTL and with too few recent
// uploads to judge a pace.
func Forecast(c Channel, recent []time.Time, now time.Time) (time.Duration, bool) {
	if len(recent) > ForecastSample {
		recent = recent[:ForecastSample]
	}
	if len(recent) < minForecastSample {
		if c.TTL > 0 {
			return c.TTL, true
		}
		return 0, false
	}
	span := now.Sub(recent[len(recent)-1])
	if span <= 0 {
		span = time.Second
	}
	// Capacity uploads at len(recent) uploads per span.
	stay := time.Duration(float64(span) * float64(c.Capacity) / float64(len(recent)))
	if c.TTL > 0 && stay > c.TTL {
		stay = c.TTL
	}
	return stay, true
}

// ForecastText says a forecast in words: "at the current pace your upload
// stays about 3 hours".
func ForecastText(d time.Duration) string {
	return "at the current pace your upload stays about " + FormatApprox(d)
}
