package video

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// probe is what ffprobe reports of a file, reduced to what Process uses.
type probe struct {
	Streams  []probeStream    `json:"streams"`
	Chapters []map[string]any `json:"chapters"`
	Format   struct {
		Duration string            `json:"duration"`
		Tags     map[string]string `json:"tags"`
	} `json:"format"`
}

type probeStream struct {
	Index       int               `json:"index"`
	CodecType   string            `json:"codec_type"`
	CodecName   string            `json:"codec_name"`
	Width       int               `json:"width"`
	Height      int               `json:"height"`
	Disposition map[string]int    `json:"disposition"`
	Tags        map[string]string `json:"tags"`
	SideData    []struct {
		Rotation *float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// maxProbeOutput bounds ffprobe's JSON; a sane file needs a few KB.
const maxProbeOutput = 1 << 20

// probeFile runs ffprobe on src, read with the given demuxer ("mov" or
// "matroska"). A file ffprobe cannot read is reported as *exitError.
func (r *Runner) probeFile(ctx context.Context, src, demuxer string) (*probe, error) {
	out := &limitWriter{max: maxProbeOutput}
	err := r.eng.run(ctx, job{
		prog: "ffprobe",
		src:  src,
		args: func(src, _ string) []string {
			return []string{"-hide_banner", "-v", "error", "-protocol_whitelist", "file",
				"-f", demuxer, "-show_format", "-show_streams", "-show_chapters", "-of", "json", src}
		},
		stdout: out,
	})
	if err != nil {
		return nil, err
	}
	var p probe
	if err := json.Unmarshal(out.buf.Bytes(), &p); err != nil {
		return nil, fmt.Errorf("ffprobe output: %w", err)
	}
	return &p, nil
}

// duration returns the file's duration, or 0 if ffprobe did not know it.
func (p *probe) duration() time.Duration {
	s, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil || s <= 0 || math.IsNaN(s) || s > 1e9 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// firstStream returns the first stream of the given type, skipping cover
// art (an attached picture is a video stream to ffprobe), or nil.
func (p *probe) firstStream(codecType string) *probeStream {
	for i := range p.Streams {
		s := &p.Streams[i]
		if s.CodecType == codecType && s.Disposition["attached_pic"] == 0 {
			return s
		}
	}
	return nil
}

// rotation returns the stream's display rotation in degrees, normalised to
// 0, 90, 180 or 270 (anything else is rounded to the nearest quarter turn).
func (s *probeStream) rotation() int {
	var deg float64
	for _, sd := range s.SideData {
		if sd.Rotation != nil {
			deg = *sd.Rotation
			break
		}
	}
	if deg == 0 && s.Tags["rotate"] != "" { // older ffmpeg
		deg, _ = strconv.ParseFloat(s.Tags["rotate"], 64)
	}
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	q := int(math.Round(deg/90)) % 4
	return (q + 4) % 4 * 90
}

// displaySize returns the frame size with the rotation applied.
func (s *probeStream) displaySize() (w, h int) {
	if s.rotation()%180 != 0 {
		return s.Height, s.Width
	}
	return s.Width, s.Height
}

// codecs lists what each output container can carry and browsers play.
var codecs = map[string]struct{ video, audio map[string]bool }{
	MP4: {
		video: map[string]bool{"h264": true, "hevc": true, "av1": true},
		audio: map[string]bool{"aac": true, "mp3": true, "opus": true},
	},
	WebM: {
		video: map[string]bool{"vp8": true, "vp9": true, "av1": true},
		audio: map[string]bool{"opus": true, "vorbis": true},
	},
}

// outputContainer picks the container a clip is remuxed into: the one of
// its own family if that can carry its codecs, else the other one (H.264
// in a .mkv becomes MP4, VP9 in an .mp4 becomes WebM). audio is "" for a
// silent clip. ok is false if neither fits.
func outputContainer(in, video, audio string) (string, bool) {
	order := []string{MP4, WebM}
	if in == inWebM || in == inMatroska {
		order = []string{WebM, MP4}
	}
	for _, c := range order {
		if codecs[c].video[video] && (audio == "" || codecs[c].audio[audio]) {
			return c, true
		}
	}
	return "", false
}

// unsupportedCodecs is the message for a clip whose codecs are refused.
func unsupportedCodecs(video, audio string) *chatpic.Error {
	if audio != "" && !codecs[MP4].audio[audio] && !codecs[WebM].audio[audio] {
		return chatpic.Errorf(chatpic.KindUnsupported, "this clip uses the audio codec %s, which chatpic does not accept; "+
			"accepted are MP4 or MOV with H.264, H.265 or AV1 video and AAC, MP3 or Opus audio, "+
			"and WebM with VP8, VP9 or AV1 video and Opus or Vorbis audio", codecLabel(audio))
	}
	return chatpic.Errorf(chatpic.KindUnsupported, "this clip uses the video codec %s, which chatpic does not accept; "+
		"accepted are MP4 or MOV with H.264, H.265 or AV1 video and AAC, MP3 or Opus audio, "+
		"and WebM with VP8, VP9 or AV1 video and Opus or Vorbis audio", codecLabel(video))
}

// codecLabel makes an ffmpeg codec name safe and short for a message.
func codecLabel(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, name)
	if name == "" {
		return "(unknown)"
	}
	return strings.ToUpper(name[:min(len(name), 20)])
}

// allowedFormatTags are the container tags a cleaned file may still carry:
// they describe the file format, not the clip or who made it.
var allowedFormatTags = map[string]func(string) bool{
	"major_brand":       func(string) bool { return true },
	"minor_version":     func(string) bool { return true },
	"compatible_brands": func(string) bool { return true },
	"encoder":           func(v string) bool { return strings.HasPrefix(v, "Lavf") }, // Matroska's mandatory WritingApp
}

// allowedStreamTags are the per-stream tags a cleaned file may carry.
var allowedStreamTags = map[string]func(string) bool{
	"language":     func(v string) bool { return len(v) == 3 },
	"handler_name": func(v string) bool { return v == "VideoHandler" || v == "SoundHandler" },
	"vendor_id":    func(v string) bool { return v == "[0][0][0][0]" || v == "FFMP" },
	"DURATION":     func(v string) bool { return strings.Trim(v, "0123456789:.") == "" },
}

// checkClean returns a description of the first metadata that p shows in a
// cleaned file, or nil.
func (p *probe) checkClean() error {
	for k, v := range p.Format.Tags {
		if ok := allowedFormatTags[k]; ok == nil || !ok(v) {
			return fmt.Errorf("format tag %q remains", k)
		}
	}
	for _, s := range p.Streams {
		for k, v := range s.Tags {
			if ok := allowedStreamTags[k]; ok == nil || !ok(v) {
				return fmt.Errorf("stream %d tag %q remains", s.Index, k)
			}
		}
	}
	if len(p.Chapters) > 0 {
		return fmt.Errorf("%d chapters remain", len(p.Chapters))
	}
	return nil
}
