package filecache

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/cputime"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

var bigBench = flag.Bool("filecache.big", false, "run the 1,000,000-file benchmarks (slow; several GB of disk)")

// benchDir returns a new directory under $FILECACHE_BENCH_DIR (for example
// /dev/shm, to measure the store rather than the disk) or b.TempDir().
func benchDir(b *testing.B) string {
	b.Helper()
	base := os.Getenv("FILECACHE_BENCH_DIR")
	if base == "" {
		return b.TempDir()
	}
	d, err := os.MkdirTemp(base, "filecache-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func benchOpen(b *testing.B, dir string) *Cache {
	b.Helper()
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true,
		CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

func BenchmarkGetTouch(b *testing.B) {
	ctx := context.Background()
	c := benchOpen(b, benchDir(b))
	id := session.NewID()
	if _, err := c.Add(ctx, id); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	done := cputime.PerOp(b)
	for b.Loop() {
		if _, err := c.Get(ctx, id, true); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

func BenchmarkGetTouchParallel(b *testing.B) {
	ctx := context.Background()
	c := benchOpen(b, benchDir(b))
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = session.NewID()
		if _, err := c.Add(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	defer cputime.PerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 97
		for pb.Next() {
			if _, err := c.Get(ctx, ids[i%len(ids)], true); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkGetFromDisk: Get of an evicted session (read, parse, cache).
func BenchmarkGetFromDisk(b *testing.B) {
	for _, fx := range []string{"unused-fresh.rhfsession", "cookies-varied-noshuffle-localstorage.rhfsession"} {
		b.Run(fx, func(b *testing.B) {
			ctx := context.Background()
			dir := benchDir(b)
			id := session.NewID()
			if err := os.WriteFile(filepath.Join(dir, id+Ext), readFixture(b, fx), 0o644); err != nil {
				b.Fatal(err)
			}
			c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, Now: fixedClock(fixtureNow),
				CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			done := cputime.PerOp(b)
			for b.Loop() {
				if _, err := c.Get(ctx, id, false); err != nil {
					b.Fatal(err)
				}
				c.cache.Delete(id) // evict without writing
			}
			done()
		})
	}
}

func BenchmarkHasMissing(b *testing.B) {
	ctx := context.Background()
	c := benchOpen(b, benchDir(b))
	for range 1000 {
		c.Add(ctx, session.NewID())
	}
	id := session.NewID()
	b.ReportAllocs()
	done := cputime.PerOp(b)
	for b.Loop() {
		if ok, _ := c.Has(ctx, id); ok {
			b.Fatal("found")
		}
	}
	done()
}

// makeFiles writes n small valid session files with fresh timestamps
// straight into dir (as another process would) and sets their mtimes.
func makeFiles(b *testing.B, dir string, n int, now time.Time) []string {
	b.Helper()
	tmpl, err := session.New("x", &session.Options{Now: func() time.Time { return now }}).Serialize()
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = session.NewID()
		if err := os.WriteFile(filepath.Join(dir, ids[i]+Ext), tmpl, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// settleDir sets the directory's mtime in the past, as for a directory not
// changed for a while (a fresh mtime makes every sweep re-list it).
func settleDir(b *testing.B, dir string) {
	b.Helper()
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(dir, old, old); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkKeys(b *testing.B) {
	ctx := context.Background()
	dir := benchDir(b)
	makeFiles(b, dir, 10000, time.Now())
	c := benchOpen(b, dir)
	for range 10000 {
		if _, err := c.Add(ctx, session.NewID()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	done := cputime.PerOp(b)
	for b.Loop() {
		keys, _ := c.Keys(ctx)
		if len(keys) != 20000 {
			b.Fatalf("%d keys", len(keys))
		}
	}
	done()
}

func BenchmarkAdd(b *testing.B) {
	for _, noSync := range []bool{true, false} {
		b.Run(map[bool]string{true: "NoSync", false: "Fsync"}[noSync], func(b *testing.B) {
			ctx := context.Background()
			c, err := Open(Options{Dir: benchDir(b), NoSync: noSync, DisableSweep: true,
				CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			done := cputime.PerOp(b)
			for b.Loop() {
				if _, err := c.Add(ctx, session.NewID()); err != nil {
					b.Fatal(err)
				}
			}
			done()
		})
	}
}

// BenchmarkFlush10k: write 10,000 changed cached sessions (no fsync).
func BenchmarkFlush10k(b *testing.B) {
	ctx := context.Background()
	c := benchOpen(b, benchDir(b))
	c.opts.CacheTimeout = store.Disabled // the check writes, never evicts
	var ss []*session.Session
	for range 10000 {
		s, err := c.Add(ctx, session.NewID())
		if err != nil {
			b.Fatal(err)
		}
		ss = append(ss, s)
	}
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for _, s := range ss {
			s.SetRestrictIP(fmt.Sprint("10.0.0.", i%250))
		}
		b.StartTimer()
		t0 := cputime.Process()
		c.evictIdle()
		cpu += cputime.Process() - t0
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

func benchSweep(b *testing.B, n int) {
	dir := benchDir(b)
	makeFiles(b, dir, n, time.Now())
	c := benchOpen(b, dir)
	c.sweep() // learn the timestamps (reads every file once)
	settleDir(b, dir)
	c.sweep()
	b.ResetTimer()
	done := cputime.PerOp(b)
	for b.Loop() {
		c.sweep()
	}
	b.StopTimer()
	done()
	if got := c.idx.len(); got != n {
		b.Fatalf("index holds %d files, want %d", got, n)
	}
}

// BenchmarkSweep10k: a sweep of 10,000 files with nothing to delete.
func BenchmarkSweep10k(b *testing.B) { benchSweep(b, 10000) }

// BenchmarkIdleSessionHeap reports the heap held per idle cached session
// without cookies.
func BenchmarkIdleSessionHeap(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	for b.Loop() {
		b.StopTimer()
		c := benchOpen(b, benchDir(b))
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		for range n {
			if _, err := c.Add(ctx, session.NewID()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "heapB/session")
		runtime.KeepAlive(c)
		c.Close()
		b.StartTimer()
	}
}

// BenchmarkBig1M (-filecache.big): with one directory of 1,000,000 small
// session files, Open without the side index, a sweep with nothing to
// delete (after a first sweep that learned every file's timestamps), and
// Open with the side index. Open reports the memory allocated (MBalloc) and
// held by the index afterwards (MBheld).
func BenchmarkBig1M(b *testing.B) {
	if !*bigBench {
		b.Skip("needs -filecache.big")
	}
	const n = 1000000
	dir := benchDir(b)
	makeFiles(b, dir, n, time.Now())
	settleDir(b, dir)
	open := func(b *testing.B) {
		for b.Loop() {
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true,
				CacheCheckInterval: store.Disabled, WriteBehind: store.Disabled})
			if err != nil {
				b.Fatal(err)
			}
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20), "MBalloc")
			runtime.GC()
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "MBheld")
			if got := c.idx.len(); got != n {
				b.Fatalf("index holds %d", got)
			}
			// Stop without writing the side index.
			c.closed.Store(true)
			close(c.stop)
			c.wg.Wait()
		}
	}
	b.Run("OpenNoSideIndex", open)
	b.Run("Sweep", func(b *testing.B) {
		c := benchOpen(b, dir)
		t0 := time.Now()
		c.sweep() // reads every file once, writes the side index
		b.Logf("first sweep (reads all %d files): %v", n, time.Since(t0))
		settleDir(b, dir)
		c.sweep()
		done := cputime.PerOp(b)
		for b.Loop() {
			c.sweep()
		}
		done()
	})
	b.Run("OpenSideIndex", open)
}

// BenchmarkSideIndexLoad1M: decoding a side index of 1,000,000 entries
// into an index that lists them (the part of Open that the side index
// adds), without files.
func BenchmarkSideIndexLoad1M(b *testing.B) {
	const n = 1000000
	src := newIndex()
	var ids []string
	for i := range n {
		var k hexKey
		k[0], k[1], k[2], k[15] = byte(i), byte(i>>8), byte(i>>16), 7
		ids = append(ids, k.String())
	}
	src.mark(ids, 1)
	for _, id := range ids {
		src.put(id, 1795906636459, 1795906636460, false)
	}
	enc := src.encodeSideIndex()
	b.ReportMetric(float64(len(enc))/(1<<20), "MBfile")
	for b.Loop() {
		b.StopTimer()
		x := newIndex()
		x.mark(ids, 1)
		b.StartTimer()
		if err := x.mergeSideIndex(enc); err != nil {
			b.Fatal(err)
		}
	}
}
