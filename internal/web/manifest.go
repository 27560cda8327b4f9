package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
)

// Colours of the installed app's window and splash screen: the page
// background of style.css (--bg), light and dark.
const (
	themeLight = "#ffffff"
	themeDark  = "#121212"
)

// manifest is the web app manifest (https://www.w3.org/TR/appmanifest/)
// that makes the site installable, with a share target that puts chatpic
// in a phone's share sheet for pictures and videos.
type manifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	ThemeColor      string         `json:"theme_color"`
	BackgroundColor string         `json:"background_color"`
	Icons           []manifestIcon `json:"icons"`
	ShareTarget     shareTarget    `json:"share_target"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

// shareTarget is the Web Share Target (https://w3c.github.io/web-share-target/):
// the browser posts what was shared to Action as a multipart form. Only
// files are asked for: a shared title is often the file's name, which
// chatpic never keeps, and taking text or links would list chatpic in the
// share sheet for things it cannot post.
type shareTarget struct {
	Action  string      `json:"action"`
	Method  string      `json:"method"`
	Enctype string      `json:"enctype"`
	Params  shareParams `json:"params"`
}

type shareParams struct {
	Files []shareFiles `json:"files"`
}

type shareFiles struct {
	Name   string   `json:"name"`
	Accept []string `json:"accept"`
}

// shareAccept returns what the share target accepts of the formats of the
// given kinds: every media type the registry knows for them and every
// extension, since share sheets match on either.
func shareAccept(kinds ...chatpic.MediaKind) []string {
	var out []string
	for _, kind := range kinds {
		for _, info := range media.Formats() {
			if info.Kind != kind {
				continue
			}
			out = append(out, info.MIME)
			out = append(out, info.Aliases...)
			for _, e := range info.Exts {
				out = append(out, "."+e)
			}
		}
	}
	return out
}

// newManifest returns the manifest's JSON. icon returns the URL of a
// static file.
func newManifest(icon func(name string) string, kinds []chatpic.MediaKind) ([]byte, error) {
	m := manifest{
		ID: "/", Name: "chatpic", ShortName: "chatpic",
		Description: "Share a picture or a clip anonymously: no account, no trace.",
		StartURL:    "/", Scope: "/", Display: "standalone",
		ThemeColor: themeLight, BackgroundColor: themeLight,
		Icons: []manifestIcon{
			{Src: icon("icon-192.png"), Sizes: "192x192", Type: "image/png", Purpose: "any"},
			{Src: icon("icon-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "any"},
			{Src: icon("icon-maskable-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
			{Src: icon("icon.svg"), Sizes: "any", Type: "image/svg+xml", Purpose: "any"},
		},
		ShareTarget: shareTarget{Action: "/share", Method: "POST", Enctype: "multipart/form-data",
			Params: shareParams{Files: []shareFiles{{Name: "file", Accept: shareAccept(kinds...)}}}},
	}
	return json.MarshalIndent(m, "", "  ")
}

// Manifest answers GET /manifest.webmanifest with the web app manifest.
// Its URL cannot carry a hash (browsers check it for updates), so it is
// cached for a day, not for ever.
func (w *Web) Manifest(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "application/manifest+json")
	rw.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(w.manifest))
}
