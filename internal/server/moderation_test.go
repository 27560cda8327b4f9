package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/pow"
)

// from makes req come from the client at ip.
func from(req *http.Request, ip string) *http.Request {
	req.RemoteAddr = ip + ":40000"
	return req
}

func jsonReq(method, path, body, token string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// moderator creates a moderator (an admin with admin set) and returns
// their API token.
func (ts *testSite) moderator(t *testing.T, name string, admin bool) string {
	t.Helper()
	ctx := context.Background()
	if err := ts.mods.AddModerator(ctx, moderation.CLI, name, "correct horse battery", admin); err != nil {
		t.Fatal(err)
	}
	token, err := ts.mods.NewToken(ctx, moderation.CLI, name)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// upload posts file into channel from ip and returns the answer and the
// post's ID ("" unless it was accepted).
func (ts *testSite) upload(t *testing.T, channel, ip string, file []byte, header map[string]string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	req := from(uploadReq(t, "/api/v1/channels/"+channel+"/posts", nil, file), ip)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := serve(ts.handler, req)
	var p struct{ ID string }
	if rec.Code == http.StatusCreated || rec.Code == http.StatusAccepted {
		json.Unmarshal(rec.Body.Bytes(), &p)
	}
	return rec, p.ID
}

func wantCode(t *testing.T, rec *httptest.ResponseRecorder, code int, what string) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, code, rec.Body)
	}
}

// TestModerationRoutesRefuseStrangers walks the whole route table: every
// moderation route refuses anonymous requests and made-up credentials, and
// the admin ones refuse a plain moderator.
func TestModerationRoutesRefuseStrangers(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "mo", false)
	routes := table(ts.pages, ts.api, nil, Deps{})
	n := 0
	for pattern := range routes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "GET", pattern
		}
		if !strings.HasPrefix(path, "/mod") && !strings.HasPrefix(path, "/api/v1/mod") || path == "/mod/login" {
			continue
		}
		n++
		for _, who := range []struct{ name, auth, cookie string }{
			{"anonymous", "", ""},
			{"a made-up bearer token", "Bearer " + strings.Repeat("x", 32), ""},
			{"a made-up session cookie", "", strings.Repeat("y", 32)},
			{"a malformed authorization header", "Basic bW86cGFzcw==", ""},
		} {
			t.Run(pattern+" "+who.name, func(t *testing.T) {
				url := strings.NewReplacer("{id}", chatpic.NewID(), "{slug}", "random", "{name}", "mo", "{$}", "").Replace(path)
				req := httptest.NewRequest(method, url, strings.NewReader(`{"reason":"x"}`))
				req.Header.Set("Content-Type", "application/json")
				if who.auth != "" {
					req.Header.Set("Authorization", who.auth)
				}
				if who.cookie != "" {
					req.AddCookie(&http.Cookie{Name: "chatpic_mod", Value: who.cookie})
				}
				rec := serve(ts.handler, req)
				switch {
				case rec.Code == http.StatusUnauthorized:
				case method == "GET" && rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/mod/login"):
				default:
					t.Fatalf("status %d (Location %q), want 401 or a redirect to /mod/login", rec.Code, rec.Header().Get("Location"))
				}
			})
		}
	}
	if n < 20 {
		t.Fatalf("only %d moderation routes in the table; the walk proves little", n)
	}

	admin := []string{
		"GET /api/v1/mod/moderators", "POST /api/v1/mod/moderators", "DELETE /api/v1/mod/moderators/mo",
		"GET /api/v1/mod/hashes", "POST /api/v1/mod/hashes", "PATCH /api/v1/mod/channels/random",
	}
	for _, route := range admin {
		method, path, _ := strings.Cut(route, " ")
		rec := serve(ts.handler, jsonReq(method, path, `{"name":"eve","password":"long enough password","capacity":1}`, token))
		wantCode(t, rec, http.StatusForbidden, "a plain moderator: "+route)
	}
	rec := serve(ts.handler, jsonReq("GET", "/api/v1/mod/queue", "", token))
	wantCode(t, rec, http.StatusOK, "a moderator's queue")
}

func TestReportsHide(t *testing.T) {
	ts := newTestSite(t, nil)
	_, spam := ts.upload(t, "random", "192.0.2.1", mediatest.EncodeJPEG(mediatest.Scene(320, 240, 1), 90), nil)
	_, private := ts.upload(t, "random", "192.0.2.1", mediatest.EncodeJPEG(mediatest.Scene(320, 240, 2), 90), nil)
	visible := func(id string) bool {
		return serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil)).Code == http.StatusOK
	}
	report := func(id, reason, ip string) (hidden bool, receipt string) {
		t.Helper()
		rec := serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"`+reason+`","note":"see"}`, ""), ip))
		wantCode(t, rec, http.StatusAccepted, "report")
		var out struct {
			Hidden  bool
			Receipt string
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		return out.Hidden, out.Receipt
	}
	steps := []struct {
		name, reason, ip string
		wantVisible      bool
	}{
		{"a first spam report", "spam", "198.51.100.1", true},
		{"the same client again counts once", "spam", "198.51.100.1", true},
		{"a second client", "other", "198.51.100.2", true},
		{"a third distinct client reaches the threshold", "spam", "198.51.100.3", false},
	}
	for _, st := range steps {
		report(spam, st.reason, st.ip)
		if visible(spam) != st.wantVisible {
			t.Fatalf("%s: visible %v, want %v", st.name, !st.wantVisible, st.wantVisible)
		}
	}
	hidden, receipt := report(private, "ncii", "198.51.100.9")
	if !hidden || visible(private) {
		t.Fatal("an ncii report did not hide the upload at once")
	}
	for _, path := range []string{"/p/" + private, "/m/" + private + ".jpg", "/t/" + private + ".jpg", "/api/v1/posts/" + private + "/comments"} {
		if rec := serve(ts.handler, httptest.NewRequest("GET", path, nil)); rec.Code == http.StatusOK {
			t.Errorf("GET %s of a hidden upload = 200", path)
		}
	}
	rec := serve(ts.handler, httptest.NewRequest("GET", "/api/v1/reports/"+receipt, nil))
	wantCode(t, rec, http.StatusOK, "receipt")
	if !strings.Contains(rec.Body.String(), `"state":"hidden"`) {
		t.Fatalf("receipt status %s, want hidden", rec.Body)
	}
	// The removal-request form for people who are not on the site.
	rec = serve(ts.handler, from(jsonReq("POST", "/api/v1/reports", `{"link":"https://pics.example.org/p/`+spam+`","reason":"illegal"}`, ""), "203.0.113.5"))
	wantCode(t, rec, http.StatusAccepted, "a report by link")
	rec = serve(ts.handler, from(jsonReq("POST", "/api/v1/reports", `{"link":"not a link","reason":"illegal"}`, ""), "203.0.113.5"))
	wantCode(t, rec, http.StatusBadRequest, "a report of nonsense")
	rec = serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+spam+"/reports", `{"reason":"because"}`, ""), "203.0.113.5"))
	wantCode(t, rec, http.StatusBadRequest, "a report with an unknown reason")
}

func TestRemovalWithBanSticks(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "mo", false)
	scene := mediatest.Scene(320, 240, 7)
	original := mediatest.EncodeJPEG(scene, 90)
	_, id := ts.upload(t, "random", "192.0.2.1", original, nil)
	files := []string{"media/" + id + ".jpg", "thumb/" + id + ".jpg"}
	for _, key := range files {
		if _, err := ts.blobs.Stat(context.Background(), key); err != nil {
			t.Fatalf("file %s of the upload: %v", key, err)
		}
	}
	wantCode(t, serve(ts.handler, from(jsonReq("POST", "/api/v1/posts/"+id+"/reports", `{"reason":"ncii"}`, ""), "198.51.100.7")),
		http.StatusAccepted, "the victim's report")
	rec := serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/remove", `{"reason":"shared without consent","ban":true}`, token))
	wantCode(t, rec, http.StatusOK, "remove with ban")
	rec = serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil))
	wantCode(t, rec, http.StatusGone, "the removed upload")
	if !strings.Contains(rec.Body.String(), `"reason":"removed"`) || !strings.Contains(rec.Body.String(), "shared without consent") {
		t.Fatalf("tombstone %s lacks the reason and statement", rec.Body)
	}

	// Its files are gone with it.
	for _, key := range files {
		if _, err := ts.blobs.Stat(context.Background(), key); chatpic.ErrorKind(err) != chatpic.KindNotFound {
			t.Errorf("file %s after the removal: %v, want not found", key, err)
		}
	}
	// The removal falls under the report's reason unless told otherwise.
	rec = serve(ts.handler, jsonReq("GET", "/api/v1/mod/audit", "", token))
	if !strings.Contains(rec.Body.String(), `"action":"remove_post","target":"`+id+`","reason":"shared without consent","category":"ncii"`) {
		t.Fatalf("audit %s lacks the removal under ncii", rec.Body)
	}

	small := image.NewRGBA(image.Rect(0, 0, 200, 150))
	draw.CatmullRom.Scale(small, small.Bounds(), scene, scene.Bounds(), draw.Src, nil)
	refused := []struct {
		name string
		file []byte
	}{
		{"the original", original},
		{"resized", mediatest.EncodeJPEG(small, 90)},
		{"recompressed", mediatest.EncodeJPEG(scene, 40)},
		{"converted to PNG", mediatest.EncodePNG(scene)},
		{"mirrored", mediatest.EncodeJPEG(mediatest.Mirror(scene), 90)},
	}
	for i, tt := range refused {
		rec, _ := ts.upload(t, "photography", fmt.Sprintf("192.0.2.%d", 10+i), tt.file, nil)
		wantCode(t, rec, http.StatusForbidden, tt.name)
		if strings.Contains(rec.Body.String(), "ban") || strings.Contains(rec.Body.String(), "hash") {
			t.Errorf("%s: the refusal %s is not neutral", tt.name, rec.Body)
		}
	}
	for seed := uint64(100); seed < 120; seed++ {
		rec, _ := ts.upload(t, "photography", "192.0.2.50", mediatest.EncodeJPEG(mediatest.Scene(320, 240, seed), 85), nil)
		wantCode(t, rec, http.StatusCreated, fmt.Sprintf("unrelated picture %d", seed))
	}
}

func TestImportedListBlocks(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	exact := mediatest.EncodeJPEG(mediatest.Scene(320, 240, 11), 90)
	known := mediatest.Scene(320, 240, 12)
	h, _ := pdq.Compute(known)
	list := fmt.Sprintf("# from a hash-sharing programme\nsha256 %x known file\npdq %s known picture\n", sha256Sum(exact), h)
	req := httptest.NewRequest("POST", "/api/v1/mod/hashes", strings.NewReader(list))
	req.Header.Set("Authorization", "Bearer "+admin)
	rec := serve(ts.handler, req)
	wantCode(t, rec, http.StatusOK, "import")
	if !strings.Contains(rec.Body.String(), `"added":2`) {
		t.Fatalf("import answered %s, want 2 added", rec.Body)
	}
	rec, _ = ts.upload(t, "random", "192.0.2.1", exact, nil)
	wantCode(t, rec, http.StatusForbidden, "a file on the imported list")
	rec, _ = ts.upload(t, "random", "192.0.2.1", mediatest.EncodeJPEG(known, 70), nil)
	wantCode(t, rec, http.StatusForbidden, "a picture on the imported list")
	rec = serve(ts.handler, jsonReq("GET", "/api/v1/mod/hashes", "", admin))
	wantCode(t, rec, http.StatusOK, "export")
	if !strings.Contains(rec.Body.String(), "pdq "+h.String()+" known picture") {
		t.Fatalf("export %q lacks the imported hash", rec.Body)
	}
	req = httptest.NewRequest("POST", "/api/v1/mod/hashes", strings.NewReader("md5 abc\n"))
	req.Header.Set("Authorization", "Bearer "+admin)
	wantCode(t, serve(ts.handler, req), http.StatusBadRequest, "a bad list")
}

func TestRateLimitsAndLoginThrottle(t *testing.T) {
	ts := newTestSite(t, func(c *config.Safety) {
		c.Limits = map[chatpic.Action]limit.Rule{chatpic.ActionUpload: {Events: 2, Per: 10 * time.Minute}}
	})
	for i := range 2 {
		rec, _ := ts.upload(t, "random", "192.0.2.1", mediatest.EncodeJPEG(mediatest.Scene(64, 64, uint64(i)), 80), nil)
		wantCode(t, rec, http.StatusCreated, "an upload within the limit")
	}
	rec, _ := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 64), nil)
	wantCode(t, rec, http.StatusTooManyRequests, "an upload over the limit")
	if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	rec, _ = ts.upload(t, "random", "192.0.2.2", mediatest.JPEG(64, 64), nil)
	wantCode(t, rec, http.StatusCreated, "another client")
	*ts.now = ts.now.Add(5 * time.Minute)
	rec, _ = ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 65), nil)
	wantCode(t, rec, http.StatusCreated, "the first client once the limit refilled")

	ts.moderator(t, "mo", false)
	ctx := context.Background()
	login := func(ip, password string) error {
		_, err := ts.mods.Login(ctx, "mo", password, mustAddr(ip))
		return err
	}
	for i := range 10 {
		if err := login("198.51.100.1", "wrong"); chatpic.ErrorKind(err) != chatpic.KindUnauthorized {
			t.Fatalf("guess %d: %v, want unauthorized", i, err)
		}
	}
	if err := login("198.51.100.1", "correct horse battery"); chatpic.ErrorKind(err) != chatpic.KindRateLimited {
		t.Fatalf("after 10 guesses from one client: %v, want rate limited", err)
	}
	// The account is guarded too, whoever asks: without a proof of work a
	// guess is refused before its password is checked (see signin_test.go).
	if err := login("198.51.100.2", "wrong"); chatpic.ErrorKind(err) != chatpic.KindChallenge {
		t.Fatalf("a guess at a guarded account from elsewhere: %v, want challenge_required", err)
	}
	*ts.now = ts.now.Add(20 * time.Minute)
	if err := login("198.51.100.3", "correct horse battery"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestPremodChallengeLockAndBans(t *testing.T) {
	ts := newTestSite(t, nil)
	admin := ts.moderator(t, "root", true)
	mod := ts.moderator(t, "mo", false)
	patch := func(body string) {
		t.Helper()
		wantCode(t, serve(ts.handler, jsonReq("PATCH", "/api/v1/mod/channels/gaming", body, admin)), http.StatusOK, "edit "+body)
	}

	patch(`{"premod":"media","reason":"raid"}`)
	rec, id := ts.upload(t, "gaming", "192.0.2.1", mediatest.JPEG(64, 64), nil)
	wantCode(t, rec, http.StatusAccepted, "an upload into a pre-moderated channel")
	wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil)), http.StatusNotFound, "a pending upload")
	rec = serve(ts.handler, jsonReq("GET", "/api/v1/mod/queue", "", mod))
	if !strings.Contains(rec.Body.String(), id) || !strings.Contains(rec.Body.String(), `"status":"pending"`) {
		t.Fatalf("queue %s lacks the pending upload", rec.Body)
	}
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/restore", `{"reason":"fine"}`, mod)), http.StatusOK, "approve")
	wantCode(t, serve(ts.handler, httptest.NewRequest("GET", "/api/v1/posts/"+id, nil)), http.StatusOK, "an approved upload")
	patch(`{"premod":"off"}`)

	patch(`{"challenge":"always"}`)
	rec, _ = ts.upload(t, "gaming", "192.0.2.1", mediatest.JPEG(64, 66), nil)
	wantCode(t, rec, 428, "an upload without a proof of work")
	rec = serve(ts.handler, httptest.NewRequest("GET", "/api/v1/channels/gaming/challenge", nil))
	var c struct {
		Required bool
		Token    string
		Bits     int
	}
	json.Unmarshal(rec.Body.Bytes(), &c)
	if !c.Required || c.Token == "" {
		t.Fatalf("challenge %s", rec.Body)
	}
	proof := c.Token + ":" + pow.Solve(c.Token, c.Bits)
	rec, _ = ts.upload(t, "gaming", "192.0.2.1", mediatest.JPEG(64, 66), map[string]string{"X-Chatpic-Pow": proof})
	wantCode(t, rec, http.StatusCreated, "an upload with a solved challenge")
	rec, _ = ts.upload(t, "gaming", "192.0.2.1", mediatest.JPEG(64, 67), map[string]string{"X-Chatpic-Pow": proof})
	wantCode(t, rec, http.StatusForbidden, "a reused solution")
	patch(`{"challenge":"off"}`)

	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/channels/gaming/lock", `{"reason":"cooling off"}`, mod)), http.StatusOK, "lock")
	rec, _ = ts.upload(t, "gaming", "192.0.2.1", mediatest.JPEG(64, 68), nil)
	wantCode(t, rec, http.StatusForbidden, "an upload into a locked channel")
	rec = serve(ts.handler, jsonReq("POST", "/api/v1/posts/"+id+"/comments", `{"body":"hi"}`, ""))
	wantCode(t, rec, http.StatusForbidden, "a comment in a locked channel")
	rec = serve(ts.handler, jsonReq("POST", "/api/v1/posts/"+id+"/votes", `{"value":1}`, ""))
	wantCode(t, rec, http.StatusForbidden, "a vote in a locked channel")
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/channels/gaming/unlock", `{}`, mod)), http.StatusOK, "unlock")

	_, troll := ts.upload(t, "random", "192.0.2.66", mediatest.JPEG(64, 69), nil)
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+troll+"/ban", `{"reason":"flooding"}`, mod)), http.StatusOK, "ban the poster")
	rec, _ = ts.upload(t, "random", "192.0.2.66", mediatest.JPEG(64, 70), nil)
	wantCode(t, rec, http.StatusForbidden, "an upload by a banned poster")
	rec, _ = ts.upload(t, "random", "192.0.2.67", mediatest.JPEG(64, 70), nil)
	wantCode(t, rec, http.StatusCreated, "an upload by someone else")
	*ts.now = ts.now.Add(25 * time.Hour) // the client secret rotated
	rec, _ = ts.upload(t, "random", "192.0.2.66", mediatest.JPEG(64, 71), nil)
	wantCode(t, rec, http.StatusCreated, "the banned poster once the secret rotated")

	rec = serve(ts.handler, jsonReq("GET", "/api/v1/mod/audit", "", mod))
	for _, action := range []string{"edit_channel", "restore_post", "lock_channel", "unlock_channel", "ban_poster"} {
		if !strings.Contains(rec.Body.String(), `"action":"`+action+`"`) {
			t.Errorf("audit lacks %s: %s", action, rec.Body)
		}
	}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
