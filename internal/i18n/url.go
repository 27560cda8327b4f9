package i18n

import (
	"net/url"
	"strings"
)

// Param is the name of the query parameter that pins a page's language.
const Param = "lang"

// WithLang returns the link u (a path with an optional query and
// fragment, as pages write them) made to keep the language l: with
// lang=<tag> added, or put in place of any lang= it had, when l is pinned;
// with any lang= removed when it is not. So a visitor whose language came
// from Accept-Language gets clean links (the next request negotiates the
// same language again), and one who chose a language with the switch keeps
// it from page to page without a cookie. The other query parameters keep
// their order and encoding.
func WithLang(u string, l Lang) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	p, query, _ := strings.Cut(base, "?")
	var kept []string
	for part := range strings.SplitSeq(query, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && n == Param {
			continue
		}
		kept = append(kept, part)
	}
	if l.l != nil && l.pinned {
		kept = append(kept, Param+"="+url.QueryEscape(l.Tag()))
	}
	out := p
	if len(kept) > 0 {
		out += "?" + strings.Join(kept, "&")
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}
