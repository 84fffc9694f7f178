package geo

import (
	"math"
	"sync"
	"testing"
	"time"
)

func TestDistance(t *testing.T) {
	paris := Point{48.8566, 2.3522}
	tests := []struct {
		name   string
		a, b   Point
		wantKm float64
	}{
		{"same point", paris, paris, 0},
		{"Paris–Lyon", paris, Point{45.7640, 4.8357}, 391.5},
		{"Paris–Arras", paris, Point{50.2930, 2.7819}, 163.0},
		{"Arras–Lens", Point{50.2930, 2.7819}, Point{50.4322, 2.8333}, 15.9},
		{"across the date line", Point{0, 179.5}, Point{0, -179.5}, 111.2},
		{"antipodes", Point{0, 0}, Point{0, 180}, math.Pi * earthRadiusKm},
	}
	for _, tt := range tests {
		got := Distance(tt.a, tt.b)
		if math.Abs(got-tt.wantKm) > 0.01*tt.wantKm+0.1 {
			t.Errorf("%s: Distance = %.2f km, want %.1f", tt.name, got, tt.wantKm)
		}
		if back := Distance(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
			t.Errorf("%s: not symmetric: %.6f vs %.6f", tt.name, got, back)
		}
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestTokenBucketSpacesRequests(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newTokenBucket(50, 1, clock.Now)
	// Fifty requests at the same instant: the first goes at once, the
	// others 20 ms apart, so they span 980 ms and never exceed 50 per second.
	for i := range 50 {
		want := time.Duration(i) * 20 * time.Millisecond
		if got := b.reserve(); absDuration(got-want) > time.Microsecond {
			t.Fatalf("request %d waits %v, want %v", i, got, want)
		}
	}
	// The debt is paid after one second; then a request goes at once again.
	clock.Advance(time.Second)
	if got := b.reserve(); got != 0 {
		t.Errorf("after the debt is paid: wait %v, want 0", got)
	}
	if got := b.reserve(); absDuration(got-20*time.Millisecond) > time.Microsecond {
		t.Errorf("next request waits %v, want 20ms", got)
	}
}

func TestTokenBucketRefillsUpToBurst(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newTokenBucket(10, 3, clock.Now)
	for i := range 3 {
		if got := b.reserve(); got != 0 {
			t.Fatalf("burst request %d waits %v", i, got)
		}
	}
	if got := b.reserve(); absDuration(got-100*time.Millisecond) > time.Microsecond {
		t.Errorf("fourth request waits %v, want 100ms", got)
	}
	// A long idle time refills to the burst only, not beyond.
	clock.Advance(time.Hour)
	for i := range 3 {
		if got := b.reserve(); got != 0 {
			t.Fatalf("after idling, request %d waits %v", i, got)
		}
	}
	if got := b.reserve(); got == 0 {
		t.Error("the bucket held more than its burst after idling")
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func TestResultCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newResultCache(2)
	c.put("a", Result{Label: "A"})
	c.put("b", Result{Label: "B"})
	c.get("a") // a is now more recent than b
	c.put("c", Result{Label: "C"})
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted")
	}
	if r, ok := c.get("a"); !ok || r.Label != "A" {
		t.Errorf("a = %v, %v; want kept", r, ok)
	}
	if c.len() != 2 {
		t.Errorf("len = %d, want 2", c.len())
	}
}

func TestCacheKeyIgnoresCaseAndSpacing(t *testing.T) {
	a := cacheKey(Query{Address: " 1 Rue  de la Paix ", PostalCode: "62000", CommuneCode: "62041"})
	b := cacheKey(Query{Address: "1 rue de la paix", PostalCode: "62000 ", CommuneCode: "62041"})
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
}
