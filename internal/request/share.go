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
// the multipart/form-data form a phone's share sheet sends, with the file
// in a "file" part. The first file is spooled as ParseUpload spools one,
// and its name and declared type are ignored; what follows it (more files,
// when several were shared) is not read, so the caller should close the
// connection. Parts before it (title, text, url) are skipped, up to
// maxShareParts. Errors: CheckUpload's, KindInvalid (no file, not a valid
// form), KindTooLarge and Spool's. On error nothing is left behind;
// otherwise the caller closes the Spooled.
func ParseShare(w http.ResponseWriter, r *http.Request, svc spooler) (*posting.Spooled, error) {
	if err := CheckUpload(r, svc); err != nil {
		return nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, svc.MaxBytes()+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, chatpic.Errorf(chatpic.KindInvalid, "the shared file did not arrive as a valid form")
	}
	for range maxShareParts + 1 {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bodyError(err, tooLarge(svc.MaxBytes()))
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		sp, err := svc.Spool(limitErrors{part, tooLarge(svc.MaxBytes())})
		part.Close()
		return sp, err
	}
	return nil, chatpic.Errorf(chatpic.KindInvalid, "nothing was shared: share a picture or a video")
}
