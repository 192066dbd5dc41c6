package session

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON scanner used instead of encoding/json so that
// the data object keeps its key order, raw values can be kept verbatim, and
// strings are written the way JavaScript's JSON.stringify writes them.
// Input is assumed to be valid UTF-8 (Deserialize checks it first).

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 1000

// errSyntax is the cause of every scanning error.
var errSyntax = errors.New("invalid JSON")

func syntaxErr(off int, format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, off, fmt.Sprintf(format, args...))
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// kindName names the JSON type of the value starting with c, for messages.
func kindName(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// scanValue returns the end offset of the JSON value starting at b[i]
// (no leading whitespace).
func scanValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, syntaxErr(i, "unexpected end of input")
	}
	switch c := b[i]; {
	case c == '{':
		return scanObject(b, i, depth+1, nil)
	case c == '[':
		return scanArray(b, i, depth+1, nil)
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	default:
		return i, syntaxErr(i, "unexpected %q", c)
	}
}

// scanArray scans the array at b[i], calling elem (if not nil) with the
// span of each element.
func scanArray(b []byte, i, depth int, elem func(vstart, vend int) error) (int, error) {
	if depth > maxDepth {
		return i, syntaxErr(i, "nesting deeper than %d", maxDepth)
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := scanValue(b, i, depth)
		if err != nil {
			return end, err
		}
		if elem != nil {
			if err := elem(i, end); err != nil {
				return end, err
			}
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return i, syntaxErr(i, "unexpected end of input in array")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, syntaxErr(i, "unexpected %q in array", b[i])
		}
	}
}

// scanObject scans the object at b[i]. For each member it calls member (if
// not nil) with the key token (quotes included), whether the key has escapes,
// and the value's span.
func scanObject(b []byte, i, depth int, member func(key []byte, keyEsc bool, vstart, vend int) error) (int, error) {
	if depth > maxDepth {
		return i, syntaxErr(i, "nesting deeper than %d", maxDepth)
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			if i >= len(b) {
				return i, syntaxErr(i, "unexpected end of input in object")
			}
			return i, syntaxErr(i, "expected a string key, found %q", b[i])
		}
		kend, kesc, err := scanString(b, i)
		if err != nil {
			return kend, err
		}
		key := b[i:kend]
		i = skipWS(b, kend)
		if i >= len(b) || b[i] != ':' {
			return i, syntaxErr(i, "expected ':' after object key")
		}
		vstart := skipWS(b, i+1)
		vend, err := scanValue(b, vstart, depth)
		if err != nil {
			return vend, err
		}
		if member != nil {
			if err := member(key, kesc, vstart, vend); err != nil {
				return vend, err
			}
		}
		i = skipWS(b, vend)
		if i >= len(b) {
			return i, syntaxErr(i, "unexpected end of input in object")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, syntaxErr(i, "unexpected %q in object", b[i])
		}
	}
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, syntaxErr(i, "invalid literal")
	}
	return i + len(lit), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return i, syntaxErr(start, "invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, syntaxErr(start, "invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, syntaxErr(start, "invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// strSpecial marks the bytes scanString must look at: '"', '\\' and
// control characters.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// scanString scans the string at b[i] (which is '"') and reports whether it
// contains escapes.
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	start := i
	i++
	for i < len(b) {
		c := b[i]
		if !strSpecial[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return i, escaped, syntaxErr(start, "unterminated string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, escaped, syntaxErr(i, "invalid \\u escape")
				}
				i += 6
			default:
				return i, escaped, syntaxErr(i, "invalid escape %q", b[i+1])
			}
		case c < 0x20:
			return i, escaped, syntaxErr(i, "control character %#x in string", c)
		default:
			i++
		}
	}
	return i, escaped, syntaxErr(start, "unterminated string")
}

// unquote decodes a string token (quotes included) already checked by
// scanString. Lone surrogates become U+FFFD, as in encoding/json.
func unquote(tok []byte, escaped bool) string {
	if !escaped {
		return string(tok[1 : len(tok)-1])
	}
	return string(unquoteBytes(tok, true))
}

// unquoteBytes is unquote returning a fresh byte slice.
func unquoteBytes(tok []byte, escaped bool) []byte {
	s := tok[1 : len(tok)-1]
	if !escaped {
		return append([]byte(nil), s...)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		// Copy the run up to the next backslash in one go.
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 {
			out = append(out, s[i:]...)
			break
		}
		out = append(out, s[i:i+j]...)
		i += j
		switch s[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(hex4(s[i+2:]))
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 && len(s)-i >= 6 && s[i] == '\\' && s[i+1] == 'u' {
					r2 := rune(hex4(s[i+2:]))
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, s[i+1])
		}
		i += 2
	}
	return out
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b[:4] {
		v <<= 4
		switch {
		case c <= '9':
			v |= int(c - '0')
		case c >= 'a':
			v |= int(c-'a') + 10
		default:
			v |= int(c-'A') + 10
		}
	}
	return v
}

const hexDigits = "0123456789abcdef"

// quoteSafe marks the bytes appendQuote copies as they are when the input
// is valid UTF-8.
var quoteSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendQuote appends s as a JSON string exactly as JavaScript's
// JSON.stringify writes it: only '"', '\\' and control characters are
// escaped (no HTML escaping, U+2028/U+2029 literal). Invalid UTF-8 bytes,
// which a JavaScript string cannot hold, are written as U+FFFD.
func appendQuote(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		return appendQuoteInvalid(dst, s)
	}
	// Fast path: byte by byte (jar JSON has a '"' every few bytes, so
	// copying runs between escapes would not pay).
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quoteSafe[c] {
			dst = append(dst, c)
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			dst = appendEscape(dst, c)
		}
	}
	return append(dst, '"')
}

// appendEscape appends the escape of the control character c.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendQuoteInvalid is appendQuote for input with invalid UTF-8.
func appendQuoteInvalid(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quoteSafe[c] && c < utf8.RuneSelf {
			continue
		}
		dst = append(dst, s[start:i]...)
		if c >= utf8.RuneSelf { // only reached for input with invalid UTF-8
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+w]...)
			}
			i += w - 1
			start = i + 1
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			dst = appendEscape(dst, c)
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendQuoteBytes is appendQuote for a byte slice.
func appendQuoteBytes(dst, s []byte) []byte {
	// The conversion does not allocate: the compiler passes the bytes.
	return appendQuote(dst, unsafeString(s))
}

// compact returns raw (a valid JSON value) without insignificant
// whitespace. It returns raw itself when there is none.
func compact(raw []byte) []byte {
	has := false
	for _, c := range raw {
		if isWS(c) {
			has = true
			break
		}
	}
	if !has {
		return raw
	}
	out := make([]byte, 0, len(raw))
	inStr := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inStr {
			out = append(out, c)
			if c == '\\' {
				i++
				out = append(out, raw[i])
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		if isWS(c) {
			continue
		}
		if c == '"' {
			inStr = true
		}
		out = append(out, c)
	}
	return out
}

// parseNumber parses a JSON number token as JavaScript does (a float64).
func parseNumber(tok []byte) (float64, error) {
	return strconv.ParseFloat(unsafeString(tok), 64)
}
