package main

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestMetrics: with --metrics-addr the server counts what it does at
// /metrics on that address, in a format Prometheus parses, with labels that
// name routes and formats but nothing of a request; the site itself has no
// /metrics.
func TestMetrics(t *testing.T) {
	in := start(t, "--metrics-addr", "127.0.0.1:0", "--max-upload", "100KB")
	addr := regexp.MustCompile(`msg="metrics are served" addr=(\S+)`).FindStringSubmatch(in.log.String())
	if addr == nil {
		t.Fatalf("the log does not say where the metrics are:\n%s", in.log)
	}
	p := mustUpload(t, in, "random", mediatest.JPEG(64, 48))
	// Refusals, each counted once, whichever stage refuses: the body
	// (too large) or the file (not a picture).
	if r := in.upload("random", bytes.Repeat([]byte("x"), 200<<10), ""); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("an upload over the limit: %d %s", r.status, r.body)
	}
	if r := in.upload("random", []byte("just some text, not a picture"), ""); r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("a text file: %d %s", r.status, r.body)
	}
	get := func(url string) (int, string) {
		t.Helper()
		res, err := apiClient(t).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get(in.base + "/p/" + p.ID); code != http.StatusOK {
		t.Fatalf("post page: %d", code)
	}
	if code, _ := get(in.base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("the public site answers /metrics with %d, want 404", code)
	}
	code, body := get("http://" + addr[1] + "/metrics")
	if code != http.StatusOK {
		t.Fatalf("scrape: %d %s", code, body)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, body)
	}
	for _, want := range []string{
		`chatpic_http_requests_total{route="POST /api/v1/channels/{slug}/posts",code="2xx"} 1`,
		`chatpic_http_requests_total{route="GET /p/{id}",code="2xx"} 1`,
		`chatpic_uploads_total{result="accepted",format="jpeg"} 1`,
		`chatpic_uploads_refused_total{reason="too_large"} 1`,
		`chatpic_uploads_refused_total{reason="unsupported"} 1`,
		`chatpic_uploads_in_flight 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the metrics lack %s", want)
		}
	}
	for _, name := range []string{"chatpic_http_request_duration_seconds_bucket", "chatpic_ingest_duration_seconds_bucket",
		"chatpic_live_streams_open", "chatpic_media_waiting", "chatpic_media_memory_in_use_bytes",
		"chatpic_media_workers", "chatpic_media_worker_peak_rss_bytes", "go_goroutines"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("the metrics lack %s", name)
		}
	}
	for _, leak := range []string{p.ID, "127.0.0.1", "203.0.113.77", "UniqueTestAgent"} {
		if strings.Contains(body, leak) {
			t.Errorf("the metrics hold %q", leak)
		}
	}
}
