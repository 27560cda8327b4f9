package web

import (
	"net/http"
	"time"

	"github.com/chatpic/chatpic"
)

// transparencyPage shows the public moderation figures: counts only, no
// content and no identities.
type transparencyPage struct {
	Title  string
	Months []monthView
}

// monthView is one month of figures, as the page lays it out.
type monthView struct {
	Name             string // "November 2026"
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
	page := transparencyPage{Title: "Transparency report"}
	for _, m := range months {
		page.Months = append(page.Months, monthOf(m))
	}
	w.render(rw, r, http.StatusOK, "transparency", page)
}

func monthOf(m chatpic.Month) monthView {
	v := monthView{Name: m.Month, Reviewed: m.Reviewed, HashBans: m.HashBans, Imported: m.Imported}
	if t, err := time.Parse("2006-01", m.Month); err == nil {
		v.Name = t.Format("January 2006")
	}
	for _, reason := range chatpic.ReportReasons {
		row := reasonRow{Reason: reason, Reports: m.Reports[reason], Removed: m.Removals[reason]}
		v.Rows = append(v.Rows, row)
		v.Reports += row.Reports
		v.Removed += row.Removed
	}
	if m.Reviewed > 0 {
		v.MedianReview = reviewTime(m.MedianReview)
	}
	return v
}

// reviewTime words a time to review: "12 minutes", "3 hours".
func reviewTime(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	return chatpic.FormatApprox(d)
}
