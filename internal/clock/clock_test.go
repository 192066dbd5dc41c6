package clock

import (
	"testing"
	"time"
)

// TestWallClock checks the cheap wall clock against time.Now.
func TestWallClock(t *testing.T) {
	wc := NewWall()
	for range 1000 {
		before := time.Now().UnixMilli()
		got := wc.NowMs()
		after := time.Now().UnixMilli()
		// Both clocks run at the same rate; allow a millisecond of
		// rounding between the two readings.
		if got < before-1 || got > after+1 {
			t.Fatalf("NowMs = %d, time.Now between %d and %d", got, before, after)
		}
	}
	// A base older than resyncEvery is replaced.
	wc.base.Store(&clockBase{mono: time.Now().Add(-2 * resyncEvery), wallNs: 0})
	if got, want := wc.NowMs(), time.Now().UnixMilli(); got < want-1000 {
		t.Fatalf("stale base not resynced: %d, want about %d", got, want)
	}
	if floorDiv(-1, 1000) != -1 || floorDiv(1999, 1000) != 1 || floorDiv(-1000, 1000) != -1 {
		t.Fatal("floorDiv")
	}
}
