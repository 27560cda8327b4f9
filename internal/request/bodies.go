package request

import (
	"strconv"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
)

// The request structs below are the fields of the JSON API's request
// bodies and of the pages' forms that do the same thing, read by Decode
// (the API: JSON or a form, strictly) and Form (the pages). A field's json
// tag is its name in both, unless a form tag gives its name in forms.

// Comment is a new comment: POST /api/v1/posts/{id}/comments and the
// comment form of a post page.
type Comment struct {
	Body string `json:"body"`
	// Token is the upload's delete token, from its uploader, who is then
	// marked as such (the API takes the X-Delete-Token header too).
	Token string `json:"token"`
	// Proof is a solved proof-of-work challenge, "TOKEN:SOLUTION", when
	// the channel asks for one (the API takes the X-Chatpic-Pow header too).
	Proof string `json:"pow"`
}

// Vote is a vote on an upload: POST /api/v1/posts/{id}/votes and the vote
// buttons of a post page.
type Vote struct {
	Value *int `json:"value"`
}

// Int returns the vote: 1 (up), -1 (down) or 0 (withdraw); a Vote without
// a value is KindInvalid. The posting service checks the range.
func (v Vote) Int() (int, error) {
	if v.Value == nil {
		return 0, chatpic.Errorf(chatpic.KindInvalid, "value must be 1 (up), -1 (down) or 0 (withdraw)")
	}
	return *v.Value, nil
}

// Delete is the delete form of a post page: the upload's delete token.
// (The API takes the token in the X-Delete-Token header of a DELETE.)
type Delete struct {
	Token string `json:"token"`
}

// Report is a report of an upload or of a comment: POST
// /api/v1/posts/{id}/reports and /api/v1/comments/{id}/reports.
type Report struct {
	Reason string `json:"reason"` // ncii, illegal, spam or other
	Note   string `json:"note"`
	// File is the number of the file of an album the report is about,
	// counting from 1; 0 (or none) for the whole upload.
	File int `json:"file"`
}

// PostReport is the report form of a post page: a Report of the upload,
// or of the comment named by Comment.
type PostReport struct {
	Report
	Comment string `json:"comment"`
}

// LinkReport is a removal request for a link to an upload, from anyone:
// POST /api/v1/reports and the form of /report. A link to one file of an
// album names that file; File names one for a link that does not.
type LinkReport struct {
	Link string `json:"link"`
	Report
}

// Removal is a moderator's removal of an upload or a comment: POST
// /api/v1/mod/{posts,comments}/{id}/remove and the queue's remove forms.
type Removal struct {
	// Statement is the statement of reasons shown to the public: "reason"
	// in JSON, "statement" in the queue's form.
	Statement string `json:"reason" form:"statement"`
	// Category is the report reason the removal is for; blank for the most
	// serious one reported.
	Category string `json:"category"`
	// Ban also bans the picture's hashes, so it cannot come back.
	Ban bool `json:"ban"`
}

// Removal returns r as the moderation service takes it.
func (r Removal) Removal() moderation.Removal {
	return moderation.Removal{Statement: r.Statement, Category: chatpic.ReportReason(r.Category), Ban: r.Ban}
}

// Note is the body of a moderation action that takes nothing but a note
// for the audit log: restore, ban the poster, lock and unlock a channel.
type Note struct {
	Reason string `json:"reason"`
}

// Unlock is the body of a view of an upload (POST
// /api/v1/posts/{id}/views, and the form of its page, POST /p/{id}/view):
// the password of an upload locked with one; empty, or no body, for
// others.
type Unlock struct {
	Password string `json:"password"`
}

// NewModerator is a new moderator account: POST /api/v1/mod/moderators
// and the form of /mod/moderators (admins only).
type NewModerator struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Admin    bool   `json:"admin"`
}

// ChannelSettings changes a channel's moderation settings: PATCH
// /api/v1/mod/channels/{slug} and the settings forms of /mod/channels
// (admins only). A field left out (in a form: left blank) keeps its
// setting.
type ChannelSettings struct {
	Capacity *int `json:"capacity"`
	// TTL is a duration such as "1h" or "7d", or "0" (or "none") for no
	// time to live.
	TTL             string `json:"ttl"`
	ReportThreshold *int   `json:"report_threshold"`
	MaxFiles        *int   `json:"max_files"` // files one upload may carry
	Premod          string `json:"premod"`    // off, media or all
	Challenge       string `json:"challenge"` // auto, always or off
	Reason          string `json:"reason"`    // for the audit log
}

// Edit returns the change s asks for, as the moderation service takes it.
// Errors: KindInvalid (a TTL, pre-moderation or challenge setting it does
// not know).
func (s ChannelSettings) Edit() (moderation.ChannelEdit, error) {
	return ChannelEdit(func(name string) string {
		switch name {
		case "capacity":
			return optionalInt(s.Capacity)
		case "report_threshold":
			return optionalInt(s.ReportThreshold)
		case "max_files":
			return optionalInt(s.MaxFiles)
		case "ttl":
			return s.TTL
		case "premod":
			return s.Premod
		case "challenge":
			return s.Challenge
		}
		return ""
	})
}

func optionalInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// SignIn is the moderator sign-in form, POST /mod/login.
type SignIn struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	// Proof is a solved sign-in challenge, "TOKEN:SOLUTION", which an
	// account needs after many failed sign-ins (see moderation.Credentials).
	Proof string `json:"pow"`
}
