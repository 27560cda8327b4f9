package chatpic

import "time"

// Action is something an anonymous client does that abuse control counts.
type Action string

// The actions that are rate limited.
const (
	ActionUpload  Action = "uploads"
	ActionComment Action = "comments"
	ActionVote    Action = "votes"
	ActionReport  Action = "reports"
	ActionLogin   Action = "logins" // failed moderator sign-ins
	// ActionPassword is a try at the password of a locked upload.
	ActionPassword Action = "passwords"
)

// TooMany returns the KindRateLimited error for a client that did a too
// often: one sentence per action, so that it translates, with wait (to
// retry after) as a time.Duration argument.
func (a Action) TooMany(wait time.Duration) *Error {
	switch a {
	case ActionUpload:
		return RateLimited(wait, "too many uploads from you in a short time; try again in %s", wait)
	case ActionComment:
		return RateLimited(wait, "too many comments from you in a short time; try again in %s", wait)
	case ActionVote:
		return RateLimited(wait, "too many votes from you in a short time; try again in %s", wait)
	case ActionReport:
		return RateLimited(wait, "too many reports from you in a short time; try again in %s", wait)
	case ActionLogin:
		return RateLimited(wait, "too many failed sign-ins from you in a short time; try again in %s", wait)
	case ActionPassword:
		return RateLimited(wait, "too many password attempts from you in a short time; try again in %s", wait)
	}
	return RateLimited(wait, "too many requests from you in a short time; try again in %s", wait)
}
