package filecache

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Ext is the extension of session files: <dir>/<id>.rhfsession.
const Ext = ".rhfsession"

// tmpMarker is in the name of every temporary file this package writes:
// ".<name>.tmp-<random>". Such names never end in Ext; leftovers of a crash
// are removed at Open.
const tmpMarker = ".tmp-"

func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tmpMarker) &&
		(strings.Contains(name, Ext+tmpMarker) || strings.HasPrefix(name, sideIndexName+tmpMarker))
}

func (c *Cache) path(id string) string {
	return c.dir + string(os.PathSeparator) + id + Ext
}

// writeAtomic writes b to <dir>/<name> through a temporary file in the same
// directory: write, fsync (unless NoSync), set the modification time (when
// mtime is not nil), close, rename.
func (c *Cache) writeAtomic(name string, b []byte, mtime *time.Time) error {
	prefix := name
	if !strings.HasPrefix(prefix, ".") {
		prefix = "." + prefix
	}
	tmp, err := writeTempFile(c.dir, prefix+tmpMarker, b, mtime, !c.opts.NoSync)
	if err != nil {
		return fmt.Errorf("filecache: write %s: %w", name, err)
	}
	if h := c.hookBeforeRename.Load(); h != nil {
		if err := (*h)(tmp); err != nil {
			return err // a crash leaves the temporary file behind
		}
	}
	if err := renameFile(tmp, c.dir+string(os.PathSeparator)+name); err != nil {
		removeFile(tmp)
		return fmt.Errorf("filecache: rename %s: %w", name, err)
	}
	return nil
}

// syncDir fsyncs the directory so that renames and creations survive a
// power failure (no-op with NoSync).
func (c *Cache) syncDir() error {
	if c.opts.NoSync {
		return nil
	}
	d, err := os.Open(c.dir)
	if err != nil {
		return fmt.Errorf("filecache: open directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("filecache: sync directory: %w", err)
	}
	return nil
}

var errNoData = errors.New("no data object")

// readStamps reads data.createdAt and data.lastUsed (Unix ms) from the
// session file at path without loading the session: Node and this package
// write data first and createdAt/lastUsed first in it, so only a prefix is
// read. A timestamp that is missing or not a number is replaced by the
// file's modification time (which this package keeps equal to lastUsed).
func readStamps(path string) (created, lastUsed int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	created, lastUsed, err = parseStamps(bufio.NewReaderSize(f, 2048))
	if err != nil {
		return 0, 0, err
	}
	if created == 0 || lastUsed == 0 {
		fi, serr := f.Stat()
		if serr != nil {
			return 0, 0, serr
		}
		mt := fi.ModTime().UnixMilli()
		if mt == 0 {
			mt = 1
		}
		if created == 0 {
			created = mt
		}
		if lastUsed == 0 {
			lastUsed = mt
		}
	}
	return created, lastUsed, nil
}

// parseStamps reads the top-level object from r until data.createdAt and
// data.lastUsed are found or data ends. A missing or non-numeric stamp is
// returned as 0. Errors: not a JSON object, or no "data" object.
func parseStamps(r io.Reader) (created, lastUsed int64, err error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return 0, 0, err
	}
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return 0, 0, err
		}
		if key != "data" {
			if err := skipValue(dec); err != nil {
				return 0, 0, err
			}
			continue
		}
		if err := expectDelim(dec, '{'); err != nil {
			return 0, 0, fmt.Errorf("data: %w", err)
		}
		var haveC, haveL bool
		for dec.More() && !(haveC && haveL) {
			k, err := stringToken(dec)
			if err != nil {
				return 0, 0, err
			}
			switch k {
			case "createdAt", "lastUsed":
				tok, err := dec.Token()
				if err != nil {
					return 0, 0, err
				}
				var v int64
				if n, ok := tok.(json.Number); ok {
					if f, ferr := strconv.ParseFloat(string(n), 64); ferr == nil && f >= 1 && f < math.MaxInt64/1e6 {
						v = int64(f)
					}
				} else if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
					if err := skipRest(dec); err != nil {
						return 0, 0, err
					}
				}
				if k == "createdAt" {
					created, haveC = v, true
				} else {
					lastUsed, haveL = v, true
				}
			default:
				if err := skipValue(dec); err != nil {
					return 0, 0, err
				}
			}
		}
		return created, lastUsed, nil
	}
	return 0, 0, errNoData
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, got %v", want, tok)
	}
	return nil
}

func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a key, got %v", tok)
	}
	return s, nil
}

// skipValue skips the next value.
func skipValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		return skipRest(dec)
	}
	return nil
}

// skipRest skips to the end of the object or array just opened.
func skipRest(dec *json.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

// readBufs holds buffers for reading session files: Deserialize copies
// what it keeps, so a buffer is reused once the session is parsed.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8192); return &b }}

// maxPooledBuf: larger buffers are left to the garbage collector.
const maxPooledBuf = 1 << 20

// readPooled reads the file at path into a pooled buffer; call done when
// finished with the bytes.
func readPooled(path string) (b []byte, done func(), err error) {
	bp := readBufs.Get().(*[]byte)
	b, err = readFileInto(path, *bp)
	return b, func() {
		if cap(b) <= maxPooledBuf {
			*bp = b[:0]
			readBufs.Put(bp)
		}
	}, err
}
