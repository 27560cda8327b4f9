package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// reasonLabel is how a report form words a reason, from the reporter's
// side: an English key, which the template function of the same name
// translates (see formsFuncs).
func reasonLabel(r chatpic.ReportReason) string {
	switch r {
	case chatpic.ReasonNCII:
		return "This is a private image of me shared without my consent"
	case chatpic.ReasonIllegal:
		return "It is illegal"
	case chatpic.ReasonSpam:
		return "It is spam"
	case chatpic.ReasonOther:
		return "Something else (say what in the note)"
	}
	return string(r)
}

// reasonName names a reason in tables and lists: an English key, as
// reasonLabel's.
func reasonName(r chatpic.ReportReason) string {
	switch r {
	case chatpic.ReasonNCII:
		return "Private image shared without consent"
	case chatpic.ReasonIllegal:
		return "Illegal"
	case chatpic.ReasonSpam:
		return "Spam"
	case chatpic.ReasonOther:
		return "Other"
	}
	return string(r)
}

// reportPage is the removal-request form, blank or with what was sent and
// why it was refused.
type reportPage struct {
	Title, Error string
	Link, Reason string
	Note         string
	Retry        string
	// File is the file of an album the report is about, for a link that
	// names none; 0 for none.
	File int
}

// filedPage shows a report's receipt code, once.
type filedPage struct {
	Title     string
	Receipt   string
	StatusURL string
	Hidden    bool
	Comment   bool
	Back      string
}

// ReportPost handles the report forms of a post page, POST /p/{id}/report
// ("reason", "note", "comment" for a comment's, "file" for one file of an
// album): 202 and a page with the receipt code.
func (w *Web) ReportPost(rw http.ResponseWriter, r *http.Request) {
	var in request.PostReport
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	id := r.PathValue("id")
	t := moderation.Target{PostID: id, File: in.File}
	if in.Comment != "" {
		// The comment alone names the thread it is in.
		t = moderation.Target{CommentID: in.Comment}
	}
	filed, err := w.mods.Report(r.Context(), t, in.Reason, in.Note, w.origin.ClientAddr(r))
	if err != nil {
		w.failPage(rw, r, err, messagePage{Back: "/p/" + id + "#report", BackText: w.lang(r).T("Back to the upload")})
		return
	}
	w.renderFiled(rw, r, filed, t.CommentID != "", "/p/"+id)
}

func (w *Web) renderFiled(rw http.ResponseWriter, r *http.Request, f moderation.Filed, comment bool, back string) {
	w.render(rw, r, http.StatusAccepted, "filed", filedPage{
		Title: w.lang(r).T("Report received"), Receipt: f.Receipt, Hidden: f.Hidden, Comment: comment, Back: back,
		StatusURL: w.origin.Base(r) + "/report/status/" + f.Receipt,
	})
}

// ReportForm renders GET /report: the removal request for people who are
// not on the site, and the look-up of a receipt code. ?link= fills in the
// link, and ?file=n names one file of an album (a link to that file's
// picture names it too).
func (w *Web) ReportForm(rw http.ResponseWriter, r *http.Request) {
	page := reportPage{Title: w.lang(r).T("Report an image"), Link: r.URL.Query().Get("link")}
	if n, err := strconv.Atoi(r.URL.Query().Get("file")); err == nil && n >= 1 && n <= chatpic.MaxFiles {
		page.File = n
	}
	w.render(rw, r, http.StatusOK, "report", page)
}

// ReportLink handles POST /report ("link", "reason", "note"). A refused
// request shows the form again with what was sent and why.
func (w *Web) ReportLink(rw http.ResponseWriter, r *http.Request) {
	var in request.LinkReport
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	filed, err := w.mods.ReportLink(r.Context(), in.Link, in.File, in.Reason, in.Note, w.origin.ClientAddr(r))
	if err == nil {
		t, _ := moderation.ParseLink(in.Link)
		w.renderFiled(rw, r, filed, t.CommentID != "", "/")
		return
	}
	code := request.Status(err)
	if code >= 500 {
		w.fail(rw, r, err)
		return
	}
	l := w.lang(r)
	page := reportPage{Title: l.T("Report an image"), Error: sentence(l.Error(err)),
		Link: in.Link, Reason: in.Reason, Note: in.Note, File: in.File}
	if code == http.StatusTooManyRequests {
		rw.Header().Set("Retry-After", strconv.Itoa(chatpic.RetryAfterSeconds(err)))
		page.Retry = retryIn(l, err)
	}
	w.render(rw, r, code, "report", page)
}

// receiptPage shows where a report stands.
type receiptPage struct {
	Title  string
	Code   string
	Status moderation.ReceiptStatus
}

// ReportStatus renders GET /report/status/{code}: when the report arrived,
// its reason, and where it stands, in plain words.
func (w *Web) ReportStatus(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	st, err := w.mods.Receipt(r.Context(), code)
	if err != nil {
		w.failPage(rw, r, err, messagePage{Back: "/report", BackText: w.lang(r).T("Look up another code")})
		return
	}
	rw.Header().Set("X-Robots-Tag", "noindex")
	w.render(rw, r, http.StatusOK, "receipt", receiptPage{Title: w.lang(r).T("Your report"), Code: strings.ToUpper(code), Status: st})
}

// LookUpReport handles the look-up form, GET /report/status?code=..., by
// sending the browser to the code's own page.
func (w *Web) LookUpReport(rw http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("code")))
	if code == "" || len(code) > 40 {
		w.seeOther(rw, r, "/report#lookup")
		return
	}
	w.seeOther(rw, r, "/report/status/"+url.PathEscape(code))
}
