package urlshuffle

import (
	"encoding/binary"
	"unicode/utf8"
)

// AppendShuffle appends the shuffled form of str (exactly what Shuffle
// returns) to dst and returns the extended buffer. It allocates only when
// dst has too little capacity, which lets a caller that shuffles many URLs
// reuse one buffer.
func (s *Shuffler) AppendShuffle(dst []byte, str string) []byte {
	return appendShuffle(s, dst, str)
}

// AppendShuffleBytes is AppendShuffle for text held in a byte slice; str is
// only read, never retained.
//
//go:noinline
func (s *Shuffler) AppendShuffleBytes(dst, str []byte) []byte {
	// Not inlined, so that callers in other packages see that str does not
	// escape (escape analysis does not follow the generic implementation
	// across packages) and can pass a buffer on their stack.
	return appendShuffle(s, dst, str)
}

// text is the input of the append walkers: a string or a byte slice.
type text interface{ string | []byte }

func appendShuffle[T text](s *Shuffler, dst []byte, str T) []byte {
	if hasMarker(str) {
		return append(dst, str...)
	}
	dst = append(dst, Marker...)
	if out, ok := appendWalkASCII(dst, str, &s.dict); ok {
		return out
	}
	return appendWalk(dst, str, &baseIndex, &s.dict, 1)
}

// Classes of asciiShuffle besides the positions in BaseDictionary.
const (
	asciiCopy     = -1 // copied unchanged
	asciiPercent  = -2 // '%': maybe an escape, copied with the next two bytes
	asciiNonASCII = -3 // not ASCII: appendWalkASCII gives up
)

// asciiShuffle maps a byte to its position in BaseDictionary or to one of
// the negative classes above: one look-up decides what to do with most
// bytes.
var asciiShuffle = func() (t [256]int8) {
	for c := range t {
		switch {
		case baseIndex[c] >= 0:
			t[c] = baseIndex[c]
		case c >= utf8.RuneSelf:
			t[c] = asciiNonASCII
		case c == '%':
			t[c] = asciiPercent
		default:
			t[c] = asciiCopy
		}
	}
	return t
}()

// appendWalkASCII is appendWalk (shuffling, dir 1, from baseIndex to to)
// for ASCII text, where the UTF-16 index of a byte is its offset: str is
// appended and shuffled in place. It reports false, with dst unchanged,
// when str is not ASCII.
func appendWalkASCII[T text](dst []byte, str T, to *[size]byte) ([]byte, bool) {
	n := len(dst)
	out := append(dst, str...)
	if !isASCII(out[n:]) {
		return dst, false
	}
	walkASCII(out[n:], to)
	return out, true
}

// ShuffleASCIIInPlace replaces b with its shuffled form without the
// Marker: afterwards Marker followed by b is what AppendShuffle appends for
// the original b. It reports false, leaving b unchanged, when b is not
// ASCII or starts with Marker (which AppendShuffle copies as it is); use
// AppendShuffle then. It lets a caller build a URL in its output buffer
// and shuffle it there rather than build it elsewhere and copy it.
func (s *Shuffler) ShuffleASCIIInPlace(b []byte) bool {
	if hasMarker(b) || !isASCII(b) {
		return false
	}
	walkASCII(b, &s.dict)
	return true
}

// isASCII reports whether b has no byte >= 0x80, eight bytes at a time.
func isASCII(b []byte) bool {
	const highs = 0x8080808080808080
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&highs != 0 {
			return false
		}
	}
	for _, c := range b[i:] {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// walkASCII shuffles the ASCII text b (without Marker) in place, as
// appendWalkASCII does: the new b[p] depends on the old b[p] alone, and
// the two bytes after a '%' escape stay as they are.
func walkASCII(b []byte, to *[size]byte) {
	for p := 0; p < len(b); p++ {
		k := asciiShuffle[b[p]]
		if k >= 0 {
			b[p] = to[(int(k)+p)&(size-1)]
			continue
		}
		if k == asciiPercent && len(b)-p >= 3 {
			p += 2 // an escape, or what the JavaScript original takes for one
		}
	}
}

// appendWalk implements the shared loop of Shuffle, Unshuffle and
// AppendShuffle, appending to dst: an ASCII byte c at UTF-16 index i with
// from[c] >= 0 becomes to[(from[c] + dir*i) mod 64]; other characters are
// copied. A '%' followed by at least two more UTF-16 units is copied with
// them (an astral character counts as two units; if only its high surrogate
// falls inside the escape, JavaScript copies its low surrogate on the next
// step anyway, so copying the whole character gives the same bytes and the
// same next index).
func appendWalk[T text](dst []byte, str T, from *[256]int8, to *[size]byte, dir int) []byte {
	total := utf16Len(str)
	i := 0 // UTF-16 index of the character at byte offset p
	for p := 0; p < len(str); {
		c := str[p]
		if c >= utf8.RuneSelf {
			n, w := unitsAt(str, p)
			dst = append(dst, str[p:p+w]...)
			p += w
			i += n
			continue
		}
		if c == '%' && total-i >= 3 {
			dst = append(dst, c)
			p++
			i++
			for units := 0; units < 2 && p < len(str); {
				n, w := 1, 1
				if str[p] >= utf8.RuneSelf {
					n, w = unitsAt(str, p)
				}
				dst = append(dst, str[p:p+w]...)
				p += w
				i += n
				units += n
			}
			continue
		}
		if k := from[c]; k >= 0 {
			// i%size keeps the sum in [-63, 126]; adding size makes it
			// non-negative before the final mod (Go's % keeps the sign).
			dst = append(dst, to[(int(k)+dir*(i%size)+size)%size])
		} else {
			dst = append(dst, c)
		}
		p++
		i++
	}
	return dst
}

// hasMarker reports whether str starts with Marker.
func hasMarker[T text](str T) bool {
	if len(str) < len(Marker) {
		return false
	}
	for i := 0; i < len(Marker); i++ {
		if str[i] != Marker[i] {
			return false
		}
	}
	return true
}

// unitsAt returns the UTF-16 length and the byte width of the character at
// byte offset p. An invalid UTF-8 byte counts as one unit (as U+FFFD would)
// and is copied as is.
func unitsAt[T text](str T, p int) (units, width int) {
	var b [utf8.UTFMax]byte
	n := copy(b[:], str[p:])
	r, w := utf8.DecodeRune(b[:n])
	if r >= 0x10000 {
		return 2, w
	}
	return 1, w
}

// utf16Len returns the number of UTF-16 code units of str (JavaScript's
// str.length).
func utf16Len[T text](str T) int {
	n := 0
	for p := 0; p < len(str); {
		if str[p] < utf8.RuneSelf {
			n++
			p++
			continue
		}
		u, w := unitsAt(str, p)
		n += u
		p += w
	}
	return n
}
