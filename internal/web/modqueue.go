package web

import (
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// modBase is what every moderation page has: who is signed in, and what
// the action that led here did.
type modBase struct {
	Title string
	Me    chatpic.Moderator
	Done  string
}

// doneText words the outcome of an action, named by the "done" parameter
// of the page an action goes back to. Unknown names show nothing.
var doneText = map[string]string{
	"removed":      "Removed.",
	"file_removed": "The file is removed; the rest of the album stays.",
	"restored":     "Restored: it is shown again.",
	"banned":       "The poster is banned from posting for now.",
	"locked":       "The channel is read-only now.",
	"unlocked":     "The channel is open again.",
	"edited":       "The channel's settings are saved.",
	"added":        "The moderator account is created.",
	"deleted":      "The moderator account is deleted.",
}

func modPage(r *http.Request, m chatpic.Moderator, title string) modBase {
	return modBase{Title: title, Me: m, Done: doneText[r.URL.Query().Get("done")]}
}

// queueLimit is how many items the queue page shows, most serious first.
const queueLimit = 100

type queuePage struct {
	modBase
	Items []queueRow
	Full  bool // there may be more than the page shows
}

// queueRow is a queue item as the page lays it out.
type queueRow struct {
	moderation.Item
	ID      string // of the upload, or of the comment
	State   string // where it stands, in words
	Reports []reasonCount
	// Since is when it was last reported, or else posted.
	Since    time.Time
	Reported bool
	Approve  string // the words of the restore button
	// BanPicture ticks "ban this picture" from the start: a serious
	// report, or a match with a banned hash.
	BanPicture bool
	// Files are the files of an album, each with its own preview and
	// removal; nil for a single file or a comment.
	Files []queueFile
}

// queueFile is one file of an album in the queue.
type queueFile struct {
	N       int    // counting from 1
	Name    string // chatpic.Post.FileName
	Item    chatpic.Item
	Size    template.HTMLAttr // of its thumbnail
	Reports int               // open reports that name it
	Match   bool              // it matches a banned hash
	// Ban ticks "ban its hashes" from the start: it matches a banned
	// hash, or a report names it and the item's reports are serious.
	Ban bool
}

type reasonCount struct {
	Reason chatpic.ReportReason
	N      int
}

func rowOf(it moderation.Item) queueRow {
	row := queueRow{Item: it, ID: it.Post.ID, Since: it.Post.CreatedAt,
		BanPicture: it.HashMatch || it.Severity >= chatpic.ReasonIllegal.Severity()}
	if it.Comment != nil {
		row.ID, row.Since = it.Comment.ID, it.Comment.CreatedAt
	}
	if !it.LastReportAt.IsZero() {
		row.Since, row.Reported = it.LastReportAt, true
	}
	for _, r := range chatpic.ReportReasons {
		if n := it.Reports[r]; n > 0 {
			row.Reports = append(row.Reports, reasonCount{r, n})
		}
	}
	if it.Comment == nil && it.Post.IsAlbum() {
		for i, f := range it.Post.Items() {
			n := i + 1
			qf := queueFile{N: n, Name: it.Post.FileName(n), Item: f, Size: thumbSize(chatpic.Post{Item: f}),
				Reports: it.FileReports[n], Match: slices.Contains(it.MatchingFiles, n)}
			qf.Ban = qf.Match || qf.Reports > 0 && it.Severity >= chatpic.ReasonIllegal.Severity()
			row.Files = append(row.Files, qf)
		}
	}
	switch it.Status {
	case chatpic.StatusHidden:
		row.State, row.Approve = "Hidden by reports", "Restore"
	case chatpic.StatusPending:
		row.State, row.Approve = "Waiting for approval", "Approve"
	case chatpic.StatusRemoved:
		row.State, row.Approve = "Removed", "Restore"
	default:
		row.State, row.Approve = "Reported, still shown", "Keep it up"
	}
	return row
}

// Queue renders GET /mod: what waits for a moderator, most serious first,
// each with blurred preview and its actions.
func (w *Web) Queue(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	items, err := w.mods.Queue(r.Context(), m, queueLimit)
	if err != nil {
		w.modFail(rw, r, err)
		return
	}
	page := queuePage{modBase: modPage(r, m, "Moderation queue"), Full: len(items) == queueLimit}
	for _, it := range items {
		page.Items = append(page.Items, rowOf(it))
	}
	w.render(rw, r, http.StatusOK, "mod-queue", page)
}

// Preview serves GET /mod/preview/{id} (the thumbnail) and
// /mod/preview/{id}/full (the media file) of any upload, hidden or not,
// to moderators only, never cached; {id} is a file's name, ID-n for the
// nth file of an album.
func (w *Web) Preview(full bool) modHandler {
	return func(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
		obj, p, n, err := w.mods.Preview(r.Context(), m, r.PathValue("id"), full)
		if err != nil {
			if code := request.Status(err); code >= 500 {
				w.log.Error("moderator preview", "post", r.PathValue("id"), "err", err)
			}
			http.Error(rw, chatpic.ErrorMessage(err), request.Status(err))
			return
		}
		defer obj.Close()
		h := rw.Header()
		it, _ := p.File(n)
		fileHeaders(h, posting.File{Post: p, N: n, Item: it}, !full)
		h.Set("Cache-Control", "private, no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		http.ServeContent(rw, r, "", p.CreatedAt, obj)
	}
}
