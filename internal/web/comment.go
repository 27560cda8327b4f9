package web

import (
	"html/template"
	"regexp"
	"strings"
)

// commentToken finds what a comment body may link: web addresses, and
// references to other comments of the thread, by number (">>3") or by ID
// (">>" and the 20-character comment ID).
var commentToken = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+|>>[A-Za-z0-9_-]{20}|>>[0-9]{1,6}\b`)

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
		if ref, ok := strings.CutPrefix(tok, ">>"); ok {
			anchor := "c-" + ref // by number
			if len(ref) == 20 {
				anchor = "id-" + ref
			}
			b.WriteString(`<a class="ref" href="#` + anchor + `">&gt;&gt;` + ref + `</a>`)
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
