package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/gen2brain/avif"
)

// process is a chatpic server in a process of its own (the test binary as
// main), so a test can kill it as a crash or the OOM killer would.
type process struct {
	cmd  *exec.Cmd
	addr string
}

var listening = regexp.MustCompile(`msg="chatpic is listening" addr=(\S+)`)

// startProcess runs "chatpic serve" on data and waits until it listens.
func startProcess(t *testing.T, data, cache string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--data", data, "--cache", cache)
	cmd.Env = append(os.Environ(), asMain+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return &process{cmd: cmd, addr: a}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start listening")
		return nil
	}
}

// TestKilledMidUploadLeavesNoTrace kills the server while an upload's body
// is being spooled, starts it again on the same data folder, and finds
// nothing of the upload anywhere: not in the temporary folder, not in the
// media, not in the database. The server's media worker dies with it.
func TestKilledMidUploadLeavesNoTrace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the workers in /proc")
	}
	data := t.TempDir()
	// A cache folder of this test's own, which its workers' command lines
	// name: that is how they are found.
	cache := t.TempDir()
	srv := startProcess(t, data, cache)

	// An AVIF upload starts a media worker, which stays for a while.
	var pic bytes.Buffer
	if err := avif.Encode(&pic, mediatest.Picture(64, 48), avif.Options{Quality: 60, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	if r := postFile(t, "http://"+srv.addr+"/api/v1/channels/random/posts", pic.Bytes()); r.StatusCode != 201 {
		t.Fatalf("the AVIF upload: %d", r.StatusCode)
	}
	if len(workersOf(cache)) == 0 {
		t.Fatal("no media worker runs after a HEIF upload")
	}

	secret := make([]byte, 16)
	rand.Read(secret)
	marker := []byte("GPS-51.5N-" + hex.EncodeToString(secret))
	photo := mediatest.CameraJPEG(640, 480, 6, string(marker))

	// An upload that announces 2 MB and sends the photo, then stalls.
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const boundary = "b0undary"
	head := fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me-at-home.jpg\"\r\n"+
		"Content-Type: image/jpeg\r\n\r\n", boundary)
	fmt.Fprintf(conn, "POST /api/v1/channels/random/posts HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n%s",
		srv.addr, boundary, 2<<20, head)
	conn.Write(photo)

	// The spooled copy, with the marker, reaches the temporary folder:
	// that is what must not survive.
	tmp := filepath.Join(data, "tmp")
	eventually(t, "the upload is spooled", func() bool { return containsMarker(t, tmp, marker) })
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	eventually(t, "the media worker dies with the server", func() bool { return len(workersOf(cache)) == 0 })

	srv = startProcess(t, data, cache)
	if traces := findMarker(t, data, marker); len(traces) > 0 {
		t.Fatalf("after the restart the upload's bytes are still in %v", traces)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 0 {
		t.Fatalf("the temporary folder holds %d entries after the restart", len(entries))
	}
}

func containsMarker(t *testing.T, dir string, marker []byte) bool {
	return len(findMarker(t, dir, marker)) > 0
}

// findMarker lists the files under dir that hold marker.
func findMarker(t *testing.T, dir string, marker []byte) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		if bytes.Contains(b, marker) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// eventually polls cond until it holds or 20 s pass: it waits on another
// process, into which no clock can be injected.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// workersOf lists the processes whose command line names cache: the media
// workers of a server started with it.
func workersOf(cache string) []string {
	var pids []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte("worker\x00")) && bytes.Contains(b, []byte(cache)) {
			pids = append(pids, d.Name())
		}
	}
	return pids
}

// postFile uploads file as the "file" part of a form.
func postFile(t *testing.T, url string, file []byte) *http.Response {
	t.Helper()
	body, contentType := uploadBody(file, nil)
	res, err := apiClient(t).Post(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
