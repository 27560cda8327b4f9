package request

import (
	"net/http"
	"strings"
)

// LogPath returns r's path as a log line may show it: a deletion link's
// delete token (/d/{id}/{token}), which lets anyone who reads it delete
// the upload, is replaced by "-".
func LogPath(r *http.Request) string {
	p := r.URL.Path
	rest, ok := strings.CutPrefix(p, "/d/")
	if !ok {
		return p
	}
	if id, _, ok := strings.Cut(rest, "/"); ok {
		return "/d/" + id + "/-"
	}
	return p
}
