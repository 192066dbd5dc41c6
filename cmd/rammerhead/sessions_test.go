package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/secret"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store/filecache"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

// runCmd runs the binary's command line in-process.
func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, envMap(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestSessionsCommand: `rammerhead sessions` is wired to the admin verbs,
// takes the store from --store or from the configuration (environment),
// and follows the exit-code contract.
func TestSessionsCommand(t *testing.T) {
	dir := t.TempDir()
	fixtures, err := storetest.FixtureDir()
	if err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join(fixtures, "shuffle-enabled-basic-cookies.rhfsession")
	want, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	const id = "ae52db064fce46d189468c155c9cf3de"
	storeFlag := "--store=file:" + dir
	if code, _, errOut := runCmd(t, nil, "sessions", "import", storeFlag, "--id", id, fixture); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	// The configured store (environment) is the default.
	env := map[string]string{"RAMMERHEAD_STORE": "file:" + dir}
	code, out, errOut := runCmd(t, env, "sessions", "list", "--json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("list --json is not JSON: %v\n%s", err, out)
	}
	if len(rows) != 1 || !strings.Contains(out, id) {
		t.Fatalf("list = %s, want the one imported session", out)
	}
	code, out, errOut = runCmd(t, env, "sessions", "show", id, "--url", "http://127.0.0.1:18090/set/echo")
	if code != 0 || strings.TrimSpace(out) != "basic_a=alpha; basic_b=beta" {
		t.Fatalf("show --url: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, env, "sessions", "export", id)
	if code != 0 || out != string(want) {
		t.Fatalf("export: exit %d; bytes differ from the Node file:\n%s", code, out)
	}
	if code, _, errOut = runCmd(t, env, "sessions", "delete", "../etc"); code != 1 || !strings.Contains(errOut, "invalid") {
		t.Fatalf("delete of a bad id: exit %d, %q", code, errOut)
	}
	if code, _, _ = runCmd(t, env, "sessions", "frobnicate"); code != 2 {
		t.Fatalf("unknown verb: exit %d, want 2", code)
	}
	if code, _, errOut = runCmd(t, env, "sessions", "list", "--store", "bogus:x"); code == 0 {
		t.Fatalf("bad --store accepted: %s", errOut)
	}
	if code, _, errOut = runCmd(t, env, "sessions", "delete", id); code != 0 {
		t.Fatalf("delete: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, id+".rhfsession")); !os.IsNotExist(err) {
		t.Fatalf("session file still there after delete: %v", err)
	}
}

// TestExportSecretResolution: a configured secret wins; a file store
// keeps one generated secret in its directory; a bad secret is a usage
// error.
func TestExportSecretResolution(t *testing.T) {
	dir := t.TempDir()
	cfg := defaultConfig()
	cfg.Store = storeSpec{Kind: storeFile, Dir: dir}
	a, err := resolveExportSecret(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := resolveExportSecret(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < secret.MinSize || !bytes.Equal(a, b) {
		t.Fatalf("file-store secret not kept: %x vs %x", a, b)
	}
	if _, err := os.Stat(filepath.Join(dir, secret.FileName)); err != nil {
		t.Fatalf("secret file: %v", err)
	}
	cfg.ExportSecret = strings.Repeat("ab", 32)
	c, err := resolveExportSecret(context.Background(), cfg, nil)
	if err != nil || len(c) != 32 || c[0] != 0xab {
		t.Fatalf("configured secret: %x, %v", c, err)
	}
	if code, _, errOut := runCmd(t, map[string]string{"RAMMERHEAD_EXPORT_SECRET": "zz"}, "serve"); code != 2 {
		t.Fatalf("bad export secret: exit %d, want 2 (%s)", code, errOut)
	}
}

// TestSessionsSeeExpiredFiles: with the server's expiry policy and a side
// index on disk, list and gc still see a file store's expired sessions
// (the store hides them from Keys until a sweep, which admin commands do
// not run), and pinned ones are never collected.
func TestSessionsSeeExpiredFiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-10 * 24 * time.Hour)
	write := func(id string, pinned bool) {
		s := session.New(id, &session.Options{Now: func() time.Time { return old }})
		s.Touch(old.Add(time.Second))
		s.SetPinned(pinned)
		b, err := s.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".rhfsession"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stale, pinned := session.NewID(), session.NewID()
	write(stale, false)
	write(pinned, true)
	env := map[string]string{"RAMMERHEAD_STORE": "file:" + dir}
	// A server that ran back then, while the sessions were fresh, left its
	// side index behind.
	c, err := filecache.Open(filecache.Options{Dir: dir, NoSync: true,
		Now: func() time.Time { return old.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".rhfindex")); err != nil {
		t.Fatalf("no side index after a run: %v", err)
	}
	code, out, errOut := runCmd(t, env, "sessions", "list")
	if code != 0 || !strings.Contains(out, stale) || !strings.Contains(out, pinned) {
		t.Fatalf("list misses sessions: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, env, "sessions", "gc", "--dry-run")
	if code != 0 || !strings.Contains(out, "would delete "+stale) || strings.Contains(out, pinned) {
		t.Fatalf("gc --dry-run: exit %d, %q", code, out)
	}
	if code, _, errOut = runCmd(t, env, "sessions", "gc"); code != 0 {
		t.Fatalf("gc: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, stale+".rhfsession")); !os.IsNotExist(err) {
		t.Fatalf("expired session not collected: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, pinned+".rhfsession")); err != nil {
		t.Fatalf("pinned session collected: %v", err)
	}
}
