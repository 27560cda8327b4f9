package request

import (
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

// Upload is a parsed upload form. Close removes the spooled file.
type Upload struct {
	Caption string
	File    *posting.Spooled
	// Channel is the "channel" field, for forms that pick one.
	Channel string
	// ExpiresIn is the "expires_in" field ("10m", "1h", "7d"), 0 if absent.
	ExpiresIn time.Duration
	// Proof is the proof-of-work solution: the "pow" field or the
	// X-Chatpic-Pow header.
	Proof string
	// MaxViews is the "max_views" field, 0 if absent.
	MaxViews int
}

// Draft returns what the form asks to post, from client.
func (u *Upload) Draft(client netip.Addr) posting.Draft {
	return posting.Draft{File: u.File, Caption: u.Caption, ExpiresIn: u.ExpiresIn, Proof: u.Proof, Client: client}
}

// Close removes the spooled file, if any.
func (u *Upload) Close() error { return u.File.Close() }

// spooler is what ParseUpload needs of the posting service.
type spooler interface {
	Spool(r io.Reader) (*posting.Spooled, error)
	MaxBytes() int64
}

// ParseUpload streams a multipart/form-data body with a "file" part and an
// optional "caption" field. The file is spooled to disk as it arrives and
// refused with KindTooLarge as soon as it passes the limit; nothing is held
// in memory whole. The file's name and the part's Content-Type are ignored.
// Errors: KindInvalid (not multipart, no file, several files, a field too
// long), KindTooLarge, KindUnsupported (not multipart/form-data). On error
// nothing is left behind; otherwise the caller closes the Upload.
func ParseUpload(w http.ResponseWriter, r *http.Request, svc spooler) (*Upload, error) {
	up, err := parseUpload(w, r, svc)
	if err != nil {
		up.Close()
		return nil, err
	}
	return up, nil
}

func parseUpload(w http.ResponseWriter, r *http.Request, svc spooler) (*Upload, error) {
	up := &Upload{Proof: r.Header.Get("X-Chatpic-Pow")}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return up, chatpic.Errorf(chatpic.KindUnsupported, "send the file as multipart/form-data in a field called \"file\"")
	}
	limit := svc.MaxBytes() + formOverhead
	if r.ContentLength > limit {
		return up, tooLarge(svc.MaxBytes())
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
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
			return up, bodyError(err, svc.MaxBytes())
		}
		switch part.FormName() {
		case "file":
			if up.File != nil {
				part.Close()
				return up, chatpic.Errorf(chatpic.KindInvalid, "send one file per upload")
			}
			up.File, err = svc.Spool(limitErrors{part, svc.MaxBytes()})
			if err != nil {
				part.Close()
				return up, err
			}
		case "caption":
			up.Caption, err = field(part)
		case "pow":
			up.Proof, err = field(part)
		case "channel":
			up.Channel, err = field(part)
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
			return up, bodyError(err, svc.MaxBytes())
		}
	}
	if up.File == nil {
		return up, chatpic.Errorf(chatpic.KindInvalid, "choose a file to upload (form field \"file\")")
	}
	return up, nil
}

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
	r   io.Reader
	max int64
}

func (l limitErrors) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError(err, l.max)
	}
	return n, err
}

func bodyError(err error, max int64) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(max)
	}
	if _, ok := errors.AsType[*chatpic.Error](err); ok {
		return err
	}
	return chatpic.Errorf(chatpic.KindInvalid, "the upload was cut off or is not a valid form")
}

func tooLarge(max int64) error {
	return chatpic.Errorf(chatpic.KindTooLarge, "files are limited to %s", chatpic.FormatSize(max))
}
