//go:build linux

package filecache

import (
	"syscall"
	"time"
	"unsafe"
)

// setMtimeFd sets the access and modification times of the open file fd
// (futimens: utimensat with a NULL path), saving the path lookup of
// os.Chtimes.
func setMtimeFd(fd int, _ string, t time.Time) error {
	ts := [2]syscall.Timespec{timespecOf(t), timespecOf(t)}
	_, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
