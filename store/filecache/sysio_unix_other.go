//go:build unix && !linux

package filecache

import (
	"syscall"
	"time"
)

// setMtimeFd sets the access and modification times of the file at path
// (open as fd).
func setMtimeFd(_ int, path string, t time.Time) error {
	ts := []syscall.Timespec{timespecOf(t), timespecOf(t)}
	return syscall.UtimesNano(path, ts)
}
