package web

import (
	"html/template"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// modFuncs returns the template functions of the moderation pages that speak l
// (their words are in the catalogs' mod area).
//
// actionText replaces web.go's English entry of the same name (this map is
// bound after it); reasonText is the language-bound reasonName, under a
// new name so that the public pages that still call reasonName keep
// working: they may call reasonText too.
func (w *Web) modFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"reasonText":  func(r chatpic.ReportReason) string { return reasonText(l, r) },
		"actionText":  func(a chatpic.AuditAction) string { return auditActionText(l, a) },
		"stateText":   func(s chatpic.Status) string { return stateText(l, s) },
		"approveText": func(s chatpic.Status) string { return approveText(l, s) },
		"premodText":  func(m chatpic.Premod) string { return premodText(l, m) },
		"powText":     func(c chatpic.Challenge) string { return powText(l, c) },
	}
}

// reasonText names a report reason in tables and lists, in l.
func reasonText(l i18n.Lang, r chatpic.ReportReason) string {
	switch r {
	case chatpic.ReasonNCII:
		return l.T("Private image shared without consent")
	case chatpic.ReasonIllegal:
		return l.T("Illegal")
	case chatpic.ReasonSpam:
		return l.T("Spam")
	case chatpic.ReasonOther:
		return l.T("Other")
	}
	return string(r)
}

// auditActionText words what an audit entry's moderator did, in l. An
// action it does not know reads as its name, "new_thing" as "new thing".
func auditActionText(l i18n.Lang, a chatpic.AuditAction) string {
	switch a {
	case chatpic.AuditRemovePost:
		return l.T("remove post")
	case chatpic.AuditRemoveFile:
		return l.T("remove file")
	case chatpic.AuditRestorePost:
		return l.T("restore post")
	case chatpic.AuditBanHashes:
		return l.T("ban hashes")
	case chatpic.AuditRemoveComment:
		return l.T("remove comment")
	case chatpic.AuditRestoreComment:
		return l.T("restore comment")
	case chatpic.AuditBanPoster:
		return l.T("ban poster")
	case chatpic.AuditAddChannel:
		return l.T("add channel")
	case chatpic.AuditEditChannel:
		return l.T("edit channel")
	case chatpic.AuditLockChannel:
		return l.T("lock channel")
	case chatpic.AuditUnlockChannel:
		return l.T("unlock channel")
	case chatpic.AuditRemoveChannel:
		return l.T("remove channel")
	case chatpic.AuditImportHashes:
		return l.T("import hashes")
	case chatpic.AuditAddModerator:
		return l.T("add moderator")
	case chatpic.AuditAddAdmin:
		return l.T("add admin")
	case chatpic.AuditRemoveModerator:
		return l.T("remove moderator")
	case chatpic.AuditNewToken:
		return l.T("new token")
	}
	return actionText(a)
}

// actionText words an audit action in English: "remove_post" reads
// "remove post". The pages use auditActionText, which translates it.
func actionText(action chatpic.AuditAction) string {
	return strings.ReplaceAll(string(action), "_", " ")
}

// stateText says where a queue item stands, in l.
func stateText(l i18n.Lang, s chatpic.Status) string {
	switch s {
	case chatpic.StatusHidden:
		return l.T("Hidden by reports")
	case chatpic.StatusPending:
		return l.T("Waiting for approval")
	case chatpic.StatusRemoved:
		return l.T("Removed")
	}
	return l.T("Reported, still shown")
}

// approveText words the button that puts a queue item back, in l.
func approveText(l i18n.Lang, s chatpic.Status) string {
	switch s {
	case chatpic.StatusPending:
		return l.T("Approve")
	case chatpic.StatusHidden, chatpic.StatusRemoved:
		return l.T("Restore")
	}
	return l.T("Keep it up")
}

// premodText says what a channel's pre-moderation holds back, in l (in
// English, as the setting's value is named).
func premodText(l i18n.Lang, m chatpic.Premod) string {
	switch m {
	case chatpic.PremodMedia:
		return l.T("pre-moderation: media")
	case chatpic.PremodAll:
		return l.T("pre-moderation: all")
	}
	return l.T("pre-moderation: off")
}

// powText says when a channel asks posters for a proof of work, in l.
func powText(l i18n.Lang, c chatpic.Challenge) string {
	switch c {
	case chatpic.ChallengeAlways:
		return l.T("challenge: always")
	case chatpic.ChallengeOff:
		return l.T("challenge: off")
	}
	return l.T("challenge: auto")
}

// doneText words the outcome of an action, named by the "done" parameter
// of the page an action goes back to, in l. Unknown names show nothing.
func doneText(l i18n.Lang, done string) string {
	switch done {
	case "removed":
		return l.T("Removed.")
	case "file_removed":
		return l.T("The file is removed; the rest of the album stays.")
	case "restored":
		return l.T("Restored: it is shown again.")
	case "banned":
		return l.T("The poster is banned from posting for now.")
	case "locked":
		return l.T("The channel is read-only now.")
	case "unlocked":
		return l.T("The channel is open again.")
	case "edited":
		return l.T("The channel's settings are saved.")
	case "added":
		return l.T("The moderator account is created.")
	case "deleted":
		return l.T("The moderator account is deleted.")
	}
	return ""
}
