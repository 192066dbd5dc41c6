package session

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrInvalidID reports an id that is not 1 to 64 characters of
// [A-Za-z0-9_-].
var ErrInvalidID = errors.New("session: invalid id")

// MaxIDLength is the longest id ValidateID accepts.
const MaxIDLength = 64

// NewID returns a fresh id: 32 lowercase hex characters (128 bits) from
// crypto/rand, the form of the original's dash-less UUID v4.
func NewID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidateID returns nil for a valid id (1 to 64 characters of
// [A-Za-z0-9_-]) and otherwise an error wrapping ErrInvalidID that quotes
// the id (cut to 64 bytes) and says what is wrong.
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty", ErrInvalidID)
	}
	if len(id) > MaxIDLength {
		return fmt.Errorf("%w: %q... is %d bytes long, at most %d allowed", ErrInvalidID, id[:MaxIDLength], len(id), MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' {
			continue
		}
		return fmt.Errorf("%w: %q has byte %q at %d; only A-Z, a-z, 0-9, '_' and '-' are allowed", ErrInvalidID, id, c, i)
	}
	return nil
}
