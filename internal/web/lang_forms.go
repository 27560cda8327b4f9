package web

import (
	"html/template"

	"github.com/chatpic/chatpic/internal/i18n"
)

// formsFuncs returns the template functions of the forms and answers: sharing, reporting, deleting, receipts, messages, the transparency page that speak l
// (their words are in the catalogs' forms area).
func (w *Web) formsFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{}
}
