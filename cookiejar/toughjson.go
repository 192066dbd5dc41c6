package cookiejar

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// maxJSONDepth bounds the nesting of values Decode skips over.
const maxJSONDepth = 1000

// maxJSMs is the largest |epoch ms| a JavaScript Date can hold.
const maxJSMs = 8.64e15

// scanner is a small strict JSON reader (RFC 8259, as JSON.parse accepts
// it) specialised for tough-cookie's jar.
//
// In quoted mode (q) s is the text of a JSON string literal whose content
// is the jar's JSON, starting after the literal's opening quote: a '"' of
// the jar's JSON is the two bytes \" there, and the raw '"' that closes
// the literal ends the input. Quoted mode reads only the plain form that
// JSON.stringify gives a jar of ASCII strings without escapes; on anything
// else it fails, and the caller decodes the unquoted text instead.
//
// s is a view of the caller's bytes, valid during the call only: the
// strings a decoded jar keeps are copied into arena (see keep).
type scanner struct {
	s     string
	i     int
	depth int
	q     bool

	cookies    []entry   // the decoded cookies, in order
	arena      []byte    // backing of the kept strings; never grows
	lastDomain string    // last kept domain and path, shared by the
	lastPath   string    // cookies that repeat them
	floats     []float64 // backing of MaxAge pointers
}

// maxPooled bounds the buffers kept for reuse.
const maxPooled = 64 << 10

var (
	scannerPool = sync.Pool{New: func() any { return new(scanner) }}
	bufPool     = sync.Pool{New: func() any { return new([]byte) }}
)

// getScanner returns a scanner over s with an arena that can hold every
// string s holds (a decoded string is never longer than its JSON form).
func getScanner(s string, quoted bool) *scanner {
	p := scannerPool.Get().(*scanner)
	p.s, p.q = s, quoted
	if cap(p.arena) < len(s) {
		p.arena = make([]byte, 0, max(len(s), 512))
	}
	return p
}

// putScanner returns p to the pool, keeping only its arena.
func putScanner(p *scanner) {
	arena := p.arena[:0]
	if cap(arena) > maxPooled {
		arena = nil
	}
	*p = scanner{arena: arena}
	scannerPool.Put(p)
}

func putBuf(b *[]byte) {
	if cap(*b) > maxPooled {
		*b = nil
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// unsafeString views b as a string without copying, for reading during a
// call; strings kept beyond it are copied (see scanner.keep).
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// keep returns a copy of s, a string read from p.s, that the decoded jar
// may keep: a shared constant or the previous domain or path when equal,
// otherwise a copy in the arena (moved to the jar's own memory by
// finish). last, if not nil, is the previous value of the same field.
func (p *scanner) keep(s string, last *string) string {
	switch s {
	case "":
		return ""
	case "/":
		return "/"
	case "lax":
		return "lax"
	case "strict":
		return "strict"
	case "none":
		return "none"
	case "localhost":
		return "localhost"
	case "127.0.0.1":
		return "127.0.0.1"
	}
	if last != nil && *last == s {
		return *last
	}
	var k string
	if n := len(p.arena); n+len(s) <= cap(p.arena) {
		p.arena = append(p.arena, s...)
		k = unsafe.String(unsafe.SliceData(p.arena[n:]), len(s))
	} else {
		k = strings.Clone(s) // not reached: the arena holds all of p.s
	}
	if last != nil {
		*last = k
	}
	return k
}

// floatPtr returns a pointer to f, from a block shared by the cookies of
// one decode.
func (p *scanner) floatPtr(f float64) *float64 {
	if len(p.floats) == cap(p.floats) {
		p.floats = make([]float64, 0, 8)
	}
	p.floats = append(p.floats, f)
	return &p.floats[len(p.floats)-1]
}

var trueValue, falseValue = true, false

// sharedBool returns a pointer to a shared true or false. Nothing writes
// through Cookie.HostOnly inside the package, and copies handed out are
// deep (Cookie.clone).
func sharedBool(b bool) *bool {
	if b {
		return &trueValue
	}
	return &falseValue
}

func (p *scanner) fail(msg string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidJar, msg, p.i)
}

func (p *scanner) ws() {
	if p.i < len(p.s) && p.s[p.i] > ' ' {
		return
	}
	p.wsSlow()
}

func (p *scanner) wsSlow() {
	if p.q {
		// A raw tab or line break would be a control character in the
		// literal; escaped ones are left for the slow path.
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
		}
		return
	}
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte of the JSON text, 0 at its end. In quoted
// mode \" stands for '"', the closing raw '"' for the end, and another
// escape for '\\' (which no JSON value starts with).
func (p *scanner) peek() byte {
	if p.i >= len(p.s) {
		return 0
	}
	c := p.s[p.i]
	if p.q {
		switch c {
		case '"':
			return 0
		case '\\':
			if p.i+1 < len(p.s) && p.s[p.i+1] == '"' {
				return '"'
			}
		}
	}
	return c
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
	if p.q {
		return p.quotedStr()
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

// quotedStr reads, in quoted mode, a string after its opening \" (at
// p.i): printable ASCII up to the closing \". Anything else (an escape,
// a control character, a non-ASCII byte, the end of the literal) is left
// to the slow path. The content is the same in both modes.
func (p *scanner) quotedStr() (string, error) {
	start := p.i + 2
	for j := start; j < len(p.s); j++ {
		switch b := p.s[j]; {
		case b == '\\':
			if j+1 < len(p.s) && p.s[j+1] == '"' {
				p.i = j + 2
				return p.s[start:j], nil
			}
			return "", p.fail("escape in a quoted jar string")
		case b < 0x20 || b >= 0x80 || b == '"':
			return "", p.fail("not plain ASCII in a quoted jar string")
		}
	}
	return "", p.fail("unterminated string")
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
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidJar)
	}
	p := getScanner(unsafeString(data), false)
	defer putScanner(p)
	j, err := p.jar(o)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected data after JSON value")
	}
	return p.finish(j), nil
}

// DecodeQuoted is Decode for the jar's JSON given as a JSON string literal
// (quotes included), as it appears in a .rhfsession file's
// serializedCookieJar: Decode of the literal's decoded content, where an
// escape of a lone UTF-16 surrogate in the literal decodes to U+FFFD (as
// encoding/json decodes it). The literal must be the whole of quoted.
// Errors wrap ErrInvalidJar.
//
// The usual form, the one JSON.stringify writes, is read in a single pass
// without unquoting the literal first.
func DecodeQuoted(quoted []byte, o *Options) (*Jar, error) {
	j, n, err := DecodeQuotedPrefix(quoted, o)
	if err != nil {
		return nil, err
	}
	if n != len(quoted) {
		return nil, fmt.Errorf("%w: unexpected data after the JSON string at offset %d", ErrInvalidJar, n)
	}
	return j, nil
}

// DecodeQuotedPrefix is DecodeQuoted for the JSON string literal at the
// start of b, which may continue after it (a parser of the enclosing JSON
// document gives the rest of its input). It returns the jar and the
// length of the literal, quotes included. Errors wrap ErrInvalidJar.
func DecodeQuotedPrefix(b []byte, o *Options) (*Jar, int, error) {
	if len(b) == 0 || b[0] != '"' {
		return nil, 0, fmt.Errorf("%w: not a JSON string", ErrInvalidJar)
	}
	if j, n, ok := decodeQuotedFast(b, o); ok {
		return j, n, nil
	}
	bufp := bufPool.Get().(*[]byte)
	defer putBuf(bufp)
	text, n, err := unquotePrefix((*bufp)[:0], b)
	*bufp = text
	if err != nil {
		return nil, 0, err
	}
	j, err := Decode(text, o)
	if err != nil {
		return nil, 0, err
	}
	return j, n, nil
}

// decodeQuotedFast decodes the literal at b[0] in quoted mode; ok is false
// when the literal is not in the plain form quoted mode reads, or is not a
// valid jar (the slow path then gives the answer and its error).
func decodeQuotedFast(b []byte, o *Options) (*Jar, int, bool) {
	p := getScanner(unsafeString(b[1:]), true)
	defer putScanner(p)
	j, err := p.jar(o)
	if err != nil {
		return nil, 0, false
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return nil, 0, false
	}
	return p.finish(j), p.i + 2, true
}

// unquotePrefix appends to dst the content of the JSON string literal at
// the start of b (b[0] is '"') and returns it with the literal's length.
// Bytes are copied as they are; an escaped lone surrogate becomes U+FFFD.
func unquotePrefix(dst, b []byte) ([]byte, int, error) {
	for i := 1; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return dst, i + 1, nil
		case c < 0x20:
			return dst, 0, fmt.Errorf("%w: control character in the JSON string at offset %d", ErrInvalidJar, i)
		case c != '\\':
			start := i
			for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
				i++
			}
			dst = append(dst, b[start:i]...)
			continue
		}
		if i+1 >= len(b) {
			break
		}
		e := b[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4Bytes(b, i)
			if !ok {
				return dst, 0, fmt.Errorf("%w: bad \\u escape in the JSON string at offset %d", ErrInvalidJar, i-2)
			}
			i += 4
			if 0xD800 <= r && r < 0xE000 {
				lo, ok := rune(0), false
				if r < 0xDC00 && i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' {
					lo, ok = hex4Bytes(b, i+2)
				}
				if ok && 0xDC00 <= lo && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, 0, fmt.Errorf("%w: bad escape in the JSON string at offset %d", ErrInvalidJar, i-2)
		}
	}
	return dst, 0, fmt.Errorf("%w: unterminated JSON string", ErrInvalidJar)
}

// hex4Bytes reads the four hex digits at b[i:].
func hex4Bytes(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		v := hexVal(c)
		if v < 0 {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// jar reads the jar's JSON object (after whitespace) into a new jar whose
// cookies are not yet inserted (see finish).
func (p *scanner) jar(o *Options) (*Jar, error) {
	j := New(o)
	now := j.clock()
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
			p.cookies, err = p.cookieArray(now, p.cookies[:0])
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
	if !haveCookies {
		return nil, fmt.Errorf("%w: serialized jar has no cookies array", ErrInvalidJar)
	}
	j.rejectPublicSuffixes = reject
	j.enableLooseMode = loose
	return j, nil
}

// finish moves the kept strings out of the scanner's arena into one string
// of their own and inserts the decoded cookies, later ones replacing
// earlier ones with the same domain, path and key.
func (p *scanner) finish(j *Jar) *Jar {
	cookies := p.cookies
	p.cookies = nil
	if len(p.arena) > 0 {
		own := string(p.arena)
		base := unsafe.Pointer(unsafe.SliceData(p.arena))
		size := uintptr(len(p.arena))
		move := func(s *string) {
			if len(*s) == 0 {
				return
			}
			off := uintptr(unsafe.Pointer(unsafe.StringData(*s))) - uintptr(base)
			if off < size { // a string in the arena (others are constants or copies)
				*s = own[off : off+uintptr(len(*s))]
			}
		}
		for i := range cookies {
			c := &cookies[i].c
			move(&c.Key)
			move(&c.Value)
			move(&c.Domain)
			move(&c.Path)
			move(&c.SameSite)
			for k := range c.Extensions {
				move(&c.Extensions[k])
			}
		}
	}
	j.insertDecoded(cookies)
	j.version.Store(0)
	return j
}

func (p *scanner) cookieArray(now time.Time, out []entry) ([]entry, error) {
	p.i++ // '['
	if out == nil {
		out = make([]entry, 0, 16)
	}
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
	var v string
	switch key {
	case "key":
		v, err = p.optString()
		c.Key = p.keep(v, nil)
	case "value":
		v, err = p.optString()
		c.Value = p.keep(v, nil)
	case "domain":
		v, err = p.optString()
		c.Domain = p.keep(v, &p.lastDomain)
	case "path":
		v, err = p.optJSString()
		c.Path = p.keep(v, &p.lastPath)
	case "sameSite":
		v, err = p.optString()
		c.SameSite = p.keep(v, nil)
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
				c.MaxAge = p.floatPtr(math.Inf(1))
			case "-Infinity":
				c.MaxAge = p.floatPtr(math.Inf(-1))
			default:
				return p.fail("maxAge string must be Infinity or -Infinity")
			}
		default:
			var f float64
			if f, err = p.number(); err == nil {
				c.MaxAge = p.floatPtr(f)
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
			c.HostOnly = sharedBool(v)
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
			c.Extensions = append(c.Extensions, p.keep(s, nil))
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
	return j.appendJSON(make([]byte, 0, 200+200*j.n), false), nil
}

// AppendEncodeQuoted appends to dst what Encode returns, written as a JSON
// string literal the way JavaScript's JSON.stringify writes a string
// (quotes included; only '"', '\\' and control characters escaped): the
// serializedCookieJar value of a .rhfsession file, produced in one pass.
func (j *Jar) AppendEncodeQuoted(dst []byte) []byte {
	j.mu.Lock()
	defer j.mu.Unlock()
	dst = append(dst, '"')
	dst = j.appendJSON(dst, true)
	return append(dst, '"')
}

// appendJSON appends the jar's JSON; quoted writes it as the content of a
// JSON string literal: every '"' of the JSON as \" and every '\\' as \\\\
// (the JSON never holds a control character or invalid UTF-8). j.mu must be
// held.
func (j *Jar) appendJSON(b []byte, quoted bool) []byte {
	all := j.sortedScratch()
	if quoted {
		b = append(b, `{\"version\":\"tough-cookie@4.1.3\",\"storeType\":\"MemoryCookieStore\",\"rejectPublicSuffixes\":`...)
		b = strconv.AppendBool(b, j.rejectPublicSuffixes)
		b = append(b, `,\"enableLooseMode\":`...)
		b = strconv.AppendBool(b, j.enableLooseMode)
		b = append(b, `,\"allowSpecialUseDomain\":true,\"prefixSecurity\":\"silent\",\"cookies\":[`...)
	} else {
		b = append(b, `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":`...)
		b = strconv.AppendBool(b, j.rejectPublicSuffixes)
		b = append(b, `,"enableLooseMode":`...)
		b = strconv.AppendBool(b, j.enableLooseMode)
		b = append(b, `,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[`...)
	}
	for i, e := range all {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCookie(b, &e.c, quoted)
	}
	clear(all)
	j.scratch = all[:0]
	return append(b, "]}"...)
}

// appendCookieJSON writes c as tough-cookie's Cookie.toJSON() does through
// JSON.stringify.
func appendCookieJSON(b []byte, c *Cookie) []byte {
	return appendCookie(b, c, false)
}

// appendCookie is appendCookieJSON, in quoted form when quoted (see
// appendJSON).
func appendCookie(b []byte, c *Cookie, quoted bool) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendQuoteMark(b, quoted)
		b = append(b, name...)
		b = appendQuoteMark(b, quoted)
		b = append(b, ':')
	}
	date := func(t time.Time) {
		b = appendQuoteMark(b, quoted)
		b = appendISO(b, t)
		b = appendQuoteMark(b, quoted)
	}
	if c.Key != "" {
		field("key")
		b = appendJSStringQ(b, c.Key, quoted)
	}
	if c.Value != "" {
		field("value")
		b = appendJSStringQ(b, c.Value, quoted)
	}
	if !c.Expires.IsZero() {
		field("expires")
		date(c.Expires)
	}
	if c.MaxAge != nil {
		field("maxAge")
		switch m := *c.MaxAge; {
		case math.IsInf(m, 1):
			b = appendQuoteMark(b, quoted)
			b = append(b, "Infinity"...)
			b = appendQuoteMark(b, quoted)
		case math.IsInf(m, -1):
			b = appendQuoteMark(b, quoted)
			b = append(b, "-Infinity"...)
			b = appendQuoteMark(b, quoted)
		default:
			b = appendJSNumber(b, m)
		}
	}
	if c.Domain != "" {
		field("domain")
		b = appendJSStringQ(b, c.Domain, quoted)
	}
	if c.Path != "" {
		field("path")
		b = appendJSPathQ(b, c.Path, quoted)
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
			b = appendJSStringQ(b, x, quoted)
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
		date(c.Creation)
	}
	if !c.LastAccessed.IsZero() {
		field("lastAccessed")
		date(c.LastAccessed)
	}
	if c.SameSite != "" {
		field("sameSite")
		b = appendJSStringQ(b, c.SameSite, quoted)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSString writes a latin1 (Node binary) string the way
// JSON.stringify does: only '"', '\\' and control characters are escaped,
// and each byte >= 0x80 is the character of the same code point (UTF-8
// encoded).
func appendJSString(b []byte, s string) []byte {
	return appendJSStringQ(b, s, false)
}

// appendJSStringQ is appendJSString, in quoted form when quoted (see
// Jar.appendJSON).
func appendJSStringQ(b []byte, s string, quoted bool) []byte {
	b = appendQuoteMark(b, quoted)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			continue
		}
		b = append(b, s[start:i]...)
		if c < 0x80 {
			b = appendJSControlQ(b, c, quoted)
		} else {
			b = append(b, 0xC0|c>>6, 0x80|c&0x3F)
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return appendQuoteMark(b, quoted)
}

// appendQuoteMark writes the '"' of a JSON string, as \" when quoted.
func appendQuoteMark(b []byte, quoted bool) []byte {
	if quoted {
		return append(b, '\\', '"')
	}
	return append(b, '"')
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// appendISO writes t as JavaScript's Date.prototype.toISOString.
func appendISO(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	hh, mm, ss := t.Clock()
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
	ms := t.Nanosecond() / 1e6
	return append(b, '-', byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10),
		'T', byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10),
		':', byte('0'+ss/10), byte('0'+ss%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
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
