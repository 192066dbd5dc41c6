package memstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

// FuzzAddSerialized feeds arbitrary text to AddSerialized, seeded with
// every Node fixture: it must never panic; it either stores a session that
// Get returns and that serializes again, or fails with ErrCorrupted and
// stores nothing.
func FuzzAddSerialized(f *testing.F) {
	dir, err := storetest.FixtureDir()
	if err != nil {
		f.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.rhfsession"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures in %s: %v", dir, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"data":{},"serializedCookieJar":"{\"cookies\":[]}"}`))
	clock := storetest.NewClock(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC))
	s := memstore.New(&memstore.Options{Now: clock.Now, CleanupInterval: store.Disabled,
		Expiry: store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}})
	f.Cleanup(func() { s.Close() })
	const id = "fuzz"
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := t.Context()
		if _, err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		err := s.AddSerialized(ctx, id, data)
		if err != nil {
			if !errors.Is(err, store.ErrCorrupted) {
				t.Fatalf("AddSerialized error %v does not wrap ErrCorrupted", err)
			}
			if ok, err := s.Has(ctx, id); err != nil || ok {
				t.Fatalf("after a failed import Has = %t, %v", ok, err)
			}
			return
		}
		sess, err := s.Get(ctx, id, true)
		if err != nil {
			t.Fatalf("Get after a successful import: %v", err)
		}
		if _, err := sess.Serialize(); err != nil {
			t.Fatalf("Serialize of an imported session: %v", err)
		}
		if err := s.Save(ctx, sess); err != nil {
			t.Fatalf("Save: %v", err)
		}
	})
}
