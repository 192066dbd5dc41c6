package filecache

import (
	"log/slog"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
)

// Default values used when the matching Options field is zero.
const (
	DefaultCacheTimeout       = 20 * time.Minute
	DefaultCacheCheckInterval = 10 * time.Minute
	DefaultStaleTimeout       = 24 * time.Hour
	DefaultMaxToLive          = 4 * 24 * time.Hour
	DefaultStaleCheckInterval = time.Hour
	DefaultWriteBehind        = 2 * time.Second
	DefaultTouchWriteBehind   = time.Minute
)

// SweepOptions is the original's staleCleanupOptions: the background sweep
// that deletes expired session files. StaleTimeout and MaxToLive are also
// the store's expiry policy, enforced on every read (Get, Has, Keys), even
// when the background sweep is disabled.
type SweepOptions struct {
	// StaleTimeout: a session whose lastUsed is older than this is expired
	// (zero: 1 day; store.Disabled: no idle expiry).
	StaleTimeout time.Duration
	// MaxToLive: a session whose createdAt is older than this is expired,
	// however active (zero: 4 days; store.Disabled: no age limit).
	MaxToLive time.Duration
	// StaleCheckInterval: how often the sweep runs (zero: 1 hour;
	// store.Disabled: never, as does Options.DisableSweep). The first sweep
	// runs in the background right after Open, as in the original.
	StaleCheckInterval time.Duration
}

// Options configures Open. The zero value of every field except Dir means
// the documented default; store.Disabled (a negative duration) turns a
// timed feature off.
type Options struct {
	// Dir is the directory holding the <id>.rhfsession files (the
	// original's saveDirectory). Required; it must already exist.
	Dir string
	// Logger receives warnings (corrupted files, failed writes) and debug
	// messages. nil: discard.
	Logger *slog.Logger
	// CacheTimeout: a cached session whose lastUsed is older than this is
	// written (if changed) and evicted from memory by the periodic check
	// (zero: 20 min; store.Disabled: cached sessions are never evicted).
	CacheTimeout time.Duration
	// CacheCheckInterval: how often the eviction check runs (zero: 10 min;
	// store.Disabled: never). Each run also writes every changed cached
	// session, so touches that no Save announced reach the disk.
	CacheCheckInterval time.Duration
	// KeepUnused is the inverse of the original's deleteUnused (default
	// true): when false (the default), a session never used since it was
	// created (session.Used() == false) is evicted without being written.
	// Its file, written by Add, stays on disk as in the original, until the
	// sweep finds it stale. When true, such sessions are written like any
	// other (only if changed, which an unused session never is).
	KeepUnused bool
	// KeepCorrupted is the inverse of the original's deleteCorruptedSessions
	// (default true): when false (the default), a session file that cannot
	// be loaded is deleted with a warning; when true it is left in place
	// (still with a warning, and still answered as not found).
	KeepCorrupted bool
	// Sweep configures the stale sweep and the expiry policy.
	Sweep SweepOptions
	// DisableSweep turns the background stale sweep off (the original's
	// staleCleanupOptions: null). Expiry is still enforced on read.
	DisableSweep bool
	// NoSync turns fsync off (files and the directory). Writes stay atomic
	// (temporary file and rename) but may be lost on power failure.
	NoSync bool
	// WriteBehind bounds the delay between Save of a changed session and
	// its write to disk (zero: 2 s; store.Disabled: no write-behind, changes
	// are written at eviction and Close only, as in the original).
	WriteBehind time.Duration
	// TouchWriteBehind applies to sessions whose only change since they
	// were last written is a newer lastUsed (a request that set no cookie):
	// Save schedules their write-behind only once lastUsed is
	// TouchWriteBehind newer than the one in the file (zero: 1 minute;
	// store.Disabled: like any change). Every change, touches included, is
	// still written at eviction, by the periodic check, Flush and Close;
	// a crash may lose up to this much of lastUsed, never anything else.
	// It spares the disk a write per active session every WriteBehind.
	TouchWriteBehind time.Duration
	// Now returns the current time; nil means the system's wall clock
	// (time.Now, except on the hot path of Get, which reads the cheaper
	// monotonic clock and re-reads the wall clock at least every second, so
	// a step of the wall clock is seen within a second).
	Now func() time.Time
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	if d < 0 {
		return store.Disabled
	}
	return d
}

// resolved returns o with defaults applied.
func (o Options) resolved() Options {
	o.CacheTimeout = orDefault(o.CacheTimeout, DefaultCacheTimeout)
	o.CacheCheckInterval = orDefault(o.CacheCheckInterval, DefaultCacheCheckInterval)
	o.Sweep.StaleTimeout = orDefault(o.Sweep.StaleTimeout, DefaultStaleTimeout)
	o.Sweep.MaxToLive = orDefault(o.Sweep.MaxToLive, DefaultMaxToLive)
	o.Sweep.StaleCheckInterval = orDefault(o.Sweep.StaleCheckInterval, DefaultStaleCheckInterval)
	if o.DisableSweep {
		o.Sweep.StaleCheckInterval = store.Disabled
	}
	o.WriteBehind = orDefault(o.WriteBehind, DefaultWriteBehind)
	o.TouchWriteBehind = orDefault(o.TouchWriteBehind, DefaultTouchWriteBehind)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
