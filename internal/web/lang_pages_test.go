package web

import (
	"testing"

	"github.com/chatpic/chatpic/internal/i18n"
)

// english returns English as negotiated (not pinned), the pages' default.
func english(t *testing.T) i18n.Lang {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := b.Lookup(i18n.English)
	return l.Unpinned()
}
