package cookiejar

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// isJSSpace reports whether b (a latin1 character) is removed by
// JavaScript's String.prototype.trim.
func isJSSpace(b byte) bool {
	switch b {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0:
		return true
	}
	return false
}

// jsTrim is String.prototype.trim on a latin1 string.
func jsTrim(s string) string {
	i, j := 0, len(s)
	for i < j && isJSSpace(s[i]) {
		i++
	}
	for j > i && isJSSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// ParseSetCookie parses one Set-Cookie header value as tough-cookie's
// Cookie.parse does (non-loose mode). Errors wrap ErrInvalidSetCookie.
//
// Like testcafe-hammerhead, which calls Cookie.parse with loose:true, a
// pair without '=' is accepted as a nameless cookie (Key "" and the whole
// token as Value), and a leading '=' is dropped. The name-value pair ends at
// the first '\n', '\r' or NUL; any other control character in the name or
// value makes the string invalid. Known attributes (Expires, Max-Age,
// Domain, Path, Secure, HttpOnly, SameSite) are applied last-one-wins as
// tough-cookie does; others are kept in Extensions. Creation is set to now.
//
// Key, Value, Domain and Extensions are the header's bytes; Path is the
// UTF-8 form of its characters (each byte one character), as Cookie.Path
// documents.
func ParseSetCookie(s string, now time.Time) (*Cookie, error) {
	s = jsTrim(s)
	pair := s
	firstSemi := strings.IndexByte(s, ';')
	if firstSemi >= 0 {
		pair = s[:firstSemi]
	}
	// trimTerminator: each of "\n", "\r", "\0" in turn cuts the pair.
	for _, t := range [...]byte{'\n', '\r', 0} {
		if i := strings.IndexByte(pair, t); i >= 0 {
			pair = pair[:i]
		}
	}
	eq := strings.IndexByte(pair, '=')
	if eq == 0 { // loose mode: '=' at the start is dropped
		pair = pair[1:]
		eq = strings.IndexByte(pair, '=')
	}
	c := &Cookie{Creation: now.Truncate(time.Millisecond)}
	if eq <= 0 {
		c.Value = jsTrim(pair)
	} else {
		c.Key = jsTrim(pair[:eq])
		c.Value = jsTrim(pair[eq+1:])
	}
	if hasControl(c.Key) || hasControl(c.Value) {
		return nil, fmt.Errorf("%w: control character in name or value", ErrInvalidSetCookie)
	}
	if firstSemi < 0 {
		return c, nil
	}
	unparsed := jsTrim(s[firstSemi+1:])
	for len(unparsed) > 0 {
		av := unparsed
		if i := strings.IndexByte(unparsed, ';'); i >= 0 {
			av, unparsed = unparsed[:i], unparsed[i+1:]
		} else {
			unparsed = ""
		}
		av = jsTrim(av)
		if av == "" {
			continue
		}
		key, value, hasValue := av, "", false
		if i := strings.IndexByte(av, '='); i >= 0 {
			key, value, hasValue = av[:i], av[i+1:], true
		}
		key = jsTrim(key)
		if hasValue {
			value = jsTrim(value)
		}
		switch toLowerASCII(key) {
		case "expires":
			if value != "" {
				if t, ok := parseCookieDate(value); ok {
					c.Expires = t
				}
			}
		case "max-age":
			if value != "" && isMaxAge(value) {
				f, err := strconv.ParseFloat(value, 64)
				if err != nil && !math.IsInf(f, 0) {
					break
				}
				if f == 0 {
					f = 0 // parseInt("-0") is -0; JSON writes it as 0 anyway
				}
				c.MaxAge = &f
			}
		case "domain":
			if value != "" {
				d := jsTrim(value)
				d = strings.TrimPrefix(d, ".")
				if d != "" {
					c.Domain = toLowerASCII(d)
				}
			}
		case "path":
			if value != "" && value[0] == '/' {
				c.Path = latin1ToUTF8(value)
			} else {
				c.Path = ""
			}
		case "secure":
			c.Secure = true
		case "httponly":
			c.HttpOnly = true
		case "samesite":
			switch toLowerASCII(value) {
			case "strict":
				c.SameSite = "strict"
			case "lax":
				c.SameSite = "lax"
			case "none":
				c.SameSite = "none"
			default:
				c.SameSite = ""
			}
		default:
			c.Extensions = append(c.Extensions, av)
		}
	}
	return c, nil
}

// isMaxAge matches /^-?[0-9]+$/.
func isMaxAge(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDateDelim is RFC 6265 section 5.1.1 delimiter.
func isDateDelim(b byte) bool {
	return b == 0x09 || 0x20 <= b && b <= 0x2F || 0x3B <= b && b <= 0x40 ||
		0x5B <= b && b <= 0x60 || 0x7B <= b && b <= 0x7E
}

// parseDigits is tough-cookie's parseDigits: min..max leading digits, and
// nothing after them unless trailingOK. It returns -1 on failure.
func parseDigits(tok string, minDigits, maxDigits int, trailingOK bool) int {
	n := 0
	for n < len(tok) && '0' <= tok[n] && tok[n] <= '9' {
		n++
	}
	if n < minDigits || n > maxDigits {
		return -1
	}
	if !trailingOK && n != len(tok) {
		return -1
	}
	v := 0
	for i := 0; i < n; i++ {
		v = v*10 + int(tok[i]-'0')
	}
	return v
}

func parseTimeToken(tok string) (h, m, s int, ok bool) {
	a, rest, ok1 := strings.Cut(tok, ":")
	b, c, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || strings.Contains(c, ":") {
		return 0, 0, 0, false
	}
	h = parseDigits(a, 1, 2, false)
	m = parseDigits(b, 1, 2, false)
	s = parseDigits(c, 1, 2, true)
	if h < 0 || m < 0 || s < 0 {
		return 0, 0, 0, false
	}
	return h, m, s, true
}

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func parseMonthToken(tok string) int {
	if len(tok) > 3 {
		tok = tok[:3]
	}
	tok = toLowerASCII(tok)
	for i, m := range months {
		if tok == m {
			return i
		}
	}
	return -1
}

// parseCookieDate is tough-cookie's parseDate, the RFC 6265 section 5.1.1
// cookie-date algorithm.
func parseCookieDate(str string) (time.Time, bool) {
	hour, minute, second := -1, -1, -1
	dom, month, year := -1, -1, -1
	i := 0
	for i <= len(str) {
		j := i
		for j < len(str) && !isDateDelim(str[j]) {
			j++
		}
		tok := jsTrim(str[i:j])
		i = j + 1
		if tok == "" {
			continue
		}
		if second < 0 {
			if h, m, s, ok := parseTimeToken(tok); ok {
				hour, minute, second = h, m, s
				continue
			}
		}
		if dom < 0 {
			if v := parseDigits(tok, 1, 2, true); v >= 0 {
				dom = v
				continue
			}
		}
		if month < 0 {
			if v := parseMonthToken(tok); v >= 0 {
				month = v
				continue
			}
		}
		if year < 0 {
			if v := parseDigits(tok, 2, 4, true); v >= 0 {
				year = v
				if year >= 70 && year <= 99 {
					year += 1900
				} else if year >= 0 && year <= 69 {
					year += 2000
				}
			}
		}
	}
	if dom < 0 || month < 0 || year < 0 || second < 0 ||
		dom < 1 || dom > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month+1), dom, hour, minute, second, 0, time.UTC), true
}
