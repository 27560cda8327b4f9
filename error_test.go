package chatpic

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const genericMessage = "something went wrong on our side"

func TestErrorAccessors(t *testing.T) {
	secret := errors.New("open /var/lib/chatpic/secret.db: permission denied")
	notFound := Errorf(KindNotFound, "there is no post %q", "abc")
	gone := Gone(ReasonExpired, "this upload is gone")
	tests := []struct {
		name    string
		err     error
		kind    Kind
		message string
		reason  GoneReason
	}{
		{"nil", nil, "", genericMessage, ""},
		{"*Error", notFound, KindNotFound, `there is no post "abc"`, ""},
		{"*Error with a cause", &Error{Kind: KindConflict, Message: "taken", Err: secret}, KindConflict, "taken", ""},
		{"*Error with no message", &Error{Kind: KindInvalid}, KindInvalid, genericMessage, ""},
		{"wrapped *Error", fmt.Errorf("sqlstore: post: %w", notFound), KindNotFound, `there is no post "abc"`, ""},
		{"twice wrapped *Error", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), KindNotFound, `there is no post "abc"`, ""},
		{"joined *Error", errors.Join(secret, notFound), KindNotFound, `there is no post "abc"`, ""},
		{"Gone", gone, KindGone, "this upload is gone", ReasonExpired},
		{"wrapped Gone", fmt.Errorf("posting: %w", gone), KindGone, "this upload is gone", ReasonExpired},
		{"plain error", secret, KindInternal, genericMessage, ""},
		{"wrapped plain error", fmt.Errorf("store: %w", secret), KindInternal, genericMessage, ""},
		{"Internal", Internal(secret), KindInternal, genericMessage, ""},
		{"wrapped Internal", fmt.Errorf("posting: %w", Internal(secret)), KindInternal, genericMessage, ""},
		{"Internal with an unsafe message", &Error{Kind: KindInternal, Message: "pq: password authentication failed"}, KindInternal, genericMessage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKind(tt.err); got != tt.kind {
				t.Errorf("ErrorKind() = %q, want %q", got, tt.kind)
			}
			msg := ErrorMessage(tt.err)
			if msg != tt.message {
				t.Errorf("ErrorMessage() = %q, want %q", msg, tt.message)
			}
			if strings.Contains(msg, "secret.db") || strings.Contains(msg, "password") {
				t.Errorf("ErrorMessage() = %q leaks the cause", msg)
			}
			if got := ErrorReason(tt.err); got != tt.reason {
				t.Errorf("ErrorReason() = %q, want %q", got, tt.reason)
			}
		})
	}
}

func TestInternal(t *testing.T) {
	cause := errors.New("disk full")
	err := Internal(cause)
	if err.Kind != KindInternal {
		t.Errorf("Internal().Kind = %q, want %q", err.Kind, KindInternal)
	}
	if !errors.Is(err, cause) {
		t.Error("errors.Is(Internal(cause), cause) = false; the cause must stay in the chain for logs")
	}
	if !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Internal(cause).Error() = %q, want the cause in it for logs", err.Error())
	}
	if ErrorMessage(err) != genericMessage {
		t.Errorf("ErrorMessage(Internal(cause)) = %q, want the generic message", ErrorMessage(err))
	}
}

func TestErrorString(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"message only", &Error{Kind: KindInvalid, Message: "bad caption"}, "bad caption"},
		{"message and cause", &Error{Kind: KindInvalid, Message: "bad caption", Err: cause}, "bad caption: cause"},
		{"cause only", &Error{Kind: KindConflict, Err: cause}, "conflict: cause"},
		{"Errorf formats", Errorf(KindTooLarge, "files are limited to %s", "20 MB"), "files are limited to 20 MB"},
		{"a duration argument reads as FormatApprox", Errorf(KindInvalid, "between %s and %s", time.Minute, 30*24*time.Hour), "between 1 minute and 30 days"},
		{"an error argument reads as its message, never its cause", Errorf(KindInvalid, "line %d: %s", 2, &Error{Kind: KindInvalid, Message: "bad hash", Err: cause}), "line 2: bad hash"},
		{"an internal error argument reads as the generic message", Errorf(KindInvalid, "file %d: %s", 2, Internal(cause)), "file 2: something went wrong on our side"},
		{"a phrase argument reads as it is", Errorf(KindUnsupported, "it looks like %s", Phrase("a PDF document")), "it looks like a PDF document"},
		{"TooMany words the action", ActionComment.TooMany(3 * time.Minute), "too many comments from you in a short time; try again in 3 minutes"},
		{"TooMany of an unknown action", Action("pings").TooMany(30 * time.Second), "too many requests from you in a short time; try again in less than a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if got := tt.err.Unwrap(); got != tt.err.Err {
				t.Errorf("Unwrap() = %v, want %v", got, tt.err.Err)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		key  string
		args []any
	}{
		{"formatted", Errorf(KindInvalid, "a caption is at most %d characters", 500), "a caption is at most %d characters", []any{500}},
		{"wrapped", fmt.Errorf("posting: %w", Gone(ReasonExpired, "this upload has expired")), "this upload has expired", nil},
		{"rate limited", RateLimited(time.Minute, "slow down for %s", "a minute"), "slow down for %s", []any{"a minute"}},
		{"a message set as it is", &Error{Kind: KindForbidden, Message: "only admins can do that"}, "only admins can do that", nil},
		{"internal", Internal(errors.New("disk on fire")), "something went wrong on our side", nil},
		{"not ours", errors.New("boom"), "something went wrong on our side", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, args := ErrorText(tt.err)
			if key != tt.key || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("ErrorText() = %q, %v; want %q, %v", key, args, tt.key, tt.args)
			}
			if got := fmt.Sprintf(key, args...); got != ErrorMessage(tt.err) {
				t.Errorf("the key formatted is %q, but ErrorMessage is %q", got, ErrorMessage(tt.err))
			}
		})
	}
}
