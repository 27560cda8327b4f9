package chatpic

import (
	"errors"
	"fmt"
	"testing"
)

func TestSource(t *testing.T) {
	driver := errors.New("disk I/O error")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a database error, wrapped as internal", Internal(Source(fmt.Errorf("sqlstore: insert: %w", driver), ErrDatabase)), "database"},
		{"a media store error, wrapped again", fmt.Errorf("posting: %w", Internal(Source(driver, ErrMediaStore))), "media_store"},
		{"an error with no mark", Internal(driver), "other"},
		{"no error", nil, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorSource(tt.err); got != tt.want {
				t.Errorf("ErrorSource = %q, want %q", got, tt.want)
			}
		})
	}
	marked := Internal(Source(driver, ErrDatabase))
	if ErrorKind(marked) != KindInternal || !errors.Is(marked, driver) {
		t.Errorf("the mark hid the error's kind or cause: %v", marked)
	}
	if marked.Err.Error() != driver.Error() {
		t.Errorf("the mark changed the message to %q", marked.Err.Error())
	}
	if Source(nil, ErrDatabase) != nil {
		t.Error("a nil error was marked")
	}
}
