package redisstore

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	testfixtures "github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/session"
)

// benchStore returns a store on its own client of srv (Unix socket).
func benchStore(b *testing.B) (*Store, *redis.Client) {
	b.Helper()
	c := redis.NewClient(&redis.Options{Network: srv.Network, Addr: srv.Addr, ContextTimeoutEnabled: true, PoolSize: 128})
	b.Cleanup(func() { _ = c.Close() })
	return newStore(b, c, Options{Expiry: standardExpiry}), c
}

// realSession imports the richest fixture (16 cookies, localStorage).
func realSession(b *testing.B, s *Store, id string) {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(testfixtures.MustDir(b), "cookies-varied-noshuffle-localstorage.rhfsession"))
	if err != nil {
		b.Fatal(err)
	}
	sess, err := session.Deserialize(id, data, nil)
	if err != nil {
		b.Fatal(err)
	}
	sess.Touch(time.Now())
	text, _ := sess.Serialize()
	if err := s.AddSerialized(b.Context(), id, text); err != nil {
		b.Fatal(err)
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
}

// BenchmarkGetTouch: Get with touch of a 16-cookie session (one round
// trip: touch script and both hashes in one MULTI/EXEC; then the jar is
// decoded and the session assembled). Target p50 <= 100 us.
func BenchmarkGetTouch(b *testing.B) {
	s, c := benchStore(b)
	id := session.NewID()
	realSession(b, s, id)
	ctx := b.Context()
	if err := c.ConfigResetStat(ctx).Err(); err != nil {
		b.Fatal(err)
	}
	defer reportTotalServerTime(b, c)
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if _, err := s.Get(ctx, id, true); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat)
}

// BenchmarkAdd: Add of fresh sessions. Target p50 <= 150 us.
func BenchmarkAdd(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		id := session.NewID()
		t0 := time.Now()
		if _, err := s.Add(ctx, id); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat)
}

// BenchmarkSaveCookie: one changed cookie saved on a 16-cookie session.
func BenchmarkSaveCookie(b *testing.B) {
	s, _ := benchStore(b)
	id := session.NewID()
	realSession(b, s, id)
	ctx := b.Context()
	sess, err := s.Get(ctx, id, true)
	if err != nil {
		b.Fatal(err)
	}
	u := siteURL
	lat := make([]time.Duration, 0, 1<<16)
	i := 0
	for b.Loop() {
		i++
		sess.Jar().SetCookieStrings(u, []string{"counter=" + strconv.Itoa(i)})
		t0 := time.Now()
		if err := s.Save(ctx, sess); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat)
}

// BenchmarkParallel: 64 goroutines doing what a proxied request does:
// Get with touch, set a cookie, Save; spread over 256 sessions.
func BenchmarkParallel(b *testing.B) {
	s, _ := benchStore(b)
	ids := make([]string, 256)
	for i := range ids {
		ids[i] = session.NewID()
		realSession(b, s, ids[i])
	}
	ctx := b.Context()
	var n atomic.Int64
	b.SetParallelism(max(1, 64/max(1, runtimeProcs())))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			id := ids[i%int64(len(ids))]
			sess, err := s.Get(ctx, id, true)
			if err != nil {
				b.Error(err)
				return
			}
			sess.Jar().SetCookieStrings(siteURL, []string{"p" + strconv.FormatInt(i%8, 10) + "=" + strconv.FormatInt(i, 10)})
			if err := s.Save(ctx, sess); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkMemory stores 10,000 sessions (the Node fixture with two
// cookies, as a typical browsed session) and reports Redis's used_memory
// per session, against the size of the same session's .rhfsession file.
// Run with -benchtime=1x. The "listpack" case raises Redis's
// hash-max-listpack-value so that the small hashes stay listpacks.
func BenchmarkMemory(b *testing.B) {
	for _, lp := range []string{"", "1024"} {
		name := "default"
		if lp != "" {
			name = "listpack-value-" + lp
		}
		b.Run(name, func(b *testing.B) {
			c := redis.NewClient(&redis.Options{Network: srv.Network, Addr: srv.Addr})
			defer c.Close()
			ctx := b.Context()
			old, err := c.ConfigGet(ctx, "hash-max-listpack-value").Result()
			if err != nil {
				b.Fatal(err)
			}
			if lp != "" {
				if err := c.ConfigSet(ctx, "hash-max-listpack-value", lp).Err(); err != nil {
					b.Fatal(err)
				}
				defer c.ConfigSet(ctx, "hash-max-listpack-value", old["hash-max-listpack-value"])
			}
			benchMemory(b)
		})
	}
}

func benchMemory(b *testing.B) {
	const sessions = 10000
	for b.Loop() {
		c := redis.NewClient(&redis.Options{Network: srv.Network, Addr: srv.Addr, PoolSize: 64})
		s := newStore(b, c, Options{Expiry: standardExpiry})
		ctx := b.Context()
		data, err := os.ReadFile(filepath.Join(testfixtures.MustDir(b), "shuffle-enabled-basic-cookies.rhfsession"))
		if err != nil {
			b.Fatal(err)
		}
		sess, err := session.Deserialize("x", data, nil)
		if err != nil {
			b.Fatal(err)
		}
		sess.Touch(time.Now())
		text, _ := sess.Serialize()
		before := usedMemory(b, c)
		ids := make(chan string, 64)
		done := make(chan error)
		for range 32 {
			go func() {
				for id := range ids {
					if err := s.AddSerialized(ctx, id, text); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range sessions {
			ids <- session.NewID()
		}
		close(ids)
		for range 32 {
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		after := usedMemory(b, c)
		per := float64(after-before) / sessions
		b.ReportMetric(per, "redis-B/session")
		b.ReportMetric(float64(len(text)), "rhfsession-B")
		b.ReportMetric(float64(1<<30)/per, "sessions/GiB")
		enc, _ := c.ObjectEncoding(ctx, s.CookieKey(<-chanOne(s, b))).Result()
		b.Logf("%d sessions: %.0f bytes each in Redis (cookie hash encoding %s), .rhfsession %d bytes", sessions, per, enc, len(text))
		// Clean up so that other benchmarks see the same baseline.
		keys, err := s.Keys(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range keys {
			if _, err := s.Delete(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		_ = c.Close()
	}
}

func chanOne(s *Store, b *testing.B) chan string {
	ch := make(chan string, 1)
	keys, err := s.Keys(b.Context())
	if err != nil || len(keys) == 0 {
		b.Fatal("no keys", err)
	}
	ch <- keys[0]
	return ch
}

// reportServerTime reports Redis's own time per call of cmd
// (INFO commandstats usec_per_call).
func reportServerTime(b *testing.B, c *redis.Client, cmd string) {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "usec_per_call="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err == nil {
					b.ReportMetric(f, "redis-us/call")
				}
			}
		}
	}
}

// reportTotalServerTime reports Redis's own time per benchmark operation,
// summed over every command (INFO commandstats usec), INFO and CONFIG
// left out.
func reportTotalServerTime(b *testing.B, c *redis.Client) {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	total := 0.0
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "cmdstat_info:") || strings.HasPrefix(line, "cmdstat_config") {
			continue
		}
		_, rest, ok := strings.Cut(line, ",usec=")
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, ",")
		if f, err := strconv.ParseFloat(rest, 64); err == nil {
			total += f
		}
	}
	b.ReportMetric(total/float64(b.N), "redis-us/op")
}

func usedMemory(b *testing.B, c *redis.Client) int64 {
	b.Helper()
	info, err := c.Info(b.Context(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no used_memory in INFO")
	return 0
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkPing is the floor: one round trip to the same redis-server.
func BenchmarkPing(b *testing.B) {
	_, c := benchStore(b)
	ctx := b.Context()
	lat := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		t0 := time.Now()
		if err := c.Ping(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat)
}

// BenchmarkDecode is Get's work in Go for the 16-cookie fixture once the
// hashes are read: rebuild the snapshot, decode the jar and assemble the
// session.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testfixtures.MustDir(b), "cookies-varied-noshuffle-localstorage.rhfsession"))
	if err != nil {
		b.Fatal(err)
	}
	sess, err := session.Deserialize("x", data, nil)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := snapshotOf(sess, nil)
	if err != nil {
		b.Fatal(err)
	}
	sh, ch := anyStrings(snap.hashFields()), anyStrings(snap.cookieFields())
	o := &session.Options{Now: time.Now}
	b.ReportAllocs()
	for b.Loop() {
		snap, err := fromHashes(sh, ch)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := assemble("x", snap, o, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot is Save's work in Go before the script call: the
// snapshot of a 16-cookie session after one cookie changed, and the diff.
func BenchmarkSnapshot(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testfixtures.MustDir(b), "cookies-varied-noshuffle-localstorage.rhfsession"))
	if err != nil {
		b.Fatal(err)
	}
	sess, err := session.Deserialize("x", data, nil)
	if err != nil {
		b.Fatal(err)
	}
	prev, err := snapshotOf(sess, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		sess.Jar().SetCookieStrings(siteURL, []string{"counter=" + strconv.Itoa(i)})
		cur, err := snapshotOf(sess, prev)
		if err != nil {
			b.Fatal(err)
		}
		if ch := diff(prev, cur); len(ch.cookieSet) != 1 {
			b.Fatalf("diff sends %d cookies, want 1", len(ch.cookieSet))
		}
		prev = cur
	}
}
