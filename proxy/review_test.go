package proxy

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/filecache"
)

// TestWrongIPDoesNotTouch: a request from another address gets 403 and
// does not move the session's lastUsed (it must not keep somebody else's
// session alive).
func TestWrongIPDoesNotTouch(t *testing.T) {
	var mu sync.Mutex
	now := fixtureNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, st := newTestServer(t, func(c *Config) { c.RestrictSessionToIP = true; c.Now = clock })
	id := newSessionID(t, s, "192.0.2.1:1000", "")
	before, err := st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := before.LastUsed()
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	for _, target := range []string{"/" + id + "/http://127.0.0.1:1/", "/editsession?id=" + id} {
		w := do(t, s, "GET", target, "198.51.100.2:1000", nil)
		if w.Code != http.StatusForbidden {
			t.Fatalf("%s from another IP: %d %q", target, w.Code, w.Body.String())
		}
	}
	after, err := st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastUsed().Equal(lastUsed) {
		t.Fatalf("a refused request touched the session: %v -> %v", lastUsed, after.LastUsed())
	}
}

// TestNewSessionIsDurable: with a file store whose write-behind is off,
// the session file already holds restrictIP when /newsession answers.
func TestNewSessionIsDurable(t *testing.T) {
	dir := t.TempDir()
	fc, err := filecache.Open(filecache.Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, func(c *Config) { c.Store = fc; c.RestrictSessionToIP = true })
	id := newSessionID(t, s, "192.0.2.1:1000", "")
	b, err := os.ReadFile(filepath.Join(dir, id+".rhfsession"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"restrictIP":"192.0.2.1"`) {
		t.Fatalf("the acknowledged session file lacks restrictIP: %s", b)
	}
}
