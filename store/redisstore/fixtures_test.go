package redisstore

import (
	"os"
	"path/filepath"
	"testing"

	testfixtures "github.com/rammerhead-go/rammerhead/internal/fixtures"
)

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	dir := testfixtures.MustDir(t)
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
