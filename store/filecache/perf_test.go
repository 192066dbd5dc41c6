package filecache

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// TestKeysSnapshot checks that Keys, which answers from a cached list while
// nothing changes, follows additions, deletions, imports of old sessions,
// expiry as the clock moves, and pins.
func TestKeysSnapshot(t *testing.T) {
	ctx := context.Background()
	var nowMs atomic.Int64
	nowMs.Store(fixtureNow.UnixMilli())
	clock := func() time.Time { return time.UnixMilli(nowMs.Load()) }
	c := mustOpen(t, Options{Dir: t.TempDir(), NoSync: true, DisableSweep: true, Now: clock,
		CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: time.Hour, MaxToLive: 10 * time.Hour}})
	keys := func() []string {
		t.Helper()
		k, err := c.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(k)
		return k
	}
	check := func(want ...string) {
		t.Helper()
		slices.Sort(want)
		for range 2 { // the second answer comes from the snapshot
			if got := keys(); !slices.Equal(got, want) {
				t.Fatalf("Keys = %v, want %v", got, want)
			}
		}
	}
	a, b, other := session.NewID(), session.NewID(), "not-hex_ID"
	check()
	if _, err := c.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	check(a)
	k := keys()
	k[0] = "mutated" // callers own the slice
	check(a)
	if _, err := c.Add(ctx, other); err != nil {
		t.Fatal(err)
	}
	check(a, other)
	if ok, err := c.Delete(ctx, other); !ok || err != nil {
		t.Fatal(ok, err)
	}
	check(a)

	// An import with timestamps older than the snapshot's oldest.
	old := session.New(b, &session.Options{Now: func() time.Time { return clock().Add(-9 * time.Hour) }})
	raw, err := old.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	check(a)
	if err := c.AddSerialized(ctx, b, raw); err != nil { // touched: lastUsed now
		t.Fatal(err)
	}
	check(a, b)
	nowMs.Add((time.Hour + time.Millisecond).Milliseconds())
	// a and b idle for more than an hour: but both are cached and live
	// copies decide; nobody touched them, so both expired.
	check()

	// MaxToLive: b was created 9 h before the import.
	c2 := mustOpen(t, Options{Dir: t.TempDir(), NoSync: true, DisableSweep: true, Now: clock,
		CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: store.Disabled, MaxToLive: 10 * time.Hour}})
	c = c2
	check()
	if _, err := c.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	check(a)
	nowMs.Add(-(time.Hour + time.Millisecond).Milliseconds()) // back to the start
	if err := c.AddSerialized(ctx, b, raw); err != nil {
		t.Fatal(err)
	}
	check(a, b)
	nowMs.Add(time.Hour.Milliseconds())
	check(a, b) // b is 10 h old exactly: not expired (strictly greater)
	nowMs.Add(1)
	check(a)

	// Replacing a listed session by an older one (same id).
	c3 := mustOpen(t, Options{Dir: t.TempDir(), NoSync: true, DisableSweep: true, Now: clock,
		CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: store.Disabled, MaxToLive: 10 * time.Hour}})
	if _, err := c3.Add(ctx, b); err != nil {
		t.Fatal(err)
	}
	c, c3 = c3, c
	check(b)
	if err := c.AddSerialized(ctx, b, raw); err != nil { // created 10 h + 1 ms ago
		t.Fatal(err)
	}
	nowMs.Add(-2)
	check(b)
	nowMs.Add(2)
	check()
	c = c3

	// A pinned session never expires.
	s, err := c.Get(ctx, a, false)
	if err != nil {
		t.Fatal(err)
	}
	s.SetPinned(true)
	if err := c.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	nowMs.Add(11 * time.Hour.Milliseconds())
	check(a)
}

// TestParallelFlush checks that Close and the periodic check write every
// changed session (the writes run on several goroutines).
func TestParallelFlush(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true,
		CacheCheckInterval: store.Disabled, CacheTimeout: store.Disabled, WriteBehind: store.Disabled})
	if err != nil {
		t.Fatal(err)
	}
	var ss []*session.Session
	for range 300 {
		s, err := c.Add(ctx, session.NewID())
		if err != nil {
			t.Fatal(err)
		}
		ss = append(ss, s)
	}
	check := func(round int) {
		t.Helper()
		c2, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true,
			CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled})
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		for _, s := range ss {
			p, err := c2.Peek(ctx, s.ID())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := p.RestrictIP(), fmt.Sprint("10.0.0.", round); got != want {
				t.Fatalf("round %d: %s has restrictIP %q, want %q", round, s.ID(), got, want)
			}
		}
	}
	for round := range 2 {
		for _, s := range ss {
			s.SetRestrictIP(fmt.Sprint("10.0.0.", round))
		}
		c.evictIdle()
		check(round)
	}
	for _, s := range ss {
		s.SetRestrictIP("10.0.0.2")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	check(2)
}
