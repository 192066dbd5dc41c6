package filecache

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

func fileHas(t *testing.T, path, sub string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return bytes.Contains(b, []byte(sub))
}

// TestWriteBehind: a saved change reaches the file within WriteBehind, and
// not before (fake time).
func TestWriteBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		dir := t.TempDir()
		c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		id := session.NewID()
		s, err := c.Add(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, id+Ext)
		s.SetRestrictIP("192.0.2.1")
		if err := c.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		time.Sleep(DefaultWriteBehind - time.Millisecond)
		synctest.Wait()
		if fileHas(t, p, "192.0.2.1") {
			t.Fatal("written before the write-behind delay")
		}
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		if !fileHas(t, p, "192.0.2.1") {
			t.Fatal("not written within the write-behind delay")
		}
		// A second change, a second write.
		s.SetRestrictIP("192.0.2.2")
		if err := c.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		time.Sleep(DefaultWriteBehind + time.Millisecond)
		synctest.Wait()
		if !fileHas(t, p, "192.0.2.2") {
			t.Fatal("second change not written")
		}
	})
}

// fileLastUsed returns the lastUsed of the session file at path.
func fileLastUsed(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.Deserialize("x", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.LastUsedMs()
}

// TestTouchWriteBehind: a session only touched is written behind once its
// lastUsed is TouchWriteBehind newer than the file's; other changes within
// WriteBehind; Close writes the last touch. With TouchWriteBehind disabled,
// touches are written like any change.
func TestTouchWriteBehind(t *testing.T) {
	for _, disabled := range []bool{false, true} {
		t.Run(fmt.Sprint("disabled=", disabled), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				dir := t.TempDir()
				opts := Options{Dir: dir, NoSync: true, DisableSweep: true, CacheCheckInterval: store.Disabled}
				if disabled {
					opts.TouchWriteBehind = store.Disabled
				}
				c, err := Open(opts)
				if err != nil {
					t.Fatal(err)
				}
				id := session.NewID()
				if _, err := c.Add(ctx, id); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, id+Ext)
				onDisk := fileLastUsed(t, p)
				touch := func() *session.Session {
					t.Helper()
					s, err := c.Get(ctx, id, true)
					if err != nil {
						t.Fatal(err)
					}
					if err := c.Save(ctx, s); err != nil {
						t.Fatal(err)
					}
					time.Sleep(DefaultWriteBehind + time.Millisecond)
					synctest.Wait()
					return s
				}
				// A touch soon after the write.
				s := touch()
				if got := fileLastUsed(t, p); disabled != (got == s.LastUsedMs()) || (!disabled && got != onDisk) {
					t.Fatalf("touch %d ms after the write: file lastUsed %d, session %d, was %d (touch writes disabled: %v)",
						s.LastUsedMs()-onDisk, got, s.LastUsedMs(), onDisk, disabled)
				}
				// A touch TouchWriteBehind after the file's lastUsed.
				time.Sleep(DefaultTouchWriteBehind)
				s = touch()
				if got := fileLastUsed(t, p); got != s.LastUsedMs() {
					t.Fatalf("touch %d ms after the file's lastUsed: not written (file %d, session %d)", s.LastUsedMs()-onDisk, got, s.LastUsedMs())
				}
				// A touch with a change: written.
				s, err = c.Get(ctx, id, true)
				if err != nil {
					t.Fatal(err)
				}
				s.SetRestrictIP("192.0.2.7")
				if err := c.Save(ctx, s); err != nil {
					t.Fatal(err)
				}
				time.Sleep(DefaultWriteBehind + time.Millisecond)
				synctest.Wait()
				if !fileHas(t, p, "192.0.2.7") || fileLastUsed(t, p) != s.LastUsedMs() {
					t.Fatal("a change with a touch was not written behind")
				}
				// A last touch, kept in memory, then written by Close.
				s = touch()
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				if got := fileLastUsed(t, p); got != s.LastUsedMs() {
					t.Fatalf("Close did not write the last touch: file %d, session %d", got, s.LastUsedMs())
				}
			})
		})
	}
}

// TestWriteBehindDisabled: changes wait for Close.
func TestWriteBehindDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		dir := t.TempDir()
		c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled})
		if err != nil {
			t.Fatal(err)
		}
		id := session.NewID()
		s, _ := c.Add(ctx, id)
		s.SetRestrictIP("192.0.2.1")
		c.Save(ctx, s)
		time.Sleep(time.Minute)
		synctest.Wait()
		p := filepath.Join(dir, id+Ext)
		if fileHas(t, p, "192.0.2.1") {
			t.Fatal("written with write-behind disabled")
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if !fileHas(t, p, "192.0.2.1") {
			t.Fatal("not written by Close")
		}
	})
}

// TestEviction: idle sessions are written (if changed) and evicted after
// CacheTimeout, unused ones without a write; both reload on demand.
func TestEviction(t *testing.T) {
	for _, keepUnused := range []bool{false, true} {
		t.Run(map[bool]string{false: "DeleteUnused", true: "KeepUnused"}[keepUnused], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testEviction(t, keepUnused) })
		})
	}
}

func testEviction(t *testing.T, keepUnused bool) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled, KeepUnused: keepUnused})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	used, unused, active := session.NewID(), session.NewID(), session.NewID()
	for _, id := range []string{used, unused, active} {
		if _, err := c.Add(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	unusedBefore, _ := os.ReadFile(filepath.Join(dir, unused+Ext))
	time.Sleep(time.Second)
	s, err := c.Get(ctx, used, true)
	if err != nil {
		t.Fatal(err)
	}
	s.SetRestrictIP("198.51.100.7")
	c.Save(ctx, s)
	// Keep "active" active: touched every 5 minutes.
	for range 7 {
		time.Sleep(5 * time.Minute)
		if _, err := c.Get(ctx, active, true); err != nil {
			t.Fatal(err)
		}
	}
	synctest.Wait()
	// At 35 min: the 30-min check evicted used and unused (idle > 20 min).
	if _, s := c.cachedLive(used); s != nil {
		t.Error("idle used session not evicted")
	}
	if _, s := c.cachedLive(unused); s != nil {
		t.Error("idle unused session not evicted")
	}
	if _, s := c.cachedLive(active); s == nil {
		t.Error("active session evicted")
	}
	if !fileHas(t, filepath.Join(dir, used+Ext), "198.51.100.7") {
		t.Error("evicted session's change not written")
	}
	unusedAfter, err := os.ReadFile(filepath.Join(dir, unused+Ext))
	if err != nil {
		t.Fatal("unused session's file (written by Add) was removed")
	}
	if !bytes.Equal(unusedBefore, unusedAfter) {
		t.Error("unused session was rewritten at eviction")
	}
	// The check also wrote the active session's touches.
	fi, _ := os.Stat(filepath.Join(dir, active+Ext))
	if time.Since(fi.ModTime()) > 10*time.Minute {
		t.Errorf("active session's lastUsed not written by the periodic check: mtime %v", fi.ModTime())
	}
	// Reloaded on demand: the object this test still holds comes back (no
	// second copy while one is held), with its change written.
	if !fileHas(t, filepath.Join(dir, used+Ext), "198.51.100.7") {
		t.Error("evicted session's change not written")
	}
	s2, err := c.Get(ctx, used, true)
	if err != nil {
		t.Fatal(err)
	}
	if s2 != s || s2.RestrictIP() != "198.51.100.7" {
		t.Error("reloaded session is not the held one")
	}
	if _, err := c.Get(ctx, unused, false); err != nil {
		t.Errorf("unused session not reloadable: %v", err)
	}
}

// writeSessionFile writes a session file with those timestamps, as
// another process would (its mtime is the write time).
func writeSessionFile(t *testing.T, dir, id string, created, lastUsed time.Time) {
	t.Helper()
	s := session.New(id, &session.Options{Now: func() time.Time { return created }})
	if !lastUsed.Equal(created) {
		s.Touch(lastUsed)
	}
	b, err := s.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id+Ext), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSweep: stale and too-old files are deleted by the background sweep,
// fresh ones and cached live ones kept; disabled, nothing is deleted.
func TestSweep(t *testing.T) {
	for _, disabled := range []bool{false, true} {
		t.Run(map[bool]string{false: "Enabled", true: "Disabled"}[disabled], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testSweep(t, disabled) })
		})
	}
}

func testSweep(t *testing.T, disabled bool) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now()
	stale, old, fresh, rewritten := session.NewID(), session.NewID(), session.NewID(), session.NewID()
	writeSessionFile(t, dir, stale, now.Add(-3*time.Hour), now.Add(-2*time.Hour))
	writeSessionFile(t, dir, old, now.Add(-5*time.Hour), now.Add(-time.Minute))
	writeSessionFile(t, dir, fresh, now.Add(-10*time.Minute), now.Add(-5*time.Minute))
	writeSessionFile(t, dir, rewritten, now.Add(-10*time.Minute), now.Add(-5*time.Minute))
	c, err := Open(Options{
		Dir: dir, NoSync: true, DisableSweep: disabled,
		CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: time.Hour, MaxToLive: 4 * time.Hour, StaleCheckInterval: 30 * time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	synctest.Wait() // the first sweep, at start
	present := func(id string) bool { return exists(filepath.Join(dir, id+Ext)) }
	if present(stale) == !disabled || present(old) == !disabled {
		t.Fatalf("first sweep (disabled=%t): stale present %t, old present %t", disabled, present(stale), present(old))
	}
	if !present(fresh) || !present(rewritten) {
		t.Fatal("fresh files deleted")
	}
	// A cached session whose file goes stale while it stays in use.
	live := session.NewID()
	if _, err := c.Add(ctx, live); err != nil {
		t.Fatal(err)
	}
	touch := func() {
		t.Helper()
		if _, err := c.Get(ctx, live, true); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(25 * time.Minute)
	touch()
	time.Sleep(25 * time.Minute)
	touch()
	// At 50 min another process rewrites "rewritten": fresh on disk, while
	// the index (from the first sweep) will call it stale at the 60-min
	// sweep. The sweep must confirm against the file and keep it.
	writeSessionFile(t, dir, rewritten, now.Add(-10*time.Minute), time.Now().Add(-time.Minute))
	time.Sleep(11 * time.Minute)
	synctest.Wait() // sweeps ran at 30 and 60 min
	if present(fresh) == !disabled {
		t.Errorf("file idle 66 min: present=%t (sweep disabled=%t)", present(fresh), disabled)
	}
	if !present(rewritten) {
		t.Error("a file rewritten by another process was deleted on stale index data")
	}
	time.Sleep(14 * time.Minute)
	touch()
	time.Sleep(16 * time.Minute)
	synctest.Wait() // 91 min: the live session's file is 91 min idle
	if !present(live) {
		t.Error("cached live session's file deleted by the sweep")
	}
	if !present(rewritten) {
		t.Error("rewritten file deleted")
	}
	if ok, _ := c.Has(ctx, live); !ok {
		t.Error("cached live session gone")
	}
}

// TestEvictedWhileHeld: a request holding a session across its eviction
// changes it; a concurrent Get gets the same object back (not a second copy
// read from the file), so the holder's Save is not lost.
func TestEvictedWhileHeld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled,
		CacheCheckInterval: store.Disabled, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	id := session.NewID()
	held, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	held.Touch(now)
	now = now.Add(time.Hour)
	c.evictIdle()
	if _, s := c.cachedLive(id); s != nil {
		t.Fatal("not evicted")
	}
	held.SetRestrictIP("203.0.113.9") // a change landing after the eviction
	again, err := c.Get(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if again != held {
		t.Fatal("Get read a second copy from the file while the evicted one is still held")
	}
	if err := c.Save(ctx, held); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !fileHas(t, filepath.Join(dir, id+Ext), "203.0.113.9") {
		t.Fatal("the held session's change was lost")
	}
}

// TestSweepKeepsPinned: the sweep never deletes a pinned session, cached or
// on disk only, while it deletes an unpinned one as old.
func TestSweepKeepsPinned(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	opts := Options{Dir: dir, NoSync: true, WriteBehind: store.Disabled, CacheCheckInterval: store.Disabled,
		Sweep: SweepOptions{StaleCheckInterval: store.Disabled}, Now: clock}
	c, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	pinned, plain := session.NewID(), session.NewID()
	for _, id := range []string{pinned, plain} {
		s, err := c.Add(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		s.Touch(clock())
		if id == pinned {
			s.SetPinned(true)
		}
		if err := c.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil { // on disk only from here
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(10 * 24 * time.Hour)
	mu.Unlock()
	c, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, plain+Ext)); !os.IsNotExist(err) {
		t.Fatalf("expired unpinned session kept: %v", err)
	}
	if _, err := c.Get(ctx, pinned, true); err != nil {
		t.Fatalf("pinned session removed: %v", err)
	}
	mu.Lock()
	now = now.Add(10 * 24 * time.Hour)
	mu.Unlock()
	if err := c.Sweep(ctx); err != nil { // now cached
		t.Fatal(err)
	}
	if ok, err := c.Has(ctx, pinned); err != nil || !ok {
		t.Fatalf("Has(pinned) = %v, %v after a sweep", ok, err)
	}
}

// TestImportBeatsStaleEvictedCopy: a caller holds a session across its
// eviction; an import replaces the session; the caller's later Save must
// not bring the old copy back over the import.
func TestImportBeatsStaleEvictedCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled,
		CacheCheckInterval: store.Disabled, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	id := session.NewID()
	old, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	old.Touch(now)
	now = now.Add(time.Hour)
	c.evictIdle()
	imported := session.New(id, nil)
	imported.SetRestrictIP("198.51.100.99")
	b, err := imported.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddSerialized(ctx, id, b); err != nil {
		t.Fatal(err)
	}
	old.SetRestrictIP("203.0.113.1")
	if err := c.Save(ctx, old); err != nil {
		t.Fatalf("Save of the stale copy: %v", err)
	}
	got, err := c.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if got == old || got.RestrictIP() != "198.51.100.99" {
		t.Fatalf("the stale copy replaced the import (restrictIP %q)", got.RestrictIP())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !fileHas(t, filepath.Join(dir, id+Ext), "198.51.100.99") {
		t.Fatal("the import is not what is on disk")
	}
}

// TestAllKeysAndFlush: AllKeys lists expired sessions that Keys leaves out;
// Flush writes a changed cached session at once.
func TestAllKeysAndFlush(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled,
		CacheCheckInterval: store.Disabled, Now: clock, Sweep: SweepOptions{StaleTimeout: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id := session.NewID()
	s, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s.SetRestrictIP("192.0.2.77")
	if err := c.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	if fileHas(t, filepath.Join(dir, id+Ext), "192.0.2.77") {
		t.Fatal("written before Flush with write-behind off")
	}
	if err := c.Flush(ctx, id); err != nil {
		t.Fatal(err)
	}
	if !fileHas(t, filepath.Join(dir, id+Ext), "192.0.2.77") {
		t.Fatal("Flush did not write the change")
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	keys, err := c.Keys(ctx)
	if err != nil || len(keys) != 0 {
		t.Fatalf("Keys = %v, %v; want the expired session left out", keys, err)
	}
	all, err := c.AllKeys(ctx)
	if err != nil || len(all) != 1 || all[0] != id {
		t.Fatalf("AllKeys = %v, %v; want [%s]", all, err, id)
	}
}
