package config

import (
	"bytes"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/limit"
)

// load parses args and env the way a command does and returns the result.
func load(t *testing.T, args []string, env map[string]string, serve bool) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("chatpic", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := NewSet(fs, func(k string) string { return env[k] }, serve)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return s.Config()
}

// shortSecret writes a --secret-file that is too short.
func shortSecret(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(p, []byte("hunter2"), 0o600)
	return p
}

// secretFile writes a --secret-file and returns its path.
func secretFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, args []string, env map[string]string) Config {
	t.Helper()
	c, err := load(t, args, env, true)
	if err != nil {
		t.Fatalf("Config() with args %q, env %v: %v", args, env, err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustLoad(t, nil, nil)
	want := Config{
		Storage: Storage{Data: "./data", DB: filepath.Join("data", "chatpic.db"), Blobs: filepath.Join("data", "media"), Cache: filepath.Join("data", "cache")},
		HTTP:    HTTP{Addr: ":8080", StreamsPerClient: 8, ExpressMemory: 32e6},
		Upload: Upload{MaxBytes: 20_000_000, MaxPixels: 50_000_000, MaxVideoBytes: 100_000_000, MaxVideoDuration: 5 * time.Minute,
			MediaMemory: 768_000_000, DecodeTimeout: time.Minute, UploadsPerClient: 4, MinUploadRate: 8000},
		Janitor: Janitor{Interval: time.Minute},
		Safety: Safety{PDQThreshold: 31, Limits: map[chatpic.Action]limit.Rule{
			chatpic.ActionUpload: {Events: 30, Per: 10 * time.Minute}, chatpic.ActionComment: {Events: 30, Per: 10 * time.Minute},
			chatpic.ActionVote: {Events: 120, Per: 10 * time.Minute}, chatpic.ActionReport: {Events: 20, Per: time.Hour},
			chatpic.ActionLogin:    {Events: 10, Per: 15 * time.Minute},
			chatpic.ActionPassword: {Events: 10, Per: 15 * time.Minute},
		}, Flood: limit.Rule{Events: 30, Per: time.Minute}, ChallengeBits: 17, KeyRotation: 24 * time.Hour, SessionLife: 12 * time.Hour},
		Alerts: Alerts{QueueWait: time.Hour},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Config() =\n%+v\nwant\n%+v", c, want)
	}
}

func TestSources(t *testing.T) {
	env := map[string]string{
		"CHATPIC_ADDR":             ":9000",
		"CHATPIC_DATA":             "/srv/env",
		"CHATPIC_MAX_UPLOAD":       "5MB",
		"CHATPIC_JANITOR_INTERVAL": "10m",
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"env used when the flag is absent", nil, env, func(t *testing.T, c Config) {
			wantString(t, "addr", c.HTTP.Addr, ":9000")
			wantString(t, "data", c.Storage.Data, "/srv/env")
			wantInt(t, "max-upload", c.Upload.MaxBytes, 5_000_000)
			wantInt(t, "janitor-interval", int64(c.Janitor.Interval), int64(10*time.Minute))
		}},
		{"flag wins over env", []string{"--addr=:7000", "--data=/srv/flag", "--max-upload=64MiB", "--janitor-interval=30s"}, env, func(t *testing.T, c Config) {
			wantString(t, "addr", c.HTTP.Addr, ":7000")
			wantString(t, "data", c.Storage.Data, "/srv/flag")
			wantInt(t, "max-upload", c.Upload.MaxBytes, 64<<20)
			wantInt(t, "janitor-interval", int64(c.Janitor.Interval), int64(30*time.Second))
		}},
		{"flag set to its default still wins over env", []string{"--addr=:8080"}, env, func(t *testing.T, c Config) {
			wantString(t, "addr", c.HTTP.Addr, ":8080")
		}},
		{"empty env is ignored", nil, map[string]string{"CHATPIC_ADDR": ""}, func(t *testing.T, c Config) {
			wantString(t, "addr", c.HTTP.Addr, ":8080")
		}},
		{"db and blobs follow --data", []string{"--data=/srv/chatpic"}, nil, func(t *testing.T, c Config) {
			wantString(t, "db", c.Storage.DB, filepath.Join("/srv/chatpic", "chatpic.db"))
			wantString(t, "blobs", c.Storage.Blobs, filepath.Join("/srv/chatpic", "media"))
		}},
		{"db and blobs follow CHATPIC_DATA", nil, map[string]string{"CHATPIC_DATA": "/var/lib/chatpic"}, func(t *testing.T, c Config) {
			wantString(t, "db", c.Storage.DB, filepath.Join("/var/lib/chatpic", "chatpic.db"))
			wantString(t, "blobs", c.Storage.Blobs, filepath.Join("/var/lib/chatpic", "media"))
		}},
		{"explicit db and blobs are kept", []string{"--data=/srv/a", "--db=/srv/b/x.db", "--blobs=/mnt/media"}, nil, func(t *testing.T, c Config) {
			wantString(t, "db", c.Storage.DB, "/srv/b/x.db")
			wantString(t, "blobs", c.Storage.Blobs, "/mnt/media")
		}},
		{"postgres URL from env", nil, map[string]string{"CHATPIC_DB": "postgres://u:p@db/chatpic", "CHATPIC_SECRET_FILE": secretFile(t)}, func(t *testing.T, c Config) {
			wantString(t, "db", c.Storage.DB, "postgres://u:p@db/chatpic")
		}},
		{"express lane off", []string{"--express-memory=0"}, nil, func(t *testing.T, c Config) {
			if c.HTTP.ExpressMemory != 0 {
				t.Errorf("ExpressMemory = %d", c.HTTP.ExpressMemory)
			}
		}},
		{"express lane memory", nil, map[string]string{"CHATPIC_EXPRESS_MEMORY": "64MiB"}, func(t *testing.T, c Config) {
			if c.HTTP.ExpressMemory != 64<<20 {
				t.Errorf("ExpressMemory = %d", c.HTTP.ExpressMemory)
			}
		}},
		{"max-pixels", []string{"--max-pixels=1000000"}, nil, func(t *testing.T, c Config) {
			wantInt(t, "max-pixels", c.Upload.MaxPixels, 1_000_000)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustLoad(t, tt.args, tt.env))
		})
	}
}

func wantString(t *testing.T, name, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func wantInt(t *testing.T, name string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", name, got, want)
	}
}

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"none", "", nil},
		{"one CIDR", "10.0.0.0/8", []string{"10.0.0.0/8"}},
		{"bare IPv4", "192.168.1.7", []string{"192.168.1.7/32"}},
		{"bare IPv6", "::1", []string{"::1/128"}},
		{"IPv6 CIDR", "2001:db8::/32", []string{"2001:db8::/32"}},
		{"host bits are masked", "10.1.2.3/8", []string{"10.0.0.0/8"}},
		// Peers are compared unmapped (request.Origin unmaps them), so an
		// IPv4-mapped proxy must be stored as plain IPv4 to ever match.
		{"IPv4-mapped address", "::ffff:10.0.0.1", []string{"10.0.0.1/32"}},
		{"IPv4-mapped CIDR", "::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}},
		{"list with spaces and empty entries", " 10.0.0.0/8 , ,172.16.0.0/12,127.0.0.1,", []string{"10.0.0.0/8", "172.16.0.0/12", "127.0.0.1/32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, []string{"--trusted-proxies=" + tt.in}, nil)
			var got []string
			for _, p := range c.HTTP.TrustedProxies {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TrustedProxies = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrustedProxiesFromEnv(t *testing.T) {
	c := mustLoad(t, nil, map[string]string{"CHATPIC_TRUSTED_PROXIES": "10.0.0.0/8"})
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if !reflect.DeepEqual(c.HTTP.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %v, want %v", c.HTTP.TrustedProxies, want)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"https://pics.example.org", "https://pics.example.org"},
		{"https://pics.example.org/", "https://pics.example.org"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"https://example.org/pics", "https://example.org/pics"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c := mustLoad(t, []string{"--base-url=" + tt.in}, nil)
			if c.HTTP.BaseURL == nil {
				t.Fatal("BaseURL = nil")
			}
			if got := c.HTTP.BaseURL.String(); got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		flag string // the flag the error must name
	}{
		{"base-url without scheme", []string{"--base-url=pics.example.org"}, nil, "--base-url"},
		{"base-url ftp", []string{"--base-url=ftp://pics.example.org"}, nil, "--base-url"},
		{"base-url without host", []string{"--base-url=https://"}, nil, "--base-url"},
		{"base-url with query", []string{"--base-url=https://pics.example.org/?a=b"}, nil, "--base-url"},
		{"base-url with fragment", []string{"--base-url=https://pics.example.org/#top"}, nil, "--base-url"},
		{"base-url unparsable", []string{"--base-url=http://[::1"}, nil, "--base-url"},
		{"base-url from env", nil, map[string]string{"CHATPIC_BASE_URL": "nonsense"}, "--base-url"},
		{"trusted proxy word", []string{"--trusted-proxies=nonsense"}, nil, "--trusted-proxies"},
		{"trusted proxy prefix too long", []string{"--trusted-proxies=10.0.0.0/33"}, nil, "--trusted-proxies"},
		{"trusted proxy short IPv4", []string{"--trusted-proxies=10.0.0"}, nil, "--trusted-proxies"},
		{"one bad trusted proxy among good ones", []string{"--trusted-proxies=10.0.0.0/8,bad"}, nil, "--trusted-proxies"},
		{"express-memory junk", []string{"--express-memory=lots"}, nil, "--express-memory"},
		{"express-memory too small to hold a page", []string{"--express-memory=64KB"}, nil, "--express-memory"},
		{"max-upload junk", []string{"--max-upload=lots"}, nil, "--max-upload"},
		{"max-upload negative", []string{"--max-upload=-5MB"}, nil, "--max-upload"},
		{"max-upload under 1KB", []string{"--max-upload=1023"}, nil, "--max-upload"},
		{"max-upload junk from env", nil, map[string]string{"CHATPIC_MAX_UPLOAD": "big"}, "--max-upload"},
		{"max-pixels zero", []string{"--max-pixels=0"}, nil, "--max-pixels"},
		{"max-pixels junk", []string{"--max-pixels=many"}, nil, "--max-pixels"},
		{"janitor-interval junk", []string{"--janitor-interval=often"}, nil, "--janitor-interval"},
		{"janitor-interval negative", []string{"--janitor-interval=-1m"}, nil, "--janitor-interval"},
		{"janitor-interval under 1s", []string{"--janitor-interval=500ms"}, nil, "--janitor-interval"},
		{"empty data", []string{"--data="}, nil, "--data"},
		{"s3 blobs without an endpoint", []string{"--blobs=s3://bucket"}, nil, "--blobs"},
		{"s3 blobs with credentials in the URL", []string{"--blobs=s3://key:secret@bucket?endpoint=http://s3.test"}, nil, "--blobs"},
		{"no-migrate junk", []string{"--no-migrate=perhaps"}, nil, "--no-migrate"},
		{"a switch's value after a space", []string{"--system-ffmpeg", "false", "--addr", ":9000"}, nil, `unexpected argument "false"`},
		{"presign without S3", []string{"--media-redirect=presign"}, nil, "--media-redirect"},
		{"postgres without a secret file", []string{"--db=postgres://db/chatpic"}, nil, "--secret-file"},
		{"a secret file too short", []string{"--secret-file=" + shortSecret(t)}, nil, "--secret-file"},
		{"a secret file missing", []string{"--secret-file=/nonexistent/secret"}, nil, "--secret-file"},
		{"media-redirect not a URL", []string{"--media-redirect=cdn.example.org"}, nil, "--media-redirect"},
		{"pdq-threshold over 128", []string{"--pdq-threshold=200"}, nil, "--pdq-threshold"},
		{"pdq-threshold junk", []string{"--pdq-threshold=close"}, nil, "--pdq-threshold"},
		{"rate-uploads junk", []string{"--rate-uploads=many"}, nil, "--rate-uploads"},
		{"rate-logins without a period", nil, map[string]string{"CHATPIC_RATE_LOGINS": "10"}, "--rate-logins"},
		{"flood junk", []string{"--flood=lots/ever"}, nil, "--flood"},
		{"challenge-bits too hard", []string{"--challenge-bits=40"}, nil, "--challenge-bits"},
		{"key-rotation under an hour", []string{"--key-rotation=5m"}, nil, "--key-rotation"},
		{"session-life junk", []string{"--session-life=forever"}, nil, "--session-life"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env, true)
			if err == nil {
				t.Fatal("Config() = nil error")
			}
			if !strings.Contains(err.Error(), tt.flag+":") {
				t.Errorf("Config() error %q does not name %s", err, tt.flag)
			}
		})
	}
}

func TestScaleOutStorage(t *testing.T) {
	env := map[string]string{
		"CHATPIC_DB":            "postgres://chatpic@db.internal/chatpic",
		"CHATPIC_BLOBS":         "s3://media?endpoint=https://s3.example.org&region=eu-west-1&path_style=true",
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
		"CHATPIC_SECRET_FILE":   secretFile(t),
	}
	c, err := load(t, []string{"--no-migrate", "--media-redirect=https://cdn.example.org/"}, env, true)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Storage.Shared() || !c.Storage.SkipMigrations {
		t.Errorf("postgres %v, skip migrations %v; want both", c.Storage.Shared(), c.Storage.SkipMigrations)
	}
	s3 := c.Storage.S3
	if s3 == nil || s3.Bucket != "media" || s3.Endpoint != "https://s3.example.org" || s3.Region != "eu-west-1" || !s3.PathStyle ||
		s3.AccessKey != "AKIDEXAMPLE" || s3.SecretKey != "wJalrXUtnFEMI" {
		t.Errorf("S3 config %+v", s3)
	}
	if c.HTTP.MediaRedirect != "https://cdn.example.org" {
		t.Errorf("media redirect %q", c.HTTP.MediaRedirect)
	}
	var dump strings.Builder
	c.Dump(&dump)
	if strings.Contains(dump.String(), "wJalrXUtnFEMI") || strings.Contains(dump.String(), "AKIDEXAMPLE") {
		t.Errorf("the dump shows a credential:\n%s", dump.String())
	}
	c, err = load(t, []string{"--media-redirect=presign"}, env, true)
	if err != nil || c.HTTP.MediaRedirect != "presign" {
		t.Errorf("presign with S3: %q, %v", c.HTTP.MediaRedirect, err)
	}
}

func TestErrorsReportedTogether(t *testing.T) {
	args := []string{
		"--base-url=ftp://x",
		"--trusted-proxies=bad-proxy",
		"--max-upload=lots",
		"--max-pixels=0",
		"--janitor-interval=often",
	}
	_, err := load(t, args, map[string]string{"CHATPIC_BLOBS": "s3://bucket"}, true)
	if err == nil {
		t.Fatal("Config() = nil error")
	}
	msg := err.Error()
	for _, want := range []string{"--blobs", "--base-url", "--trusted-proxies", `"bad-proxy"`, "--max-upload", `"lots"`, "--max-pixels", "--janitor-interval", `"often"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %s:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 6 {
		t.Errorf("error has %d lines, want one per bad setting (6):\n%s", n, msg)
	}
}

func TestStorageOnly(t *testing.T) {
	fs := flag.NewFlagSet("chatpic", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := map[string]string{"CHATPIC_DATA": "/srv/chatpic", "CHATPIC_MAX_UPLOAD": "junk", "CHATPIC_BASE_URL": "junk"}
	s := NewSet(fs, func(k string) string { return env[k] }, false)
	for _, name := range []string{"data", "db", "blobs"} {
		if fs.Lookup(name) == nil {
			t.Errorf("Lookup(%q) = nil, want the storage flag", name)
		}
	}
	for _, name := range []string{"addr", "base-url", "trusted-proxies", "max-upload", "max-pixels", "janitor-interval"} {
		if fs.Lookup(name) != nil {
			t.Errorf("Lookup(%q) != nil; serve options must not be registered without serve", name)
		}
	}
	if err := fs.Parse([]string{"--addr=:1"}); err == nil {
		t.Error("Parse(--addr) succeeded without serve")
	}
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c, err := s.Config()
	if err != nil {
		t.Fatalf("Config() = %v; serve settings in env must not be checked without serve", err)
	}
	want := Config{Storage: Storage{Data: "/srv/chatpic", DB: filepath.Join("/srv/chatpic", "chatpic.db"), Blobs: filepath.Join("/srv/chatpic", "media"), Cache: filepath.Join("/srv/chatpic", "cache")}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Config() =\n%+v\nwant\n%+v", c, want)
	}
}

func TestSetsAreIndependent(t *testing.T) {
	// Two sets (say, two tests running run) must not share option values.
	a, errA := load(t, []string{"--addr=:1111"}, nil, true)
	b, errB := load(t, nil, nil, true)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.HTTP.Addr != ":1111" || b.HTTP.Addr != ":8080" {
		t.Errorf("addr = %q and %q, want \":1111\" and \":8080\"", a.HTTP.Addr, b.HTTP.Addr)
	}
}

func TestDump(t *testing.T) {
	tests := []struct {
		name    string
		db      string
		want    []string
		notWant []string
	}{
		{
			name:    "postgres password redacted",
			db:      "postgres://chatpic:s3cr3t-pa55@db.example.org:5432/chatpic?sslmode=require",
			want:    []string{"postgres://chatpic:xxxxx@db.example.org:5432/chatpic?sslmode=require"},
			notWant: []string{"s3cr3t", "pa55"},
		},
		{
			name:    "postgres password in the query redacted",
			db:      "postgres://chatpic@db.example.org/chatpic?password=s3cr3t-pa55&sslmode=require",
			want:    []string{"password=xxxxx", "sslmode=require"},
			notWant: []string{"s3cr3t", "pa55"},
		},
		{
			name: "postgres without password unchanged",
			db:   "postgres://chatpic@db.example.org/chatpic",
			want: []string{"postgres://chatpic@db.example.org/chatpic"},
		},
		{
			name: "SQLite path unchanged",
			db:   "/srv/chatpic/chatpic.db",
			want: []string{"/srv/chatpic/chatpic.db"},
		},
		{
			name: "SQLite path that is no URL unchanged",
			db:   "sqlite:/srv/my pictures/50%.db?x=1",
			want: []string{"sqlite:/srv/my pictures/50%.db?x=1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, []string{"--db=" + tt.db, "--trusted-proxies=10.0.0.0/8,::1", "--base-url=https://pics.example.org",
				"--secret-file=" + secretFile(t)}, nil)
			var out strings.Builder
			c.Dump(&out)
			dump := out.String()
			want := append([]string{
				"addr             :8080\n",
				"max-upload       20 MB\n",
				"janitor-interval 1m0s\n",
				"media-memory     768 MB\n",
				"decode-timeout   1m0s\n",
				"trusted-proxies  10.0.0.0/8,::1/128\n",
				"base-url         https://pics.example.org\n",
			}, tt.want...)
			for _, w := range want {
				if !strings.Contains(dump, w) {
					t.Errorf("Dump() lacks %q:\n%s", w, dump)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(dump, w) {
					t.Errorf("Dump() shows %q:\n%s", w, dump)
				}
			}
			if c.Storage.DB != tt.db {
				t.Errorf("Dump() changed Storage.DB to %q", c.Storage.DB)
			}
		})
	}
}

func TestVideoAndCacheOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{"video size from the environment", nil, map[string]string{"CHATPIC_MAX_VIDEO": "50MB"},
			func(c Config) bool { return c.Upload.MaxVideoBytes == 50_000_000 }, ""},
		{"video duration flag", []string{"--max-video-duration", "90s"}, nil,
			func(c Config) bool { return c.Upload.MaxVideoDuration == 90*time.Second }, ""},
		{"system ffmpeg on", []string{"--system-ffmpeg=true"}, nil,
			func(c Config) bool { return c.Upload.SystemFFmpeg }, ""},
		{"system ffmpeg from the environment", nil, map[string]string{"CHATPIC_SYSTEM_FFMPEG": "yes"},
			func(c Config) bool { return c.Upload.SystemFFmpeg }, ""},
		{"cache folder", []string{"--cache", "/var/cache/chatpic"}, nil,
			func(c Config) bool { return c.Storage.Cache == "/var/cache/chatpic" }, ""},
		{"system ffmpeg junk", []string{"--system-ffmpeg=maybe"}, nil, nil, "--system-ffmpeg"},
		{"video duration too short", []string{"--max-video-duration", "0s"}, nil, nil, "--max-video-duration"},
		{"video size junk", []string{"--max-video", "huge"}, nil, nil, "--max-video"},
		{"media memory flag", []string{"--media-memory", "2GB"}, nil,
			func(c Config) bool { return c.Upload.MediaMemory == 2_000_000_000 }, ""},
		{"media memory from the environment", nil, map[string]string{"CHATPIC_MEDIA_MEMORY": "256MiB"},
			func(c Config) bool { return c.Upload.MediaMemory == 256<<20 }, ""},
		{"media memory too small", []string{"--media-memory", "64MB"}, nil, nil, "--media-memory"},
		{"media memory junk", []string{"--media-memory", "plenty"}, nil, nil, "--media-memory"},
		{"decode timeout from the environment", nil, map[string]string{"CHATPIC_DECODE_TIMEOUT": "2m"},
			func(c Config) bool { return c.Upload.DecodeTimeout == 2*time.Minute }, ""},
		{"decode timeout too short", []string{"--decode-timeout", "100ms"}, nil, nil, "--decode-timeout"},
		{"uploads per client", []string{"--uploads-per-client", "2"}, nil,
			func(c Config) bool { return c.Upload.UploadsPerClient == 2 }, ""},
		{"uploads per client zero", []string{"--uploads-per-client", "0"}, nil, nil, "--uploads-per-client"},
		{"streams per client from the environment", nil, map[string]string{"CHATPIC_STREAMS_PER_CLIENT": "3"},
			func(c Config) bool { return c.HTTP.StreamsPerClient == 3 }, ""},
		{"streams per client junk", []string{"--streams-per-client", "many"}, nil, nil, "--streams-per-client"},
		{"no least upload rate", []string{"--min-upload-rate", "off"}, nil,
			func(c Config) bool { return c.Upload.MinUploadRate == -1 }, ""},
		{"least upload rate", []string{"--min-upload-rate", "16KB"}, nil,
			func(c Config) bool { return c.Upload.MinUploadRate == 16000 }, ""},
		{"least upload rate junk", []string{"--min-upload-rate", "fast"}, nil, nil, "--min-upload-rate"},
		{"a certificate without its key", []string{"--tls-cert", "cert.pem"}, nil, nil, "give both, or neither"},
		{"a key without its certificate", nil, map[string]string{"CHATPIC_TLS_KEY": "key.pem"}, nil, "give both, or neither"},
		{"a certificate that is not there", []string{"--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"}, nil, nil, "--tls-cert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.env, true)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Fatalf("Config() = %+v, %v", c, err)
			}
		})
	}
}

// TestDefaultsOfAFolder: Defaults is what a server started with nothing
// but --data resolves, whatever the environment of the test holds.
func TestDefaultsOfAFolder(t *testing.T) {
	got, err := Defaults("/srv/pics")
	if err != nil {
		t.Fatal(err)
	}
	want := mustLoad(t, []string{"--data", "/srv/pics"}, nil)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Defaults() =\n%+v\nwant\n%+v", got, want)
	}
	if got.Storage.DB != filepath.Join("/srv/pics", "chatpic.db") || got.Storage.Shared() {
		t.Errorf("Defaults() keeps its database in %q (shared: %t), want a SQLite file in the folder", got.Storage.DB, got.Storage.Shared())
	}
}

// TestAlertOptions: a webhook needs the site's public URL for its links and
// is never shown by Dump; the queue's wait is a duration or off.
func TestAlertOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Alerts
		wantErr string
	}{
		{"none", nil, Alerts{QueueWait: time.Hour}, ""},
		{"a webhook", []string{"--alert-webhook", "https://hooks.example.org/T0/Xq9zKey", "--base-url", "https://pics.example.org"},
			Alerts{Webhook: "https://hooks.example.org/T0/Xq9zKey", QueueWait: time.Hour}, ""},
		{"a webhook without the public URL", []string{"--alert-webhook", "https://hooks.example.org/x"}, Alerts{}, "--base-url"},
		{"not a URL", []string{"--alert-webhook", "hooks.example.org", "--base-url", "https://pics.example.org"}, Alerts{}, "--alert-webhook"},
		{"no queue alert", []string{"--alert-queue-wait", "off"}, Alerts{}, ""},
		{"a short wait", []string{"--alert-queue-wait", "30s"}, Alerts{}, "--alert-queue-wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, nil, true)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Alerts != tt.want {
				t.Errorf("Alerts = %+v, want %+v", c.Alerts, tt.want)
			}
			var dump bytes.Buffer
			c.Dump(&dump)
			if strings.Contains(dump.String(), "Xq9z") {
				t.Errorf("Dump shows the webhook:\n%s", dump.String())
			}
		})
	}
}

// TestMetricsAddr: the metrics have an address of their own, never the
// site's.
func TestMetricsAddr(t *testing.T) {
	if c := mustLoad(t, []string{"--metrics-addr", "127.0.0.1:9100"}, nil); c.HTTP.MetricsAddr != "127.0.0.1:9100" {
		t.Errorf("MetricsAddr = %q", c.HTTP.MetricsAddr)
	}
	if c := mustLoad(t, nil, nil); c.HTTP.MetricsAddr != "" {
		t.Errorf("metrics are served by default, at %q", c.HTTP.MetricsAddr)
	}
	if _, err := load(t, []string{"--addr", ":8080", "--metrics-addr", ":8080"}, nil, true); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("the site's own address was taken for the metrics: %v", err)
	}
}
