package chatpic

// Status is where an upload or a comment stands with moderation. The values
// are part of the API contract.
type Status string

// The statuses.
const (
	StatusVisible Status = "visible" // shown to everyone
	StatusHidden  Status = "hidden"  // hidden by reports until a moderator looks
	StatusPending Status = "pending" // waiting for a moderator's approval (pre-moderation)
	StatusRemoved Status = "removed" // a comment a moderator removed; its number stays
)
