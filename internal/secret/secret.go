// Package secret loads, or creates once, the server secret that signs
// session exports (package exportblob).
//
// The secret is kept hex-encoded in a small file (FileName inside the file
// store's directory, a name that does not end in .rhfsession, so stores
// never take it for a session). Creation is atomic and race-free: the new
// secret is written to a temporary file, synced, and then linked to its
// final name, which fails when another process got there first; the loser
// then reads the winner's secret, so that every process sharing the
// directory agrees on one secret.
package secret

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size is the length in bytes of a generated secret.
const Size = 32

// MinSize is the shortest secret Decode accepts.
const MinSize = 16

// FileName is the conventional name of the secret file in a file store's
// directory.
const FileName = ".rhsecret"

// ErrInvalid reports a secret file or value that is not hex of at least
// MinSize bytes.
var ErrInvalid = errors.New("secret: invalid secret")

// Generate returns Size random bytes from crypto/rand.
func Generate() ([]byte, error) {
	b := make([]byte, Size)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("secret: generating: %w", err)
	}
	return b, nil
}

// Decode parses a secret written as hexadecimal (surrounding white space
// ignored). It must decode to at least MinSize bytes. Errors wrap
// ErrInvalid.
func Decode(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not hexadecimal", ErrInvalid)
	}
	if len(b) < MinSize {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrInvalid, len(b), MinSize)
	}
	return b, nil
}

// Encode returns the file form of a secret: lowercase hex and a newline.
func Encode(b []byte) []byte {
	return []byte(hex.EncodeToString(b) + "\n")
}

// Load reads the secret file at path. A missing file gives an error
// wrapping fs.ErrNotExist; bad content one wrapping ErrInvalid.
func Load(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: reading %s: %w", path, err)
	}
	s, err := Decode(string(b))
	if err != nil {
		return nil, fmt.Errorf("secret: %s: %w", path, err)
	}
	return s, nil
}

// LoadOrCreate returns the secret stored at path, creating the file with a
// new random secret (mode 0600) when it does not exist. The directory must
// exist. Concurrent callers, in this process or others, all get the same
// secret.
func LoadOrCreate(path string) ([]byte, error) {
	s, err := Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s, err = Generate()
	if err != nil {
		return nil, err
	}
	if err := createExclusive(path, Encode(s)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Load(path) // another process won the race
		}
		return nil, err
	}
	return s, nil
}

// createExclusive writes data to path atomically, failing with an error
// wrapping fs.ErrExist when path already exists: a complete temporary file
// is hard-linked to path (link never replaces a file), then removed.
func createExclusive(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("secret: creating %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("secret: creating %s: %w", path, err)
	}
	if err := writeClose(f, data, path); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("secret: %s: %w", path, fs.ErrExist)
		}
		// A file system without hard links: fall back to an exclusive
		// create, which a concurrent reader may see partly written
		// (Decode then fails and the caller can retry).
		return writeExclusive(path, data)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("secret: creating %s: %w", path, err)
	}
	if err := writeClose(f, data, path); err != nil {
		return err
	}
	return nil
}

// writeClose writes data to f, syncs and closes it; path names the file in
// errors.
func writeClose(f *os.File, data []byte, path string) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secret: writing %s: %w", path, err)
	}
	return nil
}
