package cookiejar

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// This file holds the JavaScript-string model used for cookie paths.
//
// tough-cookie keeps every cookie field as a JavaScript string. Keys,
// values, domains, extensions and Path attributes come from the Set-Cookie
// header, a Node "binary" string (one character <= U+00FF per byte), and
// the package keeps them as bytes. A default path, however, comes from
// decodeURI of the request URL and may hold any character, so Cookie.Path
// is held as the UTF-8 encoding of the path's characters, a lone UTF-16
// surrogate (possible only in a decoded jar) as its generalized UTF-8
// three-byte form (WTF-8). Two paths are then equal, one a prefix of the
// other, or a '/' at the same place, exactly when they are so as
// JavaScript strings.

// latin1ToUTF8 turns a binary string (bytes as characters U+0000..U+00FF)
// into the UTF-8 encoding of those characters. ASCII strings are returned
// as they are.
func latin1ToUTF8(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, c)
		} else {
			b = append(b, 0xC0|c>>6, 0x80|c&0x3F)
		}
	}
	return string(b)
}

// surrogateAt reports whether s[i:] starts with the WTF-8 form of a lone
// UTF-16 surrogate (ED A0..BF 80..BF) and returns that surrogate.
func surrogateAt(s string, i int) (rune, bool) {
	if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
		return 0xD000 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), true
	}
	return 0, false
}

// appendSurrogate appends the WTF-8 form of the surrogate r.
func appendSurrogate(b []byte, r rune) []byte {
	return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
}

// appendJSPath writes a path held in UTF-8/WTF-8 form the way
// JSON.stringify writes the JavaScript string: '"', '\\' and control
// characters escaped, lone surrogates as \udxxx, every other character as
// UTF-8. Bytes that are not valid UTF-8 (possible only through Put) are
// written as U+FFFD.
func appendJSPath(b []byte, s string) []byte {
	return appendJSPathQ(b, s, false)
}

// appendJSPathQ is appendJSPath, in quoted form when quoted: every '"' and
// '\\' of the JSON text escaped once more (see Jar.appendJSON).
func appendJSPathQ(b []byte, s string, quoted bool) []byte {
	b = appendQuoteMark(b, quoted)
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch {
		case c < utf8.RuneSelf:
			b = appendJSControlQ(b, c, quoted)
			i++
		default:
			if r, ok := surrogateAt(s, i); ok {
				b = appendBackslash(b, quoted)
				b = append(b, 'u', hexDigits[r>>12], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
				i += 3
				break
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
		start = i
	}
	b = append(b, s[start:]...)
	return appendQuoteMark(b, quoted)
}

// appendBackslash writes the '\\' that starts an escape of the JSON text,
// as \\\\ when quoted.
func appendBackslash(b []byte, quoted bool) []byte {
	if quoted {
		return append(b, '\\', '\\')
	}
	return append(b, '\\')
}

// appendJSControlQ writes the JSON.stringify escape of '"', '\\' or a
// control character; when quoted, the escape's backslash doubled and an
// escaped '"' or '\\' escaped again.
func appendJSControlQ(b []byte, c byte, quoted bool) []byte {
	b = appendBackslash(b, quoted)
	switch c {
	case '"':
		if quoted {
			return append(b, '\\', '"')
		}
		return append(b, '"')
	case '\\':
		return appendBackslash(b, quoted)
	case '\b':
		return append(b, 'b')
	case '\f':
		return append(b, 'f')
	case '\n':
		return append(b, 'n')
	case '\r':
		return append(b, 'r')
	case '\t':
		return append(b, 't')
	}
	return append(b, 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// plainPathByte reports whether net/url leaves c unescaped in a path
// (url.URL.EscapedPath), so that a path made only of such bytes is exactly
// what the request URL held.
func plainPathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// requestPath returns the request path tough-cookie 4.1.3 uses for u
// (getCookieContext: url-parse's pathname of decodeURI(url), or of the
// undecoded URL when decodeURI throws), in the package's UTF-8 path form.
//
// The URL string is the one u stands for (u.String(), with the path as the
// request held it when u came from url.Parse). decodeURI decodes the %XX
// sequences that form valid UTF-8, except those of the reserved characters
// ; / ? : @ & = + $ , # which stay escaped; a malformed or non-UTF-8
// sequence anywhere in the URL (query and fragment included) makes it
// throw, and tough-cookie then keeps the URL as it is. url-parse then
// removes tabs and line breaks and turns backslashes into slashes. Raw
// non-ASCII bytes of the URL are read as UTF-8 (an invalid byte as U+FFFD).
// An empty path is "/".
func requestPath(u *url.URL) string {
	p := u.Path
	if u.RawPath == "" {
		plain := true
		for i := 0; i < len(p); i++ {
			if !plainPathByte(p[i]) {
				plain = false
				break
			}
		}
		if plain {
			if p == "" || p[0] != '/' {
				return "/" + p
			}
			return p
		}
	}
	raw := ""
	if u.RawPath != "" {
		if dec, err := url.PathUnescape(u.RawPath); err == nil && dec == u.Path {
			raw = u.RawPath
		}
	}
	if raw == "" {
		raw = u.EscapedPath()
	}
	if strings.IndexByte(raw, '%') >= 0 && decodeURIValid(raw) && urlRestDecodable(u) {
		raw = decodeURI(raw)
	}
	return urlParsePath(raw)
}

// urlRestDecodable reports whether the parts of u other than its path
// (user info, query, fragment) let decodeURI succeed.
func urlRestDecodable(u *url.URL) bool {
	if u.User != nil && !decodeURIValid(u.User.String()) {
		return false
	}
	return decodeURIValid(u.RawQuery) && decodeURIValid(u.EscapedFragment())
}

// uriReserved reports whether decodeURI keeps the escape of c.
func uriReserved(c byte) bool {
	switch c {
	case ';', '/', '?', ':', '@', '&', '=', '+', '$', ',', '#':
		return true
	}
	return false
}

// escapeAt decodes the "%XX" at s[i:], or returns false.
func escapeAt(s string, i int) (byte, bool) {
	if i+2 >= len(s) || s[i] != '%' {
		return 0, false
	}
	h, l := hexVal(s[i+1]), hexVal(s[i+2])
	if h < 0 || l < 0 {
		return 0, false
	}
	return byte(h<<4 | l), true
}

// utf8Escapes decodes the escape sequence of one character at s[i] (a
// '%'): the UTF-8 bytes and the length of the escaped text, or ok false
// when decodeURI would throw there.
func utf8Escapes(s string, i int, buf *[4]byte) (n, width int, ok bool) {
	b, ok := escapeAt(s, i)
	if !ok {
		return 0, 0, false
	}
	switch {
	case b < 0x80:
		buf[0] = b
		return 1, 3, true
	case b&0xE0 == 0xC0:
		n = 2
	case b&0xF0 == 0xE0:
		n = 3
	case b&0xF8 == 0xF0:
		n = 4
	default:
		return 0, 0, false
	}
	buf[0] = b
	for k := 1; k < n; k++ {
		c, ok := escapeAt(s, i+3*k)
		if !ok || c&0xC0 != 0x80 {
			return 0, 0, false
		}
		buf[k] = c
	}
	if r, size := utf8.DecodeRune(buf[:n]); r == utf8.RuneError || size != n {
		return 0, 0, false // overlong, surrogate or above U+10FFFF
	}
	return n, 3 * n, true
}

// decodeURIValid reports whether JavaScript's decodeURI accepts s.
func decodeURIValid(s string) bool {
	var buf [4]byte
	for i := strings.IndexByte(s, '%'); i >= 0; {
		_, w, ok := utf8Escapes(s, i, &buf)
		if !ok {
			return false
		}
		i += w
		k := strings.IndexByte(s[i:], '%')
		if k < 0 {
			break
		}
		i += k
	}
	return true
}

// decodeURI is JavaScript's decodeURI on an s that decodeURIValid
// accepts, with the result in UTF-8.
func decodeURI(s string) string {
	var buf [4]byte
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b = append(b, s[i])
			i++
			continue
		}
		n, w, ok := utf8Escapes(s, i, &buf)
		if !ok { // not reached for a valid s
			b = append(b, s[i])
			i++
			continue
		}
		if n == 1 && uriReserved(buf[0]) {
			b = append(b, s[i:i+w]...)
		} else {
			b = append(b, buf[:n]...)
		}
		i += w
	}
	return string(b)
}

// urlParsePath applies what url-parse 1.5.10 does to the path of an http
// URL: tabs, CR and LF are removed, backslashes become slashes, and a path
// that does not start with '/' gets one. Invalid UTF-8 bytes become U+FFFD.
func urlParsePath(p string) string {
	clean := true
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '\t' || c == '\n' || c == '\r' || c == '\\' || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if !clean {
		b := make([]byte, 0, len(p))
		for i := 0; i < len(p); {
			c := p[i]
			switch {
			case c == '\t' || c == '\n' || c == '\r':
				i++
			case c == '\\':
				b = append(b, '/')
				i++
			case c < utf8.RuneSelf:
				b = append(b, c)
				i++
			default:
				r, size := utf8.DecodeRuneInString(p[i:])
				if r == utf8.RuneError && size == 1 {
					b = utf8.AppendRune(b, utf8.RuneError)
				} else {
					b = append(b, p[i:i+size]...)
				}
				i += size
			}
		}
		p = string(b)
	}
	if p == "" || p[0] != '/' {
		return "/" + p
	}
	return p
}
