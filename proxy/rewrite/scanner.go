package rewrite

import (
	"bytes"
	"io"

	"golang.org/x/net/html"
)

// This file holds htmlScanner, the tokenizer of RewriteHTML. It splits a
// document into exactly the tokens golang.org/x/net/html's Tokenizer
// returns (same types, same raw bytes, same errors, the same
// SetMaxBuf limit), as the rewriter uses it (no AllowCDATA, no
// NextIsNotRawText), but it scans runs of text, quoted attribute values,
// raw text and script data a buffer at a time and keeps no per-tag map, so
// it does not allocate per token. The rare questions it does not answer
// itself (the attributes of a tag that scanAttrs declines, and whether a tag
// ending in an unquoted value followed by "/>" is self-closing) go to an
// x/net Tokenizer run over the tag's raw bytes alone: a complete tag is
// tokenized the same way wherever it stands. The differential tests
// (TestScannerMatchesTokenizer, FuzzRewriteHTMLScanner) compare the scanner
// and the rewriter on both tokenizers.

// htmlTokenizer is what the rewriter needs of a tokenizer; *html.Tokenizer
// and *htmlScanner implement it.
type htmlTokenizer interface {
	Next() html.TokenType
	Raw() []byte
	Err() error
	TagAttr() (key, val []byte, more bool)
}

// scannerBufSize is the initial size of the scanner's input buffer.
const scannerBufSize = 16 << 10

// htmlScanner is a streaming HTML tokenizer; see the comment at the top of
// the file. buf[start:end] holds the current token's raw bytes and
// buf[end:] input not yet tokenized.
type htmlScanner struct {
	r       io.Reader
	buf     []byte
	start   int
	end     int
	maxBuf  int   // 0: no limit
	err     error // the error of the last ErrorToken, or the pending one
	readErr error // the error returned with the last read; consumed once buf is used up
	tt      html.TokenType
	rawTag  string // lower-case name of the raw text element whose text is next
	fastEnd int    // readByte may consume buf[end] without checks while end < fastEnd

	// The last attribute read by readTag, for the self-closing rule.
	lastKey    bool // it had a non-empty key
	lastValEnd int  // end of its value, relative to start
	valStart   int  // start of its value, relative to start

	// What readTag saw of the current tag, for the rewriter (see attrSpan).
	nameEnd int        // end of the tag name, relative to start
	name    string     // tagName of the tag name
	attrs   []attrSpan // its attributes with a non-empty key, in order

	sub *html.Tokenizer // x/net's view of the current tag, when asked for
}

// attrSpan locates an attribute of the current tag in its raw bytes
// (offsets relative to the start of the token): the bytes x/net's Tokenizer
// keeps as the attribute's key and value, before TagAttr lower-cases the
// key, unescapes the value and replaces NUL bytes. readTag records every
// attribute with a non-empty key, duplicates included (TagAttr returns only
// the first of the keys that are equal once lower-cased). The spans are
// valid for a start tag (StartTagToken or SelfClosingTagToken) until the
// next call to Next.
type attrSpan struct {
	keyStart, keyEnd int
	valStart, valEnd int
}

// reset prepares s to tokenize r, keeping its buffer.
func (s *htmlScanner) reset(r io.Reader, maxBuf int) {
	if cap(s.buf) == 0 {
		s.buf = make([]byte, 0, scannerBufSize)
	}
	*s = htmlScanner{r: r, buf: s.buf[:0], maxBuf: maxBuf, attrs: s.attrs[:0]}
}

// release drops the references to the request's data, keeping a buffer of
// reasonable size.
func (s *htmlScanner) release() {
	buf := s.buf[:0]
	if cap(buf) > maxPooledBuf {
		buf = nil
	}
	*s = htmlScanner{buf: buf, attrs: s.attrs[:0]}
}

// Raw returns the raw bytes of the current token, valid until the next call
// to Next.
func (s *htmlScanner) Raw() []byte { return s.buf[s.start:s.end] }

// Err returns the error of the last ErrorToken.
func (s *htmlScanner) Err() error {
	if s.tt != html.ErrorToken {
		return nil
	}
	return s.err
}

// fill reads more input after the end of buf, keeping the current token
// and moving it to the start of buf. It reports false, with s.err set, when
// nothing could be read. Precondition: s.end == len(s.buf).
func (s *htmlScanner) fill() bool {
	if s.readErr != nil {
		s.err = s.readErr
		return false
	}
	d := s.end - s.start
	buf := s.buf
	if 2*d > cap(buf) {
		buf = make([]byte, d, 2*cap(buf))
	}
	copy(buf[:d], s.buf[s.start:s.end])
	s.start, s.end = 0, d
	var n int
	n, s.readErr = readSome(s.r, buf[d:cap(buf)])
	s.buf = buf[:d+n]
	s.setFastEnd()
	if n == 0 {
		s.err = s.readErr
		return false
	}
	return true
}

// setFastEnd sets s.fastEnd after a change of s.start or s.buf: the bytes
// readByte may consume while the token stays below s.maxBuf bytes.
func (s *htmlScanner) setFastEnd() {
	s.fastEnd = len(s.buf)
	if s.maxBuf > 0 && s.start+s.maxBuf-1 < s.fastEnd {
		s.fastEnd = s.start + s.maxBuf - 1
	}
}

// readSome reads into b; a reader returning (0, nil) again and again fails
// with io.ErrNoProgress.
func readSome(r io.Reader, b []byte) (int, error) {
	for range 100 {
		if n, err := r.Read(b); n != 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// readByte consumes the next byte. ok is false, with s.err set, at the end
// of the input, on a read error, and when the token reaches s.maxBuf bytes.
func (s *htmlScanner) readByte() (byte, bool) {
	if e := s.end; e < s.fastEnd {
		s.end = e + 1
		return s.buf[e], true
	}
	return s.readByteSlow()
}

// readByteSlow is readByte when the buffer is used up or the limit is near.
func (s *htmlScanner) readByteSlow() (c byte, ok bool) {
	if s.end >= len(s.buf) && !s.fill() {
		return 0, false
	}
	c = s.buf[s.end]
	s.end++
	if s.maxBuf > 0 && s.end-s.start >= s.maxBuf {
		s.err = html.ErrBufferExceeded
		return 0, false
	}
	return c, true
}

// limit returns the end of what may be scanned in bulk in buf: a byte
// consumed at limit-1 makes the token reach s.maxBuf.
func (s *htmlScanner) limit() int {
	if s.maxBuf > 0 && s.start+s.maxBuf < len(s.buf) {
		return s.start + s.maxBuf
	}
	return len(s.buf)
}

// overLimit reports whether the token has reached s.maxBuf, setting s.err.
func (s *htmlScanner) overLimit() bool {
	if s.maxBuf > 0 && s.end-s.start >= s.maxBuf {
		s.err = html.ErrBufferExceeded
		return true
	}
	return false
}

// skipPast consumes bytes up to and including the next a, as a loop of
// readByte would. It reports false, with s.err set, when it stopped on an
// error.
func (s *htmlScanner) skipPast(a byte) bool {
	for {
		if lim := s.limit(); s.end < lim {
			if i := indexByteShort(s.buf[s.end:lim], a); i >= 0 {
				s.end += i + 1
				return !s.overLimit()
			}
			s.end = lim
			if s.overLimit() {
				return false
			}
			continue
		}
		// Nothing left to scan in bulk: read more (or fail) byte-wise.
		c, ok := s.readByte()
		if !ok {
			return false
		}
		if c == a {
			return true
		}
	}
}

// indexByteShort is bytes.IndexByte for b where c is often near the start
// (short texts and attribute values): a plain loop over the first bytes
// costs less than the call and set-up of the vectorised search.
func indexByteShort(b []byte, c byte) int {
	const short = 16
	n := min(len(b), short)
	for i, x := range b[:n] {
		if x == c {
			return i
		}
	}
	if len(b) > short {
		if i := bytes.IndexByte(b[short:], c); i >= 0 {
			return short + i
		}
	}
	return -1
}

// byteSet is a set of bytes.
type byteSet [256]bool

func newByteSet(chars string) *byteSet {
	var t byteSet
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return &t
}

// The byte sets of the scanner's loops.
var (
	dashOrLT  = newByteSet("-<")
	nameStop  = newByteSet(" \t\n\r\f/>")
	keyStop   = newByteSet(" \t\n\r\f/>=")
	valueStop = newByteSet(" \t\n\r\f>")
)

// skipPastSet consumes bytes up to and including the next one in set, and
// returns it, as a loop of readByte would.
func (s *htmlScanner) skipPastSet(set *byteSet) (byte, bool) {
	for {
		if lim := s.limit(); s.end < lim {
			for i, c := range s.buf[s.end:lim] {
				if set[c] {
					s.end += i + 1
					return c, !s.overLimit()
				}
			}
			s.end = lim
			if s.overLimit() {
				return 0, false
			}
			continue
		}
		c, ok := s.readByte()
		if !ok {
			return 0, false
		}
		if set[c] {
			return c, true
		}
	}
}

// skipAll consumes the rest of the input.
func (s *htmlScanner) skipAll() {
	for {
		if lim := s.limit(); s.end < lim {
			s.end = lim
			if s.overLimit() {
				return
			}
			continue
		}
		if _, ok := s.readByte(); !ok {
			return
		}
	}
}

// skipSpace consumes HTML white space, as a loop of readByte that steps
// back before the first other byte would (that byte counts for s.maxBuf).
func (s *htmlScanner) skipSpace() {
	if s.err != nil {
		return
	}
	for {
		for e := s.end; e < s.fastEnd; e++ {
			if !isHTMLSpace(s.buf[e]) {
				s.end = e
				return
			}
		}
		if s.end < s.fastEnd {
			s.end = s.fastEnd
		}
		c, ok := s.readByte()
		if !ok {
			return
		}
		if !isHTMLSpace(c) {
			s.end--
			return
		}
	}
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// Next scans the next token and returns its type.
func (s *htmlScanner) Next() html.TokenType {
	s.sub = nil
	s.start = s.end
	s.setFastEnd()
	if s.err != nil {
		s.tt = html.ErrorToken
		return s.tt
	}
	if s.rawTag != "" {
		if s.rawTag == "plaintext" {
			s.skipAll()
		} else {
			s.readRawText()
		}
		s.rawTag = ""
		if s.end > s.start {
			s.tt = html.TextToken
			return s.tt
		}
	}
	for {
		if !s.skipPast('<') {
			break
		}
		c, ok := s.readByte()
		if !ok {
			break
		}
		var tt html.TokenType
		switch {
		case isLetter(c):
			tt = html.StartTagToken
		case c == '/':
			tt = html.EndTagToken
		case c == '!' || c == '?':
			tt = html.CommentToken
		default:
			s.end-- // c may start a tag
			continue
		}
		if x := s.end - 2; s.start < x {
			// The text before the tag is a token of its own.
			s.end = x
			s.tt = html.TextToken
			return s.tt
		}
		switch tt {
		case html.StartTagToken:
			s.tt = s.readStartTag()
			return s.tt
		case html.EndTagToken:
			c, ok = s.readByte()
			if !ok {
				goto done
			}
			switch {
			case c == '>':
				s.tt = html.CommentToken // "</>", as x/net returns it
			case isLetter(c):
				if s.readTag(); s.err != nil {
					s.tt = html.ErrorToken
				} else {
					s.tt = html.EndTagToken
				}
			default:
				s.end--
				s.skipPast('>')
				s.tt = html.CommentToken
			}
			return s.tt
		default:
			if c == '!' {
				s.tt = s.readMarkupDeclaration()
				return s.tt
			}
			s.end--
			s.skipPast('>')
			s.tt = html.CommentToken
			return s.tt
		}
	}
done:
	if s.start < s.end {
		s.tt = html.TextToken
		return s.tt
	}
	s.tt = html.ErrorToken
	return s.tt
}

// readRawText reads the text of a raw text or RCDATA element up to its end
// tag (not included).
func (s *htmlScanner) readRawText() {
	if s.rawTag == "script" {
		s.readScript()
		return
	}
	for s.skipPast('<') {
		c, ok := s.readByte()
		if !ok {
			return
		}
		if c != '/' {
			s.end--
			continue
		}
		if s.readRawEndTag() || s.err != nil {
			return
		}
	}
}

// readRawEndTag reads what follows "</" when it may be the end tag of
// s.rawTag: if it is, it steps back before the "</" and reports true.
func (s *htmlScanner) readRawEndTag() bool {
	for i := 0; i < len(s.rawTag); i++ {
		c, ok := s.readByte()
		if !ok {
			return false
		}
		if c|0x20 != s.rawTag[i] { // the raw tags are all letters
			s.end--
			return false
		}
	}
	c, ok := s.readByte()
	if !ok {
		return false
	}
	if isHTMLSpace(c) || c == '/' || c == '>' {
		s.end -= 3 + len(s.rawTag)
		return true
	}
	s.end--
	return false
}

// Script data states (HTML "script data" tokenizer states).
const (
	scriptData = iota
	scriptEscaped
	scriptEscapedDash
	scriptEscapedDashDash
	scriptDoubleEscaped
	scriptDoubleEscapedDash
	scriptDoubleEscapedDashDash
)

// readScript reads the text of a script element up to its end tag,
// following the escape rules of "<!--" and "<script" in script data.
func (s *htmlScanner) readScript() {
	state := scriptData
	for {
		var c byte
		var ok bool
		switch state {
		case scriptData:
			if !s.skipPast('<') {
				return
			}
			if c, ok = s.readByte(); !ok {
				return
			}
			switch c {
			case '/':
				if s.readRawEndTag() || s.err != nil {
					return
				}
			case '!':
				if c, ok = s.readByte(); !ok {
					return
				}
				if c != '-' {
					s.end--
					continue
				}
				if c, ok = s.readByte(); !ok {
					return
				}
				if c != '-' {
					s.end--
					continue
				}
				state = scriptEscapedDashDash
			default:
				s.end--
			}
			continue
		case scriptEscaped:
			if c, ok = s.skipPastSet(dashOrLT); !ok {
				return
			}
		case scriptDoubleEscaped:
			if c, ok = s.skipPastSet(dashOrLT); !ok {
				return
			}
		default:
			if c, ok = s.readByte(); !ok {
				return
			}
		}
		double := state >= scriptDoubleEscaped
		switch c {
		case '-':
			switch state {
			case scriptEscaped:
				state = scriptEscapedDash
			case scriptEscapedDash, scriptEscapedDashDash:
				state = scriptEscapedDashDash
			case scriptDoubleEscaped:
				state = scriptDoubleEscapedDash
			default:
				state = scriptDoubleEscapedDashDash
			}
			continue
		case '>':
			if state == scriptEscapedDashDash || state == scriptDoubleEscapedDashDash {
				state = scriptData
				continue
			}
		case '<':
			if c, ok = s.readByte(); !ok {
				return
			}
			if double {
				if c != '/' {
					s.end--
					state = scriptDoubleEscaped
					continue
				}
				if s.readRawEndTag() {
					s.end += len("</script>")
					state = scriptEscaped
					continue
				}
				if s.err != nil {
					return
				}
				state = scriptDoubleEscaped
				continue
			}
			switch {
			case c == '/':
				if s.readRawEndTag() || s.err != nil {
					return
				}
				state = scriptEscaped
			case isLetter(c):
				s.end--
				state = s.readDoubleEscapeStart()
				if s.err != nil {
					return
				}
			default:
				s.end--
				state = scriptData
			}
			continue
		}
		if double {
			state = scriptDoubleEscaped
		} else {
			state = scriptEscaped
		}
	}
}

// readDoubleEscapeStart reads "script" and a delimiter after "<" in
// escaped script data, and returns the next state.
func (s *htmlScanner) readDoubleEscapeStart() int {
	const name = "script"
	for i := 0; i < len(name); i++ {
		c, ok := s.readByte()
		if !ok {
			return scriptEscaped
		}
		if c|0x20 != name[i] {
			s.end--
			return scriptEscaped
		}
	}
	c, ok := s.readByte()
	if !ok {
		return scriptEscaped
	}
	if isHTMLSpace(c) || c == '/' || c == '>' {
		return scriptDoubleEscaped
	}
	s.end--
	return scriptEscaped
}

// readComment reads a comment after its "<!--".
func (s *htmlScanner) readComment() {
	dashes, beginning := 0, true
	for {
		c, ok := s.readByte()
		if !ok {
			return
		}
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return
			}
		case '!':
			if dashes >= 2 {
				if c, ok = s.readByte(); !ok || c == '>' {
					return
				}
				if c == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		// With no dash before and past the beginning, only a '-' matters.
		if !s.skipPast('-') {
			return
		}
		dashes, beginning = 1, false
	}
}

// readMarkupDeclaration reads a token after its "<!": a comment, a doctype
// or a bogus comment.
func (s *htmlScanner) readMarkupDeclaration() html.TokenType {
	dataStart := s.end - s.start // relative: fill moves the token
	var c [2]byte
	for i := range c {
		var ok bool
		if c[i], ok = s.readByte(); !ok {
			return html.CommentToken
		}
	}
	if c[0] == '-' && c[1] == '-' {
		s.readComment()
		return html.CommentToken
	}
	s.end -= 2
	if s.readDoctype(dataStart) {
		return html.DoctypeToken
	}
	s.skipPast('>')
	return html.CommentToken
}

// readDoctype reads "DOCTYPE" and the rest of a doctype after "<!" and
// reports whether it was one. dataStart is the end of "<!" relative to
// s.start.
func (s *htmlScanner) readDoctype(dataStart int) bool {
	const name = "doctype"
	for i := 0; i < len(name); i++ {
		c, ok := s.readByte()
		if !ok {
			if s.err == io.EOF {
				// Read again as a bogus comment; EOF comes back at its end.
				s.end, s.err = s.start+dataStart, nil
			}
			return false
		}
		if c|0x20 != name[i] {
			s.end = s.start + dataStart
			return false
		}
	}
	if s.skipSpace(); s.err != nil {
		return true
	}
	s.skipPast('>')
	return true
}

// readStartTag reads a start tag after its "<" and first letter.
func (s *htmlScanner) readStartTag() html.TokenType {
	nameEnd := s.readTag()
	if s.err != nil {
		return html.ErrorToken
	}
	// x/net's rule: a raw text element makes the next token raw text,
	// self-closing or not.
	s.nameEnd = nameEnd
	s.name = tagName(s.buf[s.start+1 : s.start+nameEnd])
	s.rawTag = s.name
	switch s.rawTag {
	case "", "html", "head", "meta", "base", "object":
		s.rawTag = ""
	}
	raw := s.Raw()
	if raw[len(raw)-2] != '/' {
		return html.StartTagToken
	}
	if !s.lastKey || s.lastValEnd != len(raw)-1 {
		// Not "<a b=c/>", where the '/' belongs to the last value.
		return html.SelfClosingTagToken
	}
	// The last value ends in "/": it is the tokenizer's "last attribute"
	// unless its key repeats an earlier one. Rare: ask x/net.
	return s.subTokenizer()
}

// subTokenizer starts an x/net Tokenizer on the current tag's raw bytes
// and returns the type it gives the tag.
func (s *htmlScanner) subTokenizer() html.TokenType {
	s.sub = html.NewTokenizer(bytes.NewReader(s.Raw()))
	return s.sub.Next()
}

// TagAttr returns the attributes of the current start tag as x/net's
// Tokenizer.TagAttr does (from an x/net Tokenizer run on the tag alone).
func (s *htmlScanner) TagAttr() (key, val []byte, more bool) {
	if s.tt != html.StartTagToken && s.tt != html.SelfClosingTagToken {
		return nil, nil, false
	}
	if s.sub == nil {
		s.subTokenizer()
	}
	return s.sub.TagAttr()
}

// readTag reads a start or end tag's name and attributes after its "<" and
// first letter (or "</" and first letter), up to and including the '>'. It
// returns the end of the name relative to s.start, and sets s.lastKey and
// s.lastValEnd. Positions are kept relative to s.start, which fill moves.
func (s *htmlScanner) readTag() (nameEnd int) {
	if n, ok := s.readTagFast(); ok {
		return n
	}
	return s.readTagSlow()
}

// readTagSlow is readTag reading byte by byte, filling the buffer as
// needed.
func (s *htmlScanner) readTagSlow() (nameEnd int) {
	s.lastKey, s.lastValEnd = false, 0
	s.attrs = s.attrs[:0]
	// The name: up to white space, '/' or '>'.
	c, ok := s.skipPastSet(nameStop)
	if !ok {
		return s.end - s.start
	}
	if isHTMLSpace(c) {
		nameEnd = s.end - 1 - s.start
	} else {
		s.end--
		nameEnd = s.end - s.start
	}
	if s.skipSpace(); s.err != nil {
		return nameEnd
	}
	for {
		c, ok := s.readByte()
		if !ok || c == '>' {
			return nameEnd
		}
		s.end--
		// The key: up to white space, '/', '>' or a '=' that is not its
		// first byte.
		keyStart := s.end - s.start
		for {
			c, ok := s.skipPastSet(keyStop)
			if !ok {
				return nameEnd
			}
			if c == '=' && s.end-s.start == keyStart+1 {
				continue
			}
			s.end--
			break
		}
		keyEnd := s.end - s.start
		s.lastKey = keyEnd > keyStart
		s.lastValEnd, s.valStart = keyEnd, keyEnd
		s.readAttrVal()
		if s.lastKey {
			s.attrs = append(s.attrs, attrSpan{keyStart, keyEnd, s.valStart, s.lastValEnd})
		}
		if s.skipSpace(); s.err != nil {
			return nameEnd
		}
	}
}

// readAttrVal reads an attribute's optional "= value", setting
// s.valStart and s.lastValEnd when there is a value (they are left as they
// are, an empty value, otherwise). Precondition: s.err == nil.
func (s *htmlScanner) readAttrVal() {
	if s.skipSpace(); s.err != nil {
		return
	}
	c, ok := s.readByte()
	if !ok || c == '/' {
		return
	}
	if c != '=' {
		s.end--
		return
	}
	if s.skipSpace(); s.err != nil {
		return
	}
	q, ok := s.readByte()
	if !ok {
		return
	}
	switch q {
	case '>':
		s.end--
	case '"', '\'':
		s.valStart = s.end - s.start
		if s.skipPast(q) {
			s.lastValEnd = s.end - 1 - s.start
		}
	default:
		s.valStart = s.end - 1 - s.start
		c, ok := s.skipPastSet(valueStop)
		if !ok {
			return
		}
		if c == '>' {
			s.end--
			s.lastValEnd = s.end - s.start
			return
		}
		s.lastValEnd = s.end - 1 - s.start
	}
}

// readTagFast is readTag for a tag whose bytes up to and including its '>'
// all lie in s.buf below s.fastEnd, the common case: it scans them in one
// loop over the buffer rather than byte by byte through readByte. Below
// s.fastEnd no byte needs a fill and none makes the token reach s.maxBuf
// (see setFastEnd), so readTag would meet no error there and consume
// exactly what readTagFast consumes. When the tag goes on past s.fastEnd
// it reports false, having changed nothing but s.attrs (which
// readTagSlow resets), and readTag reads the tag with readTagSlow from the
// same position. Its steps mirror those of readTagSlow, readAttrVal and
// skipSpace one for one; TestReadTagFast and FuzzReadTagFast compare the
// two.
func (s *htmlScanner) readTagFast() (nameEnd int, ok bool) {
	b := s.buf[:s.fastEnd]
	st, e := s.start, s.end
	s.attrs = s.attrs[:0]
	lastKey, lastValEnd := false, 0
	// The name: up to white space, '/' or '>' (skipPastSet(nameStop)).
	for {
		if e >= len(b) {
			return 0, false
		}
		c := b[e]
		if nameStop[c] {
			nameEnd = e - st
			if isHTMLSpace(c) {
				e++
			}
			break
		}
		e++
	}
	for {
		// skipSpace: stops before the first other byte, which must be in b.
		if e = skipSpace(b, e); e >= len(b) {
			return 0, false
		}
		if b[e] == '>' {
			s.end = e + 1
			s.lastKey, s.lastValEnd = lastKey, lastValEnd
			return nameEnd, true
		}
		// The key: up to white space, '/', '>' or a '=' that is not its
		// first byte (a '/' first makes an empty key).
		keyStart := e
		for {
			if e >= len(b) {
				return 0, false
			}
			if c := b[e]; keyStop[c] && (c != '=' || e != keyStart) {
				break
			}
			e++
		}
		keyEnd := e
		lastKey = keyEnd > keyStart
		valStart := keyEnd
		lastValEnd = keyEnd - st
		// readAttrVal: spaces, then "=" and a value, or a '/' (consumed),
		// or something else (not consumed).
		if e = skipSpace(b, e); e >= len(b) {
			return 0, false
		}
		switch b[e] {
		case '/':
			e++
		case '=':
			e++
			if e = skipSpace(b, e); e >= len(b) {
				return 0, false
			}
			switch q := b[e]; q {
			case '>': // not consumed: it ends the tag
			case '"', '\'':
				e++
				i := indexByteShort(b[e:], q)
				if i < 0 {
					return 0, false
				}
				valStart = e
				e += i
				lastValEnd = e - st
				e++
			default:
				valStart = e
				e++
				for {
					if e >= len(b) {
						return 0, false
					}
					if valueStop[b[e]] {
						break
					}
					e++
				}
				lastValEnd = e - st
				if b[e] != '>' {
					e++ // white space is consumed, '>' is not
				}
			}
		}
		if lastKey {
			s.attrs = append(s.attrs, attrSpan{keyStart - st, keyEnd - st, valStart - st, lastValEnd})
		}
	}
}
