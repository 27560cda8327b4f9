package chatpic

import (
	"strings"
	"unicode/utf8"
)

// textRules says how a kind of free text people write (a caption, a
// comment, a note) is cleaned, and words its errors.
type textRules struct {
	max int // in characters
	// empty is the error for a text that is empty once trimmed; "" lets
	// an empty text through.
	empty   string
	notUTF8 string
	control string
	// tooLong is a format given max and the text's length.
	tooLong string
}

// cleanText trims s, makes its line endings "\n", and returns a KindInvalid
// error worded by r if s is not UTF-8, is empty where r forbids it, holds
// control characters other than newlines and tabs, or is longer than
// r.max characters.
func cleanText(s string, r textRules) (string, error) {
	if !utf8.ValidString(s) {
		return "", &Error{Kind: KindInvalid, Message: r.notUTF8}
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" && r.empty != "" {
		return "", &Error{Kind: KindInvalid, Message: r.empty}
	}
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f {
			return "", &Error{Kind: KindInvalid, Message: r.control}
		}
	}
	if n := utf8.RuneCountInString(s); n > r.max {
		return "", Errorf(KindInvalid, r.tooLong, r.max, n)
	}
	return s, nil
}
