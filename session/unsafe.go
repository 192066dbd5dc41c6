package session

import "unsafe"

// unsafeString views b as a string without copying. The caller must not
// modify b while the string is in use, nor keep the string.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
