package store_test

import (
	"errors"
	"math"
	"math/rand/v2"
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

// TestExpiryExpiredMs checks that ExpiredMs answers as Expired on the same
// instants, at the strict boundaries, for disabled rules and at extremes.
func TestExpiryExpiredMs(t *testing.T) {
	const now = int64(1795906636459)
	day := 24 * time.Hour
	cases := []struct {
		e                      store.Expiry
		created, lastUsed, now int64
		want                   bool
	}{
		{store.Expiry{IdleTimeout: time.Second}, now, now - 1000, now, false}, // equal: not expired
		{store.Expiry{IdleTimeout: time.Second}, now, now - 1001, now, true},
		{store.Expiry{IdleTimeout: 1500 * time.Microsecond}, now, now - 1, now, false},
		{store.Expiry{IdleTimeout: 1500 * time.Microsecond}, now, now - 2, now, true},
		{store.Expiry{MaxAge: day}, now - day.Milliseconds(), now, now, false},
		{store.Expiry{MaxAge: day}, now - day.Milliseconds() - 1, now, now, true},
		{store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}, 1, 1, now, false},
		{store.Expiry{}, 1, 1, now, false},
		{store.Expiry{IdleTimeout: time.Second}, now, now + 5000, now, false}, // lastUsed in the future
		{store.Expiry{IdleTimeout: time.Duration(math.MaxInt64)}, 0, math.MinInt64 / 2, math.MaxInt64 / 2, false},
		{store.Expiry{IdleTimeout: time.Hour}, 0, math.MinInt64 / 2, math.MaxInt64 / 2, true},
	}
	for i, tc := range cases {
		if got := tc.e.ExpiredMs(tc.created, tc.lastUsed, tc.now); got != tc.want {
			t.Errorf("case %d: ExpiredMs(%d, %d, %d) = %v, want %v", i, tc.created, tc.lastUsed, tc.now, got, tc.want)
		}
		want := tc.e.Expired(time.UnixMilli(tc.created), time.UnixMilli(tc.lastUsed), time.UnixMilli(tc.now))
		if got := tc.e.ExpiredMs(tc.created, tc.lastUsed, tc.now); got != want {
			t.Errorf("case %d: ExpiredMs = %v, Expired = %v", i, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	spans := []int64{2000, 1 << 20, 1 << 40, 1 << 52}
	for i := range 200000 {
		span := spans[i%len(spans)]
		e := store.Expiry{
			IdleTimeout: time.Duration(r.Int64N(int64(span)*int64(time.Millisecond)/2+1) - 10),
			MaxAge:      time.Duration(r.Int64N(int64(span)*int64(time.Millisecond)/2+1) - 10),
		}
		if i%7 == 0 {
			e.IdleTimeout = e.IdleTimeout.Truncate(time.Millisecond)
		}
		n := r.Int64N(span) - span/4
		c, l := n-r.Int64N(span)+span/8, n-r.Int64N(span)+span/8
		want := e.Expired(time.UnixMilli(c), time.UnixMilli(l), time.UnixMilli(n))
		if got := e.ExpiredMs(c, l, n); got != want {
			t.Fatalf("%+v: ExpiredMs(%d, %d, %d) = %v, Expired = %v", e, c, l, n, got, want)
		}
	}
}
