package rewrite

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

const (
	testOrigin = "http://127.0.0.1:8080"
	testSID    = "0123456789abcdef0123456789abcdef"
)

// fixtureDict returns the shuffleDict of a fixture session file.
func fixtureDict(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures.MustDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Data struct {
			ShuffleDict string `json:"shuffleDict"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.Data.ShuffleDict == "" {
		t.Fatalf("%s has no shuffleDict", name)
	}
	return f.Data.ShuffleDict
}

// shufflingMapper returns a Mapper using the dictionary of the fixture
// session shuffle-enabled-basic-cookies.rhfsession.
func shufflingMapper(t testing.TB) *Mapper {
	t.Helper()
	sh, err := urlshuffle.New(fixtureDict(t, "shuffle-enabled-basic-cookies.rhfsession"))
	if err != nil {
		t.Fatal(err)
	}
	return &Mapper{ProxyOrigin: testOrigin, SessionID: testSID, Shuffler: sh}
}

func plainMapper() *Mapper {
	return &Mapper{ProxyOrigin: testOrigin, SessionID: testSID}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
