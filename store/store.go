// Package store defines the session store contract shared by every store
// (memory, file cache, Redis): the Store interface, its sentinel errors, the
// expiry policy and the attach-to-proxy semantics of the original
// Rammerhead's RammerheadSessionAbstractStore.
//
// Conformance of an implementation is checked by package storetest.
package store

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
)

// Sentinel errors. Stores wrap them; test with errors.Is.
var (
	// ErrNotFound: no session with that id (or it has expired).
	ErrNotFound = errors.New("store: session not found")
	// ErrExists: Add was called with an id already in use.
	ErrExists = errors.New("store: session already exists")
	// ErrInvalidID: the id is not valid (see session.ValidateID). It is the
	// same value as session.ErrInvalidID.
	ErrInvalidID = session.ErrInvalidID
	// ErrCorrupted: the stored or imported serialized form cannot be
	// loaded. It is the same value as session.ErrCorrupted.
	ErrCorrupted = session.ErrCorrupted
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
)

// Store holds sessions. Implementations are safe for concurrent use.
//
// A *session.Session returned by Get or Add may be shared with other
// callers; after changing it (cookies, data), call Save so that the change
// is persisted: stores that do not keep the pointer (Redis) rely on it, and
// caching stores use it to schedule a write-behind.
type Store interface {
	// Keys returns the ids of every session the store holds.
	Keys(ctx context.Context) ([]string, error)
	// Has reports whether a session exists (and has not expired).
	Has(ctx context.Context, id string) (bool, error)
	// Get returns the session; with touch, its lastUsed is set to now
	// first. Missing or expired: an error wrapping ErrNotFound.
	Get(ctx context.Context, id string, touch bool) (*session.Session, error)
	// Add creates and stores a fresh session under id. An id in use: an
	// error wrapping ErrExists.
	Add(ctx context.Context, id string) (*session.Session, error)
	// Delete removes the session everywhere and reports whether it existed.
	Delete(ctx context.Context, id string) (bool, error)
	// AddSerialized imports a serialized (.rhfsession) session under id,
	// replacing an existing one. Invalid text: an error wrapping
	// ErrCorrupted, and nothing is changed.
	AddSerialized(ctx context.Context, id string, data []byte) error
	// Save writes back the changes made to s since it was obtained from
	// this store. A session deleted meanwhile: ErrNotFound.
	Save(ctx context.Context, s *session.Session) error
	// Close releases the store, persisting what it must (the file cache
	// writes every cached session), and stops every goroutine it started.
	// It is idempotent: a second Close returns nil or ErrClosed; every
	// other method called after Close returns ErrClosed.
	Close() error
}

// Disabled, as an Expiry duration or an interval, turns that feature off
// (the original's null).
const Disabled time.Duration = -1

// Expiry is an expiry policy. A zero field means the store's documented
// default; Disabled turns the rule off.
type Expiry struct {
	// IdleTimeout: a session whose lastUsed is older than this is expired
	// (the original's staleTimeout).
	IdleTimeout time.Duration
	// MaxAge: a session whose createdAt is older than this is expired,
	// however active (the original's maxToLive).
	MaxAge time.Duration
}

// WithDefaults returns e with zero fields replaced by def's.
func (e Expiry) WithDefaults(def Expiry) Expiry {
	if e.IdleTimeout == 0 {
		e.IdleTimeout = def.IdleTimeout
	}
	if e.MaxAge == 0 {
		e.MaxAge = def.MaxAge
	}
	return e
}

// Expired reports whether a session with those timestamps has expired at
// now: now-lastUsed > IdleTimeout or now-createdAt > MaxAge (strictly
// greater, as in the original), skipping rules that are Disabled (or zero).
func (e Expiry) Expired(createdAt, lastUsed, now time.Time) bool {
	if e.IdleTimeout > 0 && now.Sub(lastUsed) > e.IdleTimeout {
		return true
	}
	if e.MaxAge > 0 && now.Sub(createdAt) > e.MaxAge {
		return true
	}
	return false
}

// ExpiredMs is Expired with every instant in Unix milliseconds, for hot
// paths that keep timestamps as integers: it gives the same answer as
// Expired(time.UnixMilli(createdMs), time.UnixMilli(lastUsedMs),
// time.UnixMilli(nowMs)) (strictly greater, Disabled or zero rules
// skipped) without time.Time arithmetic.
func (e Expiry) ExpiredMs(createdMs, lastUsedMs, nowMs int64) bool {
	if e.IdleTimeout > 0 && olderThanMs(nowMs, lastUsedMs, e.IdleTimeout) {
		return true
	}
	return e.MaxAge > 0 && olderThanMs(nowMs, createdMs, e.MaxAge)
}

// olderThanMs reports whether now-then (ms) > d, saturating as
// time.Time.Sub does.
func olderThanMs(now, then int64, d time.Duration) bool {
	const maxMs = math.MaxInt64 / int64(time.Millisecond)
	diff := now - then
	if (now >= 0) != (then >= 0) && (diff >= 0) != (now >= 0) {
		// The difference overflows int64: Sub saturates.
		return now >= 0 && d < math.MaxInt64
	}
	switch {
	case diff > maxMs:
		return d < math.MaxInt64
	case diff < -maxMs:
		return false
	}
	return time.Duration(diff)*time.Millisecond > d
}

// ExpiresAt returns the instant after which a session with those
// timestamps is expired, and false when no rule applies (never expires).
func (e Expiry) ExpiresAt(createdAt, lastUsed time.Time) (time.Time, bool) {
	var at time.Time
	ok := false
	if e.IdleTimeout > 0 {
		at, ok = lastUsed.Add(e.IdleTimeout), true
	}
	if e.MaxAge > 0 {
		m := createdAt.Add(e.MaxAge)
		if !ok || m.Before(at) {
			at, ok = m, true
		}
	}
	return at, ok
}

// SessionExpired reports whether s has expired at now under e. A pinned
// session (session.Pinned) never expires.
func (e Expiry) SessionExpired(s *session.Session, now time.Time) bool {
	if e.IdleTimeout <= 0 && e.MaxAge <= 0 {
		return false
	}
	if s.Pinned() {
		return false
	}
	return e.Expired(s.CreatedAt(), s.LastUsed(), now)
}

// Peeker is an optional interface of stores that can read a session as it
// is stored: without touching it, caching it or applying expiry (an expired
// session that has not been removed yet is returned). Admin tools use it to
// list and inspect a store, and for a dry-run sweep, without changing it.
type Peeker interface {
	Peek(ctx context.Context, id string) (*session.Session, error)
}

// Flusher is an optional interface of stores that write behind: Flush
// makes the current state of the session durable (written, and synced
// unless the store was told not to) before it returns. The server calls it
// before acknowledging a new session, so that its restrictIP survives a
// crash.
type Flusher interface {
	Flush(ctx context.Context, id string) error
}

// Lister is an optional interface of stores that can list every stored id,
// expired sessions not removed yet included (Keys leaves those out). Admin
// tools use it, with Peeker, to list, sweep and migrate a store as it is.
type Lister interface {
	AllKeys(ctx context.Context) ([]string, error)
}
