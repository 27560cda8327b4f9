package posting

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/codecs"
	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/worker"
)

// TestMain makes the test binary a media worker when a test's pool starts
// one: it serves the real codecs, and jobs that fail the way a broken
// decoder would.
func TestMain(m *testing.M) {
	if os.Getenv(worker.EnvMarker) == "1" {
		handlers := codecs.Handlers(codecs.Options{})
		maps.Copy(handlers, faultyDecoders())
		if err := worker.Main(context.Background(), handlers); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The job the test codecs send for a picture: the real conversion, or one of
// the faults.
const (
	opHEIF  = "heif"
	opPanic = "panic"
	opHang  = "hang"
	opBloat = "bloat"
	opCrash = "crash"
)

// bloat keeps what the "bloat" job allocates.
var bloat [][]byte

func faultyDecoders() map[string]worker.Handler {
	return map[string]worker.Handler{
		opPanic: func(context.Context, json.RawMessage) (any, error) {
			var m map[string]int
			m["libheif"]++ // a nil map write: a real runtime panic
			return nil, nil
		},
		opHang: func(context.Context, json.RawMessage) (any, error) {
			for {
				time.Sleep(time.Hour)
			}
		},
		opBloat: func(context.Context, json.RawMessage) (any, error) {
			for {
				b := make([]byte, 1<<20)
				for i := range b {
					b[i] = 1
				}
				bloat = append(bloat, b)
			}
		},
		opCrash: func(context.Context, json.RawMessage) (any, error) {
			os.Exit(7)
			return nil, nil
		},
	}
}

// switchableCodecs sends picture jobs as whichever operation op names, and
// videos to the real video job.
type switchableCodecs struct {
	*codecs.Client
	pool *worker.Pool
	op   string
}

func (c *switchableCodecs) ConvertHEIF(ctx context.Context, src, dst string, maxPixels int64, b worker.Limits) (codecs.Converted, error) {
	if c.op == opHEIF {
		return c.Client.ConvertHEIF(ctx, src, dst, maxPixels, b)
	}
	var out codecs.Converted
	err := c.pool.Run(ctx, worker.Job{Op: c.op, Limits: b}, &out)
	return out, err
}

func (c *switchableCodecs) ProcessVideo(ctx context.Context, src, dst, poster string, lim video.Limits, b worker.Limits) (video.Result, error) {
	return c.Client.ProcessVideo(ctx, src, dst, poster, lim, b)
}

// testCodecs returns codecs whose workers are this test binary.
func testCodecs(t *testing.T, op string) *switchableCodecs {
	t.Helper()
	pool := func() *worker.Pool {
		p := worker.NewPool(worker.Config{Command: func() *exec.Cmd { return exec.Command(os.Args[0]) }, Max: 2})
		t.Cleanup(func() { p.Close() })
		return p
	}
	pictures := pool()
	return &switchableCodecs{Client: codecs.NewClient(pictures, pool()), pool: pictures, op: op}
}
