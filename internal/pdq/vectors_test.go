package pdq

import (
	"encoding/csv"
	"errors"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// vectorDir holds the reference images and expected.csv, in the workspace's
// shared folder beside the repository.
const vectorDir = "../../../shared/testdata/pdq"

// refTolerance is how far a hash may be from the reference's and still
// conform: JPEG decoders differ slightly, and the reference tests allow 16.
const refTolerance = 16

// vectors returns expected.csv as file name → reference hash, skipping the
// test if the folder is absent.
func vectors(t *testing.T) map[string]Hash {
	t.Helper()
	f, err := os.Open(filepath.Join(vectorDir, "expected.csv"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("../shared/testdata/pdq not found: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("expected.csv: %v", err)
	}
	if len(rows) < 2 || len(rows[0]) != 2 || rows[0][0] != "file" {
		t.Fatalf("expected.csv: want a header \"file,pdq_hex\" and rows, got %q", rows)
	}
	want := make(map[string]Hash, len(rows)-1)
	for _, r := range rows[1:] {
		h, err := ParseHash(r[1])
		if err != nil {
			t.Fatalf("expected.csv %s: %v", r[0], err)
		}
		want[r[0]] = h
	}
	return want
}

func decodeVector(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

func TestReferenceVectors(t *testing.T) {
	want := vectors(t)
	for name, ref := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			img := decodeVector(t, name)
			h, q := Compute(img)
			d := Distance(h, ref)
			t.Logf("%-26s %v quality %3d distance %2d", name, img.Bounds().Size(), q, d)
			if d > refTolerance {
				t.Errorf("hash %v is %d bits from the reference %v (tolerance %d)", h, d, ref, refTolerance)
			}
		})
	}
}

func TestReferenceDihedral(t *testing.T) {
	want := vectors(t)
	// Dihedral's order is the reference's, and that of the files.
	files := [8]string{
		Original:   "bridge-1-original.jpg",
		Rotate90:   "bridge-2-rotate-90.jpg",
		Rotate180:  "bridge-3-rotate-180.jpg",
		Rotate270:  "bridge-4-rotate-270.jpg",
		FlipX:      "bridge-5-flipx.jpg",
		FlipY:      "bridge-6-flipy.jpg",
		FlipPlus1:  "bridge-7-flip-plus-1.jpg",
		FlipMinus1: "bridge-8-flip-minus-1.jpg",
	}
	hs, _ := Dihedral(decodeVector(t, files[Original]))
	for o, name := range files {
		ref, ok := want[name]
		if !ok {
			t.Fatalf("expected.csv has no %s", name)
		}
		d := Distance(hs[o], ref)
		t.Logf("Dihedral[%d] vs %-26s distance %2d", o, name, d)
		// The rotated files were decoded and re-encoded, and even box
		// windows sit off centre, so this is looser than refTolerance.
		if d > MatchThreshold {
			t.Errorf("Dihedral[%d] is %d bits from the reference hash of %s", o, d, name)
		}
		for p, h := range hs {
			if p != o && Distance(h, ref) <= MatchThreshold {
				t.Errorf("Dihedral[%d] also matches %s", p, name)
			}
		}
	}
}

func TestEditsMatchOriginal(t *testing.T) {
	vectors(t)
	orig, _ := Compute(decodeVector(t, "bridge-1-original.jpg"))
	for _, name := range []string{"blur-a-lot.jpg", "high-contrast.jpg", "sharpen-a-lot.jpg", "shrink-a-lot.jpg", "square-256x256.jpg"} {
		h, q := Compute(decodeVector(t, name))
		d := Distance(h, orig)
		t.Logf("%-20s quality %3d distance from the original %2d", name, q, d)
		if d > MatchThreshold {
			t.Errorf("%s: %d bits from the original, want at most %d", name, d, MatchThreshold)
		}
	}
	for _, name := range []string{"q0003.jpg", "q0122.jpg", "q0291.jpg", "q1050.jpg"} {
		h, _ := Compute(decodeVector(t, name))
		d := Distance(h, orig)
		t.Logf("%-20s unrelated, distance %3d", name, d)
		if d <= 80 {
			t.Errorf("%s: only %d bits from the bridge, want an unrelated picture far (> 80)", name, d)
		}
	}
}
