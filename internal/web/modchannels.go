package web

import (
	"net/http"

	"github.com/chatpic/chatpic"
)

type channelsPage struct {
	modBase
	Channels []channelRow
}

// channelRow is a channel with its settings as the edit form shows them.
type channelRow struct {
	chatpic.ChannelStats
	TTL string // as typed into the form: "1h", "0" for none
}

// Channels renders GET /mod/channels: every channel with its moderation
// settings, lock and unlock, and (for admins) the settings form.
func (w *Web) Channels(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	chans, err := w.posts.Channels(r.Context())
	if err != nil {
		w.modFail(rw, r, err)
		return
	}
	l := w.lang(r)
	page := channelsPage{modBase: modPage(l, r, m, l.T("Channels"))}
	for _, c := range chans {
		page.Channels = append(page.Channels, channelRow{ChannelStats: c, TTL: shortDuration(c.TTL)})
	}
	w.render(rw, r, http.StatusOK, "mod-channels", page)
}

// lock returns the handler of POST /mod/channels/{slug}/lock or /unlock
// ("reason").
func (w *Web) lock(locked bool) modHandler {
	done := "unlocked"
	if locked {
		done = "locked"
	}
	return w.act(done, "/mod/channels", func(r *http.Request, m chatpic.Moderator) error {
		return w.mods.LockChannel(r.Context(), m, r.PathValue("slug"), locked, r.PostForm.Get("reason"))
	})
}

// editChannel handles POST /mod/channels/{slug} ("capacity", "ttl",
// "report_threshold", "premod", "challenge", "reason"); admins only.
func (w *Web) editChannel() modHandler {
	return w.act("edited", "/mod/channels", func(r *http.Request, m chatpic.Moderator) error {
		e, err := channelEdit(r.PostForm)
		if err != nil {
			return err
		}
		_, err = w.mods.EditChannel(r.Context(), m, r.PathValue("slug"), e, r.PostForm.Get("reason"))
		return err
	})
}
