package posting

import (
	"context"
	"errors"
	"testing"
	"time"
)

// admitted reports whether the acquire started in the background has got
// its memory. The outcome is decided under the budget's lock as soon as
// memory is given back, so a short wait tells "waiting" from "admitted"
// only in the admitted direction; "still waiting" is read from the queue.
func admitted(t *testing.T, ch <-chan func()) (func(), bool) {
	t.Helper()
	select {
	case rel := <-ch:
		return rel, true
	case <-time.After(5 * time.Second):
		return nil, false
	}
}

func acquireAsync(b *budget, c class, n int64) <-chan func() {
	ch := make(chan func(), 1)
	go func() {
		rel, err := b.acquire(context.Background(), c, n)
		if err == nil {
			ch <- rel
		}
	}()
	return ch
}

func waitQueued(t *testing.T, b *budget, c class, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.waiting(c) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d waiting in class %d, want %d", b.waiting(c), c, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBudgetLightPassesHeavy(t *testing.T) {
	b := newBudget(100, 20)
	ctx := context.Background()
	// A heavy job takes what heavy work may have.
	relHeavy, err := b.acquire(ctx, heavy, 500) // clamped to 80
	if err != nil {
		t.Fatal(err)
	}
	// A second heavy job waits...
	second := acquireAsync(b, heavy, 50)
	waitQueued(t, b, heavy, 1)
	// ...but light work still gets the reserve at once.
	relLight, err := b.acquire(ctx, light, 20)
	if err != nil {
		t.Fatal(err)
	}
	// More light work waits for memory, and is served before the heavy
	// job when memory comes back.
	light2 := acquireAsync(b, light, 60)
	waitQueued(t, b, light, 1)
	relHeavy()
	rel2, ok := admitted(t, light2)
	if !ok {
		t.Fatal("the waiting light job was not admitted when memory came back")
	}
	if b.waiting(heavy) != 1 {
		t.Fatal("the heavy job went ahead of the light one")
	}
	relLight()
	rel2()
	rel3, ok := admitted(t, second)
	if !ok {
		t.Fatal("the heavy job was never admitted")
	}
	rel3()
	rel3() // a second call gives nothing back twice
	if b.used != 0 || b.byClass != [2]int64{} {
		t.Fatalf("used %d %v after every release", b.used, b.byClass)
	}
}

func TestBudgetFirstComeFirstServed(t *testing.T) {
	b := newBudget(100, 0)
	ctx := context.Background()
	rel, _ := b.acquire(ctx, light, 90)
	big := acquireAsync(b, light, 50)
	waitQueued(t, b, light, 1)
	small := acquireAsync(b, light, 5)
	waitQueued(t, b, light, 2)
	// 10 are free: the small job would fit, but it is still queued behind
	// the big one (waitQueued saw both in the queue, which only admission
	// empties).
	rel()
	relBig, ok := admitted(t, big)
	relSmall, ok2 := admitted(t, small)
	if !ok || !ok2 {
		t.Fatal("the queued jobs were not admitted")
	}
	relBig()
	relSmall()
}

func TestBudgetGivingUp(t *testing.T) {
	b := newBudget(100, 0)
	rel, _ := b.acquire(context.Background(), light, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := b.acquire(ctx, light, 10); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if b.waiting(light) != 0 {
		t.Fatal("a job that gave up is still queued")
	}
	rel()
	if b.used != 0 {
		t.Fatalf("%d used after the only job ended", b.used)
	}
}

func TestBudgetTellsWhenIdle(t *testing.T) {
	b := newBudget(100, 0)
	idle := 0
	b.idle = func() { idle++ }
	ctx := context.Background()
	rel1, _ := b.acquire(ctx, light, 30)
	rel2, _ := b.acquire(ctx, heavy, 30)
	rel1()
	if idle != 0 {
		t.Fatal("idle while a job still runs")
	}
	rel2()
	if idle != 1 || !b.quiet() {
		t.Fatalf("idle called %d times after the last job, quiet %v", idle, b.quiet())
	}
}

// TestBudgetState: what the metrics read, the jobs waiting in each class
// and the bytes in use, follows the jobs.
func TestBudgetState(t *testing.T) {
	b := newBudget(100, 20)
	check := func(what string, wantLight, wantHeavy int, wantUsed int64) {
		t.Helper()
		l, h, used := b.state()
		if l != wantLight || h != wantHeavy || used != wantUsed {
			t.Fatalf("%s: %d light and %d heavy waiting, %d bytes in use; want %d, %d, %d", what, l, h, used, wantLight, wantHeavy, wantUsed)
		}
	}
	check("idle", 0, 0, 0)
	rel, err := b.acquire(context.Background(), heavy, 80)
	if err != nil {
		t.Fatal(err)
	}
	check("a heavy job", 0, 0, 80)
	heavyWaits := acquireAsync(b, heavy, 10)
	waitQueued(t, b, heavy, 1)
	lightWaits := acquireAsync(b, light, 30)
	waitQueued(t, b, light, 1)
	check("one of each waiting", 1, 1, 80)
	rel()
	relLight, ok := admitted(t, lightWaits)
	if !ok {
		t.Fatal("the light job was not admitted")
	}
	relHeavy, ok := admitted(t, heavyWaits)
	if !ok {
		t.Fatal("the heavy job was not admitted")
	}
	check("both admitted", 0, 0, 40)
	relLight()
	relHeavy()
	check("all given back", 0, 0, 0)
}
