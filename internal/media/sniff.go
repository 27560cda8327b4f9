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
		// The list of formats is processedNames(), written out so that the
		// sentence is one message of the catalogs (formats_test pins it).
		return "", chatpic.Errorf(chatpic.KindUnsupported, "this file is empty; chatpic accepts JPEG, PNG, GIF or WebP images")
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(head, pngSignature):
		return PNG, nil
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP, nil
	}
	if what := lookalike(head); what != "" {
		return "", chatpic.Errorf(chatpic.KindUnsupported, "this file is not an image chatpic accepts (JPEG, PNG, GIF or WebP); it looks like %s", what)
	}
	return "", chatpic.Errorf(chatpic.KindUnsupported, "this file is not an image chatpic accepts (JPEG, PNG, GIF or WebP)")
}

// signatures of common formats that are not accepted, so the message can
// say what the file looks like; what is a phrase of the catalogs.
var signatures = []struct {
	prefix string
	what   chatpic.Phrase
}{
	{"%PDF-", chatpic.Phrase("a PDF document")},
	{"PK\x03\x04", chatpic.Phrase("a ZIP archive (or an Office document)")},
	{"\x1F\x8B", chatpic.Phrase("a gzip archive")},
	{"Rar!\x1A\x07", chatpic.Phrase("a RAR archive")},
	{"7z\xBC\xAF\x27\x1C", chatpic.Phrase("a 7-Zip archive")},
	{"BM", chatpic.Phrase("a BMP picture")},
	{"II*\x00", chatpic.Phrase("a TIFF picture (or a camera raw file)")},
	{"MM\x00*", chatpic.Phrase("a TIFF picture (or a camera raw file)")},
	{"\x00\x00\x01\x00", chatpic.Phrase("an icon file")},
	{"8BPS", chatpic.Phrase("a Photoshop document")},
	{"\x1A\x45\xDF\xA3", chatpic.Phrase("a WebM or Matroska video")},
	{"OggS", chatpic.Phrase("an Ogg audio or video file")},
	{"ID3", chatpic.Phrase("an MP3 audio file")},
	{"fLaC", chatpic.Phrase("a FLAC audio file")},
	{"\x7FELF", chatpic.Phrase("a program")},
	{"MZ", chatpic.Phrase("a Windows program")},
	{"\xFF\x0A", chatpic.Phrase("a JPEG XL picture")},
	{"\x00\x00\x00\x0CJXL ", chatpic.Phrase("a JPEG XL picture")},
}

// lookalike names what head looks like, or returns "".
func lookalike(head []byte) chatpic.Phrase {
	for _, s := range signatures {
		if bytes.HasPrefix(head, []byte(s.prefix)) {
			return s.what
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" {
		switch string(head[8:12]) {
		case "AVI ":
			return chatpic.Phrase("an AVI video")
		case "WAVE":
			return chatpic.Phrase("a WAV audio file")
		}
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		switch brand := string(head[8:12]); brand {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return chatpic.Phrase("a HEIC picture")
		case "avif", "avis":
			return chatpic.Phrase("an AVIF picture")
		case "qt  ":
			return chatpic.Phrase("a QuickTime video")
		default:
			return chatpic.Phrase("an MP4 video")
		}
	}
	return lookalikeText(head)
}

// lookalikeText recognises markup: HTML, SVG and other XML.
func lookalikeText(head []byte) chatpic.Phrase {
	t := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return ""
	}
	lower := bytes.ToLower(t)
	switch {
	case bytes.Contains(lower, []byte("<svg")):
		return chatpic.Phrase("an SVG drawing")
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.Contains(lower, []byte("<html")),
		bytes.Contains(lower, []byte("<head")), bytes.Contains(lower, []byte("<body")),
		bytes.Contains(lower, []byte("<script")):
		return chatpic.Phrase("an HTML page")
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return chatpic.Phrase("an XML document")
	}
	return ""
}
