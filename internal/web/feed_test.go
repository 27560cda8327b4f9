package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed/atom"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
)

// strictFeed is what RFC 4287 requires of a feed and its entries, read
// with encoding/xml to check what a lenient parser would fill in.
type strictFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Authors []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Content struct {
			Type string `xml:"type,attr"`
		} `xml:"content"`
	} `xml:"entry"`
}

// checkRFC4287 fails t where body breaks a rule of RFC 4287 that every
// feed must keep: one id, title and updated in the feed and each entry,
// ids that are absolute IRIs, dates in RFC 3339, an author, a self link.
func checkRFC4287(t *testing.T, body []byte) {
	t.Helper()
	var f strictFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatalf("not an Atom document: %v", err)
	}
	absolute := func(what, s string) {
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			t.Errorf("%s %q is not an absolute IRI", what, s)
		}
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s %q is not an RFC 3339 date", what, s)
		}
	}
	absolute("feed id", f.ID)
	date("feed updated", f.Updated)
	if f.Title == "" || len(f.Authors) == 0 || f.Authors[0].Name == "" {
		t.Errorf("feed lacks a title or an author: %+v", f)
	}
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self"
		absolute("link", l.Href)
	}
	if !self {
		t.Error("feed has no self link")
	}
	for _, e := range f.Entries {
		absolute("entry id", e.ID)
		date("entry updated", e.Updated)
		if e.Title == "" || e.Content.Type != "html" {
			t.Errorf("entry %s lacks a title or html content", e.ID)
		}
	}
}

func TestFeed(t *testing.T) {
	base, _ := url.Parse("https://pics.example.org")
	f := newFixture(t, base)
	ctx := context.Background()
	captions := []string{
		"",
		"Sunset over <the> bay & \"harbour\"\nsecond line",
		strings.Repeat("long ", 40),
	}
	var ids []string
	for _, c := range captions {
		rec := f.uploadForm(t, "/c/photography", map[string]string{"caption": c})
		if rec.Code != http.StatusCreated {
			t.Fatalf("upload: %d %.300s", rec.Code, rec.Body)
		}
		ids = append(ids, strings.TrimPrefix(rec.Header().Get("Location"), "/p/"))
	}
	hidden := f.uploaded(t, "photography")
	if _, err := f.mods.Report(ctx, moderation.Target{PostID: hidden}, "ncii", "", netip.MustParseAddr("192.0.2.9")); err != nil {
		t.Fatal(err)
	}

	rec := f.get("/c/photography/feed.atom", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed: %d %q %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	checkRFC4287(t, rec.Body.Bytes())
	feed, err := new(atom.Parser).Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if feed.Title != "Photography · chatpic" || feed.ID != "https://pics.example.org/c/photography" {
		t.Errorf("feed title %q, id %q", feed.Title, feed.ID)
	}
	if len(feed.Entries) != len(ids) {
		t.Fatalf("%d entries, want %d (the hidden upload left out)", len(feed.Entries), len(ids))
	}
	for i, e := range feed.Entries {
		id := ids[len(ids)-1-i] // newest first
		p, err := f.posts.Post(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != "https://pics.example.org/p/"+id {
			t.Errorf("entry %d: id %q, want the post %s", i, e.ID, id)
		}
		links := map[string]string{}
		for _, l := range e.Links {
			links[l.Rel] = l.Href + " " + l.Type + " " + l.Length
		}
		if want := "https://pics.example.org/p/" + id + " text/html "; links["alternate"] != want {
			t.Errorf("entry %d: alternate %q, want %q", i, links["alternate"], want)
		}
		if want := "https://pics.example.org/m/" + id + "." + p.Ext + " " + p.MIME + " " + strconv.FormatInt(p.Bytes, 10); links["enclosure"] != want {
			t.Errorf("entry %d: enclosure %q, want %q", i, links["enclosure"], want)
		}
		if !strings.Contains(e.Content.Value, `<img src="https://pics.example.org/t/`+id+`.`+p.ThumbExt+`"`) {
			t.Errorf("entry %d: content lacks its thumbnail: %s", i, e.Content.Value)
		}
		if e.Published != p.CreatedAt.UTC().Format(time.RFC3339) {
			t.Errorf("entry %d: published %q, want %v", i, e.Published, p.CreatedAt)
		}
	}
	titles := []string{"A picture", "Sunset over <the> bay & \"harbour\"", strings.Repeat("long ", 20)[:99] + "…"}
	for i, want := range titles {
		if got := feed.Entries[len(ids)-1-i].Title; got != want {
			t.Errorf("title of upload %d: %q, want %q", i, got, want)
		}
	}
	// The caption is escaped inside the HTML content: a tag in it stays text.
	if c := feed.Entries[1].Content.Value; !strings.Contains(c, "Sunset over &lt;the&gt; bay &amp; &#34;harbour&#34;<br>second line") {
		t.Errorf("caption not escaped in content: %s", c)
	}

	// The channel page tells feed readers where its feed is.
	wantPage(t, f.get("/c/photography", nil), http.StatusOK,
		`<link rel="alternate" type="application/atom+xml" title="Photography on chatpic" href="/c/photography/feed.atom">`)

	// A reader that has it gets 304; a new upload changes it.
	req, _ := http.NewRequest("GET", "/c/photography/feed.atom", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	if got := f.serve(req); got.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", got.Code)
	}
	newest := f.uploaded(t, "photography")
	again := f.get("/c/photography/feed.atom", nil)
	if again.Header().Get("ETag") == rec.Header().Get("ETag") || !strings.Contains(again.Body.String(), "/p/"+newest) {
		t.Errorf("the feed did not change with a new upload")
	}
}

func TestFeedRefusals(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct {
		name, path string
		nsfw       bool
		want       int
	}{
		{"unknown channel", "/c/nowhere/feed.atom", false, http.StatusNotFound},
		{"invalid slug", "/c/No%20Such/feed.atom", false, http.StatusNotFound},
		{"NSFW channel", "/c/after-dark/feed.atom", false, http.StatusNotFound},
		{"NSFW channel, allowed", "/c/after-dark/feed.atom", true, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.web.NSFWFeeds(c.nsfw)
			if rec := f.get(c.path, nil); rec.Code != c.want {
				t.Errorf("%s: %d, want %d", c.path, rec.Code, c.want)
			}
			sort := "new" // pages are cached: each setting asks for another
			if c.nsfw {
				sort = "top"
			}
			page := f.get("/c/after-dark?sort="+sort, nil).Body.String()
			if has := strings.Contains(page, "feed.atom"); has != c.nsfw && strings.Contains(c.path, "after-dark") {
				t.Errorf("NSFW channel page links a feed: %t, want %t", has, c.nsfw)
			}
		})
	}
}

// TestFeedSize lists only the newest FeedSize uploads, newest first.
func TestFeedSize(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	var last string
	for i := range FeedSize + 3 {
		p := chatpic.Post{
			ID: chatpic.NewID(), Channel: "random", Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg", ThumbMIME: "image/jpeg",
				Width: 10, Height: 10, Bytes: 100}, CreatedAt: t0.Add(time.Duration(i-100) * time.Second),
			DeleteTokenHash: chatpic.HashToken("token"),
		}
		if _, _, err := f.db.CreatePost(ctx, p, p.CreatedAt); err != nil {
			t.Fatal(err)
		}
		last = p.ID
	}
	rec := f.get("/c/random/feed.atom", nil)
	checkRFC4287(t, rec.Body.Bytes())
	feed, err := new(atom.Parser).Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Entries) != 50 || !strings.HasSuffix(feed.Entries[0].ID, "/p/"+last) {
		t.Errorf("%d entries, the first %q; want 50, the newest %s first", len(feed.Entries), feed.Entries[0].ID, last)
	}
	if want := t0.Add(time.Duration(FeedSize+2-100) * time.Second).UTC().Format(time.RFC3339); feed.Updated != want {
		t.Errorf("feed updated %q, want the newest upload's time %q", feed.Updated, want)
	}
}
