package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/cache"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/posting"
)

// FeedSize is how many of a channel's newest uploads its feed lists.
const FeedSize = 50

// feedType is the Content-Type of a feed.
const feedType = "application/atom+xml; charset=utf-8"

// NSFWFeeds makes channels marked NSFW have feeds too; without it they
// answer 404, so their pictures do not travel into feed readers unasked.
// Call it before serving.
func (w *Web) NSFWFeeds(allow bool) { w.nsfwFeeds = allow }

// feedURL returns the path of the feed of ch, or "" if it has none.
func (w *Web) feedURL(ch chatpic.Channel) string {
	if ch.NSFW && !w.nsfwFeeds {
		return ""
	}
	return "/c/" + ch.Slug + "/feed.atom"
}

// Feed serves GET /c/{slug}/feed.atom: the channel's newest FeedSize
// visible uploads, newest first, as an Atom feed (RFC 4287) whose entries
// link to each post's page, show its thumbnail and caption, and enclose
// its media file. It answers 404 for an unknown channel, and for one
// marked NSFW unless NSFWFeeds allows it. Like the pages, it is kept until
// something in the channel changes, and answered 304 to a reader that has
// it already.
func (w *Web) Feed(rw http.ResponseWriter, r *http.Request) {
	w.cached(rw, r, func() (*cache.Entry, []string, bool, error) {
		ch, err := w.posts.Channel(r.Context(), r.PathValue("slug"))
		if err != nil {
			return nil, nil, false, err
		}
		if w.feedURL(ch.Channel) == "" {
			return nil, nil, false, chatpic.Errorf(chatpic.KindNotFound, "channels marked NSFW have no feed here")
		}
		page, err := w.posts.Posts(r.Context(), ch.Slug, chatpic.SortNew, chatpic.Cursor{}, FeedSize)
		if err != nil {
			return nil, nil, false, err
		}
		body, err := atomFeed(w.lang(r), w.origin.Base(r), ch, page.Posts)
		if err != nil {
			return nil, nil, false, chatpic.Internal(fmt.Errorf("web: feed: %w", err))
		}
		return cache.NewEntry(http.StatusOK, feedType, "no-cache", body), []string{posting.ChannelTopic(ch.Slug)}, true, nil
	})
}

// The Atom elements a feed uses (RFC 4287).
type (
	atomDoc struct {
		XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
		ID        string      `xml:"id"`
		Title     string      `xml:"title"`
		Subtitle  string      `xml:"subtitle,omitempty"`
		Updated   string      `xml:"updated"`
		Links     []atomLink  `xml:"link"`
		Author    atomPerson  `xml:"author"`
		Generator string      `xml:"generator"`
		Icon      string      `xml:"icon"`
		Entries   []atomEntry `xml:"entry"`
	}
	atomLink struct {
		Rel    string `xml:"rel,attr"`
		Type   string `xml:"type,attr,omitempty"`
		Href   string `xml:"href,attr"`
		Length int64  `xml:"length,attr,omitempty"`
	}
	atomPerson struct {
		Name string `xml:"name"`
	}
	atomEntry struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Published string     `xml:"published"`
		Updated   string     `xml:"updated"`
		Links     []atomLink `xml:"link"`
		Content   atomText   `xml:"content"`
	}
	atomText struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	}
)

// atomTime formats t as an Atom date.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// atomFeed returns the feed of ch listing posts in l, with links under
// base.
func atomFeed(l i18n.Lang, base string, ch chatpic.ChannelStats, posts []chatpic.Post) ([]byte, error) {
	page := base + "/c/" + ch.Slug
	updated := ch.CreatedAt
	if len(posts) > 0 {
		updated = posts[0].CreatedAt
	}
	doc := atomDoc{
		ID: page, Title: ch.Title + " · chatpic", Subtitle: ch.Description, Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: page + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: page},
		},
		Author: atomPerson{Name: l.T("anonymous")}, Generator: "chatpic", Icon: base + "/favicon.ico",
	}
	for _, p := range posts {
		post := base + "/p/" + p.ID
		links := []atomLink{{Rel: "alternate", Type: "text/html", Href: post}}
		// A reader cannot blur: what its uploader marked sensitive comes
		// without the picture. An album encloses each file still shown.
		for i, it := range p.Items() {
			if !p.Sensitive && !it.Removed {
				links = append(links, atomLink{Rel: "enclosure", Type: it.MIME, Href: base + "/m/" + p.FileName(i+1) + "." + it.Ext, Length: it.Bytes})
			}
		}
		doc.Entries = append(doc.Entries, atomEntry{
			ID: post, Title: entryTitle(l, p), Published: atomTime(p.CreatedAt), Updated: atomTime(p.CreatedAt),
			Links: links, Content: atomText{Type: "html", Body: entryHTML(l, base, post, p)},
		})
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// entryTitle is the title of p's entry: the first line of its caption,
// shortened, or what it is, in l, when it has none.
func entryTitle(l i18n.Lang, p chatpic.Post) string {
	line, _, _ := strings.Cut(p.Caption, "\n")
	if line = strings.TrimSpace(line); line == "" {
		if albumCount(p) > 0 {
			return capital(albumText(l, p))
		}
		if p.Kind == chatpic.Video {
			return l.T("A video")
		}
		return l.T("A picture")
	}
	const most = 100
	if utf8.RuneCountInString(line) > most {
		line = string([]rune(line)[:most-1]) + "…"
	}
	return line
}

// entryHTML is the content of p's entry: its thumbnail (an album's
// cover's, and how many files it has), linking to its page (only a link
// when its uploader marked it sensitive), and its caption; its words in l.
func entryHTML(l i18n.Lang, base, post string, p chatpic.Post) string {
	esc := template.HTMLEscapeString
	var b strings.Builder
	if p.Sensitive {
		fmt.Fprintf(&b, `<p><a href="%s">%s</a></p>`, esc(post), esc(l.T("Marked sensitive: open it to see it.")))
	} else {
		fmt.Fprintf(&b, `<p><a href="%s"><img src="%s" alt="%s"></a></p>`,
			esc(post), esc(base+coverThumb(p)), esc(entryTitle(l, p)))
	}
	if albumCount(p) > 0 {
		fmt.Fprintf(&b, `<p>%s: <a href="%s">%s</a>.</p>`, esc(capital(albumText(l, p))), esc(post), esc(l.T("open it to see them all")))
	}
	if p.Caption != "" {
		b.WriteString("<p>" + strings.ReplaceAll(esc(p.Caption), "\n", "<br>") + "</p>")
	}
	return b.String()
}
