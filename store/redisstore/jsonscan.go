package redisstore

import (
	"encoding/json"
	"strings"
)

// A small strict JSON scanner (RFC 8259) over strings, so that stored and
// encoded values can be checked and split without encoding/json and
// without copies: pieces are substrings of their input.

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack.
const maxJSONDepth = 1000

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// validJSON reports whether s is exactly one JSON value, with optional
// surrounding whitespace. (UTF-8 validity is not checked.)
func validJSON(s string) bool {
	end, ok := skipValue(s, skipWS(s, 0), 0)
	return ok && skipWS(s, end) == len(s)
}

// skipValue returns the end of the JSON value at s[i].
func skipValue(s string, i, depth int) (int, bool) {
	if i >= len(s) || depth > maxJSONDepth {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, _, ok := skipString(s, i)
		return end, ok
	case c == '{':
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			var ok bool
			if i, _, ok = skipString(s, i); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i >= len(s) || s[i] != ':' {
				return i, false
			}
			if i, ok = skipValue(s, skipWS(s, i+1), depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, false
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case '}':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '[':
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = skipValue(s, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, false
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == 't':
		return skipLiteral(s, i, "true")
	case c == 'f':
		return skipLiteral(s, i, "false")
	case c == 'n':
		return skipLiteral(s, i, "null")
	case c == '-' || isDigit(c):
		return skipNumber(s, i)
	}
	return i, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipLiteral(s string, i int, lit string) (int, bool) {
	if strings.HasPrefix(s[i:], lit) {
		return i + len(lit), true
	}
	return i, false
}

func skipNumber(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i, true
}

// skipString returns the end of the JSON string at s[i] (s[i] is '"')
// and whether it holds escapes.
func skipString(s string, i int) (int, bool, bool) {
	esc := false
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1, esc, true
		case c < 0x20:
			return i, esc, false
		case c == '\\':
			esc = true
			i++
			if i >= len(s) {
				return i, esc, false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) {
					return i, esc, false
				}
				for _, h := range []byte(s[i+1 : i+5]) {
					if !isDigit(h) && !('a' <= h && h <= 'f') && !('A' <= h && h <= 'F') {
						return i, esc, false
					}
				}
				i += 4
			default:
				return i, esc, false
			}
		}
	}
	return i, esc, false
}

// jsonString decodes the JSON string token tok (quotes included); esc says
// whether it holds escapes. Escaped strings go through encoding/json (an
// escaped lone surrogate becomes U+FFFD), as the store always decoded them.
func jsonString(tok string, esc bool) (string, bool) {
	if !esc {
		return tok[1 : len(tok)-1], true
	}
	var v string
	if err := json.Unmarshal([]byte(tok), &v); err != nil {
		return "", false
	}
	return v, true
}

// forEachMember calls f for each member of the JSON object obj (compact
// or not), with the member's decoded name and its raw value, in order. It
// reports false when obj is not a valid object.
func forEachMember(obj string, f func(name, value string)) bool {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipWS(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return skipWS(obj, i+1) == len(obj)
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		kend, esc, ok := skipString(obj, i)
		if !ok {
			return false
		}
		name, ok := jsonString(obj[i:kend], esc)
		if !ok {
			return false
		}
		i = skipWS(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		vs := skipWS(obj, i+1)
		ve, ok := skipValue(obj, vs, 1)
		if !ok {
			return false
		}
		f(name, obj[vs:ve])
		i = skipWS(obj, ve)
		if i >= len(obj) {
			return false
		}
		switch obj[i] {
		case ',':
			i = skipWS(obj, i+1)
		case '}':
			return skipWS(obj, i+1) == len(obj)
		default:
			return false
		}
	}
}
