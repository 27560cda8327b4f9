package web

import (
	"html/template"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// formsFuncs returns the template functions of the forms and answers
// (sharing, reporting, deleting, receipts, messages, the transparency
// page) that speak l; their words are in the catalogs' forms area.
func (w *Web) formsFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{
		// reasonLabel and reasonName word a report's reason (see
		// report.go) in l.
		"reasonLabel": func(r chatpic.ReportReason) string { return l.T(reasonLabel(r)) },
		"reasonName":  func(r chatpic.ReportReason) string { return l.T(reasonName(r)) },
		// refusal says why one file of several was refused, in l.
		"refusal": l.Refusal,
		// number writes a count the language's way (1,000 or 1.000).
		"number": func(n int) string { return l.T("%d", n) },
	}
}
