package filecache

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/rammerhead-go/rammerhead/session"
)

// hexKey is the compact form of a 32-character lowercase hex id.
type hexKey [16]byte

// meta is what the index knows of one session file: its createdAt and
// lastUsed in Unix milliseconds (0: not known yet) and the epoch of the
// directory listing that last saw it.
type meta struct {
	created  int64
	lastUsed int64
	epoch    uint32
	pinned   bool // session.Pinned: never expires
}

func (m meta) known() bool { return m.created != 0 && m.lastUsed != 0 }

// index is the in-memory image of the directory: one entry per
// <id>.rhfsession file. Lowercase 32-hex ids (every id the original and
// session.NewID make) are kept as 16-byte keys; other valid ids as strings.
// The lock is held for map operations only, never during I/O.
type index struct {
	mu    sync.RWMutex
	hex   map[hexKey]meta
	str   map[string]meta
	epoch uint32
	dirty bool // changed since the side index was written
	// snap is the answer of keys while it stays valid (nil: none). It is
	// stored under the read lock and dropped under the write lock by any
	// change that could alter that answer: a key added or removed, or
	// timestamps older than those it was built with.
	snap atomic.Pointer[keysSnap]
}

// keysSnap is a list of every id of the index, built when none of them was
// expired: it holds while no key is added or removed and the expiry
// cutoffs stay at or below the oldest timestamps of its entries.
type keysSnap struct {
	ids         []string
	minCreated  int64 // oldest createdAt of a known, unpinned entry
	minLastUsed int64 // oldest lastUsed of a known, unpinned entry
}

// valid reports whether no entry of the snapshot is expired under c.
func (sn *keysSnap) valid(c cutoffs) bool {
	return (c.idle == 0 || c.idle <= sn.minLastUsed) && (c.age == 0 || c.age <= sn.minCreated)
}

// updated drops the keys snapshot if m (the new meta of an existing entry)
// could make an entry expire before the snapshot says. Call with mu held.
func (x *index) updated(m meta) {
	if sn := x.snap.Load(); sn != nil && m.known() && !m.pinned &&
		(m.lastUsed < sn.minLastUsed || m.created < sn.minCreated) {
		x.snap.Store(nil)
	}
}

func newIndex() *index {
	return &index{hex: make(map[hexKey]meta), str: make(map[string]meta), epoch: 1}
}

var unhexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()

// parseHexKey converts a 32-character lowercase hex id to its key.
func parseHexKey(id string) (k hexKey, ok bool) {
	if len(id) != 32 {
		return k, false
	}
	for i := range 16 {
		hi, lo := unhexTable[id[2*i]], unhexTable[id[2*i+1]]
		if hi|lo == 0xff || hi > 15 || lo > 15 {
			return k, false
		}
		k[i] = hi<<4 | lo
	}
	return k, true
}

const hexDigits = "0123456789abcdef"

func (k hexKey) appendTo(b []byte) []byte {
	n := len(b)
	b = append(b, make([]byte, 32)...)
	k.encode((*[32]byte)(b[n:]))
	return b
}

// hexPairs[b] is the two lowercase hex digits of b.
var hexPairs = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigits[i>>4], hexDigits[i&15]}
	}
	return t
}()

func (k *hexKey) encode(dst *[32]byte) {
	for i, c := range k {
		p := hexPairs[c]
		dst[2*i], dst[2*i+1] = p[0], p[1]
	}
}

func (k hexKey) String() string { return string(k.appendTo(make([]byte, 0, 32))) }

// lookup validates id and looks it up.
func (x *index) lookup(id string) (m meta, ok bool, err error) {
	k, isHex := parseHexKey(id)
	if !isHex {
		if err := session.ValidateID(id); err != nil {
			return m, false, fmt.Errorf("filecache: %w", err)
		}
	}
	x.mu.RLock()
	if isHex {
		m, ok = x.hex[k]
	} else {
		m, ok = x.str[id]
	}
	x.mu.RUnlock()
	return m, ok, nil
}

func (x *index) get(id string) (meta, bool) {
	var m meta
	var ok bool
	x.mu.RLock()
	if k, isHex := parseHexKey(id); isHex {
		m, ok = x.hex[k]
	} else {
		m, ok = x.str[id]
	}
	x.mu.RUnlock()
	return m, ok
}

// put records that the file of id exists with those timestamps (ms).
func (x *index) put(id string, created, lastUsed int64, pinned bool) {
	x.mu.Lock()
	m := meta{created: created, lastUsed: lastUsed, epoch: x.epoch, pinned: pinned}
	var old meta
	var had bool
	if k, ok := parseHexKey(id); ok {
		old, had = x.hex[k]
		x.hex[k] = m
	} else {
		old, had = x.str[id]
		x.str[id] = m
	}
	if !had || old.pinned && !m.pinned {
		x.snap.Store(nil)
	} else {
		x.updated(m)
	}
	x.dirty = true
	x.mu.Unlock()
}

// remove forgets id and reports whether it was known.
func (x *index) remove(id string) bool {
	x.mu.Lock()
	var ok bool
	if k, isHex := parseHexKey(id); isHex {
		_, ok = x.hex[k]
		delete(x.hex, k)
	} else {
		_, ok = x.str[id]
		delete(x.str, id)
	}
	if ok {
		x.dirty = true
		x.snap.Store(nil)
	}
	x.mu.Unlock()
	return ok
}

// removeIfStale forgets id only if no listing or write has seen it since
// epoch began.
func (x *index) removeIfStale(id string, epoch uint32) {
	x.mu.Lock()
	if k, isHex := parseHexKey(id); isHex {
		if m, ok := x.hex[k]; ok && m.epoch != epoch {
			delete(x.hex, k)
			x.dirty = true
			x.snap.Store(nil)
		}
	} else if m, ok := x.str[id]; ok && m.epoch != epoch {
		delete(x.str, id)
		x.dirty = true
		x.snap.Store(nil)
	}
	x.mu.Unlock()
}

// mark records a batch of ids found by the directory listing of epoch;
// unknown ids are added without timestamps.
func (x *index) mark(ids []string, epoch uint32) {
	x.mu.Lock()
	for _, id := range ids {
		if k, ok := parseHexKey(id); ok {
			m, had := x.hex[k]
			m.epoch = epoch
			x.hex[k] = m
			if !had {
				x.snap.Store(nil)
			}
		} else {
			m, had := x.str[id]
			m.epoch = epoch
			x.str[id] = m
			if !had {
				x.snap.Store(nil)
			}
		}
	}
	x.mu.Unlock()
}

// newEpoch starts a directory listing.
func (x *index) newEpoch() uint32 {
	x.mu.Lock()
	x.epoch++
	e := x.epoch
	x.mu.Unlock()
	return e
}

// unseen returns the ids not seen since epoch began.
func (x *index) unseen(epoch uint32) []string {
	var out []string
	x.mu.RLock()
	for k, m := range x.hex {
		if m.epoch != epoch {
			out = append(out, k.String())
		}
	}
	for id, m := range x.str {
		if m.epoch != epoch {
			out = append(out, id)
		}
	}
	x.mu.RUnlock()
	return out
}

// cutoffs are expiry thresholds in Unix milliseconds: a file is expired
// when lastUsed < idle or created < age (0: rule off).
type cutoffs struct{ idle, age int64 }

func (c cutoffs) expired(m meta) bool {
	if m.pinned {
		return false
	}
	return (c.idle != 0 && m.lastUsed < c.idle) || (c.age != 0 && m.created < c.age)
}

// candidates returns the ids whose timestamps are unknown or expired.
func (x *index) candidates(c cutoffs) []string {
	var out []string
	x.mu.RLock()
	for k, m := range x.hex {
		if !m.known() || c.expired(m) {
			out = append(out, k.String())
		}
	}
	for id, m := range x.str {
		if !m.known() || c.expired(m) {
			out = append(out, id)
		}
	}
	x.mu.RUnlock()
	return out
}

// keys returns every id, asking keep about those whose known timestamps
// say expired. The hex ids share one backing buffer. While nothing changes
// that could alter the answer, it is a copy of the last one.
func (x *index) keys(c cutoffs, keep func(id string) bool) []string {
	x.mu.RLock()
	if sn := x.snap.Load(); sn != nil && sn.valid(c) {
		out := slices.Clone(sn.ids)
		x.mu.RUnlock()
		return out
	}
	n := len(x.hex)
	buf := make([]byte, 32*n)
	out := make([]string, 0, n+len(x.str))
	var maybe []string
	minC, minL := int64(math.MaxInt64), int64(math.MaxInt64)
	noRule := c.idle == 0 && c.age == 0
	off := 0
	for k, m := range x.hex {
		if !noRule && m.known() && !m.pinned {
			if c.expired(m) {
				maybe = append(maybe, k.String())
				continue
			}
			minC, minL = min(minC, m.created), min(minL, m.lastUsed)
		}
		k.encode((*[32]byte)(buf[off:]))
		out = append(out, unsafe.String(&buf[off], 32))
		off += 32
	}
	for id, m := range x.str {
		if !noRule && m.known() && !m.pinned {
			if c.expired(m) {
				maybe = append(maybe, id)
				continue
			}
			minC, minL = min(minC, m.created), min(minL, m.lastUsed)
		}
		out = append(out, id)
	}
	if len(maybe) == 0 {
		if noRule {
			minC, minL = math.MinInt64, math.MinInt64 // any cutoff invalidates it
		}
		x.snap.Store(&keysSnap{ids: out, minCreated: minC, minLastUsed: minL})
		out = slices.Clone(out)
	}
	x.mu.RUnlock()
	for _, id := range maybe {
		if keep(id) {
			out = append(out, id)
		}
	}
	return out
}

func (x *index) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.hex) + len(x.str)
}
