package filecache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/rammerhead-go/rammerhead/session"
)

// The side index <dir>/.rhfindex caches every file's createdAt and lastUsed
// so that a sweep after a restart need not read the session files. It is a
// hint only: a missing, stale or damaged side index costs reads, never a
// wrong deletion, because the sweep confirms every deletion against the file
// itself. Binary layout: the magic, then one record per file:
//
//	0x00, 16-byte key            (lowercase 32-hex id)
//	0x01, length byte, id bytes  (any other valid id)
//
// each followed by createdAt and lastUsed as little-endian int64 Unix ms.
const (
	sideIndexName  = ".rhfindex"
	sideIndexMagic = "RHFIDX1\n"
)

var errBadSideIndex = errors.New("filecache: bad side index")

// encodeSideIndex snapshots the known timestamps of x.
func (x *index) encodeSideIndex() []byte {
	x.mu.Lock()
	x.dirty = false
	x.mu.Unlock()
	x.mu.RLock()
	defer x.mu.RUnlock()
	b := make([]byte, 0, len(sideIndexMagic)+33*len(x.hex)+40*len(x.str))
	b = append(b, sideIndexMagic...)
	for k, m := range x.hex {
		if !m.known() {
			continue
		}
		b = append(b, 0)
		b = append(b, k[:]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(m.created))
		b = binary.LittleEndian.AppendUint64(b, uint64(m.lastUsed))
	}
	for id, m := range x.str {
		if !m.known() {
			continue
		}
		b = append(b, 1, byte(len(id)))
		b = append(b, id...)
		b = binary.LittleEndian.AppendUint64(b, uint64(m.created))
		b = binary.LittleEndian.AppendUint64(b, uint64(m.lastUsed))
	}
	return b
}

// decodeSideIndex calls fn for each record of b. It stops at the first
// malformed record and reports it.
func decodeSideIndex(b []byte, fnHex func(k hexKey, created, lastUsed int64), fnStr func(id string, created, lastUsed int64)) error {
	if len(b) < len(sideIndexMagic) || string(b[:len(sideIndexMagic)]) != sideIndexMagic {
		return fmt.Errorf("%w: no magic", errBadSideIndex)
	}
	b = b[len(sideIndexMagic):]
	for len(b) > 0 {
		switch b[0] {
		case 0:
			if len(b) < 1+16+16 {
				return fmt.Errorf("%w: truncated record", errBadSideIndex)
			}
			var k hexKey
			copy(k[:], b[1:17])
			c := int64(binary.LittleEndian.Uint64(b[17:]))
			l := int64(binary.LittleEndian.Uint64(b[25:]))
			b = b[33:]
			if c == 0 || l == 0 {
				return fmt.Errorf("%w: zero timestamp", errBadSideIndex)
			}
			fnHex(k, c, l)
		case 1:
			if len(b) < 2 {
				return fmt.Errorf("%w: truncated record", errBadSideIndex)
			}
			n := int(b[1])
			if len(b) < 2+n+16 {
				return fmt.Errorf("%w: truncated record", errBadSideIndex)
			}
			id := string(b[2 : 2+n])
			if session.ValidateID(id) != nil {
				return fmt.Errorf("%w: invalid id", errBadSideIndex)
			}
			c := int64(binary.LittleEndian.Uint64(b[2+n:]))
			l := int64(binary.LittleEndian.Uint64(b[10+n:]))
			b = b[18+n:]
			if c == 0 || l == 0 {
				return fmt.Errorf("%w: zero timestamp", errBadSideIndex)
			}
			fnStr(id, c, l)
		default:
			return fmt.Errorf("%w: bad record tag %d", errBadSideIndex, b[0])
		}
	}
	return nil
}

// loadSideIndex fills unknown timestamps of c.idx from the side index.
func (c *Cache) loadSideIndex() {
	b, err := os.ReadFile(c.dir + string(os.PathSeparator) + sideIndexName)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.log.Debug("filecache: side index unreadable; it will be rebuilt", "err", err)
		}
		return
	}
	if err := c.idx.mergeSideIndex(b); err != nil {
		c.log.Debug("filecache: side index damaged; it will be rebuilt", "err", err)
	}
}

// mergeSideIndex fills unknown timestamps of x from an encoded side index,
// holding the lock once for the whole merge (it runs during Open).
func (x *index) mergeSideIndex(b []byte) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.snap.Store(nil)
	return decodeSideIndex(b,
		func(k hexKey, created, lastUsed int64) {
			if m, ok := x.hex[k]; ok && !m.known() {
				m.created, m.lastUsed = created, lastUsed
				x.hex[k] = m
			}
		},
		func(id string, created, lastUsed int64) {
			if m, ok := x.str[id]; ok && !m.known() {
				m.created, m.lastUsed = created, lastUsed
				x.str[id] = m
			}
		})
}

// saveSideIndex writes the side index if the index changed since the last
// write.
func (c *Cache) saveSideIndex() error {
	c.idx.mu.RLock()
	dirty := c.idx.dirty
	c.idx.mu.RUnlock()
	if !dirty {
		return nil
	}
	b := c.idx.encodeSideIndex()
	if err := c.writeAtomic(sideIndexName, b, nil); err != nil {
		c.idx.mu.Lock()
		c.idx.dirty = true
		c.idx.mu.Unlock()
		return err
	}
	return nil
}
