package storetest_test

import (
	"testing"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

// A store's conformance test: Run calls the factory for every subtest and
// closes the store afterwards. The store must use cfg.Now as its clock and
// apply cfg.Expiry.
func ExampleRun() {
	// In the store's _test.go file:
	testConformance := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
			return memstore.New(&memstore.Options{
				Now:             cfg.Now,
				Expiry:          cfg.Expiry,
				CleanupInterval: store.Disabled, // the suite never waits for a sweep
			})
		})
	}
	_ = testConformance // func TestConformance(t *testing.T) { ... }
}
