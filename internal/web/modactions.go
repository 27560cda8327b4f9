package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// backPages are the pages a moderation form may ask to go back to.
var backPages = map[string]bool{"/mod": true, "/mod/channels": true, "/mod/moderators": true}

// act returns the handler of a moderation form: it runs do with the
// parsed form, then goes back (303) to the page named by the form's "back"
// field, or to back, saying it is done; or shows the error page.
func (w *Web) act(done, back string, do func(r *http.Request, m chatpic.Moderator) error) modHandler {
	return func(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
		if err := request.ParseForm(rw, r); err != nil {
			w.modFail(rw, r, err)
			return
		}
		if err := do(r, m); err != nil {
			w.modFail(rw, r, err)
			return
		}
		if asked := r.PostForm.Get("back"); backPages[asked] {
			back = asked
		}
		w.seeOther(rw, r, back+"?done="+done)
	}
}

// removal reads a removal form: "statement", "category" and "ban".
func removal(f url.Values) moderation.Removal {
	return moderation.Removal{
		Statement: f.Get("statement"),
		Category:  chatpic.ReportReason(f.Get("category")),
		Ban:       f.Get("ban") != "",
	}
}

// channelEdit turns the fields of the channel settings form into typed
// values (see request.ChannelSettings); a blank field leaves its setting
// as it is.
func channelEdit(f url.Values) (moderation.ChannelEdit, error) {
	var in request.ChannelSettings
	if err := request.Values(f, &in); err != nil {
		return moderation.ChannelEdit{}, err
	}
	return in.Edit()
}

// shortDuration writes d so that channelEdit reads it back: "7d", "1h",
// "90m", "0" for none. A TTL that is not whole minutes reads as Go writes
// it ("1m30s"), as this form always showed it.
func shortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Minute != 0:
		return d.String()
	}
	return chatpic.FormatShortDuration(d)
}
