package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// workers is how many goroutines each concurrency check starts at once.
const workers = 64

func (su *suite) testCookieRoundTrip(t *testing.T) {
	s, c := su.standard(t)
	ctx := t.Context()
	id := session.NewID()
	sess := mustAdd(t, ctx, s, id)
	if n := sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"basic_a=alpha", "basic_b=beta"}); n != 2 {
		t.Fatalf("SetCookieStrings stored %d cookies, want 2", n)
	}
	mustSave(t, ctx, s, sess)
	c.Advance(time.Second)
	got := mustGet(t, ctx, s, id, true)
	wantSame(t, got, sess, CompareOptions{IgnoreLastUsed: true})
	wantHeader(t, got, siteSetEcho, "basic_a=alpha; basic_b=beta")
	wantHeader(t, got, "http://127.0.0.1:18090/echo", "")
}

// run starts n goroutines at once and waits for them.
func run(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

func (su *suite) testConcurrency(t *testing.T) {
	t.Run("Sessions", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		keep := make([]string, workers)
		run(workers, func(i int) {
			id, other := session.NewID(), session.NewID()
			keep[i] = other
			for _, x := range []string{id, other} {
				if _, err := s.Add(ctx, x); err != nil {
					t.Errorf("Add: %v", err)
					return
				}
			}
			if _, err := s.Add(ctx, id); !errors.Is(err, store.ErrExists) {
				t.Errorf("second Add = %v, want ErrExists", err)
			}
			c.Advance(time.Millisecond)
			sess, err := s.Get(ctx, id, true)
			if err != nil {
				t.Errorf("Get: %v", err)
				return
			}
			sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{"w=" + strconv.Itoa(i)})
			if err := s.Save(ctx, sess); err != nil {
				t.Errorf("Save: %v", err)
			}
			if _, err := s.Keys(ctx); err != nil {
				t.Errorf("Keys: %v", err)
			}
			got, err := s.Get(ctx, id, false)
			if err != nil {
				t.Errorf("Get after Save: %v", err)
				return
			}
			if h := got.Jar().CookieHeader(mustURL(t, siteSetEcho)); h != "w="+strconv.Itoa(i) {
				t.Errorf("session %d sends %q, want its own cookie only", i, h)
			}
			if ok, err := s.Has(ctx, id); err != nil || !ok {
				t.Errorf("Has = %t, %v; want true", ok, err)
			}
			if ok, err := s.Delete(ctx, id); err != nil || !ok {
				t.Errorf("Delete = %t, %v; want true", ok, err)
			}
			if ok, err := s.Has(ctx, id); err != nil || ok {
				t.Errorf("Has after Delete = %t, %v; want false", ok, err)
			}
		})
		wantKeys(t, ctx, s, keep...)
	})
	t.Run("SharedCookies", func(t *testing.T) {
		s, c := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		run(workers, func(i int) {
			c.Advance(time.Millisecond)
			sess, err := s.Get(ctx, id, true)
			if err != nil {
				t.Errorf("Get: %v", err)
				return
			}
			name := fmt.Sprintf("c%02d", i)
			if n := sess.Jar().SetCookieStrings(mustURL(t, siteSetBasic), []string{name + "=v" + strconv.Itoa(i) + "; Path=/"}); n != 1 {
				t.Errorf("SetCookieStrings(%s) stored %d cookies", name, n)
			}
			if err := s.Save(ctx, sess); err != nil {
				t.Errorf("Save: %v", err)
			}
		})
		got := mustGet(t, ctx, s, id, false)
		have := map[string]string{}
		for _, ck := range got.Jar().All() {
			have[ck.Key] = ck.Value
		}
		for i := range workers {
			name := fmt.Sprintf("c%02d", i)
			if v := have[name]; v != "v"+strconv.Itoa(i) {
				t.Errorf("cookie %s = %q after concurrent updates, want %q (lost update)", name, v, "v"+strconv.Itoa(i))
			}
		}
		if len(have) != workers {
			t.Errorf("%d cookies after concurrent updates, want %d", len(have), workers)
		}
	})
	t.Run("SharedData", func(t *testing.T) {
		s, _ := su.standard(t)
		ctx := t.Context()
		id := session.NewID()
		mustAdd(t, ctx, s, id)
		run(workers, func(i int) {
			sess, err := s.Get(ctx, id, i%2 == 0)
			if err != nil {
				t.Errorf("Get: %v", err)
				return
			}
			if err := sess.SetValue(fmt.Sprintf("k%02d", i), json.RawMessage(strconv.Itoa(i))); err != nil {
				t.Errorf("SetValue: %v", err)
			}
			sess.SetLocalStorage(fmt.Sprintf("http://o%02d.test", i), session.LocalStorageEntry{Data: map[string]string{"i": strconv.Itoa(i)}, Timestamp: int64(i)})
			if err := s.Save(ctx, sess); err != nil {
				t.Errorf("Save: %v", err)
			}
		})
		got := mustGet(t, ctx, s, id, false)
		ls := got.LocalStorage()
		for i := range workers {
			k := fmt.Sprintf("k%02d", i)
			if v, ok := got.Value(k); !ok || string(v) != strconv.Itoa(i) {
				t.Errorf("Value(%s) = %s, %t; want %d (lost update)", k, v, ok, i)
			}
			o := fmt.Sprintf("http://o%02d.test", i)
			if e, ok := ls[o]; !ok || e.Data["i"] != strconv.Itoa(i) || e.Timestamp != int64(i) {
				t.Errorf("localStorage[%s] = %+v, %t (lost update)", o, e, ok)
			}
		}
	})
}
