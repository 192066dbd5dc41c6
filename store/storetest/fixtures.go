package storetest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// FixturesEnv names the environment variable that, when set, gives the
// directory of the Node-written .rhfsession fixtures, overriding the search
// of FixtureDir.
const FixturesEnv = fixtures.Env

// FixtureDir returns the directory of the real Node-written .rhfsession
// fixtures the suite imports: $RAMMERHEAD_FIXTURES when set, otherwise
// ../shared/fixtures/rammerhead-sessions relative to the nearest directory,
// from the working directory up, that contains go.mod.
func FixtureDir() (string, error) {
	d, err := fixtures.Dir()
	if err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	return d, nil
}

// ReadFixture returns the content of the named fixture file (for example
// "unused-fresh.rhfsession") from FixtureDir.
func ReadFixture(name string) ([]byte, error) {
	dir, err := FixtureDir()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("storetest: %w", err)
	}
	return b, nil
}
