package media

import (
	"bytes"

	"github.com/chatpic/chatpic"
)

// SniffLen is how many leading bytes of a file Sniff needs to recognise
// everything it recognises. Fewer bytes work for the accepted formats.
const SniffLen = 512

// Sniff returns the format of a file from its first bytes (up to SniffLen).
// It never trusts a file name or a declared content type. For anything that
// is not an accepted format it returns a *chatpic.Error of kind
// KindUnsupported whose message names the accepted formats and, when cheap
// to tell, what the file looks like instead.
func Sniff(head []byte) (Format, error) {
	switch {
	case len(head) == 0:
		return "", chatpic.Errorf(chatpic.KindUnsupported, "this file is empty; chatpic accepts %s images", processedNames())
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(head, pngSignature):
		return PNG, nil
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP, nil
	}
	msg := "this file is not an image chatpic accepts (" + processedNames() + ")"
	if what := lookalike(head); what != "" {
		return "", chatpic.Errorf(chatpic.KindUnsupported, "%s; it looks like %s", msg, what)
	}
	return "", chatpic.Errorf(chatpic.KindUnsupported, "%s", msg)
}

// signatures of common formats that are not accepted, so the message can
// say what the file looks like.
var signatures = []struct {
	prefix string
	what   string
}{
	{"%PDF-", "a PDF document"},
	{"PK\x03\x04", "a ZIP archive (or an Office document)"},
	{"\x1F\x8B", "a gzip archive"},
	{"Rar!\x1A\x07", "a RAR archive"},
	{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
	{"BM", "a BMP picture"},
	{"II*\x00", "a TIFF picture (or a camera raw file)"},
	{"MM\x00*", "a TIFF picture (or a camera raw file)"},
	{"\x00\x00\x01\x00", "an icon file"},
	{"8BPS", "a Photoshop document"},
	{"\x1A\x45\xDF\xA3", "a WebM or Matroska video"},
	{"OggS", "an Ogg audio or video file"},
	{"ID3", "an MP3 audio file"},
	{"fLaC", "a FLAC audio file"},
	{"\x7FELF", "a program"},
	{"MZ", "a Windows program"},
	{"\xFF\x0A", "a JPEG XL picture"},
	{"\x00\x00\x00\x0CJXL ", "a JPEG XL picture"},
}

// lookalike names what head looks like, or returns "".
func lookalike(head []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(head, []byte(s.prefix)) {
			return s.what
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		switch string(head[8:12]) {
		case "AVI ":
			return "an AVI video"
		case "WAVE":
			return "a WAV audio file"
		}
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		switch brand := string(head[8:12]); brand {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "a HEIC picture"
		case "avif", "avis":
			return "an AVIF picture"
		case "qt  ":
			return "a QuickTime video"
		default:
			return "an MP4 video"
		}
	}
	return lookalikeText(head)
}

// lookalikeText recognises markup: HTML, SVG and other XML.
func lookalikeText(head []byte) string {
	t := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return ""
	}
	lower := bytes.ToLower(t)
	switch {
	case bytes.Contains(lower, []byte("<svg")):
		return "an SVG drawing"
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.Contains(lower, []byte("<html")),
		bytes.Contains(lower, []byte("<head")), bytes.Contains(lower, []byte("<body")),
		bytes.Contains(lower, []byte("<script")):
		return "an HTML page"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return "an XML document"
	}
	return ""
}
