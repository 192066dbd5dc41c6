package redisstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

var siteURL = mustParse("http://127.0.0.1:18090/set/basic")

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// twoStores returns two stores (two clients, two instances) on one Redis
// and one prefix, as two rammerhead servers would share it.
func twoStores(t *testing.T) (*Store, *Store) {
	t.Helper()
	p := uniquePrefix()
	a := newStore(t, newClient(t), Options{Prefix: p, Expiry: standardExpiry})
	b := newStore(t, newClient(t), Options{Prefix: p, Expiry: standardExpiry})
	return a, b
}

func cookieNames(s *session.Session) []string {
	var out []string
	for _, c := range s.Jar().All() {
		out = append(out, c.Key+"="+c.Value)
	}
	sort.Strings(out)
	return out
}

func TestSharedCreateOnAUseOnB(t *testing.T) {
	a, b := twoStores(t)
	ctx := ctxT(t)
	id := session.NewID()
	sa, err := a.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Has(ctx, id); err != nil || !ok {
		t.Fatalf("B.Has = %t, %v; want true", ok, err)
	}
	keys, err := b.Keys(ctx)
	if err != nil || len(keys) != 1 || keys[0] != id {
		t.Fatalf("B.Keys = %v, %v; want [%s]", keys, err, id)
	}
	if n := sa.Jar().SetCookieStrings(siteURL, []string{"a1=x", "a2=y; Path=/"}); n != 2 {
		t.Fatalf("stored %d cookies", n)
	}
	sa.SetRestrictIP("10.1.2.3")
	if err := a.Save(ctx, sa); err != nil {
		t.Fatal(err)
	}
	sb, err := b.Get(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cookieNames(sb), " "); got != "a1=x a2=y" {
		t.Fatalf("cookies seen through B = %q", got)
	}
	if sb.RestrictIP() != "10.1.2.3" {
		t.Fatalf("restrictIP through B = %q", sb.RestrictIP())
	}
	if h := sb.Jar().CookieHeader(mustParse("http://127.0.0.1:18090/set/echo")); h != "a1=x; a2=y" {
		t.Fatalf("Cookie header through B = %q", h)
	}
	// B changes one, A removes the other; both changes survive.
	sb.Jar().SetCookieStrings(siteURL, []string{"a1=changed"})
	if err := b.Save(ctx, sb); err != nil {
		t.Fatal(err)
	}
	if !sa.Jar().Remove("127.0.0.1", "/", "a2") {
		t.Fatal("Remove a2 failed")
	}
	if err := a.Save(ctx, sa); err != nil {
		t.Fatal(err)
	}
	got, err := a.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(cookieNames(got), " "); g != "a1=changed" {
		t.Fatalf("after B's change and A's removal: %q, want a1=changed", g)
	}
	if ok, err := b.Delete(ctx, id); err != nil || !ok {
		t.Fatalf("B.Delete = %t, %v", ok, err)
	}
	if _, err := a.Get(ctx, id, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("A.Get after B.Delete = %v, want ErrNotFound", err)
	}
	if err := a.Save(ctx, got); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("A.Save after B.Delete = %v, want ErrNotFound", err)
	}
}

// TestSharedConcurrentCookies: 64 goroutines on each of two instances each
// load the session, set their own cookie and save; none is lost.
func TestSharedConcurrentCookies(t *testing.T) {
	const workers = 64
	a, b := twoStores(t)
	ctx := ctxT(t)
	id := session.NewID()
	if _, err := a.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	start := make(chan struct{})
	for side, st := range map[string]*Store{"A": a, "B": b} {
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s, err := st.Get(ctx, id, true)
				if err != nil {
					errs <- err
					return
				}
				s.Jar().SetCookieStrings(siteURL, []string{fmt.Sprintf("%s%02d=v%d", side, i, i)})
				errs <- st.Save(ctx, s)
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := b.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Jar().Len(); n != 2*workers {
		t.Fatalf("%d cookies survived, want %d: %v", n, 2*workers, cookieNames(s))
	}
}

// TestSharedSessionPointer: goroutines share one *session.Session per
// instance, change it and Save concurrently; nothing is lost.
func TestSharedSessionPointer(t *testing.T) {
	const workers = 64
	a, b := twoStores(t)
	ctx := ctxT(t)
	id := session.NewID()
	if _, err := a.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for side, st := range map[string]*Store{"A": a, "B": b} {
		s, err := st.Get(ctx, id, true)
		if err != nil {
			t.Fatal(err)
		}
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Jar().SetCookieStrings(siteURL, []string{fmt.Sprintf("%s%02d=v", side, i)})
				if err := s.SetValue(fmt.Sprintf("k%s%02d", side, i), json.RawMessage(fmt.Sprint(i))); err != nil {
					errs <- err
					return
				}
				errs <- st.Save(ctx, s)
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := a.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Jar().Len(); n != 2*workers {
		t.Fatalf("%d cookies survived, want %d", n, 2*workers)
	}
	for _, side := range []string{"A", "B"} {
		for i := range workers {
			k := fmt.Sprintf("k%s%02d", side, i)
			if v, ok := s.Value(k); !ok || string(v) != fmt.Sprint(i) {
				t.Fatalf("data %s = %s, %t", k, v, ok)
			}
		}
	}
}

// TestSharedConcurrentData: both instances change different data keys of
// one session at the same time; both changes survive, and the key order
// is the order of creation.
func TestSharedConcurrentData(t *testing.T) {
	a, b := twoStores(t)
	ctx := ctxT(t)
	id := session.NewID()
	if _, err := a.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	sa, err := a.Get(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Get(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	// Both loaded the same state; now each changes its own keys.
	sa.SetRestrictIP("192.0.2.1")
	sa.SetValue("fromA", json.RawMessage(`{"a":1}`))
	sb.SetShuffleDict("")
	sb.SetValue("fromB", json.RawMessage(`[true]`))
	sb.SetLocalStorage("http://x.test", session.LocalStorageEntry{Data: map[string]string{"k": "v"}, Timestamp: 5})
	var wg sync.WaitGroup
	var errA, errB error
	wg.Add(2)
	go func() { defer wg.Done(); errA = a.Save(ctx, sa) }()
	go func() { defer wg.Done(); errB = b.Save(ctx, sb) }()
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	got, err := b.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.RestrictIP() != "192.0.2.1" || got.ShuffleDict() != "" {
		t.Fatalf("restrictIP %q shuffleDict %q", got.RestrictIP(), got.ShuffleDict())
	}
	if v, ok := got.Value("fromA"); !ok || string(v) != `{"a":1}` {
		t.Fatalf("fromA = %s %t", v, ok)
	}
	if v, ok := got.Value("fromB"); !ok || string(v) != `[true]` {
		t.Fatalf("fromB = %s %t", v, ok)
	}
	if ls := got.LocalStorage(); ls["http://x.test"].Data["k"] != "v" {
		t.Fatalf("localStorage = %v", ls)
	}
}

// TestCookieOrderSurvives: creation order of cookies (and so the Cookie
// header order for equal paths) survives the store.
func TestCookieOrderSurvives(t *testing.T) {
	clock := newFakeClock()
	s := newStore(t, nil, Options{Now: clock.Now, Expiry: standardExpiry})
	ctx := ctxT(t)
	id := session.NewID()
	sess, err := s.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"zeta", "alpha", "mid", "beta"}
	for _, n := range names {
		sess.Jar().SetCookieStrings(siteURL, []string{n + "=1"})
		if err := s.Save(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	// Four cookies created in the same millisecond: the sequence decides.
	got, err := s.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range got.Jar().All() {
		order = append(order, c.Key)
	}
	if strings.Join(order, ",") != strings.Join(names, ",") {
		t.Fatalf("order %v, want %v", order, names)
	}
	want, _ := sess.Serialize()
	have, _ := got.Serialize()
	if string(want) != string(have) {
		t.Fatalf("round trip differs:\n%s\n%s", want, have)
	}
}
