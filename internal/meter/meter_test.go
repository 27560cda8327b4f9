package meter

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chatpic/chatpic"
)

// scrape returns what m's handler answers, parsed as the Prometheus text
// format.
func scrape(t *testing.T, m *Meter) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("scrape: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, rec.Body)
	}
	return fams
}

// value returns the value of the sample of family name whose labels
// include want, and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func TestMeter(t *testing.T) {
	m := New()
	m.Request("GET /p/{id}", 200, 3*time.Millisecond)
	m.Request("GET /p/{id}", 404, time.Millisecond)
	m.Request("GET /p/{id}", 0, time.Millisecond) // wrote nothing: net/http sent 200
	m.Request("", 404, time.Millisecond)
	m.Upload("heic", 2*time.Second)
	m.Refused(chatpic.KindTooLarge)
	m.Report(chatpic.ReasonNCII)
	m.RateLimited(chatpic.ActionUpload)
	m.JanitorRun(map[string]int{"expired": 3, "orphan_files": 0}, false)
	m.JanitorRun(nil, true)
	m.Gauge("chatpic_uploads_in_flight", func() float64 { return 2 })
	m.Failure("database")
	m.Failure("media_store")
	m.Failure("media_store")
	fams := scrape(t, m)
	tests := []struct {
		name   string
		family string
		labels map[string]string
		want   float64
	}{
		{"a route's answers by class", "chatpic_http_requests_total", map[string]string{"route": "GET /p/{id}", "code": "2xx"}, 2},
		{"its refusals", "chatpic_http_requests_total", map[string]string{"route": "GET /p/{id}", "code": "4xx"}, 1},
		{"a request no route matched", "chatpic_http_requests_total", map[string]string{"route": "none", "code": "4xx"}, 1},
		{"the latency histogram's count", "chatpic_http_request_duration_seconds_count", map[string]string{"route": "GET /p/{id}"}, 3},
		{"the latency histogram's buckets", "chatpic_http_request_duration_seconds_bucket", map[string]string{"route": "GET /p/{id}", "le": "0.0025"}, 2},
		{"uploads by format", "chatpic_uploads_total", map[string]string{"result": "accepted", "format": "heic"}, 1},
		{"ingest time", "chatpic_ingest_duration_seconds_sum", map[string]string{"format": "heic"}, 2},
		{"refusals by kind", "chatpic_uploads_refused_total", map[string]string{"reason": "too_large"}, 1},
		{"reports", "chatpic_reports_total", map[string]string{"reason": "ncii"}, 1},
		{"rate limits", "chatpic_rate_limited_total", map[string]string{"action": "uploads"}, 1},
		{"janitor passes", "chatpic_janitor_runs_total", map[string]string{"result": "ok"}, 1},
		{"failed janitor passes", "chatpic_janitor_runs_total", map[string]string{"result": "failed"}, 1},
		{"what the janitor removed", "chatpic_janitor_removed_total", map[string]string{"what": "expired"}, 3},
		{"a gauge", "chatpic_uploads_in_flight", nil, 2},
		{"failures from the database", "chatpic_failures_total", map[string]string{"source": "database"}, 1},
		{"failures from the media store", "chatpic_failures_total", map[string]string{"source": "media_store"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := value(fams, tt.family, tt.labels)
			if !ok || got != tt.want {
				t.Errorf("%s%v = %v (found %v), want %v", tt.family, tt.labels, got, ok, tt.want)
			}
		})
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("the Go runtime's figures are missing")
	}
}
