package admin

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

// TestMigrateAcrossKinds copies memory -> file -> Redis and checks that
// every session arrives byte for byte (timestamps and cookies kept).
func TestMigrateAcrossKinds(t *testing.T) {
	clk := newClock()
	openers := map[string]opener{}
	for _, b := range backends {
		openers[b.name] = b.new(t, clk)
	}
	h := &harness{t: t, clk: clk, open: func(ctx context.Context, spec string) (store.Store, error) {
		kind, name, _ := strings.Cut(spec, ":")
		o, ok := openers[kind]
		if !ok {
			return nil, fmt.Errorf("unknown store %q", spec)
		}
		return o(ctx, name)
	}}
	importFixtures(t, h, "memory:x")
	h.addAt("memory:x", idN(3), fixtureNow.Add(-time.Hour), true)
	clk.Set(fixtureNow.Add(time.Hour))
	for _, step := range [][2]string{{"memory:x", "file:y"}, {"file:y", "redis:z"}} {
		r := h.run("migrate", "--from", step[0], "--to", step[1])
		if r.code != 0 || !strings.Contains(r.stderr, "copied 3, skipped 0, failed 0") {
			t.Fatalf("%v: %+v", step, r)
		}
	}
	for _, id := range []string{variedID, shuffleID, idN(3)} {
		want := h.ok("export", "--store", "memory:x", id)
		if got := h.ok("export", "--store", "redis:z", id); got != want {
			t.Fatalf("%s changed on the way:\n%s\n%s", id, want, got)
		}
	}
	if got := h.ok("export", "--store", "redis:z", variedID); got != string(fixtures.Read(t, variedFx)) {
		t.Fatal("the Node fixture is no longer byte-identical after two migrations")
	}
	h.fails(ExitError, `opening store "nowhere:": unknown store`, "migrate", "--from", "memory:x", "--to", "nowhere:")
}

// TestProgress: long runs report progress on stderr every ProgressEvery
// sessions, and the results stay on stdout.
func TestProgress(t *testing.T) {
	h := newHarness(t, backends[0])
	h.withStore("", func(st store.Store) {
		for i := range 2500 {
			if _, err := st.Add(context.Background(), idN(i)); err != nil {
				t.Fatal(err)
			}
		}
	})
	r := h.run("list", "--sort", "id")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2501 {
		t.Fatalf("list: exit %d, %d lines", r.code, strings.Count(r.stdout, "\n"))
	}
	if r.stderr != "list: 1000/2500 sessions\nlist: 2000/2500 sessions\n" {
		t.Fatalf("progress: %q", r.stderr)
	}
	h.exp = store.Expiry{IdleTimeout: time.Hour}
	r = h.run("gc", "--dry-run")
	if !strings.HasPrefix(r.stderr, "gc: 1000/2500 sessions\ngc: 2000/2500") {
		t.Fatalf("gc progress: %q", r.stderr)
	}
	r = h.run("migrate", "--to", "b")
	if !strings.Contains(r.stderr, "migrate: 2000/2500 sessions\nmigrate: copied 2500, skipped 0, failed 0") {
		t.Fatalf("migrate progress: %q", r.stderr)
	}
}

// TestCanceled: a canceled context stops a long command with exit 1.
func TestCanceled(t *testing.T) {
	h := newHarness(t, backends[0])
	h.addAt("", idN(1), fixtureNow, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	e := h.env(nil)
	e.Stdout, e.Stderr = &out, &errb
	if code := Run(ctx, []string{"list"}, e); code != ExitError || !strings.Contains(errb.String(), "context canceled") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// FuzzRun feeds arbitrary command lines to Run over a memory store holding
// a fixture: it must never panic, and must answer 0, 1 or 2 with a reason
// on stderr for every failure.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"list --json", "show " + variedID, "show --url http://127.0.0.1/ " + variedID,
		"list --sort size --reverse", "gc --dry-run", "delete " + idN(1), "pin ../x",
		"export --out", "import --id", "migrate --to b", "show -- --json", "frob",
	} {
		f.Add(s)
	}
	fixture := fixtures.Read(f, variedFx)
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			if strings.Contains(a, "out") || strings.HasPrefix(a, "/") || strings.Contains(a, "import") {
				return // no files written or read by the fuzzer
			}
		}
		st := memstore.New(&memstore.Options{Now: func() time.Time { return fixtureNow }, Expiry: noExpiry, CleanupInterval: store.Disabled})
		defer st.Close()
		if err := st.AddSerialized(context.Background(), variedID, fixture); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := Run(context.Background(), args, Env{
			Stdout: &out, Stderr: &errb,
			OpenStore: func(context.Context, string) (store.Store, error) { return keepOpen{st}, nil },
			Expiry:    store.Expiry{IdleTimeout: time.Hour},
			Now:       func() time.Time { return fixtureNow },
		})
		if code < 0 || code > 2 {
			t.Fatalf("exit %d", code)
		}
		if code != 0 && errb.Len() == 0 {
			t.Fatalf("exit %d without a reason", code)
		}
	})
}

func BenchmarkList(b *testing.B) {
	st := memstore.New(&memstore.Options{Expiry: noExpiry, CleanupInterval: store.Disabled})
	defer st.Close()
	fixture := fixtures.Read(b, variedFx)
	for i := range 1000 {
		if err := st.AddSerialized(context.Background(), idN(i), fixture); err != nil {
			b.Fatal(err)
		}
	}
	env := Env{
		Stdout:    &bytes.Buffer{},
		Stderr:    &bytes.Buffer{},
		OpenStore: func(context.Context, string) (store.Store, error) { return keepOpen{st}, nil },
	}
	for b.Loop() {
		env.Stdout.(*bytes.Buffer).Reset()
		if code := Run(context.Background(), []string{"list", "--json"}, env); code != 0 {
			b.Fatal(code)
		}
	}
}
