package chatpic

import "time"

// MaxCommentLen is the longest comment, in characters.
const MaxCommentLen = 2000

// Comment is an anonymous remark on a post. It vanishes with its post.
type Comment struct {
	ID     string
	PostID string
	// Number is the comment's place in its thread: 1 for the first.
	// ">>3" in a body refers to comment 3 of the same thread.
	Number int
	Body   string
	// PosterID names the commenter inside this post's thread only: the
	// same person gets the same ID in one thread and unrelated IDs in
	// others (see keyring.Ring).
	PosterID string
	// IsUploader is true when the commenter proved, with the delete token,
	// to be the person who posted the upload.
	IsUploader bool
	CreatedAt  time.Time
	// Status is StatusVisible, StatusHidden, StatusPending or
	// StatusRemoved ("" reads as visible); a removed comment keeps its
	// number but not its body.
	Status Status
	// ClientKey is the commenter's keyed hash under the rotating client
	// secret, kept only while the comment lives; nil if unknown.
	ClientKey []byte
}

// Visible reports whether c is shown to everyone.
func (c Comment) Visible() bool { return c.Status == "" || c.Status == StatusVisible }

// CleanComment trims s and returns a KindInvalid error if it is empty,
// longer than MaxCommentLen characters, not UTF-8, or holds control
// characters other than newlines and tabs. Line endings become "\n".
func CleanComment(s string) (string, error) {
	return cleanText(s, textRules{
		max:     MaxCommentLen,
		empty:   "a comment cannot be empty",
		notUTF8: "a comment must be UTF-8 text",
		control: "the comment holds control characters",
		tooLong: "comments are limited to %d characters (this one has %d)",
	})
}

// Vote values.
const (
	VoteUp   = 1
	VoteDown = -1
	VoteNone = 0 // withdraws a vote
)

// ValidateVote returns a KindInvalid error unless v is 1, -1 or 0.
func ValidateVote(v int) error {
	if v != VoteUp && v != VoteDown && v != VoteNone {
		return Errorf(KindInvalid, "a vote is 1 (up), -1 (down) or 0 (withdraw)")
	}
	return nil
}
