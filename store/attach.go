package store

import (
	"errors"
	"fmt"
)

// ErrAlreadyAttached: the store is already the proxy's session store.
var ErrAlreadyAttached = errors.New("store: already attached to this proxy")

// Proxy is what a store attaches to: anything that owns one session store
// (the original's proxy.openSessions). The server implements it; stores
// never import the server.
type Proxy interface {
	// SessionStore returns the current store, or nil.
	SessionStore() Store
	// SetSessionStore makes s the session store.
	SetSessionStore(s Store)
}

// Attach makes s the session store of p, with the seed's attachToProxy
// semantics: it fails with ErrAlreadyAttached when s already is p's store;
// with removeExisting, the store p held before (and so every session it
// held) is closed first. Call it once, after both exist.
func Attach(p Proxy, s Store, removeExisting bool) error {
	prev := p.SessionStore()
	if prev == s {
		return ErrAlreadyAttached
	}
	if removeExisting && prev != nil {
		if err := prev.Close(); err != nil && !errors.Is(err, ErrClosed) {
			return fmt.Errorf("store: closing the previous store: %w", err)
		}
	}
	p.SetSessionStore(s)
	return nil
}
