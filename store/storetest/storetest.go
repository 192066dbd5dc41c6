// Package storetest checks that a store.Store implementation behaves as the
// contract of package store says, the way testing/fstest.TestFS checks a
// file system: one conformance suite that every store (memory, file cache,
// Redis, or a third party's) must pass.
//
// Run calls the factory once per subtest, so every check starts from a new,
// empty store. The store must take its clock from Config.Now (the suite
// drives a manual Clock that it moves forward to test expiry) and apply
// Config.Expiry. The suite never waits for a background sweep: expiry is
// checked through Get and Has, which must enforce it on read. It reads the
// real Node-written .rhfsession fixtures from FixtureDir.
//
// A store's test file runs the suite like this:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
//			return memstore.New(&memstore.Options{
//				Now:             cfg.Now,
//				Expiry:          cfg.Expiry,
//				CleanupInterval: store.Disabled,
//			})
//		})
//	}
//
// Beyond the doc comments of store.Store, the suite requires that every
// method taking an id reject an invalid one (see session.ValidateID) with
// an error wrapping store.ErrInvalidID; that an expired session neither
// shows (Has false, Get ErrNotFound) nor blocks Add of its id; that
// AddSerialized replace a cached copy too; that Save of a session deleted
// meanwhile return ErrNotFound; and that after Close every method return
// store.ErrClosed, Close itself returning nil or ErrClosed.
//
// Run the suite with -race: its concurrency subtests look for data races
// and lost updates.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
)

// Config is what the suite asks of a new store.
type Config struct {
	// Now is the store's clock: every timestamp and expiry decision must
	// use it (and it must be given to the sessions the store creates or
	// loads, so that their jars use it too).
	Now func() time.Time
	// Expiry is the expiry policy to apply (both rules may be set or
	// store.Disabled; the suite never passes a zero field).
	Expiry store.Expiry
}

// Factory returns a new, empty store using cfg. The suite closes it at the
// end of the subtest (the factory may register t.Cleanup too, for example
// to remove a directory or flush a Redis database).
type Factory func(t *testing.T, cfg Config) store.Store

// Policies used by the suite.
var (
	// standardExpiry is the original's memory-store default.
	standardExpiry = store.Expiry{IdleTimeout: 30 * time.Minute, MaxAge: 4 * time.Hour}
	// neverExpire disables both rules.
	neverExpire = store.Expiry{IdleTimeout: store.Disabled, MaxAge: store.Disabled}
)

// Run checks the store returned by newStore against every rule of the
// store contract, as subtests of t with a fresh store each.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	su := &suite{newStore: newStore}
	t.Run("Keys", su.testKeys)
	t.Run("Has", su.testHas)
	t.Run("Get", su.testGet)
	t.Run("Add", su.testAdd)
	t.Run("Delete", su.testDelete)
	t.Run("AddSerialized", su.testAddSerialized)
	t.Run("Save", su.testSave)
	t.Run("Close", su.testClose)
	t.Run("Expiry", su.testExpiry)
	t.Run("CookieRoundTrip", su.testCookieRoundTrip)
	t.Run("Fixtures", su.testFixtures)
	t.Run("Concurrency", su.testConcurrency)
}

type suite struct {
	newStore Factory
}

// open returns a new store from the factory, closed when t ends.
func (su *suite) open(t *testing.T, cfg Config) store.Store {
	t.Helper()
	s := su.newStore(t, cfg)
	if s == nil {
		t.Fatal("storetest: the factory returned a nil store")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// standard returns a new store with the standard expiry policy and a clock
// at the real current time (to the millisecond).
func (su *suite) standard(t *testing.T) (store.Store, *Clock) {
	t.Helper()
	c := NewClock(realNow())
	return su.open(t, Config{Now: c.Now, Expiry: standardExpiry}), c
}

// forever returns a new store whose sessions never expire.
func (su *suite) forever(t *testing.T, start time.Time) (store.Store, *Clock) {
	t.Helper()
	c := NewClock(start)
	return su.open(t, Config{Now: c.Now, Expiry: neverExpire}), c
}
