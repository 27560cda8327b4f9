package posting

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"io"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/gen2brain/avif"
)

// TestUploadAVIFBecomesJPEG: an AVIF upload is decoded and stored as a
// JPEG every browser shows, the right size, with a thumbnail and a hash.
func TestUploadAVIFBecomesJPEG(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling the AVIF encoder takes seconds")
	}
	var file bytes.Buffer
	if err := avif.Encode(&file, mediatest.Picture(160, 120), avif.Options{Quality: 80, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, 1<<20)
	c, err := f.upload("photography", "", file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	p := c.Post
	if p.Kind != chatpic.Image || p.MIME != "image/jpeg" || p.Ext != "jpg" || p.Width != 160 || p.Height != 120 || p.PDQ == nil {
		t.Fatalf("post %+v: want a 160x120 JPEG image with a hash", p)
	}
	_, key, err := f.svc.MediaFile(context.Background(), p.ID, "jpg", false, "")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.OpenFile(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	b, _ := io.ReadAll(obj)
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 160 {
		t.Fatalf("stored file: %s %v, %v", format, img.Bounds(), err)
	}
	// The red corner is still top left: the picture was not turned.
	if r, g, bl, _ := img.At(5, 5).RGBA(); r>>8 < 200 || g>>8 > 60 || bl>>8 > 60 {
		t.Fatalf("top-left pixel %v %v %v, want red", r>>8, g>>8, bl>>8)
	}
}
