package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// adminToken adds an admin to the instance's database through the command
// line and returns an API token for them.
func adminToken(t *testing.T, in *instance) string {
	t.Helper()
	args := append([]string{"mods", "add", "root", "--admin", "--data", in.data}, in.storage...)
	if _, err := runCLIWithInput(t, "a long password\na long password\n", args...); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(in.cli("mods", "token", "root"))
}

type auditJSON struct {
	Moderator string `json:"moderator"`
	Action    string `json:"action"`
	Target    string `json:"target"`
	Reason    string `json:"reason"`
}

// auditLog returns the audit log, newest first, as the moderation API shows it.
func auditLog(t *testing.T, in *instance, token string) []auditJSON {
	t.Helper()
	req, _ := http.NewRequest("GET", in.base+"/api/v1/mod/audit", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	r := in.do(req)
	if r.status != http.StatusOK {
		t.Fatalf("audit: %d %s", r.status, r.body)
	}
	return decode[struct {
		Entries []auditJSON `json:"entries"`
	}](t, r).Entries
}

// cliErr runs a chatpic subcommand against the instance's data and returns
// its error.
func (in *instance) cliErr(args ...string) error {
	in.t.Helper()
	_, err := runCLI(in.t, in.getenv, append(append(args, "--data", in.data), in.storage...)...)
	return err
}

// TestChannelCommandsGoThroughModeration drives chatpic channels add, edit
// and remove beside a running server: each change is in the audit log, made
// by the command line (moderator "") with its reason; the uploads an edit
// evicts and a removal takes down answer 410 with the reason and lose
// their files; and what they took down is announced on the shared event
// log, on the upload's and the channel's topics, as the moderation UI's
// changes are.
func TestChannelCommandsGoThroughModeration(t *testing.T) {
	in := start(t, "--rate-uploads", "off", "--flood", "off")
	token := adminToken(t, in)

	if out := in.cli("channels", "add", "cats", "--title", "Cats", "--capacity", "3", "--reason", "for cat pictures"); !strings.Contains(out, "added cats: keeps the newest 3") {
		t.Fatalf("channels add printed %q", out)
	}
	var posts []postJSON
	for i := range 3 {
		posts = append(posts, mustUpload(t, in, "cats", mediatest.PNG(20+i, 20)))
	}
	if out := in.cli("channels", "edit", "cats", "--capacity", "1", "--title", "Cats!"); !strings.Contains(out, "edited cats: keeps the newest 1 (2 uploads evicted)") {
		t.Fatalf("channels edit printed %q", out)
	}
	if err := in.cliErr("channels", "remove", "cats"); err == nil || !strings.Contains(err.Error(), "holds 1 uploads") {
		t.Fatalf("remove without --force: %v, want a refusal", err)
	}
	if out := in.cli("channels", "remove", "cats", "--force", "--reason", "closing it"); !strings.Contains(out, "removed cats and 1 upload") {
		t.Fatalf("channels remove printed %q", out)
	}
	for i, p := range posts {
		reason := "evicted"
		if i == 2 {
			reason = "removed"
		}
		wantGone(t, in, p, reason)
		for _, file := range []string{filepath.Join(in.data, "media", "media", p.ID+".png"), filepath.Join(in.data, "media", "thumb", p.ID+".jpg")} {
			if _, err := os.Stat(file); !os.IsNotExist(err) {
				t.Errorf("%s of a %s upload: %v, want it deleted", filepath.Base(file), reason, err)
			}
		}
	}
	if r := in.get("/c/cats"); r.status != http.StatusNotFound {
		t.Errorf("the removed channel's page: %d", r.status)
	}

	var got []string
	for _, e := range auditLog(t, in, token) {
		if e.Target == "cats" {
			got = append(got, fmt.Sprintf("%q %s %q", e.Moderator, e.Action, e.Reason))
		}
	}
	want := []string{`"" remove_channel "closing it"`, `"" edit_channel ""`, `"" add_channel "for cat pictures"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries for cats:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The moderators' audit page names who did it.
	req, _ := http.NewRequest("GET", in.base+"/mod/audit", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if r := in.do(req); r.status != http.StatusOK || !strings.Contains(string(r.body), "operator (command line)") {
		t.Errorf("the audit page (%d) does not say the operator did it from the command line", r.status)
	}

	// The announcements went to the shared event log, which the instances
	// on PostgreSQL deliver (TestChannelRemovalAnnouncedLive).
	db, err := sqlstore.Open(context.Background(), filepath.Join(in.data, "chatpic.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.EventsSince(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	announced := map[string]string{}
	for _, ev := range evs {
		var d struct{ ID, Reason string }
		if ev.Type == "gone" && json.Unmarshal(ev.Data, &d) == nil {
			announced[ev.Topic+" "+d.ID] = d.Reason
		}
	}
	for i, p := range posts {
		reason := "evicted"
		if i == 2 {
			reason = "removed"
		}
		for _, topic := range []string{"post:" + p.ID, "channel:cats"} {
			if got := announced[topic+" "+p.ID]; got != reason {
				t.Errorf("gone event of %s on %s: %q, want %q (announced: %v)", p.ID, topic, got, reason, announced)
			}
		}
	}
}

// postgresOnly returns the --db flag of a fresh PostgreSQL schema, dropped
// when the test ends, with the --secret-file instances on it need, or skips the test unless CHATPIC_TEST_POSTGRES names
// a server (.ci/run sets it).
func postgresOnly(t *testing.T) []string {
	t.Helper()
	pg := os.Getenv("CHATPIC_TEST_POSTGRES")
	if pg == "" {
		t.Skip("CHATPIC_TEST_POSTGRES not set: the PostgreSQL part is skipped; .ci/run sets it")
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	schema := "channels_" + hex.EncodeToString(suffix)
	db, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(hex.EncodeToString(suffix)+"-0123456789abcdef0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--db", u.String(), "--secret-file", secret}
}

// goneWithin waits up to within for the "gone" event of post id on a
// stream and returns its reason.
func goneWithin(t *testing.T, events <-chan sseEvent, id string, within time.Duration) string {
	t.Helper()
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for {
		select {
		case ev := <-events:
			var d struct{ ID, Reason string }
			if ev.typ == "gone" && json.Unmarshal([]byte(ev.data), &d) == nil && d.ID == id {
				return d.Reason
			}
		case <-timeout.C:
			t.Fatalf("no gone event for %s within %v", id, within)
			return ""
		}
	}
}

// TestChannelRemovalAnnouncedLive runs a server with live pages open on a
// channel and on its uploads, and evicts and removes them from the command
// line: the pages hear that they are gone, with the reason, within seconds,
// as they would had a moderator done it. On PostgreSQL the server's shared
// broker delivers the command's events; on SQLite the server relays them
// from the event log.
func TestChannelRemovalAnnouncedLive(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			var storage []string
			if db == "postgres" {
				storage = postgresOnly(t)
			}
			channelRemovalAnnouncedLive(t, startWith(t, noEnv, storage, "--rate-uploads", "off", "--flood", "off"))
		})
	}
}

func channelRemovalAnnouncedLive(t *testing.T, in *instance) {
	in.cli("channels", "add", "dogs", "--title", "Dogs", "--capacity", "5")
	var posts []postJSON
	for i := range 3 {
		posts = append(posts, mustUpload(t, in, "dogs", mediatest.PNG(30+i, 20)))
	}
	channel := stream(t, in.base+"/api/v1/channels/dogs/events", "")
	pages := make([]<-chan sseEvent, len(posts))
	for i, p := range posts {
		pages[i] = stream(t, in.base+"/api/v1/posts/"+p.ID+"/events", "")
	}

	in.cli("channels", "edit", "dogs", "--capacity", "2")
	if got := goneWithin(t, pages[0], posts[0].ID, 10*time.Second); got != "evicted" {
		t.Errorf("the evicted upload's page heard %q", got)
	}
	if got := goneWithin(t, channel, posts[0].ID, 10*time.Second); got != "evicted" {
		t.Errorf("the channel page heard %q for the evicted upload", got)
	}
	in.cli("channels", "remove", "dogs", "--force")
	for i, p := range posts[1:] {
		if got := goneWithin(t, pages[i+1], p.ID, 10*time.Second); got != "removed" {
			t.Errorf("upload %s's page heard %q, want removed", p.ID, got)
		}
		if got := goneWithin(t, channel, p.ID, 10*time.Second); got != "removed" {
			t.Errorf("the channel page heard %q for %s, want removed", got, p.ID)
		}
	}
}
