package posting

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"io"
	"testing"
	"time"

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
	mf, err := f.svc.MediaFile(context.Background(), p.ID, "jpg", false, "")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.OpenFile(context.Background(), mf.Key)
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

// TestDecoderFailuresCostOneUpload: a decoder that panics, hangs, eats
// memory or crashes its process fails only the upload it was decoding, with
// a 4xx that says why; nothing of it is left behind, every slot and byte of
// the memory budget comes back, and the next HEIF upload, and a JPEG, go
// through.
func TestDecoderFailuresCostOneUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling the AVIF encoder takes seconds")
	}
	var file bytes.Buffer
	if err := avif.Encode(&file, mediatest.Picture(160, 120), avif.Options{Quality: 80, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	codecs := testCodecs(t, opHEIF)
	f := newFixtureWith(t, func(c *Config) { c.Codecs = codecs })
	tests := []struct {
		op      string
		kind    chatpic.Kind
		message string
	}{
		{opPanic, chatpic.KindUnprocessable, "this file could not be read"},
		{opHang, chatpic.KindUnprocessable, "this file takes too long to process"},
		{opBloat, chatpic.KindUnprocessable, "this file needs more memory to process than this server allows"},
		{opCrash, chatpic.KindUnprocessable, "this file could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			codecs.op = tt.op
			f.svc.cfg.DecodeTimeout = time.Minute
			if tt.op == opHang {
				f.svc.cfg.DecodeTimeout = time.Second
			}
			before := len(f.leftovers(t))
			_, err := f.upload("random", "", file.Bytes())
			if chatpic.ErrorKind(err) != tt.kind || chatpic.ErrorMessage(err) != tt.message {
				t.Fatalf("got %v, want %s %q", err, tt.kind, tt.message)
			}
			if left := f.leftovers(t); len(left) != before {
				t.Fatalf("the failed upload left something: %v", left)
			}
			if f.svc.mem.used != 0 || len(f.svc.work) != 0 {
				t.Fatalf("after the failure %d bytes of memory and %d CPU slots are still taken", f.svc.mem.used, len(f.svc.work))
			}
			codecs.op = opHEIF
			f.svc.cfg.DecodeTimeout = time.Minute
			if _, err := f.upload("random", "", file.Bytes()); err != nil {
				t.Fatalf("the next AVIF upload: %v", err)
			}
			if _, err := f.upload("random", "", mediatest.JPEG(32, 32)); err != nil {
				t.Fatalf("the next JPEG upload: %v", err)
			}
		})
	}
}
