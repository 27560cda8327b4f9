package web

import (
	"html/template"
	"regexp"
	"strings"
)

// commentToken finds what a comment body may link: web addresses, and
// references to other comments of the thread (">>3").
var commentToken = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+|>>[0-9]{1,6}\b`)

// commentHTML renders a comment body: the text escaped, web addresses as
// links that pass no reputation and no referrer, ">>N" as a link to comment
// N of the thread. Line breaks are kept by CSS (white-space: pre-wrap).
func commentHTML(body string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range commentToken.FindAllStringIndex(body, -1) {
		tok := body[m[0]:m[1]]
		b.WriteString(template.HTMLEscapeString(body[last:m[0]]))
		last = m[1]
		if n, ok := strings.CutPrefix(tok, ">>"); ok {
			b.WriteString(`<a class="ref" href="#c-` + n + `">&gt;&gt;` + n + `</a>`)
			continue
		}
		// Punctuation that ends a sentence is not part of the address.
		trimmed := strings.TrimRight(tok, ".,;:!?)]}")
		last -= len(tok) - len(trimmed)
		esc := template.HTMLEscapeString(trimmed)
		b.WriteString(`<a href="` + esc + `" rel="nofollow noopener ugc noreferrer" target="_blank">` + esc + `</a>`)
	}
	b.WriteString(template.HTMLEscapeString(body[last:]))
	return template.HTML(b.String())
}
