package chatpic

import (
	"time"
	"unicode/utf8"
)

// MaxCaptionLen is the longest caption, in characters.
const MaxCaptionLen = 500

// MediaKind says whether an upload is a still or animated picture or a
// video. The values are part of the API contract.
type MediaKind string

// The kinds of media.
const (
	Image MediaKind = "image"
	Video MediaKind = "video"
)

// Item is one file of a post: its picture or video as stored, and what
// was learnt of it when it was checked.
type Item struct {
	Kind     MediaKind
	MIME     string // the type we serve, decided from the bytes
	Ext      string // the extension of the media URL, without the dot
	ThumbExt string // the extension of the thumbnail URL
	// ThumbMIME is the type we serve the thumbnail with, decided when it
	// was made.
	ThumbMIME string
	Width     int // as displayed
	Height    int
	Duration  time.Duration // of a video; 0 for pictures
	Frames    int           // of an animation; 1 for still pictures, 0 for video
	Bytes     int64         // size of the stored media file
	SHA256    [32]byte      // of the stored media file
	// PDQ is the perceptual hash of the picture (of the poster frame for a
	// video), nil if none could be made; PDQQuality is its quality, 0..100.
	PDQ        []byte
	PDQQuality int
	// Removed is set when moderation took this one file down and left
	// the rest of its post: its links answer 410 and its files are gone.
	Removed bool
}

// Post is one upload in a channel: one file, or an album of up to
// MaxFiles, counted as one upload everywhere (capacity, votes, comments).
type Post struct {
	ID      string
	Channel string // the channel's slug
	// Seq orders posts inside their channel: 1 for the first upload the
	// channel ever had, then 2, 3, ... It is the paging cursor.
	Seq     int64
	Caption string
	// Item is the post's first file; the fields of a single-file upload.
	Item
	// More are the second and later files of an album, in order; nil for
	// a single file.
	More []Item
	// Score is up votes minus down votes; CommentCount the comments.
	Score        int
	CommentCount int
	// Sensitive is set when the uploader asked for the picture to be shown
	// blurred until a viewer chooses to see it. Everything in a channel
	// marked NSFW is shown so whatever this says.
	Sensitive bool
	// PasswordHash, for a link-only upload locked with a password, is the
	// password's argon2id hash (PHC form); "" for none. Nothing of a
	// locked upload shows until the password is given.
	PasswordHash string
	// ViewsLeft is how many more views a self-destructing upload allows;
	// 0 means no limit (a used-up upload is gone, not at 0).
	ViewsLeft int
	CreatedAt time.Time
	ExpiresAt time.Time // zero: does not expire
	// DeleteTokenHash is HashToken of the uploader's delete token.
	DeleteTokenHash []byte
	// Status is StatusVisible, StatusHidden or StatusPending; "" reads as
	// visible.
	Status Status
	// ClientKey is the uploader's keyed hash under the rotating client
	// secret (see keyring.Ring.Client), kept only while the upload lives, so a
	// moderator can ban the person behind it; nil if unknown.
	ClientKey []byte
}

// Visible reports whether p is shown to everyone (not hidden or waiting).
func (p Post) Visible() bool { return p.Status == "" || p.Status == StatusVisible }

// Unavailable returns the KindNotFound error the public gets for a post
// that is not visible, saying why: hidden by reports or waiting for
// review. It returns nil for a visible post.
func (p Post) Unavailable() error {
	switch {
	case p.Visible():
		return nil
	case p.Status == StatusPending:
		return Errorf(KindNotFound, "this upload is waiting for review by the moderators")
	default:
		return Errorf(KindNotFound, "this upload is hidden while the moderators review a report about it")
	}
}

// LinkOnly is the channel of uploads that are in no channel and found only
// by their link. It is not a valid slug, so no URL or listing names it.
const LinkOnly = "-"

// IsLinkOnly reports whether p was uploaded to be found by its link only.
func (p Post) IsLinkOnly() bool { return p.Channel == LinkOnly }

// Bounds on link-only uploads.
const (
	DefaultLinkOnlyExpiry = 24 * time.Hour
	MaxViews              = 1000
	// MinUploadPasswordLen is the shortest password that locks an upload,
	// in characters; its longest is MaxPasswordLen bytes, as a
	// moderator's.
	MinUploadPasswordLen = 4
)

// Locked reports whether p is locked with a password.
func (p Post) Locked() bool { return p.PasswordHash != "" }

// Gated reports whether p's files are shown only with a ticket: those of
// an upload with a view limit (a spent view's) or locked with a password
// (the ticket given for the right password).
func (p Post) Gated() bool { return p.ViewsLeft != 0 || p.Locked() }

// ValidateUploadPassword returns a KindInvalid error unless s may lock an
// upload: "" (no password), or MinUploadPasswordLen characters up to
// MaxPasswordLen bytes.
func ValidateUploadPassword(s string) error {
	switch {
	case s == "":
		return nil
	case utf8.RuneCountInString(s) < MinUploadPasswordLen:
		return Errorf(KindInvalid, "a password is at least %d characters", MinUploadPasswordLen)
	case len(s) > MaxPasswordLen:
		return Errorf(KindInvalid, "a password is at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// ValidateMaxViews returns a KindInvalid error unless n is 0 (no limit) or
// 1 to MaxViews.
func ValidateMaxViews(n int) error {
	if n < 0 || n > MaxViews {
		return Errorf(KindInvalid, "max_views is between 1 and %d", MaxViews)
	}
	return nil
}

// MediaKey is the blob-store key of the post's first media file.
func (p Post) MediaKey() string { return p.FileKey(1, false) }

// ThumbKey is the blob-store key of the post's first thumbnail.
func (p Post) ThumbKey() string { return p.FileKey(1, true) }

// Expired reports whether p has expired at now.
func (p Post) Expired(now time.Time) bool {
	return !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt)
}

// GoneReason says why an upload is gone. The values are part of the API
// contract.
type GoneReason string

// The reasons an upload can be gone.
const (
	ReasonEvicted GoneReason = "evicted" // pushed out by newer uploads (channel capacity)
	ReasonExpired GoneReason = "expired" // its time ran out
	ReasonDeleted GoneReason = "deleted" // its uploader deleted it
	ReasonRemoved GoneReason = "removed" // moderation or the operator took it down
	ReasonLost    GoneReason = "lost"    // its file went missing from storage
)

// Explain returns a sentence that tells a visitor why an upload is gone.
func (r GoneReason) Explain() string {
	switch r {
	case ReasonEvicted:
		return "This upload was pushed out of its channel by newer ones."
	case ReasonExpired:
		return "This upload's time ran out."
	case ReasonDeleted:
		return "This upload was deleted by the person who posted it."
	case ReasonRemoved:
		return "This upload was removed."
	case ReasonLost:
		return "This upload's file was lost."
	default:
		return "This upload is gone."
	}
}

// Tombstone records that a post existed and why it is gone, so that its
// links answer 410 instead of 404.
type Tombstone struct {
	ID      string
	Channel string
	Reason  GoneReason
	GoneAt  time.Time
}

// CleanCaption trims s and returns a KindInvalid error if it is not valid
// UTF-8, holds control characters other than newlines and tabs, or is longer
// than MaxCaptionLen characters. Line endings become "\n".
func CleanCaption(s string) (string, error) {
	return cleanText(s, textRules{
		max:     MaxCaptionLen,
		notUTF8: "the caption must be UTF-8 text",
		control: "the caption holds control characters",
		tooLong: "captions are limited to %d characters (this one has %d)",
	})
}
