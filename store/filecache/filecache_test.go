package filecache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
		c, err := Open(Options{
			Dir:          t.TempDir(),
			Now:          cfg.Now,
			Sweep:        SweepOptions{StaleTimeout: cfg.Expiry.IdleTimeout, MaxToLive: cfg.Expiry.MaxAge},
			DisableSweep: true,
			NoSync:       true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
}

// fixtureNow is a minute after the newest fixture was written.
var fixtureNow = time.UnixMilli(1795906650588).Add(time.Minute)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

type fixture struct {
	name, id string
	ok       bool // loadable
	cookies  int  // cookies in the jar when loaded
}

var fixtures = []fixture{
	{"unused-fresh.rhfsession", "2cc3bd32ff11440685b66bce04a7f2bb", true, 0},
	{"cookies-varied-noshuffle-localstorage.rhfsession", "4ff2e918c04b4b79af9f64718c5728ea", true, 16},
	{"shuffle-enabled-basic-cookies.rhfsession", "ae52db064fce46d189468c155c9cf3de", true, 2},
	{"external-proxy-auth-domain-cookies.rhfsession", "80dc765ecec64ccc827ca41d099d2f01", true, 4},
	{"edited-never-browsed.rhfsession", "e616b6b55633425da505da80aa553aad", true, 0},
	{"handwritten-modified-accepted.rhfsession", "a1000000000000000000000000000001", true, 17},
	{"handwritten-minimal-accepted.rhfsession", "a2000000000000000000000000000002", true, 1},
	{"handwritten-alt-date-formats-accepted.rhfsession", "a7000000000000000000000000000007", true, 4},
	{"corrupted-truncated.rhfsession", "c1000000000000000000000000000001", false, 0},
	{"corrupted-empty.rhfsession", "c2000000000000000000000000000002", false, 0},
	{"invalid-missing-data-crashes-node.rhfsession", "c3000000000000000000000000000003", false, 0},
	{"invalid-jar-without-cookies-array-crashes-node.rhfsession", "c4000000000000000000000000000004", false, 0},
	{"invalid-jar-as-object-deleted-by-node.rhfsession", "c5000000000000000000000000000005", false, 0},
}

// Extra corrupted entries made by the test: a BOM file and a directory.
const (
	bomID = "c6000000000000000000000000000006"
	dirID = "c7000000000000000000000000000007"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := storetest.ReadFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureDir copies every fixture into a new directory as <id>.rhfsession.
func fixtureDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range fixtures {
		if err := os.WriteFile(filepath.Join(dir, f.id+Ext), readFixture(t, f.name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bom := append([]byte("\xef\xbb\xbf"), readFixture(t, "unused-fresh.rhfsession")...)
	if err := os.WriteFile(filepath.Join(dir, bomID+Ext), bom, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, dirID+Ext), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// logBuffer is a concurrency-safe slog sink.
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

func mustOpen(t testing.TB, o Options) *Cache {
	t.Helper()
	c, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestFixtures(t *testing.T) {
	for _, keep := range []bool{false, true} {
		name := "DeleteCorrupted"
		if keep {
			name = "KeepCorrupted"
		}
		t.Run(name, func(t *testing.T) {
			testFixtures(t, keep)
		})
	}
}

func testFixtures(t *testing.T, keepCorrupted bool) {
	ctx := context.Background()
	dir := fixtureDir(t)
	var logs logBuffer
	opts := Options{
		Dir:           dir,
		Logger:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:           fixedClock(fixtureNow),
		KeepCorrupted: keepCorrupted,
		DisableSweep:  true,
	}
	c := mustOpen(t, opts)

	var all []string
	for _, f := range fixtures {
		all = append(all, f.id)
	}
	all = append(all, bomID, dirID)
	slices.Sort(all)
	keys, err := c.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, all) {
		t.Fatalf("Keys = %v, want %v", keys, all)
	}

	corrupt := []string{bomID, dirID}
	for _, f := range fixtures {
		if !f.ok {
			corrupt = append(corrupt, f.id)
			continue
		}
		s, err := c.Get(ctx, f.id, true)
		if err != nil {
			t.Errorf("Get(%s) [%s]: %v", f.id, f.name, err)
			continue
		}
		if n := s.Jar().Len(); n != f.cookies {
			t.Errorf("%s: %d cookies, want %d", f.name, n, f.cookies)
		}
	}
	for _, id := range corrupt {
		_, err := c.Get(ctx, id, true)
		if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, store.ErrCorrupted) {
			t.Errorf("Get(%s) of a corrupted file = %v, want ErrNotFound and ErrCorrupted", id, err)
		}
		if !strings.Contains(logs.String(), id) {
			t.Errorf("no warning logged for corrupted %s", id)
		}
		if got := exists(filepath.Join(dir, id+Ext)); got != keepCorrupted {
			t.Errorf("corrupted %s: file exists = %t, want %t", id, got, keepCorrupted)
		}
		if has, err := c.Has(ctx, id); err != nil || has != keepCorrupted {
			// Kept files stay listed (like the original), deleted ones go.
			t.Errorf("Has(%s) after corruption = %t, %v; want %t", id, has, err, keepCorrupted)
		}
	}
	if !strings.Contains(logs.String(), "corrupted") {
		t.Errorf("log does not say corrupted:\n%s", logs.String())
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Every loadable file is still loadable, with its cookies and unknown
	// keys, by the session package directly and by a new store.
	for _, f := range fixtures {
		if !f.ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, f.id+Ext))
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		s, err := session.Deserialize(f.id, b, &session.Options{Now: fixedClock(fixtureNow)})
		if err != nil {
			t.Fatalf("%s after flush: %v", f.name, err)
		}
		if n := s.Jar().Len(); n != f.cookies {
			t.Errorf("%s after flush: %d cookies, want %d", f.name, n, f.cookies)
		}
		if !bytes.HasPrefix(b, []byte(`{"data":{`)) || !bytes.Contains(b, []byte(`"serializedCookieJar":"`)) {
			t.Errorf("%s: not in the original's layout: %.80s", f.name, b)
		}
		if s.LastUsed().Equal(s.CreatedAt()) {
			t.Errorf("%s: lastUsed == createdAt after a touched flush", f.name)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "a1000000000000000000000000000001"+Ext))
	var doc struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc.Data["goExtra"]) != `{"note":"unknown key kept?","n":1}` {
		t.Errorf("unknown key goExtra = %s", doc.Data["goExtra"])
	}

	c2 := mustOpen(t, opts)
	for _, f := range fixtures {
		if !f.ok {
			continue
		}
		s, err := c2.Get(ctx, f.id, false)
		if err != nil {
			t.Errorf("reopened Get(%s): %v", f.id, err)
			continue
		}
		if n := s.Jar().Len(); n != f.cookies {
			t.Errorf("reopened %s: %d cookies, want %d", f.name, n, f.cookies)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Options{}); !errors.Is(err, ErrNoDir) {
		t.Errorf("Open without Dir = %v, want ErrNoDir", err)
	}
	if _, err := Open(Options{Dir: filepath.Join(t.TempDir(), "missing")}); !errors.Is(err, ErrNoDir) {
		t.Errorf("Open of a missing dir = %v, want ErrNoDir", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Dir: f}); !errors.Is(err, ErrNoDir) {
		t.Errorf("Open of a file = %v, want ErrNoDir", err)
	}
}

func TestInvalidIDs(t *testing.T) {
	ctx := context.Background()
	c := mustOpen(t, Options{Dir: t.TempDir(), NoSync: true})
	for _, id := range []string{"", "../x", "a/b", `a\b`, "x.rhfsession", strings.Repeat("a", 65), ".."} {
		if _, err := c.Get(ctx, id, true); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Get(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := c.Has(ctx, id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Has(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := c.Add(ctx, id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Add(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := c.Delete(ctx, id); !errors.Is(err, store.ErrInvalidID) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	entries, _ := os.ReadDir(c.dir)
	if len(entries) != 0 {
		t.Errorf("invalid ids created files: %v", entries)
	}
}

// TestFileFormat: Add writes the original's layout, fsynced, mtime ==
// lastUsed, and non-hex ids work.
func TestFileFormat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := fixtureNow
	c := mustOpen(t, Options{Dir: dir, Now: func() time.Time { return now }})
	for _, id := range []string{session.NewID(), "Custom_ID-1", "ABCDEF0123456789ABCDEF0123456789"} {
		s, err := c.Add(ctx, id)
		if err != nil {
			t.Fatalf("Add(%s): %v", id, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, id+Ext))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := session.Deserialize(id, b, nil); err != nil {
			t.Fatalf("file of %s: %v", id, err)
		}
		fi, _ := os.Stat(filepath.Join(dir, id+Ext))
		if !fi.ModTime().Equal(s.LastUsed()) {
			t.Errorf("mtime %v != lastUsed %v", fi.ModTime(), s.LastUsed())
		}
		if _, err := c.Add(ctx, id); !errors.Is(err, store.ErrExists) {
			t.Errorf("second Add(%s) = %v, want ErrExists", id, err)
		}
		if ok, _ := c.Has(ctx, id); !ok {
			t.Errorf("Has(%s) = false", id)
		}
	}
	keys, _ := c.Keys(ctx)
	if len(keys) != 3 {
		t.Errorf("Keys = %v", keys)
	}
	// Another process's file: Get finds it at once, Has after a sweep.
	other := "0123456789abcdef0123456789abcdef"
	if err := os.WriteFile(filepath.Join(dir, other+Ext), readFixture(t, "edited-never-browsed.rhfsession"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, other, false); err != nil {
		t.Errorf("Get of another process's file: %v", err)
	}
	other2 := "1123456789abcdef0123456789abcdef"
	if err := os.WriteFile(filepath.Join(dir, other2+Ext), readFixture(t, "edited-never-browsed.rhfsession"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Has(ctx, other2); !ok {
		t.Errorf("Has of another process's file after a sweep = false")
	}
	// Deleted by another process: gone after a sweep.
	if err := os.Remove(filepath.Join(dir, other2+Ext)); err != nil {
		t.Fatal(err)
	}
	if err := c.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Has(ctx, other2); ok {
		t.Errorf("Has of a file removed by another process, after a sweep = true")
	}
}

func TestTempLeftoversAndCrashedWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := mustOpen(t, Options{Dir: dir, NoSync: true, WriteBehind: store.Disabled})
	id := session.NewID()
	s, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, id+Ext))
	if err != nil {
		t.Fatal(err)
	}
	// A write that "crashes" after writing the temporary file, before the
	// rename.
	crash := errors.New("simulated crash")
	hook := func(tmp string) error {
		if strings.Contains(filepath.Base(tmp), id) {
			return crash
		}
		return nil
	}
	c.hookBeforeRename.Store(&hook)
	s.SetRestrictIP("10.1.2.3")
	if err := c.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	err = c.Close()
	if !errors.Is(err, crash) {
		t.Fatalf("Close = %v, want the simulated crash", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, id+Ext))
	if !bytes.Equal(before, after) {
		t.Fatalf("the old file changed after a crashed write")
	}
	var tmps []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isTempName(e.Name()) {
			tmps = append(tmps, e.Name())
		}
	}
	if len(tmps) != 1 || strings.HasSuffix(tmps[0], Ext) || !strings.HasPrefix(tmps[0], "."+id+Ext+".tmp-") {
		t.Fatalf("temporary files after the crash: %v", tmps)
	}
	// A stray side-index temp too; an unrelated dot file stays.
	os.WriteFile(filepath.Join(dir, ".rhfindex.tmp-123"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".keepme"), []byte("x"), 0o644)

	c2 := mustOpen(t, Options{Dir: dir, NoSync: true})
	entries, _ = os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	want := []string{".keepme", sideIndexName, id + Ext}
	if !slices.Equal(names, want) {
		t.Fatalf("after Open: %v, want %v", names, want)
	}
	s2, err := c2.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if s2.RestrictIP() == "10.1.2.3" {
		t.Errorf("the crashed write is visible")
	}
}

func TestConcurrentLoadsCollapse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	id := "4ff2e918c04b4b79af9f64718c5728ea"
	os.WriteFile(filepath.Join(dir, id+Ext), readFixture(t, "cookies-varied-noshuffle-localstorage.rhfsession"), 0o644)
	c := mustOpen(t, Options{Dir: dir, Now: fixedClock(fixtureNow), NoSync: true})
	var wg sync.WaitGroup
	got := make([]*session.Session, 16)
	for i := range got {
		wg.Go(func() {
			s, err := c.Get(ctx, id, true)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s != got[0] {
			t.Fatal("concurrent Gets returned different copies: loads did not collapse")
		}
	}
}

// TestFlushRace: changes made while the write-behind and eviction write
// are never lost.
func TestFlushRace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := mustOpen(t, Options{Dir: dir, NoSync: true, WriteBehind: time.Millisecond})
	id := session.NewID()
	s, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://127.0.0.1/")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				c.evictIdle() // writes every changed session
			}
		}
	})
	for i := range 300 {
		s.Jar().SetCookieStrings(u, []string{"n" + strings.Repeat("x", i%7) + "=" + string(rune('a'+i%26))})
		if err := s.SetValue("counter", json.RawMessage(strings.Repeat("1", 1+i%5))); err != nil {
			t.Fatal(err)
		}
		if err := c.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	want, _ := s.Serialize()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, id+Ext))
	if !bytes.Equal(got, want) {
		t.Fatalf("final file differs from the session:\n got %s\nwant %s", got, want)
	}
}

func TestDeleteAndExpiryOnRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := fixtureNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := mustOpen(t, Options{Dir: dir, Now: clock, NoSync: true, DisableSweep: true,
		Sweep: SweepOptions{StaleTimeout: time.Hour, MaxToLive: store.Disabled}})
	a, b := session.NewID(), session.NewID()
	if _, err := c.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Add(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Evict both (uncached): expiry then comes from the index and files.
	c.opts.CacheTimeout = time.Nanosecond
	advance(time.Minute)
	c.evictIdle()
	if _, s := c.cachedLive(a); s != nil {
		t.Fatal("not evicted")
	}
	if !exists(filepath.Join(dir, a+Ext)) {
		t.Fatal("unused evicted session: its file (written by Add) must stay, as in the original")
	}
	if ok, err := c.Delete(ctx, a); !ok || err != nil {
		t.Fatalf("Delete = %t, %v", ok, err)
	}
	if ok, _ := c.Delete(ctx, a); ok {
		t.Fatal("second Delete = true")
	}
	if exists(filepath.Join(dir, a+Ext)) {
		t.Fatal("file still there after Delete")
	}
	advance(time.Hour)
	if ok, _ := c.Has(ctx, b); ok {
		t.Fatal("Has of an expired session = true")
	}
	if exists(filepath.Join(dir, b+Ext)) {
		t.Fatal("expired session's file not removed on read")
	}
	if _, err := c.Get(ctx, b, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get expired = %v", err)
	}
}

func TestPeekAndStats(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	id := session.NewID()
	s, err := c.Add(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s.SetRestrictIP("192.0.2.44")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad"+Ext), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	c, err = Open(Options{Dir: dir, NoSync: true, DisableSweep: true, WriteBehind: store.Disabled,
		Sweep: SweepOptions{StaleTimeout: time.Hour}, Now: func() time.Time { return old.Add(72 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Expired by the clock, but Peek ignores expiry and does not cache.
	p, err := c.Peek(ctx, id)
	if err != nil {
		t.Fatalf("Peek: %v", err)
	}
	if p.RestrictIP() != "192.0.2.44" {
		t.Fatalf("Peek returned %q", p.RestrictIP())
	}
	if _, live := c.cachedLive(id); live != nil {
		t.Fatal("Peek cached the session")
	}
	if _, err := c.Peek(ctx, "bad"); !errors.Is(err, store.ErrCorrupted) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Peek(bad) = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad"+Ext)); err != nil {
		t.Fatalf("Peek deleted the corrupted file: %v", err)
	}
	if _, err := c.Peek(ctx, "../x"); !errors.Is(err, store.ErrInvalidID) {
		t.Fatalf("Peek(../x) = %v", err)
	}
	st := c.Stats()
	if st.OnDisk != 2 || st.InMemory != 0 {
		t.Fatalf("Stats = %+v, want 2 on disk, 0 in memory", st)
	}
	if _, err := c.Get(ctx, "bad", false); err == nil {
		t.Fatal("Get(bad) succeeded")
	}
	if st := c.Stats(); st.Corrupted != 1 {
		t.Fatalf("Stats.Corrupted = %d, want 1", st.Corrupted)
	}
}
