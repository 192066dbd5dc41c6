// Package memstore is the in-memory session store: sessions live in a map
// and are lost when the process exits (the original's
// RammerheadSessionMemoryStore).
//
// Expired sessions (store.Expiry: idle for longer than IdleTimeout, or
// older than MaxAge) are invisible to Has and Get, which remove them, and a
// background sweep deletes them every CleanupInterval. Close stops the
// sweep.
//
// Get hands out the stored *session.Session itself: every caller shares it,
// so Save only checks that the session is still the one stored.
package memstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/clock"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// Defaults of Options (the original's).
const (
	// DefaultIdleTimeout is the default Expiry.IdleTimeout (staleTimeout).
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultMaxAge is the default Expiry.MaxAge (maxToLive).
	DefaultMaxAge = 4 * time.Hour
	// DefaultCleanupInterval is the default Options.CleanupInterval.
	DefaultCleanupInterval = time.Minute
)

// defaultExpiry is the expiry policy used for zero fields of
// Options.Expiry.
var defaultExpiry = store.Expiry{IdleTimeout: DefaultIdleTimeout, MaxAge: DefaultMaxAge}

// Options configures New. A nil *Options, and every zero field, means the
// documented default.
type Options struct {
	// Logger receives debug records of the sweeps; nil discards them.
	Logger *slog.Logger
	// Expiry is the expiry policy. Zero fields default to
	// DefaultIdleTimeout and DefaultMaxAge; store.Disabled (or any negative
	// duration) turns a rule off.
	Expiry store.Expiry
	// CleanupInterval is how often the background sweep deletes expired
	// sessions: 0 means DefaultCleanupInterval, store.Disabled (or any
	// negative duration) means no sweep (expired sessions are still
	// removed when read). No sweep runs either when both expiry rules are
	// off.
	CleanupInterval time.Duration
	// Now is the store's clock, also given to the sessions; nil means
	// time.Now.
	Now func() time.Time
}

// Store is an in-memory store.Store. It is safe for concurrent use.
type Store struct {
	// sessions maps an id to its *session.Session. A sync.Map: lookups
	// (the hot path, Get with touch on every proxied request) take no lock
	// and scale with the number of cores.
	sessions sync.Map
	expiry   store.Expiry
	interval time.Duration
	now      func() time.Time
	wall     *clock.Wall // the hot path's clock when Options.Now is nil
	log      *slog.Logger
	sessOpts *session.Options

	closed    atomic.Bool
	closeOnce sync.Once
	stop      chan struct{} // closed by Close to end the sweep
	done      chan struct{} // closed when the sweep goroutine has exited
}

var _ store.Store = (*Store)(nil)
var (
	_ store.Peeker        = (*Store)(nil)
	_ store.Lister        = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// New returns a store configured by o (nil: defaults) and starts its
// background sweep unless it is disabled. Close the store to stop it.
func New(o *Options) *Store {
	if o == nil {
		o = &Options{}
	}
	s := &Store{
		expiry:   o.Expiry.WithDefaults(defaultExpiry),
		interval: o.CleanupInterval,
		now:      o.Now,
		log:      o.Logger,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if s.interval == 0 {
		s.interval = DefaultCleanupInterval
	}
	if s.now == nil {
		s.now = time.Now
		s.wall = clock.NewWall()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.sessOpts = &session.Options{Now: s.now}
	if s.interval > 0 && s.expires() {
		go s.sweepLoop()
	} else {
		close(s.done)
	}
	return s
}

// Expiry returns the policy the store applies (defaults filled in).
func (s *Store) Expiry() store.Expiry { return s.expiry }

// CleanupInterval returns the interval of the background sweep, or a
// negative duration when there is none.
func (s *Store) CleanupInterval() time.Duration {
	if s.interval > 0 && !s.expires() {
		return store.Disabled
	}
	return s.interval
}

// expires reports whether any expiry rule is on.
func (s *Store) expires() bool {
	return s.expiry.IdleTimeout > 0 || s.expiry.MaxAge > 0
}

// expired reports whether sess has expired at now (cheaply false when no
// rule is on).
func (s *Store) expired(sess *session.Session, now time.Time) bool {
	if !s.expires() {
		return false
	}
	return s.expiry.SessionExpired(sess, now)
}

func (s *Store) check(id string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := session.ValidateID(id); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	return nil
}

// nowMs returns the current time in Unix milliseconds: Options.Now's, or
// the wall clock read cheaply (clock.Wall).
func (s *Store) nowMs() int64 {
	if s.wall != nil {
		return s.wall.NowMs()
	}
	return s.now().UnixMilli()
}

// load returns the session stored under id if it is live, and removes it
// when it has expired. It reads the clock only when a session is found and
// an expiry rule is on (or touch asks for the time); nowMs is the time
// read (Unix ms), zero when it was not needed. Timestamps are compared as
// integers: this is the hot path of every proxied request.
func (s *Store) load(id string, touch bool) (sess *session.Session, nowMs int64, ok bool) {
	v, found := s.sessions.Load(id)
	if !found {
		return nil, 0, false
	}
	sess = v.(*session.Session)
	if !touch && !s.expires() {
		return sess, 0, true
	}
	nowMs = s.nowMs()
	if s.expires() && s.expiry.ExpiredMs(sess.CreatedAtMs(), sess.LastUsedMs(), nowMs) && !sess.Pinned() {
		s.sessions.CompareAndDelete(id, sess)
		return nil, nowMs, false
	}
	return sess, nowMs, true
}

// Keys returns the ids of every live session, in no particular order.
// Expired sessions found on the way are removed.
func (s *Store) Keys(ctx context.Context) ([]string, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	now := s.now()
	keys := []string{}
	s.sessions.Range(func(k, v any) bool {
		sess := v.(*session.Session)
		if s.expired(sess, now) {
			s.sessions.CompareAndDelete(k, sess)
			return true
		}
		keys = append(keys, k.(string))
		return true
	})
	return keys, nil
}

// Has reports whether a live session is stored under id.
func (s *Store) Has(ctx context.Context, id string) (bool, error) {
	if s.closed.Load() {
		return false, store.ErrClosed
	}
	_, _, ok := s.load(id, false)
	if !ok {
		// Only valid ids are ever stored, so a hit needs no validation.
		return false, s.check(id)
	}
	return true, nil
}

// Get returns the session stored under id, touched first with touch. The
// session is shared with every other caller.
func (s *Store) Get(ctx context.Context, id string, touch bool) (*session.Session, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	sess, nowMs, ok := s.load(id, touch)
	if !ok {
		if err := s.check(id); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("memstore: get %s: %w", id, store.ErrNotFound)
	}
	if touch {
		sess.TouchMs(nowMs)
	}
	return sess, nil
}

// Add creates and stores a fresh session under id. An expired session
// under id is replaced; a live one gives an error wrapping store.ErrExists.
func (s *Store) Add(ctx context.Context, id string) (*session.Session, error) {
	if err := s.check(id); err != nil {
		return nil, err
	}
	sess := session.New(id, s.sessOpts)
	for {
		v, loaded := s.sessions.LoadOrStore(id, sess)
		if !loaded {
			return sess, nil
		}
		old := v.(*session.Session)
		if !s.expired(old, s.now()) {
			return nil, fmt.Errorf("memstore: add %s: %w", id, store.ErrExists)
		}
		if s.sessions.CompareAndSwap(id, old, sess) {
			return sess, nil
		}
	}
}

// Delete removes the session stored under id and reports whether a live
// one was there.
func (s *Store) Delete(ctx context.Context, id string) (bool, error) {
	if s.closed.Load() {
		return false, store.ErrClosed
	}
	v, ok := s.sessions.LoadAndDelete(id)
	if !ok {
		return false, s.check(id)
	}
	return !s.expired(v.(*session.Session), s.now()), nil
}

// AddSerialized imports a serialized (.rhfsession) session under id,
// touches it and stores it, replacing any session stored under id (whose
// holders then get store.ErrNotFound from Save). Invalid text gives an
// error wrapping store.ErrCorrupted and changes nothing.
func (s *Store) AddSerialized(ctx context.Context, id string, data []byte) error {
	if err := s.check(id); err != nil {
		return err
	}
	sess, err := session.Deserialize(id, data, s.sessOpts)
	if err != nil {
		return fmt.Errorf("memstore: import %s: %w", id, err)
	}
	sess.Touch(s.now())
	s.sessions.Store(id, sess)
	return nil
}

// Save checks that sess is still the live session stored under its id:
// the store holds the pointer itself, so the changes are already there.
// When the session was deleted, has expired, or was replaced by
// AddSerialized (the caller's copy is stale), it returns an error wrapping
// store.ErrNotFound.
func (s *Store) Save(ctx context.Context, sess *session.Session) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if sess == nil {
		return fmt.Errorf("memstore: save of a nil session: %w", store.ErrNotFound)
	}
	cur, _, ok := s.load(sess.ID(), false)
	if !ok {
		return fmt.Errorf("memstore: save %s: %w", sess.ID(), store.ErrNotFound)
	}
	if cur != sess {
		return fmt.Errorf("memstore: save %s: replaced since it was obtained: %w", sess.ID(), store.ErrNotFound)
	}
	return nil
}

// Close stops the background sweep (waiting for it to exit) and drops
// every session. It is idempotent: later calls return nil; every other
// method then returns store.ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.stop)
		<-s.done
		s.sessions.Clear()
	})
	return nil
}

// sweepLoop runs Sweep every interval until Close.
func (s *Store) sweepLoop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Sweep()
		}
	}
}

// Sweep deletes every expired session now and returns how many it
// deleted. The background sweep calls it every CleanupInterval.
func (s *Store) Sweep() int {
	start := time.Now()
	now := s.now()
	removed, kept := 0, 0
	s.sessions.Range(func(k, v any) bool {
		sess := v.(*session.Session)
		if s.expired(sess, now) {
			if s.sessions.CompareAndDelete(k, sess) {
				removed++
			}
		} else {
			kept++
		}
		return true
	})
	s.log.Debug("memstore: sweep", "removed", removed, "kept", kept, "took", time.Since(start))
	return removed
}

// Peek returns the session stored under id without touching it or
// applying expiry (store.Peeker).
func (s *Store) Peek(ctx context.Context, id string) (*session.Session, error) {
	if err := s.check(id); err != nil {
		return nil, err
	}
	v, ok := s.sessions.Load(id)
	if !ok {
		return nil, fmt.Errorf("memstore: %q: %w", id, store.ErrNotFound)
	}
	return v.(*session.Session), nil
}

// AllKeys returns the id of every session held, expired ones not swept
// yet included (store.Lister).
func (s *Store) AllKeys(ctx context.Context) ([]string, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	var ids []string
	s.sessions.Range(func(k, _ any) bool {
		ids = append(ids, k.(string))
		return true
	})
	return ids, ctx.Err()
}

// Stats reports the number of sessions held (store.StatsReporter).
func (s *Store) Stats() store.Stats {
	n := int64(s.Len())
	return store.Stats{InMemory: n, OnDisk: -1}
}

// Len returns the number of sessions held, expired ones not yet removed
// included.
func (s *Store) Len() int {
	n := 0
	s.sessions.Range(func(any, any) bool { n++; return true })
	return n
}
