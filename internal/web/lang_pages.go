package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/posting"
)

// pagesFuncs returns the template functions of the home, channel and post pages that speak l
// (their words are in the catalogs' pages area).
func (w *Web) pagesFuncs(l i18n.Lang) template.FuncMap {
	now := w.posts.Now
	return template.FuncMap{
		// alt describes an upload in a list for people who cannot see it.
		"alt": func(p chatpic.Post, channel string) string { return postAlt(l, p, channel, now()) },
		// rule says what a channel keeps; forecast how long an upload
		// stays at the channel's pace.
		"rule":     func(c chatpic.Channel) string { return ruleText(l, c) },
		"forecast": func(d time.Duration) string { return forecastText(l, d) },
		// limits says what an upload form takes; fileSize a number of
		// bytes.
		"limits":   func(lim posting.Limits) string { return limitsText(l, lim) },
		"fileSize": func(n int64) string { return sizeText(l, n) },
	}
}

// ruleText is chatpic.Channel.Rule in l: "keeps the newest 100; uploads
// vanish after 1 hour".
func ruleText(l i18n.Lang, c chatpic.Channel) string {
	keep := l.N("keeps the newest %d", c.Capacity)
	if c.TTL == 0 {
		return keep
	}
	return l.T("%s; %s", keep, l.T("uploads vanish after %s", durationText(l, c.TTL)))
}

// forecastText is chatpic.ForecastText in l.
func forecastText(l i18n.Lang, d time.Duration) string {
	return l.T("at the current pace your upload stays about %s", l.Approx(d))
}

// durationText is chatpic.FormatDuration in l: d in the largest whole unit
// that divides it ("1 hour", "90 minutes"), else in seconds.
func durationText(l i18n.Lang, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return l.N("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return l.N("%d hours", int(d/time.Hour))
	case d >= time.Minute && d%time.Minute == 0:
		return l.N("%d minutes", int(d/time.Minute))
	}
	return l.N("%d seconds", int(d/time.Second))
}

// sizeText is chatpic.FormatSize in l: "20 MB", "1,5 Mo", with the same
// rounding (down, to a tenth of the unit).
func sizeText(l i18n.Lang, n int64) string {
	switch {
	case n >= 1e9 && n%1e7 == 0:
		return l.T("%v GB", float64(n)/1e9)
	case n >= 1e6:
		return l.T("%v MB", float64(n/1e5)/10)
	case n >= 1e3:
		return l.T("%v KB", float64(n/100)/10)
	}
	return l.N("%d bytes", int(n))
}

// limitsText tells people in l what they may upload, before they try:
// the formats, sizes and length the limits take.
func limitsText(l i18n.Lang, lim posting.Limits) string {
	pictures := strings.Join(media.Names(chatpic.Image), ", ")
	if lim.VideoBytes == 0 {
		return l.T("Pictures (%s) up to %s", pictures, sizeText(l, lim.PictureBytes))
	}
	return l.T("Pictures (%s) up to %s; videos (%s) up to %s and %s", pictures, sizeText(l, lim.PictureBytes),
		strings.Join(media.Names(chatpic.Video), ", "), sizeText(l, lim.VideoBytes), durationText(l, lim.VideoDuration))
}

// postAlt describes a post in l for people who cannot see it: its
// caption, or what it is, where, and when it was posted.
func postAlt(l i18n.Lang, p chatpic.Post, channel string, now time.Time) string {
	if p.Caption != "" {
		return p.Caption
	}
	ago := l.Ago(p.CreatedAt, now)
	switch {
	case albumCount(p) > 0:
		return l.T("%s in %s, posted %s", capital(albumText(l, p)), channel, ago)
	case cover(p).Kind == chatpic.Video:
		return l.T("Video in %s, posted %s", channel, ago)
	}
	return l.T("Picture in %s, posted %s", channel, ago)
}

// fileAlt describes in l the nth file of an album: its kind and place in
// the album, then the caption, or where and when it was posted.
func fileAlt(l i18n.Lang, p chatpic.Post, it chatpic.Item, n int, channel string, now time.Time) string {
	video := it.Kind == chatpic.Video
	switch {
	case p.Caption != "" && video:
		return l.T("Video %d of %d: %s", n, p.Files(), p.Caption)
	case p.Caption != "":
		return l.T("Picture %d of %d: %s", n, p.Files(), p.Caption)
	case video:
		return l.T("Video %d of %d in %s, posted %s", n, p.Files(), channel, l.Ago(p.CreatedAt, now))
	}
	return l.T("Picture %d of %d in %s, posted %s", n, p.Files(), channel, l.Ago(p.CreatedAt, now))
}

// albumText says in l what an album holds, for alt texts, previews and
// feeds: "an album of 3 pictures", "of 2 videos", or "of 3 files" when
// mixed.
func albumText(l i18n.Lang, p chatpic.Post) string {
	n := p.Shown()
	kinds := map[chatpic.MediaKind]bool{}
	for _, it := range p.Items() {
		if !it.Removed {
			kinds[it.Kind] = true
		}
	}
	switch {
	case len(kinds) == 1 && kinds[chatpic.Video]:
		return l.N("an album of %d videos", n)
	case len(kinds) == 1:
		return l.N("an album of %d pictures", n)
	}
	return l.N("an album of %d files", n)
}
