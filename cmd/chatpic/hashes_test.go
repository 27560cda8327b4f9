package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/pdq"
)

// storedAs returns the pixels a camera stores for the displayed picture d
// under EXIF orientation o (so that o turns them back into d). Without the
// tag, they are d turned or mirrored: o 2 mirrors it left to right, 3
// turns it a half, 6 a quarter counter-clockwise, 8 a quarter clockwise,
// 4, 5 and 7 mirror it about the other axes.
func storedAs(d *image.RGBA, o int) *image.RGBA {
	dw, dh := d.Rect.Dx(), d.Rect.Dy()
	sw, sh := dw, dh
	if o >= 5 {
		sw, sh = dh, dw
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for dy := range dh {
		for dx := range dw {
			x, y := dx, dy
			switch o {
			case 2:
				x, y = sw-1-dx, dy
			case 3:
				x, y = sw-1-dx, sh-1-dy
			case 4:
				x, y = dx, sh-1-dy
			case 5:
				x, y = dy, dx
			case 6:
				x, y = dy, sh-1-dx
			case 7:
				x, y = sw-1-dy, sh-1-dx
			case 8:
				x, y = sw-1-dy, dx
			}
			s.SetRGBA(x, y, d.RGBAAt(dx, dy))
		}
	}
	return s
}

// referenceHash is what a hash-sharing programme's tools list for a file:
// the PDQ hash of its pixels as stored, decoded by the standard library's
// decoders, whatever EXIF says, alpha ignored.
func referenceHash(t *testing.T, file []byte) pdq.Hash {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	h, q := pdq.Compute(img)
	if q < pdq.MinQuality {
		t.Fatalf("the listed picture has quality %d", q)
	}
	return h
}

// TestListedPictureRefusedInEveryOrientation puts a photograph and a
// transparent PNG on a hash list as a hash-sharing programme would (the
// hash of the files' stored pixels), imports it with the command line into
// a running server, and uploads the photograph with every EXIF orientation
// tag (its pixels as listed, and its pixels turned so that the tag shows
// the listed picture), turned a quarter, a half and three quarters,
// mirrored about each axis, and the PNG as listed: every one is refused
// with the neutral 403. Unrelated pictures go through, and so does a
// picture too small to hash although the zero hash it would have is
// listed.
func TestListedPictureRefusedInEveryOrientation(t *testing.T) {
	in := start(t, "--rate-uploads", "off", "--flood", "off")
	scene := mediatest.Scene(480, 320, 41)
	listed := mediatest.EncodeJPEG(scene, 90)

	seeThrough := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	glass := mediatest.Scene(300, 200, 42)
	for y := range 200 {
		for x := range 300 {
			c := glass.RGBAAt(x, y)
			a := uint8(255)
			if x < 150 || y > 150 {
				a = 0 // invisible, the colour kept
			}
			seeThrough.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, a})
		}
	}
	var pngFile bytes.Buffer
	if err := png.Encode(&pngFile, seeThrough); err != nil {
		t.Fatal(err)
	}

	list := fmt.Sprintf("# a hash-sharing programme's list\npdq %s a listed photograph\npdq %s a listed transparent picture\npdq %s the zero hash\n",
		referenceHash(t, listed), referenceHash(t, pngFile.Bytes()), pdq.Hash{})
	path := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := in.cli("hashes", "import", path); !strings.Contains(out, "imported 3 new hashes") {
		t.Fatalf("hashes import printed %q", out)
	}

	type upload struct {
		name string
		file []byte
	}
	refused := []upload{{"the photograph as listed", listed}, {"the transparent PNG as listed", pngFile.Bytes()}}
	for o := 2; o <= 8; o++ {
		refused = append(refused,
			upload{fmt.Sprintf("the listed pixels tagged with orientation %d", o), mediatest.WithOrientation(listed, uint16(o))},
			upload{fmt.Sprintf("pixels that orientation %d shows as listed", o), mediatest.WithOrientation(mediatest.EncodeJPEG(storedAs(scene, o), 90), uint16(o))})
	}
	for _, turn := range []struct {
		name string
		o    int
	}{
		{"turned a quarter clockwise", 8}, {"turned a half", 3}, {"turned a quarter counter-clockwise", 6},
		{"mirrored left to right", 2}, {"mirrored top to bottom", 4}, {"mirrored about a diagonal", 5}, {"mirrored about the other diagonal", 7},
	} {
		refused = append(refused, upload{turn.name, mediatest.EncodeJPEG(storedAs(scene, turn.o), 85)})
	}
	for i, u := range refused {
		r := in.upload("random", u.file, "")
		if r.status != http.StatusForbidden || strings.Contains(string(r.body), "hash") || strings.Contains(string(r.body), "ban") {
			t.Errorf("%d. %s: %d %s, want a neutral 403", i+1, u.name, r.status, r.body)
		}
	}

	accepted := []upload{{"a 4×4 picture, which has the zero hash", mediatest.PNG(4, 4)}}
	for seed := uint64(100); seed < 106; seed++ {
		accepted = append(accepted, upload{fmt.Sprintf("unrelated picture %d", seed), mediatest.EncodeJPEG(mediatest.Scene(480, 320, seed), 90)})
	}
	for _, u := range accepted {
		if r := in.upload("random", u.file, ""); r.status != http.StatusCreated {
			t.Errorf("%s: %d %s, want 201", u.name, r.status, r.body)
		}
	}
}

// TestBanHashesTheDecodedOriginal removes a phone picture (stored turned,
// with an orientation tag) with a ban, and checks what was banned: the PDQ
// hashes of the picture decoded from its stored file, exactly as an upload
// of that file is hashed (so the hash a reference tool computes for the
// file is on the list), not of the re-compressed thumbnail; and that the
// picture then comes back in no orientation.
func TestBanHashesTheDecodedOriginal(t *testing.T) {
	in := start(t, "--rate-uploads", "off", "--flood", "off")
	if _, err := runCLIWithInput(t, "a long password\na long password\n", "mods", "add", "alice", "--admin", "--data", in.data); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(in.cli("mods", "token", "alice"))

	scene := mediatest.Scene(1200, 800, 77) // big enough to be decoded at a reduced scale
	phone := mediatest.WithOrientation(mediatest.EncodeJPEG(storedAs(scene, 6), 92), 6)
	p := mustUpload(t, in, "random", phone)
	stored := in.get(p.MediaURL).body
	want, q, err := media.Hashes(context.Background(), bytes.NewReader(stored), int64(len(stored)), media.Limits{})
	if err != nil || q < pdq.MinQuality {
		t.Fatalf("hashing the stored file: quality %d, %v", q, err)
	}

	req, _ := http.NewRequest("POST", in.base+"/api/v1/mod/posts/"+p.ID+"/remove", strings.NewReader(`{"reason":"shared without consent","ban":true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if r := in.do(req); r.status != http.StatusOK {
		t.Fatalf("remove with a ban: %d %s", r.status, r.body)
	}
	export := in.cli("hashes", "export")
	for o, h := range want {
		if !strings.Contains(export, "pdq "+h.String()) {
			t.Errorf("the export lacks Dihedral[%d] of the stored file, %s:\n%s", o, h, export)
		}
	}
	var jpegStored image.Image
	if jpegStored, err = jpeg.Decode(bytes.NewReader(stored)); err != nil {
		t.Fatal(err)
	}
	ref, _ := pdq.Compute(jpegStored)
	if d := pdq.Distance(ref, want[pdq.Original]); d > 16 {
		t.Errorf("the banned hash is %d bits from the stored file's as the standard decoder gives it, want at most 16", d)
	}

	for o := 1; o <= 8; o++ {
		file := mediatest.EncodeJPEG(storedAs(scene, o), 80)
		if r := in.upload("random", file, ""); r.status != http.StatusForbidden {
			t.Errorf("the picture stored as orientation %d shows it, untagged: %d, want 403", o, r.status)
		}
	}
	var ok struct {
		ID string `json:"id"`
	}
	r := in.upload("random", mediatest.EncodeJPEG(mediatest.Scene(1200, 800, 78), 90), "")
	if json.Unmarshal(r.body, &ok); r.status != http.StatusCreated || ok.ID == "" {
		t.Errorf("an unrelated picture: %d %s", r.status, r.body)
	}
}
