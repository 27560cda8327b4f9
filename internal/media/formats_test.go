package media

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
)

func TestLookups(t *testing.T) {
	tests := []struct {
		name   string
		lookup func() (FormatInfo, bool)
		want   Format
	}{
		{"format", func() (FormatInfo, bool) { return Lookup(WebP) }, WebP},
		{"stored extension", func() (FormatInfo, bool) { return ByExt("jpg") }, JPEG},
		{"device extension with dot in capitals", func() (FormatInfo, bool) { return ByExt(".JPEG") }, JPEG},
		{"extension of a converted format", func() (FormatInfo, bool) { return ByExt("heif") }, HEIC},
		{"video extension", func() (FormatInfo, bool) { return ByExt("m4v") }, MP4},
		{"unknown format", func() (FormatInfo, bool) { return Lookup("bmp") }, ""},
		{"unknown extension", func() (FormatInfo, bool) { return ByExt("svg") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := tt.lookup()
			if info.Format != tt.want || ok != (tt.want != "") {
				t.Errorf("got %q, %v; want %q", info.Format, ok, tt.want)
			}
		})
	}
}

// TestRegistryConsistent checks what the rest of chatpic relies on: every
// format is found by each of its names, a stored one has its extension
// among its own, and no two formats share a name, a type or an extension.
func TestRegistryConsistent(t *testing.T) {
	seen := map[string]Format{}
	claim := func(what string, f Format) {
		if other, ok := seen[what]; ok {
			t.Errorf("%q names both %s and %s", what, other, f)
		}
		seen[what] = f
	}
	for _, info := range Formats() {
		f := info.Format
		if info.Name == "" || info.MIME == "" || len(info.Exts) == 0 {
			t.Errorf("%s: name %q, type %q, extensions %q: all are needed", f, info.Name, info.MIME, info.Exts)
		}
		if info.Kind != chatpic.Image && info.Kind != chatpic.Video {
			t.Errorf("%s: kind %q", f, info.Kind)
		}
		if info.Ext != "" && !strings.Contains(" "+strings.Join(info.Exts, " ")+" ", " "+info.Ext+" ") {
			t.Errorf("%s: stored extension %q is not among %q", f, info.Ext, info.Exts)
		}
		if f.MIME() != info.MIME || f.Ext() != info.Ext {
			t.Errorf("%s: MIME() %q, Ext() %q; want %q, %q", f, f.MIME(), f.Ext(), info.MIME, info.Ext)
		}
		claim("name "+strings.ToLower(info.Name), f)
		for _, m := range append([]string{info.MIME}, info.Aliases...) {
			claim("type "+m, f)
		}
		for _, e := range info.Exts {
			claim("extension "+e, f)
			if got, _ := ByExt(e); got.Format != f {
				t.Errorf("ByExt(%q) = %q, want %q", e, got.Format, f)
			}
		}
	}
}

func TestAccept(t *testing.T) {
	tests := []struct {
		name  string
		kinds []chatpic.MediaKind
		want  string
	}{
		{"pictures", []chatpic.MediaKind{chatpic.Image},
			"image/jpeg,image/png,image/gif,image/webp,image/heic,image/heif,image/avif,.heic,.heif,.avif"},
		{"videos", []chatpic.MediaKind{chatpic.Video}, "video/mp4,video/webm,video/quicktime,.mov"},
		{"both", []chatpic.MediaKind{chatpic.Image, chatpic.Video},
			"image/jpeg,image/png,image/gif,image/webp,image/heic,image/heif,image/avif,.heic,.heif,.avif," +
				"video/mp4,video/webm,video/quicktime,.mov"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Accept(tt.kinds...); got != tt.want {
				t.Errorf("Accept = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		kind chatpic.MediaKind
		want string
	}{
		{chatpic.Image, "JPEG, PNG, GIF, WebP, HEIC, AVIF"},
		{chatpic.Video, "MP4, WebM, MOV"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			if got := strings.Join(Names(tt.kind), ", "); got != tt.want {
				t.Errorf("Names = %q, want %q", got, tt.want)
			}
		})
	}
	if got, want := processedNames(), "JPEG, PNG, GIF or WebP"; got != want {
		t.Errorf("processedNames = %q, want %q", got, want)
	}
}

// TestREADMEListsFormats keeps the README's paragraph on accepted uploads
// in step with the registry: a new format fails here until it is named
// there.
func TestREADMEListsFormats(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, para, ok := strings.Cut(string(readme), "\nAccepted uploads:")
	if !ok {
		t.Fatal(`README.md has no paragraph starting "Accepted uploads:"`)
	}
	para, _, _ = strings.Cut(para, "\n\n")
	for _, info := range Formats() {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(info.Name) + `\b`).MatchString(para) {
			t.Errorf("README's accepted uploads do not name %s", info.Name)
		}
	}
}
