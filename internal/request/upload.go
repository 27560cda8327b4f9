package request

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
)

// maxFieldBytes bounds each text field of an upload form. A caption is at
// most 500 characters of up to 4 bytes each.
const maxFieldBytes = 4 << 10

// formOverhead is what a multipart body may carry besides the file: part
// headers, boundaries and text fields.
const formOverhead = 64 << 10

// Upload is a parsed upload form. Close removes the spooled files.
type Upload struct {
	Caption string
	// Files are the "file" parts, in order: one, or several for an album
	// (at most chatpic.MaxFiles).
	Files []*posting.Spooled
	// Channel is the "channel" field, for forms that pick one.
	Channel string
	// ExpiresIn is the "expires_in" field ("10m", "1h", "7d"), 0 if absent.
	ExpiresIn time.Duration
	// Proof is the proof-of-work solution: the "pow" field or the
	// X-Chatpic-Pow header.
	Proof string
	// MaxViews is the "max_views" field, 0 if absent.
	MaxViews int
	// Sensitive is the "sensitive" field: a checkbox, or true/false.
	Sensitive bool
	// Password is the "password" field: locks a link-only upload.
	Password string
	// Separate is the web forms' "album" field set to "separate": the
	// files are to be posted one by one, each as its own upload, rather
	// than as one album ("one", or no field). The JSON API ignores it.
	Separate bool
	// shared is set when the file is a held share (the "share" field).
	shared bool
}

// Draft returns what the form asks to post, from client.
func (u *Upload) Draft(client netip.Addr) posting.Draft {
	return posting.Draft{Files: u.Files, Caption: u.Caption, Sensitive: u.Sensitive, Password: u.Password, ExpiresIn: u.ExpiresIn, Proof: u.Proof, Client: client}
}

// Close removes the spooled files, if any.
func (u *Upload) Close() error {
	for _, f := range u.Files {
		f.Close()
	}
	return nil
}

// spooler is what ParseUpload needs of the posting service.
type spooler interface {
	Spool(r io.Reader) (*posting.Spooled, error)
	// SpoolShare spools the files of the held share id (see
	// posting.Service.SpoolShare).
	SpoolShare(ctx context.Context, id string) ([]*posting.Spooled, error)
	MaxBytes() int64
	UploadBytes() int64
}

// admitter is what AdmitUpload needs of the posting service.
type admitter interface {
	spooler
	Admit(ctx context.Context, client netip.Addr) (*posting.Pass, error)
	// UploadRate is the least pace an upload's body must keep.
	UploadRate() (bytesPerSecond int64, grace time.Duration)
}

// AdmitUpload decides everything about an upload that its request line and
// headers tell, before a byte of its body is read: CheckUpload, then the
// client's admission (posting.Service.Admit: rate limit, ban, uploads in
// flight), then, when slug is not "", the channel (it exists and is open).
// An admitted body must then keep the service's UploadRate, or reading it
// fails with KindTimeout (408). The caller releases the Pass when the
// request ends.
func AdmitUpload(w http.ResponseWriter, r *http.Request, svc admitter, origin *Origin, slug string) (*posting.Pass, error) {
	if err := CheckUpload(r, svc); err != nil {
		return nil, err
	}
	pass, err := svc.Admit(r.Context(), origin.ClientAddr(r))
	if err != nil {
		return nil, err
	}
	if slug != "" {
		if err := pass.Channel(r.Context(), slug); err != nil {
			pass.Release()
			return nil, err
		}
	}
	rate, grace := svc.UploadRate()
	EnforceBodyRate(w, r, BodyRate{Rate: rate, Grace: grace})
	return pass, nil
}

// CheckUpload decides what the request line and headers tell of an upload,
// before its body is read: it must be multipart/form-data
// (KindUnsupported) and must not announce more than the largest upload
// (KindTooLarge).
func CheckUpload(r *http.Request, svc spooler) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return chatpic.Errorf(chatpic.KindUnsupported, "send the file as multipart/form-data in a field called \"file\"")
	}
	if r.ContentLength > uploadLimit(svc) {
		return tooLargeAll(svc.UploadBytes())
	}
	return nil
}

// uploadLimit bounds the body of an upload: its files, and the part
// headers, boundaries and text fields of a form of MaxFiles of them.
func uploadLimit(svc spooler) int64 {
	return svc.UploadBytes() + formOverhead
}

// ParseUpload streams a multipart/form-data body with one "file" part, or
// up to chatpic.MaxFiles of them for an album, and an optional "caption"
// field. Each file is spooled to disk as it arrives and refused with
// KindTooLarge as soon as it passes the limit for one file, or the body
// as soon as it passes the limit for all (posting.Service.UploadBytes);
// nothing is held in memory whole. The file's name and the part's Content-Type are ignored.
// A "share" field in place of the file names a held share (the web app's
// share target, see posting.Service.Hold), which is spooled instead; its
// errors are SpoolShare's.
// onChannel, if not nil, is called with the "channel" field when one comes
// before the file, and its error refuses the upload before the file is
// read. Errors: CheckUpload's, KindInvalid (not a valid form, no file,
// too many files, a share with other files, a field too long), KindTooLarge, and onChannel's. On error
// nothing is left behind; otherwise the caller closes the Upload.
func ParseUpload(w http.ResponseWriter, r *http.Request, svc spooler, onChannel func(slug string) error) (*Upload, error) {
	up, err := parseUpload(w, r, svc, onChannel)
	if err != nil {
		up.Close()
		return nil, err
	}
	return up, nil
}

func parseUpload(w http.ResponseWriter, r *http.Request, svc spooler, onChannel func(string) error) (*Upload, error) {
	up := &Upload{Proof: r.Header.Get("X-Chatpic-Pow")}
	if err := CheckUpload(r, svc); err != nil {
		return up, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, uploadLimit(svc))
	mr, err := r.MultipartReader()
	if err != nil {
		return up, chatpic.Errorf(chatpic.KindInvalid, "the upload is not a valid form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return up, bodyError(err, tooLargeAll(svc.UploadBytes()))
		}
		switch part.FormName() {
		case "share":
			var id string
			if id, err = field(part); err == nil && strings.TrimSpace(id) != "" {
				if len(up.Files) > 0 {
					err = errShareAlone
				} else {
					up.Files, err = svc.SpoolShare(r.Context(), strings.TrimSpace(id))
					up.shared = true
				}
			}
		case "file":
			if err := up.addFile(svc, part); err != nil {
				part.Close()
				return up, err
			}
		case "caption":
			up.Caption, err = field(part)
		case "pow":
			up.Proof, err = field(part)
		case "channel":
			if up.Channel, err = field(part); err == nil && len(up.Files) == 0 && onChannel != nil {
				err = onChannel(up.Channel)
			}
		case "password":
			up.Password, err = field(part)
		case "album":
			var v string
			if v, err = field(part); err == nil {
				switch strings.TrimSpace(v) {
				case "", "one":
				case "separate":
					up.Separate = true
				default:
					err = chatpic.Errorf(chatpic.KindInvalid, "album must be one or separate")
				}
			}
		case "sensitive":
			var v string
			if v, err = field(part); err == nil {
				up.Sensitive, err = parseSwitch("sensitive", v)
			}
		case "max_views":
			var v string
			if v, err = field(part); err == nil && strings.TrimSpace(v) != "" {
				if up.MaxViews, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || up.MaxViews < 1 {
					err = chatpic.Errorf(chatpic.KindInvalid, "max_views must be a whole number such as 1, 10 or 100")
				}
			}
		case "expires_in":
			var v string
			if v, err = field(part); err == nil && strings.TrimSpace(v) != "" {
				if up.ExpiresIn, err = chatpic.ParseDuration(v); err != nil {
					err = chatpic.Errorf(chatpic.KindInvalid, "expires_in must be a duration such as 10m, 1h or 7d")
				}
			}
		}
		part.Close()
		if err != nil {
			return up, bodyError(err, tooLargeAll(svc.UploadBytes()))
		}
	}
	if len(up.Files) == 0 {
		return up, chatpic.Errorf(chatpic.KindInvalid, "choose a file to upload (form field \"file\")")
	}
	return up, nil
}

// addFile spools the next "file" part of the form. A file past the first
// that is refused is named in the error, as posting names the files it
// refuses.
func (up *Upload) addFile(svc spooler, part io.Reader) error {
	n := len(up.Files) + 1
	switch {
	case up.shared:
		return errShareAlone
	case n > chatpic.MaxFiles:
		return chatpic.Errorf(chatpic.KindInvalid, "an upload carries at most %d files", chatpic.MaxFiles)
	}
	sp, err := svc.Spool(limitErrors{part, tooLargeAll(svc.UploadBytes())})
	if err != nil {
		if n > 1 && chatpic.ErrorKind(err) == chatpic.KindTooLarge {
			e := chatpic.Errorf(chatpic.KindTooLarge, "file %d was refused, so nothing was posted: %s", n, err)
			e.Files, e.Err = []chatpic.FileRefusal{chatpic.RefuseFile(n, err)}, err
			return e
		}
		return err
	}
	up.Files = append(up.Files, sp)
	return nil
}

var errShareAlone = chatpic.Errorf(chatpic.KindInvalid, "a shared file is posted by itself")

func field(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFieldBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFieldBytes {
		return "", chatpic.Errorf(chatpic.KindInvalid, "a form field is too long")
	}
	return string(b), nil
}

// limitErrors turns the body-limit error into KindTooLarge while the file
// part is read, so the posting service sees a classified error.
type limitErrors struct {
	r        io.Reader
	tooLarge error // what passing the body's limit is
}

func (l limitErrors) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError(err, l.tooLarge)
	}
	return n, err
}

// bodyError classifies an error from reading an upload's body: tooLarge
// once it passed its limit, a *chatpic.Error as it is, and anything else
// as a body cut off.
func bodyError(err error, tooLarge error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
	}
	if _, ok := errors.AsType[*chatpic.Error](err); ok {
		return err
	}
	return chatpic.Errorf(chatpic.KindInvalid, "the upload was cut off or is not a valid form")
}

func tooLargeAll(max int64) error {
	return chatpic.Errorf(chatpic.KindTooLarge, "the files of one upload are limited to %s in all", chatpic.FormatSize(max))
}

func tooLarge(max int64) error {
	return chatpic.Errorf(chatpic.KindTooLarge, "files are limited to %s", chatpic.FormatSize(max))
}

// parseSwitch reads a yes-or-no form field: a checked checkbox sends "on";
// scripts may send true or false, 1 or 0, yes or no; empty is no.
func parseSwitch(name, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1", "yes":
		return true, nil
	case "", "off", "false", "0", "no":
		return false, nil
	}
	return false, chatpic.Errorf(chatpic.KindInvalid, "%s must be true or false", name)
}
