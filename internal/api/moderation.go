package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/request"
)

// moderator returns the moderator a /api/v1/mod request is from, or
// KindUnauthorized.
func (a *API) moderator(r *http.Request) (chatpic.Moderator, error) {
	token, session := request.ModeratorToken(r)
	return a.mods.Authenticate(r.Context(), token, session)
}

// modHandler is a moderation handler: it runs only for a signed-in
// moderator.
type modHandler func(w http.ResponseWriter, r *http.Request, m chatpic.Moderator)

// mod wraps h so that anyone who is not a moderator gets 401.
func (a *API) mod(h modHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, err := a.moderator(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		h(w, r, m)
	}
}

// admin wraps h so that anyone who is not a moderator gets 401, and a
// moderator who is not an admin 403, before the body is read.
func (a *API) admin(h modHandler) http.HandlerFunc {
	return a.mod(func(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
		if !m.Admin {
			a.fail(w, r, chatpic.Errorf(chatpic.KindForbidden, "only admins can do that"))
			return
		}
		h(w, r, m)
	})
}

// QueueItem is an item of the moderation queue as the API shows it.
type QueueItem struct {
	Type     string         `json:"type"` // "post" or "comment"
	ID       string         `json:"id"`
	Post     Post           `json:"post"`
	Comment  *Comment       `json:"comment,omitempty"`
	Status   string         `json:"status"`
	Reports  map[string]int `json:"reports"`
	Count    int            `json:"report_count"`
	Notes    []string       `json:"notes"`
	Severity int            `json:"severity"`
	// HashMatch is true when the upload matches a banned hash.
	HashMatch bool `json:"hash_match"`
	// PreviewURL shows the upload to moderators even while it is hidden:
	// its cover, the first file not removed.
	PreviewURL   string  `json:"preview_url"`
	LastReportAt *string `json:"last_report_at"`
	// Files are the upload's files, in order, for an item of type post.
	Files []QueueFile `json:"files,omitempty"`
}

// QueueFile is one file of an upload in the moderation queue.
type QueueFile struct {
	Number int `json:"number"` // counting from 1
	// PreviewURL shows the file's thumbnail to moderators; "" for a file
	// removed already, whose bytes are gone.
	PreviewURL string `json:"preview_url,omitempty"`
	Removed    bool   `json:"removed"`
	// Reports counts the open reports that name this file (not those of
	// the whole upload).
	Reports   int  `json:"reports"`
	HashMatch bool `json:"hash_match"`
}

// Queue answers GET /api/v1/mod/queue?limit=N.
func (a *API) Queue(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit == 0 {
		limit = 100
	}
	items, err := a.mods.Queue(r.Context(), m, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Items []QueueItem `json:"items"`
	}{Items: []QueueItem{}}
	base := a.origin.Base(r)
	for _, it := range items {
		q := QueueItem{Type: "post", ID: it.Post.ID, Post: a.post(r, it.Post), Status: string(statusOf(it.Status)),
			Reports: map[string]int{}, Count: it.ReportCount(), Notes: it.Notes, Severity: it.Severity,
			HashMatch: it.HashMatch, PreviewURL: base + "/mod/preview/" + it.Post.FileName(it.Post.Cover()),
			LastReportAt: optionalTimestamp(it.LastReportAt)}
		if q.Notes == nil {
			q.Notes = []string{}
		}
		for reason, n := range it.Reports {
			q.Reports[string(reason)] = n
		}
		if it.Comment != nil {
			c := comment(*it.Comment)
			q.Type, q.ID, q.Comment = "comment", it.Comment.ID, &c
		} else {
			for i, f := range it.Post.Items() {
				n := i + 1
				qf := QueueFile{Number: n, Removed: f.Removed, Reports: it.FileReports[n],
					HashMatch: slices.Contains(it.MatchingFiles, n)}
				if !f.Removed {
					qf.PreviewURL = base + "/mod/preview/" + it.Post.FileName(n)
				}
				q.Files = append(q.Files, qf)
			}
		}
		out.Items = append(out.Items, q)
	}
	a.write(w, r, http.StatusOK, out)
}

// AuditEntry is an audit log entry as the API shows it.
type AuditEntry struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Moderator string `json:"moderator"` // "" for the command line
	Action    string `json:"action"`
	Target    string `json:"target"`
	Reason    string `json:"reason"`
	Category  string `json:"category,omitempty"`
}

// Audit answers GET /api/v1/mod/audit?before=ID&limit=N, newest first.
func (a *API) Audit(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit == 0 {
		limit = 100
	}
	entries, err := a.mods.Audit(r.Context(), m, before, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Entries []AuditEntry `json:"entries"`
	}{Entries: []AuditEntry{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, AuditEntry{ID: e.ID, At: timestamp(e.At), Moderator: e.Moderator,
			Action: string(e.Action), Target: e.Target, Reason: e.Reason, Category: string(e.Category)})
	}
	a.write(w, r, http.StatusOK, out)
}

// act returns a moderation handler that reads the request's body into a
// T (see request.Decode), runs fn with it and answers {"ok":true}.
func act[T any](a *API, fn func(r *http.Request, m chatpic.Moderator, in T) error) modHandler {
	return func(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
		var in T
		if err := request.Decode(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		if err := fn(r, m, in); err != nil {
			a.fail(w, r, err)
			return
		}
		a.write(w, r, http.StatusOK, map[string]bool{"ok": true})
	}
}

// Me answers GET /api/v1/mod/me: who the credential belongs to.
func (a *API) Me(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	a.write(w, r, http.StatusOK, map[string]any{"name": m.Name, "admin": m.Admin})
}

func (a *API) lock(locked bool) modHandler {
	return act(a, func(r *http.Request, m chatpic.Moderator, in request.Note) error {
		return a.mods.LockChannel(r.Context(), m, r.PathValue("slug"), locked, in.Reason)
	})
}

// EditChannel answers PATCH /api/v1/mod/channels/{slug} with any of
// "capacity", "ttl" ("1h", "0" for none), "report_threshold", "premod"
// (off|media|all), "challenge" (auto|always|off) and a "reason" (see
// request.ChannelSettings); admins only. It answers the channel as it is
// now.
func (a *API) EditChannel(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	var in request.ChannelSettings
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := in.Edit()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.mods.EditChannel(r.Context(), m, r.PathValue("slug"), e, in.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.posts.Channel(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, a.channel(r, c))
}

// Moderators answers GET /api/v1/mod/moderators (admins only).
func (a *API) Moderators(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	mods, err := a.mods.Moderators(r.Context(), m)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type mod struct {
		Name      string `json:"name"`
		Admin     bool   `json:"admin"`
		CreatedAt string `json:"created_at"`
	}
	out := struct {
		Moderators []mod `json:"moderators"`
	}{Moderators: []mod{}}
	for _, x := range mods {
		out.Moderators = append(out.Moderators, mod{x.Name, x.Admin, timestamp(x.CreatedAt)})
	}
	a.write(w, r, http.StatusOK, out)
}

// maxHashList bounds an imported hash list sent over the API.
const maxHashList = 64 << 20

// ImportHashes answers POST /api/v1/mod/hashes with a hash list as the
// text/plain body (admins only): {"added":N}.
func (a *API) ImportHashes(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	body, err := request.LimitBody(w, r, maxHashList)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n, err := a.mods.ImportHashes(r.Context(), m, body, "api")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, map[string]int{"added": n})
}

// ExportHashes answers GET /api/v1/mod/hashes with every banned hash as a
// text/plain hash list (admins only).
func (a *API) ExportHashes(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	if !m.Admin {
		a.fail(w, r, chatpic.Errorf(chatpic.KindForbidden, "only admins can do that"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := a.mods.ExportHashes(r.Context(), m, w); err != nil {
		a.log.Error("export hashes", "err", err)
	}
}
