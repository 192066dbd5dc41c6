package redisstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rammerhead-go/rammerhead/internal/redistest"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// TestRedisDownAndBack: with appendonly yes + appendfsync always, Redis is
// killed (SIGKILL) mid-run: every call fails with a wrapped Redis error
// (not ErrNotFound) within its context deadline; once redis-server is back
// the same store works again and every acknowledged write is there.
func TestRedisDownAndBack(t *testing.T) {
	rs := redistest.StartWith(t, redistest.Config{Persistent: true})
	c := redis.NewClient(&redis.Options{
		Network: rs.Network, Addr: rs.Addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           200 * time.Millisecond,
		MaxRetries:            2,
	})
	t.Cleanup(func() { _ = c.Close() })
	s := newStore(t, c, Options{Expiry: standardExpiry})
	ctx := ctxT(t)

	const n = 40
	ids := make([]string, n)
	for i := range ids {
		ids[i] = session.NewID()
		sess, err := s.Add(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		sess.Jar().SetCookieStrings(siteURL, []string{fmt.Sprintf("c%d=v%d", i, i)})
		if err := sess.SetValue("n", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	held, err := s.Get(ctx, ids[0], true)
	if err != nil {
		t.Fatal(err)
	}

	if err := rs.Kill(); err != nil {
		t.Fatal(err)
	}
	const deadline = 300 * time.Millisecond
	calls := map[string]func(context.Context) error{
		"Keys":   func(ctx context.Context) error { _, err := s.Keys(ctx); return err },
		"Has":    func(ctx context.Context) error { _, err := s.Has(ctx, ids[1]); return err },
		"Get":    func(ctx context.Context) error { _, err := s.Get(ctx, ids[1], true); return err },
		"Add":    func(ctx context.Context) error { _, err := s.Add(ctx, session.NewID()); return err },
		"Delete": func(ctx context.Context) error { _, err := s.Delete(ctx, ids[2]); return err },
		"AddSerialized": func(ctx context.Context) error {
			b, _ := held.Serialize()
			return s.AddSerialized(ctx, session.NewID(), b)
		},
		"Save": func(ctx context.Context) error {
			held.Jar().SetCookieStrings(siteURL, []string{"down=1"})
			return s.Save(ctx, held)
		},
	}
	for name, call := range calls {
		cctx, cancel := context.WithTimeout(ctx, deadline)
		start := time.Now()
		err := call(cctx)
		took := time.Since(start)
		cancel()
		if err == nil {
			t.Fatalf("%s with Redis down succeeded", name)
		}
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrCorrupted) {
			t.Fatalf("%s with Redis down = %v; want a Redis error, not a store verdict", name, err)
		}
		if took > deadline+time.Second {
			t.Fatalf("%s with Redis down took %v (deadline %v)", name, took, deadline)
		}
		t.Logf("%s with Redis down: %v after %v", name, err, took.Round(time.Millisecond))
	}

	if err := rs.Start(); err != nil {
		t.Fatal(err)
	}
	// The store recovers by itself: go-redis redials.
	if ok, err := s.Has(ctx, ids[1]); err != nil || !ok {
		t.Fatalf("Has after restart = %t, %v", ok, err)
	}
	keys, err := s.Keys(ctx)
	if err != nil || len(keys) != n {
		t.Fatalf("Keys after restart: %d, %v; want %d", len(keys), err, n)
	}
	for i, id := range ids {
		sess, err := s.Get(ctx, id, false)
		if err != nil {
			t.Fatalf("Get %d after restart: %v", i, err)
		}
		if v, _ := sess.Value("n"); string(v) != fmt.Sprint(i) {
			t.Fatalf("session %d lost its data: %s", i, v)
		}
		if got := cookieNames(sess); len(got) != 1 || got[0] != fmt.Sprintf("c%d=v%d", i, i) {
			t.Fatalf("session %d cookies after restart: %v", i, got)
		}
	}
	// The session held across the outage can still be saved.
	held.Jar().SetCookieStrings(siteURL, []string{"after=1"})
	if err := s.Save(ctx, held); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, ids[0], false)
	if err != nil {
		t.Fatal(err)
	}
	if names := cookieNames(got); len(names) != 3 {
		t.Fatalf("cookies after the outage: %v", names)
	}
}

// TestRedisGracefulRestart: SIGTERM (Redis writes its AOF) and start again
// in the same directory; the data survives and an open store carries on.
func TestRedisGracefulRestart(t *testing.T) {
	rs := redistest.StartWith(t, redistest.Config{Persistent: true})
	c := newClient(t, rs)
	s := newStore(t, c, Options{Expiry: standardExpiry})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sess.Jar().SetCookieStrings(siteURL, []string{"kept=1"})
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := rs.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := rs.Start(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, id, true)
	if err != nil {
		t.Fatalf("Get after restart: %v", err)
	}
	if names := cookieNames(got); len(names) != 1 || names[0] != "kept=1" {
		t.Fatalf("cookies after restart: %v", names)
	}
	// The TTL survived the restart too.
	if ttl, err := c.PTTL(ctx, s.SessionKey(id)).Result(); err != nil || ttl <= 0 {
		t.Fatalf("PTTL after restart = %v, %v", ttl, err)
	}
}

// TestRedisHangs: a frozen Redis (SIGSTOP) makes calls fail within their
// context deadline; once it runs again the store works without help.
func TestRedisHangs(t *testing.T) {
	rs := redistest.StartWith(t, redistest.Config{})
	s := newStore(t, newClient(t, rs), Options{Expiry: standardExpiry})
	ctx := ctxT(t)
	id := session.NewID()
	if _, err := s.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := rs.Pause(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_ = rs.Resume()
		}
	}()
	const deadline = 200 * time.Millisecond
	for _, touch := range []bool{false, true} {
		cctx, cancel := context.WithTimeout(ctx, deadline)
		start := time.Now()
		_, err := s.Get(cctx, id, touch)
		took := time.Since(start)
		cancel()
		if err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get from a frozen Redis = %v; want a Redis error", err)
		}
		if !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
			t.Logf("Get from a frozen Redis: %v (not a deadline error)", err)
		}
		if took > deadline+time.Second {
			t.Fatalf("Get from a frozen Redis took %v (deadline %v)", took, deadline)
		}
	}
	if err := rs.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	if ok, err := s.Has(ctx, id); err != nil || !ok {
		t.Fatalf("Has after Redis resumed = %t, %v", ok, err)
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
