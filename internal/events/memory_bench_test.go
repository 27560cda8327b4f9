package events

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFanout10k measures, per publish, the time until the last of
// 10,000 subscribers of one topic (each drained by its own goroutine, as an
// SSE handler would) has received the event. It reports the p50 and p99 of
// that latency, the broker's heap per subscriber, and the drain goroutines'
// stack per subscriber.
func BenchmarkFanout10k(b *testing.B) {
	const subscribers = 10_000
	m := NewMemory(Options{})
	ctx := b.Context()

	before := heapStats()
	subs := make([]*Subscription, subscribers)
	for i := range subs {
		s, err := m.Subscribe(ctx, "channel:bench", 0)
		if err != nil {
			b.Fatal(err)
		}
		subs[i] = s
	}
	afterSubscribe := heapStats()

	var remaining atomic.Int64
	done := make(chan time.Time, 1)
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Go(func() {
			for range s.Events() {
				if remaining.Add(-1) == 0 {
					done <- time.Now()
				}
			}
		})
	}
	afterDrainers := heapStats()
	defer func() {
		for _, s := range subs {
			s.Close()
		}
		wg.Wait()
	}()

	data := []byte(`{"id":"AbCdEfGhIjKl","type":"post"}`)
	var lat []time.Duration
	for b.Loop() {
		remaining.Store(subscribers)
		start := time.Now()
		if _, err := m.Publish(ctx, "channel:bench", TypePost, data); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-done).Sub(start))
	}

	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(afterSubscribe.HeapAlloc-before.HeapAlloc)/subscribers, "B/sub")
	b.ReportMetric(float64(afterDrainers.StackInuse-afterSubscribe.StackInuse)/subscribers, "stack-B/sub")
}

func heapStats() runtime.MemStats {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}
