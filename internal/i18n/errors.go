package i18n

import (
	"errors"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// The messages of an upload of several files refused as a whole (see
// chatpic.Error.Files), which Error makes again from their parts.
const (
	msgFilesRefused  = "%d of %d files were refused, so nothing was posted"
	msgFileRefused   = "file %d of %d was refused, so nothing was posted: %s"
	msgFileNRefused  = "file %d was refused, so nothing was posted: %s"
	msgFileRefusal   = "file %d: %s"
	refusalSeparator = "; "
)

// Error returns the message of err that a person is shown, in the
// language: the message chatpic.ErrorMessage gives, translated from its
// key and arguments (chatpic.ErrorText). An internal error, or any error
// that is not a *chatpic.Error, reads as the generic "something went
// wrong", never its cause. A key the catalogs lack reads as
// ErrorMessage's English, whole, rather than as a sentence half
// translated.
//
// Arguments are put in the translation as they are, but for three kinds,
// written in the language: a time.Duration as Approx ("3 Minuten"), an
// error as its own message (Error), and a chatpic.Phrase as its
// translation (T). The refusal of an album (an error with Files) is made
// again from its translated parts: the summary, then each file's refusal
// (see Refusal).
func (l Lang) Error(err error) string {
	if e, ok := errors.AsType[*chatpic.Error](err); ok && e.Kind != chatpic.KindInternal && len(e.Files) > 0 {
		if s, ok := l.album(e); ok {
			return s
		}
	}
	key, args := chatpic.ErrorText(err)
	return l.message(key, args, chatpic.ErrorMessage(err))
}

// Refusal returns why one file of an upload of several was refused, in
// the language, as Error does for an error.
func (l Lang) Refusal(f chatpic.FileRefusal) string {
	return l.message(f.Key, f.Args, f.Message)
}

// album makes the message of an album refused as a whole from its parts,
// and reports false if e's message is not one it knows how to make.
func (l Lang) album(e *chatpic.Error) (string, bool) {
	switch {
	case e.Format == msgFilesRefused && len(e.Args) == 2 && l.has(msgFileRefusal):
		var b strings.Builder
		b.WriteString(l.T(msgFilesRefused, e.Args...))
		for _, f := range e.Files {
			b.WriteString(refusalSeparator)
			b.WriteString(l.T(msgFileRefusal, f.File, l.Refusal(f)))
		}
		return b.String(), true
	case e.Format == msgFileRefused && len(e.Args) == 3 && len(e.Files) == 1:
		return l.T(msgFileRefused, e.Args[0], e.Args[1], l.Refusal(e.Files[0])), true
	case e.Format == msgFileNRefused && len(e.Args) == 2 && len(e.Files) == 1:
		return l.T(msgFileNRefused, e.Args[0], l.Refusal(e.Files[0])), true
	}
	return "", false
}

// message returns key formatted with args in the language, or english if
// no catalog has key.
func (l Lang) message(key string, args []any, english string) string {
	if !l.has(key) {
		return english
	}
	shown := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case time.Duration:
			shown[i] = l.Approx(a)
		case chatpic.Phrase:
			if l.has(string(a)) {
				shown[i] = l.T(string(a))
			} else {
				shown[i] = string(a)
			}
		case error:
			shown[i] = l.Error(a)
		default:
			shown[i] = a
		}
	}
	return l.T(key, shown...)
}

// has reports whether key is a message of the catalogs (of English,
// which has every key).
func (l Lang) has(key string) bool {
	en := l.l
	if en.english != nil {
		en = en.english
	}
	_, ok := en.msgs[key]
	return ok
}
