package video

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tests share one Runner (compiling ffmpeg takes 15-20 s, about 1 s
// from the cache in the user's cache directory) and make their fixtures
// with the same WebAssembly ffmpeg, once per test binary.

var (
	sharedOnce   sync.Once
	sharedRunner *Runner
	sharedErr    error
	fixtureDir   string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chatpic-video-test-")
	if err != nil {
		panic(err)
	}
	fixtureDir = dir
	code := m.Run()
	if sharedRunner != nil {
		_ = sharedRunner.Close(context.Background())
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testRunner returns the shared Runner, compiling it on first use.
func testRunner(tb testing.TB) *Runner {
	tb.Helper()
	sharedOnce.Do(func() {
		opts := Options{}
		if dir, err := os.UserCacheDir(); err == nil {
			opts.CacheDir = filepath.Join(dir, "chatpic", "wazero-test")
		}
		sharedRunner, sharedErr = NewRunner(context.Background(), opts)
	})
	if sharedErr != nil {
		tb.Fatalf("NewRunner: %v", sharedErr)
	}
	return sharedRunner
}

// ffmpeg runs the built-in ffmpeg with args, in which "{dir}" stands for
// the fixture directory (the only place it can read and write).
func ffmpeg(tb testing.TB, args ...string) {
	tb.Helper()
	r := testRunner(tb)
	err := r.eng.run(context.Background(), job{prog: "ffmpeg", work: fixtureDir, args: func(_, work string) []string {
		full := []string{"-nostdin", "-hide_banner", "-v", "error", "-y"}
		for _, a := range args {
			full = append(full, strings.ReplaceAll(a, "{dir}", work))
		}
		return full
	}})
	if err != nil {
		tb.Fatalf("ffmpeg %v: %v", args, err)
	}
}

// fixture makes the file name in the fixture directory with build, once per
// test binary, and returns its host path.
func fixture(tb testing.TB, name string, build func(tb testing.TB)) string {
	tb.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	path := filepath.Join(fixtureDir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	done := false
	defer func() {
		if !done { // a failed build must not leave a partial file for the next test
			_ = os.Remove(path)
		}
	}()
	build(tb)
	done = true
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("fixture %s not made: %v", name, err)
	}
	return path
}

var fixtureMu sync.Mutex

// Secrets planted in fixtures; none may survive Process.
var secrets = []string{
	"SECRETTITLE", "SECRETCOMMENT", "SECRETARTIST", "SECRETCHAPTER", "SECRETSUB", "SECRETSTREAM",
	"SECRETMAKE", "SECRETATTACH", "+48.8584", "002.2945", "2019-06-01",
}

// metadataArgs plants secrets in the container's global metadata.
var metadataArgs = []string{
	"-metadata", "title=SECRETTITLE", "-metadata", "comment=SECRETCOMMENT",
	"-metadata", "artist=SECRETARTIST", "-metadata", "location=+48.8584+002.2945/",
	"-metadata", "creation_time=2019-06-01T12:00:00Z",
}

// writeFixtureFile writes an auxiliary input (subtitles, chapters).
func writeFixtureFile(tb testing.TB, name, content string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(fixtureDir, name), []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// baseH264 is a 2 s 320x240 10 fps H.264 + AAC clip with a key frame every
// second, moov at the end, and no metadata of ours.
func baseH264(tb testing.TB) string {
	return fixture(tb, "base.mp4", func(tb testing.TB) {
		ffmpeg(tb, "-filter_complex", "testsrc=size=320x240:rate=10,format=yuv420p[v];sine=frequency=440:sample_rate=44100[a]",
			"-map", "[v]", "-map", "[a]", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
			"-c:a", "aac", "{dir}/base.mp4")
	})
}

// phoneMOV is baseH264 as an iPhone would write it, with everything a
// phone or an editor may leave: a 90° rotation, QuickTime user data
// (©nam, ©xyz location, dates), chapters and a subtitle track.
func phoneMOV(tb testing.TB) string {
	base := baseH264(tb)
	return fixture(tb, "phone.mov", func(tb testing.TB) {
		writeFixtureFile(tb, "sub.srt", "1\n00:00:00,000 --> 00:00:01,000\nSECRETSUB\n")
		writeFixtureFile(tb, "chapters.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=SECRETCHAPTER\n")
		args := []string{"-i", "{dir}/" + filepath.Base(base), "-i", "{dir}/sub.srt", "-i", "{dir}/chapters.txt",
			"-map", "0", "-map", "1", "-map_chapters", "2", "-c", "copy", "-c:s", "mov_text",
			"-metadata:s:v:0", "rotate=90", "-metadata:s:v:0", "title=SECRETSTREAM"}
		args = append(args, metadataArgs...)
		ffmpeg(tb, append(args, "-f", "mov", "{dir}/phone.mov")...)
	})
}

// mdtaMOV carries Apple's mdta keys (com.apple.quicktime.location.ISO6709
// and friends), the way recent iPhones store the location.
func mdtaMOV(tb testing.TB) string {
	base := baseH264(tb)
	return fixture(tb, "mdta.mov", func(tb testing.TB) {
		args := []string{"-i", "{dir}/" + filepath.Base(base), "-c", "copy", "-movflags", "use_metadata_tags",
			"-metadata", "com.apple.quicktime.location.ISO6709=+48.8584+002.2945+035.000/",
			"-metadata", "com.apple.quicktime.make=SECRETMAKE",
			"-metadata", "com.apple.quicktime.creationdate=2019-06-01T12:00:00+0200"}
		args = append(args, metadataArgs...)
		ffmpeg(tb, append(args, "-f", "mov", "{dir}/mdta.mov")...)
	})
}

// coverMP4 is an MP4 whose first video stream is cover art, with iTunes
// metadata and a location.
func coverMP4(tb testing.TB) string {
	base := baseH264(tb)
	return fixture(tb, "cover.mp4", func(tb testing.TB) {
		ffmpeg(tb, "-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "1", "{dir}/cover.png")
		args := []string{"-i", "{dir}/cover.png", "-i", "{dir}/" + filepath.Base(base),
			"-map", "0", "-map", "1", "-c", "copy", "-c:v:0", "png", "-disposition:v:0", "attached_pic"}
		args = append(args, metadataArgs...)
		ffmpeg(tb, append(args, "-f", "mp4", "{dir}/cover.mp4")...)
	})
}

// vp9MKV is a 2 s VP9 + Opus clip in Matroska with tags, stream titles,
// chapters and an attachment.
func vp9MKV(tb testing.TB) string {
	return fixture(tb, "vp9.mkv", func(tb testing.TB) {
		writeFixtureFile(tb, "chapters.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=SECRETCHAPTER\n")
		writeFixtureFile(tb, "attach.txt", "SECRETATTACH")
		args := []string{"-filter_complex", "testsrc=size=320x240:rate=10,format=yuv420p[v];sine=frequency=440:sample_rate=48000:samples_per_frame=960[a]",
			"-i", "{dir}/chapters.txt", "-map", "[v]", "-map", "[a]", "-map_chapters", "0", "-t", "2",
			"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", "-b:v", "200k",
			"-c:a", "libopus", "-metadata:s:v:0", "title=SECRETSTREAM",
			"-attach", "{dir}/attach.txt", "-metadata:s:t", "mimetype=text/plain"}
		args = append(args, metadataArgs...)
		ffmpeg(tb, append(args, "-f", "matroska", "{dir}/vp9.mkv")...)
	})
}

// vp9WebM is vp9MKV as WebM, with tags but without what WebM cannot hold.
func vp9WebM(tb testing.TB) string {
	mkv := vp9MKV(tb)
	return fixture(tb, "vp9.webm", func(tb testing.TB) {
		args := []string{"-i", "{dir}/" + filepath.Base(mkv), "-map", "0:v", "-map", "0:a", "-c", "copy",
			"-metadata:s:v:0", "title=SECRETSTREAM"}
		args = append(args, metadataArgs...)
		ffmpeg(tb, append(args, "-f", "webm", "{dir}/vp9.webm")...)
	})
}

// encoded makes a silent 2 s 160x120 clip with the given codec arguments.
func encoded(tb testing.TB, name string, codec ...string) string {
	return fixture(tb, name, func(tb testing.TB) {
		args := []string{"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2"}
		args = append(args, codec...)
		ffmpeg(tb, append(args, "{dir}/"+name)...)
	})
}
