package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// invalidIDs are ids every store must reject with store.ErrInvalidID.
var invalidIDs = []string{
	"",
	"../x",
	"a/b",
	`a\b`,
	"a.b",
	"a b",
	"é",
	"id\x00",
	strings.Repeat("a", 65),
}

// validIDs are unusual ids every store must accept.
var validIDs = []string{
	"x",
	strings.Repeat("Z", 64),
	"A-_z09",
	"-",
}

// shuffleBase is the URL-shuffling base alphabet; a session's dictionary
// is a permutation of it.
const shuffleBase = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-"

// Test site addresses of the fixtures.
const (
	siteSetBasic = "http://127.0.0.1:18090/set/basic"
	siteSetEcho  = "http://127.0.0.1:18090/set/echo"
	siteRoot     = "http://127.0.0.1:18090/"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url %q: %v", s, err)
	}
	return u
}

func mustAdd(t testing.TB, ctx context.Context, s store.Store, id string) *session.Session {
	t.Helper()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatalf("Add(%q): %v", id, err)
	}
	if sess == nil {
		t.Fatalf("Add(%q) returned a nil session and no error", id)
	}
	return sess
}

func mustGet(t testing.TB, ctx context.Context, s store.Store, id string, touch bool) *session.Session {
	t.Helper()
	sess, err := s.Get(ctx, id, touch)
	if err != nil {
		t.Fatalf("Get(%q, %t): %v", id, touch, err)
	}
	if sess == nil {
		t.Fatalf("Get(%q, %t) returned a nil session and no error", id, touch)
	}
	return sess
}

func mustSave(t testing.TB, ctx context.Context, s store.Store, sess *session.Session) {
	t.Helper()
	if err := s.Save(ctx, sess); err != nil {
		t.Fatalf("Save(%q): %v", sess.ID(), err)
	}
}

func wantHas(t testing.TB, ctx context.Context, s store.Store, id string, want bool) {
	t.Helper()
	got, err := s.Has(ctx, id)
	if err != nil {
		t.Fatalf("Has(%q): %v", id, err)
	}
	if got != want {
		t.Fatalf("Has(%q) = %t, want %t", id, got, want)
	}
}

func wantNotFound(t testing.TB, ctx context.Context, s store.Store, id string) {
	t.Helper()
	sess, err := s.Get(ctx, id, false)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %v, %v; want an error wrapping store.ErrNotFound", id, sessID(sess), err)
	}
}

func sessID(s *session.Session) string {
	if s == nil {
		return "<nil>"
	}
	return "session " + s.ID()
}

func sortedKeys(t testing.TB, ctx context.Context, s store.Store) []string {
	t.Helper()
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	return keys
}

func wantKeys(t testing.TB, ctx context.Context, s store.Store, want ...string) {
	t.Helper()
	got := sortedKeys(t, ctx, s)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
}

// wantTime checks a timestamp to the millisecond.
func wantTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	if got.UnixMilli() != want.UnixMilli() {
		t.Errorf("%s = %s, want %s", what, fmtTime(got), fmtTime(want))
	}
}

func wantSame(t testing.TB, got, want *session.Session, o CompareOptions) {
	t.Helper()
	if err := CompareSessions(got, want, o); err != nil {
		t.Error(err)
	}
}

// wantHeader checks the Cookie header the session's jar sends to u.
func wantHeader(t testing.TB, sess *session.Session, u, want string) {
	t.Helper()
	if got := sess.Jar().CookieHeader(mustURL(t, u)); got != want {
		t.Errorf("CookieHeader(%s):\n\tgot  %q\n\twant %q", u, got, want)
	}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// checkDict checks that d is a permutation of the shuffle base alphabet.
func checkDict(d string) error {
	if len(d) != len(shuffleBase) {
		return fmt.Errorf("shuffle dictionary %q has %d characters, want %d", d, len(d), len(shuffleBase))
	}
	seen := map[rune]bool{}
	for _, r := range d {
		if !strings.ContainsRune(shuffleBase, r) || seen[r] {
			return fmt.Errorf("shuffle dictionary %q is not a permutation of %q", d, shuffleBase)
		}
		seen[r] = true
	}
	return nil
}

// normalizeSerialized decodes a serialized session (the jar string too)
// and drops the cookies' lastAccessed.
func normalizeSerialized(b []byte) (map[string]any, error) {
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	jarText, ok := top["serializedCookieJar"].(string)
	if !ok {
		return nil, errors.New("serializedCookieJar is not a string")
	}
	var jar map[string]any
	if err := json.Unmarshal([]byte(jarText), &jar); err != nil {
		return nil, err
	}
	cookies, _ := jar["cookies"].([]any)
	for _, c := range cookies {
		if m, ok := c.(map[string]any); ok {
			delete(m, "lastAccessed")
		}
	}
	top["serializedCookieJar"] = jar
	return top, nil
}
