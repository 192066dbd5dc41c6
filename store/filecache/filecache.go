// Package filecache is the file cache session store (the original's
// RammerheadSessionFileCache): hot sessions live in memory, idle ones in
// <dir>/<id>.rhfsession files in the original's exact format, read back on
// demand and swept when stale.
//
// Beyond the original:
//
//   - Every write goes to a temporary file in the same directory (named
//     ".<id>.rhfsession.tmp-<random>", never ending in .rhfsession), is
//     fsynced (unless Options.NoSync), closed and renamed into place, so a
//     crash never leaves a half-written session. Add and AddSerialized also
//     fsync the directory before returning: an acknowledged creation or
//     import survives a crash. Leftover temporary files are removed at Open.
//   - Changed sessions are written behind within Options.WriteBehind of
//     their Save (2 s by default), so kill -9 loses at most that window.
//     A session whose only change is a newer lastUsed waits until it is
//     Options.TouchWriteBehind (1 minute) newer than the file's: kill -9
//     may lose that much of lastUsed, and nothing else.
//   - Keys and Has are answered from an in-memory index of the directory,
//     built at Open with one directory read and kept in step by every
//     write and delete; each sweep refreshes it (when the directory's
//     modification time changed) so that files written by another process
//     are found. A Has miss never touches the disk (files another process
//     added since the last sweep are not seen by Has); a Get miss tries the
//     file once, so Get finds them at once.
//   - The sweep works from the index: every file's modification time is
//     kept equal to its lastUsed, and createdAt/lastUsed of every file are
//     remembered in the index and in the side file <dir>/.rhfindex, so only
//     candidates for deletion (and files never seen before) are read, and
//     each deletion is confirmed against the file. A cached live session is
//     never deleted by the sweep.
//   - Expiry (Options.Sweep.StaleTimeout/MaxToLive) is also enforced on
//     read: Get and Has of an expired session answer not found and remove it.
//   - Corrupted files (not JSON, BOM, missing data or jar cookies, a
//     directory, ...) are logged and, unless Options.KeepCorrupted, deleted;
//     the answer is an error wrapping both store.ErrNotFound and
//     store.ErrCorrupted. One bad file never affects another session.
//   - Bulk writes (Close, the periodic eviction check, a write-behind
//     batch) run on up to GOMAXPROCS goroutines; each file is written with
//     bare system calls (create, write, fsync unless NoSync, set mtime,
//     close, rename).
//   - Safe for concurrent use. There is no store-wide lock held during I/O:
//     each session has its own write lock, and concurrent loads of one id
//     collapse into one read. A flush racing a request never loses an
//     update: the version serialized is recorded, and a later change makes
//     the session dirty again.
package filecache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"weak"

	"github.com/rammerhead-go/rammerhead/internal/clock"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

var (
	_ store.Store         = (*Cache)(nil)
	_ store.Peeker        = (*Cache)(nil)
	_ store.Lister        = (*Cache)(nil)
	_ store.Flusher       = (*Cache)(nil)
	_ store.StatsReporter = (*Cache)(nil)
)

// ErrNoDir reports a missing or unusable Options.Dir.
var ErrNoDir = errors.New("filecache: save directory missing")

// unknownVersion as an entry's written version forces the next write.
const unknownVersion = ^uint64(0)

// entry is one id in the cache map. While busy (ready not closed), it holds
// the id for a load, a creation, an import, a deletion or a sweep check;
// once ready it is either live (s != nil) or was removed from the map.
type entry struct {
	id    string
	ready chan struct{}
	done  atomic.Bool
	gone  atomic.Bool // deleted or evicted: no longer the cached copy
	s     atomic.Pointer[session.Session]

	wmu     sync.Mutex    // serializes writes and removal of this session
	written atomic.Uint64 // Version last written to the file
	// ContentVersion and lastUsed (ms) of the session when last written,
	// read before it was serialized (the file holds at least as much);
	// wContent is unknownVersion when not known.
	wContent atomic.Uint64
	wUsed    atomic.Int64
}

// mark is what a session's file holds of it: read before the session is
// serialized, so that changes landing meanwhile leave it dirty.
type mark struct {
	v, content uint64
	lastUsed   int64
}

// markOf returns s's mark. Version is read first: a touch stores lastUsed
// before it moves the version, so the lastUsed read is at least the one
// the version counts.
func markOf(s *session.Session) mark {
	v := s.Version()
	return mark{v: v, content: s.ContentVersion(), lastUsed: s.LastUsedMs()}
}

// setWritten records that e's file holds m.
func (e *entry) setWritten(m mark) {
	e.wContent.Store(m.content)
	e.wUsed.Store(m.lastUsed)
	e.written.Store(m.v)
}

// setWrittenVersion records that e's file holds version v, other details
// unknown.
func (e *entry) setWrittenVersion(v uint64) {
	e.setWritten(mark{v: v, content: unknownVersion})
}

func newEntry(id string) *entry {
	return &entry{id: id, ready: make(chan struct{})}
}

// Cache is the file cache store. Create it with Open; it is safe for
// concurrent use.
type Cache struct {
	dir    string
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	clock  *clock.Wall // nil when Options.Now is set
	expiry store.Expiry
	// expires: some expiry rule is on.
	expires bool
	sopts   *session.Options

	cache sync.Map // id -> *entry
	idx   *index
	// evicted remembers, weakly, sessions evicted while a request may still
	// hold them (id -> *evictedRec): a load of that id reuses the object
	// instead of reading the file, so there is never a second live copy
	// whose changes could be lost. Entries go away with their session.
	evicted sync.Map

	// Counters reported by Stats.
	nLoads, nFlushes, nCorrupted atomic.Uint64

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	stop      chan struct{}
	wg        sync.WaitGroup

	wbMu    sync.Mutex
	wbDirty map[*entry]struct{}
	wbKick  chan struct{}

	// hookBeforeRename, when set (tests only), runs after a temporary file
	// is written and before it is renamed into place; an error abandons the
	// write there, leaving the temporary file as a crash would.
	hookBeforeRename atomic.Pointer[func(tmp string) error]

	sweepMu  sync.Mutex
	dirMtime time.Time // directory mtime at the last trusted listing
}

// Open opens the store on opts.Dir, which must exist. It reads the
// directory's names once (removing temporary files left by a crash), loads
// the side index, and starts the background eviction, write-behind and
// sweep goroutines (stopped by Close).
func Open(opts Options) (*Cache, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("%w: Options.Dir is empty", ErrNoDir)
	}
	fi, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrNoDir, opts.Dir)
	}
	o := opts.resolved()
	c := &Cache{
		dir:     strings.TrimRight(o.Dir, string(os.PathSeparator)),
		opts:    o,
		log:     o.Logger,
		now:     o.Now,
		expiry:  store.Expiry{IdleTimeout: o.Sweep.StaleTimeout, MaxAge: o.Sweep.MaxToLive},
		sopts:   &session.Options{Now: o.Now},
		idx:     newIndex(),
		stop:    make(chan struct{}),
		wbDirty: make(map[*entry]struct{}),
		wbKick:  make(chan struct{}, 1),
	}
	if c.dir == "" {
		c.dir = string(os.PathSeparator)
	}
	if opts.Now == nil {
		c.clock = clock.NewWall()
	}
	c.expires = c.expiry.IdleTimeout > 0 || c.expiry.MaxAge > 0
	if err := c.refreshListing(true); err != nil {
		return nil, err
	}
	c.loadSideIndex()
	if o.CacheCheckInterval > 0 {
		c.goLoop(o.CacheCheckInterval, false, c.evictIdle)
	}
	if o.Sweep.StaleCheckInterval > 0 {
		c.goLoop(o.Sweep.StaleCheckInterval, true, c.sweep)
	}
	if o.WriteBehind > 0 {
		c.wg.Add(1)
		go c.writeBehindLoop()
	}
	return c, nil
}

// goLoop runs fn every interval (and once at start when immediate) until
// Close.
func (c *Cache) goLoop(interval time.Duration, immediate bool, fn func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if immediate {
			fn()
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

func (c *Cache) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

func validate(id string) error {
	if _, ok := parseHexKey(id); ok {
		return nil
	}
	if err := session.ValidateID(id); err != nil {
		return fmt.Errorf("filecache: %w", err)
	}
	return nil
}

func notFound(id string) error {
	return fmt.Errorf("filecache: session %q: %w", id, store.ErrNotFound)
}

// release publishes e: live with s, or (s == nil) removed from the map.
func (c *Cache) release(e *entry, s *session.Session) {
	if s != nil {
		e.s.Store(s)
	} else {
		c.cache.CompareAndDelete(e.id, e)
	}
	e.done.Store(true)
	close(e.ready)
}

// acquire returns the live cached entry of id, or claims id with a fresh
// busy entry (claimed true) that the caller must release.
func (c *Cache) acquire(ctx context.Context, id string) (e *entry, claimed bool, err error) {
	for {
		if v, ok := c.cache.Load(id); ok {
			e := v.(*entry)
			if !e.done.Load() {
				select {
				case <-e.ready:
				case <-ctx.Done():
					return nil, false, ctx.Err()
				}
			}
			if e.s.Load() != nil && !e.gone.Load() {
				return e, false, nil
			}
			if e.gone.Load() {
				// Being removed from the map right now: retry.
				c.cache.CompareAndDelete(id, e)
			}
			continue
		}
		ne := newEntry(id)
		if _, loaded := c.cache.LoadOrStore(id, ne); !loaded {
			return ne, true, nil
		}
	}
}

// cached returns the live cached session of id, if any, without waiting.
func (c *Cache) cachedLive(id string) (*entry, *session.Session) {
	v, ok := c.cache.Load(id)
	if !ok {
		return nil, nil
	}
	e := v.(*entry)
	if !e.done.Load() || e.gone.Load() {
		return nil, nil
	}
	return e, e.s.Load()
}

func (c *Cache) cutoffs(now time.Time) cutoffs {
	var k cutoffs
	if c.expiry.IdleTimeout > 0 {
		k.idle = now.Add(-c.expiry.IdleTimeout).UnixMilli()
		// Strictly greater: expired when now-lastUsed > timeout, i.e.
		// lastUsed < now-timeout (ms resolution, rounding up).
		if now.Add(-c.expiry.IdleTimeout).Sub(time.UnixMilli(k.idle)) > 0 {
			k.idle++
		}
	}
	if c.expiry.MaxAge > 0 {
		k.age = now.Add(-c.expiry.MaxAge).UnixMilli()
		if now.Add(-c.expiry.MaxAge).Sub(time.UnixMilli(k.age)) > 0 {
			k.age++
		}
	}
	return k
}

// expired is store.Expiry.SessionExpired, asking about the pin (which
// takes the session's lock) only of a session otherwise expired.
func (c *Cache) expired(s *session.Session, now time.Time) bool {
	if !c.expires || !c.expiry.Expired(s.CreatedAt(), s.LastUsed(), now) {
		return false
	}
	return !s.Pinned()
}

// expiredMs is expired with now in Unix milliseconds (the hot path).
func (c *Cache) expiredMs(s *session.Session, nowMs int64) bool {
	if !c.expires || !c.expiry.ExpiredMs(s.CreatedAtMs(), s.LastUsedMs(), nowMs) {
		return false
	}
	return !s.Pinned()
}

// nowMs returns the current time in Unix milliseconds: Options.Now's, or
// the wall clock read cheaply (see clock.Wall).
func (c *Cache) nowMs() int64 {
	if c.clock != nil {
		return c.clock.NowMs()
	}
	return c.now().UnixMilli()
}

// filePinned reports whether the session file at p is pinned
// (session.Pinned). The sweep asks only about files that look expired, so
// the whole file is read and parsed only for those that mention the key.
func (c *Cache) filePinned(p string) bool {
	b, done, err := readPooled(p)
	defer done()
	if err != nil || !bytes.Contains(b, []byte(`"`+session.KeyPinned+`"`)) {
		return false
	}
	s, err := session.Deserialize("pinned-check", b, c.sopts)
	return err == nil && s.Pinned()
}

// Keys returns the ids of every session on disk or cached (cached sessions
// always have a file), from the in-memory index; expired ones are left out.
func (c *Cache) Keys(ctx context.Context) ([]string, error) {
	if c.closed.Load() {
		return nil, store.ErrClosed
	}
	now := c.now()
	return c.idx.keys(c.cutoffs(now), func(id string) bool {
		// The file's timestamps say expired; a cached copy may be fresher.
		_, s := c.cachedLive(id)
		return s != nil && !c.expired(s, now)
	}), nil
}

// Has reports whether the session exists and has not expired, from the
// cache and the index (a miss never touches the disk). An expired session
// is removed.
func (c *Cache) Has(ctx context.Context, id string) (bool, error) {
	if c.closed.Load() {
		return false, store.ErrClosed
	}
	// Every cached session has a file, so the index answers misses alone
	// (a creation not yet acknowledged may be missed, as it should).
	m, ok, err := c.idx.lookup(id)
	if err != nil || !ok {
		return false, err
	}
	if e, s := c.cachedLive(id); s != nil {
		if c.expired(s, c.now()) {
			c.removeLive(e)
			return false, nil
		}
		return true, nil
	}
	now := c.now()
	if m.known() && !c.cutoffs(now).expired(m) {
		return true, nil
	}
	// Unknown timestamps, or expired by the index: confirm with the file.
	return c.checkFile(ctx, id, now)
}

// checkFile confirms the index's view of an uncached id against its file:
// it refreshes the timestamps, deletes the file if expired, and reports
// whether a live session remains.
func (c *Cache) checkFile(ctx context.Context, id string, now time.Time) (bool, error) {
	e, claimed, err := c.acquire(ctx, id)
	if err != nil {
		return false, err
	}
	if !claimed {
		s := e.s.Load()
		if c.expired(s, now) {
			c.removeLive(e)
			return false, nil
		}
		return true, nil
	}
	defer c.release(e, nil)
	return c.checkFileClaimed(id, now), nil
}

// checkFileClaimed is checkFile with id already claimed.
func (c *Cache) checkFileClaimed(id string, now time.Time) bool {
	p := c.path(id)
	created, lastUsed, err := readStamps(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c.idx.remove(id)
			return false
		}
		c.corrupted(id, err)
		if !c.opts.KeepCorrupted {
			return false
		}
		// Kept: it exists (as in the original's has), with its mtime as
		// timestamps, so the sweep removes it once stale.
		var mt int64 = 1
		if fi, serr := os.Stat(p); serr == nil && fi.ModTime().UnixMilli() > 0 {
			mt = fi.ModTime().UnixMilli()
		}
		created, lastUsed = mt, mt
	}
	m := meta{created: created, lastUsed: lastUsed}
	if c.cutoffs(now).expired(m) && c.filePinned(p) {
		m.pinned = true
	}
	if c.cutoffs(now).expired(m) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("filecache: cannot delete expired session", "id", id, "err", err)
		} else {
			c.log.Debug("filecache: deleted expired session", "id", id)
		}
		c.evicted.Delete(id)
		c.idx.remove(id)
		return false
	}
	c.idx.put(id, created, lastUsed, m.pinned)
	return true
}

// corrupted logs a session file that cannot be loaded and, unless
// KeepCorrupted, deletes it.
func (c *Cache) corrupted(id string, reason error) {
	c.nCorrupted.Add(1)
	if c.opts.KeepCorrupted {
		c.log.Warn("filecache: corrupted session file kept", "id", id, "reason", reason.Error())
		return
	}
	err := os.Remove(c.path(id))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("filecache: corrupted session file, cannot delete it", "id", id, "reason", reason.Error(), "err", err)
		return
	}
	c.idx.remove(id)
	c.log.Warn("filecache: corrupted session file deleted", "id", id, "reason", reason.Error())
}

// evictedRec is a weak record of an evicted session.
type evictedRec struct {
	id      string
	s       weak.Pointer[session.Session]
	written uint64 // Version last written to the file
}

// rememberEvicted records s, just evicted, until it is collected.
func (c *Cache) rememberEvicted(id string, s *session.Session, written uint64) {
	rec := &evictedRec{id: id, s: weak.Make(s), written: written}
	c.evicted.Store(id, rec)
	runtime.AddCleanup(s, func(r *evictedRec) { c.evicted.CompareAndDelete(r.id, r) }, rec)
}

// takeEvicted returns the evicted session of id if something still holds
// it, and forgets the record either way.
func (c *Cache) takeEvicted(id string) (*session.Session, uint64, bool) {
	v, ok := c.evicted.LoadAndDelete(id)
	if !ok {
		return nil, 0, false
	}
	rec := v.(*evictedRec)
	s := rec.s.Value()
	return s, rec.written, s != nil
}

// Get returns the session, loading it from its file when not cached (the
// first Get of an id not in the index also tries the file, so sessions
// written by another process are found). With touch, lastUsed is set to
// now. Missing or expired: ErrNotFound; a corrupted file: an error wrapping
// ErrNotFound and ErrCorrupted.
func (c *Cache) Get(ctx context.Context, id string, touch bool) (*session.Session, error) {
	if c.closed.Load() {
		return nil, store.ErrClosed
	}
	if e, s := c.cachedLive(id); s != nil {
		return c.serve(e, s, touch)
	}
	if err := validate(id); err != nil {
		return nil, err
	}
	e, claimed, err := c.acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	if !claimed {
		return c.serve(e, e.s.Load(), touch)
	}
	s, written, reused := c.takeEvicted(id)
	m := mark{v: written, content: unknownVersion}
	if !reused {
		s, err = c.loadFile(id)
		if err != nil {
			c.release(e, nil)
			return nil, err
		}
		m = markOf(s)
	}
	now := c.now()
	if c.expired(s, now) {
		c.removeFile(id)
		c.release(e, nil)
		return nil, notFound(id)
	}
	e.setWritten(m)
	c.idx.put(id, s.CreatedAt().UnixMilli(), s.LastUsed().UnixMilli(), s.Pinned())
	if touch {
		s.Touch(now)
	}
	c.release(e, s)
	return s, nil
}

func (c *Cache) serve(e *entry, s *session.Session, touch bool) (*session.Session, error) {
	if !touch && !c.expires {
		return s, nil
	}
	now := c.nowMs()
	if c.expires && c.expiredMs(s, now) {
		c.removeLive(e)
		return nil, notFound(e.id)
	}
	if touch {
		s.TouchMs(now)
	}
	return s, nil
}

// loadFile reads and parses the file of id.
func (c *Cache) loadFile(id string) (*session.Session, error) {
	b, done, err := readPooled(c.path(id))
	defer done()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c.idx.remove(id)
			return nil, notFound(id)
		}
		if errors.Is(err, syscall.EISDIR) {
			c.corrupted(id, errors.New("is a directory"))
			return nil, fmt.Errorf("filecache: session %q: %w: %w: is a directory", id, store.ErrNotFound, store.ErrCorrupted)
		}
		return nil, fmt.Errorf("filecache: read session %q: %w", id, err)
	}
	s, err := session.Deserialize(id, b, c.sopts)
	if err == nil {
		c.nLoads.Add(1)
	}
	if err != nil {
		c.corrupted(id, err)
		if !errors.Is(err, store.ErrCorrupted) {
			err = fmt.Errorf("%w: %w", store.ErrCorrupted, err)
		}
		return nil, fmt.Errorf("filecache: session %q: %w: %w", id, store.ErrNotFound, err)
	}
	return s, nil
}

// removeFile deletes the file of id and forgets it.
func (c *Cache) removeFile(id string) bool {
	c.evicted.Delete(id)
	existed := c.idx.remove(id)
	if err := os.Remove(c.path(id)); err == nil {
		existed = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.log.Warn("filecache: cannot delete session file", "id", id, "err", err)
	}
	return existed
}

// removeLive deletes a cached session everywhere.
func (c *Cache) removeLive(e *entry) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.gone.Load() {
		return
	}
	c.cache.CompareAndDelete(e.id, e)
	e.gone.Store(true)
	c.removeFile(e.id)
}

// Add creates a fresh session under id, writes its file (fsynced with its
// directory unless NoSync) and caches it. An id in use: ErrExists.
func (c *Cache) Add(ctx context.Context, id string) (*session.Session, error) {
	if c.closed.Load() {
		return nil, store.ErrClosed
	}
	if err := validate(id); err != nil {
		return nil, err
	}
	var e *entry
	for {
		var claimed bool
		var err error
		e, claimed, err = c.acquire(ctx, id)
		if err != nil {
			return nil, err
		}
		if claimed {
			break
		}
		// An expired session does not hold on to its id.
		if s := e.s.Load(); s == nil || !c.expired(s, c.now()) {
			return nil, fmt.Errorf("filecache: session %q: %w", id, store.ErrExists)
		}
		c.removeLive(e)
	}
	now := c.now()
	if m, ok := c.idx.get(id); ok {
		if !m.known() || !c.cutoffs(now).expired(m) || c.checkFileClaimed(id, now) {
			c.release(e, nil)
			return nil, fmt.Errorf("filecache: session %q: %w", id, store.ErrExists)
		}
	} else if pathExists(c.path(id)) {
		// Written by another process since the last listing.
		c.release(e, nil)
		return nil, fmt.Errorf("filecache: session %q: %w", id, store.ErrExists)
	}
	s := session.New(id, c.sopts)
	m := markOf(s)
	if err := c.writeSession(id, s, true); err != nil {
		c.release(e, nil)
		return nil, err
	}
	e.setWritten(m)
	c.release(e, s)
	return s, nil
}

// writeSession serializes s and writes its file (mtime = lastUsed), then
// records its timestamps in the index. It returns the version written.
func (c *Cache) writeSession(id string, s *session.Session, durable bool) error {
	b, err := s.Serialize()
	if err != nil {
		return fmt.Errorf("filecache: serialize %q: %w", id, err)
	}
	lu := s.LastUsed()
	if err := c.writeAtomic(id+Ext, b, &lu); err != nil {
		return err
	}
	if durable {
		if err := c.syncDir(); err != nil {
			return err
		}
	}
	c.idx.put(id, s.CreatedAt().UnixMilli(), lu.UnixMilli(), s.Pinned())
	c.nFlushes.Add(1)
	return nil
}

// Peek returns the session as stored (store.Peeker): the cached copy, or
// one parsed from its file without caching it, touching it or applying
// expiry. A corrupted file is reported (wrapping ErrNotFound and
// ErrCorrupted) but neither logged nor deleted.
func (c *Cache) Peek(ctx context.Context, id string) (*session.Session, error) {
	if c.closed.Load() {
		return nil, store.ErrClosed
	}
	if err := validate(id); err != nil {
		return nil, err
	}
	if _, s := c.cachedLive(id); s != nil {
		return s, nil
	}
	if s, _, ok := c.peekEvicted(id); ok {
		return s, nil
	}
	b, done, err := readPooled(c.path(id))
	defer done()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound(id)
		}
		return nil, fmt.Errorf("filecache: read session %q: %w", id, err)
	}
	s, err := session.Deserialize(id, b, c.sopts)
	if err != nil {
		return nil, fmt.Errorf("filecache: session %q: %w: %w", id, store.ErrNotFound, err)
	}
	return s, ctx.Err()
}

// AllKeys returns the id of every session file and cached session,
// expired ones not swept yet included (store.Lister).
func (c *Cache) AllKeys(ctx context.Context) ([]string, error) {
	if c.closed.Load() {
		return nil, store.ErrClosed
	}
	return c.idx.keys(cutoffs{}, nil), ctx.Err()
}

// Flush writes the cached session id now if it changed since last written,
// and syncs it with the directory (unless NoSync) before returning
// (store.Flusher). A session that is not cached is already on disk.
func (c *Cache) Flush(ctx context.Context, id string) error {
	if c.closed.Load() {
		return store.ErrClosed
	}
	if err := validate(id); err != nil {
		return err
	}
	e, s := c.cachedLive(id)
	if s == nil {
		return ctx.Err()
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.gone.Load() {
		return ctx.Err()
	}
	m := markOf(s)
	if m.v == e.written.Load() {
		return ctx.Err()
	}
	if err := c.writeSession(id, s, true); err != nil {
		return err
	}
	e.setWritten(m)
	return ctx.Err()
}

// peekEvicted returns a still-held evicted session without forgetting it.
func (c *Cache) peekEvicted(id string) (*session.Session, uint64, bool) {
	v, ok := c.evicted.Load(id)
	if !ok {
		return nil, 0, false
	}
	rec := v.(*evictedRec)
	s := rec.s.Value()
	return s, rec.written, s != nil
}

// Stats reports sessions cached and on disk, and the load, flush and
// corrupted-file counters (store.StatsReporter).
func (c *Cache) Stats() store.Stats {
	var inMem int64
	c.cache.Range(func(_, v any) bool {
		if e := v.(*entry); e.done.Load() && !e.gone.Load() && e.s.Load() != nil {
			inMem++
		}
		return true
	})
	return store.Stats{
		InMemory:  inMem,
		OnDisk:    int64(c.idx.len()),
		Loads:     c.nLoads.Load(),
		Flushes:   c.nFlushes.Load(),
		Corrupted: c.nCorrupted.Load(),
	}
}

// Delete removes the session from memory and disk and reports whether it
// existed.
func (c *Cache) Delete(ctx context.Context, id string) (bool, error) {
	if c.closed.Load() {
		return false, store.ErrClosed
	}
	if err := validate(id); err != nil {
		return false, err
	}
	e, claimed, err := c.acquire(ctx, id)
	if err != nil {
		return false, err
	}
	if claimed {
		existed := c.removeFile(id)
		c.release(e, nil)
		return existed, nil
	}
	c.removeLive(e)
	return true, nil
}

// AddSerialized imports a serialized session under id, replacing any
// existing one (the cached copy too). The imported session is touched, as
// the memory store does, so it starts live. Its file is written and
// fsynced with the directory before AddSerialized returns. Invalid text:
// an error wrapping ErrCorrupted, and nothing changes.
func (c *Cache) AddSerialized(ctx context.Context, id string, data []byte) error {
	if c.closed.Load() {
		return store.ErrClosed
	}
	if err := validate(id); err != nil {
		return err
	}
	s, err := session.Deserialize(id, data, c.sopts)
	if err != nil {
		if !errors.Is(err, store.ErrCorrupted) {
			err = fmt.Errorf("%w: %w", store.ErrCorrupted, err)
		}
		return fmt.Errorf("filecache: import %q: %w", id, err)
	}
	s.Touch(c.now())
	e, claimed, err := c.acquire(ctx, id)
	if err != nil {
		return err
	}
	if claimed {
		c.evicted.Delete(id) // the import replaces an evicted copy
		err := c.writeSession(id, s, true)
		c.release(e, nil)
		return err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.gone.Load() {
		// Removed meanwhile: write the file alone.
		return c.writeSession(id, s, true)
	}
	m := markOf(s)
	if err := c.writeSession(id, s, true); err != nil {
		return err
	}
	// The marks first: a Save of s right after e.s.Store must compare
	// against s's marks, not the replaced session's.
	e.setWritten(m)
	e.s.Store(s)
	return nil
}

// Save schedules the write-behind of s's changes (within
// Options.WriteBehind; with write-behind disabled, they are written at
// eviction or Close). A session evicted meanwhile is cached again; a
// session deleted meanwhile gives ErrNotFound. When the id is cached with
// another copy (s was replaced by AddSerialized or reloaded after
// eviction), s is stale and is not written.
func (c *Cache) Save(ctx context.Context, s *session.Session) error {
	if c.closed.Load() {
		return store.ErrClosed
	}
	if s == nil {
		return errors.New("filecache: Save of a nil session")
	}
	id := s.ID()
	if err := validate(id); err != nil {
		return err
	}
	e, claimed, err := c.acquire(ctx, id)
	if err != nil {
		return err
	}
	if claimed {
		if _, ok := c.idx.get(id); !ok {
			if _, err := os.Lstat(c.path(id)); err != nil {
				c.release(e, nil)
				return notFound(id)
			}
		}
		// Only the copy that was evicted may come back: a copy replaced
		// meanwhile (AddSerialized, Delete and re-Add) is stale, and
		// writing it would undo the replacement.
		held, written, ok := c.peekEvicted(id)
		if !ok || held != s {
			c.release(e, nil)
			c.log.Debug("filecache: Save of a stale copy ignored", "id", id)
			return nil
		}
		c.evicted.Delete(id) // s is cached again
		e.setWrittenVersion(written)
		c.release(e, s)
	} else if e.s.Load() != s {
		c.log.Debug("filecache: Save of a stale copy ignored", "id", id)
		return nil
	}
	c.markDirty(e)
	return nil
}

func (c *Cache) markDirty(e *entry) {
	if c.opts.WriteBehind <= 0 {
		return
	}
	if s := e.s.Load(); s != nil {
		if s.Version() == e.written.Load() {
			return
		}
		if tw := c.opts.TouchWriteBehind; tw > 0 && s.ContentVersion() == e.wContent.Load() &&
			s.LastUsedMs()-e.wUsed.Load() < tw.Milliseconds() {
			return // only touched, and the file's lastUsed is recent enough
		}
	}
	c.wbMu.Lock()
	c.wbDirty[e] = struct{}{}
	c.wbMu.Unlock()
	select {
	case c.wbKick <- struct{}{}:
	default:
	}
}

// flush writes e's session if it changed since last written. It reports
// whether a file was written.
func (c *Cache) flush(e *entry) (bool, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	return c.flushLocked(e)
}

func (c *Cache) flushLocked(e *entry) (bool, error) {
	if e.gone.Load() {
		return false, nil
	}
	s := e.s.Load()
	if s == nil {
		return false, nil
	}
	// Read the version before serializing: a change landing in between
	// leaves the session dirty, so it is written again later.
	m := markOf(s)
	if m.v == e.written.Load() {
		return false, nil
	}
	if err := c.writeSession(e.id, s, false); err != nil {
		c.log.Warn("filecache: cannot write session", "id", e.id, "err", err)
		return false, err
	}
	e.setWritten(m)
	return true, nil
}

func (c *Cache) writeBehindLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.wbKick:
		}
		t := time.NewTimer(c.opts.WriteBehind)
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-t.C:
		}
		c.wbMu.Lock()
		batch := make([]*entry, 0, len(c.wbDirty))
		for e := range c.wbDirty {
			batch = append(batch, e)
		}
		clear(c.wbDirty)
		c.wbMu.Unlock()
		wrote, _ := c.parallel(batch, func(e *entry) (bool, error) { return c.flush(e) })
		if wrote {
			if err := c.syncDir(); err != nil {
				c.log.Warn("filecache: write-behind", "err", err)
			}
		}
	}
}

// liveEntries returns the cached entries that are ready and not gone.
func (c *Cache) liveEntries() []*entry {
	var out []*entry
	c.cache.Range(func(_, v any) bool {
		if e := v.(*entry); e.done.Load() && !e.gone.Load() {
			out = append(out, e)
		}
		return true
	})
	return out
}

// parallel runs fn on every entry with up to GOMAXPROCS workers (file
// writes spend much of their time in system calls, and each entry has its
// own lock). It reports whether any call returned true, and the errors.
func (c *Cache) parallel(es []*entry, fn func(*entry) (bool, error)) (bool, []error) {
	workers := min(runtime.GOMAXPROCS(0), len(es))
	if workers <= 1 {
		var wrote bool
		var errs []error
		for _, e := range es {
			ok, err := fn(e)
			wrote = wrote || ok
			if err != nil {
				errs = append(errs, err)
			}
		}
		return wrote, errs
	}
	var (
		next  atomic.Int64
		wrote atomic.Bool
		mu    sync.Mutex
		errs  []error
		wg    sync.WaitGroup
	)
	const chunk = 16
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(chunk)) - chunk
				if i >= len(es) {
					return
				}
				for _, e := range es[i:min(i+chunk, len(es))] {
					ok, err := fn(e)
					if ok {
						wrote.Store(true)
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	return wrote.Load(), errs
}

// evictIdle writes and evicts cached sessions idle for longer than
// CacheTimeout, and writes every other changed cached session.
func (c *Cache) evictIdle() {
	now := c.now()
	wrote, _ := c.parallel(c.liveEntries(), func(e *entry) (bool, error) {
		if c.stopping() {
			return false, nil
		}
		s := e.s.Load()
		if s == nil {
			return false, nil
		}
		if c.opts.CacheTimeout > 0 && now.Sub(s.LastUsed()) > c.opts.CacheTimeout {
			return c.evict(e, s), nil
		}
		return c.flush(e)
	})
	if wrote {
		if err := c.syncDir(); err != nil {
			c.log.Warn("filecache: eviction", "err", err)
		}
	}
}

// evict writes e (unless unused and KeepUnused is off) and drops it from
// memory. It reports whether a file was written.
func (c *Cache) evict(e *entry, s *session.Session) bool {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.gone.Load() {
		return false
	}
	wrote := false
	if s.Used() || c.opts.KeepUnused {
		ok, err := c.flushLocked(e)
		if err != nil {
			return false // keep it cached; retried next time
		}
		wrote = ok
	}
	c.cache.CompareAndDelete(e.id, e)
	e.gone.Store(true)
	if s.Used() && s.Version() != e.written.Load() {
		// Changed by a request that raced the eviction: write again.
		e.gone.Store(false)
		if ok, _ := c.flushLocked(e); ok {
			wrote = true
		}
		e.gone.Store(true)
	}
	c.rememberEvicted(e.id, s, e.written.Load())
	c.log.Debug("filecache: evicted idle session", "id", e.id, "written", wrote)
	return wrote
}

// Close stops the background goroutines, writes every changed cached
// session (and the side index), and fsyncs the directory. It is
// idempotent; later calls of any method return ErrClosed.
func (c *Cache) Close() error {
	first := false
	c.closeOnce.Do(func() {
		first = true
		c.closed.Store(true)
		close(c.stop)
		c.wg.Wait()
		_, errs := c.parallel(c.liveEntries(), func(e *entry) (bool, error) {
			if s := e.s.Load(); s != nil && !s.Used() && !c.opts.KeepUnused {
				return false, nil
			}
			return c.flush(e)
		})
		if err := c.saveSideIndex(); err != nil {
			c.log.Warn("filecache: cannot write side index", "err", err)
		}
		if err := c.syncDir(); err != nil {
			errs = append(errs, err)
		}
		c.closeErr = errors.Join(errs...)
	})
	if !first {
		return store.ErrClosed
	}
	return c.closeErr
}
