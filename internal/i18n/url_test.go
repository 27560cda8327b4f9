package i18n

import "testing"

func TestWithLang(t *testing.T) {
	b := newBundleT(t)
	fr := lookup(t, b, "fr")
	ptBR := lookup(t, b, "pt-BR")
	negotiated := b.Match("fr", "") // French from Accept-Language: not pinned
	tests := []struct {
		name string
		u    string
		l    Lang
		want string
	}{
		{"pinned, bare path", "/c/photography", fr, "/c/photography?lang=fr"},
		{"pinned, after other parameters, in order", "/c/gaming?before=abc&sort=top", fr, "/c/gaming?before=abc&sort=top&lang=fr"},
		{"pinned replaces an earlier choice", "/p/x?lang=de&sort=new", fr, "/p/x?sort=new&lang=fr"},
		{"pinned replaces every lang=", "/?lang=de&lang=es", fr, "/?lang=fr"},
		{"pinned, escaped parameter name", "/?%6Cang=de", fr, "/?lang=fr"},
		{"pinned keeps the fragment", "/p/x?sort=top#comments", ptBR, "/p/x?sort=top&lang=pt-BR#comments"},
		{"pinned, fragment only", "/#share", fr, "/?lang=fr#share"},
		{"pinned keeps encoded values", "/c/x?q=a%20b&tag=caf%C3%A9", fr, "/c/x?q=a%20b&tag=caf%C3%A9&lang=fr"},
		{"pinned, empty query", "/report?", fr, "/report?lang=fr"},
		{"negotiated leaves a clean link clean", "/c/photography", negotiated, "/c/photography"},
		{"negotiated keeps other parameters", "/c/gaming?sort=top#x", negotiated, "/c/gaming?sort=top#x"},
		{"negotiated drops a stale lang=", "/c/gaming?lang=xx&sort=top", negotiated, "/c/gaming?sort=top"},
		{"negotiated drops the only parameter", "/?lang=de", negotiated, "/"},
		{"parameter that only starts with lang", "/?language=x", negotiated, "/?language=x"},
		{"zero Lang cleans", "/?lang=de", Lang{}, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WithLang(tt.u, tt.l); got != tt.want {
				t.Errorf("WithLang(%q, pinned %v) = %q, want %q", tt.u, tt.l.Pinned(), got, tt.want)
			}
		})
	}
	// Every entry of the switch yields a link that Match reads back.
	for _, l := range b.Languages() {
		u := WithLang("/c/memes?sort=top", l)
		param := u[len("/c/memes?sort=top&lang="):]
		if got := b.Match("de", param); got.Tag() != l.Tag() || !got.Pinned() {
			t.Errorf("%s: the link %s reads back as %s", l.Tag(), u, got.Tag())
		}
	}
}
