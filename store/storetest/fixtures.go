package storetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FixturesEnv names the environment variable that, when set, gives the
// directory of the Node-written .rhfsession fixtures, overriding the search
// of FixtureDir.
const FixturesEnv = "RAMMERHEAD_FIXTURES"

// FixtureDir returns the directory of the real Node-written .rhfsession
// fixtures the suite imports: $RAMMERHEAD_FIXTURES when set, otherwise
// ../shared/fixtures/rammerhead-sessions relative to the nearest directory,
// from the working directory up, that contains go.mod.
func FixtureDir() (string, error) {
	if d := os.Getenv(FixturesEnv); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("storetest: %s: %w", FixturesEnv, err)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("storetest: finding the fixtures: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			fx := filepath.Join(dir, "..", "shared", "fixtures", "rammerhead-sessions")
			if _, err := os.Stat(fx); err != nil {
				return "", fmt.Errorf("storetest: fixtures beside the module (set %s to override): %w", FixturesEnv, err)
			}
			return fx, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("storetest: no go.mod above " + wd + " (set " + FixturesEnv + ")")
		}
		dir = parent
	}
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
