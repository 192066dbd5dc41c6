package redisstore

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// TestPeekAndStats: Peek reads without touching or applying expiry; Stats
// counts loads, writes and corrupted sessions.
func TestPeekAndStats(t *testing.T) {
	c := newClient(t)
	clock := newFakeClock()
	s := newStore(t, c, Options{Now: clock.Now, Expiry: standardExpiry})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	created := clock.Now()
	sess.Jar().SetCookieStrings(siteURL, []string{"p=1"})
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * time.Minute) // logically expired
	p, err := s.Peek(ctx, id)
	if err != nil {
		t.Fatalf("Peek of an expired session not yet removed: %v", err)
	}
	if !p.LastUsed().Equal(created) || p.Jar().Len() != 1 {
		t.Fatalf("Peek = lastUsed %v, %d cookies; want %v, 1", p.LastUsed(), p.Jar().Len(), created)
	}
	if u, _ := c.HGet(ctx, s.SessionKey(id), fieldLastUsed).Result(); u != stringMillis(created) {
		t.Fatalf("Peek touched the session: lastUsed %s", u)
	}
	if _, err := s.Get(ctx, id, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of the expired session = %v", err)
	}
	if _, err := s.Peek(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek after removal = %v, want ErrNotFound", err)
	}
	bad := session.NewID()
	if _, err := s.Add(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, s.SessionKey(bad), fieldJar, "[").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Peek(ctx, bad); !errors.Is(err, store.ErrCorrupted) {
		t.Fatalf("Peek of a corrupted session = %v", err)
	}
	st := s.Stats()
	if st.Loads != 1 || st.Flushes != 3 || st.Corrupted != 1 || st.OnDisk != -1 {
		t.Fatalf("Stats = %+v; want 1 load, 3 flushes, 1 corrupted, OnDisk -1", st)
	}
}

func stringMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
