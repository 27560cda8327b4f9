package request

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
)

func TestStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"invalid", chatpic.Errorf(chatpic.KindInvalid, "x"), http.StatusBadRequest},
		{"not found", chatpic.Errorf(chatpic.KindNotFound, "x"), http.StatusNotFound},
		{"gone", chatpic.Gone(chatpic.ReasonExpired, "x"), http.StatusGone},
		{"too large", chatpic.Errorf(chatpic.KindTooLarge, "x"), http.StatusRequestEntityTooLarge},
		{"unsupported", chatpic.Errorf(chatpic.KindUnsupported, "x"), http.StatusUnsupportedMediaType},
		{"unprocessable", chatpic.Errorf(chatpic.KindUnprocessable, "x"), http.StatusUnprocessableEntity},
		{"forbidden", chatpic.Errorf(chatpic.KindForbidden, "x"), http.StatusForbidden},
		{"rate limited", chatpic.Errorf(chatpic.KindRateLimited, "x"), http.StatusTooManyRequests},
		{"conflict", chatpic.Errorf(chatpic.KindConflict, "x"), http.StatusConflict},
		{"unavailable", chatpic.Unavailable(time.Minute, "x"), http.StatusServiceUnavailable},
		{"storage full", chatpic.StorageFull(errors.New("posting: spooling the upload: no space left on device")), http.StatusInsufficientStorage},
		{"timeout", chatpic.Errorf(chatpic.KindTimeout, "x"), http.StatusRequestTimeout},
		{"internal", chatpic.Internal(errors.New("x")), http.StatusInternalServerError},
		{"wrapped kind", fmt.Errorf("posting: %w", chatpic.Errorf(chatpic.KindNotFound, "x")), http.StatusNotFound},
		{"plain error", errors.New("disk on fire"), http.StatusInternalServerError},
		{"unknown kind", &chatpic.Error{Kind: "no-such-kind"}, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Status(tt.err); got != tt.want {
				t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		query  string
		sort   chatpic.Sort
		before int64
		score  int
		limit  int
	}{
		{"", chatpic.SortNew, 0, 0, DefaultPageSize},
		{"before=5&limit=10", chatpic.SortNew, 5, 0, 10},
		{"limit=1", chatpic.SortNew, 0, 0, 1},
		{"before=1", chatpic.SortNew, 1, 0, DefaultPageSize},
		{"before=9223372036854775807", chatpic.SortNew, 1<<63 - 1, 0, DefaultPageSize},
		{"before=&limit=", chatpic.SortNew, 0, 0, DefaultPageSize},
		{"other=x", chatpic.SortNew, 0, 0, DefaultPageSize},
		{"sort=new&before=7", chatpic.SortNew, 7, 0, DefaultPageSize},
		{"sort=top", chatpic.SortTop, 0, 0, DefaultPageSize},
		{"sort=top&before=-2_9", chatpic.SortTop, 9, -2, DefaultPageSize},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/c/memes?"+tt.query, nil)
			sort, after, limit, err := Page(r)
			if err != nil || sort != tt.sort || after.Seq != tt.before || after.Score != tt.score || limit != tt.limit {
				t.Errorf("Page(?%s) = %s, %+v, %d, %v; want %s, %d/%d, %d, nil", tt.query, sort, after, limit, err, tt.sort, tt.score, tt.before, tt.limit)
			}
		})
	}
	if DefaultPageSize != 60 {
		t.Errorf("DefaultPageSize = %d, want 60", DefaultPageSize)
	}
}

func TestPageRefuses(t *testing.T) {
	for _, query := range []string{
		"before=abc",
		"before=0",
		"before=-3",
		"before=1.5",
		"before=99999999999999999999",
		"limit=-1",
		"limit=0",
		"limit=ten",
		"limit=1e3",
		"before=5&limit=-1",
		"sort=hot",
		"sort=top&before=5",
		"sort=new&before=1_5",
	} {
		t.Run(query, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/c/memes?"+query, nil)
			_, after, limit, err := Page(r)
			if chatpic.ErrorKind(err) != chatpic.KindInvalid {
				t.Errorf("Page(?%s) = %+v, %d, %v; want a %q error", query, after, limit, err, chatpic.KindInvalid)
			}
		})
	}
}

// formPart is one part of a multipart form; a part with a filename is a file.
type formPart struct {
	name, filename, value string
}

func multipartBody(t *testing.T, fields ...formPart) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		var w io.Writer
		var err error
		if f.filename != "" {
			w, err = mw.CreateFormFile(f.name, f.filename)
		} else {
			w, err = mw.CreateFormField(f.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// newSpooler returns a real posting service that can spool (it has no store
// or blob store, which Spool does not use) and the folder it spools into.
func newSpooler(t *testing.T, maxBytes int64) (*posting.Service, string) {
	dir := t.TempDir()
	return posting.New(nil, nil, nil, time.Now, posting.Config{MaxBytes: maxBytes, TempDir: dir}), dir
}

func tempFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestParseUpload(t *testing.T) {
	const max = 2048
	file := strings.Repeat("x", 1000)
	tests := []struct {
		name    string
		fields  []formPart
		caption string
		channel string
		size    int64
	}{
		{"file only", []formPart{{"file", "a.jpg", file}}, "", "", 1000},
		{"file, caption and channel", []formPart{{"caption", "", "a cat"}, {"channel", "", "memes"}, {"file", "a.jpg", file}}, "a cat", "memes", 1000},
		{"caption after the file", []formPart{{"file", "a.jpg", file}, {"caption", "", "after"}}, "after", "", 1000},
		{"unknown fields ignored", []formPart{{"extra", "", "zzz"}, {"file", "a.jpg", file}, {"other", "x.txt", "yyy"}}, "", "", 1000},
		{"caption is not cleaned here", []formPart{{"caption", "", "  two\r\nlines "}, {"file", "a.jpg", file}}, "  two\r\nlines ", "", 1000},
		{"caption of 4096 bytes", []formPart{{"caption", "", strings.Repeat("😀", 1024)}, {"file", "a.jpg", file}}, strings.Repeat("😀", 1024), "", 1000},
		{"file of exactly the limit", []formPart{{"file", "a.jpg", strings.Repeat("y", max)}}, "", "", max},
		{"file part without a filename", []formPart{{"file", "", file}}, "", "", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, dir := newSpooler(t, max)
			body, ct := multipartBody(t, tt.fields...)
			r := httptest.NewRequest(http.MethodPost, "/upload", body)
			r.Header.Set("Content-Type", ct)
			up, err := ParseUpload(httptest.NewRecorder(), r, svc, nil)
			if err != nil {
				t.Fatalf("ParseUpload() = %v", err)
			}
			if up.Caption != tt.caption || up.Channel != tt.channel {
				t.Errorf("caption, channel = %q, %q; want %q, %q", up.Caption, up.Channel, tt.caption, tt.channel)
			}
			if len(up.Files) != 1 || up.Files[0].Size() != tt.size {
				t.Fatalf("Files = %+v, want one spooled file of %d bytes", up.Files, tt.size)
			}
			if n := tempFiles(t, dir); n != 1 {
				t.Errorf("%d spooled files before Close, want 1", n)
			}
			if err := up.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
			if n := tempFiles(t, dir); n != 0 {
				t.Errorf("%d spooled files left after Close, want 0", n)
			}
		})
	}
}

func TestParseUploadRefuses(t *testing.T) {
	const max = 2048
	goodFile := formPart{"file", "a.jpg", strings.Repeat("x", 1000)}
	tests := []struct {
		name string
		// req builds the request; by default a multipart body of fields.
		fields []formPart
		req    func(t *testing.T, fields []formPart) *http.Request
		kind   chatpic.Kind
	}{
		{
			name: "JSON body", kind: chatpic.KindUnsupported,
			req: func(t *testing.T, _ []formPart) *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(`{"file":"x"}`))
				r.Header.Set("Content-Type", "application/json")
				return r
			},
		},
		{
			name: "urlencoded form", kind: chatpic.KindUnsupported,
			req: func(t *testing.T, _ []formPart) *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader("file=x"))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			},
		},
		{
			name: "no content type", kind: chatpic.KindUnsupported,
			req: func(t *testing.T, _ []formPart) *http.Request {
				return httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader("x"))
			},
		},
		{
			name: "multipart/mixed", kind: chatpic.KindUnsupported, fields: []formPart{goodFile},
			req: func(t *testing.T, fields []formPart) *http.Request {
				r := formRequest(t, fields)
				r.Header.Set("Content-Type", strings.Replace(r.Header.Get("Content-Type"), "form-data", "mixed", 1))
				return r
			},
		},
		{
			name: "multipart without a boundary", kind: chatpic.KindInvalid, fields: []formPart{goodFile},
			req: func(t *testing.T, fields []formPart) *http.Request {
				r := formRequest(t, fields)
				r.Header.Set("Content-Type", "multipart/form-data")
				return r
			},
		},
		{
			name: "body is not multipart", kind: chatpic.KindInvalid,
			req: func(t *testing.T, _ []formPart) *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader("just some bytes"))
				r.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
				return r
			},
		},
		{name: "empty form", kind: chatpic.KindInvalid, fields: nil},
		{name: "no file field", kind: chatpic.KindInvalid, fields: []formPart{{"caption", "", "a cat"}, {"image", "a.jpg", "xxx"}}},
		{name: "eleven files", kind: chatpic.KindInvalid, fields: slices.Repeat([]formPart{goodFile}, chatpic.MaxFiles+1)},
		{name: "a share with a file", kind: chatpic.KindInvalid, fields: []formPart{goodFile, {"share", "", "whatever"}}},
		{name: "empty file", kind: chatpic.KindInvalid, fields: []formPart{{"file", "a.jpg", ""}}},
		{name: "caption of 4097 bytes", kind: chatpic.KindInvalid, fields: []formPart{goodFile, {"caption", "", strings.Repeat("a", maxFieldBytes+1)}}},
		{name: "channel field too long", kind: chatpic.KindInvalid, fields: []formPart{{"channel", "", strings.Repeat("a", 5000)}, goodFile}},
		{name: "file one byte over the limit", kind: chatpic.KindTooLarge, fields: []formPart{{"file", "a.jpg", strings.Repeat("x", max+1)}}},
		{
			name: "Content-Length over the limit", kind: chatpic.KindTooLarge, fields: []formPart{goodFile},
			req: func(t *testing.T, fields []formPart) *http.Request {
				r := formRequest(t, fields)
				r.ContentLength = chatpic.MaxFiles*max + formOverhead + 1
				return r
			},
		},
		{
			name: "streamed body over the limit", kind: chatpic.KindTooLarge,
			fields: []formPart{{"padding", "", strings.Repeat("p", chatpic.MaxFiles*max+formOverhead)}, goodFile},
			req: func(t *testing.T, fields []formPart) *http.Request {
				r := formRequest(t, fields)
				r.ContentLength = -1 // chunked: the limit is only found while reading
				return r
			},
		},
		{
			// The fields before the file use up most of the body limit, so
			// the limit is reached while the file is spooled.
			name: "body limit reached inside the file", kind: chatpic.KindTooLarge,
			fields: []formPart{{"padding", "", strings.Repeat("p", (chatpic.MaxFiles-1)*max+formOverhead)}, {"file", "a.jpg", strings.Repeat("x", max)}},
			req: func(t *testing.T, fields []formPart) *http.Request {
				r := formRequest(t, fields)
				r.ContentLength = -1
				return r
			},
		},
		{
			name: "body cut off inside the file", kind: chatpic.KindInvalid,
			req: func(t *testing.T, _ []formPart) *http.Request {
				body, ct := multipartBody(t, formPart{"file", "a.jpg", strings.Repeat("x", 1500)})
				r := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body.Bytes()[:body.Len()-600]))
				r.Header.Set("Content-Type", ct)
				return r
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, dir := newSpooler(t, max)
			var r *http.Request
			if tt.req != nil {
				r = tt.req(t, tt.fields)
			} else {
				r = formRequest(t, tt.fields)
			}
			up, err := ParseUpload(httptest.NewRecorder(), r, svc, nil)
			if got := chatpic.ErrorKind(err); got != tt.kind {
				t.Errorf("ParseUpload() = %v (kind %q), want a %q error", err, got, tt.kind)
			}
			if _, ok := errors.AsType[*chatpic.Error](err); !ok {
				t.Errorf("ParseUpload() error %v is not a *chatpic.Error", err)
			}
			if up != nil {
				t.Fatal("ParseUpload() returned an Upload with its error")
			}
			if n := tempFiles(t, dir); n != 0 {
				t.Errorf("%d spooled files left after a refused upload, want 0", n)
			}
		})
	}
}

func formRequest(t *testing.T, fields []formPart) *http.Request {
	t.Helper()
	body, ct := multipartBody(t, fields...)
	r := httptest.NewRequest(http.MethodPost, "/upload", body)
	r.Header.Set("Content-Type", ct)
	return r
}

func TestParseUploadTooLargeMessage(t *testing.T) {
	svc, _ := newSpooler(t, 20_000_000)
	r := formRequest(t, []formPart{{"file", "a.jpg", "x"}})
	r.ContentLength = 1 << 40
	_, err := ParseUpload(httptest.NewRecorder(), r, svc, nil)
	if got, want := chatpic.ErrorMessage(err), "the files of one upload are limited to 200 MB in all"; got != want {
		t.Errorf("ErrorMessage() = %q, want %q", got, want)
	}
}

// TestParseUploadAlbum reads several "file" parts in order, and names the
// file that is too large, so the uploader knows which one to leave out.
func TestParseUploadAlbum(t *testing.T) {
	svc, dir := newSpooler(t, 1000)
	up, err := ParseUpload(httptest.NewRecorder(), formRequest(t, []formPart{
		{"file", "a.jpg", strings.Repeat("a", 10)}, {"caption", "", "three"}, {"file", "b.jpg", strings.Repeat("b", 20)}, {"file", "c.jpg", strings.Repeat("c", 30)},
	}), svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, f := range up.Files {
		sizes = append(sizes, f.Size())
	}
	if !slices.Equal(sizes, []int64{10, 20, 30}) || up.Caption != "three" {
		t.Errorf("files of %v bytes, caption %q; want 10, 20 and 30 bytes in order, and the caption", sizes, up.Caption)
	}
	if n := tempFiles(t, dir); n != 3 {
		t.Errorf("%d spooled files, want 3", n)
	}
	up.Close()
	if n := tempFiles(t, dir); n != 0 {
		t.Errorf("%d spooled files left after Close", n)
	}

	_, err = ParseUpload(httptest.NewRecorder(), formRequest(t, []formPart{
		{"file", "a.jpg", "aaa"}, {"file", "b.jpg", strings.Repeat("b", 1001)}, {"file", "c.jpg", "ccc"},
	}), svc, nil)
	files := chatpic.ErrorFiles(err)
	if chatpic.ErrorKind(err) != chatpic.KindTooLarge || len(files) != 1 || files[0].File != 2 || files[0].Kind != chatpic.KindTooLarge {
		t.Errorf("a second file over the limit: %v, files %+v; want too_large naming file 2", err, files)
	}
	if got, want := chatpic.ErrorMessage(err), "file 2 was refused, so nothing was posted: files are limited to 1 KB"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if n := tempFiles(t, dir); n != 0 {
		t.Errorf("%d spooled files left after a refusal", n)
	}
}

// TestParseUploadSensitive reads the "sensitive" field as a checkbox sends
// it and as scripts may, and refuses anything else.
func TestParseUploadSensitive(t *testing.T) {
	file := formPart{"file", "a.jpg", strings.Repeat("x", 100)}
	svc, _ := newSpooler(t, 1000)
	for _, tt := range []struct {
		value string
		want  bool
		ok    bool
	}{
		{"on", true, true}, {"true", true, true}, {"1", true, true}, {"YES", true, true}, {" true ", true, true},
		{"", false, true}, {"off", false, true}, {"false", false, true}, {"0", false, true}, {"no", false, true},
		{"maybe", false, false}, {"2", false, false},
	} {
		t.Run(tt.value, func(t *testing.T) {
			up, err := ParseUpload(httptest.NewRecorder(), formRequest(t, []formPart{{"sensitive", "", tt.value}, file}), svc, nil)
			if !tt.ok {
				if chatpic.ErrorKind(err) != chatpic.KindInvalid {
					t.Fatalf("sensitive=%q: %v, want an invalid-input error", tt.value, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer up.Close()
			if up.Sensitive != tt.want || up.Draft(netip.Addr{}).Sensitive != tt.want {
				t.Errorf("sensitive=%q read as %t, want %t", tt.value, up.Sensitive, tt.want)
			}
		})
	}
	up, err := ParseUpload(httptest.NewRecorder(), formRequest(t, []formPart{file}), svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if up.Sensitive {
		t.Error("an upload without the field is marked sensitive")
	}
}

// TestParseUploadAlbumChoice reads the web forms' "album" field: "one"
// (or none) makes one post, "separate" separate posts, anything else is
// refused.
func TestParseUploadAlbumChoice(t *testing.T) {
	file := formPart{"file", "a.jpg", strings.Repeat("x", 100)}
	svc, _ := newSpooler(t, 1000)
	for _, tt := range []struct {
		name  string
		parts []formPart
		want  bool
		ok    bool
	}{
		{"none", []formPart{file, file}, false, true},
		{"one", []formPart{{"album", "", "one"}, file, file}, false, true},
		{"empty", []formPart{{"album", "", ""}, file, file}, false, true},
		{"separate", []formPart{{"album", "", "separate"}, file, file}, true, true},
		{"separate after the files", []formPart{file, file, {"album", "", " separate "}}, true, true},
		{"nonsense", []formPart{{"album", "", "both"}, file, file}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up, err := ParseUpload(httptest.NewRecorder(), formRequest(t, tt.parts), svc, nil)
			if !tt.ok {
				if chatpic.ErrorKind(err) != chatpic.KindInvalid {
					t.Fatalf("%v, want an invalid-input error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer up.Close()
			if up.Separate != tt.want {
				t.Errorf("Separate is %t, want %t", up.Separate, tt.want)
			}
		})
	}
}
