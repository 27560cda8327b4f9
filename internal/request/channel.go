package request

import (
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
)

// ChannelEdit turns the fields of a channel settings form or request
// (capacity, ttl, report_threshold, max_files, premod, challenge), read with get,
// into typed values; a blank field leaves its setting as it is. Errors:
// KindInvalid.
func ChannelEdit(get func(string) string) (moderation.ChannelEdit, error) {
	var e moderation.ChannelEdit
	number := func(name string) (*int, error) {
		v := strings.TrimSpace(get(name))
		if v == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "%s must be a whole number", strings.ReplaceAll(name, "_", " "))
		}
		return &n, nil
	}
	var err error
	if e.Capacity, err = number("capacity"); err != nil {
		return e, err
	}
	if e.ReportThreshold, err = number("report_threshold"); err != nil {
		return e, err
	}
	if e.MaxFiles, err = number("max_files"); err != nil {
		return e, err
	}
	switch v := strings.TrimSpace(get("ttl")); v {
	case "":
	case "0", "none":
		var none time.Duration
		e.TTL = &none
	default:
		d, err := chatpic.ParseDuration(v)
		if err != nil {
			return e, chatpic.Errorf(chatpic.KindInvalid, "the time to live is a duration such as 1h or 7d, or 0 for none")
		}
		e.TTL = &d
	}
	if v := get("premod"); v != "" {
		p, err := chatpic.ParsePremod(v)
		if err != nil {
			return e, err
		}
		e.Premod = &p
	}
	if v := get("challenge"); v != "" {
		c, err := chatpic.ParseChallenge(v)
		if err != nil {
			return e, err
		}
		e.Challenge = &c
	}
	return e, nil
}
