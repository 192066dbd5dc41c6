package redisstore

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// TestFixturesRoundTrip imports every loadable fixture, reads it back and
// checks that it serializes exactly as the session package does, and that
// a Save right after a load has nothing to send.
func TestFixturesRoundTrip(t *testing.T) {
	clock := newFakeClock()
	s := newStore(t, nil, Options{Now: clock.Now, Expiry: store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}})
	ctx := ctxT(t)
	loaded := 0
	for name, b := range fixtures(t) {
		want, err := session.Deserialize("x", b, &session.Options{Now: clock.Now})
		id := session.NewID()
		ierr := s.AddSerialized(ctx, id, b)
		if err != nil {
			if !errors.Is(ierr, store.ErrCorrupted) {
				t.Errorf("%s: AddSerialized = %v, want ErrCorrupted (Deserialize: %v)", name, ierr, err)
			}
			if ok, _ := s.Has(ctx, id); ok {
				t.Errorf("%s: a corrupted import was stored", name)
			}
			continue
		}
		if ierr != nil {
			t.Errorf("%s: AddSerialized: %v", name, ierr)
			continue
		}
		loaded++
		got, err := s.Get(ctx, id, false)
		if err != nil {
			t.Errorf("%s: Get: %v", name, err)
			continue
		}
		wb, _ := want.Serialize()
		gb, _ := got.Serialize()
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s: round trip differs:\nwant %s\ngot  %s", name, wb, gb)
		}
		st := got.StoreState().(*state)
		cur, err := snapshotOf(got, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ch := diff(st.snap, cur); !ch.empty() {
			t.Errorf("%s: a Save right after Get would send %+v", name, ch)
		}
	}
	if loaded < 6 {
		t.Fatalf("only %d fixtures loaded", loaded)
	}
}

// TestCorruptedHash: hand-corrupted hashes give errors wrapping
// store.ErrCorrupted, never a panic, and never ErrNotFound.
func TestCorruptedHash(t *testing.T) {
	c := newClient(t)
	s := newStore(t, c, Options{Expiry: standardExpiry})
	ctx := ctxT(t)
	cases := []struct {
		name   string
		cookie bool // corrupt the cookie hash
		field  string
		value  string
		del    bool
	}{
		{"createdAt not a number", false, "c", "yesterday", false},
		{"lastUsed missing", false, "u", "", true},
		{"order missing", false, "o", "", true},
		{"order not JSON", false, "o", `"a",[`, false},
		{"jar header missing", false, "j", "", true},
		{"jar header not an object", false, "j", `[1]`, false},
		{"data not JSON", false, "d:injectable", `{"scripts":`, false},
		{"data shadows createdAt", false, "d:createdAt", `1`, false},
		{"cookie without sequence", true, `["127.0.0.1","/","x"]`, `{"key":"x"}`, false},
		{"cookie sequence not a number", true, `["127.0.0.1","/","x"]`, `a {"key":"x"}`, false},
		{"cookie not JSON", true, `["127.0.0.1","/","x"]`, `1 {"key":`, false},
		{"cookie of the wrong shape", true, `["","","x"]`, `1 {"key":"x","creation":5,"expires":[]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := session.NewID()
			sess, err := s.Add(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			key := s.SessionKey(id)
			if tc.cookie {
				key = s.CookieKey(id)
			}
			if tc.del {
				err = c.HDel(ctx, key, tc.field).Err()
			} else {
				err = c.HSet(ctx, key, tc.field, tc.value).Err()
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, touch := range []bool{false, true} {
				_, err := s.Get(ctx, id, touch)
				if !errors.Is(err, store.ErrCorrupted) {
					t.Fatalf("Get(touch=%t) = %v, want ErrCorrupted", touch, err)
				}
			}
			if ok, err := s.Has(ctx, id); err != nil || !ok {
				t.Fatalf("Has of a corrupted session = %t, %v; want true", ok, err)
			}
			if strings.HasPrefix(tc.field, "c") && !tc.cookie && !tc.del {
				if err := s.Save(ctx, sess); !errors.Is(err, store.ErrCorrupted) {
					t.Fatalf("Save over corrupted timestamps = %v, want ErrCorrupted", err)
				}
			}
			if ok, err := s.Delete(ctx, id); err != nil || !ok {
				t.Fatalf("Delete of a corrupted session = %t, %v; want true", ok, err)
			}
		})
	}
}

// TestBadInput: invalid ids, options and URLs are clear errors.
func TestBadInput(t *testing.T) {
	s := newStore(t, nil, Options{})
	ctx := ctxT(t)
	for _, id := range []string{"", "a/b", "../x", strings.Repeat("a", 65), "a{b}"} {
		if _, err := s.Get(ctx, id, true); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Get(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := s.Add(ctx, id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Add(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	if err := s.Save(ctx, nil); err == nil {
		t.Error("Save(nil) = nil")
	}
	for _, o := range []Options{
		{},
		{Client: s.Client(), Prefix: "a{b"},
		{Client: s.Client(), Expiry: store.Expiry{IdleTimeout: -5 * time.Second}},
		{Client: s.Client(), ExpiryGrace: -time.Second},
		{URL: "http://localhost"},
		{URL: "redis://localhost?cluster=maybe"},
		{URL: "redis://localhost?nonsense=1"},
	} {
		if _, err := New(o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("New(%+v) = %v, want ErrBadOptions", o, err)
		}
	}
	c, err := ParseURL("redis://127.0.0.1:1/2?cluster=0&dial_timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = ParseURL("redis://127.0.0.1:1?cluster=1&addr=127.0.0.1:2")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// FuzzFromHashes feeds arbitrary session and cookie hashes to the loader:
// it must return a session or an error wrapping store.ErrCorrupted, never
// panic; a session it loads is stored and loaded again unchanged. Seeds
// are the real fixtures as the store lays them out.
func FuzzFromHashes(f *testing.F) {
	for _, b := range fixtures(f) {
		sess, err := session.Deserialize("x", b, nil)
		if err != nil {
			continue
		}
		snap, err := snapshotOf(sess, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(joinPairs(snap.hashFields()), joinPairs(snap.cookieFields()))
	}
	f.Fuzz(func(t *testing.T, sh, ch string) {
		snap, err := fromHashes(splitPairs(sh), splitPairs(ch))
		if err != nil {
			if !errors.Is(err, store.ErrCorrupted) {
				t.Fatalf("error not wrapping ErrCorrupted: %v", err)
			}
			return
		}
		sess, err := assemble("x", snap, nil, nil)
		if err != nil {
			if !errors.Is(err, store.ErrCorrupted) {
				t.Fatalf("error not wrapping ErrCorrupted: %v", err)
			}
			return
		}
		checkRoundTrip(t, sess)
	})
}

// checkRoundTrip lays sess out as the store does, loads it back and
// checks that it serializes the same and that a Save would send nothing.
func checkRoundTrip(t *testing.T, sess *session.Session) {
	t.Helper()
	want, err := sess.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshotOf(sess, nil)
	if err != nil {
		t.Fatalf("snapshot of a loaded session: %v", err)
	}
	again, err := fromHashes(anyStrings(snap.hashFields()), anyStrings(snap.cookieFields()))
	if err != nil {
		t.Fatalf("stored hashes do not load: %v\n%s", err, want)
	}
	sess2, err := assemble("x", again, nil, nil)
	if err != nil {
		t.Fatalf("stored session does not load: %v\n%s", err, want)
	}
	got, err := sess2.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
	}
	cur, err := snapshotOf(sess2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ch := diff(again, cur); !ch.empty() {
		t.Fatalf("a Save right after the load would send %+v\n%s", ch, want)
	}
	if ch := diff(snap, cur); !ch.empty() {
		t.Fatalf("snapshots of equal sessions differ: %+v\n%s", ch, want)
	}
}

func anyStrings(p []any) []string {
	out := make([]string, len(p))
	for i, v := range p {
		out[i] = v.(string)
	}
	return out
}

func joinPairs(p []any) string {
	return strings.Join(anyStrings(p), "\x00")
}

func splitPairs(s string) []string {
	if s == "" {
		return nil
	}
	p := strings.Split(s, "\x00")
	if len(p)%2 == 1 {
		p = p[:len(p)-1]
	}
	return p
}

// FuzzSnapshot: any .rhfsession-like text that loads is laid out as the
// store lays it out and loads back unchanged (checkRoundTrip).
func FuzzSnapshot(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"localStorage":{"a":1,"a":2,"b\u0000":{}},"k\"":[1]},"serializedCookieJar":"{\"cookies\":[{\"key\":\"\\u00e9\",\"path\":\"/\\\"\"}]}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		now := time.UnixMilli(1795906645733)
		sess, err := session.Deserialize("x", b, &session.Options{Now: func() time.Time { return now }})
		if err != nil {
			return
		}
		checkRoundTrip(t, sess)
	})
}
