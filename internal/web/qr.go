package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	qr "github.com/piglig/go-qr"

	"github.com/chatpic/chatpic"
)

// qrQuiet is the margin around a QR code, in modules, that scanners need.
const qrQuiet = 4

// qrSVG returns text as a QR code drawn in SVG, black on white whatever
// the page's theme, with error correction at level M (15% of it may be
// lost). Each row's runs of dark modules are one rectangle of the path.
func qrSVG(text string) ([]byte, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return nil, fmt.Errorf("web: qr code: %w", err)
	}
	n := code.Size()
	side := strconv.Itoa(n + 2*qrQuiet)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + side + ` ` + side + `" shape-rendering="crispEdges">`)
	b.WriteString(`<rect width="` + side + `" height="` + side + `" fill="#fff"/><path fill="#000" d="`)
	for y := range n {
		for x := 0; x < n; {
			if !code.Module(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < n && code.Module(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+qrQuiet, y+qrQuiet, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}

// QRCode serves GET /p/{id}/qr.svg: the post's share link as a QR code,
// for a phone to pick up from a desktop's screen. It answers 404 or 410
// as the post's page does; it spends no view of an upload that counts
// them.
func (w *Web) QRCode(rw http.ResponseWriter, r *http.Request) {
	p, err := w.posts.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	svg, err := qrSVG(w.origin.Base(r) + "/p/" + p.ID)
	if err != nil {
		w.fail(rw, r, chatpic.Internal(err))
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "image/svg+xml")
	// The link never changes, but the post may go: a day at most.
	h.Set("Cache-Control", "public, max-age=86400")
	rw.Write(svg)
}
