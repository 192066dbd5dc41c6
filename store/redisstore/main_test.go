package redisstore

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rammerhead-go/rammerhead/internal/redistest"
	"github.com/rammerhead-go/rammerhead/store"
)

// srv is the throw-away redis-server (Unix socket, no persistence) shared
// by the tests of this package; each test uses its own key prefix.
var srv *redistest.Server

// quietLogger drops go-redis's own log lines (redial attempts while the
// outage tests hold Redis down).
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	dir, err := os.MkdirTemp("", "rs")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv, err = redistest.StartServer(dir)
	if err != nil {
		// Never skip: the Redis store is untested without a server.
		fmt.Fprintf(os.Stderr, "FAIL: redisstore tests need a real redis-server: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = srv.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newClient returns a client of srv (or of s when given), closed at the
// end of the test.
func newClient(t testing.TB, s ...*redistest.Server) *redis.Client {
	t.Helper()
	x := srv
	if len(s) > 0 {
		x = s[0]
	}
	c := redis.NewClient(&redis.Options{Network: x.Network, Addr: x.Addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var prefixSeq atomic.Int64

// uniquePrefix returns a key prefix no other test uses.
func uniquePrefix() string {
	return fmt.Sprintf("t%d-%d:", time.Now().UnixNano()%1e6, prefixSeq.Add(1))
}

// fakeClock is a manual clock.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.UnixMilli(time.Now().UnixMilli()).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

func (c *fakeClock) Advance(d time.Duration) time.Time {
	return time.Unix(0, c.ns.Add(int64(d))).UTC()
}

// newStore returns a store on client c (a new client of srv when nil)
// with a unique prefix, closed at the end of the test.
func newStore(t testing.TB, c redis.UniversalClient, o Options) *Store {
	t.Helper()
	if c == nil {
		c = newClient(t)
	}
	o.Client = c
	if o.Prefix == "" {
		o.Prefix = uniquePrefix()
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var standardExpiry = store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}
