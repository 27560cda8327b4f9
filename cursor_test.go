package chatpic

import "testing"

func TestCursor(t *testing.T) {
	tests := []struct {
		sort Sort
		text string
		want Cursor
		ok   bool
	}{
		{SortNew, "", Cursor{}, true},
		{SortNew, "42", Cursor{Seq: 42}, true},
		{SortTop, "5_42", Cursor{Score: 5, Seq: 42}, true},
		{SortTop, "-3_7", Cursor{Score: -3, Seq: 7}, true},
		{SortNew, "0", Cursor{}, false},
		{SortNew, "abc", Cursor{}, false},
		{SortTop, "42", Cursor{}, false},
		{SortTop, "x_1", Cursor{}, false},
		{SortTop, "1_-1", Cursor{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCursor(tt.sort, tt.text)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCursor(%s, %q) = %+v, %v; want %+v, ok=%v", tt.sort, tt.text, got, err, tt.want, tt.ok)
			continue
		}
		if tt.ok && tt.text != "" && got.Format(tt.sort) != tt.text {
			t.Errorf("Format(%+v) = %q, want %q", got, got.Format(tt.sort), tt.text)
		}
	}
	for _, s := range []string{"", "new", "top", "hot"} {
		_, err := ParseSort(s)
		if (err == nil) != (s != "hot") {
			t.Errorf("ParseSort(%q) = %v", s, err)
		}
	}
}
