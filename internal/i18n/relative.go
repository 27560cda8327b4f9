package i18n

import "time"

// The messages of the relative times. Their thresholds are those of
// chatpic.FormatApprox, so a page reads the same in every language.
const (
	msgAgoSoon   = "less than a minute ago"
	msgAgoMin    = "%d minutes ago"
	msgAgoHour   = "%d hours ago"
	msgAgoDay    = "%d days ago"
	msgInSoon    = "in less than a minute"
	msgInMin     = "in %d minutes"
	msgInHour    = "in %d hours"
	msgInDay     = "in %d days"
	msgSpanSoon  = "less than a minute"
	msgSpanMin   = "%d minutes"
	msgSpanHour  = "%d hours"
	msgSpanDay   = "%d days"
	approxDayCut = 48 * time.Hour // below it, hours; from it, days
)

type relativeMsgs struct{ soon, min, hour, day string }

var (
	agoMsgs  = relativeMsgs{msgAgoSoon, msgAgoMin, msgAgoHour, msgAgoDay}
	inMsgs   = relativeMsgs{msgInSoon, msgInMin, msgInHour, msgInDay}
	spanMsgs = relativeMsgs{msgSpanSoon, msgSpanMin, msgSpanHour, msgSpanDay}
)

// Ago says how long before now t was, roughly, in the language: "3
// minutes ago", "il y a 2 heures", "vor 5 Tagen". Whole minutes below an
// hour, whole hours below two days, whole days beyond, rounded down. A t
// after now (clock skew) reads as less than a minute ago.
func (l Lang) Ago(t, now time.Time) string { return l.relative(agoMsgs, now.Sub(t)) }

// In says how long until d has passed, roughly, in the language: "in 2
// hours", "dentro de 3 días", with the units of Ago. A d of zero or less
// reads as in less than a minute.
func (l Lang) In(d time.Duration) string { return l.relative(inMsgs, d) }

// Approx writes the duration d roughly, in the language, on its own: "3
// hours", "2 Tage", with the units of Ago; it is what a template puts
// after "stays about" or in "3 hours left".
func (l Lang) Approx(d time.Duration) string { return l.relative(spanMsgs, d) }

func (l Lang) relative(m relativeMsgs, d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.T(m.soon)
	case d < time.Hour:
		return l.N(m.min, int(d/time.Minute))
	case d < approxDayCut:
		return l.N(m.hour, int(d/time.Hour))
	default:
		return l.N(m.day, int(d/(24*time.Hour)))
	}
}
