package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

// fixtureNow is the clock of the tests: the fixtures' cookies have not
// expired yet (README: v_all expires at 23:57:18Z).
var fixtureNow = time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return fixtureNow }

func newMemStore(t testing.TB) *memstore.Store {
	t.Helper()
	st := memstore.New(&memstore.Options{
		Now:             fixedNow,
		CleanupInterval: store.Disabled,
		Expiry:          store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled},
	})
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newTestServer returns a Server over a fresh memory store; mod may adjust
// the config.
func newTestServer(t testing.TB, mod func(*Config)) (*Server, store.Store) {
	t.Helper()
	st := newMemStore(t)
	cfg := Config{Store: st, Now: fixedNow}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.Store != st {
		st = nil
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, cfg.Store
}

// do serves one request from a client at remote (ip:port) through the
// handler and returns the recorder.
func do(t testing.TB, s http.Handler, method, target, remote string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	if remote != "" {
		r.RemoteAddr = remote
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// expect checks a recorder's status and exact body.
func expect(t testing.TB, w *httptest.ResponseRecorder, code int, body string) {
	t.Helper()
	if w.Code != code || w.Body.String() != body {
		t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), code, body)
	}
}

// newSessionID creates a session through /newsession.
func newSessionID(t testing.TB, s http.Handler, remote, pwd string) string {
	t.Helper()
	u := "/newsession"
	if pwd != "" {
		u += "?pwd=" + pwd
	}
	w := do(t, s, "GET", u, remote, nil)
	if w.Code != 200 {
		t.Fatalf("/newsession: %d %q", w.Code, w.Body.String())
	}
	id := w.Body.String()
	if err := session.ValidateID(id); err != nil {
		t.Fatalf("/newsession returned %q: %v", id, err)
	}
	return id
}

// failingStore is a store whose every operation fails like a Redis outage.
type failingStore struct{}

var errDown = errors.New("redis: connection refused")

func (failingStore) Keys(context.Context) ([]string, error)       { return nil, errDown }
func (failingStore) Has(context.Context, string) (bool, error)    { return false, errDown }
func (failingStore) Delete(context.Context, string) (bool, error) { return false, errDown }
func (failingStore) Get(context.Context, string, bool) (*session.Session, error) {
	return nil, errDown
}
func (failingStore) Add(context.Context, string) (*session.Session, error) { return nil, errDown }
func (failingStore) AddSerialized(context.Context, string, []byte) error   { return errDown }
func (failingStore) Save(context.Context, *session.Session) error          { return errDown }
func (failingStore) Close() error                                          { return nil }

// panicStore panics on Get, to exercise the recover middleware.
type panicStore struct{ failingStore }

func (panicStore) Get(context.Context, string, bool) (*session.Session, error) {
	panic("store bug")
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func trafficLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: LevelTraffic}))
}

// containsAll reports the first of subs missing from s.
func missing(s string, subs ...string) string {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return sub
		}
	}
	return ""
}

// httptestRequest is httptest.NewRequest with the default client address.
func httptestRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}

// serve runs r through h.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
