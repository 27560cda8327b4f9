package web

import (
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
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

// modPage is the frame of a moderation page: title, already in l, and the
// notice of the action that led here (its "done" parameter).
func modPage(l i18n.Lang, r *http.Request, m chatpic.Moderator, title string) modBase {
	return modBase{Title: title, Me: m, Done: doneText(l, r.URL.Query().Get("done"))}
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
	Reports []reasonCount
	// Since is when it was last reported, or else posted.
	Since    time.Time
	Reported bool
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
	l := w.lang(r)
	page := queuePage{modBase: modPage(l, r, m, l.T("Moderation queue")), Full: len(items) == queueLimit}
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
			http.Error(rw, w.lang(r).Error(err), request.Status(err))
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
