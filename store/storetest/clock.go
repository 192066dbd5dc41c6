package storetest

import (
	"sync"
	"time"
)

// Clock is a manual clock for tests: Now returns the time last set, and
// only Advance and Set move it. It is safe for concurrent use; its method
// value c.Now is what the suite passes to a store as Config.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward when d is negative; the
// suite never does that) and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// realNow returns the real current time truncated to the millisecond, in
// UTC and without a monotonic reading: the start of the suite's clocks, so
// that a store whose backend expires keys by real time (Redis) still works.
func realNow() time.Time {
	return time.UnixMilli(time.Now().UnixMilli()).UTC()
}
