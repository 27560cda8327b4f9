package request

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/chatpic/chatpic"
)

// BodyRate is the least pace at which a client must send a body: Grace at
// first, then on average at least Rate bytes a second since the start.
type BodyRate struct {
	Rate  int64 // bytes a second; 0 or less means no minimum
	Grace time.Duration
}

// slowBody enforces a BodyRate on a request body through the connection's
// read deadline: before each read the deadline is moved to the latest
// moment the bytes received so far allow (start + Grace + received/Rate),
// so a client that keeps the pace never meets it, and one that stalls or
// trickles is cut off with KindTimeout however its bytes are spaced.
type slowBody struct {
	r     io.ReadCloser
	rc    *http.ResponseController
	rate  BodyRate
	start time.Time
	n     int64
	now   func() time.Time
}

// EnforceBodyRate replaces r.Body with one that fails with a KindTimeout
// error (408) once the client falls behind rate. It does nothing if the
// rate is unset.
func EnforceBodyRate(w http.ResponseWriter, r *http.Request, rate BodyRate) {
	if rate.Rate <= 0 {
		return
	}
	r.Body = &slowBody{r: r.Body, rc: http.NewResponseController(w), rate: rate, start: time.Now(), now: time.Now}
}

func (b *slowBody) Read(p []byte) (int, error) {
	allowed := b.rate.Grace + time.Duration(float64(b.n)/float64(b.rate.Rate)*float64(time.Second))
	if err := b.rc.SetReadDeadline(b.start.Add(allowed)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, chatpic.Errorf(chatpic.KindTimeout, "the upload arrived too slowly (under %s a second); try again on a better connection",
			chatpic.FormatSize(b.rate.Rate))
	}
	return n, err
}

func (b *slowBody) Close() error { return b.r.Close() }
