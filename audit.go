package chatpic

import "time"

// AuditEntry records one moderation action: who did what to which thing,
// when, and why.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Moderator string // "" for the command line
	Action    AuditAction
	Target    string // names a thing of the kind Action.Target() says
	Reason    string // the reason the moderator stated
	// Category is the report reason a removal falls under, "" otherwise;
	// the transparency page counts removals by it.
	Category ReportReason
}

// AuditAction is what a moderator did, as the audit log records it. The
// values are stored and shown by the API: they never change.
type AuditAction string

// The audit actions.
const (
	AuditRemovePost      AuditAction = "remove_post"
	AuditRemoveFile      AuditAction = "remove_file" // one file of an album
	AuditRestorePost     AuditAction = "restore_post"
	AuditBanHashes       AuditAction = "ban_hashes" // the hashes of a removed upload or file
	AuditRemoveComment   AuditAction = "remove_comment"
	AuditRestoreComment  AuditAction = "restore_comment"
	AuditBanPoster       AuditAction = "ban_poster"
	AuditAddChannel      AuditAction = "add_channel"
	AuditEditChannel     AuditAction = "edit_channel"
	AuditLockChannel     AuditAction = "lock_channel"
	AuditUnlockChannel   AuditAction = "unlock_channel"
	AuditRemoveChannel   AuditAction = "remove_channel"
	AuditImportHashes    AuditAction = "import_hashes"
	AuditAddModerator    AuditAction = "add_moderator"
	AuditAddAdmin        AuditAction = "add_admin"
	AuditRemoveModerator AuditAction = "remove_moderator"
	AuditNewToken        AuditAction = "new_token" // a moderator's new API token
)

// AuditActions returns every audit action, in a new slice.
func AuditActions() []AuditAction {
	return []AuditAction{
		AuditRemovePost, AuditRemoveFile, AuditRestorePost, AuditBanHashes,
		AuditRemoveComment, AuditRestoreComment, AuditBanPoster,
		AuditAddChannel, AuditEditChannel, AuditLockChannel, AuditUnlockChannel, AuditRemoveChannel,
		AuditImportHashes,
		AuditAddModerator, AuditAddAdmin, AuditRemoveModerator, AuditNewToken,
	}
}

// TargetKind says what an audit entry's Target names.
type TargetKind string

// The kinds of audit targets.
const (
	TargetNone      TargetKind = ""          // an action this version does not know
	TargetPost      TargetKind = "post"      // a post ID
	TargetFile      TargetKind = "file"      // a file of a post: its name, ID or ID-n (Post.FileName)
	TargetComment   TargetKind = "comment"   // a comment ID
	TargetPoster    TargetKind = "poster"    // the post or comment ID of what the banned poster posted
	TargetChannel   TargetKind = "channel"   // a channel slug
	TargetHashList  TargetKind = "hash list" // where an imported list of hashes came from
	TargetModerator TargetKind = "moderator" // a moderator's name
)

// Target returns the kind of thing an entry with action a names in its
// Target, or TargetNone if a is not one of the audit actions.
func (a AuditAction) Target() TargetKind {
	switch a {
	case AuditRemovePost, AuditRestorePost:
		return TargetPost
	case AuditRemoveFile, AuditBanHashes:
		// The hashes banned are those of a post (its ID) or of one of its
		// files (ID-n): a post ID is a file name too.
		return TargetFile
	case AuditRemoveComment, AuditRestoreComment:
		return TargetComment
	case AuditBanPoster:
		return TargetPoster
	case AuditAddChannel, AuditEditChannel, AuditLockChannel, AuditUnlockChannel, AuditRemoveChannel:
		return TargetChannel
	case AuditImportHashes:
		return TargetHashList
	case AuditAddModerator, AuditAddAdmin, AuditRemoveModerator, AuditNewToken:
		return TargetModerator
	}
	return TargetNone
}

// Removal reports whether a took an upload, a file of an album or a
// comment down: the transparency page counts these, by their entry's
// Category.
func (a AuditAction) Removal() bool {
	return a == AuditRemovePost || a == AuditRemoveFile || a == AuditRemoveComment
}
