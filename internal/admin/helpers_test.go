package admin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/internal/redistest"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/filecache"
	"github.com/rammerhead-go/rammerhead/store/memstore"
	"github.com/rammerhead-go/rammerhead/store/redisstore"
)

// fixtureNow is the tests' start time: the fixtures' cookies are still
// valid (the README: v_all expires at 23:57:18Z).
var fixtureNow = time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)

// clock is a settable fake clock shared by a test's stores and Env.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: fixtureNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func fixturePath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(fixtures.MustDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return p
}

// opener opens stores by name for one test. Each name ("" is "a") is one
// independent store whose content survives Close, as a real store's would.
type opener func(ctx context.Context, spec string) (store.Store, error)

// backend makes the openers of one store kind.
type backend struct {
	name string
	new  func(t *testing.T, clk *clock) opener
}

// fileDirs records the directory of each file store a test opened, by
// test name and spec.
var fileDirs sync.Map

// fileDir returns the directory of the file store spec of test t.
func fileDir(t *testing.T, spec string) string {
	t.Helper()
	v, ok := fileDirs.Load(t.Name() + "\x00" + spec)
	if !ok {
		t.Fatalf("no file store %q in this test", spec)
	}
	return v.(string)
}

// noExpiry keeps the stores from expiring anything themselves: gc is
// tested with Env.Expiry only.
var noExpiry = store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}

// keepOpen hides Close, so that one memory store outlives the commands
// that "open" it; Peek is forwarded (memstore is a store.Peeker).
type keepOpen struct{ *memstore.Store }

func (keepOpen) Close() error { return nil }

var backends = []backend{
	{"memory", func(t *testing.T, clk *clock) opener {
		var mu sync.Mutex
		stores := map[string]*memstore.Store{}
		return func(_ context.Context, spec string) (store.Store, error) {
			if spec == "" {
				spec = "a"
			}
			mu.Lock()
			defer mu.Unlock()
			st, ok := stores[spec]
			if !ok {
				st = memstore.New(&memstore.Options{Now: clk.Now, Expiry: noExpiry, CleanupInterval: store.Disabled})
				t.Cleanup(func() { _ = st.Close() })
				stores[spec] = st
			}
			return keepOpen{st}, nil
		}
	}},
	{"file", func(t *testing.T, clk *clock) opener {
		var mu sync.Mutex
		dirs := map[string]string{}
		return func(_ context.Context, spec string) (store.Store, error) {
			if spec == "" {
				spec = "a"
			}
			mu.Lock()
			dir, ok := dirs[spec]
			if !ok {
				dir = t.TempDir()
				dirs[spec] = dir
				fileDirs.Store(t.Name()+"\x00"+spec, dir)
			}
			mu.Unlock()
			return filecache.Open(fileOptions(dir, clk))
		}
	}},
	{"redis", func(t *testing.T, clk *clock) opener {
		sock := redistest.Start(t)
		return func(_ context.Context, spec string) (store.Store, error) {
			if spec == "" {
				spec = "a"
			}
			return redisstore.New(redisstore.Options{
				URL:    "unix://" + sock,
				Prefix: "t" + spec + ":",
				Expiry: noExpiry,
				Now:    clk.Now,
			})
		}
	}},
}

func fileOptions(dir string, clk *clock) filecache.Options {
	return filecache.Options{
		Dir:                dir,
		Now:                clk.Now,
		DisableSweep:       true,
		Sweep:              filecache.SweepOptions{StaleTimeout: store.Disabled, MaxToLive: store.Disabled, StaleCheckInterval: store.Disabled},
		CacheCheckInterval: store.Disabled,
		WriteBehind:        store.Disabled,
		KeepUnused:         true,
		NoSync:             true,
	}
}

// harness runs commands of one test.
type harness struct {
	t    *testing.T
	clk  *clock
	open opener
	exp  store.Expiry
}

func newHarness(t *testing.T, b backend) *harness {
	clk := newClock()
	return &harness{t: t, clk: clk, open: b.new(t, clk)}
}

type result struct {
	code           int
	stdout, stderr string
}

func (h *harness) env(stdin []byte) Env {
	var in *bytes.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	e := Env{OpenStore: h.open, Expiry: h.exp, Now: h.clk.Now}
	if in != nil {
		e.Stdin = in
	}
	return e
}

// run runs one command line.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	return h.runIn(nil, args...)
}

func (h *harness) runIn(stdin []byte, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	e := h.env(stdin)
	e.Stdout, e.Stderr = &out, &errb
	code := Run(context.Background(), args, e)
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its stdout.
func (h *harness) ok(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	if r.code != ExitOK {
		h.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must exit with code and print one stderr line
// containing want.
func (h *harness) fails(code int, want string, args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != code {
		h.t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		h.t.Fatalf("%v: stderr %q does not contain %q", args, r.stderr, want)
	}
	if code == ExitError && strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 {
		h.t.Fatalf("%v: want a one-line reason, got %q", args, r.stderr)
	}
	return r
}

// withStore opens spec for direct checks and closes it after fn.
func (h *harness) withStore(spec string, fn func(st store.Store)) {
	h.t.Helper()
	st, err := h.open(context.Background(), spec)
	if err != nil {
		h.t.Fatal(err)
	}
	fn(st)
	if err := st.Close(); err != nil {
		h.t.Fatal(err)
	}
}

// keys returns the sorted ids of spec's store.
func (h *harness) keys(spec string) []string {
	h.t.Helper()
	var ids []string
	h.withStore(spec, func(st store.Store) {
		var err error
		ids, err = sortedKeys(context.Background(), st)
		if err != nil {
			h.t.Fatal(err)
		}
	})
	return ids
}

// addAt creates session id in spec's store at time at (createdAt =
// lastUsed = at), pinned if asked.
func (h *harness) addAt(spec, id string, at time.Time, pinned bool) {
	h.t.Helper()
	h.clk.Set(at)
	h.withStore(spec, func(st store.Store) {
		s, err := st.Add(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		if pinned {
			s.SetPinned(true)
		}
		s.SetRestrictIP("127.0.0.1") // a change, so every store writes it
		if err := st.Save(context.Background(), s); err != nil {
			h.t.Fatal(err)
		}
	})
}

func idN(n int) string { return fmt.Sprintf("%032x", n) }
