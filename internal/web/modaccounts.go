package web

import (
	"net/http"

	"github.com/chatpic/chatpic"
)

type moderatorsPage struct {
	modBase
	Moderators []chatpic.Moderator
}

// Moderators renders GET /mod/moderators: the accounts, a form to add one
// and a button to remove each; admins only.
func (w *Web) Moderators(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	mods, err := w.mods.Moderators(r.Context(), m)
	if err != nil {
		w.modFail(rw, r, err)
		return
	}
	l := w.lang(r)
	w.render(rw, r, http.StatusOK, "mod-moderators", moderatorsPage{modBase: modPage(l, r, m, l.T("Moderators")), Moderators: mods})
}

// addModerator handles POST /mod/moderators ("name", "password",
// "admin"); admins only.
func (w *Web) addModerator() modHandler {
	return w.act("added", "/mod/moderators", func(r *http.Request, m chatpic.Moderator) error {
		f := r.PostForm
		return w.mods.AddModerator(r.Context(), m, f.Get("name"), f.Get("password"), f.Get("admin") != "")
	})
}

// removeModerator handles POST /mod/moderators/{name}/remove; admins only.
func (w *Web) removeModerator() modHandler {
	return w.act("deleted", "/mod/moderators", func(r *http.Request, m chatpic.Moderator) error {
		return w.mods.RemoveModerator(r.Context(), m, r.PathValue("name"))
	})
}
