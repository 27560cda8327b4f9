package moderation

import (
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
)

func TestParseLink(t *testing.T) {
	id, cid := chatpic.NewID(), chatpic.NewID()
	tests := []struct {
		name, link string
		want       Target
		ok         bool
	}{
		{"a page link", "https://pics.example.org/p/" + id, Target{PostID: id}, true},
		{"a page link with a slash", "https://pics.example.org/p/" + id + "/", Target{PostID: id}, true},
		{"a comment link", "https://pics.example.org/p/" + id + "#id-" + cid, Target{PostID: id, CommentID: cid}, true},
		{"a numbered comment anchor is the upload", "https://pics.example.org/p/" + id + "#c-3", Target{PostID: id}, true},
		{"a media link names the first file", "https://pics.example.org/m/" + id + ".jpg", Target{PostID: id, File: 1}, true},
		{"a thumbnail link", "/t/" + id + ".webp", Target{PostID: id, File: 1}, true},
		{"a media link to an album's second file", "https://pics.example.org/m/" + id + "-2.jpg", Target{PostID: id, File: 2}, true},
		{"a thumbnail link to an album's tenth file", "/t/" + id + "-10.webp", Target{PostID: id, File: 10}, true},
		{"a file number past the most", "/m/" + id + "-11.jpg", Target{}, false},
		{"a file number with a leading zero", "/m/" + id + "-02.jpg", Target{}, false},
		{"file 1 spelt out", "/m/" + id + "-1.jpg", Target{}, false},
		{"a bare ID", "  " + id + "\n", Target{PostID: id}, true},
		{"a channel link", "https://pics.example.org/c/random", Target{}, false},
		{"a short ID", "https://pics.example.org/p/abc", Target{}, false},
		{"nonsense", "not a link at all", Target{}, false},
		{"empty", "", Target{}, false},
		{"very long", "https://x/p/" + strings.Repeat("a", 3000), Target{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseLink(tt.link)
			if ok != tt.ok || ok && got != tt.want {
				t.Fatalf("ParseLink(%q) = %+v, %v; want %+v, %v", tt.link, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseHashList(t *testing.T) {
	hex := strings.Repeat("0a", 32)
	tests := []struct {
		name, list string
		want       int
		wantErr    string
	}{
		{"both kinds with notes", "sha256 " + hex + " a file\npdq " + hex + " a picture\n", 2, ""},
		{"comments and blank lines", "# list\n\n  \npdq " + hex + "\n", 1, ""},
		{"upper-case kind and hex", "PDQ " + strings.ToUpper(hex), 1, ""},
		{"an unknown kind", "md5 " + hex, 0, "line 1"},
		{"a short hash", "pdq abcd", 0, "64 hex digits"},
		{"not hex", "pdq " + strings.Repeat("zz", 32), 0, "64 hex digits"},
		{"a kind alone", "\n\nsha256", 0, "line 3"},
		{"a very long line", "pdq " + hex + " " + strings.Repeat("n", 5000), 0, "longer than"},
		{"a note with control characters", "pdq " + hex + " bad\x01note", 0, "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bans, err := ParseHashList(strings.NewReader(tt.list))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || chatpic.ErrorKind(err) != chatpic.KindInvalid {
					t.Fatalf("error %v, want an invalid one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(bans) != tt.want {
				t.Fatalf("%d bans, %v; want %d", len(bans), err, tt.want)
			}
		})
	}
}

func TestReceiptCodes(t *testing.T) {
	code, hash := newReceipt()
	if len(code) != 19 || strings.Count(code, "-") != 3 {
		t.Fatalf("code %q is not four groups of four", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""), " " + code + " "} {
		if string(receiptHash(typed)) != string(hash) {
			t.Errorf("%q does not find its receipt", typed)
		}
	}
	if other, _ := newReceipt(); other == code {
		t.Fatal("two receipts are equal")
	}
}
