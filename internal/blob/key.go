package blob

import (
	"fmt"
	"strings"

	"github.com/chatpic/chatpic"
)

// MaxKeyLen is the longest key, in bytes.
const MaxKeyLen = 256

// ValidKey returns nil if key can name an object, and otherwise an error of
// kind chatpic.KindInvalid saying why. A key is 1 to MaxKeyLen bytes of
// '/'-separated segments; each segment is one or more of [A-Za-z0-9._-] and
// does not start with '.'. So there is no leading, trailing or double slash,
// no "." or ".." segment, and no hidden name: implementations may keep their
// own files (temp files, say) under dot-names without clashing with keys.
func ValidKey(key string) error {
	if why := keyProblem(key); why != "" {
		return invalid(key, why)
	}
	return nil
}

// ValidPrefix returns nil if prefix can be passed to Store.List, and otherwise
// an error of kind chatpic.KindInvalid. A prefix is "" (everything) or a
// string that, once one trailing '/' is removed, is a valid key.
func ValidPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	why := keyProblem(strings.TrimSuffix(prefix, "/"))
	if why == "" && len(prefix) > MaxKeyLen {
		why = fmt.Sprintf("longer than %d bytes", MaxKeyLen)
	}
	if why != "" {
		return invalid(prefix, "prefix: "+why)
	}
	return nil
}

func invalid(key, why string) error {
	if len(key) > MaxKeyLen {
		// Don't echo a long input back in full.
		key = key[:32] + "..."
	}
	return chatpic.Errorf(chatpic.KindInvalid, "blob: invalid key %q: %s", key, why)
}

// keyProblem returns why key is not a valid key, or "" if it is.
func keyProblem(key string) string {
	if key == "" {
		return "empty"
	}
	if len(key) > MaxKeyLen {
		return fmt.Sprintf("longer than %d bytes", MaxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return "empty segment (leading, trailing or double slash)"
		}
		if seg[0] == '.' {
			return "segment starts with a dot"
		}
		for i := 0; i < len(seg); i++ {
			if !keyByte(seg[i]) {
				return "character outside [A-Za-z0-9._-]"
			}
		}
	}
	return ""
}

func keyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}
