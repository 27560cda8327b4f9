package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestSensitive checks what pages do with a picture marked sensitive by
// its uploader, and with everything in a channel marked NSFW: blurred with
// a Show link that works without JavaScript, no preview tags for chat
// apps, and no picture in the feed.
func TestSensitive(t *testing.T) {
	f := newFixture(t, nil)
	id := func(rec interface{ Header() http.Header }) string {
		return strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	}
	marked := f.uploadForm(t, "/c/photography", map[string]string{"sensitive": "on"})
	plain := f.uploadForm(t, "/c/photography", nil)
	nsfw := f.uploadForm(t, "/c/after-dark", nil)
	for _, rec := range []interface{ Header() http.Header }{marked, plain, nsfw} {
		if id(rec) == "" {
			t.Fatal("an upload did not go through")
		}
	}
	markedID, plainID, nsfwID := id(marked), id(plain), id(nsfw)

	item := func(page, id string) string {
		m := regexp.MustCompile(`<li data-id="` + id + `"[^>]*>.*?</li>`).FindString(page)
		if m == "" {
			t.Fatalf("the grid has no item for %s", id)
		}
		return m
	}
	grid := f.get("/c/photography", nil).Body.String()
	if it := item(grid, markedID); !strings.Contains(it, `class=" sensitive"`) || !strings.Contains(it, `href="/p/`+markedID+`?show=sensitive"`) {
		t.Errorf("the marked upload is not blurred with a Show link: %s", it)
	}
	if it := item(grid, plainID); strings.Contains(it, "sensitive") {
		t.Errorf("an unmarked upload is blurred: %s", it)
	}
	if !strings.Contains(grid, `data-sensitive-pref`) {
		t.Error("the channel page lacks the standing choice to show sensitive pictures")
	}
	dark := f.get("/c/after-dark", nil).Body.String()
	if it := item(dark, nsfwID); !strings.Contains(it, "sensitive") || !strings.Contains(dark, "data-nsfw") {
		t.Errorf("an upload in a channel marked NSFW is not blurred: %s", it)
	}

	for _, c := range []struct {
		name, path       string
		blurred, preview bool
	}{
		{"marked", "/p/" + markedID, true, false},
		{"marked, shown", "/p/" + markedID + "?show=sensitive", false, false},
		{"in an NSFW channel", "/p/" + nsfwID, true, false},
		{"in an NSFW channel, shown", "/p/" + nsfwID + "?show=sensitive", false, false},
		{"unmarked", "/p/" + plainID, false, true},
		{"unmarked, asked to show", "/p/" + plainID + "?show=sensitive", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := f.get(c.path, nil).Body.String()
			if got := strings.Contains(page, `<figure class="post sensitive">`); got != c.blurred {
				t.Errorf("blurred: %t, want %t", got, c.blurred)
			}
			if got := strings.Contains(page, "?show=sensitive\" data-unblur"); got != c.blurred {
				t.Errorf("Show link: %t, want %t", got, c.blurred)
			}
			// Chat apps' link previews show no picture of either kind.
			if og := strings.Contains(page, `property="og:image"`); og != c.preview {
				t.Errorf("og:image present: %t, want %t", og, c.preview)
			}
		})
	}

	// The API says so, and the feed leaves the picture out.
	p, err := f.posts.Post(t.Context(), markedID)
	if err != nil || !p.Sensitive {
		t.Fatalf("stored post: sensitive %t, %v", p.Sensitive, err)
	}
	feed := f.get("/c/photography/feed.atom", nil).Body.String()
	if strings.Contains(feed, "/t/"+markedID) || strings.Contains(feed, "/m/"+markedID) || !strings.Contains(feed, "Marked sensitive") {
		t.Errorf("the feed shows the marked picture:\n%s", feed)
	}
	if !strings.Contains(feed, "/t/"+plainID) {
		t.Error("the feed lost the unmarked picture")
	}
	if rec := f.uploadForm(t, "/c/photography", map[string]string{"sensitive": "perhaps"}); rec.Code != http.StatusBadRequest {
		t.Errorf("sensitive=perhaps: %d, want 400", rec.Code)
	}
}
