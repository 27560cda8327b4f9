package video

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedModule checks that the embedded ffmpeg is, byte for byte, the
// one the go-ffmpreg version named in go.mod ships (its wasm package, which
// runs the module, expects that build), and that it unpacks.
func TestEmbeddedModule(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "codeberg.org/gruf/go-ffmpreg").Output()
	if err != nil {
		t.Skipf("cannot locate the go-ffmpreg module to compare with: %v", err)
	}
	want, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "embed", "ffmpreg.wasm.gz"))
	if err != nil {
		t.Skipf("the go-ffmpreg module is not downloaded: %v", err)
	}
	if !bytes.Equal(ffmpegGz, want) {
		t.Fatal("internal/video/ffmpeg.wasm.gz differs from the go-ffmpreg release in go.mod: copy its embed/ffmpreg.wasm.gz")
	}
	bin, err := ffmpegModule()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(bin, []byte("\x00asm")) {
		t.Fatalf("the unpacked module starts with %q, not a WebAssembly header", bin[:8])
	}
}
