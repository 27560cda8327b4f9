package chatpic

import (
	"strconv"
	"strings"
)

// Sort is the order of a channel's posts.
type Sort string

// The orders a channel can be read in.
const (
	SortNew Sort = "new" // newest first (the default)
	SortTop Sort = "top" // highest score first, newer first on ties
)

// ParseSort returns the Sort named by s ("" means SortNew), or a
// KindInvalid error.
func ParseSort(s string) (Sort, error) {
	switch Sort(s) {
	case "", SortNew:
		return SortNew, nil
	case SortTop:
		return SortTop, nil
	}
	return "", Errorf(KindInvalid, "sort is new or top")
}

// Cursor marks where a page of posts ended: the next page holds the posts
// after it in the page's order. The zero Cursor means from the start.
type Cursor struct {
	Score int   // used by SortTop only
	Seq   int64 // the post's place in its channel
}

// IsZero reports whether c is the start.
func (c Cursor) IsZero() bool { return c == Cursor{} }

// Format renders c for a URL: "SEQ" for SortNew, "SCORE_SEQ" for SortTop.
func (c Cursor) Format(s Sort) string {
	if s == SortTop {
		return strconv.Itoa(c.Score) + "_" + strconv.FormatInt(c.Seq, 10)
	}
	return strconv.FormatInt(c.Seq, 10)
}

// ParseCursor reads a cursor made by Format for the same sort; "" is the
// start. It returns a KindInvalid error for anything else.
func ParseCursor(s Sort, text string) (Cursor, error) {
	if text == "" {
		return Cursor{}, nil
	}
	bad := Errorf(KindInvalid, "before must be a cursor from an earlier page")
	var c Cursor
	seqText := text
	if s == SortTop {
		scoreText, rest, ok := strings.Cut(text, "_")
		score, err := strconv.Atoi(scoreText)
		if !ok || err != nil {
			return Cursor{}, bad
		}
		c.Score, seqText = score, rest
	}
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq <= 0 {
		return Cursor{}, bad
	}
	c.Seq = seq
	return c, nil
}
