package video

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// process runs Process on src with fresh output paths in a temp dir.
func process(t *testing.T, src, posterExt string, lim Limits) (Result, string, string, error) {
	t.Helper()
	dir := t.TempDir()
	dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster"+posterExt)
	res, err := testRunner(t).Process(context.Background(), src, dst, poster, lim)
	return res, dst, poster, err
}

// assertClean checks everything a cleaned clip must satisfy.
func assertClean(t *testing.T, res Result, dst, poster string) {
	t.Helper()
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("output still contains %q", s)
		}
	}
	demuxer := "mov"
	if res.Container == WebM {
		demuxer = "matroska"
	}
	p, err := testRunner(t).probeFile(context.Background(), dst, demuxer)
	if err != nil {
		t.Fatalf("probe output: %v", err)
	}
	if err := p.checkClean(); err != nil {
		t.Errorf("output probe: %v", err)
	}
	for _, k := range []string{"title", "comment", "artist", "location", "creation_time", "encoder"} {
		if v, ok := p.Format.Tags[k]; ok && !(k == "encoder" && v == "Lavf") {
			t.Errorf("format tag %s=%q remains", k, v)
		}
	}
	if res.Container == MP4 {
		var order []string
		err := walkBoxes(bytes.NewReader(data), 0, int64(len(data)), 0, func(b box, depth int) (bool, error) {
			order = append(order, b.typ)
			return false, nil
		})
		if err != nil || len(order) < 3 || order[0] != "ftyp" || order[1] != "moov" {
			t.Errorf("top-level boxes %v (%v), want ftyp, moov first (faststart)", order, err)
		}
		if err := verifyMP4(bytes.NewReader(data), int64(len(data))); err != nil {
			t.Errorf("verifyMP4: %v", err)
		}
	}
	f, err := os.Open(poster)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("poster does not decode: %v", err)
	}
	if cfg.Width != res.Width || cfg.Height != res.Height {
		t.Errorf("poster is %s %dx%d, want %dx%d", format, cfg.Width, cfg.Height, res.Width, res.Height)
	}
}

func TestProcessCleans(t *testing.T) {
	tests := []struct {
		name   string
		src    func(testing.TB) string
		poster string
		want   Result
		slow   bool
	}{
		{name: "phone MOV with rotation, ©xyz, chapters and subtitles", src: phoneMOV, poster: ".jpg",
			want: Result{Container: MP4, Width: 240, Height: 320, VideoCodec: "h264", AudioCodec: "aac"}},
		{name: "MOV with Apple mdta location keys", src: mdtaMOV, poster: ".png",
			want: Result{Container: MP4, Width: 320, Height: 240, VideoCodec: "h264", AudioCodec: "aac"}},
		{name: "MP4 with cover art before the video", src: coverMP4, poster: ".png",
			want: Result{Container: MP4, Width: 320, Height: 240, VideoCodec: "h264", AudioCodec: "aac"}},
		{name: "WebM VP9 Opus with tags", src: vp9WebM, poster: ".png",
			want: Result{Container: WebM, Width: 320, Height: 240, VideoCodec: "vp9", AudioCodec: "opus"}},
		{name: "Matroska with chapters and an attachment becomes WebM", src: vp9MKV, poster: ".jpeg",
			want: Result{Container: WebM, Width: 320, Height: 240, VideoCodec: "vp9", AudioCodec: "opus"}},
		{name: "H.264 in Matroska becomes MP4", src: func(tb testing.TB) string {
			base := baseH264(tb)
			return fixture(tb, "h264.mkv", func(tb testing.TB) {
				ffmpeg(tb, "-i", "{dir}/"+filepath.Base(base), "-c", "copy", "-f", "matroska", "{dir}/h264.mkv")
			})
		}, poster: ".png", want: Result{Container: MP4, Width: 320, Height: 240, VideoCodec: "h264", AudioCodec: "aac"}},
		{name: "silent VP8 WebM", src: func(tb testing.TB) string {
			return encoded(tb, "vp8.webm", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "16",
				"-lag-in-frames", "0", "-b:v", "100k", "-metadata", "title=SECRETTITLE")
		}, poster: ".png", want: Result{Container: WebM, Width: 160, Height: 120, VideoCodec: "vp8"}},
		{name: "AV1 in MP4", slow: true, src: func(tb testing.TB) string {
			return encoded(tb, "av1.mp4", "-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "8",
				"-lag-in-frames", "0", "-b:v", "100k", "-metadata", "title=SECRETTITLE")
		}, poster: ".png", want: Result{Container: MP4, Width: 160, Height: 120, VideoCodec: "av1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.slow && testing.Short() {
				t.Skip("slow encoder; skipped in -short mode")
			}
			src := tt.src(t)
			res, dst, poster, err := process(t, src, tt.poster, Limits{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			if res.Duration < 1900*time.Millisecond || res.Duration > 2100*time.Millisecond {
				t.Errorf("Duration %v, want about 2s", res.Duration)
			}
			got := res
			got.Duration = 0
			if got != tt.want {
				t.Errorf("Result %+v, want %+v", got, tt.want)
			}
			assertClean(t, res, dst, poster)
		})
	}
}

func TestProcessRefuses(t *testing.T) {
	garbage := func(tb testing.TB) string {
		return fixture(tb, "garbage.mp4", func(tb testing.TB) {
			writeFixtureFile(tb, "garbage.mp4", string(bytes.Repeat([]byte("not a video "), 100)))
		})
	}
	fakeFtyp := func(tb testing.TB) string {
		return fixture(tb, "fake.mp4", func(tb testing.TB) {
			b := append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), bytes.Repeat([]byte{0xAB}, 500)...)
			writeFixtureFile(tb, "fake.mp4", string(b))
		})
	}
	cut := func(name string, src func(testing.TB) string) func(testing.TB) string {
		return func(tb testing.TB) string {
			full := src(tb)
			return fixture(tb, name, func(tb testing.TB) {
				b, err := os.ReadFile(full)
				if err != nil {
					tb.Fatal(err)
				}
				writeFixtureFile(tb, name, string(b[:len(b)*6/10]))
			})
		}
	}
	faststart := func(tb testing.TB) string {
		base := baseH264(tb)
		return fixture(tb, "faststart.mp4", func(tb testing.TB) {
			ffmpeg(tb, "-i", "{dir}/"+filepath.Base(base), "-c", "copy", "-movflags", "+faststart", "{dir}/faststart.mp4")
		})
	}
	tests := []struct {
		name string
		src  func(testing.TB) string
		lim  Limits
		want chatpic.Kind
	}{
		{"garbage", garbage, Limits{}, chatpic.KindUnsupported},
		{"ftyp then garbage", fakeFtyp, Limits{}, chatpic.KindUnprocessable},
		{"moov full of garbage", func(tb testing.TB) string {
			return fixture(tb, "garbage-moov.mp4", func(tb testing.TB) {
				b := append(ftyp("isom", "isom"), bx("moov", bytes.Repeat([]byte{0xAB}, 200))...)
				writeFixtureFile(tb, "garbage-moov.mp4", string(append(b, bx("mdat", make([]byte, 100))...)))
			})
		}, Limits{}, chatpic.KindUnprocessable},
		{"MP4 cut before its moov", cut("cut-moov-last.mp4", baseH264), Limits{}, chatpic.KindUnprocessable},
		{"faststart MP4 cut in its mdat", cut("cut-faststart.mp4", faststart), Limits{}, chatpic.KindUnprocessable},
		{"WebM cut in a cluster", cut("cut.webm", vp9WebM), Limits{}, chatpic.KindUnprocessable},
		{"MPEG-4 Part 2 video", func(tb testing.TB) string {
			return encoded(tb, "mpeg4.mp4", "-c:v", "mpeg4")
		}, Limits{}, chatpic.KindUnsupported},
		{"MJPEG in MOV", func(tb testing.TB) string {
			return encoded(tb, "mjpeg.mov", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p")
		}, Limits{}, chatpic.KindUnsupported},
		{"PCM audio in MOV", func(tb testing.TB) string {
			base := baseH264(tb)
			return fixture(tb, "pcm.mov", func(tb testing.TB) {
				ffmpeg(tb, "-i", "{dir}/"+filepath.Base(base), "-map", "0:v", "-map", "0:a", "-c:v", "copy",
					"-c:a", "pcm_s16le", "-f", "mov", "{dir}/pcm.mov")
			})
		}, Limits{}, chatpic.KindUnsupported},
		{"over MaxBytes", baseH264, Limits{MaxBytes: 1000}, chatpic.KindTooLarge},
		{"over MaxPixels", baseH264, Limits{MaxPixels: 320*240 - 1}, chatpic.KindTooLarge},
		{"over MaxDuration", baseH264, Limits{MaxDuration: time.Second}, chatpic.KindTooLarge},
		{"6 minutes against the default 5", func(tb testing.TB) string {
			return fixture(tb, "long.mp4", func(tb testing.TB) {
				ffmpeg(tb, "-f", "lavfi", "-i", "color=size=64x64:rate=1", "-t", "360",
					"-c:v", "libx264", "-preset", "ultrafast", "{dir}/long.mp4")
			})
		}, Limits{}, chatpic.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, dst, poster, err := process(t, tt.src(t), ".png", tt.lim)
			if got := chatpic.ErrorKind(err); got != tt.want {
				t.Fatalf("Process error %v (kind %q), want kind %q", err, got, tt.want)
			}
			if msg := chatpic.ErrorMessage(err); msg == "" || bytes.Contains([]byte(msg), []byte("ffmpeg")) {
				t.Errorf("message %q is not fit for a user", msg)
			}
			for _, p := range []string{dst, poster} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left behind after an error", filepath.Base(p))
				}
			}
			entries, _ := os.ReadDir(filepath.Dir(dst))
			if len(entries) != 0 {
				t.Errorf("work files left behind: %v", entries)
			}
		})
	}
}

func TestProcessCancelled(t *testing.T) {
	src := baseH264(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := testRunner(t).Process(ctx, src, filepath.Join(dir, "clip"), filepath.Join(dir, "p.png"), Limits{})
	if !errors.Is(err, context.Canceled) || chatpic.ErrorKind(err) != chatpic.KindInternal {
		t.Fatalf("Process with a cancelled context: %v, want an internal error wrapping context.Canceled", err)
	}
}

func TestProcessBadPosterName(t *testing.T) {
	dir := t.TempDir()
	_, err := testRunner(t).Process(context.Background(), baseH264(t), filepath.Join(dir, "clip"), filepath.Join(dir, "p.gif"), Limits{})
	if chatpic.ErrorKind(err) != chatpic.KindInternal {
		t.Fatalf("poster.gif: %v, want an internal error", err)
	}
}

func TestProcessMemoryLimit(t *testing.T) {
	src := baseH264(t)
	opts := Options{MemoryLimit: 14 << 20}
	if dir, err := os.UserCacheDir(); err == nil {
		opts.CacheDir = filepath.Join(dir, "chatpic", "wazero-test")
	}
	r, err := NewRunner(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	dir := t.TempDir()
	_, err = r.Process(context.Background(), src, filepath.Join(dir, "clip"), filepath.Join(dir, "p.png"), Limits{})
	if chatpic.ErrorKind(err) != chatpic.KindUnprocessable {
		t.Fatalf("Process within 14 MiB: %v, want an unprocessable error", err)
	}
	t.Logf("within 14 MiB: %v", err)
}

func TestPosterTime(t *testing.T) {
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	tests := []struct {
		name      string
		keys      []time.Duration
		target    time.Duration
		duration  time.Duration
		want      time.Duration
		wantExact bool
	}{
		{"key frame every second", []time.Duration{0, s(1), s(2)}, s(1), s(10), s(1), true},
		{"key frame every 2 s", []time.Duration{0, s(2), s(4)}, s(1), s(10), s(2), true},
		{"nearest of two", []time.Duration{0, s(0.5), s(1.8)}, s(1), s(10), s(0.5), true},
		{"only the first frame is a key frame", []time.Duration{0}, s(1), s(10), 0, true},
		{"next key frame too far", []time.Duration{0, s(3.5)}, s(1), s(10), 0, true},
		{"the last key frame before the target", []time.Duration{0, s(0.4), s(3.5)}, s(1), s(10), s(0.4), true},
		{"short clip, key frame past the end", []time.Duration{0, s(2)}, s(0.2), s(2), 0, true},
		{"no key frames listed", nil, s(1), s(10), s(1), false},
	}
	for _, tt := range tests {
		at, exact := posterTime(tt.keys, tt.target, tt.duration)
		if at != tt.want || exact != tt.wantExact {
			t.Errorf("%s: posterTime = %v, %v; want %v, %v", tt.name, at, exact, tt.want, tt.wantExact)
		}
	}
}

// TestSystemFFmpeg runs the same checks through a system ffmpeg, when one
// is installed; the built-in one is what the rest of the tests use.
func TestSystemFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("no ffmpeg on PATH")
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe on PATH")
	}
	r, err := NewRunner(context.Background(), Options{SystemFFmpeg: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if _, ok := r.eng.(*execEngine); !ok {
		t.Fatalf("engine %T, want the system ffmpeg", r.eng)
	}
	for _, src := range []func(testing.TB) string{phoneMOV, mdtaMOV, vp9MKV} {
		path := src(t)
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := t.TempDir()
			dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster.png")
			res, err := r.Process(context.Background(), path, dst, poster, Limits{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			assertClean(t, res, dst, poster)
		})
	}
}

func TestProcessConcurrent(t *testing.T) {
	srcs := []string{phoneMOV(t), vp9WebM(t), mdtaMOV(t), baseH264(t)}
	r := testRunner(t)
	errs := make(chan error, len(srcs))
	for _, src := range srcs {
		go func() {
			dir := t.TempDir()
			_, err := r.Process(context.Background(), src, filepath.Join(dir, "clip"), filepath.Join(dir, "p.jpg"), Limits{})
			errs <- err
		}()
	}
	for range srcs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestHEVC processes H.265 clips as iPhones record them (hvc1 in MOV and
// MP4, with a location). The built-in ffmpeg cannot encode HEVC, so the
// clips come from a system ffmpeg with libx265 when there is one (.ci/run
// installs Debian's); the processing itself is the built-in one.
func TestHEVC(t *testing.T) {
	ffmpegBin, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg on PATH to make HEVC clips with (Debian: apt-get install ffmpeg)")
	}
	if out, _ := exec.Command(ffmpegBin, "-hide_banner", "-encoders").Output(); !bytes.Contains(out, []byte("libx265")) {
		t.Skip("the ffmpeg on PATH has no libx265 encoder")
	}
	r := testRunner(t)
	for _, format := range []string{"mov", "mp4"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "hevc."+format)
			cmd := exec.Command(ffmpegBin, "-nostdin", "-v", "error", "-y",
				"-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-f", "lavfi", "-i", "sine=frequency=440",
				"-t", "2", "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1", "-c:a", "aac",
				"-metadata", "title=SECRETTITLE", "-metadata", "location=+48.8584+002.2945/", src)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("making the clip: %v\n%s", err, out)
			}
			dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster.png")
			res, err := r.Process(context.Background(), src, dst, poster, Limits{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			if res.VideoCodec != "hevc" || res.Container != MP4 {
				t.Fatalf("result %+v: want HEVC in MP4", res)
			}
			assertClean(t, res, dst, poster)
		})
	}
}
