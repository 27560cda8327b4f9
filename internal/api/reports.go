package api

import (
	"net/http"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// Filed is the answer to a report.
type Filed struct {
	// Receipt is shown once: with it the reporter can follow the report at
	// StatusURL.
	Receipt   string `json:"receipt"`
	StatusURL string `json:"status_url"`
	// Hidden is true when the report hid the upload or comment at once.
	Hidden bool `json:"hidden"`
}

// ReportPost answers POST /api/v1/posts/{id}/reports with {"reason",
// "note"} and, for one file of an album, "file" (see request.Report): 202
// and a receipt.
func (a *API) ReportPost(w http.ResponseWriter, r *http.Request) {
	a.report(w, r, moderation.Target{PostID: r.PathValue("id")})
}

// ReportComment answers POST /api/v1/comments/{id}/reports with {"reason",
// "note"}: 202 and a receipt.
func (a *API) ReportComment(w http.ResponseWriter, r *http.Request) {
	a.report(w, r, moderation.Target{CommentID: r.PathValue("id")})
}

// ReportLink answers POST /api/v1/reports with {"link", "reason", "note"}
// (see request.LinkReport): a removal request for a link to an upload,
// from anyone.
func (a *API) ReportLink(w http.ResponseWriter, r *http.Request) {
	var in request.LinkReport
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	filed, err := a.mods.ReportLink(r.Context(), in.Link, in.File, in.Reason, in.Note, a.origin.ClientAddr(r))
	a.filed(w, r, filed, err)
}

func (a *API) report(w http.ResponseWriter, r *http.Request, t moderation.Target) {
	var in request.Report
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	t.File = in.File
	filed, err := a.mods.Report(r.Context(), t, in.Reason, in.Note, a.origin.ClientAddr(r))
	a.filed(w, r, filed, err)
}

// filed answers a report: 202 with its receipt, or the error.
func (a *API) filed(w http.ResponseWriter, r *http.Request, filed moderation.Filed, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusAccepted, Filed{Receipt: filed.Receipt, Hidden: filed.Hidden,
		StatusURL: a.origin.Base(r) + "/report/status/" + filed.Receipt})
}

// ReportStatus answers GET /api/v1/reports/{code}: where a report stands.
func (a *API) ReportStatus(w http.ResponseWriter, r *http.Request) {
	st, err := a.mods.Receipt(r.Context(), r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, map[string]any{
		"received_at": timestamp(st.Received), "reason": st.Reason, "comment": st.Comment,
		"state": st.State, "statement": st.Statement,
	})
}

// Challenge answers GET /api/v1/channels/{slug}/challenge (use "-" for
// link-only uploads): a proof-of-work puzzle and whether uploads and
// comments need one now. Find a decimal string S such that
// SHA-256(token + ":" + S) begins with `bits` zero bits, then send
// "token:S" in the X-Chatpic-Pow header or the "pow" field.
func (a *API) Challenge(w http.ResponseWriter, r *http.Request) {
	c, err := a.mods.Challenge(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, map[string]any{
		"required": c.Required, "token": c.Token, "bits": c.Bits, "expires_at": timestamp(c.ExpiresAt),
		"algorithm": "sha256-leading-zero-bits",
	})
}

// Month is one month of the transparency figures.
type Month struct {
	Month    string         `json:"month"`
	Reports  map[string]int `json:"reports"`
	Removals map[string]int `json:"removals"`
	// MedianReviewSeconds is the median time from report to decision;
	// null when nothing was decided that month.
	MedianReviewSeconds *int64 `json:"median_review_seconds"`
	Reviewed            int    `json:"reviewed"`
	HashBans            int    `json:"hash_bans"`
	HashesImported      int    `json:"hashes_imported"`
}

// Transparency answers GET /api/v1/transparency: moderation figures per
// month, newest first; counts only.
func (a *API) Transparency(w http.ResponseWriter, r *http.Request) {
	months, err := a.mods.Transparency(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Months []Month `json:"months"`
	}{Months: []Month{}}
	for _, m := range months {
		x := Month{Month: m.Month, Reports: counts(m.Reports), Removals: counts(m.Removals),
			Reviewed: m.Reviewed, HashBans: m.HashBans, HashesImported: m.Imported}
		if m.Reviewed > 0 {
			s := int64(m.MedianReview / time.Second)
			x.MedianReviewSeconds = &s
		}
		out.Months = append(out.Months, x)
	}
	a.write(w, r, http.StatusOK, out)
}

func counts(m map[chatpic.ReportReason]int) map[string]int {
	out := map[string]int{}
	for _, r := range chatpic.ReportReasons {
		out[string(r)] = m[r]
	}
	return out
}
