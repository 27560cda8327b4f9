package chatpic

import (
	"time"
	"unicode/utf8"
)

// Moderator is a person with an account who reviews reports. Admins also
// manage moderators and channel settings.
type Moderator struct {
	Name      string
	Admin     bool
	CreatedAt time.Time
}

// ValidateModeratorName returns a KindInvalid error unless s is 1 to 32
// letters, digits, '.', '_' or '-'.
func ValidateModeratorName(s string) error {
	if s == "" || len(s) > 32 {
		return Errorf(KindInvalid, "a moderator name is 1 to 32 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return Errorf(KindInvalid, "a moderator name uses only letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// Password bounds.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ValidatePassword returns a KindInvalid error unless s is a usable
// moderator password.
func ValidatePassword(s string) error {
	n := utf8.RuneCountInString(s)
	if n < MinPasswordLen {
		return Errorf(KindInvalid, "a password is at least %d characters", MinPasswordLen)
	}
	if len(s) > MaxPasswordLen {
		return Errorf(KindInvalid, "a password is at most %d bytes", MaxPasswordLen)
	}
	return nil
}
