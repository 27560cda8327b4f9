package web

import (
	"html/template"

	"github.com/chatpic/chatpic/internal/i18n"
)

// modFuncs returns the template functions of the moderation pages that speak l
// (their words are in the catalogs' mod area).
func (w *Web) modFuncs(l i18n.Lang) template.FuncMap {
	return template.FuncMap{}
}
