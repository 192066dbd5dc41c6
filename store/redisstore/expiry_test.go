package redisstore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	testfixtures "github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// wantTTL checks that both keys of id expire in want plus the store's
// grace (within 2 s of slack
// for the time the test takes) and that their PEXPIRETIME agrees.
func wantTTL(t *testing.T, c *redis.Client, s *Store, id string, want time.Duration) {
	t.Helper()
	want += time.Duration(s.graceMS) * time.Millisecond
	ctx := ctxT(t)
	for _, k := range []string{s.SessionKey(id), s.CookieKey(id)} {
		if n, _ := c.Exists(ctx, k).Result(); n == 0 {
			continue // an empty cookie hash does not exist
		}
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl > want+time.Millisecond || ttl < want-2*time.Second {
			t.Fatalf("PTTL %s = %v, want about %v", k, ttl, want)
		}
		at, err := c.PExpireTime(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		rt, err := c.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if d := at - time.Duration(rt.UnixMilli())*time.Millisecond; d > want+time.Millisecond || d < want-2*time.Second {
			t.Fatalf("PEXPIRETIME %s is %v from now, want about %v", k, d, want)
		}
	}
}

func wantGone(t *testing.T, c *redis.Client, s *Store, id string) {
	t.Helper()
	n, err := c.Exists(ctxT(t), s.SessionKey(id), s.CookieKey(id)).Result()
	if err != nil || n != 0 {
		t.Fatalf("EXISTS keys of %s = %d, %v; want 0", id, n, err)
	}
}

func TestExpiryTTL(t *testing.T) {
	c := newClient(t)
	clock := newFakeClock()
	s := newStore(t, c, Options{Client: c, Now: clock.Now, Expiry: store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 40 * time.Minute}})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sess.Jar().SetCookieStrings(siteURL, []string{"a=1"})
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 30*time.Minute)

	// A Save 10 minutes later (no touch) refreshes the TTL from the
	// unchanged lastUsed: 20 minutes left.
	clock.Advance(10 * time.Minute)
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 20*time.Minute)

	// A touch moves the expiry: idle 30 minutes from now...
	if _, err := s.Get(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 30*time.Minute)
	// ...but never past createdAt + max age (40 min): at 20 min, 20 left.
	clock.Advance(10 * time.Minute)
	if _, err := s.Get(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 20*time.Minute)
	// A read without touch changes nothing.
	clock.Advance(5 * time.Minute)
	if _, err := s.Get(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 20*time.Minute)

	// At exactly the max age the session is still alive (strictly greater
	// expires it) and Redis keeps it for the grace beyond.
	clock.Advance(15 * time.Minute)
	if ok, err := s.Has(ctx, id); err != nil || !ok {
		t.Fatalf("Has at exactly the max age = %t, %v; want true", ok, err)
	}
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 0)
	// Past the max age: logically expired, and the read deletes it.
	clock.Advance(time.Millisecond)
	if ok, err := s.Has(ctx, id); err != nil || ok {
		t.Fatalf("Has past max age = %t, %v", ok, err)
	}
	wantGone(t, c, s, id)
	if err := s.Save(ctx, sess); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Save of an expired session = %v, want ErrNotFound", err)
	}
}

func TestExpiryPastIsDeleted(t *testing.T) {
	c := newClient(t)
	clock := newFakeClock()
	s := newStore(t, c, Options{Now: clock.Now, Expiry: standardExpiry})
	ctx := ctxT(t)

	// Each of Get, Get(touch), Has, Save, Keys and Delete meets an expired
	// session: it is reported missing and (but for Keys) its keys deleted.
	ids := make([]string, 5)
	sessions := make([]*session.Session, 5)
	for i := range ids {
		ids[i] = session.NewID()
		var err error
		if sessions[i], err = s.Add(ctx, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(30*time.Minute + time.Millisecond)
	if keys, err := s.Keys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("Keys = %v, %v; want none", keys, err)
	}
	if _, err := s.Get(ctx, ids[0], false); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, ids[1], true); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if ok, err := s.Has(ctx, ids[2]); ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := s.Save(ctx, sessions[3]); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if ok, err := s.Delete(ctx, ids[4]); ok || err != nil {
		t.Fatalf("Delete of an expired session = %t, %v; want false", ok, err)
	}
	for _, id := range ids {
		wantGone(t, c, s, id)
	}

	// An import whose expiry is past is not stored, and replaces nothing
	// with a key that never expires.
	b, err := os.ReadFile(filepath.Join(testfixtures.MustDir(t), "shuffle-enabled-basic-cookies.rhfsession"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(24 * time.Hour) // the fixture's lastUsed is far behind
	id := session.NewID()
	if err := s.AddSerialized(ctx, id, b); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("import of an expired session: %v, want an error wrapping ErrNotFound", err)
	}
	wantGone(t, c, s, id)
}

func TestExpiryDisabledPersists(t *testing.T) {
	c := newClient(t)
	clock := newFakeClock()
	p := uniquePrefix()
	s1 := newStore(t, c, Options{Prefix: p, Now: clock.Now, Expiry: standardExpiry})
	never := newStore(t, c, Options{Prefix: p, Now: clock.Now, Expiry: store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s1.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sess.Jar().SetCookieStrings(siteURL, []string{"a=1"})
	if err := s1.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s1, id, 30*time.Minute)
	// The same session seen by a store with no expiry: a touch persists it.
	if _, err := never.Get(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{never.SessionKey(id), never.CookieKey(id)} {
		if ttl, err := c.PTTL(ctx, k).Result(); err != nil || ttl != -1 {
			t.Fatalf("PTTL %s = %v, %v; want -1 (no expiry)", k, ttl, err)
		}
	}
	id2 := session.NewID()
	if _, err := never.Add(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if ttl, err := c.PTTL(ctx, never.SessionKey(id2)).Result(); err != nil || ttl != -1 {
		t.Fatalf("PTTL = %v, %v; want -1", ttl, err)
	}
	clock.Advance(10000 * time.Hour)
	if ok, err := never.Has(ctx, id2); err != nil || !ok {
		t.Fatalf("Has = %t, %v", ok, err)
	}
}

// TestExpiryDefaults: the zero Expiry means 3 days idle, no max age.
func TestExpiryDefaults(t *testing.T) {
	c := newClient(t)
	s := newStore(t, c, Options{})
	if e := s.Expiry(); e.IdleTimeout != 72*time.Hour || e.MaxAge != store.Disabled {
		t.Fatalf("default expiry = %+v", e)
	}
	ctx := ctxT(t)
	id := session.NewID()
	if _, err := s.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	wantTTL(t, c, s, id, 72*time.Hour)
}

// TestExpiryPinned: a pinned session never expires (no TTL, alive past
// both rules, listed by Keys); unpinned, it gets its TTL back.
func TestExpiryPinned(t *testing.T) {
	c := newClient(t)
	clock := newFakeClock()
	s := newStore(t, c, Options{Now: clock.Now, Expiry: standardExpiry})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sess.SetPinned(true)
	sess.Jar().SetCookieStrings(siteURL, []string{"a=1"})
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{s.SessionKey(id), s.CookieKey(id)} {
		if ttl, err := c.PTTL(ctx, k).Result(); err != nil || ttl != -1 {
			t.Fatalf("PTTL %s of a pinned session = %v, %v; want -1", k, ttl, err)
		}
	}
	clock.Advance(5 * time.Hour) // past both rules
	if keys, err := s.Keys(ctx); err != nil || len(keys) != 1 {
		t.Fatalf("Keys = %v, %v; want the pinned session", keys, err)
	}
	if ok, err := s.Has(ctx, id); err != nil || !ok {
		t.Fatalf("Has of a pinned session = %t, %v", ok, err)
	}
	got, err := s.Get(ctx, id, true)
	if err != nil {
		t.Fatalf("Get of a pinned session: %v", err)
	}
	if !got.Pinned() {
		t.Fatal("Pinned lost")
	}
	// Imported pinned sessions keep their pin, whatever their timestamps.
	text, _ := got.Serialize()
	id2 := session.NewID()
	clock.Advance(100 * time.Hour)
	if err := s.AddSerialized(ctx, id2, text); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Has(ctx, id2); err != nil || !ok {
		t.Fatalf("Has of an imported pinned session = %t, %v", ok, err)
	}
	// Unpinned: past the max age, so the next write removes it.
	got.SetPinned(false)
	if err := s.Save(ctx, got); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Save unpinning a session past its max age = %v, want ErrNotFound", err)
	}
	wantGone(t, c, s, id)
}
