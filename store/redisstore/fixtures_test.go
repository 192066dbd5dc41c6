package redisstore

import (
	"os"
	"path/filepath"
	"testing"
)

// fixtureDir finds ../shared/fixtures/rammerhead-sessions beside the module
// root (the directory holding go.mod).
func fixtureDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
	fd := filepath.Join(dir, "..", "shared", "fixtures", "rammerhead-sessions")
	if _, err := os.Stat(fd); err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	return fd
}

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	dir := fixtureDir(t)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]byte)
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".rhfsession" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}
