package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/store"
)

const (
	variedID  = "4ff2e918c04b4b79af9f64718c5728ea"
	shuffleID = "ae52db064fce46d189468c155c9cf3de"
	variedFx  = "cookies-varied-noshuffle-localstorage.rhfsession"
	shuffleFx = "shuffle-enabled-basic-cookies.rhfsession"
)

// forEachBackend runs fn against the memory store, the file cache and a
// real Redis.
func forEachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, newHarness(t, b)) })
	}
}

// importFixtures imports the two fixtures under their original ids.
func importFixtures(t *testing.T, h *harness, spec string) {
	t.Helper()
	args := func(id, fx string) []string {
		a := []string{"import", "--id", id, fixturePath(t, fx)}
		if spec != "" {
			a = append(a, "--store", spec)
		}
		return a
	}
	if got := h.ok(args(variedID, variedFx)...); got != variedID+"\n" {
		t.Fatalf("import printed %q", got)
	}
	h.ok(args(shuffleID, shuffleFx)...)
}

func TestImportExportByteCompatible(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		importFixtures(t, h, "")
		for id, fx := range map[string]string{variedID: variedFx, shuffleID: shuffleFx} {
			got := h.ok("export", id)
			if want := fixtures.Read(t, fx); got != string(want) {
				t.Fatalf("export %s differs from the fixture:\n got %s\nwant %s", id, got, want)
			}
			// --out writes the same bytes, atomically, and flags may
			// follow the id.
			out := filepath.Join(t.TempDir(), "x.rhfsession")
			if r := h.ok("export", id, "--out", out); r != "" {
				t.Fatalf("export --out printed %q", r)
			}
			b, err := os.ReadFile(out)
			if err != nil || !bytes.Equal(b, fixtures.Read(t, fx)) {
				t.Fatalf("--out file differs (%v)", err)
			}
		}
		// Import from stdin, under a new id.
		r := h.runIn(fixtures.Read(t, shuffleFx), "import", "-")
		if r.code != 0 {
			t.Fatalf("import -: %d %s", r.code, r.stderr)
		}
		newID := strings.TrimSpace(r.stdout)
		if newID == shuffleID || len(newID) != 32 {
			t.Fatalf("new id %q", newID)
		}
		if got := h.ok("export", newID); got != string(fixtures.Read(t, shuffleFx)) {
			t.Fatal("stdin import changed the bytes")
		}
	})
}

func TestList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		if out := h.ok("list"); strings.TrimSpace(out) != "ID  CREATED  LAST USED  COOKIES  SIZE  PINNED" {
			t.Fatalf("empty list: %q", out)
		}
		importFixtures(t, h, "")
		out := h.ok("list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("list:\n%s", out)
		}
		// Default: last used, newest first.
		if !strings.HasPrefix(lines[1], shuffleID) || !strings.HasPrefix(lines[2], variedID) {
			t.Fatalf("order:\n%s", out)
		}
		f := strings.Fields(lines[2])
		want := []string{variedID, "2026-11-28T22:57:18Z", "2026-11-28T22:57:18Z", "16", "4128", "false"}
		if !slices.Equal(f, want) {
			t.Fatalf("row %q, want %q", f, want)
		}
		var rows []Row
		if err := json.Unmarshal([]byte(h.ok("list", "--json", "--sort", "cookies")), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].ID != variedID || rows[0].Cookies != 16 || rows[1].Cookies != 2 ||
			rows[1].Size != len(fixtures.Read(t, shuffleFx)) || rows[0].LastUsed.UnixMilli() != 1795906638096 {
			t.Fatalf("json rows: %+v", rows)
		}
		for _, tc := range []struct {
			sort    string
			reverse bool
			first   string
		}{
			{"id", false, variedID}, {"id", true, shuffleID},
			{"created", false, shuffleID}, {"size", false, variedID},
			{"size", true, shuffleID}, {"used", true, variedID},
		} {
			args := []string{"list", "--json", "--sort", tc.sort}
			if tc.reverse {
				args = append(args, "--reverse")
			}
			var rows []Row
			if err := json.Unmarshal([]byte(h.ok(args...)), &rows); err != nil {
				t.Fatal(err)
			}
			if rows[0].ID != tc.first {
				t.Errorf("%v: first %s, want %s", args, rows[0].ID, tc.first)
			}
		}
		h.fails(ExitUsage, "--sort", "list", "--sort", "bogus")
		h.fails(ExitUsage, "unexpected argument", "list", "extra")
	})
}

func TestShow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		importFixtures(t, h, "")
		out := h.ok("show", variedID)
		for _, want := range []string{
			"ID         " + variedID, "COOKIES (16)", "restrictIP", `"127.0.0.1"`,
			"v_special", "a=b%20c!#$", "v_none", "secure,hostonly,samesite=none",
			"2031-01-01T00:00:00Z", "2026-11-28T23:57:18Z (max-age 3600s)", "localStorage",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("show output lacks %q:\n%s", want, out)
			}
		}
		if got := h.ok("show", "--json", variedID); got != string(fixtures.Read(t, variedFx))+"\n" {
			t.Fatalf("show --json: %s", got)
		}
		got := h.ok("show", variedID, "--url", "http://127.0.0.1:18090/set/echo")
		want := "basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie\n"
		if got != want {
			t.Fatalf("--url:\n got %q\nwant %q", got, want)
		}
		// --url does not save the cookies' lastAccessed.
		if got := h.ok("export", variedID); got != string(fixtures.Read(t, variedFx)) {
			t.Fatal("show --url changed the stored session")
		}
		h.fails(ExitUsage, "--url", "show", variedID, "--url", "not a url")
		h.fails(ExitUsage, "exactly one", "show")
		h.fails(ExitUsage, "exactly one", "show", variedID, shuffleID)
	})
}

func TestBadAndMissingIDs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		importFixtures(t, h, "")
		before := h.keys("")
		for _, bad := range []string{"../etc/passwd", "a b", strings.Repeat("a", 65), "x.rhfsession"} {
			for _, verb := range [][]string{{"show", bad}, {"export", bad}, {"delete", variedID, bad}, {"pin", bad}, {"unpin", bad}, {"import", "--id", bad, fixturePath(t, variedFx)}} {
				h.fails(ExitError, `invalid session id "`+bad+`"`, verb...)
			}
		}
		missing := idN(99)
		for _, verb := range [][]string{{"show", missing}, {"show", "--json", missing}, {"export", missing}, {"delete", missing}, {"pin", missing}, {"unpin", missing}} {
			h.fails(ExitError, "session "+missing+": not found", verb...)
		}
		if after := h.keys(""); !slices.Equal(before, after) {
			t.Fatalf("keys changed: %v -> %v", before, after)
		}
	})
}

func TestImportRejects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		for _, fx := range []string{
			"corrupted-truncated.rhfsession", "corrupted-empty.rhfsession",
			"invalid-missing-data-crashes-node.rhfsession",
			"invalid-jar-without-cookies-array-crashes-node.rhfsession",
			"invalid-jar-as-object-deleted-by-node.rhfsession",
		} {
			r := h.fails(ExitError, "is not a valid .rhfsession file", "import", "--id", idN(1), fixturePath(t, fx))
			if !strings.Contains(r.stderr, fx) {
				t.Errorf("reason does not name the file: %q", r.stderr)
			}
		}
		h.fails(ExitError, "no such file", "import", filepath.Join(t.TempDir(), "nope"))
		h.fails(ExitError, "no standard input", "import", "-")
		h.fails(ExitUsage, "exactly one file", "import")
		if k := h.keys(""); len(k) != 0 {
			t.Fatalf("rejected imports left sessions: %v", k)
		}
		// An existing id is only replaced with --force.
		h.ok("import", "--id", variedID, fixturePath(t, variedFx))
		h.fails(ExitError, "already exists (use --force", "import", "--id", variedID, fixturePath(t, shuffleFx))
		if got := h.ok("export", variedID); got != string(fixtures.Read(t, variedFx)) {
			t.Fatal("a refused import changed the session")
		}
		h.ok("import", "--force", "--id", variedID, fixturePath(t, shuffleFx))
		if got := h.ok("export", variedID); got != string(fixtures.Read(t, shuffleFx)) {
			t.Fatal("--force did not replace the session")
		}
		// --touch marks the session used now.
		h.clk.Set(fixtureNow.Add(time.Hour))
		h.ok("import", "--touch", "--id", idN(2), fixturePath(t, shuffleFx))
		var rows []Row
		if err := json.Unmarshal([]byte(h.ok("list", "--json", "--sort", "id")), &rows); err != nil {
			t.Fatal(err)
		}
		if rows[0].ID != idN(2) || !rows[0].LastUsed.Equal(fixtureNow.Add(time.Hour)) {
			t.Fatalf("--touch: %+v", rows[0])
		}
	})
}

func TestDeletePin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		importFixtures(t, h, "")
		if out := h.ok("pin", variedID, shuffleID); out != "pinned "+variedID+"\npinned "+shuffleID+"\n" {
			t.Fatalf("pin printed %q", out)
		}
		if !strings.Contains(h.ok("show", "--json", variedID), `"pinned":true`) {
			t.Fatal("pin not stored")
		}
		h.ok("unpin", shuffleID)
		var rows []Row
		if err := json.Unmarshal([]byte(h.ok("list", "--json", "--sort", "id")), &rows); err != nil {
			t.Fatal(err)
		}
		if !rows[0].Pinned || rows[1].Pinned {
			t.Fatalf("pinned flags: %+v", rows)
		}
		// delete: the missing one is reported, the others deleted.
		r := h.run("delete", variedID, idN(5))
		if r.code != ExitError || r.stdout != "deleted "+variedID+"\n" || !strings.Contains(r.stderr, idN(5)+": not found") {
			t.Fatalf("delete: %+v", r)
		}
		if k := h.keys(""); !slices.Equal(k, []string{shuffleID}) {
			t.Fatalf("keys after delete: %v", k)
		}
		h.fails(ExitUsage, "at least one", "delete")
	})
}

func TestGC(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		base := fixtureNow
		h.addAt("", idN(1), base, false)                      // idle 3h: expired
		h.addAt("", idN(2), base, true)                       // idle 3h, pinned: kept
		h.addAt("", idN(3), base.Add(150*time.Minute), false) // idle 30m: kept
		h.addAt("", idN(4), base.Add(30*time.Minute), false)  // idle 2.5h: expired
		h.clk.Set(base.Add(3 * time.Hour))
		h.exp = store.Expiry{IdleTimeout: time.Hour, MaxAge: store.Disabled}
		all := []string{idN(1), idN(2), idN(3), idN(4)}

		r := h.run("gc", "--dry-run")
		if r.code != 0 || r.stdout != "would delete "+idN(1)+"\nwould delete "+idN(4)+"\n" {
			t.Fatalf("dry run: %+v", r)
		}
		if !strings.Contains(r.stderr, "2 of 4 sessions expired, none deleted") {
			t.Fatalf("dry run summary: %q", r.stderr)
		}
		if k := h.keys(""); !slices.Equal(k, all) {
			t.Fatalf("dry run deleted: %v", k)
		}
		// The dry run touched nothing either.
		var rows []Row
		if err := json.Unmarshal([]byte(h.ok("list", "--json", "--sort", "id")), &rows); err != nil {
			t.Fatal(err)
		}
		if !rows[0].LastUsed.Equal(base) {
			t.Fatalf("dry run touched %s: %v", rows[0].ID, rows[0].LastUsed)
		}

		// --max-age overrides the policy: nothing is older than 4h.
		if r := h.run("gc", "--dry-run", "--idle-timeout", "-1s", "--max-age", "4h"); r.stdout != "" || r.code != 0 {
			t.Fatalf("override: %+v", r)
		}

		r = h.run("gc")
		if r.code != 0 || r.stdout != "deleted "+idN(1)+"\ndeleted "+idN(4)+"\n" || !strings.Contains(r.stderr, "2 of 4 sessions expired, 2 deleted") {
			t.Fatalf("gc: %+v", r)
		}
		if k := h.keys(""); !slices.Equal(k, []string{idN(2), idN(3)}) {
			t.Fatalf("gc left %v", k)
		}
		// A policy with no rule expires nothing.
		h.exp = noExpiry
		if r := h.run("gc"); r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "no session expires") {
			t.Fatalf("no policy: %+v", r)
		}
	})
}

func TestMigrate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		importFixtures(t, h, "a")
		h.addAt("a", idN(7), fixtureNow, true)
		h.clk.Set(fixtureNow.Add(time.Minute))
		r := h.run("migrate", "--from", "a", "--to", "b")
		if r.code != 0 || !strings.Contains(r.stderr, "copied 3, skipped 0, failed 0") {
			t.Fatalf("migrate: %+v", r)
		}
		if ka, kb := h.keys("a"), h.keys("b"); !slices.Equal(ka, kb) {
			t.Fatalf("keys: %v vs %v", ka, kb)
		}
		for _, id := range h.keys("a") {
			a, b := h.ok("export", "--store", "a", id), h.ok("export", "--store", "b", id)
			if a != b {
				t.Fatalf("%s differs after migrate:\n%s\n%s", id, a, b)
			}
		}
		// Safe to re-run: everything is skipped.
		r = h.run("migrate", "--from", "a", "--to", "b")
		if r.code != 0 || !strings.Contains(r.stderr, "copied 0, skipped 3, failed 0") {
			t.Fatalf("second migrate: %+v", r)
		}
		// A session changed in the source is only replaced with
		// --overwrite.
		h.ok("unpin", "--store", "a", idN(7))
		r = h.run("migrate", "--from", "a", "--to", "b")
		if r.code != 0 || !strings.Contains(r.stderr, "copied 0, skipped 3, failed 0 (1 skipped sessions differ") {
			t.Fatalf("migrate of a changed session: %+v", r)
		}
		r = h.run("migrate", "--from", "a", "--to", "b", "--overwrite")
		if r.code != 0 || !strings.Contains(r.stderr, "copied 1, skipped 2, failed 0") {
			t.Fatalf("migrate --overwrite: %+v", r)
		}
		if strings.Contains(h.ok("show", "--json", "--store", "b", idN(7)), "pinned") {
			t.Fatal("--overwrite did not replace the session")
		}
		h.fails(ExitUsage, "--to is required", "migrate", "--from", "a")
		h.fails(ExitUsage, "same store", "migrate", "--from", "a", "--to", "a")
	})
}

func TestUsage(t *testing.T) {
	h := newHarness(t, backends[0])
	h.fails(ExitUsage, "usage: rammerhead sessions COMMAND", []string{}...)
	h.fails(ExitUsage, `unknown command "frobnicate"`, "frobnicate")
	h.fails(ExitUsage, "flag provided but not defined", "list", "--nope")
	if out := h.ok("help"); !strings.Contains(out, "migrate") {
		t.Fatalf("help: %q", out)
	}
	if out := h.ok("list", "-h"); !strings.Contains(out, "-sort") {
		t.Fatalf("list -h: %q", out)
	}
	// An unreachable store is an error, not a crash.
	h.open = func(context.Context, string) (store.Store, error) { return nil, os.ErrPermission }
	h.fails(ExitError, "opening the configured store: permission denied", "list")
	r := Run(context.Background(), []string{"list"}, Env{})
	if r != ExitError {
		t.Fatalf("no opener: %d", r)
	}
}

// TestFileStoreCorruptedFile plants broken files in a file store: they are
// reported (list goes on with the others) and never crash a command.
func TestFileStoreCorruptedFile(t *testing.T) {
	h := newHarness(t, backends[1])
	importFixtures(t, h, "")
	dir := fileDir(t, "a")
	for i, fx := range []string{"corrupted-truncated.rhfsession", "invalid-missing-data-crashes-node.rhfsession"} {
		if err := os.WriteFile(filepath.Join(dir, idN(i+1)+".rhfsession"), fixtures.Read(t, fx), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := h.run("list", "--sort", "id")
	if !strings.Contains(r.stdout, variedID) || !strings.Contains(r.stdout, shuffleID) {
		t.Fatalf("list lost the good sessions: %+v", r)
	}
	if strings.Contains(r.stdout, idN(1)) {
		t.Fatalf("a corrupted session was listed: %s", r.stdout)
	}
	h.fails(ExitError, idN(2), "show", idN(2))
	h.fails(ExitError, idN(1), "export", idN(1))
}
