package storetest_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)
	c := storetest.NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("the clock moved by itself: %v", got)
	}
	if got := c.Advance(90 * time.Second); !got.Equal(start.Add(90*time.Second)) || !c.Now().Equal(got) {
		t.Fatalf("Advance = %v, Now = %v; want %v", got, c.Now(), start.Add(90*time.Second))
	}
	later := start.Add(1000 * time.Hour)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Fatalf("after Set, Now = %v, want %v", c.Now(), later)
	}
}

func TestClockConcurrent(t *testing.T) {
	start := time.Unix(0, 0)
	c := storetest.NewClock(start)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 20 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(1000*time.Millisecond); !got.Equal(want) {
		t.Fatalf("after 1000 concurrent 1 ms advances, Now = %v, want %v", got, want)
	}
}

func TestFixtureDir(t *testing.T) {
	dir, err := storetest.FixtureDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "unused-fresh.rhfsession")); err != nil {
		t.Fatalf("FixtureDir %s: %v", dir, err)
	}
	b, err := storetest.ReadFixture("unused-fresh.rhfsession")
	if err != nil || len(b) != 528 {
		t.Fatalf("ReadFixture = %d bytes, %v; want 528 bytes", len(b), err)
	}
	if _, err := storetest.ReadFixture("no-such.rhfsession"); err == nil {
		t.Fatal("ReadFixture of a missing file succeeded")
	}

	t.Setenv(storetest.FixturesEnv, dir)
	if got, err := storetest.FixtureDir(); err != nil || got != dir {
		t.Fatalf("with %s set, FixtureDir = %q, %v; want %q", storetest.FixturesEnv, got, err, dir)
	}
	t.Setenv(storetest.FixturesEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := storetest.FixtureDir(); err == nil {
		t.Fatal("FixtureDir accepted a missing override directory")
	}
}

func TestCompareSessions(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC))
	opts := &session.Options{Now: clock.Now}
	text, err := storetest.ReadFixture("cookies-varied-noshuffle-localstorage.rhfsession")
	if err != nil {
		t.Fatal(err)
	}
	load := func() *session.Session {
		s, err := session.Deserialize("4ff2e918c04b4b79af9f64718c5728ea", text, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := storetest.CompareSessions(load(), load(), storetest.CompareOptions{}); err != nil {
		t.Fatalf("two loads of one file differ: %v", err)
	}
	u, _ := url.Parse("http://127.0.0.1:18090/set/basic")
	for _, tc := range []struct {
		name   string
		change func(s *session.Session)
		want   string
		opts   storetest.CompareOptions
	}{
		{"touched", func(s *session.Session) { s.Touch(clock.Now()) }, "lastUsed", storetest.CompareOptions{}},
		{"cookie value", func(s *session.Session) { s.Jar().SetCookieStrings(u, []string{"basic_a=changed"}) }, "cookie 0", storetest.CompareOptions{}},
		{"cookie added", func(s *session.Session) { s.Jar().SetCookieStrings(u, []string{"new=1"}) }, "17 cookies, want 16", storetest.CompareOptions{}},
		{"shuffle", func(s *session.Session) {
			s.SetShuffleDict("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-")
		}, "data.shuffleDict", storetest.CompareOptions{}},
		{"unknown key", func(s *session.Session) { _ = s.SetValue("goExtra", []byte(`1`)) }, "data.goExtra", storetest.CompareOptions{}},
		{"restrictIP removed", func(s *session.Session) { s.SetRestrictIP("") }, "data.restrictIP missing", storetest.CompareOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := load(), load()
			clock.Advance(time.Second)
			tc.change(got)
			err := storetest.CompareSessions(got, want, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CompareSessions = %v, want a difference naming %q", err, tc.want)
			}
		})
	}
	t.Run("IgnoreLastUsed", func(t *testing.T) {
		got, want := load(), load()
		got.Touch(clock.Advance(time.Minute))
		if err := storetest.CompareSessions(got, want, storetest.CompareOptions{IgnoreLastUsed: true}); err != nil {
			t.Fatalf("a touch still counts with IgnoreLastUsed: %v", err)
		}
	})
	t.Run("OtherID", func(t *testing.T) {
		other, err := session.Deserialize("other", text, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := storetest.CompareSessions(other, load(), storetest.CompareOptions{}); err == nil || !strings.Contains(err.Error(), "id ") {
			t.Fatalf("CompareSessions = %v, want an id difference", err)
		}
	})
}
