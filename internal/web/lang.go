package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/chatpic/chatpic/internal/i18n"
)

// lang returns the language of r's page: its ?lang= when that names a
// language the site speaks (the page's links then carry it along), else
// the best match for its Accept-Language, else English. A form's action
// carries ?lang= as its page's links do, so the answer to a post is in the
// language the form was.
func (w *Web) lang(r *http.Request) i18n.Lang {
	return w.text.Match(r.Header.Get("Accept-Language"), r.URL.Query().Get(i18n.Param))
}

// languageHeaders say what language a page is in, and that a cache must
// keep one copy per Accept-Language (the language may come from it).
func languageHeaders(h http.Header, l i18n.Lang) {
	h.Set("Content-Language", l.Tag())
	h.Add("Vary", "Accept-Language")
}

// seeOther answers a form's post with 303 See Other to the page u, in the
// language the form was in.
func (w *Web) seeOther(rw http.ResponseWriter, r *http.Request, u string) {
	http.Redirect(rw, r, i18n.WithLang(u, w.lang(r)), http.StatusSeeOther)
}

// langSwitch is one entry of the visible language switch.
type langSwitch struct {
	Tag, Name, URL string
	Current        bool
}

// months are the keys of the months' names, for dates.
var months = [...]string{"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

// langFuncs are the template functions that speak l: its words, counts,
// times and dates, and links that keep it.
func (w *Web) langFuncs(l i18n.Lang) template.FuncMap {
	now := w.posts.Now
	funcs := template.FuncMap{
		// t translates a message; n a message with a count (its first
		// argument).
		"t": l.T,
		"n": func(key string, n int, args ...any) string { return l.N(key, n, args...) },
		// lang is the page's language, for <html lang> and dir.
		"lang": func() i18n.Lang { return l },
		// link makes an address of the site keep the page's language.
		"link": func(u string) string { return i18n.WithLang(u, l) },
		// langs are the language switch's entries: the page itself in each
		// language the site speaks. A relative "?lang=" link keeps the
		// page's path; its other parameters are dropped.
		"langs": func() []langSwitch {
			var out []langSwitch
			for _, o := range w.text.Languages() {
				out = append(out, langSwitch{Tag: o.Tag(), Name: o.Name(), URL: "?" + i18n.Param + "=" + o.Tag(), Current: o.Tag() == l.Tag()})
			}
			return out
		},
		"ago":    func(t time.Time) string { return l.Ago(t, now()) },
		"left":   func(t time.Time) string { return l.Approx(t.Sub(now())) },
		"approx": l.Approx,
		"date": func(t time.Time) string {
			t = t.UTC()
			// The year as text: a number would be written 2,026.
			return l.T("%[1]d %[2]s %[3]s, %[4]s UTC", t.Day(), l.T(months[t.Month()-1]), strconv.Itoa(t.Year()), t.Format("15:04"))
		},
		// words is the static script of what the pages' scripts say, in
		// l (see wordsScript).
		"words": func() string { return w.staticURL[wordsFile(l)] },
	}
	// Each part of the site binds its own words (see the files lang_*.go).
	for _, more := range []template.FuncMap{w.pagesFuncs(l), w.formsFuncs(l), w.modFuncs(l)} {
		for name, f := range more {
			funcs[name] = f
		}
	}
	return funcs
}

// wordsFile names the static script of l's words for the pages' scripts.
func wordsFile(l i18n.Lang) string { return "words-" + l.Tag() + ".js" }

// wordsScript is the script that gives the pages' scripts their words in
// l: the catalogs' js area (keys), as window.chatpicWords, which
// chatpicText in app.js reads.
func wordsScript(l i18n.Lang, keys []string) ([]byte, error) {
	b, err := json.Marshal(l.Messages(keys))
	if err != nil {
		return nil, fmt.Errorf("words of %s: %w", l.Tag(), err)
	}
	return append(append([]byte("window.chatpicWords = "), b...), ";\n"...), nil
}
