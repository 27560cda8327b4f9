package codecs

import (
	"context"

	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/worker"
)

// Client sends codec jobs to worker pools whose workers run Handlers. It is
// safe for concurrent use.
type Client struct {
	pictures, videos *worker.Pool
}

// NewClient returns a Client that converts pictures on the workers of one
// pool and processes videos on those of another. The pools are kept apart
// because a worker that ran ffmpeg keeps it loaded (some 150 MB) until it
// exits, which a picture's memory ceiling should not have to cover.
func NewClient(pictures, videos *worker.Pool) *Client {
	return &Client{pictures: pictures, videos: videos}
}

// ConvertHEIF decodes the HEIC or AVIF picture at src (the right way up, see
// heif.Decode) and writes it to dst, an existing file, as a JPEG, or a PNG when it has
// transparency, carrying only its colour profile. maxPixels bounds the
// picture. b bounds the worker's time and memory.
//
// Errors are heif.Decode's and heif.Encode's, with their kinds
// (KindStorageFull when dst's disk is full), and
// worker.Pool.Run's (KindUnprocessable for a worker past b or crashed, the
// context's error). On error dst may be left behind; the caller removes it.
func (c *Client) ConvertHEIF(ctx context.Context, src, dst string, maxPixels int64, b worker.Limits) (Converted, error) {
	var out Converted
	err := c.pictures.Run(ctx, worker.Job{Op: opHEIF, Args: heifArgs{Src: src, Dst: dst, MaxPixels: maxPixels}, Limits: b}, &out)
	return out, err
}

// ProcessVideo runs video.Runner.Process on the clip at src in a worker,
// bounded by b. Errors are Process's and worker.Pool.Run's.
func (c *Client) ProcessVideo(ctx context.Context, src, dst, poster string, lim video.Limits, b worker.Limits) (video.Result, error) {
	var out video.Result
	err := c.videos.Run(ctx, worker.Job{Op: opVideo, Args: videoArgs{Src: src, Dst: dst, Poster: poster, Limits: lim}, Limits: b}, &out)
	return out, err
}

// WarmVideo has a worker compile ffmpeg into the cache folder, so the first
// video upload does not wait for it (15-20 s of CPU without a cache). It is
// meant to run in the background at start-up.
func (c *Client) WarmVideo(ctx context.Context, b worker.Limits) error {
	return c.videos.Run(ctx, worker.Job{Op: opWarmVideo, Limits: b}, nil)
}
