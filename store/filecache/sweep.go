package filecache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
)

// listBatch is how many names one directory read returns at a time.
const listBatch = 4096

// refreshListing reads the directory's names and brings the index in step:
// new .rhfsession files are added (timestamps unknown), entries whose file
// is gone (confirmed with a stat) are removed. Unless force, it does nothing
// when the directory's modification time did not change since the last
// trusted listing. At Open (atStart), temporary files left by a crash are
// removed.
func (c *Cache) refreshListing(atStart bool) error {
	fi, err := os.Stat(c.dir)
	if err != nil {
		return fmt.Errorf("filecache: stat directory: %w", err)
	}
	if !atStart && !c.dirMtime.IsZero() && fi.ModTime().Equal(c.dirMtime) {
		return nil
	}
	d, err := os.Open(c.dir)
	if err != nil {
		return fmt.Errorf("filecache: open directory: %w", err)
	}
	defer d.Close()
	epoch := c.idx.newEpoch()
	ids := make([]string, 0, listBatch)
	for {
		names, err := d.Readdirnames(listBatch)
		ids = ids[:0]
		for _, name := range names {
			if id, ok := strings.CutSuffix(name, Ext); ok {
				if validate(id) == nil {
					ids = append(ids, id)
				}
				continue
			}
			if atStart && isTempName(name) {
				if rerr := os.Remove(c.dir + string(os.PathSeparator) + name); rerr == nil {
					c.log.Info("filecache: removed leftover temporary file", "name", name)
				}
			}
		}
		c.idx.mark(ids, epoch)
		if err == io.EOF || len(names) == 0 {
			break
		}
		if err != nil {
			return fmt.Errorf("filecache: read directory: %w", err)
		}
	}
	if !atStart {
		for _, id := range c.idx.unseen(epoch) {
			if _, s := c.cachedLive(id); s != nil {
				continue
			}
			if _, err := os.Lstat(c.path(id)); errors.Is(err, fs.ErrNotExist) {
				c.idx.removeIfStale(id, epoch)
			}
		}
	}
	// A change in the same clock tick as our stat would not move the
	// directory's mtime: trust it only when it is clearly in the past.
	if time.Since(fi.ModTime()) > 2*time.Second {
		c.dirMtime = fi.ModTime()
	} else {
		c.dirMtime = time.Time{}
	}
	return nil
}

// sweep deletes expired session files: it refreshes the listing, picks the
// candidates from the index (unknown timestamps, or expired ones), and
// confirms each against its file before deleting it. Cached live sessions
// are never deleted; cached expired ones are removed. It then saves the side
// index.
func (c *Cache) sweep() {
	c.sweepMu.Lock()
	defer c.sweepMu.Unlock()
	if err := c.refreshListing(false); err != nil {
		c.log.Warn("filecache: sweep", "err", err)
	}
	if c.expiry.IdleTimeout <= 0 && c.expiry.MaxAge <= 0 {
		return
	}
	now := c.now()
	cands := c.idx.candidates(c.cutoffs(now))
	deleted := 0
	for _, id := range cands {
		if c.stopping() {
			return
		}
		if !c.sweepOne(id, now) {
			deleted++
		}
	}
	if deleted > 0 {
		c.log.Debug("filecache: sweep deleted expired sessions", "count", deleted)
	}
	if err := c.saveSideIndex(); err != nil {
		c.log.Warn("filecache: cannot write side index", "err", err)
	}
}

// sweepOne checks one candidate and reports whether it is still live.
func (c *Cache) sweepOne(id string, now time.Time) bool {
	if e, s := c.cachedLive(id); s != nil {
		if c.expired(s, now) {
			c.removeLive(e)
			return false
		}
		return true
	}
	ne := newEntry(id)
	if _, loaded := c.cache.LoadOrStore(id, ne); loaded {
		return true // busy or cached right now: not ours to delete
	}
	defer c.release(ne, nil)
	return c.checkFileClaimed(id, now)
}

// Sweep runs one stale sweep now (as the background sweep does every
// Options.Sweep.StaleCheckInterval) and returns when it is done.
func (c *Cache) Sweep(ctx context.Context) error {
	if c.closed.Load() {
		return store.ErrClosed
	}
	c.sweep()
	return ctx.Err()
}
