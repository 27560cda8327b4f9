// Package meter keeps the counters, gauges and histograms an operator
// scrapes at /metrics, in the Prometheus text format, on a listener of its
// own (--metrics-addr) so that the public site never shows them.
//
// No label carries an ID, an address, a user agent or anything else a
// request chose: routes are the patterns of the route table, statuses are
// classes (2xx, 4xx, ...), and error kinds, report reasons and actions are
// the domain's own typed values. Formats, janitor counts and failure
// sources are named by the code that records them (the sniffers'
// constants, janitor.Report.Counts, chatpic.ErrorSource), never by input.
package meter

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/chatpic/chatpic"
)

// Meter records what chatpic does. Its methods are safe for concurrent use.
// Without --metrics-addr there is none, and its callers, which take it
// through interfaces of their own, are given nil and record nothing.
type Meter struct {
	set *metrics.Set
}

// New returns a Meter with nothing recorded yet.
func New() *Meter { return &Meter{set: metrics.NewSet()} }

// Handler answers GET /metrics with everything recorded, and the Go
// runtime's and the process's own figures.
func (m *Meter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		m.set.WritePrometheus(w)
		metrics.WriteProcessMetrics(w)
	})
	return mux
}

// durations are the buckets of the latency histograms, in seconds.
var durations = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Request records an answered request: the pattern of the route it
// matched ("" for none), its status and how long it took.
func (m *Meter) Request(route string, status int, took time.Duration) {
	if route == "" {
		route = "none"
	}
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	r := quote(route)
	m.set.GetOrCreateCounter(`chatpic_http_requests_total{route=` + r + `,code="` + class(status) + `"}`).Inc()
	m.set.GetOrCreatePrometheusHistogramExt(`chatpic_http_request_duration_seconds{route=`+r+`}`, durations).Update(took.Seconds())
}

// Upload records an accepted upload of format and how long its ingest
// took.
func (m *Meter) Upload(format string, took time.Duration) {
	f := quote(format)
	m.set.GetOrCreateCounter(`chatpic_uploads_total{result="accepted",format=` + f + `}`).Inc()
	m.set.GetOrCreatePrometheusHistogramExt(`chatpic_ingest_duration_seconds{format=`+f+`}`, durations).Update(took.Seconds())
}

// Refused records an upload refused with an error of kind k.
func (m *Meter) Refused(k chatpic.Kind) {
	m.set.GetOrCreateCounter(`chatpic_uploads_refused_total{reason=` + quote(string(k)) + `}`).Inc()
}

// Report records a report filed for reason.
func (m *Meter) Report(reason chatpic.ReportReason) {
	m.set.GetOrCreateCounter(`chatpic_reports_total{reason=` + quote(string(reason)) + `}`).Inc()
}

// RateLimited records a request refused by the rate limit of action a.
func (m *Meter) RateLimited(a chatpic.Action) {
	m.set.GetOrCreateCounter(`chatpic_rate_limited_total{action=` + quote(string(a)) + `}`).Inc()
}

// JanitorRun records a janitor pass and what it removed, by what
// (expired, orphan_files, ...); failed says it ended in an error.
func (m *Meter) JanitorRun(removed map[string]int, failed bool) {
	result := "ok"
	if failed {
		result = "failed"
	}
	m.set.GetOrCreateCounter(`chatpic_janitor_runs_total{result="` + result + `"}`).Inc()
	for what, n := range removed {
		m.set.GetOrCreateCounter(`chatpic_janitor_removed_total{what=` + quote(what) + `}`).Add(n)
	}
}

// Failure records a request answered with a 5xx, by where its error came
// from: "database", "media_store" or "other".
func (m *Meter) Failure(source string) {
	m.set.GetOrCreateCounter(`chatpic_failures_total{source=` + quote(source) + `}`).Inc()
}

// Gauge reports f's value, read at every scrape, as name: a metric name,
// with any labels written in the code, never taken from a request.
func (m *Meter) Gauge(name string, f func() float64) {
	m.set.GetOrCreateGauge(name, f)
}

// class is a status's class: "2xx", "4xx", ...
func class(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// labelEscaper escapes a label value as the text format wants.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// quote writes v as a label value. It runs for every request: the
// replacer, whose table is 6 KB, is made once.
func quote(v string) string { return `"` + labelEscaper.Replace(v) + `"` }
