//go:build !unix

package filecache

import (
	"os"
	"time"
)

// writeTempFile writes b to a new temporary file <dir>/<prefix><random>:
// write, fsync (when sync), close, set the modification time (when mtime
// is not nil). It returns the file's path; on error the file is removed.
func writeTempFile(dir, prefix string, b []byte, mtime *time.Time, sync bool) (tmp string, err error) {
	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return "", err
	}
	tmp = f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
			tmp = ""
		}
	}()
	if _, err = f.Write(b); err != nil {
		_ = f.Close()
		return tmp, err
	}
	if sync {
		if err = f.Sync(); err != nil {
			_ = f.Close()
			return tmp, err
		}
	}
	if err = f.Close(); err != nil {
		return tmp, err
	}
	if mtime != nil {
		err = os.Chtimes(tmp, *mtime, *mtime)
	}
	return tmp, err
}

func renameFile(from, to string) error { return os.Rename(from, to) }

func removeFile(path string) { _ = os.Remove(path) }

// pathExists reports whether something is at path.
func pathExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// readFileInto reads the file at path.
func readFileInto(path string, buf []byte) ([]byte, error) {
	return os.ReadFile(path)
}
