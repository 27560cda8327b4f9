package chatpic

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it. Each
// transport maps kinds to its own status codes in one place.
type Kind string

// The kinds of error chatpic reports. The string values appear in the JSON
// API as "kind" and are part of its contract.
const (
	KindInvalid       Kind = "invalid"            // the request is malformed or breaks a rule
	KindNotFound      Kind = "not_found"          // no such thing, and never was (as far as we know)
	KindGone          Kind = "gone"               // it existed and is gone for good; see Error.Reason
	KindTooLarge      Kind = "too_large"          // the request or a file in it is over a limit
	KindUnsupported   Kind = "unsupported"        // the file is of a type chatpic does not accept
	KindUnprocessable Kind = "unprocessable"      // the file claims a type but does not decode or cannot be cleaned
	KindForbidden     Kind = "forbidden"          // the caller may not do this (wrong token)
	KindRateLimited   Kind = "rate_limited"       // too many requests; try later
	KindConflict      Kind = "conflict"           // it already exists, or the state changed underneath
	KindChallenge     Kind = "challenge_required" // a proof-of-work solution must come with the request
	KindUnauthorized  Kind = "unauthorized"       // the caller must sign in (moderation)
	KindUnavailable   Kind = "unavailable"        // the server is too busy for this now; try later (see Error.RetryAfter)
	KindStorageFull   Kind = "storage_full"       // the server is out of storage space; nothing was kept
	KindTimeout       Kind = "timeout"            // the client sent its request too slowly
	KindInternal      Kind = "internal"           // our fault; details are logged, not shown
)

// Error is chatpic's error type. Message is safe to show to a user; Err, if
// set, is the underlying cause and is for logs only.
type Error struct {
	Kind    Kind
	Message string
	// Format and Args, set by Errorf and the other constructors that
	// format, are what Message was made from, so that a transport can
	// show it in a person's language: Format is the message's key in the
	// catalogs (see ErrorText).
	Format string
	Args   []any
	// Reason says why a thing is gone (only with KindGone).
	Reason GoneReason
	// Statement is the moderators' stated reason for a removal (only with
	// KindGone and ReasonRemoved), safe to show.
	Statement string
	// RetryAfter says when to try again (only with KindRateLimited and
	// KindUnavailable).
	RetryAfter time.Duration
	// Files, for an upload of several files refused as a whole, says
	// which files were refused and why; nil otherwise.
	Files []FileRefusal
	Err   error
}

// RateLimited returns a KindRateLimited error that says to retry after d.
func RateLimited(d time.Duration, format string, args ...any) *Error {
	return &Error{Kind: KindRateLimited, RetryAfter: d, Message: message(format, args), Format: format, Args: args}
}

// Unavailable returns a KindUnavailable error that says to retry after d.
func Unavailable(d time.Duration, format string, args ...any) *Error {
	return &Error{Kind: KindUnavailable, RetryAfter: d, Message: message(format, args), Format: format, Args: args}
}

// StorageFull returns a KindStorageFull error with a message safe to show;
// cause, which should name the stage that ran out of space, goes to the
// log only.
func StorageFull(cause error) *Error {
	return &Error{Kind: KindStorageFull, Message: "the server is out of storage space; nothing was kept, try again later", Err: cause}
}

// Phrase is an English phrase given as an argument of a message, such as
// what a refused file looks like ("a PDF document"), that is itself a key
// of the catalogs: a translation translates it before putting it in its
// place. Write it as a conversion of a literal, Phrase("a PDF document"),
// so that the catalogs' check finds it.
type Phrase string

// message formats a message in English: durations as FormatApprox, errors
// as ErrorMessage (see Errorf).
func message(format string, args []any) string {
	shown := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case time.Duration:
			shown[i] = FormatApprox(a)
		case error:
			shown[i] = ErrorMessage(a)
		default:
			shown[i] = a
		}
	}
	return fmt.Sprintf(format, shown...)
}

// RetryAfterSeconds returns, for a KindRateLimited or KindUnavailable
// error, the whole seconds to wait before retrying (at least 1; 60 if the
// error does not say).
func RetryAfterSeconds(err error) int {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.RetryAfter <= 0 {
		return 60
	}
	return max(1, int((e.RetryAfter+time.Second-1)/time.Second))
}

// ErrorStatement returns the moderators' statement of reasons carried by
// err, or "".
func ErrorStatement(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Statement
	}
	return ""
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return string(e.Kind) + ": " + e.Err.Error()
	default:
		return e.Message
	}
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind whose user-facing message is
// the formatted text. format is the message's key in the catalogs, so
// args must not be English words (see Error.Args): numbers, sizes from
// FormatSize, names and IDs people gave, and three kinds of argument that a
// translation renders in its language, which Message renders in English:
// a time.Duration (as FormatApprox: "3 minutes"), an error (as
// ErrorMessage: the message of a refusal inside another, never its
// cause), and a Phrase. Never use %w: wrap a cause in Error.Err.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: message(format, args), Format: format, Args: args}
}

// Internal wraps err as an internal error. Its message is generic; err goes
// to the log only.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Message: "something went wrong on our side", Err: err}
}

// Gone returns a KindGone error carrying the reason the thing is gone.
func Gone(reason GoneReason, format string, args ...any) *Error {
	return &Error{Kind: KindGone, Reason: reason, Message: message(format, args), Format: format, Args: args}
}

// ErrorKind returns the kind of the first *Error in err's chain, KindInternal
// for any other non-nil error, and "" for nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return KindInternal
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic message for anything else. It
// never exposes the text of an unclassified error.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Kind != KindInternal && e.Message != "" {
		return e.Message
	}
	return "something went wrong on our side"
}

// ErrorText returns what ErrorMessage's text is made of, for showing it in
// another language: a key in the message catalogs (the English format)
// and its arguments. A message set without a format is its own key, with
// no arguments. For a translation, look the key up and format the
// arguments into it; a key no catalog has reads as ErrorMessage does.
func ErrorText(err error) (key string, args []any) {
	e, ok := errors.AsType[*Error](err)
	switch {
	case !ok || e.Kind == KindInternal || e.Message == "":
		return ErrorMessage(err), nil
	case e.Format != "":
		return e.Format, e.Args
	}
	return e.Message, nil
}

// ErrorReason returns the GoneReason of the first *Error in err's chain, or
// "" if there is none.
func ErrorReason(err error) GoneReason {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	return ""
}
