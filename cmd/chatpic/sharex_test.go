package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestShareXEndToEnd does what ShareX does with the uploader that
// /sharex.sxcu downloads: it sends a picture as the config describes,
// reads the links out of the answer with the config's {json:...}
// expressions, opens them, and deletes the upload through its deletion
// link, which asks first (GET) and deletes on POST.
func TestShareXEndToEnd(t *testing.T) {
	in := start(t)
	var dels []string
	for _, tt := range []struct{ name, query, wantChannel string }{
		{"link-only", "", ""},
		{"into a channel", "?channel=random", "random"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := in.get("/sharex.sxcu" + tt.query)
			if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Disposition"), ".sxcu") {
				t.Fatalf("GET /sharex.sxcu: %d %v", r.status, r.header)
			}
			var c map[string]string
			if err := json.Unmarshal(r.body, &c); err != nil {
				t.Fatalf("the .sxcu is not a JSON object of strings: %v\n%s", err, r.body)
			}
			if c["Body"] != "MultipartFormData" || c["FileFormName"] == "" || !strings.HasPrefix(c["RequestURL"], in.base+"/api/") {
				t.Fatalf("config %v", c)
			}

			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile(c["FileFormName"], "Screenshot 2026-11-23.jpg")
			fw.Write(mediatest.JPEG(64, 48))
			mw.Close()
			req, _ := http.NewRequest(c["RequestMethod"], c["RequestURL"], &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res := in.do(req)
			if res.status != http.StatusCreated {
				t.Fatalf("upload: %d %s", res.status, res.body)
			}
			var answer map[string]any
			if err := json.Unmarshal(res.body, &answer); err != nil {
				t.Fatal(err)
			}
			if answer["channel"] != tt.wantChannel {
				t.Errorf("uploaded into %q, want %q", answer["channel"], tt.wantChannel)
			}
			link, thumb, del := sxcuValue(t, c["URL"], answer), sxcuValue(t, c["ThumbnailURL"], answer), sxcuValue(t, c["DeletionURL"], answer)
			dels = append(dels, del)
			for _, u := range []string{link, thumb} {
				if r := in.get(u); r.status != http.StatusOK {
					t.Fatalf("GET %s: %d", u, r.status)
				}
			}

			// The deletion link: a GET, as a browser or a link preview
			// opens it, only asks.
			page := in.get(del)
			form := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindSubmatch(page.body)
			if page.status != http.StatusOK || form == nil {
				t.Fatalf("GET %s: %d, a form: %v\n%s", del, page.status, form != nil, page.body)
			}
			if r := in.get(link); r.status != http.StatusOK {
				t.Fatalf("the deletion link's GET deleted the upload: %d", r.status)
			}
			req, _ = http.NewRequest("POST", in.base+string(form[1]), nil)
			if r := in.do(req); r.status != http.StatusOK || !bytes.Contains(r.body, []byte("Deleted")) {
				t.Fatalf("POST %s: %d %s", form[1], r.status, r.body)
			}
			for _, u := range []string{link, thumb, del} {
				if r := in.get(u); r.status != http.StatusGone {
					t.Errorf("GET %s after the deletion: %d, want 410", u, r.status)
				}
			}
		})
	}

	// The request lines leave the deletion links' tokens out.
	if err := in.stop(); err != nil {
		t.Fatal(err)
	}
	log := in.log.String()
	for _, del := range dels {
		id, token, _ := strings.Cut(strings.TrimPrefix(del, in.base+"/d/"), "/")
		if strings.Contains(log, token) || !strings.Contains(log, "path=/d/"+id+"/-") {
			t.Errorf("the log shows the token of %s, or not the link at all", del)
		}
	}
}

// TestShareXErrorMessage checks that the .sxcu's ErrorMessage finds the
// API's message in a refusal.
func TestShareXErrorMessage(t *testing.T) {
	in := start(t)
	t.Run("an error message", func(t *testing.T) {
		c := map[string]string{}
		json.Unmarshal(in.get("/sharex.sxcu").body, &c)
		req, _ := http.NewRequest("POST", c["RequestURL"], strings.NewReader("not a form"))
		req.Header.Set("Content-Type", "text/plain")
		res := in.do(req)
		var answer map[string]any
		json.Unmarshal(res.body, &answer)
		if msg := sxcuValue(t, c["ErrorMessage"], answer); !strings.Contains(msg, "multipart/form-data") {
			t.Fatalf("ErrorMessage resolves to %q", msg)
		}
	})
}

var sxcuExpr = regexp.MustCompile(`\{json:([^}]+)\}`)

// sxcuValue resolves the {json:a.b} expressions of a ShareX config value
// against the JSON answer v, as ShareX does; a path that leads to no
// string fails the test.
func sxcuValue(t *testing.T, s string, v map[string]any) string {
	t.Helper()
	if !sxcuExpr.MatchString(s) {
		t.Fatalf("%q has no {json:...} expression", s)
	}
	return sxcuExpr.ReplaceAllStringFunc(s, func(e string) string {
		var cur any = v
		for _, k := range strings.Split(sxcuExpr.FindStringSubmatch(e)[1], ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%s: no object at %q in %v", e, k, v)
			}
			cur = m[k]
		}
		str, ok := cur.(string)
		if !ok || str == "" {
			t.Fatalf("%s resolves to %v in %v", e, cur, v)
		}
		return str
	})
}
