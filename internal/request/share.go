package request

import (
	"io"
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
)

// maxShareParts bounds the parts of a share-target body that are skipped
// before its file: the title, text and url a browser may send.
const maxShareParts = 8

// ParseShare reads the body of the web app's share target (POST /share):
// the multipart/form-data form a phone's share sheet sends, with the
// files in "file" parts (one, or up to chatpic.MaxFiles when several were
// shared at once). Each file is spooled as ParseUpload spools one, its name
// and declared type ignored. Other parts (title, text, url) are skipped,
// up to maxShareParts. Errors: CheckUpload's, KindInvalid (no file, too
// many, not a valid form), KindTooLarge and Spool's. On error nothing is
// left behind; otherwise the caller closes the files.
func ParseShare(w http.ResponseWriter, r *http.Request, svc spooler) ([]*posting.Spooled, error) {
	up := &Upload{}
	if err := parseShare(w, r, svc, up); err != nil {
		up.Close()
		return nil, err
	}
	return up.Files, nil
}

func parseShare(w http.ResponseWriter, r *http.Request, svc spooler, up *Upload) error {
	if err := CheckUpload(r, svc); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, uploadLimit(svc))
	mr, err := r.MultipartReader()
	if err != nil {
		return chatpic.Errorf(chatpic.KindInvalid, "the shared file did not arrive as a valid form")
	}
	for skipped := 0; ; {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bodyError(err, tooLargeAll(svc.UploadBytes()))
		}
		if part.FormName() != "file" {
			part.Close()
			if skipped++; skipped > maxShareParts {
				return chatpic.Errorf(chatpic.KindInvalid, "the share holds too many parts")
			}
			continue
		}
		err = up.addFile(svc, part)
		part.Close()
		if err != nil {
			return err
		}
	}
	if len(up.Files) == 0 {
		return chatpic.Errorf(chatpic.KindInvalid, "nothing was shared: share a picture or a video")
	}
	return nil
}
