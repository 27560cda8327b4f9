package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserAlbum uploads three pictures through a channel's form as one
// post, on a phone and on a desktop, with and without JavaScript. With it,
// the post page is a gallery at 1 / 3 that the Next button and the arrow
// keys move on a desktop and a swipe (a sideways scroll of its track) on a
// phone; without it, the three files are a plain list under one another,
// each with a direct link that serves it. The channel's grid shows the
// album's cover with a count badge. With JavaScript, "Separate posts"
// makes three posts of the same three files.
func TestBrowserAlbum(t *testing.T) {
	in := start(t, "--rate-uploads", "100/10m")
	b := newBrowser(t)
	// A second tab watches the channel the phone posts into.
	watcher := newTab(t, b, desktop.emulate())
	open(t, watcher, in, "/c/photography", 200)
	for _, v := range []viewport{phone, desktop} {
		for _, js := range []bool{true, false} {
			mode := v.name
			if !js {
				mode += "-nojs"
			}
			t.Run(mode, func(t *testing.T) {
				setup := []chromedp.Action[chromedp.Void]{v.emulate()}
				if !js {
					setup = append(setup, noScript())
				}
				tab := newTab(t, b, setup...)
				slug := map[string]string{"phone": "photography", "desktop": "gaming", "phone-nojs": "memes", "desktop-nojs": "random"}[mode]
				open(t, tab, in, "/c/"+slug, 200)
				files := pictureFiles(t, 3, uint64(len(mode))*100)
				step(t, tab, "choose three pictures", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), files))
				if js {
					waitFor(t, tab, "the three are listed and the album choice shows",
						`document.querySelectorAll(".queued").length === 3 && !document.querySelector("[data-album-choice]").hidden`)
				}
				if one := eval[bool](t, tab, `document.querySelector("input[name=album][value=one]").checked`); !one {
					t.Error(`"One post" is not the default`)
				}
				step(t, tab, "upload them as one post", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
				// Polled from outside the page, which without JavaScript runs
				// no timers to poll with.
				step(t, tab, "wait for the album's page", chromedp.WaitReady(chromedp.CSS(`[data-album] .album-item:nth-child(3) .album-pos`)))
				// Without JavaScript the page answers the form's post, at its
				// address.
				id := eval[string](t, tab, `document.querySelector("#comments").dataset.post`)

				if js {
					waitFor(t, tab, "the gallery is at 1 / 3", `document.querySelector(".album-counter").textContent === "1 / 3"`)
					if prev := eval[bool](t, tab, `document.querySelector(".album-controls button[aria-label='Previous file']").disabled`); !prev {
						t.Error("Previous is enabled on the first file")
					}
					if v == desktop {
						step(t, tab, "press Next", chromedp.Click(chromedp.CSS(".album-controls button[aria-label='Next file']")))
						waitFor(t, tab, "the gallery is at 2 / 3", `document.querySelector(".album-counter").textContent === "2 / 3"`)
						step(t, tab, "press the right arrow in the gallery",
							chromedp.Focus(chromedp.CSS(".album-track")), chromedp.KeyEvent(kb.ArrowRight))
						waitFor(t, tab, "the gallery is at 3 / 3", `document.querySelector(".album-counter").textContent === "3 / 3"`)
						if next := eval[bool](t, tab, `document.querySelector(".album-controls button[aria-label='Next file']").disabled`); !next {
							t.Error("Next is enabled on the last file")
						}
						step(t, tab, "press the left arrow", chromedp.KeyEvent(kb.ArrowLeft))
						waitFor(t, tab, "the gallery is back at 2 / 3", `document.querySelector(".album-counter").textContent === "2 / 3"`)
						// The arrow keys are the comment box's own.
						step(t, tab, "press the right arrow in the comment box",
							chromedp.Focus(chromedp.CSS("#comment-form textarea")), chromedp.KeyEvent(kb.ArrowRight))
						if got := eval[string](t, tab, `document.querySelector(".album-counter").textContent`); got != "2 / 3" {
							t.Errorf("an arrow key in the comment box moved the gallery to %s", got)
						}
						step(t, tab, "back to the first", chromedp.Click(chromedp.CSS(".album-controls button[aria-label='Previous file']")))
					} else {
						step(t, tab, "swipe to the second file", chromedp.Evaluate[chromedp.Void](
							`(t => t.scrollLeft = t.clientWidth)(document.querySelector(".album-track"))`))
						waitFor(t, tab, "the gallery is at 2 / 3", `document.querySelector(".album-counter").textContent === "2 / 3"`)
						step(t, tab, "swipe back", chromedp.Evaluate[chromedp.Void](`document.querySelector(".album-track").scrollLeft = 0`))
					}
					// The counter changes half-way; the screenshot waits for the
					// end of the scroll.
					waitFor(t, tab, "the gallery is back at the first file",
						`document.querySelector(".album-counter").textContent === "1 / 3" && document.querySelector(".album-track").scrollLeft === 0`)
					// Only the track scrolls sideways, never the page.
					if wide := eval[bool](t, tab, `document.documentElement.scrollWidth > innerWidth`); wide {
						t.Error("the album page scrolls sideways")
					}
					screenshot(t, tab, "album-"+v.name)
				} else {
					below := eval[bool](t, tab, `(() => {
						const r = [...document.querySelectorAll(".album-item")].map(li => li.getBoundingClientRect());
						return r[1].top >= r[0].bottom && r[2].top >= r[1].bottom;
					})()`)
					if !below {
						t.Error("without JavaScript the files are not a list under one another")
					}
					if controls := eval[bool](t, tab, `document.querySelector(".album-controls") !== null`); controls {
						t.Error("gallery controls without JavaScript")
					}
					screenshot(t, tab, "album-"+v.name+"-nojs")
				}
				links := eval[[]string](t, tab, `[...document.querySelectorAll(".album-item a.direct")].map(a => a.href)`)
				if len(links) != 3 {
					t.Fatalf("%d direct links, want 3", len(links))
				}
				for i, l := range links {
					want := in.base + "/m/" + id
					if i > 0 {
						want += "-" + string(rune('1'+i))
					}
					if !strings.HasPrefix(l, want+".jpg") {
						t.Errorf("direct link %d is %s, want %s.jpg", i+1, l, want)
					}
					res, err := http.Get(l)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
						t.Errorf("%s answers %d %s", l, res.StatusCode, res.Header.Get("Content-Type"))
					}
				}
				auditHere(t, tab, "the album's page")

				open(t, tab, in, "/c/"+slug, 200)
				badge := `document.querySelector('#grid li[data-id="` + id + `"] .album-count')`
				if got := eval[string](t, tab, badge+` ? `+badge+`.textContent : ""`); got != "▦ 3" {
					t.Errorf("the grid's badge says %q, want ▦ 3", got)
				}
				if got := eval[string](t, tab, `document.querySelector('#grid li[data-id="`+id+`"] a').textContent`); !strings.Contains(got, "album of 3") {
					t.Errorf("the grid's link says %q, not that it is an album of 3", got)
				}
				if mode == "phone" {
					screenshot(t, tab, "channel-album-phone")
					// The album arrived live in the other tab, as its cover
					// with its badge.
					waitFor(t, watcher, "the album arrives live with its badge",
						`(b => b !== null && b.textContent === "▦ 3")(document.querySelector('#grid li[data-id="`+id+`"] .album-count'))`)
					if src := eval[string](t, watcher, `document.querySelector('#grid li[data-id="`+id+`"] img').getAttribute("src")`); src != "/t/"+id+".jpg" {
						t.Errorf("the live thumbnail is %s, want the cover's", src)
					}
				}
				auditHere(t, tab, "the channel with an album")
			})
		}
	}

	// An album with a file the server refuses is not posted at all; the
	// list says why beside the file, and keeps the others ready.
	t.Run("refused", func(t *testing.T) {
		tab := newTab(t, b, desktop.emulate())
		allowError(tab, "status of 415")
		open(t, tab, in, "/c/politics", 200)
		files := pictureFiles(t, 3, 700)
		// Named and typed as a JPEG, so the page lets it through; its bytes
		// are not one.
		if err := os.WriteFile(files[1], []byte("not a picture, whatever its name says"), 0o644); err != nil {
			t.Fatal(err)
		}
		step(t, tab, "choose three files and upload them as one post",
			chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), files))
		waitFor(t, tab, "the three are listed", `document.querySelectorAll(".queued").length === 3`)
		step(t, tab, "upload", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
		waitFor(t, tab, "the second file is refused", `document.querySelectorAll(".queued.refused").length === 1`)
		notes := eval[[]string](t, tab, `[...document.querySelectorAll(".queued .queued-note")].map(n => n.textContent)`)
		if !strings.HasPrefix(notes[1], "File 2: ") || !strings.HasPrefix(notes[0], "Not posted") || !strings.HasPrefix(notes[2], "Not posted") {
			t.Errorf("the notes say %q", notes)
		}
		if refused := eval[bool](t, tab, `document.querySelectorAll(".queued")[1].classList.contains("refused")`); !refused {
			t.Error("the refused file is not the second")
		}
		if path := eval[string](t, tab, `location.pathname`); path != "/c/politics" {
			t.Errorf("a refused album went to %s", path)
		}
		if got := eval[string](t, tab, `document.querySelector("[data-count]").textContent`); got != "0 uploads" {
			t.Errorf("the channel counts %q after a refused album", got)
		}
		screenshot(t, tab, "album-refused-desktop")
		auditHere(t, tab, "the channel with a refused album")
	})

	// A moderator takes one file of an album down: the open post page
	// shows it removed at once, its report choice goes, and the channel's
	// grid counts one file less.
	t.Run("a file removed live", func(t *testing.T) {
		var files [][]byte
		for _, f := range pictureFiles(t, 3, 1100) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, b)
		}
		res := in.do(albumRequest(t, in.base+"/api/v1/channels/random/posts", files...))
		if res.status != http.StatusCreated {
			t.Fatalf("posting an album: %d %s", res.status, res.body)
		}
		id := decode[postJSON](t, res).ID
		page := newTab(t, b, desktop.emulate())
		open(t, page, in, "/p/"+id, 200)
		grid := newTab(t, b, phone.emulate())
		open(t, grid, in, "/c/random", 200)
		if got := eval[int](t, page, `document.querySelectorAll('select[name=file] option').length`); got != 4 {
			t.Errorf("the report form offers %d choices, want the whole upload and its 3 files", got)
		}
		if got := eval[string](t, page, `document.querySelector('.album-item[data-file="2"] a.report-file').getAttribute("href")`); !strings.Contains(got, "file=2") {
			t.Errorf("file 2's report link is %q", got)
		}
		token := adminToken(t, in)
		req2, _ := http.NewRequest("POST", in.base+"/api/v1/mod/posts/"+id+"/files/2/remove", strings.NewReader(`{"reason":"not allowed here"}`))
		req2.Header.Set("Content-Type", "application/json")
		req2.Header.Set("Authorization", "Bearer "+token)
		if res := in.do(req2); res.status != http.StatusOK {
			t.Fatalf("removing file 2: %d %s", res.status, res.body)
		}
		waitFor(t, page, "file 2 shows as removed", `(i => i.querySelector(".removed-file") !== null && i.querySelector("img") === null)(document.querySelector('.album-item[data-file="2"]'))`)
		waitFor(t, page, "the page says so", `document.querySelector(".live-status").textContent.includes("File 2")`)
		if got := eval[int](t, page, `document.querySelectorAll('select[name=file] option').length`); got != 3 {
			t.Errorf("the report form still offers %d choices, want 3", got)
		}
		waitFor(t, grid, "the grid counts two files", `(b => b !== null && b.textContent === "▦ 2")(document.querySelector('#grid li[data-id="`+id+`"] .album-count'))`)
		auditHere(t, page, "an album with a removed file")
	})

	t.Run("separate", func(t *testing.T) {
		tab := newTab(t, b, desktop.emulate())
		open(t, tab, in, "/c/entertainment", 200)
		step(t, tab, "choose three pictures", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), pictureFiles(t, 3, 900)))
		waitFor(t, tab, "the album choice shows", `!document.querySelector("[data-album-choice]").hidden`)
		step(t, tab, "ask for separate posts and upload",
			chromedp.Click(chromedp.CSS(`input[name=album][value=separate]`)),
			chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
		waitFor(t, tab, "three posts are made", `document.querySelectorAll(".queued.done").length === 3`)
		links := eval[[]string](t, tab, `[...document.querySelectorAll(".queued.done .copy-field")].map(f => f.value)`)
		if len(links) != 3 || links[0] == links[1] || links[1] == links[2] {
			t.Fatalf("share links %q", links)
		}
		if path := eval[string](t, tab, `location.pathname`); path != "/c/entertainment" {
			t.Errorf("separate posts left the channel for %s", path)
		}
	})
}

// albumRequest is an upload to url of files as one post: a "file" part
// each, under a telling name that must never be stored or logged.
func albumRequest(t *testing.T, url string, files ...[]byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", "holiday-secret-name.jpg")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f)
	}
	mw.Close()
	req, err := http.NewRequest("POST", url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}
