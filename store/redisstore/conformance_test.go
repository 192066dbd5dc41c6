package redisstore

import (
	"testing"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/storetest"
)

func TestConformance(t *testing.T) {
	client := newClient(t)
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
		s, err := New(Options{Client: client, Prefix: uniquePrefix(), Now: cfg.Now, Expiry: cfg.Expiry})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return s
	})
}

// TestConformanceOwnedClient runs the suite with a store that creates (and
// closes) its own client from a URL.
func TestConformanceOwnedClient(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) store.Store {
		s, err := New(Options{URL: srv.URL(), Prefix: uniquePrefix(), Now: cfg.Now, Expiry: cfg.Expiry})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return s
	})
}
