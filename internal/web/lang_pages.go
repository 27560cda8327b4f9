package web

import (
	"html/template"

	"github.com/chatpic/chatpic/internal/i18n"
)

// pagesFuncs returns the template functions of the home, channel and post pages that speak l
// (their words are in the catalogs' pages area).
func (w *Web) pagesFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{}
}
