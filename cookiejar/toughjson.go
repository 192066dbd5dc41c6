package cookiejar

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of values Decode skips over.
const maxJSONDepth = 1000

// maxJSMs is the largest |epoch ms| a JavaScript Date can hold.
const maxJSMs = 8.64e15

// scanner is a small strict JSON reader (RFC 8259, as JSON.parse accepts
// it) specialised for tough-cookie's jar.
type scanner struct {
	s     string
	i     int
	depth int
}

func (p *scanner) fail(msg string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidJar, msg, p.i)
}

func (p *scanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) expect(b byte) error {
	p.ws()
	if p.peek() != b {
		if p.i >= len(p.s) {
			return p.fail("unexpected end of JSON input, want " + strconv.QuoteRune(rune(b)))
		}
		return p.fail("unexpected " + strconv.QuoteRune(rune(p.s[p.i])) + ", want " + strconv.QuoteRune(rune(b)))
	}
	p.i++
	return nil
}

func hexVal(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}

func (p *scanner) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		v := hexVal(p.s[p.i+k])
		if v < 0 {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	p.i += 4
	return r, true
}

// str reads a JSON string at p.i (after whitespace). With latin1, every
// character must be at most U+00FF and becomes one byte (Node's binary
// strings); otherwise the result is UTF-8, a lone surrogate escape in its
// WTF-8 form (the package's form of JavaScript strings, see jsstring.go).
func (p *scanner) str(latin1 bool) (string, error) {
	p.ws()
	if p.peek() != '"' {
		return "", p.fail("want a string")
	}
	p.i++
	start := p.i
	j := p.i
	for j < len(p.s) {
		b := p.s[j]
		if b == '"' {
			p.i = j + 1
			return p.s[start:j], nil
		}
		if b == '\\' || b < 0x20 || b >= 0x80 {
			break
		}
		j++
	}
	buf := make([]byte, 0, j-start+16)
	buf = append(buf, p.s[start:j]...)
	p.i = j
	for {
		if p.i >= len(p.s) {
			return "", p.fail("unterminated string")
		}
		b := p.s[p.i]
		switch {
		case b == '"':
			p.i++
			return string(buf), nil
		case b < 0x20:
			return "", p.fail("control character in string")
		case b == '\\':
			p.i++
			if p.i >= len(p.s) {
				return "", p.fail("unterminated string")
			}
			e := p.s[p.i]
			p.i++
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				var ok bool
				if r, ok = p.hex4(); !ok {
					return "", p.fail("bad \\u escape")
				}
				if 0xD800 <= r && r < 0xDC00 && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok && 0xDC00 <= lo && lo < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					} else {
						p.i = save
					}
				}
			default:
				return "", p.fail("bad escape")
			}
			switch {
			case latin1:
				if r > 0xFF {
					return "", p.fail(fmt.Sprintf("character U+%04X above U+00FF in a cookie string", r))
				}
				buf = append(buf, byte(r))
			case 0xD800 <= r && r < 0xE000:
				buf = appendSurrogate(buf, r) // a lone surrogate, kept (WTF-8)
			default:
				buf = utf8.AppendRune(buf, r)
			}
		case b < 0x80:
			buf = append(buf, b)
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.fail("invalid UTF-8")
			}
			if latin1 {
				if r > 0xFF {
					return "", p.fail(fmt.Sprintf("character U+%04X above U+00FF in a cookie string", r))
				}
				buf = append(buf, byte(r))
			} else {
				buf = append(buf, p.s[p.i:p.i+size]...)
			}
			p.i += size
		}
	}
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// number reads a JSON number; overflow gives ±Inf as in JavaScript.
func (p *scanner) number() (float64, error) {
	p.ws()
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	switch {
	case p.peek() == '0':
		p.i++
	case isDigit(p.peek()):
		for isDigit(p.peek()) {
			p.i++
		}
	default:
		return 0, p.fail("bad number")
	}
	if p.peek() == '.' {
		p.i++
		if !isDigit(p.peek()) {
			return 0, p.fail("bad number")
		}
		for isDigit(p.peek()) {
			p.i++
		}
	}
	if b := p.peek(); b == 'e' || b == 'E' {
		p.i++
		if b := p.peek(); b == '+' || b == '-' {
			p.i++
		}
		if !isDigit(p.peek()) {
			return 0, p.fail("bad number")
		}
		for isDigit(p.peek()) {
			p.i++
		}
	}
	f, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil && !math.IsInf(f, 0) && f != 0 {
		return 0, p.fail("bad number")
	}
	return f, nil
}

func (p *scanner) literal(word string) error {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return p.fail("invalid literal")
	}
	p.i += len(word)
	return nil
}

// kind returns the first byte of the next value, after whitespace.
func (p *scanner) kind() byte {
	p.ws()
	return p.peek()
}

// truthy reads any value and reports its JavaScript truthiness.
func (p *scanner) truthy() (bool, error) {
	switch p.kind() {
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return false, p.literal("null")
	case '"':
		s, err := p.str(false)
		return s != "", err
	case '{', '[':
		return true, p.skip()
	default:
		f, err := p.number()
		return f != 0 && !math.IsNaN(f), err
	}
}

// skip reads and discards any value, checking its syntax.
func (p *scanner) skip() error {
	switch p.kind() {
	case '{':
		p.i++
		if p.depth++; p.depth > maxJSONDepth {
			return p.fail("nesting too deep")
		}
		if p.kind() == '}' {
			p.i++
			p.depth--
			return nil
		}
		for {
			if _, err := p.str(false); err != nil {
				return err
			}
			if err := p.expect(':'); err != nil {
				return err
			}
			if err := p.skip(); err != nil {
				return err
			}
			more, err := p.next('}')
			if err != nil {
				return err
			}
			if !more {
				p.depth--
				return nil
			}
		}
	case '[':
		p.i++
		if p.depth++; p.depth > maxJSONDepth {
			return p.fail("nesting too deep")
		}
		if p.kind() == ']' {
			p.i++
			p.depth--
			return nil
		}
		for {
			if err := p.skip(); err != nil {
				return err
			}
			more, err := p.next(']')
			if err != nil {
				return err
			}
			if !more {
				p.depth--
				return nil
			}
		}
	case '"':
		_, err := p.str(false)
		return err
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	default:
		_, err := p.number()
		return err
	}
}

// next reads ',' (true) or the closing byte (false).
func (p *scanner) next(closing byte) (bool, error) {
	switch p.kind() {
	case ',':
		p.i++
		return true, nil
	case closing:
		p.i++
		return false, nil
	}
	if p.i >= len(p.s) {
		return false, p.fail("unexpected end of JSON input")
	}
	return false, p.fail("want ',' or " + strconv.QuoteRune(rune(closing)))
}

// beginObject consumes '{' and reports whether the object is empty (its
// '}' consumed too).
func (p *scanner) beginObject() (empty bool, err error) {
	if err := p.expect('{'); err != nil {
		return false, err
	}
	if p.kind() == '}' {
		p.i++
		return true, nil
	}
	return false, nil
}

// member reads a member name and its ':'.
func (p *scanner) member() (string, error) {
	key, err := p.str(false)
	if err != nil {
		return "", err
	}
	return key, p.expect(':')
}

// Decode parses tough-cookie's serialized jar JSON (the string stored as
// serializedCookieJar) into a new jar. Errors wrap ErrInvalidJar.
//
// As CookieJar.deserializeSync does, only rejectPublicSuffixes (absent
// means false), enableLooseMode and cookies are read; cookies must be an
// array of objects. Dates may be ISO strings (with or without
// milliseconds), epoch-millisecond numbers, RFC 1123 strings or other
// common forms JavaScript's Date parser accepts (a date-time without a
// zone is read as UTC); a missing creation becomes now. A path may hold any
// character (tough-cookie derives default paths from decodeURI of the
// request URL), kept as Cookie.Path documents. The other strings (key,
// value, domain, sameSite, extensions) are Node binary strings: a character
// above U+00FF there is an error (Node throws when such a key or value is
// sent in a header). Later cookies replace earlier ones with the same
// domain, path and key.
func Decode(data []byte, o *Options) (*Jar, error) {
	j := New(o)
	now := j.clock()
	p := &scanner{s: string(data)}
	var cookies []entry
	haveCookies := false
	reject, loose := false, false
	if p.kind() != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidJar)
	}
	empty, err := p.beginObject()
	for !empty && err == nil {
		var key string
		if key, err = p.member(); err != nil {
			break
		}
		switch key {
		case "cookies":
			if p.kind() != '[' {
				haveCookies = false
				err = p.skip()
				break
			}
			cookies, err = p.cookieArray(now)
			haveCookies = err == nil
		case "rejectPublicSuffixes":
			reject, err = p.truthy()
		case "enableLooseMode":
			loose, err = p.truthy()
		default:
			err = p.skip()
		}
		if err != nil {
			break
		}
		var more bool
		more, err = p.next('}')
		empty = !more
	}
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected data after JSON value")
	}
	if !haveCookies {
		return nil, fmt.Errorf("%w: serialized jar has no cookies array", ErrInvalidJar)
	}
	j.rejectPublicSuffixes = reject
	j.enableLooseMode = loose
	for i := range cookies {
		e := &cookies[i]
		e.refresh()
		j.insert(e, false)
	}
	j.version.Store(0)
	return j, nil
}

func (p *scanner) cookieArray(now time.Time) ([]entry, error) {
	p.i++ // '['
	out := make([]entry, 0, 16)
	if p.kind() == ']' {
		p.i++
		return out, nil
	}
	for {
		if p.kind() != '{' {
			return nil, fmt.Errorf("%w: cookies[%d] is not an object", ErrInvalidJar, len(out))
		}
		out = append(out, entry{})
		if err := p.cookie(&out[len(out)-1].c, now); err != nil {
			return nil, fmt.Errorf("cookies[%d]: %w", len(out)-1, err)
		}
		more, err := p.next(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
	}
}

// optString reads a latin1 string or null ("").
func (p *scanner) optString() (string, error) {
	if p.kind() == 'n' {
		return "", p.literal("null")
	}
	if p.kind() != '"' {
		return "", p.fail("want a string or null")
	}
	return p.str(true)
}

// optJSString reads a string of any characters (in UTF-8/WTF-8 form) or
// null ("").
func (p *scanner) optJSString() (string, error) {
	if p.kind() == 'n' {
		return "", p.literal("null")
	}
	if p.kind() != '"' {
		return "", p.fail("want a string or null")
	}
	return p.str(false)
}

func (p *scanner) optBool() (bool, bool, error) {
	switch p.kind() {
	case 't':
		return true, true, p.literal("true")
	case 'f':
		return false, true, p.literal("false")
	case 'n':
		return false, false, p.literal("null")
	}
	return false, false, p.fail("want a boolean or null")
}

// date reads a tough-cookie date field: null (isNull), "Infinity" or an
// infinite number (isInf), or anything new Date() accepts.
func (p *scanner) date() (t time.Time, isNull, isInf bool, err error) {
	switch p.kind() {
	case 'n':
		return time.Time{}, true, false, p.literal("null")
	case '"':
		s, err := p.str(false)
		if err != nil {
			return time.Time{}, false, false, err
		}
		if s == "Infinity" {
			return time.Time{}, false, true, nil
		}
		t, ok := parseJSDate(s)
		if !ok {
			return time.Time{}, false, false, p.fail(fmt.Sprintf("invalid date %q", s))
		}
		return t, false, false, nil
	case 't', 'f', '{', '[':
		return time.Time{}, false, false, p.fail("want a date")
	}
	f, err := p.number()
	if err != nil {
		return time.Time{}, false, false, err
	}
	if math.IsInf(f, 1) {
		return time.Time{}, false, true, nil
	}
	if math.IsInf(f, -1) || math.Abs(f) > maxJSMs {
		return time.Time{}, false, false, p.fail("date out of range")
	}
	return time.UnixMilli(int64(f)).UTC(), false, false, nil
}

func (p *scanner) cookie(c *Cookie, now time.Time) error {
	haveCreation := false
	empty, err := p.beginObject()
	for !empty && err == nil {
		var key string
		if key, err = p.member(); err != nil {
			return err
		}
		if err = p.cookieField(c, key, &haveCreation); err != nil {
			return err
		}
		var more bool
		more, err = p.next('}')
		empty = !more
	}
	if err != nil {
		return err
	}
	if !haveCreation {
		c.Creation = now
	}
	return nil
}

// cookieField reads the value of member key into c.
func (p *scanner) cookieField(c *Cookie, key string, haveCreation *bool) error {
	var err error
	switch key {
	case "key":
		c.Key, err = p.optString()
	case "value":
		c.Value, err = p.optString()
	case "domain":
		c.Domain, err = p.optString()
	case "path":
		c.Path, err = p.optJSString()
	case "sameSite":
		c.SameSite, err = p.optString()
	case "expires":
		var t time.Time
		t, _, _, err = p.date()
		c.Expires = t
	case "creation", "lastAccessed":
		t, isNull, isInf, derr := p.date()
		if derr != nil {
			return derr
		}
		if isInf {
			return p.fail(key + " is not a date")
		}
		if key == "creation" {
			c.Creation, *haveCreation = t, !isNull
		} else {
			c.LastAccessed = t
		}
	case "maxAge":
		switch p.kind() {
		case 'n':
			c.MaxAge = nil
			err = p.literal("null")
		case '"':
			var s string
			if s, err = p.str(false); err != nil {
				return err
			}
			switch s {
			case "Infinity":
				c.MaxAge = ptrFloat(math.Inf(1))
			case "-Infinity":
				c.MaxAge = ptrFloat(math.Inf(-1))
			default:
				return p.fail("maxAge string must be Infinity or -Infinity")
			}
		default:
			var f float64
			if f, err = p.number(); err == nil {
				c.MaxAge = ptrFloat(f)
			}
		}
	case "secure":
		c.Secure, _, err = p.optBool()
	case "httpOnly":
		c.HttpOnly, _, err = p.optBool()
	case "pathIsDefault":
		c.PathIsDefault, _, err = p.optBool()
	case "hostOnly":
		v, set, berr := p.optBool()
		if berr != nil {
			return berr
		}
		c.HostOnly = nil
		if set {
			c.HostOnly = ptrBool(v)
		}
	case "extensions":
		if p.kind() == 'n' {
			c.Extensions = nil
			return p.literal("null")
		}
		if p.kind() != '[' {
			return p.fail("extensions must be an array")
		}
		p.i++
		c.Extensions = []string{}
		if p.kind() == ']' {
			p.i++
			return nil
		}
		for {
			if p.kind() != '"' {
				return p.fail("extensions must hold strings")
			}
			s, err := p.str(true)
			if err != nil {
				return err
			}
			c.Extensions = append(c.Extensions, s)
			more, err := p.next(']')
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	default:
		err = p.skip()
	}
	return err
}

// Encode returns tough-cookie's serialized jar JSON, byte-compatible with
// tough-cookie 4.1.3 (field order, omitted defaults, toISOString dates).
func (j *Jar) Encode() ([]byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	all := j.sorted()
	b := make([]byte, 0, 200+200*len(all))
	b = append(b, `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":`...)
	b = strconv.AppendBool(b, j.rejectPublicSuffixes)
	b = append(b, `,"enableLooseMode":`...)
	b = strconv.AppendBool(b, j.enableLooseMode)
	b = append(b, `,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[`...)
	for i, e := range all {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCookieJSON(b, &e.c)
	}
	b = append(b, "]}"...)
	return b, nil
}

// appendCookieJSON writes c as tough-cookie's Cookie.toJSON() does through
// JSON.stringify.
func appendCookieJSON(b []byte, c *Cookie) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if c.Key != "" {
		field("key")
		b = appendJSString(b, c.Key)
	}
	if c.Value != "" {
		field("value")
		b = appendJSString(b, c.Value)
	}
	if !c.Expires.IsZero() {
		field("expires")
		b = append(b, '"')
		b = appendISO(b, c.Expires)
		b = append(b, '"')
	}
	if c.MaxAge != nil {
		field("maxAge")
		switch m := *c.MaxAge; {
		case math.IsInf(m, 1):
			b = append(b, `"Infinity"`...)
		case math.IsInf(m, -1):
			b = append(b, `"-Infinity"`...)
		default:
			b = appendJSNumber(b, m)
		}
	}
	if c.Domain != "" {
		field("domain")
		b = appendJSString(b, c.Domain)
	}
	if c.Path != "" {
		field("path")
		b = appendJSPath(b, c.Path)
	}
	if c.Secure {
		field("secure")
		b = append(b, "true"...)
	}
	if c.HttpOnly {
		field("httpOnly")
		b = append(b, "true"...)
	}
	if c.Extensions != nil {
		field("extensions")
		b = append(b, '[')
		for i, x := range c.Extensions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, x)
		}
		b = append(b, ']')
	}
	if c.HostOnly != nil {
		field("hostOnly")
		b = strconv.AppendBool(b, *c.HostOnly)
	}
	if c.PathIsDefault {
		field("pathIsDefault")
		b = append(b, "true"...)
	}
	if !c.Creation.IsZero() {
		field("creation")
		b = append(b, '"')
		b = appendISO(b, c.Creation)
		b = append(b, '"')
	}
	if !c.LastAccessed.IsZero() {
		field("lastAccessed")
		b = append(b, '"')
		b = appendISO(b, c.LastAccessed)
		b = append(b, '"')
	}
	if c.SameSite != "" {
		field("sameSite")
		b = appendJSString(b, c.SameSite)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSString writes a latin1 (Node binary) string the way
// JSON.stringify does: only '"', '\\' and control characters are escaped,
// and each byte >= 0x80 is the character of the same code point (UTF-8
// encoded).
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			continue
		}
		b = append(b, s[start:i]...)
		if c < 0x80 {
			b = appendJSControl(b, c)
		} else {
			b = append(b, 0xC0|c>>6, 0x80|c&0x3F)
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// appendISO writes t as JavaScript's Date.prototype.toISOString.
func appendISO(b []byte, t time.Time) []byte {
	t = t.UTC()
	y := t.Year()
	if y >= 0 && y <= 9999 {
		b = append2(b, y/100)
		b = append2(b, y%100)
	} else {
		if y < 0 {
			b = append(b, '-')
			y = -y
		} else {
			b = append(b, '+')
		}
		b = append2(b, y/10000%100)
		b = append2(b, y/100%100)
		b = append2(b, y%100)
	}
	b = append(b, '-')
	b = append2(b, int(t.Month()))
	b = append(b, '-')
	b = append2(b, t.Day())
	b = append(b, 'T')
	b = append2(b, t.Hour())
	b = append(b, ':')
	b = append2(b, t.Minute())
	b = append(b, ':')
	b = append2(b, t.Second())
	b = append(b, '.')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100))
	b = append2(b, ms%100)
	return append(b, 'Z')
}

// appendJSNumber writes a finite float the way JavaScript's
// Number.prototype.toString (and JSON.stringify) does.
func appendJSNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		b = append(b, '-')
	}
	ePos := 0
	for ePos < len(e) && e[ePos] != 'e' {
		ePos++
	}
	mant := e[:ePos]
	exp, _ := strconv.Atoi(string(e[ePos+1:]))
	digits := make([]byte, 0, len(mant))
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	k := len(digits)
	n := exp + 1
	switch {
	case k <= n && n <= 21:
		b = append(b, digits...)
		for i := 0; i < n-k; i++ {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		b = append(b, digits[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for i := 0; i < -n; i++ {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}
