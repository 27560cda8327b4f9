package request

import (
	"net/http"
	"strings"
)

// LogPath returns r's path as a log line may show it: a deletion link's
// delete token (/d/{id}/{token}), which lets anyone who reads it delete
// the upload, and a held share's ID (/share/{id}, /share/{id}/file), which
// lets anyone who reads it see the shared file before it is scrubbed, are
// replaced by "-".
func LogPath(r *http.Request) string {
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/share/"); ok {
		if _, file, ok := strings.Cut(rest, "/"); ok {
			return "/share/-/" + file
		}
		return "/share/-"
	}
	rest, ok := strings.CutPrefix(p, "/d/")
	if !ok {
		return p
	}
	if id, _, ok := strings.Cut(rest, "/"); ok {
		return "/d/" + id + "/-"
	}
	return p
}
