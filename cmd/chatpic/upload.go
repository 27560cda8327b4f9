package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const uploadUsage = `usage:
  chatpic upload FILE... [--server URL] [--channel SLUG | --link-only] [--expires 1h] [--views N] [--caption TEXT]
                 [--sensitive] [--password-file F] [--album]
uploads each file to a running chatpic and prints its share link and its delete link;
with --album, all the files (up to 10) go as one upload, shown together on one page.
Without --channel the upload is link-only (in no channel; it vanishes after 24 hours unless --expires says otherwise).
--password-file locks link-only uploads with the first line of F ("-" for standard input), kept off the command line.
--server defaults to $CHATPIC_SERVER, else http://localhost:8080.`

// progressMin is the smallest file that gets a progress bar.
const progressMin = 1 << 20

// cmdUpload uploads files through the JSON API of a running server, one
// after the other, as curl or ShareX would. A file the server refuses is
// reported with the server's message and the others are still sent; the
// command then fails.
func cmdUpload(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, uploadUsage); fs.PrintDefaults() }
	server := fs.String("server", "", "the chatpic to upload to (default $CHATPIC_SERVER, else http://localhost:8080)")
	channel := fs.String("channel", "", "post into this channel")
	linkOnly := fs.Bool("link-only", false, "upload by link only, in no channel (the default)")
	expires := fs.String("expires", "", "vanish after this long, e.g. 10m, 1h, 7d (link-only: default 24h; a channel: only shorter than its rule)")
	views := fs.Int("views", 0, "link-only: vanish after this many views")
	caption := fs.String("caption", "", "a caption for every file")
	sensitive := fs.Bool("sensitive", false, "show them blurred until each viewer chooses to see them")
	passwordFile := fs.String("password-file", "", "link-only: lock them with the password on the first line of this file (- for standard input)")
	album := fs.Bool("album", false, "post all the files as one upload (an album of up to 10)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) == 0:
		fmt.Fprintln(e.stderr, uploadUsage)
		return errors.New("upload: name at least one file")
	case *channel != "" && *linkOnly:
		return errors.New("upload: say --channel or --link-only, not both")
	case *channel != "" && *views != 0:
		return errors.New("upload: --views is for link-only uploads")
	case *views < 0:
		return errors.New("upload: --views must be 1 or more")
	case *channel != "" && *passwordFile != "":
		return errors.New("upload: --password-file is for link-only uploads")
	}
	base := *server
	if base == "" {
		base = e.getenv("CHATPIC_SERVER")
	}
	if base == "" {
		base = "http://localhost:8080"
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("upload: --server %q is not an http:// or https:// address", base)
	}
	endpoint := u.String() + "/api/v1/uploads"
	if *channel != "" {
		endpoint = u.String() + "/api/v1/channels/" + url.PathEscape(*channel) + "/posts"
	}
	fields := map[string]string{}
	if *caption != "" {
		fields["caption"] = *caption
	}
	if *expires != "" {
		fields["expires_in"] = *expires
	}
	if *views > 0 {
		fields["max_views"] = strconv.Itoa(*views)
	}
	if *sensitive {
		fields["sensitive"] = "true"
	}
	if *passwordFile != "" {
		secret, err := readPasswordFile(e, *passwordFile)
		if err != nil {
			return err
		}
		fields["password"] = secret
	}
	up := uploader{endpoint: endpoint, fields: fields, client: http.DefaultClient}
	if isTerminal(e.stderr) {
		up.progress = e.stderr
	}
	batches := make([][]string, 0, len(files))
	for _, name := range files {
		batches = append(batches, []string{name})
	}
	if *album {
		batches = [][]string{files}
	}
	failed := 0
	for _, names := range batches {
		res, err := up.send(ctx, names...)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			what := names[0]
			if len(names) > 1 {
				what = fmt.Sprintf("the album of %d files", len(names))
			}
			fmt.Fprintf(e.stderr, "chatpic upload: %s: %v\n", what, err)
			failed += len(names)
			continue
		}
		line := res.URL
		if res.DeleteURL != "" {
			line += "  delete: " + res.DeleteURL
		}
		if res.Status == "pending" {
			line += "  (waiting for a moderator's review)"
		}
		fmt.Fprintln(e.stdout, line)
	}
	if failed > 0 {
		return fmt.Errorf("upload: %d of %d files failed", failed, len(files))
	}
	return nil
}

// uploader sends files to one API endpoint.
type uploader struct {
	endpoint string
	fields   map[string]string
	client   *http.Client
	// progress, when set, is the terminal that shows a progress bar for
	// large files.
	progress io.Writer
}

// uploaded is the part of the API's answer to an upload that the command
// prints.
type uploaded struct {
	URL       string `json:"url"`
	DeleteURL string `json:"delete_url"`
	Status    string `json:"status"`
}

// send uploads files as one upload (an album when there are several),
// streaming them from disk: the body is the form's fields, each file
// behind its part's head, and the closing boundary, its length known in
// advance so that the server can refuse an upload that is too large
// before it is sent. The error is the server's message when it refuses
// the upload, with its reason for each file it names.
func (u uploader) send(ctx context.Context, names ...string) (uploaded, error) {
	var parts []io.Reader
	var length, size int64
	var seg bytes.Buffer
	mw := multipart.NewWriter(&seg)
	for k, v := range u.fields { // fields first: the server reads them before the files
		if err := mw.WriteField(k, v); err != nil {
			return uploaded{}, err
		}
	}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return uploaded{}, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return uploaded{}, err
		}
		if !st.Mode().IsRegular() {
			return uploaded{}, fmt.Errorf("%s is not a regular file", name)
		}
		// The server would ignore the file's own name; it is not sent at
		// all, as the page's script does not send it.
		if _, err := mw.CreateFormFile("file", "upload"); err != nil {
			return uploaded{}, err
		}
		head := bytes.Clone(seg.Bytes())
		seg.Reset()
		parts = append(parts, bytes.NewReader(head), f)
		length += int64(len(head)) + st.Size()
		size += st.Size()
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n" // what mw.Close would write
	parts = append(parts, strings.NewReader(tail))
	length += int64(len(tail))
	var body io.Reader = io.MultiReader(parts...)
	if u.progress != nil && size >= progressMin {
		label := filepath.Base(names[0])
		if len(names) > 1 {
			label = fmt.Sprintf("%d files", len(names))
		}
		bar := &progressBar{w: u.progress, name: label, total: length}
		defer bar.done()
		body = io.TeeReader(body, bar)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint, body)
	if err != nil {
		return uploaded{}, err
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	res, err := u.client.Do(req)
	if err != nil {
		return uploaded{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return uploaded{}, err
	}
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusAccepted {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Files   []struct {
					File    int    `json:"file"`
					Message string `json:"message"`
				} `json:"files"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg := e.Error.Message
			if len(e.Error.Files) > 0 {
				var named []string
				for _, f := range e.Error.Files {
					if f.File >= 1 && f.File <= len(names) {
						named = append(named, fmt.Sprintf("%s: %s", names[f.File-1], f.Message))
					}
				}
				msg = fmt.Sprintf("nothing was posted; %s", strings.Join(named, "; "))
			}
			return uploaded{}, fmt.Errorf("%s (%d)", msg, res.StatusCode)
		}
		return uploaded{}, fmt.Errorf("the server answered %s", res.Status)
	}
	var out uploaded
	if err := json.Unmarshal(b, &out); err != nil || out.URL == "" {
		return uploaded{}, fmt.Errorf("the server's answer has no link: %.200s", b)
	}
	return out, nil
}

// isTerminal reports whether w is a terminal (a character device), where
// a progress bar that redraws itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws how much of a file is sent on one terminal line,
// redrawn at most every 100 ms.
type progressBar struct {
	w     io.Writer
	name  string
	total int64
	sent  int64
	last  time.Time
}

func (p *progressBar) Write(b []byte) (int, error) {
	p.sent += int64(len(b))
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.sent == p.total {
		p.last = now
		fmt.Fprint(p.w, "\r"+p.line())
	}
	return len(b), nil
}

// done ends the bar's line.
func (p *progressBar) done() { fmt.Fprint(p.w, "\r"+p.line()+"\n") }

// line is the bar as text: name, bar, percentage and megabytes.
func (p *progressBar) line() string {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(1, float64(p.sent)/float64(p.total))
	}
	n := int(frac * width)
	name := p.name
	if len(name) > 24 {
		name = strings.ToValidUTF8(name[:23], "") + "…"
	}
	return fmt.Sprintf("%-24s [%s%s] %3d%% %.1f/%.1f MB", name, strings.Repeat("=", n), strings.Repeat(" ", width-n),
		int(frac*100), float64(p.sent)/(1<<20), float64(p.total)/(1<<20))
}

// readPasswordFile returns the first line of the file name, or of standard
// input for "-", without its line ending.
func readPasswordFile(e env, name string) (string, error) {
	r := e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("upload: --password-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("upload: --password-file: %w", err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", errors.New("upload: --password-file: the first line is empty")
	}
	return line, nil
}
