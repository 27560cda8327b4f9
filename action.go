package chatpic

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
