package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

var t0 = time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)

func TestExpiryExpired(t *testing.T) {
	std := store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}
	for _, tc := range []struct {
		name      string
		e         store.Expiry
		createdAt time.Time
		lastUsed  time.Time
		now       time.Time
		want      bool
	}{
		{"fresh", std, t0, t0, t0, false},
		{"idle exactly the timeout", std, t0, t0, t0.Add(30 * time.Minute), false},
		{"idle 1 ms more", std, t0, t0, t0.Add(30*time.Minute + time.Millisecond), true},
		{"idle 1 ns more", std, t0, t0, t0.Add(30*time.Minute + 1), true},
		{"touched recently", std, t0, t0.Add(3 * time.Hour), t0.Add(3*time.Hour + 29*time.Minute), false},
		{"age exactly the max", std, t0, t0.Add(4 * time.Hour), t0.Add(4 * time.Hour), false},
		{"age 1 ms more, just touched", std, t0, t0.Add(4 * time.Hour), t0.Add(4*time.Hour + time.Millisecond), true},
		{"idle disabled", store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour}, t0, t0, t0.Add(4 * time.Hour), false},
		{"idle disabled, too old", store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour}, t0, t0, t0.Add(4*time.Hour + 1), true},
		{"max age disabled", store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: store.Disabled}, t0, t0.Add(999 * time.Hour), t0.Add(999*time.Hour + 30*time.Minute), false},
		{"max age disabled, idle", store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: store.Disabled}, t0, t0.Add(999 * time.Hour), t0.Add(999*time.Hour + 31*time.Minute), true},
		{"both disabled", store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}, t0, t0, t0.Add(1000 * time.Hour), false},
		{"zero policy", store.Expiry{}, t0, t0, t0.Add(1000 * time.Hour), false},
		{"clock behind", std, t0, t0, t0.Add(-time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.Expired(tc.createdAt, tc.lastUsed, tc.now); got != tc.want {
				t.Errorf("%+v.Expired(%v, %v, %v) = %t, want %t", tc.e, tc.createdAt, tc.lastUsed, tc.now, got, tc.want)
			}
		})
	}
}

func TestExpiryExpiresAt(t *testing.T) {
	for _, tc := range []struct {
		name      string
		e         store.Expiry
		createdAt time.Time
		lastUsed  time.Time
		want      time.Time
		ok        bool
	}{
		{"idle first", store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}, t0, t0.Add(time.Hour), t0.Add(90 * time.Minute), true},
		{"max age first", store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}, t0, t0.Add(235 * time.Minute), t0.Add(4 * time.Hour), true},
		{"idle only", store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: store.Disabled}, t0, t0.Add(10 * time.Hour), t0.Add(10*time.Hour + 30*time.Minute), true},
		{"max age only", store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour}, t0, t0.Add(time.Hour), t0.Add(4 * time.Hour), true},
		{"never", store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}, t0, t0, time.Time{}, false},
		{"zero policy", store.Expiry{}, t0, t0, time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.e.ExpiresAt(tc.createdAt, tc.lastUsed)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Fatalf("ExpiresAt = %v, %t; want %v, %t", got, ok, tc.want, tc.ok)
			}
			if !ok {
				return
			}
			// ExpiresAt agrees with Expired: alive at it, expired just after.
			if tc.e.Expired(tc.createdAt, tc.lastUsed, got) {
				t.Errorf("Expired at ExpiresAt %v", got)
			}
			if !tc.e.Expired(tc.createdAt, tc.lastUsed, got.Add(time.Millisecond)) {
				t.Errorf("not Expired 1 ms after ExpiresAt %v", got)
			}
		})
	}
}

func TestExpiryWithDefaults(t *testing.T) {
	def := store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}
	for _, tc := range []struct {
		in, want store.Expiry
	}{
		{store.Expiry{}, def},
		{store.Expiry{IdleTimeout: time.Minute}, store.Expiry{IdleTimeout: time.Minute, MaxAge: 4 * time.Hour}},
		{store.Expiry{MaxAge: time.Hour}, store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: time.Hour}},
		{store.Expiry{IdleTimeout: store.Disabled}, store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour}},
		{store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}, store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}},
	} {
		if got := tc.in.WithDefaults(def); got != tc.want {
			t.Errorf("%+v.WithDefaults(%+v) = %+v, want %+v", tc.in, def, got, tc.want)
		}
	}
}

func TestSentinels(t *testing.T) {
	for _, err := range []error{store.ErrNotFound, store.ErrExists, store.ErrInvalidID, store.ErrCorrupted, store.ErrClosed, store.ErrAlreadyAttached} {
		if err == nil || err.Error() == "" {
			t.Errorf("sentinel %v has no message", err)
		}
	}
	if errors.Is(store.ErrNotFound, store.ErrClosed) || errors.Is(store.ErrExists, store.ErrNotFound) {
		t.Error("distinct sentinels match each other")
	}
}

// proxy is a minimal store.Proxy: the server's role.
type proxy struct{ s store.Store }

func (p *proxy) SessionStore() store.Store     { return p.s }
func (p *proxy) SetSessionStore(s store.Store) { p.s = s }

func newStore(t *testing.T) *memstore.Store {
	t.Helper()
	s := memstore.New(&memstore.Options{CleanupInterval: store.Disabled})
	t.Cleanup(func() { s.Close() })
	return s
}

func isOpen(t *testing.T, s store.Store) bool {
	t.Helper()
	_, err := s.Keys(t.Context())
	if err != nil && !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Keys: %v", err)
	}
	return err == nil
}

func TestAttach(t *testing.T) {
	t.Run("First", func(t *testing.T) {
		p := &proxy{}
		s := newStore(t)
		if err := store.Attach(p, s, true); err != nil {
			t.Fatalf("Attach: %v", err)
		}
		if p.SessionStore() != s {
			t.Fatal("the store is not the proxy's store")
		}
	})
	t.Run("AlreadyAttached", func(t *testing.T) {
		p := &proxy{}
		s := newStore(t)
		if err := store.Attach(p, s, false); err != nil {
			t.Fatal(err)
		}
		for _, remove := range []bool{true, false} {
			if err := store.Attach(p, s, remove); !errors.Is(err, store.ErrAlreadyAttached) {
				t.Errorf("Attach again (removeExisting=%t) = %v, want ErrAlreadyAttached", remove, err)
			}
		}
		if !isOpen(t, s) {
			t.Error("a failed re-attach closed the store")
		}
	})
	t.Run("RemoveExisting", func(t *testing.T) {
		p := &proxy{}
		prev, next := newStore(t), newStore(t)
		if _, err := prev.Add(t.Context(), "aaaa"); err != nil {
			t.Fatal(err)
		}
		p.SetSessionStore(prev)
		if err := store.Attach(p, next, true); err != nil {
			t.Fatalf("Attach: %v", err)
		}
		if p.SessionStore() != next {
			t.Fatal("the new store is not the proxy's store")
		}
		if isOpen(t, prev) {
			t.Error("removeExisting left the previous store open")
		}
		if !isOpen(t, next) {
			t.Error("the attached store is closed")
		}
	})
	t.Run("KeepExisting", func(t *testing.T) {
		p := &proxy{}
		prev, next := newStore(t), newStore(t)
		if _, err := prev.Add(t.Context(), "bbbb"); err != nil {
			t.Fatal(err)
		}
		p.SetSessionStore(prev)
		if err := store.Attach(p, next, false); err != nil {
			t.Fatalf("Attach: %v", err)
		}
		if p.SessionStore() != next {
			t.Fatal("the new store is not the proxy's store")
		}
		if !isOpen(t, prev) {
			t.Fatal("without removeExisting the previous store was closed")
		}
		if ok, err := prev.Has(t.Context(), "bbbb"); err != nil || !ok {
			t.Errorf("the previous store lost its session: %t, %v", ok, err)
		}
	})
	t.Run("PreviousAlreadyClosed", func(t *testing.T) {
		p := &proxy{}
		prev, next := newStore(t), newStore(t)
		if err := prev.Close(); err != nil {
			t.Fatal(err)
		}
		p.SetSessionStore(prev)
		if err := store.Attach(p, next, true); err != nil {
			t.Fatalf("Attach over a closed store: %v", err)
		}
		if p.SessionStore() != next {
			t.Fatal("the new store is not the proxy's store")
		}
	})
}
