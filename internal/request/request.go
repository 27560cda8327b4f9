// Package request turns raw HTTP requests into typed values, in one place
// shared by the web pages and the JSON API: upload forms, paging parameters,
// the site's public origin, and the status code of each error kind.
package request

import (
	"net/http"
	"strconv"

	"github.com/chatpic/chatpic"
)

// statuses is the one table from error kind to HTTP status.
var statuses = map[chatpic.Kind]int{
	chatpic.KindInvalid:       http.StatusBadRequest,
	chatpic.KindNotFound:      http.StatusNotFound,
	chatpic.KindGone:          http.StatusGone,
	chatpic.KindTooLarge:      http.StatusRequestEntityTooLarge,
	chatpic.KindUnsupported:   http.StatusUnsupportedMediaType,
	chatpic.KindUnprocessable: http.StatusUnprocessableEntity,
	chatpic.KindForbidden:     http.StatusForbidden,
	chatpic.KindRateLimited:   http.StatusTooManyRequests,
	chatpic.KindConflict:      http.StatusConflict,
	chatpic.KindChallenge:     http.StatusPreconditionRequired,
	chatpic.KindUnauthorized:  http.StatusUnauthorized,
	chatpic.KindUnavailable:   http.StatusServiceUnavailable,
	chatpic.KindStorageFull:   http.StatusInsufficientStorage,
	chatpic.KindTimeout:       http.StatusRequestTimeout,
	chatpic.KindInternal:      http.StatusInternalServerError,
}

// Status returns the HTTP status for err's kind (500 for unclassified errors).
func Status(err error) int {
	if code, ok := statuses[chatpic.ErrorKind(err)]; ok {
		return code
	}
	return http.StatusInternalServerError
}

// DefaultPageSize is how many posts a page shows when the client does not
// say.
const DefaultPageSize = 60

// Page reads the paging parameters: "sort" (new or top), "before" (a
// cursor from an earlier page in the same sort) and "limit" (defaulting to
// DefaultPageSize). It returns a KindInvalid error for anything else.
func Page(r *http.Request) (sort chatpic.Sort, after chatpic.Cursor, limit int, err error) {
	q := r.URL.Query()
	limit = DefaultPageSize
	if sort, err = chatpic.ParseSort(q.Get("sort")); err != nil {
		return "", chatpic.Cursor{}, 0, err
	}
	if after, err = chatpic.ParseCursor(sort, q.Get("before")); err != nil {
		return "", chatpic.Cursor{}, 0, err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return "", chatpic.Cursor{}, 0, chatpic.Errorf(chatpic.KindInvalid, "limit must be a positive whole number")
		}
		limit = n
	}
	return sort, after, limit, nil
}

// ClientGone reports whether the client of r went away (closed its
// connection) before it was answered: what failed then failed because it
// was cancelled, and is not worth an error in the log.
func ClientGone(r *http.Request) bool { return r.Context().Err() != nil }
