// Package clock reads the wall clock cheaply, for the stores' hot paths.
package clock

import (
	"sync/atomic"
	"time"
)

// Wall returns the wall clock in Unix milliseconds at the cost of one
// monotonic clock read (time.Now reads both clocks): the wall time read at
// the last resync, advanced by the monotonic time elapsed since. On Linux
// both clocks run at the same (NTP-slewed) rate, so the two only part when
// the wall clock is stepped; a resync at least every resyncEvery picks
// such a step up.
type Wall struct {
	base atomic.Pointer[clockBase]
}

type clockBase struct {
	mono   time.Time // holds a monotonic reading
	wallNs int64     // mono's wall time, Unix ns
}

const resyncEvery = time.Second

// NewWall returns a Wall synchronised with time.Now.
func NewWall() *Wall {
	c := &Wall{}
	c.resync()
	return c
}

func (c *Wall) resync() *clockBase {
	t := time.Now()
	b := &clockBase{mono: t, wallNs: t.UnixNano()}
	c.base.Store(b)
	return b
}

// NowMs returns the current Unix time in milliseconds.
func (c *Wall) NowMs() int64 {
	b := c.base.Load()
	d := time.Since(b.mono)
	if d >= resyncEvery || d < 0 {
		b = c.resync()
		d = 0
	}
	return floorDiv(b.wallNs+int64(d), int64(time.Millisecond))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}
