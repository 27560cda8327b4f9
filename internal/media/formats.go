package media

import (
	"slices"
	"strings"

	"github.com/chatpic/chatpic"
)

// Format is an accepted media format. Its value is a short lower-case name
// that is safe to store. FormatInfo (see Lookup) describes each one.
type Format string

// The accepted formats. Process takes JPEG, PNG, GIF and WebP; the others
// are converted (HEIC, AVIF) or remuxed (MP4, WebM, MOV) elsewhere, and
// are listed here so that one registry names them all.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	WebP Format = "webp"
	HEIC Format = "heic"
	AVIF Format = "avif"
	MP4  Format = "mp4"
	WebM Format = "webm"
	MOV  Format = "mov"
)

// FormatInfo describes an accepted format: how people and browsers name
// its files, and how chatpic stores and serves it. Every list of accepted
// formats (the upload page, its script, the refusals, the blob store's
// Content-Type) is made from these, so adding a format is adding a
// FormatInfo (and its decoder).
type FormatInfo struct {
	Format Format
	// Name is the format's name as people know it: "JPEG", "WebP", "MOV".
	Name string
	Kind chatpic.MediaKind
	// MIME is the format's media type, which chatpic serves its files
	// with; Aliases are other types browsers give files of it.
	MIME    string
	Aliases []string
	// Ext is the extension, without the dot, of a stored file of the
	// format; "" for a format that is converted before it is stored (HEIC
	// and AVIF become JPEG or PNG, MOV becomes MP4).
	Ext string
	// Exts are the extensions, lower case and without the dot, files of the
	// format have on people's devices.
	Exts []string
	// PickByExt says a file picker must offer the format by its Exts too:
	// browsers often know no media type for its files.
	PickByExt bool
	// Preview says a browser can show a file of the format before it is
	// uploaded.
	Preview bool
}

// formats is the registry, in the order people are told the formats.
var formats = [...]FormatInfo{
	{Format: JPEG, Name: "JPEG", Kind: chatpic.Image, MIME: "image/jpeg", Ext: "jpg", Exts: []string{"jpg", "jpeg"}, Preview: true},
	{Format: PNG, Name: "PNG", Kind: chatpic.Image, MIME: "image/png", Ext: "png", Exts: []string{"png"}, Preview: true},
	{Format: GIF, Name: "GIF", Kind: chatpic.Image, MIME: "image/gif", Ext: "gif", Exts: []string{"gif"}, Preview: true},
	{Format: WebP, Name: "WebP", Kind: chatpic.Image, MIME: "image/webp", Ext: "webp", Exts: []string{"webp"}, Preview: true},
	{Format: HEIC, Name: "HEIC", Kind: chatpic.Image, MIME: "image/heic", Aliases: []string{"image/heif"},
		Exts: []string{"heic", "heif"}, PickByExt: true},
	{Format: AVIF, Name: "AVIF", Kind: chatpic.Image, MIME: "image/avif", Exts: []string{"avif"}, PickByExt: true, Preview: true},
	{Format: MP4, Name: "MP4", Kind: chatpic.Video, MIME: "video/mp4", Ext: "mp4", Exts: []string{"mp4", "m4v"}, Preview: true},
	{Format: WebM, Name: "WebM", Kind: chatpic.Video, MIME: "video/webm", Ext: "webm", Exts: []string{"webm"}, Preview: true},
	{Format: MOV, Name: "MOV", Kind: chatpic.Video, MIME: "video/quicktime", Exts: []string{"mov"}, PickByExt: true},
}

// Formats returns every accepted format, pictures first, in the order
// people are told them. The caller may reorder or shorten the returned
// slice but must not modify the Aliases or Exts it shares.
func Formats() []FormatInfo { return slices.Clone(formats[:]) }

// Lookup returns the description of f, and false for an unknown format.
func Lookup(f Format) (FormatInfo, bool) {
	for _, info := range formats {
		if info.Format == f {
			return info, true
		}
	}
	return FormatInfo{}, false
}

// ByExt returns the format whose files have the extension ext (with or
// without its dot, in any case), and false if none has.
func ByExt(ext string) (FormatInfo, bool) {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	for _, info := range formats {
		if ext == info.Ext || slices.Contains(info.Exts, ext) {
			return info, true
		}
	}
	return FormatInfo{}, false
}

// Names returns the names of the formats of kind, in the order of Formats.
func Names(kind chatpic.MediaKind) []string {
	var out []string
	for _, info := range formats {
		if info.Kind == kind {
			out = append(out, info.Name)
		}
	}
	return out
}

// Accept returns the value of a file input's accept attribute that offers
// the formats of the given kinds: their media types, then the extensions
// of those browsers may not know a type for.
func Accept(kinds ...chatpic.MediaKind) string {
	var out []string
	for _, kind := range kinds {
		var exts []string
		for _, info := range formats {
			if info.Kind != kind {
				continue
			}
			out = append(out, info.MIME)
			out = append(out, info.Aliases...)
			if info.PickByExt {
				for _, e := range info.Exts {
					exts = append(exts, "."+e)
				}
			}
		}
		out = append(out, exts...)
	}
	return strings.Join(out, ",")
}

// MIME returns the media type to serve f with, or "" for an unknown format.
func (f Format) MIME() string {
	info, _ := Lookup(f)
	return info.MIME
}

// Ext returns the file name extension of a stored file of format f,
// without the dot, or "" for an unknown format or one that is converted
// before it is stored.
func (f Format) Ext() string {
	info, _ := Lookup(f)
	return info.Ext
}

// processedNames returns the names of the formats Process takes as they are,
// joined for a sentence: "JPEG, PNG, GIF or WebP".
func processedNames() string {
	var names []string
	for _, info := range formats {
		if info.Kind == chatpic.Image && info.Ext != "" {
			names = append(names, info.Name)
		}
	}
	return either(names)
}

// either joins names for a sentence offering a choice: "A, B or C".
func either(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
