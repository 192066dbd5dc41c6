package rewrite

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxCSSURL bounds how many bytes of one url(...) or @import string the CSS
// rewriter holds in memory. A longer URL (in practice only data: URIs, which
// are recognised early and never held) is copied through unchanged.
const maxCSSURL = 64 << 10

// cssOut is what the CSS scanner writes to: a *bufio.Writer when streaming,
// a *bytes.Buffer for RewriteCSSString.
type cssOut interface {
	io.Writer
	io.ByteWriter
	io.StringWriter
}

// cssScanner copies CSS from r to w, rewriting URL tokens. It pulls bytes
// from a bufio.Reader, whose buffer is the carry-over that lets a construct
// split across reads (such as "ur" + "l(") be recognised: Peek blocks until
// enough bytes arrived, so the output never depends on how the input was cut.
type cssScanner struct {
	r    *bufio.Reader
	w    cssOut
	m    *Mapper
	base *url.URL
	acc  []byte // raw bytes of the URL being read
	dec  []byte // scratch for decoding escapes
	out  []byte // scratch for the proxified URL
	bc   baseCache
}

// reset drops the references of s to a rewrite's data, keeping its
// buffers (unless they grew large).
func (s *cssScanner) reset() {
	s.r.Reset(nil)
	s.w, s.m, s.base = nil, nil, nil
	s.bc.reset()
	if cap(s.acc) > maxPooledBuf || cap(s.dec) > maxPooledBuf || cap(s.out) > maxPooledBuf {
		s.acc, s.dec, s.out = nil, nil, nil
	}
}

var cssScannerPool = sync.Pool{New: func() any {
	return &cssScanner{r: bufio.NewReaderSize(nil, 4<<10)}
}}

// RewriteCSS copies a stylesheet from src to dst as a stream, rewriting
// url(...) (quoted or not) and @import "..." / @import url(...) targets with
// m.Proxify(base, ...). Comments and strings are copied unchanged (a string
// containing "url(" is not a URL). Rewritten URLs are written with CSS
// escapes for quotes, backslashes, control characters and '<' '>' (so the
// result is safe inside an HTML <style> element). Memory use is bounded: a
// few kilobytes plus the longest URL, up to 64 KiB; longer URLs and data:
// URIs are streamed through unchanged. Output is written and flushed as
// RewriteHTML does.
func RewriteCSS(dst io.Writer, src io.Reader, m *Mapper, base *url.URL) error {
	st := getStream(dst, src)
	defer putStream(st)
	s := cssScannerPool.Get().(*cssScanner)
	defer func() {
		s.reset()
		cssScannerPool.Put(s)
	}()
	s.r.Reset(&st.fr)
	s.w, s.m, s.base = st.bw, m, base
	err := s.run()
	if werr := st.fr.writeErr(); werr != nil {
		return fmt.Errorf("rewrite: writing CSS: %w", werr)
	}
	if err != nil {
		_ = st.finish(false)
		return fmt.Errorf("rewrite: reading CSS: %w", err)
	}
	if err := st.finish(true); err != nil {
		return fmt.Errorf("rewrite: writing CSS: %w", err)
	}
	return nil
}

// RewriteCSSString is RewriteCSS for a string held in memory, such as a
// style attribute. It returns css itself when nothing needed rewriting.
func RewriteCSSString(css string, m *Mapper, base *url.URL) string {
	if !mayHaveCSSURL(css) {
		return css
	}
	var out bytes.Buffer
	out.Grow(len(css) + 64)
	s := cssScannerPool.Get().(*cssScanner)
	s.r.Reset(strings.NewReader(css))
	s.w, s.m, s.base = &out, m, base
	_ = s.run() // in-memory readers and writers do not fail
	s.reset()
	cssScannerPool.Put(s)
	return out.String()
}

// appendWriter is a cssOut appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *appendWriter) WriteString(s string) (int, error) {
	w.b = append(w.b, s...)
	return len(s), nil
}

func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

// mayHaveCSSURL reports whether css may contain a url( or @import token.
func mayHaveCSSURL[T text](css T) bool {
	for i := 0; i < len(css); i++ {
		if css[i] == '(' || css[i] == '@' {
			return true
		}
	}
	return false
}

// isCSSSpecial reports the bytes at which the scanner's normal state must
// stop and look closer.
var isCSSSpecial = func() (t [256]bool) {
	for _, c := range []byte("/\"'\\uU@") {
		t[c] = true
	}
	return t
}()

// isIdentByte reports whether c continues a CSS identifier (non-ASCII bytes
// included).
func isIdentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c >= 0x80
}

func isCSSSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// eof maps io.EOF to nil.
func eof(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// run scans to the end of the input. It returns a read error, or nil at EOF.
func (s *cssScanner) run() error {
	prevIdent := false
	for {
		// Copy a run of uninteresting buffered bytes in one go.
		if n := s.r.Buffered(); n > 0 {
			buf, _ := s.r.Peek(n)
			i := 0
			for i < len(buf) && !isCSSSpecial[buf[i]] {
				i++
			}
			if i > 0 {
				if _, err := s.w.Write(buf[:i]); err != nil {
					return err
				}
				prevIdent = isIdentByte(buf[i-1])
				_, _ = s.r.Discard(i)
				continue
			}
		}
		c, err := s.r.ReadByte()
		if err != nil {
			return eof(err)
		}
		switch c {
		case '/':
			_ = s.w.WriteByte(c)
			prevIdent = false
			if p, _ := s.r.Peek(1); len(p) == 1 && p[0] == '*' {
				_, _ = s.r.Discard(1)
				_ = s.w.WriteByte('*')
				if err := s.copyComment(); err != nil {
					return err
				}
			}
		case '"', '\'':
			_ = s.w.WriteByte(c)
			if err := s.copyString(c); err != nil {
				return err
			}
			prevIdent = false
		case '\\':
			_ = s.w.WriteByte(c)
			if err := s.copyOne(); err != nil {
				return err
			}
			prevIdent = true
		case 'u', 'U':
			if !prevIdent {
				if p, _ := s.r.Peek(3); len(p) == 3 && (p[0]|0x20) == 'r' && (p[1]|0x20) == 'l' && p[2] == '(' {
					_ = s.w.WriteByte(c)
					_, _ = s.w.Write(p)
					_, _ = s.r.Discard(3)
					if err := s.urlFunc(); err != nil {
						return err
					}
					prevIdent = false
					continue
				}
			}
			_ = s.w.WriteByte(c)
			prevIdent = true
		case '@':
			_ = s.w.WriteByte(c)
			prevIdent = false
			if p, _ := s.r.Peek(7); len(p) >= 6 && asciiEqualFold(p[:6], "import") && (len(p) == 6 || !isIdentByte(p[6])) {
				_, _ = s.w.Write(p[:6])
				_, _ = s.r.Discard(6)
				if err := s.importRule(); err != nil {
					return err
				}
			}
		default:
			_ = s.w.WriteByte(c)
			prevIdent = isIdentByte(c)
		}
	}
}

// copyOne copies the byte after a backslash, if any.
func (s *cssScanner) copyOne() error {
	c, err := s.r.ReadByte()
	if err != nil {
		return eof(err)
	}
	return s.w.WriteByte(c)
}

// copyComment copies the rest of a comment, through "*/".
func (s *cssScanner) copyComment() error {
	star := false
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return eof(err)
		}
		_ = s.w.WriteByte(c)
		if star && c == '/' {
			return nil
		}
		star = c == '*'
	}
}

// copyString copies the rest of a string opened by quote q, through the
// closing quote or an unescaped newline (which ends a bad string).
func (s *cssScanner) copyString(q byte) error {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return eof(err)
		}
		_ = s.w.WriteByte(c)
		switch c {
		case q, '\n':
			return nil
		case '\\':
			if err := s.copyOne(); err != nil {
				return err
			}
		}
	}
}

// skipSpace copies whitespace.
func (s *cssScanner) skipSpace() error {
	for {
		p, err := s.r.Peek(1)
		if len(p) == 0 {
			return eof(err)
		}
		if !isCSSSpace(p[0]) {
			return nil
		}
		_ = s.w.WriteByte(p[0])
		_, _ = s.r.Discard(1)
	}
}

// importRule handles what follows "@import": a string is a URL; url(...) is
// left to the main loop.
func (s *cssScanner) importRule() error {
	if err := s.skipSpace(); err != nil {
		return err
	}
	p, _ := s.r.Peek(1)
	if len(p) == 1 && (p[0] == '"' || p[0] == '\'') {
		_, _ = s.r.Discard(1)
		return s.quotedURL(p[0])
	}
	return nil
}

// urlFunc handles what follows "url(": optional whitespace, then a quoted
// or an unquoted URL. The closing parenthesis is left to the main loop.
func (s *cssScanner) urlFunc() error {
	if err := s.skipSpace(); err != nil {
		return err
	}
	p, err := s.r.Peek(1)
	if len(p) == 0 {
		return eof(err)
	}
	switch p[0] {
	case '"', '\'':
		_, _ = s.r.Discard(1)
		return s.quotedURL(p[0])
	case ')':
		return nil
	}
	return s.unquotedURL()
}

// quotedURL reads a URL string opened by quote q (already consumed) and
// writes it, rewritten, with its quotes.
func (s *cssScanner) quotedURL(q byte) error {
	s.acc = s.acc[:0]
	for {
		if done, err := s.bulkURL(q); done {
			return err
		}
		c, err := s.r.ReadByte()
		if err != nil {
			// Unterminated at EOF: copy as is.
			_ = s.w.WriteByte(q)
			_, _ = s.w.Write(s.acc)
			return eof(err)
		}
		switch c {
		case q:
			s.writeURL(q, s.acc)
			return nil
		case '\n':
			// A bad string: not a URL, copy it.
			_ = s.w.WriteByte(q)
			_, _ = s.w.Write(s.acc)
			return s.w.WriteByte(c)
		case '\\':
			s.acc = append(s.acc, c)
			c2, err := s.r.ReadByte()
			if err != nil {
				_ = s.w.WriteByte(q)
				_, _ = s.w.Write(s.acc)
				return eof(err)
			}
			s.acc = append(s.acc, c2)
		default:
			s.acc = append(s.acc, c)
		}
		if s.passThrough() {
			_ = s.w.WriteByte(q)
			_, _ = s.w.Write(s.acc)
			return s.copyString(q)
		}
	}
}

// unquotedURL reads an unquoted url(...) argument and writes it rewritten.
// It stops before the whitespace or ')' that ends it.
func (s *cssScanner) unquotedURL() error {
	s.acc = s.acc[:0]
	for {
		if done, err := s.bulkURL(0); done {
			return err
		}
		p, err := s.r.Peek(1)
		if len(p) == 0 {
			_, _ = s.w.Write(s.acc)
			return eof(err)
		}
		c := p[0]
		switch {
		case c == ')' || isCSSSpace(c):
			s.writeURL(0, s.acc)
			return nil
		case c == '"' || c == '\'' || c == '(' || c < 0x20 || c == 0x7f:
			// A bad url token: browsers ignore it; copy it through.
			_, _ = s.w.Write(s.acc)
			return s.copyUntilParen()
		case c == '\\':
			_, _ = s.r.Discard(1)
			s.acc = append(s.acc, c)
			c2, err := s.r.ReadByte()
			if err != nil {
				_, _ = s.w.Write(s.acc)
				return eof(err)
			}
			s.acc = append(s.acc, c2)
		default:
			_, _ = s.r.Discard(1)
			s.acc = append(s.acc, c)
		}
		if s.passThrough() {
			_, _ = s.w.Write(s.acc)
			return s.copyUntilParen()
		}
	}
}

// bulkURL moves the run of buffered bytes that cannot end or escape the
// URL being read (quoted with q, or unquoted when q is 0) to s.acc in one
// go: the byte-by-byte loops of quotedURL and unquotedURL would append them
// one at a time with nothing else to do. It stops short of maxCSSURL bytes.
// When the run makes s.acc a data: URI, which the byte loops stream
// through, it copies the URL through as they would and reports done; err
// is then their result.
func (s *cssScanner) bulkURL(q byte) (done bool, err error) {
	n := s.r.Buffered()
	if n == 0 || len(s.acc) >= maxCSSURL {
		return false, nil
	}
	buf, _ := s.r.Peek(n)
	j, lim := 0, min(len(buf), maxCSSURL-len(s.acc))
	for j < lim && isPlainURLByte(buf[j], q) {
		j++
	}
	if j == 0 {
		return false, nil
	}
	before := len(s.acc)
	s.acc = append(s.acc, buf[:j]...)
	_, _ = s.r.Discard(j)
	if before < 5 && len(s.acc) >= 5 && asciiEqualFold(s.acc[:5], "data:") {
		if q != 0 {
			_ = s.w.WriteByte(q)
			_, _ = s.w.Write(s.acc)
			s.acc = s.acc[:0]
			return true, s.copyString(q)
		}
		_, _ = s.w.Write(s.acc)
		s.acc = s.acc[:0]
		return true, s.copyUntilParen()
	}
	return false, nil
}

// isPlainURLByte reports whether c, inside a URL quoted with q (or an
// unquoted one when q is 0), is an ordinary byte of the URL.
func isPlainURLByte(c, q byte) bool {
	if c == '\\' {
		return false
	}
	if q != 0 {
		return c != q && c != '\n'
	}
	return c > ' ' && c != 0x7f && c != ')' && c != '"' && c != '\'' && c != '(' && !isCSSSpace(c)
}

// copyUntilParen copies bytes (honouring escapes) through the next ')'.
func (s *cssScanner) copyUntilParen() error {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return eof(err)
		}
		_ = s.w.WriteByte(c)
		switch c {
		case ')':
			return nil
		case '\\':
			if err := s.copyOne(); err != nil {
				return err
			}
		}
	}
}

// passThrough reports whether the URL being read should be streamed through
// unchanged rather than held: a data: URI, or one longer than maxCSSURL.
func (s *cssScanner) passThrough() bool {
	return len(s.acc) == 5 && asciiEqualFold(s.acc, "data:") || len(s.acc) > maxCSSURL
}

// writeURL writes the raw URL text raw (quoted with q, or unquoted when q is
// 0), rewritten with Proxify; unchanged URLs keep their original bytes.
func (s *cssScanner) writeURL(q byte, raw []byte) {
	s.dec = cssUnescape(s.dec[:0], raw, q != 0)
	s.out = appendProxify(s.m, s.out[:0], s.bc.get(s.base), s.dec)
	if q != 0 {
		_ = s.w.WriteByte(q)
	}
	if bytes.Equal(s.out, s.dec) {
		_, _ = s.w.Write(raw)
	} else {
		cssEscape(s.w, s.out, q)
	}
	if q != 0 {
		_ = s.w.WriteByte(q)
	}
}

func hexVal(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// cssUnescape appends the value of the CSS text raw (the inside of a string
// when inString, else of an unquoted url) to dst, resolving escapes as CSS
// Syntax Level 3 does.
func cssUnescape(dst, raw []byte, inString bool) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(raw) {
			if !inString {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			}
			break
		}
		c = raw[i]
		if c == '\n' || c == '\f' || c == '\r' {
			if c == '\r' && i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue // a line continuation (only valid in strings)
		}
		v, ok := hexVal(c)
		if !ok {
			dst = append(dst, c)
			continue
		}
		n := 1
		for n < 6 && i+1 < len(raw) {
			d, ok := hexVal(raw[i+1])
			if !ok {
				break
			}
			v = v<<4 | d
			i++
			n++
		}
		if i+1 < len(raw) && isCSSSpace(raw[i+1]) {
			i++
			if raw[i] == '\r' && i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		}
		if v == 0 || v > utf8.MaxRune || 0xD800 <= v && v <= 0xDFFF {
			v = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, v)
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// cssEscape writes s as the inside of a CSS string quoted with q, or of an
// unquoted url(...) when q is 0.
func cssEscape(w cssOut, s []byte, q byte) {
	tbl := &cssEscQuoted
	if q == 0 {
		tbl = &cssEscUnquoted
	}
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !tbl[c] && (q == 0 || c != q) {
			continue
		}
		_, _ = w.Write(s[start:i])
		start = i + 1
		_ = w.WriteByte('\\')
		if c == '\\' || c == q {
			_ = w.WriteByte(c)
			continue
		}
		if c >= 0x10 {
			_ = w.WriteByte(hexDigits[c>>4])
		}
		_ = w.WriteByte(hexDigits[c&0xf])
		_ = w.WriteByte(' ')
	}
	_, _ = w.Write(s[start:])
}

// cssEscQuoted and cssEscUnquoted tell the bytes cssEscape escapes inside
// a quoted string (besides the quote itself) and in an unquoted url().
var cssEscQuoted, cssEscUnquoted = func() (q, u [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		q[c] = b < 0x20 || b == 0x7f || b == '<' || b == '>' || b == '\\'
		u[c] = q[c] || b == ' ' || b == '"' || b == '\'' || b == '(' || b == ')'
	}
	return q, u
}()
