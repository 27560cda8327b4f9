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

// Page reads the paging parameters "before" (a cursor from an earlier page)
// and "limit" (defaulting to DefaultPageSize). It returns a KindInvalid error
// for values that are not positive whole numbers.
func Page(r *http.Request) (before int64, limit int, err error) {
	q := r.URL.Query()
	limit = DefaultPageSize
	if v := q.Get("before"); v != "" {
		before, err = strconv.ParseInt(v, 10, 64)
		if err != nil || before <= 0 {
			return 0, 0, chatpic.Errorf(chatpic.KindInvalid, "before must be a cursor from an earlier page")
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return 0, 0, chatpic.Errorf(chatpic.KindInvalid, "limit must be a positive whole number")
		}
		limit = n
	}
	return before, limit, nil
}
