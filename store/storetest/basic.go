package storetest

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

func (su *suite) testKeys(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		s, _ := su.standard(t)
		if keys := sortedKeys(t, t.Context(), s); len(keys) != 0 {
			t.Fatalf("Keys of a new store = %q, want none", keys)
		}
	})
	t.Run("AfterAdd", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		ids := []string{session.NewID(), session.NewID(), "custom_id-1"}
		for i, id := range ids {
			mustAdd(t, ctx, s, id)
			wantKeys(t, ctx, s, ids[:i+1]...)
		}
	})
	t.Run("AfterDelete", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		a, b, c := session.NewID(), session.NewID(), session.NewID()
		for _, id := range []string{a, b, c} {
			mustAdd(t, ctx, s, id)
		}
		if ok, err := s.Delete(ctx, b); err != nil || !ok {
			t.Fatalf("Delete(%q) = %t, %v; want true, nil", b, ok, err)
		}
		wantKeys(t, ctx, s, a, c)
		for _, id := range []string{a, c} {
			if _, err := s.Delete(ctx, id); err != nil {
				t.Fatalf("Delete(%q): %v", id, err)
			}
		}
		wantKeys(t, ctx, s)
	})
	t.Run("NoDuplicates", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		ids := []string{session.NewID(), session.NewID(), session.NewID()}
		for _, id := range ids {
			mustAdd(t, ctx, s, id)
		}
		// Load, touch, save and re-import: none of it may list an id twice.
		for _, id := range ids {
			mustSave(t, ctx, s, mustGet(t, ctx, s, id, true))
		}
		text, err := mustGet(t, ctx, s, ids[0], false).Serialize()
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if err := s.AddSerialized(ctx, ids[0], text); err != nil {
			t.Fatalf("AddSerialized over %q: %v", ids[0], err)
		}
		if _, err := s.Add(ctx, ids[1]); !errors.Is(err, store.ErrExists) {
			t.Fatalf("second Add(%q) = %v, want ErrExists", ids[1], err)
		}
		wantKeys(t, ctx, s, ids...)
	})
}

func (su *suite) testHas(t *testing.T) {
	t.Run("Present", func(t *testing.T) {
		s, _ := su.standard(t)
		id := session.NewID()
		mustAdd(t, t.Context(), s, id)
		wantHas(t, t.Context(), s, id, true)
	})
	t.Run("Missing", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		wantHas(t, ctx, s, session.NewID(), false)
		mustAdd(t, ctx, s, session.NewID())
		wantHas(t, ctx, s, session.NewID(), false)
	})
	t.Run("InvalidID", func(t *testing.T) {
		s, _ := su.standard(t)
		for _, id := range invalidIDs {
			if ok, err := s.Has(t.Context(), id); !errors.Is(err, store.ErrInvalidID) {
				t.Errorf("Has(%q) = %t, %v; want an error wrapping store.ErrInvalidID", id, ok, err)
			}
		}
	})
}

func (su *suite) testGet(t *testing.T) {
	t.Run("NotFound", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		wantNotFound(t, ctx, s, session.NewID())
		mustAdd(t, ctx, s, session.NewID())
		if _, err := s.Get(ctx, session.NewID(), true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(missing, touch) = %v, want ErrNotFound", err)
		}
	})
	t.Run("InvalidID", func(t *testing.T) {
		s, _ := su.standard(t)
		for _, id := range invalidIDs {
			for _, touch := range []bool{false, true} {
				sess, err := s.Get(t.Context(), id, touch)
				if !errors.Is(err, store.ErrInvalidID) {
					t.Errorf("Get(%q, %t) = %s, %v; want an error wrapping store.ErrInvalidID", id, touch, sessID(sess), err)
				}
			}
		}
	})
	t.Run("Touch", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		t0 := c.Now()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		t1 := c.Advance(5*time.Minute + 7*time.Millisecond)
		sess := mustGet(t, ctx, s, id, true)
		wantTime(t, "lastUsed after Get(touch=true)", sess.LastUsed(), t1)
		wantTime(t, "createdAt after Get(touch=true)", sess.CreatedAt(), t0)
		mustSave(t, ctx, s, sess)
		t2 := c.Advance(10 * time.Minute)
		again := mustGet(t, ctx, s, id, true)
		wantTime(t, "lastUsed after a second touch", again.LastUsed(), t2)
	})
	t.Run("NoTouch", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		t0 := c.Now()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		c.Advance(5 * time.Minute)
		sess := mustGet(t, ctx, s, id, false)
		wantTime(t, "lastUsed after Get(touch=false)", sess.LastUsed(), t0)
		wantTime(t, "createdAt after Get(touch=false)", sess.CreatedAt(), t0)
	})
	t.Run("SameSession", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		added := mustAdd(t, ctx, s, id)
		for _, touch := range []bool{false, true, false} {
			got := mustGet(t, ctx, s, id, touch)
			if got.ID() != id {
				t.Fatalf("Get(%q).ID() = %q", id, got.ID())
			}
			wantTime(t, "createdAt", got.CreatedAt(), added.CreatedAt())
			wantSame(t, got, added, CompareOptions{IgnoreLastUsed: true})
		}
		other := session.NewID()
		mustAdd(t, ctx, s, other)
		if got := mustGet(t, ctx, s, other, false); got.ID() != other {
			t.Fatalf("Get(%q).ID() = %q", other, got.ID())
		}
	})
}

func (su *suite) testAdd(t *testing.T) {
	t.Run("Fresh", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		now := c.Now()
		id := session.NewID()
		sess := mustAdd(t, ctx, s, id)
		checkFresh(t, sess, id, now)
		wantHas(t, ctx, s, id, true)
		checkFresh(t, mustGet(t, ctx, s, id, false), id, now)
	})
	t.Run("ValidIDs", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		for _, id := range validIDs {
			mustAdd(t, ctx, s, id)
			wantHas(t, ctx, s, id, true)
		}
		wantKeys(t, ctx, s, validIDs...)
	})
	t.Run("Exists", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		t0 := c.Now()
		id := session.NewID()
		first := mustAdd(t, ctx, s, id)
		first.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"keep=me"})
		first.SetRestrictIP("10.1.2.3")
		mustSave(t, ctx, s, first)
		c.Advance(time.Minute)
		sess, err := s.Add(ctx, id)
		if !errors.Is(err, store.ErrExists) {
			t.Fatalf("second Add(%q) = %s, %v; want an error wrapping store.ErrExists", id, sessID(sess), err)
		}
		got := mustGet(t, ctx, s, id, false)
		wantTime(t, "createdAt of the existing session", got.CreatedAt(), t0)
		wantTime(t, "lastUsed of the existing session", got.LastUsed(), t0)
		if ip := got.RestrictIP(); ip != "10.1.2.3" {
			t.Errorf("restrictIP of the existing session = %q, want 10.1.2.3", ip)
		}
		wantHeader(t, got, siteSetEcho, "keep=me")
	})
	t.Run("InvalidID", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		for _, id := range invalidIDs {
			if sess, err := s.Add(ctx, id); !errors.Is(err, store.ErrInvalidID) {
				t.Errorf("Add(%q) = %s, %v; want an error wrapping store.ErrInvalidID", id, sessID(sess), err)
			}
		}
		wantKeys(t, ctx, s)
	})
}

// checkFresh checks the fields a new session gets.
func checkFresh(t *testing.T, sess *session.Session, id string, now time.Time) {
	t.Helper()
	if sess.ID() != id {
		t.Errorf("ID() = %q, want %q", sess.ID(), id)
	}
	wantTime(t, "createdAt of a new session", sess.CreatedAt(), now)
	wantTime(t, "lastUsed of a new session", sess.LastUsed(), now)
	if err := checkDict(sess.ShuffleDict()); err != nil {
		t.Errorf("new session: %v", err)
	}
	in := sess.Injectable()
	if !slices.Equal(in.Scripts, []string{"/hammerhead.js", "/rammerhead.js"}) || len(in.Styles) != 0 || len(in.UserScripts) != 0 {
		t.Errorf("injectable of a new session = %s, want the default scripts and nothing else", jsonOf(in))
	}
	if p := sess.ExternalProxy(); p != nil {
		t.Errorf("externalProxySettings of a new session = %s, want null", jsonOf(p))
	}
	if n := sess.Jar().Len(); n != 0 {
		t.Errorf("a new session's jar holds %d cookies", n)
	}
	if ls := sess.LocalStorage(); len(ls) != 0 {
		t.Errorf("localStorage of a new session = %s, want empty", jsonOf(ls))
	}
}

func (su *suite) testDelete(t *testing.T) {
	t.Run("TrueThenFalse", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		if ok, err := s.Delete(ctx, id); err != nil || !ok {
			t.Fatalf("Delete(%q) = %t, %v; want true, nil", id, ok, err)
		}
		if ok, err := s.Delete(ctx, id); err != nil || ok {
			t.Fatalf("second Delete(%q) = %t, %v; want false, nil", id, ok, err)
		}
		if ok, err := s.Delete(ctx, session.NewID()); err != nil || ok {
			t.Fatalf("Delete(never added) = %t, %v; want false, nil", ok, err)
		}
	})
	t.Run("Gone", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		id, other := session.NewID(), session.NewID()
		sess := mustAdd(t, ctx, s, id)
		sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"old=1"})
		mustSave(t, ctx, s, sess)
		mustAdd(t, ctx, s, other)
		mustGet(t, ctx, s, id, true) // a cached copy must go too
		if ok, err := s.Delete(ctx, id); err != nil || !ok {
			t.Fatalf("Delete(%q) = %t, %v; want true, nil", id, ok, err)
		}
		wantHas(t, ctx, s, id, false)
		wantNotFound(t, ctx, s, id)
		wantKeys(t, ctx, s, other)
		wantHas(t, ctx, s, other, true)
		// The id is free again, and the new session starts empty.
		now := c.Advance(time.Second)
		checkFresh(t, mustAdd(t, ctx, s, id), id, now)
		checkFresh(t, mustGet(t, ctx, s, id, false), id, now)
	})
	t.Run("InvalidID", func(t *testing.T) {
		s, _ := su.standard(t)
		for _, id := range invalidIDs {
			if ok, err := s.Delete(t.Context(), id); !errors.Is(err, store.ErrInvalidID) {
				t.Errorf("Delete(%q) = %t, %v; want an error wrapping store.ErrInvalidID", id, ok, err)
			}
		}
	})
}

func (su *suite) testSave(t *testing.T) {
	t.Run("Visible", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		c.Advance(time.Second)
		sess := mustGet(t, ctx, s, id, true)
		if n := sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"s_a=1", "s_b=2; Path=/"}); n != 2 {
			t.Fatalf("SetCookieStrings stored %d cookies, want 2", n)
		}
		c.Advance(time.Millisecond) // a later creation time: a definite cookie order
		sess.Jar().SetCookies(mustURL(t, siteRoot), []*http.Cookie{{Name: "h_c", Value: "3", Path: "/set"}})
		proxy := &session.ProxySettings{Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091"}
		sess.SetExternalProxy(proxy)
		sess.SetShuffleDict("")
		sess.SetRestrictIP("192.0.2.7")
		inj := session.Injectable{Scripts: []string{"/hammerhead.js", "/rammerhead.js", "/extra.js"}, Styles: []string{"/s.css"}, UserScripts: []json.RawMessage{}}
		sess.SetInjectable(inj)
		ls := session.LocalStorageEntry{Data: map[string]string{"k": "v"}, Timestamp: c.Now().UnixMilli()}
		sess.SetLocalStorage("http://127.0.0.1:18090", ls)
		extra := json.RawMessage(`{"note":"kept","n":[1,2]}`)
		if err := sess.SetValue("goExtra", extra); err != nil {
			t.Fatalf("SetValue: %v", err)
		}
		mustSave(t, ctx, s, sess)
		c.Advance(time.Second)

		got := mustGet(t, ctx, s, id, false)
		wantSame(t, got, sess, CompareOptions{})
		if p := got.ExternalProxy(); !reflect.DeepEqual(p, proxy) {
			t.Errorf("externalProxySettings = %s, want %s", jsonOf(p), jsonOf(proxy))
		}
		if d := got.ShuffleDict(); d != "" {
			t.Errorf("shuffleDict = %q, want none", d)
		}
		if ip := got.RestrictIP(); ip != "192.0.2.7" {
			t.Errorf("restrictIP = %q, want 192.0.2.7", ip)
		}
		if g := got.Injectable(); jsonOf(g) != jsonOf(inj) {
			t.Errorf("injectable = %s, want %s", jsonOf(g), jsonOf(inj))
		}
		if g := got.LocalStorage(); !reflect.DeepEqual(g, map[string]session.LocalStorageEntry{"http://127.0.0.1:18090": ls}) {
			t.Errorf("localStorage = %s, want the entry set", jsonOf(g))
		}
		if v, ok := got.Value("goExtra"); !ok || !sameJSON(v, extra) {
			t.Errorf("Value(goExtra) = %s, %t; want %s", v, ok, extra)
		}
		wantHeader(t, got, siteSetEcho, "s_a=1; h_c=3; s_b=2")
	})
	t.Run("TouchPersists", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		t1 := c.Advance(3*time.Minute + 141*time.Millisecond)
		mustSave(t, ctx, s, mustGet(t, ctx, s, id, true))
		c.Advance(2 * time.Minute)
		wantTime(t, "lastUsed after touch and Save", mustGet(t, ctx, s, id, false).LastUsed(), t1)
	})
	t.Run("Deleted", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		sess := mustAdd(t, ctx, s, id)
		if _, err := s.Delete(ctx, id); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"late=1"})
		if err := s.Save(ctx, sess); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Save of a deleted session = %v, want an error wrapping store.ErrNotFound", err)
		}
		wantHas(t, ctx, s, id, false)
		wantKeys(t, ctx, s)
	})
}

func (su *suite) testClose(t *testing.T) {
	t.Run("Idempotent", func(t *testing.T) {
		s, _ := su.standard(t)
		mustAdd(t, t.Context(), s, session.NewID())
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for i := 0; i < 2; i++ {
			if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
				t.Fatalf("Close again = %v, want nil or ErrClosed", err)
			}
		}
	})
	t.Run("CallsAfterClose", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		sess := mustAdd(t, ctx, s, id)
		text, err := sess.Serialize()
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		check := func(call string, err error) {
			t.Helper()
			if !errors.Is(err, store.ErrClosed) {
				t.Errorf("%s after Close = %v, want an error wrapping store.ErrClosed", call, err)
			}
		}
		_, err = s.Keys(ctx)
		check("Keys", err)
		_, err = s.Has(ctx, id)
		check("Has", err)
		_, err = s.Get(ctx, id, true)
		check("Get", err)
		_, err = s.Add(ctx, session.NewID())
		check("Add", err)
		_, err = s.Delete(ctx, id)
		check("Delete", err)
		check("AddSerialized", s.AddSerialized(ctx, session.NewID(), text))
		check("Save", s.Save(ctx, sess))
	})
}
