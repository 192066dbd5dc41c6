// Package urlshuffle implements Rammerhead's URL shuffling: an optional,
// per-session obfuscation of the proxied URL with a random permutation of a
// 64-character alphabet.
//
// The output is byte-identical to the original Node.js StrShuffler for the
// same dictionary, so a link shuffled by one implementation unshuffles in
// the other. Like JavaScript, the position index used by the algorithm counts
// UTF-16 code units, so non-ASCII text shuffles exactly as in a browser.
package urlshuffle

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// BaseDictionary is the alphabet that shuffling permutes, in its canonical
// order. Characters outside it are copied unchanged.
const BaseDictionary = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-"

// Marker prefixes every shuffled string. Text that starts with it is
// considered already shuffled.
const Marker = "_rhs"

// size is the length of the alphabet (64).
const size = len(BaseDictionary)

// ErrInvalidDictionary reports a dictionary that is not a permutation of
// BaseDictionary. Errors from ValidDictionary and New wrap it.
var ErrInvalidDictionary = errors.New("urlshuffle: invalid dictionary")

// baseIndex maps a byte to its position in BaseDictionary, or -1.
var baseIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < size; i++ {
		t[BaseDictionary[i]] = int8(i)
	}
	return t
}()

// GenerateDictionary returns a uniformly random permutation of
// BaseDictionary drawn from crypto/rand.
func GenerateDictionary() string {
	b := []byte(BaseDictionary)
	// Fisher-Yates with rand.Int-free rejection sampling on single bytes.
	var buf [64]byte
	pos := len(buf)
	next := func() byte {
		if pos == len(buf) {
			// crypto/rand.Read never returns an error (Go 1.24+).
			_, _ = rand.Read(buf[:])
			pos = 0
		}
		v := buf[pos]
		pos++
		return v
	}
	for i := len(b) - 1; i > 0; i-- {
		n := byte(i + 1)
		// Largest multiple of n that fits in a byte, for an unbiased draw.
		limit := 256 - 256%int(n)
		var v byte
		for {
			v = next()
			if int(v) < limit {
				break
			}
		}
		j := int(v) % int(n)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// ValidDictionary returns nil when d is a permutation of BaseDictionary
// (exactly 64 characters, each base character once), and otherwise an error
// wrapping ErrInvalidDictionary that says what is wrong.
func ValidDictionary(d string) error {
	if len(d) != size {
		return fmt.Errorf("%w: length %d, want %d", ErrInvalidDictionary, len(d), size)
	}
	var seen [size]bool
	for i := 0; i < len(d); i++ {
		k := baseIndex[d[i]]
		if k < 0 {
			return fmt.Errorf("%w: byte %q at %d is not in the base alphabet", ErrInvalidDictionary, d[i], i)
		}
		if seen[k] {
			return fmt.Errorf("%w: %q appears twice", ErrInvalidDictionary, d[i])
		}
		seen[k] = true
	}
	return nil
}

// Shuffler shuffles and unshuffles with one dictionary. It is immutable and
// safe for concurrent use.
type Shuffler struct {
	dict [size]byte
	// inv maps a byte to its position in dict, or -1.
	inv [256]int8
}

// New returns a Shuffler for dict, which must be a permutation of
// BaseDictionary (see ValidDictionary).
func New(dict string) (*Shuffler, error) {
	if err := ValidDictionary(dict); err != nil {
		return nil, err
	}
	s := &Shuffler{}
	copy(s.dict[:], dict)
	for i := range s.inv {
		s.inv[i] = -1
	}
	for i := 0; i < size; i++ {
		s.inv[dict[i]] = int8(i)
	}
	return s, nil
}

// Dictionary returns the shuffler's dictionary.
func (s *Shuffler) Dictionary() string { return string(s.dict[:]) }

// Shuffle returns the shuffled form of str: Marker followed by str with
// every base-alphabet character at UTF-16 index i replaced by
// dict[(index(base, c) + i) mod 64]. A '%' followed by at least two more
// UTF-16 units is copied together with those two; other characters are
// copied. Text that already starts with Marker is returned unchanged.
func (s *Shuffler) Shuffle(str string) string {
	if strings.HasPrefix(str, Marker) {
		return str
	}
	return walk(str, Marker, &baseIndex, &s.dict, 1)
}

// Unshuffle reverses Shuffle: text that starts with Marker has the marker
// removed and every dictionary character at UTF-16 index i (counted after
// the marker) replaced by base[(index(dict, c) - i) mod 64]; '%' escapes and
// other characters are copied as in Shuffle. Text without the marker is
// returned unchanged.
func (s *Shuffler) Unshuffle(str string) string {
	if !strings.HasPrefix(str, Marker) {
		return str
	}
	return walk(str[len(Marker):], "", &s.inv, &base, -1)
}

// base is BaseDictionary as an array, the output alphabet of Unshuffle.
var base = func() (b [size]byte) {
	copy(b[:], BaseDictionary)
	return b
}()

// walk returns prefix followed by appendWalk of str, in one allocation:
// the buffer becomes the string without a copy (nothing else holds it).
func walk(str, prefix string, from *[256]int8, to *[size]byte, dir int) string {
	b := make([]byte, 0, len(prefix)+len(str))
	b = append(b, prefix...)
	b = appendWalk(b, str, from, to, dir)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Shuffle shuffles str with dict; an invalid dictionary is an error
// wrapping ErrInvalidDictionary. Prefer New and (*Shuffler).Shuffle when
// shuffling more than once with the same dictionary.
func Shuffle(dict, str string) (string, error) {
	s, err := New(dict)
	if err != nil {
		return "", err
	}
	return s.Shuffle(str), nil
}

// Unshuffle unshuffles str with dict; an invalid dictionary is an error
// wrapping ErrInvalidDictionary.
func Unshuffle(dict, str string) (string, error) {
	s, err := New(dict)
	if err != nil {
		return "", err
	}
	return s.Unshuffle(str), nil
}
