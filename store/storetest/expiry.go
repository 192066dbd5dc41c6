package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

func (su *suite) testExpiry(t *testing.T) {
	withPolicy := func(t *testing.T, e store.Expiry) (store.Store, *Clock) {
		c := NewClock(realNow())
		return su.open(t, Config{Now: c.Now, Expiry: e}), c
	}
	gone := func(t *testing.T, s store.Store, id string) {
		t.Helper()
		ctx := t.Context()
		wantHas(t, ctx, s, id, false)
		wantNotFound(t, ctx, s, id)
		if _, err := s.Get(ctx, id, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(%q, touch) of an expired session = %v, want ErrNotFound", id, err)
		}
	}
	alive := func(t *testing.T, s store.Store, id string) {
		t.Helper()
		wantHas(t, t.Context(), s, id, true)
		mustGet(t, t.Context(), s, id, false)
	}

	t.Run("IdleBoundary", func(t *testing.T) {
		s, c := withPolicy(t, standardExpiry)
		id, fresh := session.NewID(), session.NewID()
		mustAdd(t, t.Context(), s, id)
		c.Advance(30 * time.Minute) // exactly the idle timeout: not yet (strictly greater)
		alive(t, s, id)
		mustAdd(t, t.Context(), s, fresh)
		c.Advance(time.Millisecond)
		gone(t, s, id)
		alive(t, s, fresh) // only the idle one expired
	})
	t.Run("TouchKeepsAliveUntilMaxAge", func(t *testing.T) {
		s, c := withPolicy(t, standardExpiry)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		// Touch every 20 minutes up to exactly 4 h: well past the idle
		// timeout, never past the maximum age.
		for elapsed := 20 * time.Minute; elapsed <= 4*time.Hour; elapsed += 20 * time.Minute {
			c.Advance(20 * time.Minute)
			mustSave(t, ctx, s, mustGet(t, ctx, s, id, true))
		}
		alive(t, s, id)
		c.Advance(time.Millisecond) // 4 h + 1 ms after creation, 1 ms idle
		gone(t, s, id)
	})
	t.Run("IdleDisabled", func(t *testing.T) {
		s, c := withPolicy(t, store.Expiry{IdleTimeout: store.Disabled, MaxAge: 4 * time.Hour})
		id := session.NewID()
		mustAdd(t, t.Context(), s, id)
		c.Advance(4 * time.Hour) // never touched
		alive(t, s, id)
		c.Advance(time.Millisecond)
		gone(t, s, id)
	})
	t.Run("MaxAgeDisabled", func(t *testing.T) {
		s, c := withPolicy(t, store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: store.Disabled})
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		for elapsed := time.Duration(0); elapsed < 10*time.Hour; elapsed += 29 * time.Minute {
			c.Advance(29 * time.Minute)
			mustSave(t, ctx, s, mustGet(t, ctx, s, id, true))
		}
		alive(t, s, id)
		c.Advance(30*time.Minute + time.Millisecond)
		gone(t, s, id)
	})
	t.Run("BothDisabled", func(t *testing.T) {
		s, c := withPolicy(t, neverExpire)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		c.Advance(1000 * time.Hour)
		alive(t, s, id)
		wantKeys(t, ctx, s, id)
		sess := mustGet(t, ctx, s, id, true)
		wantTime(t, "lastUsed", sess.LastUsed(), c.Now())
	})
	t.Run("AddOverExpired", func(t *testing.T) {
		s, c := withPolicy(t, standardExpiry)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		now := c.Advance(31 * time.Minute)
		// An expired session does not hold on to its id.
		checkFresh(t, mustAdd(t, ctx, s, id), id, now)
		alive(t, s, id)
	})
}
