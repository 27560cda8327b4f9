// Package config turns flags and CHATPIC_* environment variables into one
// typed, validated Config. A flag given on the command line wins over its
// environment variable, which wins over the default.
package config

import (
	"bytes"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// Storage says where metadata and media live.
type Storage struct {
	Data  string // the data folder
	DB    string // a SQLite file path, or a postgres:// URL
	Blobs string // a media folder, or an s3:// URL
	Cache string // a folder for caches that can be rebuilt (the compiled video tools)
	// S3 is the parsed Blobs URL, with the credentials of the standard
	// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables, when Blobs is
	// an s3:// URL.
	S3 *s3blob.Config
	// Secret is the content of --secret-file: the operator's key that the
	// secrets kept in a shared database are mixed with, so that a copy of
	// the database alone cannot undo its keyed hashes. Nil when not given.
	Secret []byte
	// SkipMigrations opens the database without applying migrations
	// (serve --no-migrate); a database behind the binary is then refused.
	SkipMigrations bool
}

// Shared reports whether the database is one that several instances may
// share (PostgreSQL), as the store says.
func (s Storage) Shared() bool { return sqlstore.SharedDSN(s.DB) }

// HTTP configures the web server.
type HTTP struct {
	Addr           string
	BaseURL        *url.URL // nil: derived from each request
	TrustedProxies []netip.Prefix
	// StreamsPerClient bounds one client's open event streams.
	StreamsPerClient int
	// TLSCert and TLSKey are PEM files: with both, chatpic serves HTTPS
	// (and HTTP/2) itself; with neither, plain HTTP (HTTP/2 too, for a
	// proxy that speaks it in the clear).
	TLSCert, TLSKey string
	// MetricsAddr is where /metrics is served, apart from the site; ""
	// serves none.
	MetricsAddr string
	// MediaRedirect sends media requests elsewhere instead of serving the
	// bytes: "" serves them, "presign" redirects to a short-lived presigned
	// URL of the S3 bucket, and an http(s) URL redirects to that base (a
	// CDN in front of the bucket) followed by the object's key.
	MediaRedirect string
	// NSFWFeeds gives channels marked NSFW an Atom feed too.
	NSFWFeeds bool
	// ExpressMemory bounds the answers the express lane keeps in memory
	// to send again (thumbnails, cached pages, static files); 0 turns the
	// lane off and net/http answers everything.
	ExpressMemory int64
}

// Upload bounds what one upload may be.
type Upload struct {
	MaxBytes  int64 // a picture file
	MaxPixels int64
	// MaxVideoBytes and MaxVideoDuration bound a video.
	MaxVideoBytes    int64
	MaxVideoDuration time.Duration
	// SystemFFmpeg uses ffmpeg and ffprobe from PATH for video, when both
	// are there, instead of the built-in WebAssembly build.
	SystemFFmpeg bool
	// MediaMemory bounds the memory media work may need at once, in the
	// server and its workers together.
	MediaMemory int64
	// DecodeTimeout is how long one decode may take per started 10 MB of
	// its file.
	DecodeTimeout time.Duration
	// UploadsPerClient bounds one client's uploads in flight.
	UploadsPerClient int
	// MinUploadRate is the least average pace of an upload's body, in
	// bytes a second, after its first 10 s; -1 for none.
	MinUploadRate int64
}

// Safety configures abuse control and moderation.
type Safety struct {
	PDQThreshold  int
	Limits        map[chatpic.Action]limit.Rule
	Flood         limit.Rule
	ChallengeBits int
	KeyRotation   time.Duration
	SessionLife   time.Duration
}

// Janitor configures the background clean-up.
type Janitor struct {
	Interval time.Duration
}

// Alerts configures what tells moderators at once of urgent reports.
type Alerts struct {
	// Webhook is where alerts are posted; "" sends none.
	Webhook string
	// QueueWait is how long reports may wait for a moderator before an
	// alert says so; 0 for never.
	QueueWait time.Duration
}

// Config is the whole configuration of a chatpic process. Each component
// receives only its own part.
type Config struct {
	Storage Storage
	HTTP    HTTP
	Upload  Upload
	Janitor Janitor
	Safety  Safety
	Alerts  Alerts
}

// option is one setting: a flag, its environment variable and its default.
type option struct {
	flag, env, def, usage string
	value                 string
}

// switchValue binds a yes-or-no option, so that "--no-migrate" alone means
// true; its text is checked with the others in Config.
type switchValue struct{ o *option }

func (v switchValue) String() string {
	if v.o == nil {
		return ""
	}
	return v.o.value
}
func (v switchValue) Set(s string) error { v.o.value = s; return nil }
func (v switchValue) IsBoolFlag() bool   { return true }

// Set is a group of options bound to a flag.FlagSet.
type Set struct {
	fs     *flag.FlagSet
	getenv func(string) string
	opts   []*option
	serve  bool
}

// Storage options apply to every command that opens the data; the others
// only to serve.
var (
	storageOptions = []option{
		{flag: "data", env: "CHATPIC_DATA", def: "./data", usage: "folder for the database and media"},
		{flag: "db", env: "CHATPIC_DB", def: "", usage: "database: a SQLite file (default DATA/chatpic.db) or postgres://..."},
		{flag: "blobs", env: "CHATPIC_BLOBS", def: "", usage: "media store: a folder (default DATA/media) or s3://bucket?endpoint=...&region=..."},
		{flag: "cache", env: "CHATPIC_CACHE", def: "", usage: "folder for caches that can be rebuilt, such as the compiled video tools (default DATA/cache)"},
		{flag: "secret-file", env: "CHATPIC_SECRET_FILE", def: "", usage: "file of at least 32 random bytes, the same on every instance; required with PostgreSQL"},
	}
	serveOptions = []option{
		{flag: "addr", env: "CHATPIC_ADDR", def: ":8080", usage: "address to listen on"},
		{flag: "no-migrate", env: "CHATPIC_NO_MIGRATE", def: "false", usage: "do not apply database migrations on start (run chatpic migrate first); refuse a database that is behind"},
		{flag: "media-redirect", env: "CHATPIC_MEDIA_REDIRECT", def: "", usage: "serve media through chatpic (empty), redirect to presigned S3 URLs (presign), or to a CDN base URL (https://...)"},
		{flag: "metrics-addr", env: "CHATPIC_METRICS_ADDR", def: "", usage: "address to serve Prometheus metrics on at /metrics, apart from the site (default: none)"},
		{flag: "tls-cert", env: "CHATPIC_TLS_CERT", def: "", usage: "PEM certificate (chain) to serve HTTPS with, with --tls-key"},
		{flag: "tls-key", env: "CHATPIC_TLS_KEY", def: "", usage: "PEM private key of --tls-cert"},
		{flag: "base-url", env: "CHATPIC_BASE_URL", def: "", usage: "public URL of the site, for share links (default: from each request)"},
		{flag: "express-memory", env: "CHATPIC_EXPRESS_MEMORY", def: "32MB", usage: "memory for the answers the express lane sends again from memory (thumbnails, cached pages, static files); 0 turns the lane off"},
		{flag: "nsfw-feeds", env: "CHATPIC_NSFW_FEEDS", def: "false", usage: "give channels marked NSFW an Atom feed too (default: only the others have one)"},
		{flag: "trusted-proxies", env: "CHATPIC_TRUSTED_PROXIES", def: "", usage: "comma-separated CIDRs whose X-Forwarded-For is believed"},
		{flag: "max-upload", env: "CHATPIC_MAX_UPLOAD", def: "20MB", usage: "largest accepted upload"},
		{flag: "max-pixels", env: "CHATPIC_MAX_PIXELS", def: "50000000", usage: "largest accepted picture, in pixels"},
		{flag: "max-video", env: "CHATPIC_MAX_VIDEO", def: "100MB", usage: "largest accepted video file"},
		{flag: "max-video-duration", env: "CHATPIC_MAX_VIDEO_DURATION", def: "5m", usage: "longest accepted video"},
		{flag: "system-ffmpeg", env: "CHATPIC_SYSTEM_FFMPEG", def: "false", usage: "process video with ffmpeg from PATH when there, instead of the built-in one"},
		{flag: "media-memory", env: "CHATPIC_MEDIA_MEMORY", def: "768MB", usage: "memory that decoding uploads may take at once, in the server and its workers together; uploads past it wait"},
		{flag: "decode-timeout", env: "CHATPIC_DECODE_TIMEOUT", def: "60s", usage: "longest one decode may take, per started 10 MB of the file"},
		{flag: "uploads-per-client", env: "CHATPIC_UPLOADS_PER_CLIENT", def: "4", usage: "uploads one client may have in flight at once"},
		{flag: "streams-per-client", env: "CHATPIC_STREAMS_PER_CLIENT", def: "8", usage: "live-update streams one client may hold open"},
		{flag: "min-upload-rate", env: "CHATPIC_MIN_UPLOAD_RATE", def: "8KB", usage: "least pace of an upload after its first 10 s, per second (or off)"},
		{flag: "janitor-interval", env: "CHATPIC_JANITOR_INTERVAL", def: "1m", usage: "how often the janitor runs"},
		{flag: "pdq-threshold", env: "CHATPIC_PDQ_THRESHOLD", def: "31", usage: "largest PDQ distance (bits, 0-128) at which an upload matches a banned picture"},
		{flag: "rate-uploads", env: "CHATPIC_RATE_UPLOADS", def: "30/10m", usage: "uploads per client (N/duration, or off)"},
		{flag: "rate-comments", env: "CHATPIC_RATE_COMMENTS", def: "30/10m", usage: "comments per client"},
		{flag: "rate-votes", env: "CHATPIC_RATE_VOTES", def: "120/10m", usage: "votes per client"},
		{flag: "rate-reports", env: "CHATPIC_RATE_REPORTS", def: "20/1h", usage: "reports per client"},
		{flag: "rate-logins", env: "CHATPIC_RATE_LOGINS", def: "10/15m", usage: "moderator sign-in attempts per client and per account"},
		{flag: "rate-passwords", env: "CHATPIC_RATE_PASSWORDS", def: "10/15m", usage: "wrong passwords of locked uploads per client"},
		{flag: "flood", env: "CHATPIC_FLOOD", def: "30/1m", usage: "uploads per channel past which a proof-of-work challenge is required (or off)"},
		{flag: "challenge-bits", env: "CHATPIC_CHALLENGE_BITS", def: "17", usage: "work of a proof-of-work challenge, in leading zero bits (8-24)"},
		{flag: "key-rotation", env: "CHATPIC_KEY_ROTATION", def: "24h", usage: "how often the secret behind client hashes rotates"},
		{flag: "session-life", env: "CHATPIC_SESSION_LIFE", def: "12h", usage: "how long a moderator stays signed in"},
		{flag: "alert-webhook", env: "CHATPIC_ALERT_WEBHOOK", def: "", usage: "URL to POST a JSON alert to when an ncii or illegal report hides something, or reports wait too long (needs --base-url)"},
		{flag: "alert-queue-wait", env: "CHATPIC_ALERT_QUEUE_WAIT", def: "1h", usage: "how long reports may wait for a moderator before --alert-webhook says so (or off)"},
	}
)

// NewSet binds the storage options, and with serve also the server options,
// to fs. Call Config after fs.Parse.
func NewSet(fs *flag.FlagSet, getenv func(string) string, serve bool) *Set {
	s := &Set{fs: fs, getenv: getenv, serve: serve}
	groups := [][]option{storageOptions}
	if serve {
		groups = append(groups, serveOptions)
	}
	for _, g := range groups {
		for _, o := range g {
			o := o
			s.opts = append(s.opts, &o)
			if o.def == "false" {
				o.value = o.def
				fs.Var(switchValue{&o}, o.flag, o.usage+" ($"+o.env+")")
				continue
			}
			fs.StringVar(&o.value, o.flag, o.def, o.usage+" ($"+o.env+")")
		}
	}
	return s
}

// Defaults returns the configuration of a server started without flags
// or environment, keeping its data in the folder data.
func Defaults(data string) (Config, error) {
	fs := flag.NewFlagSet("chatpic", flag.ContinueOnError)
	s := NewSet(fs, func(string) string { return "" }, true)
	if err := fs.Parse([]string{"--data", data}); err != nil {
		return Config{}, err
	}
	return s.Config()
}

// Config resolves every option (flag, then environment, then default),
// parses and validates them all, and returns every problem at once.
func (s *Set) Config() (Config, error) {
	given := map[string]bool{}
	s.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	v := map[string]string{}
	for _, o := range s.opts {
		v[o.flag] = o.value
		if env := s.getenv(o.env); !given[o.flag] && env != "" {
			v[o.flag] = env
		}
	}

	var c Config
	var errs []error
	var err error
	bad := func(name string, err error) {
		errs = append(errs, fmt.Errorf("--%s: %s", name, chatpic.ErrorMessage(err)))
	}

	c.Storage.Data = v["data"]
	if c.Storage.Data == "" {
		errs = append(errs, errors.New("--data: must not be empty"))
	}
	c.Storage.DB = v["db"]
	if c.Storage.DB == "" {
		c.Storage.DB = filepath.Join(c.Storage.Data, "chatpic.db")
	}
	c.Storage.Blobs = v["blobs"]
	if c.Storage.Blobs == "" {
		c.Storage.Blobs = filepath.Join(c.Storage.Data, "media")
	}
	c.Storage.Cache = v["cache"]
	if c.Storage.Cache == "" {
		c.Storage.Cache = filepath.Join(c.Storage.Data, "cache")
	}
	if strings.HasPrefix(c.Storage.Blobs, "s3://") {
		s3, err := s3blob.ParseURL(c.Storage.Blobs)
		if err != nil {
			errs = append(errs, fmt.Errorf("--blobs: %w", err))
		} else {
			s3.AccessKey, s3.SecretKey = s.getenv("AWS_ACCESS_KEY_ID"), s.getenv("AWS_SECRET_ACCESS_KEY")
			c.Storage.S3 = &s3
		}
	}
	if f := v["secret-file"]; f != "" {
		b, err := os.ReadFile(f)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--secret-file: %w", err))
		case len(bytes.TrimSpace(b)) < 32:
			errs = append(errs, fmt.Errorf("--secret-file: %s holds %d bytes; make one of 32 random bytes or more, e.g. head -c 32 /dev/urandom > %s", f, len(bytes.TrimSpace(b)), f))
		default:
			c.Storage.Secret = bytes.TrimSpace(b)
		}
	}
	if !s.serve {
		return c, errors.Join(errs...)
	}
	if c.Storage.Shared() && c.Storage.Secret == nil && v["secret-file"] == "" {
		errs = append(errs, errors.New("--secret-file: several instances on PostgreSQL keep the keys behind client hashes in the database; "+
			"give them a file of 32 random bytes or more, the same on every instance, that the database never sees (head -c 32 /dev/urandom > FILE)"))
	}
	if s.fs.NArg() > 0 {
		errs = append(errs, UnexpectedArgs(s.fs))
	}
	if c.Storage.SkipMigrations, err = parseBool(v["no-migrate"]); err != nil {
		bad("no-migrate", err)
	}
	switch r := v["media-redirect"]; {
	case r == "":
	case r == "presign":
		if c.Storage.S3 == nil {
			errs = append(errs, errors.New("--media-redirect: presign needs --blobs s3://..."))
		}
		c.HTTP.MediaRedirect = r
	default:
		u, err := url.Parse(strings.TrimSuffix(r, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--media-redirect: %q is neither presign nor an http(s) base URL such as https://cdn.example.org", r))
		} else {
			c.HTTP.MediaRedirect = u.String()
		}
	}

	c.HTTP.Addr = v["addr"]
	c.HTTP.MetricsAddr = v["metrics-addr"]
	if c.HTTP.MetricsAddr != "" && c.HTTP.MetricsAddr == c.HTTP.Addr && !strings.HasSuffix(c.HTTP.Addr, ":0") {
		errs = append(errs, errors.New("--metrics-addr: must differ from --addr, so that the public site never shows the metrics"))
	}
	c.HTTP.TLSCert, c.HTTP.TLSKey = v["tls-cert"], v["tls-key"]
	if (c.HTTP.TLSCert == "") != (c.HTTP.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key: give both, or neither"))
	} else if c.HTTP.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.HTTP.TLSCert, c.HTTP.TLSKey); err != nil {
			errs = append(errs, fmt.Errorf("--tls-cert, --tls-key: %w", err))
		}
	}
	if raw := v["base-url"]; raw != "" {
		u, err := url.Parse(strings.TrimSuffix(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--base-url: %q is not an http(s) URL such as https://pics.example.org", raw))
		} else {
			c.HTTP.BaseURL = u
		}
	}
	for _, cidr := range strings.Split(v["trusted-proxies"], ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			if a, aerr := netip.ParseAddr(cidr); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--trusted-proxies: %q is not a CIDR such as 10.0.0.0/8", cidr))
			continue
		}
		// Peers are compared unmapped, so an IPv4-mapped entry becomes IPv4.
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				errs = append(errs, fmt.Errorf("--trusted-proxies: %q mixes IPv4 and IPv6; write the IPv4 range", cidr))
				continue
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		c.HTTP.TrustedProxies = append(c.HTTP.TrustedProxies, p.Masked())
	}
	if c.Upload.MaxBytes, err = chatpic.ParseSize(v["max-upload"]); err != nil {
		bad("max-upload", err)
	} else if c.Upload.MaxBytes < 1024 {
		errs = append(errs, errors.New("--max-upload: must be at least 1KB"))
	}
	if c.Upload.MaxPixels, err = chatpic.ParseSize(v["max-pixels"]); err != nil || c.Upload.MaxPixels < 1 {
		errs = append(errs, fmt.Errorf("--max-pixels: %q is not a positive number", v["max-pixels"]))
	}
	if c.Upload.MaxVideoBytes, err = chatpic.ParseSize(v["max-video"]); err != nil {
		bad("max-video", err)
	} else if c.Upload.MaxVideoBytes < 1024 {
		errs = append(errs, errors.New("--max-video: must be at least 1KB"))
	}
	if c.Upload.MaxVideoDuration, err = chatpic.ParseDuration(v["max-video-duration"]); err != nil {
		bad("max-video-duration", err)
	} else if c.Upload.MaxVideoDuration < time.Second {
		errs = append(errs, errors.New("--max-video-duration: must be at least 1s"))
	}
	if c.HTTP.ExpressMemory, err = chatpic.ParseSize(v["express-memory"]); err != nil {
		bad("express-memory", err)
	} else if c.HTTP.ExpressMemory != 0 && c.HTTP.ExpressMemory < 1e6 {
		errs = append(errs, errors.New("--express-memory: must be 0 (off) or at least 1MB"))
	}
	if c.HTTP.NSFWFeeds, err = parseBool(v["nsfw-feeds"]); err != nil {
		bad("nsfw-feeds", err)
	}
	if c.Upload.SystemFFmpeg, err = parseBool(v["system-ffmpeg"]); err != nil {
		bad("system-ffmpeg", err)
	}
	if c.Upload.MediaMemory, err = chatpic.ParseSize(v["media-memory"]); err != nil {
		bad("media-memory", err)
	} else if c.Upload.MediaMemory < 128_000_000 {
		errs = append(errs, errors.New("--media-memory: must be at least 128MB"))
	}
	if c.Upload.DecodeTimeout, err = chatpic.ParseDuration(v["decode-timeout"]); err != nil {
		bad("decode-timeout", err)
	} else if c.Upload.DecodeTimeout < time.Second {
		errs = append(errs, errors.New("--decode-timeout: must be at least 1s"))
	}
	if c.Upload.UploadsPerClient, err = strconv.Atoi(v["uploads-per-client"]); err != nil || c.Upload.UploadsPerClient < 1 || c.Upload.UploadsPerClient > 1000 {
		errs = append(errs, fmt.Errorf("--uploads-per-client: %q is not a whole number from 1 to 1000", v["uploads-per-client"]))
	}
	if c.HTTP.StreamsPerClient, err = strconv.Atoi(v["streams-per-client"]); err != nil || c.HTTP.StreamsPerClient < 1 || c.HTTP.StreamsPerClient > 10000 {
		errs = append(errs, fmt.Errorf("--streams-per-client: %q is not a whole number from 1 to 10000", v["streams-per-client"]))
	}
	if r := v["min-upload-rate"]; r == "off" {
		c.Upload.MinUploadRate = -1
	} else if c.Upload.MinUploadRate, err = chatpic.ParseSize(r); err != nil {
		bad("min-upload-rate", err)
	} else if c.Upload.MinUploadRate < 1 {
		errs = append(errs, errors.New("--min-upload-rate: must be at least 1B, or off"))
	}
	if c.Janitor.Interval, err = chatpic.ParseDuration(v["janitor-interval"]); err != nil {
		bad("janitor-interval", err)
	} else if c.Janitor.Interval < time.Second {
		errs = append(errs, errors.New("--janitor-interval: must be at least 1s"))
	}
	errs = append(errs, safety(&c.Safety, v)...)
	errs = append(errs, alerts(&c.Alerts, c.HTTP.BaseURL, v)...)
	return c, errors.Join(errs...)
}

// UnexpectedArgs is the error for a command that takes no arguments but
// got some: often the value of a yes-or-no flag written after a space
// ("--no-migrate false"), which ends the flags there.
func UnexpectedArgs(fs *flag.FlagSet) error {
	return fmt.Errorf("unexpected argument %q: a yes-or-no flag takes its value after =, as in --no-migrate=false", fs.Arg(0))
}

// parseBool reads a yes-or-no option.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no", "":
		return false, nil
	}
	return false, chatpic.Errorf(chatpic.KindInvalid, "%q is not true or false", s)
}

// Dump writes the resolved configuration, one setting a line, with any
// password in a database URL replaced by "xxxxx".
func (c Config) Dump(w io.Writer) {
	db := redacted(c.Storage.DB)
	base := "(from each request)"
	if c.HTTP.BaseURL != nil {
		base = c.HTTP.BaseURL.String()
	}
	var proxies []string
	for _, p := range c.HTTP.TrustedProxies {
		proxies = append(proxies, p.String())
	}
	fmt.Fprintf(w, "addr             %s\n", c.HTTP.Addr)
	fmt.Fprintf(w, "tls-cert         %s\n", c.HTTP.TLSCert)
	fmt.Fprintf(w, "metrics-addr     %s\n", c.HTTP.MetricsAddr)
	fmt.Fprintf(w, "data             %s\n", c.Storage.Data)
	fmt.Fprintf(w, "db               %s\n", db)
	fmt.Fprintf(w, "blobs            %s\n", c.Storage.Blobs)
	fmt.Fprintf(w, "cache            %s\n", c.Storage.Cache)
	fmt.Fprintf(w, "base-url         %s\n", base)
	fmt.Fprintf(w, "trusted-proxies  %s\n", strings.Join(proxies, ","))
	fmt.Fprintf(w, "max-upload       %s\n", chatpic.FormatSize(c.Upload.MaxBytes))
	fmt.Fprintf(w, "max-pixels       %d\n", c.Upload.MaxPixels)
	fmt.Fprintf(w, "max-video        %s\n", chatpic.FormatSize(c.Upload.MaxVideoBytes))
	fmt.Fprintf(w, "max-video-duration %s\n", c.Upload.MaxVideoDuration)
	fmt.Fprintf(w, "system-ffmpeg    %t\n", c.Upload.SystemFFmpeg)
	fmt.Fprintf(w, "media-memory     %s\n", chatpic.FormatSize(c.Upload.MediaMemory))
	fmt.Fprintf(w, "decode-timeout   %s\n", c.Upload.DecodeTimeout)
	fmt.Fprintf(w, "uploads-per-client %d\n", c.Upload.UploadsPerClient)
	fmt.Fprintf(w, "streams-per-client %d\n", c.HTTP.StreamsPerClient)
	fmt.Fprintf(w, "min-upload-rate  %d\n", c.Upload.MinUploadRate)
	fmt.Fprintf(w, "janitor-interval %s\n", c.Janitor.Interval)
	fmt.Fprintf(w, "no-migrate       %t\n", c.Storage.SkipMigrations)
	fmt.Fprintf(w, "secret-file      %t\n", c.Storage.Secret != nil)
	fmt.Fprintf(w, "media-redirect   %s\n", c.HTTP.MediaRedirect)
	fmt.Fprintf(w, "nsfw-feeds       %t\n", c.HTTP.NSFWFeeds)
	fmt.Fprintf(w, "express-memory   %s\n", chatpic.FormatSize(c.HTTP.ExpressMemory))
	// A webhook's URL is its secret: say only whether there is one.
	fmt.Fprintf(w, "alert-webhook    %t\n", c.Alerts.Webhook != "")
	fmt.Fprintf(w, "alert-queue-wait %s\n", c.Alerts.QueueWait)
}

// alerts reads the alert options into c. An alert links to the moderation
// queue, so it needs the site's public URL.
func alerts(c *Alerts, base *url.URL, v map[string]string) []error {
	var errs []error
	if raw := v["alert-webhook"]; raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, errors.New("--alert-webhook: not an http(s) URL"))
		case base == nil:
			errs = append(errs, errors.New("--alert-webhook: give --base-url too, for the link to the moderation queue in each alert"))
		default:
			c.Webhook = raw
		}
	}
	if raw := v["alert-queue-wait"]; raw != "off" {
		d, err := chatpic.ParseDuration(raw)
		if err != nil || d < time.Minute {
			errs = append(errs, fmt.Errorf("--alert-queue-wait: %q is not a duration of a minute or more, or off", raw))
		}
		c.QueueWait = d
	}
	return errs
}

// redacted returns s with any password it carries, as a URL's user
// information or in a password query parameter, replaced by "xxxxx"; s
// itself when it carries none, whatever kind of database it names.
func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	changed := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			changed = true
		}
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
			changed = true
		}
	}
	if !changed {
		return s
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// safety reads the abuse-control options into c.
func safety(c *Safety, v map[string]string) []error {
	var errs []error
	n, err := strconv.Atoi(v["pdq-threshold"])
	if err != nil || n < 0 || n > 128 {
		errs = append(errs, fmt.Errorf("--pdq-threshold: %q is not a whole number from 0 to 128", v["pdq-threshold"]))
	}
	c.PDQThreshold = n
	c.Limits = map[chatpic.Action]limit.Rule{}
	for _, a := range []chatpic.Action{chatpic.ActionUpload, chatpic.ActionComment, chatpic.ActionVote, chatpic.ActionReport, chatpic.ActionLogin, chatpic.ActionPassword} {
		name := "rate-" + string(a)
		r, err := limit.ParseRule(v[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %s", name, chatpic.ErrorMessage(err)))
		}
		c.Limits[a] = r
	}
	if c.Flood, err = limit.ParseRule(v["flood"]); err != nil {
		errs = append(errs, fmt.Errorf("--flood: %s", chatpic.ErrorMessage(err)))
	}
	if c.ChallengeBits, err = strconv.Atoi(v["challenge-bits"]); err != nil || c.ChallengeBits < 8 || c.ChallengeBits > 24 {
		errs = append(errs, fmt.Errorf("--challenge-bits: %q is not a whole number from 8 to 24", v["challenge-bits"]))
	}
	if c.KeyRotation, err = chatpic.ParseDuration(v["key-rotation"]); err != nil || c.KeyRotation < time.Hour || c.KeyRotation > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("--key-rotation: %q is not a duration from 1h to 30d", v["key-rotation"]))
	}
	if c.SessionLife, err = chatpic.ParseDuration(v["session-life"]); err != nil || c.SessionLife < time.Minute || c.SessionLife > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-life: %q is not a duration from 1m to 30d", v["session-life"]))
	}
	return errs
}
