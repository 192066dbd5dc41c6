package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
		return memstore.New(&memstore.Options{Now: cfg.Now, Expiry: cfg.Expiry})
	})
}

func TestConformanceNoSweep(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
		return memstore.New(&memstore.Options{Now: cfg.Now, Expiry: cfg.Expiry, CleanupInterval: store.Disabled})
	})
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     *memstore.Options
		expiry   store.Expiry
		interval time.Duration
	}{
		{"nil", nil, store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}, time.Minute},
		{"zero", &memstore.Options{}, store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}, time.Minute},
		{"idle disabled", &memstore.Options{Expiry: store.Expiry{IdleTimeout: store.Disabled}},
			store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour}, time.Minute},
		{"max age set", &memstore.Options{Expiry: store.Expiry{MaxAge: time.Hour}, CleanupInterval: 5 * time.Second},
			store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: time.Hour}, 5 * time.Second},
		{"sweep disabled", &memstore.Options{CleanupInterval: store.Disabled},
			store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}, store.Disabled},
		{"nothing expires", &memstore.Options{Expiry: store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}},
			store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}, store.Disabled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := memstore.New(tc.opts)
			defer s.Close()
			if got := s.Expiry(); got != tc.expiry {
				t.Errorf("Expiry() = %+v, want %+v", got, tc.expiry)
			}
			if got := s.CleanupInterval(); got != tc.interval {
				t.Errorf("CleanupInterval() = %v, want %v", got, tc.interval)
			}
			// A nil logger and clock work: a session is stamped with the
			// real time and a sweep logs nowhere.
			before := time.Now()
			sess, err := s.Add(t.Context(), session.NewID())
			if err != nil {
				t.Fatal(err)
			}
			if c := sess.CreatedAt(); c.Before(before.Add(-time.Millisecond)) || c.After(time.Now()) {
				t.Errorf("createdAt %v not the real time", c)
			}
			if n := s.Sweep(); n != 0 {
				t.Errorf("Sweep removed %d fresh sessions", n)
			}
		})
	}
}

// logBuffer is a concurrency-safe buffer for a slog text handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func debugLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestSweepRemovesExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logBuffer
		s := memstore.New(&memstore.Options{Logger: debugLogger(&logs)})
		defer s.Close()
		ctx := t.Context()
		idle, active := session.NewID(), session.NewID()
		for _, id := range []string{idle, active} {
			if _, err := s.Add(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(29 * time.Minute)
		if _, err := s.Get(ctx, active, true); err != nil {
			t.Fatal(err)
		}
		// idle expires just after 30 min; the sweep at 31 min removes it
		// without anybody reading it.
		time.Sleep(2*time.Minute + 30*time.Second)
		synctest.Wait()
		if n := s.Len(); n != 1 {
			t.Fatalf("after the sweep the store holds %d sessions, want 1", n)
		}
		if !strings.Contains(logs.String(), "removed=1") {
			t.Errorf("no debug record of the sweep that removed a session:\n%s", logs.String())
		}
		if ok, err := s.Has(ctx, active); err != nil || !ok {
			t.Fatalf("Has(active) = %t, %v; want true", ok, err)
		}
		// The active one reaches its idle timeout too.
		time.Sleep(31 * time.Minute)
		synctest.Wait()
		if n := s.Len(); n != 0 {
			t.Fatalf("store holds %d sessions, want 0", n)
		}
	})
}

func TestSweepMaxAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memstore.New(&memstore.Options{
			Expiry:          store.Expiry{IdleTimeout: store.Disabled, MaxAge: time.Hour},
			CleanupInterval: 10 * time.Minute,
		})
		defer s.Close()
		if _, err := s.Add(t.Context(), session.NewID()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour + 5*time.Minute) // the 1 h sweep sees it at exactly 1 h: not yet
		synctest.Wait()
		if n := s.Len(); n != 1 {
			t.Fatalf("before the 70 min sweep the store holds %d sessions, want 1", n)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := s.Len(); n != 0 {
			t.Fatalf("after the 70 min sweep the store holds %d sessions, want 0", n)
		}
	})
}

func TestNoSweepWhenDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logBuffer
		s := memstore.New(&memstore.Options{Logger: debugLogger(&logs), CleanupInterval: store.Disabled})
		defer s.Close()
		ctx := t.Context()
		id := session.NewID()
		if _, err := s.Add(ctx, id); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		if n := s.Len(); n != 1 {
			t.Fatalf("with the sweep disabled the store holds %d sessions, want 1 (expired, unswept)", n)
		}
		if logs.String() != "" {
			t.Errorf("a disabled sweep logged:\n%s", logs.String())
		}
		// Expiry is still enforced on read, which removes it.
		if ok, err := s.Has(ctx, id); err != nil || ok {
			t.Fatalf("Has(expired) = %t, %v; want false", ok, err)
		}
		if n := s.Len(); n != 0 {
			t.Fatalf("after Has the store holds %d sessions, want 0", n)
		}
	})
}

func TestCloseStopsSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logBuffer
		s := memstore.New(&memstore.Options{Logger: debugLogger(&logs), CleanupInterval: time.Second})
		time.Sleep(3*time.Second + time.Millisecond)
		synctest.Wait()
		if n := strings.Count(logs.String(), "memstore: sweep"); n != 3 {
			t.Fatalf("%d sweeps in 3 s at a 1 s interval, want 3", n)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := strings.Count(logs.String(), "memstore: sweep"); n != 3 {
			t.Fatalf("%d sweeps after Close, want none more than 3", n)
		}
		// synctest.Test fails if the sweep goroutine were still blocked
		// in the bubble when this function returns.
	})
}

func TestCloseConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memstore.New(nil)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
		wg.Wait()
		if _, err := s.Keys(t.Context()); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Keys after Close = %v, want ErrClosed", err)
		}
	})
}

func TestSaveReplacedSession(t *testing.T) {
	s := memstore.New(&memstore.Options{CleanupInterval: store.Disabled})
	defer s.Close()
	ctx := t.Context()
	id := session.NewID()
	old, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	text, err := old.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSerialized(ctx, id, text); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Save of a session replaced by an import = %v, want ErrNotFound", err)
	}
	cur, err := s.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if cur == old {
		t.Fatal("Get returned the replaced session")
	}
	if err := s.Save(ctx, cur); err != nil {
		t.Fatalf("Save of the current session: %v", err)
	}
	if err := s.Save(ctx, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Save(nil) = %v, want ErrNotFound", err)
	}
}

func TestImportIsTouched(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC))
	s := memstore.New(&memstore.Options{Now: clock.Now, CleanupInterval: store.Disabled})
	defer s.Close()
	text, err := storetest.ReadFixture("edited-never-browsed.rhfsession")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	id := session.NewID()
	if err := s.AddSerialized(ctx, id, text); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.LastUsed().Equal(clock.Now()) {
		t.Errorf("imported session lastUsed = %v, want the import time %v", sess.LastUsed(), clock.Now())
	}
	if got := sess.CreatedAt().UnixMilli(); got != 1795906650579 {
		t.Errorf("imported createdAt = %d, want 1795906650579", got)
	}
}

func TestKeysDropsExpired(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := memstore.New(&memstore.Options{Now: clock.Now, CleanupInterval: store.Disabled})
	defer s.Close()
	ctx := t.Context()
	old, fresh := session.NewID(), session.NewID()
	if _, err := s.Add(ctx, old); err != nil {
		t.Fatal(err)
	}
	clock.Advance(20 * time.Minute)
	if _, err := s.Add(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	clock.Advance(15 * time.Minute)
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != fresh {
		t.Fatalf("Keys = %q, want only %q", keys, fresh)
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("Len = %d after Keys dropped the expired session, want 1", n)
	}
	if ok, err := s.Delete(ctx, fresh); err != nil || !ok {
		t.Fatalf("Delete(fresh) = %t, %v", ok, err)
	}
}

func TestDeleteExpired(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := memstore.New(&memstore.Options{Now: clock.Now, CleanupInterval: store.Disabled})
	defer s.Close()
	ctx := t.Context()
	id := session.NewID()
	if _, err := s.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if ok, err := s.Delete(ctx, id); err != nil || ok {
		t.Fatalf("Delete(expired) = %t, %v; want false (it no longer existed)", ok, err)
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("Len = %d after Delete, want 0", n)
	}
}

func TestPinnedNeverExpires(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	st := memstore.New(&memstore.Options{Now: clock.Now, CleanupInterval: store.Disabled,
		Expiry: store.Expiry{IdleTimeout: time.Minute, MaxAge: time.Hour}})
	defer st.Close()
	ctx := context.Background()
	pinned, err := st.Add(ctx, "pinned")
	if err != nil {
		t.Fatal(err)
	}
	pinned.SetPinned(true)
	if err := st.Save(ctx, pinned); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Add(ctx, "plain"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	if n := st.Sweep(); n != 1 {
		t.Fatalf("sweep removed %d sessions, want 1 (the unpinned one)", n)
	}
	if _, err := st.Get(ctx, "pinned", false); err != nil {
		t.Fatalf("pinned session expired: %v", err)
	}
	if _, err := st.Peek(ctx, "plain"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek(plain) = %v, want ErrNotFound", err)
	}
	if got := st.Stats().InMemory; got != 1 {
		t.Fatalf("Stats().InMemory = %d, want 1", got)
	}
}
