//go:build unix

package filecache

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"strconv"
	"syscall"
	"time"
)

// createTemp creates a new file <dir>/<prefix><random> for writing, with
// mode 0600 as os.CreateTemp does, straight through the system calls (no
// os.File: no poller registration, no finalizer).
func createTemp(dir, prefix string) (fd int, path string, err error) {
	for range 10000 {
		path = dir + "/" + prefix + strconv.FormatUint(rand.Uint64(), 36)
		fd, err = syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
		if err == nil {
			return fd, path, nil
		}
		if err == syscall.EINTR {
			continue
		}
		if err != syscall.EEXIST {
			return -1, "", &fs.PathError{Op: "open", Path: path, Err: err}
		}
	}
	return -1, "", &fs.PathError{Op: "createtemp", Path: dir + "/" + prefix + "*", Err: fs.ErrExist}
}

// writeTempFile writes b to a new temporary file <dir>/<prefix><random>:
// write, fsync (when sync), set the modification time (when mtime is not
// nil), close. It returns the file's path; on error the file is removed.
func writeTempFile(dir, prefix string, b []byte, mtime *time.Time, sync bool) (string, error) {
	fd, tmp, err := createTemp(dir, prefix)
	if err != nil {
		return "", err
	}
	fail := func(op string, err error) (string, error) {
		_ = syscall.Close(fd)
		removeFile(tmp)
		return "", &fs.PathError{Op: op, Path: tmp, Err: err}
	}
	if err := writeAll(fd, b); err != nil {
		return fail("write", err)
	}
	if sync {
		if err := fsyncFd(fd); err != nil {
			return fail("sync", err)
		}
	}
	if mtime != nil {
		if err := setMtimeFd(fd, tmp, *mtime); err != nil {
			return fail("chtimes", err)
		}
	}
	if err := syscall.Close(fd); err != nil {
		removeFile(tmp)
		return "", &fs.PathError{Op: "close", Path: tmp, Err: err}
	}
	return tmp, nil
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("short write")
		}
		b = b[n:]
	}
	return nil
}

func fsyncFd(fd int) error {
	for {
		err := syscall.Fsync(fd)
		if err != syscall.EINTR {
			return err
		}
	}
}

func renameFile(from, to string) error {
	// os.Rename also stats the destination to refuse replacing a
	// directory; rename(2) refuses that too (EISDIR).
	if err := syscall.Rename(from, to); err != nil {
		return &fs.PathError{Op: "rename", Path: from, Err: err}
	}
	return nil
}

func removeFile(path string) { _ = syscall.Unlink(path) }

// pathExists reports whether something is at path (lstat, no allocation).
func pathExists(path string) bool {
	var st syscall.Stat_t
	return syscall.Lstat(path, &st) == nil
}

func timespecOf(t time.Time) syscall.Timespec {
	return syscall.NsecToTimespec(t.UnixNano())
}

// readFileInto reads the file at path, appending to buf[:0], with an
// open, reads until end of file and a close (os.ReadFile adds a stat and
// poller registration). Errors are *fs.PathError, so errors.Is(err,
// fs.ErrNotExist) and errors.Is(err, syscall.EISDIR) work.
func readFileInto(path string, buf []byte) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return buf, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = buf[:0]
	if cap(buf) < 512 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return buf, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
