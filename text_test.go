package chatpic

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	rules := textRules{max: 5, notUTF8: "not utf8", control: "control", tooLong: "at most %d, got %d"}
	required := rules
	required.empty = "empty"
	tests := []struct {
		name  string
		in    string
		rules textRules
		want  string
		msg   string // "" for no error
	}{
		{"kept as it is", "hello", rules, "hello", ""},
		{"trimmed", " \t hi \n", rules, "hi", ""},
		{"line endings", "a\r\nb", rules, "a\nb", ""},
		{"newline and tab inside", "a\n\tb", rules, "a\n\tb", ""},
		{"empty allowed", "  ", rules, "", ""},
		{"empty refused", " \r\n ", required, "", "empty"},
		{"not UTF-8", "a\xffb", rules, "", "not utf8"},
		{"not UTF-8 before empty", "\xff", required, "", "not utf8"},
		{"C0 control", "a\x00b", rules, "", "control"},
		{"lone carriage return", "a\rb", rules, "", "control"},
		{"DEL", "a\x7fb", rules, "", "control"},
		{"C1 control", "a\u0085b", rules, "", "control"},
		{"control before length", strings.Repeat("a", 9) + "\x01", rules, "", "control"},
		{"at the limit in characters", "ééééé", rules, "ééééé", ""},
		{"past the limit", "abcdef", rules, "", "at most 5, got 6"},
		{"limit counted after trimming", "  abcde  ", rules, "abcde", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cleanText(tt.in, tt.rules)
			if tt.msg == "" {
				if err != nil || got != tt.want {
					t.Errorf("cleanText(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalid || e.Message != tt.msg || got != "" {
				t.Errorf("cleanText(%q) = %q, %v; want \"\" and a %s error %q", tt.in, got, err, KindInvalid, tt.msg)
			}
		})
	}
}

// TestCleanWords checks each caller's wording and rules on cleanText.
func TestCleanWords(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		fn   func(string) (string, error)
		in   string
		msg  string
	}{
		{"caption not UTF-8", CleanCaption, "\xff", "the caption must be UTF-8 text"},
		{"caption control", CleanCaption, "\x00", "the caption holds control characters"},
		{"caption too long", CleanCaption, long(MaxCaptionLen + 1), "captions are limited to 500 characters (this one has 501)"},
		{"caption empty", CleanCaption, " ", ""},
		{"comment not UTF-8", CleanComment, "\xff", "a comment must be UTF-8 text"},
		{"comment empty", CleanComment, " \n", "a comment cannot be empty"},
		{"comment control", CleanComment, "\x00", "the comment holds control characters"},
		{"comment too long", CleanComment, long(MaxCommentLen + 1), "comments are limited to 2000 characters (this one has 2001)"},
		{"note not UTF-8", func(s string) (string, error) { return CleanNote(s, 3) }, "\xff", "the note must be UTF-8 text"},
		{"note control", func(s string) (string, error) { return CleanNote(s, 3) }, "\x00", "the note holds control characters"},
		{"note too long", func(s string) (string, error) { return CleanNote(s, 3) }, "abcd", "the note is limited to 3 characters (this one has 4)"},
		{"note empty", func(s string) (string, error) { return CleanNote(s, 3) }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fn(tt.in)
			var e *Error
			switch {
			case tt.msg == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.msg != "" && (!errors.As(err, &e) || e.Kind != KindInvalid || e.Message != tt.msg):
				t.Errorf("error %v, want a %s error %q", err, KindInvalid, tt.msg)
			}
		})
	}
}
