package web

import (
	"net/http"
	"strconv"

	"github.com/chatpic/chatpic"
)

// auditLimit is how many audit entries a page shows.
const auditLimit = 100

type auditPage struct {
	modBase
	Entries []chatpic.AuditEntry
	Next    int64 // the "before" of the next page; 0 for none
}

// Audit renders GET /mod/audit?before=ID: who did what, newest first, a
// page at a time.
func (w *Web) Audit(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			w.modFail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "before must be an entry number"))
			return
		}
		before = n
	}
	entries, err := w.mods.Audit(r.Context(), m, before, auditLimit)
	if err != nil {
		w.modFail(rw, r, err)
		return
	}
	l := w.lang(r)
	page := auditPage{modBase: modPage(l, r, m, l.T("Audit log")), Entries: entries}
	if len(entries) == auditLimit {
		page.Next = entries[len(entries)-1].ID
	}
	w.render(rw, r, http.StatusOK, "mod-audit", page)
}

// auditLink returns the page an audit entry's target is on, or "".
func auditLink(e chatpic.AuditEntry) string {
	switch e.Action.Target() {
	case chatpic.TargetPost:
		if chatpic.ValidID(e.Target) {
			return "/p/" + e.Target
		}
	case chatpic.TargetFile:
		if id, _, ok := chatpic.ParseFileName(e.Target); ok {
			return "/p/" + id
		}
	case chatpic.TargetChannel:
		return "/c/" + e.Target
	}
	return ""
}
