package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// transparencyPage shows the public moderation figures: counts only, no
// content and no identities.
type transparencyPage struct {
	Title  string
	Months []monthView
}

// monthView is one month of figures, as the page lays it out.
type monthView struct {
	Name             string // "November 2026", "noviembre de 2026"
	Rows             []reasonRow
	Reports, Removed int // totals
	Reviewed         int
	MedianReview     string // "" when nothing was decided
	HashBans         int
	Imported         int
}

type reasonRow struct {
	Reason           chatpic.ReportReason
	Reports, Removed int
}

// Transparency renders GET /transparency: per month of the last year,
// reports and removals by reason, the median time to review, and the
// hashes banned.
func (w *Web) Transparency(rw http.ResponseWriter, r *http.Request) {
	months, err := w.mods.Transparency(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.lang(r)
	page := transparencyPage{Title: l.T("Transparency report")}
	for _, m := range months {
		page.Months = append(page.Months, monthOf(l, m))
	}
	w.render(rw, r, http.StatusOK, "transparency", page)
}

// monthOf lays out the figures of m, its words in l.
func monthOf(l i18n.Lang, m chatpic.Month) monthView {
	v := monthView{Name: m.Month, Reviewed: m.Reviewed, HashBans: m.HashBans, Imported: m.Imported}
	if t, err := time.Parse("2006-01", m.Month); err == nil {
		// The year as text: a number would be written 2,026.
		v.Name = l.T("%[1]s %[2]s", l.T(months[t.Month()-1]), strconv.Itoa(t.Year()))
	}
	for _, reason := range chatpic.ReportReasons {
		row := reasonRow{Reason: reason, Reports: m.Reports[reason], Removed: m.Removals[reason]}
		v.Rows = append(v.Rows, row)
		v.Reports += row.Reports
		v.Removed += row.Removed
	}
	if m.Reviewed > 0 {
		v.MedianReview = reviewTime(l, m.MedianReview)
	}
	return v
}

// reviewTime words a time to review in l: "12 minutes", "3 hours".
func reviewTime(l i18n.Lang, d time.Duration) string {
	if d < time.Minute {
		return l.T("under a minute")
	}
	return l.Approx(d)
}
