package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// importFixture is the fixture the AddSerialized checks import: two
// session cookies (no expiry) and a shuffle dictionary.
const importFixture = "shuffle-enabled-basic-cookies.rhfsession"

const importDict = "xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2"

// importLastUsed is the fixture's data.lastUsed.
var importLastUsed = time.UnixMilli(1795906645742)

// corruptFixtures are fixture files no store may load.
var corruptFixtures = []string{
	"corrupted-empty.rhfsession",
	"corrupted-truncated.rhfsession",
	"invalid-jar-as-object-deleted-by-node.rhfsession",
	"invalid-jar-without-cookies-array-crashes-node.rhfsession",
	"invalid-missing-data-crashes-node.rhfsession",
}

// corruptTexts are more serialized forms no store may load.
var corruptTexts = []string{
	"not json",
	"null",
	"[]",
	"{}",
	`{"data":{}}`,
	`{"data":[],"serializedCookieJar":"{\"cookies\":[]}"}`,
	`{"data":{},"serializedCookieJar":"not json"}`,
	`{"data":{},"serializedCookieJar":"{\"cookies\":{}}"}`,
}

func mustFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := ReadFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkImported checks a session imported from importFixture.
func checkImported(t *testing.T, sess *session.Session, id string) {
	t.Helper()
	if sess.ID() != id {
		t.Errorf("ID() = %q, want %q", sess.ID(), id)
	}
	wantTime(t, "createdAt of the imported session", sess.CreatedAt(), time.UnixMilli(1795906645733))
	if sess.LastUsed().UnixMilli() < importLastUsed.UnixMilli() {
		t.Errorf("lastUsed of the imported session = %s, before the imported %s", fmtTime(sess.LastUsed()), fmtTime(importLastUsed))
	}
	if d := sess.ShuffleDict(); d != importDict {
		t.Errorf("shuffleDict = %q, want %q", d, importDict)
	}
	if ip := sess.RestrictIP(); ip != "127.0.0.1" {
		t.Errorf("restrictIP = %q, want 127.0.0.1", ip)
	}
	if n := sess.Jar().Len(); n != 2 {
		t.Errorf("the imported jar holds %d cookies, want 2", n)
	}
	wantHeader(t, sess, siteSetEcho, "basic_a=alpha; basic_b=beta")
}

func (su *suite) testAddSerialized(t *testing.T) {
	t.Run("New", func(t *testing.T) {
		s, _ := su.forever(t, realNow())
		ctx := t.Context()
		id := session.NewID()
		if err := s.AddSerialized(ctx, id, mustFixture(t, importFixture)); err != nil {
			t.Fatalf("AddSerialized: %v", err)
		}
		wantHas(t, ctx, s, id, true)
		wantKeys(t, ctx, s, id)
		sess := mustGet(t, ctx, s, id, false)
		checkImported(t, sess, id)
		mustSave(t, ctx, s, sess)
		checkImported(t, mustGet(t, ctx, s, id, false), id)
	})
	t.Run("ReplacesExisting", func(t *testing.T) {
		s, _ := su.forever(t, realNow())
		ctx := t.Context()
		id := session.NewID()
		old := mustAdd(t, ctx, s, id)
		old.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"old=1"})
		old.SetRestrictIP("10.0.0.1")
		mustSave(t, ctx, s, old)
		if err := s.AddSerialized(ctx, id, mustFixture(t, importFixture)); err != nil {
			t.Fatalf("AddSerialized over an existing session: %v", err)
		}
		checkImported(t, mustGet(t, ctx, s, id, true), id)
		wantKeys(t, ctx, s, id)
	})
	t.Run("ReplacesCached", func(t *testing.T) {
		s, c := su.forever(t, realNow())
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		// Load it (a caching store keeps it in memory), change it, save.
		cached := mustGet(t, ctx, s, id, true)
		cached.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"cached=1"})
		if err := cached.SetValue("goExtra", []byte(`"cached"`)); err != nil {
			t.Fatalf("SetValue: %v", err)
		}
		mustSave(t, ctx, s, cached)
		c.Advance(time.Second)
		if err := s.AddSerialized(ctx, id, mustFixture(t, importFixture)); err != nil {
			t.Fatalf("AddSerialized over a cached session: %v", err)
		}
		for _, touch := range []bool{false, true} {
			got := mustGet(t, ctx, s, id, touch)
			checkImported(t, got, id)
			if v, ok := got.Value("goExtra"); ok {
				t.Errorf("the stale cached data survived the import: goExtra = %s", v)
			}
		}
	})
	t.Run("Corrupted", func(t *testing.T) {
		s, _ := su.forever(t, realNow())
		ctx := t.Context()
		texts := map[string][]byte{}
		for _, f := range corruptFixtures {
			texts[f] = mustFixture(t, f)
		}
		for i, x := range corruptTexts {
			texts["text "+strings.Repeat("#", i+1)+" "+x] = []byte(x)
		}
		for name, text := range texts {
			id := session.NewID()
			if err := s.AddSerialized(ctx, id, text); !errors.Is(err, store.ErrCorrupted) {
				t.Errorf("AddSerialized(%s) = %v, want an error wrapping store.ErrCorrupted", name, err)
			}
			if ok, err := s.Has(ctx, id); err != nil || ok {
				t.Errorf("after a failed import of %s, Has = %t, %v; want false", name, ok, err)
			}
		}
		wantKeys(t, ctx, s)
	})
	t.Run("CorruptedKeepsExisting", func(t *testing.T) {
		s, c := su.forever(t, realNow())
		ctx := t.Context()
		id := session.NewID()
		t0 := c.Now()
		sess := mustAdd(t, ctx, s, id)
		sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"keep=1"})
		sess.SetRestrictIP("10.0.0.2")
		mustSave(t, ctx, s, sess)
		want := mustGet(t, ctx, s, id, false)
		text, err := want.Serialize()
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		for _, f := range corruptFixtures {
			if err := s.AddSerialized(ctx, id, mustFixture(t, f)); !errors.Is(err, store.ErrCorrupted) {
				t.Errorf("AddSerialized(%s) over an existing session = %v, want ErrCorrupted", f, err)
			}
		}
		got := mustGet(t, ctx, s, id, false)
		wantTime(t, "createdAt", got.CreatedAt(), t0)
		if ip := got.RestrictIP(); ip != "10.0.0.2" {
			t.Errorf("restrictIP = %q, want 10.0.0.2", ip)
		}
		wantHeader(t, got, siteSetEcho, "keep=1")
		after, err := got.Serialize()
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		// CookieHeader above updated lastAccessed; compare the rest.
		if !sameJSONExcept(text, after) {
			t.Errorf("the session changed after failed imports:\n\tbefore %s\n\tafter  %s", text, after)
		}
	})
	t.Run("InvalidID", func(t *testing.T) {
		s, _ := su.forever(t, realNow())
		ctx := t.Context()
		text := mustFixture(t, importFixture)
		for _, id := range invalidIDs {
			if err := s.AddSerialized(ctx, id, text); !errors.Is(err, store.ErrInvalidID) {
				t.Errorf("AddSerialized(%q) = %v, want an error wrapping store.ErrInvalidID", id, err)
			}
		}
		wantKeys(t, ctx, s)
	})
	t.Run("RoundTrip", func(t *testing.T) {
		// A session serialized by the store's own sessions imports back
		// under another id with the same content.
		s, c := su.forever(t, realNow())
		ctx := t.Context()
		src := mustAdd(t, ctx, s, session.NewID())
		src.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"rt=1; Max-Age=3600", "rt2=2; Path=/; HttpOnly"})
		src.SetLocalStorage("http://127.0.0.1:18090", session.LocalStorageEntry{Data: map[string]string{"a": "b"}, Timestamp: 42})
		mustSave(t, ctx, s, src)
		text, err := src.Serialize()
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		c.Advance(time.Second)
		id := session.NewID()
		if err := s.AddSerialized(ctx, id, text); err != nil {
			t.Fatalf("AddSerialized: %v", err)
		}
		got := mustGet(t, ctx, s, id, false)
		if got.ID() != id {
			t.Fatalf("ID() = %q, want %q", got.ID(), id)
		}
		wantTime(t, "createdAt", got.CreatedAt(), src.CreatedAt())
		if got.LastUsed().Before(src.LastUsed()) {
			t.Errorf("lastUsed %s before the imported %s", fmtTime(got.LastUsed()), fmtTime(src.LastUsed()))
		}
		if err := diffAll(got, src); err != nil {
			t.Error(err)
		}
	})
}

// diffAll compares two sessions of different ids apart from id and
// lastUsed.
func diffAll(got, want *session.Session) error {
	gd, err := dataOf(got)
	if err != nil {
		return err
	}
	wd, err := dataOf(want)
	if err != nil {
		return err
	}
	diffs := append(diffData(gd, wd), diffCookies(got.Jar().All(), want.Jar().All())...)
	if len(diffs) > 0 {
		return errors.New("sessions differ:\n\t" + strings.Join(diffs, "\n\t"))
	}
	return nil
}

// sameJSONExcept compares two serialized sessions, ignoring the cookies'
// lastAccessed.
func sameJSONExcept(a, b []byte) bool {
	na, ea := normalizeSerialized(a)
	nb, eb := normalizeSerialized(b)
	return ea == nil && eb == nil && reflect.DeepEqual(na, nb)
}
