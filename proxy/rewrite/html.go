package rewrite

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// HTMLOptions configures RewriteHTML.
type HTMLOptions struct {
	Mapper  *Mapper
	Base    *url.URL // the page's upstream URL (the first <base href> in the page updates it)
	Scripts []string // script URLs to inject (paths like "/hammerhead.js" are relative to the proxy origin), in order, before any page script: at the start of <head> (or create one)
	Styles  []string // stylesheet URLs to inject the same way, before the scripts

	// MaxTokenBytes bounds the size of one HTML token (a tag, a text run, the
	// content of a <script> or <style>) held in memory; a larger token ends
	// the rewrite with an error wrapping ErrTokenTooLarge. 0 means no limit.
	MaxTokenBytes int
}

// ErrTokenTooLarge reports an HTML token larger than HTMLOptions.MaxTokenBytes.
var ErrTokenTooLarge = errors.New("rewrite: HTML token too large")

// isURLAttr reports whether the attribute k's whole value is one URL.
func isURLAttr(k string) bool {
	switch k {
	case "href", "src", "action", "formaction", "poster", "background", "cite",
		"longdesc", "manifest", "icon", "xlink:href":
		return true
	}
	return false
}

// RewriteHTML copies an HTML document from src to dst as a stream, rewriting
// URL attributes with opts.Mapper.Proxify against the page's base URL:
// href, src, action, formaction, poster, data (on <object>), background,
// cite, longdesc, manifest, icon and xlink:href; every candidate of srcset and
// imagesrcset; every URL of ping; the URL of <meta http-equiv=refresh
// content="5; url=...">; and the CSS of style attributes and <style>
// elements (see RewriteCSS). It removes integrity attributes (the rewritten
// content would fail Subresource Integrity) and <meta http-equiv=
// "Content-Security-Policy"> elements; a <meta name=referrer> policy that
// would hide the page's proxied URL from the proxy gets the same treatment
// as the Referrer-Policy header (see ResponseHeaders). The first <base href>
// changes the base for the URLs after it, and its href is proxied too.
//
// The stylesheets opts.Styles and then the scripts opts.Scripts are injected
// at the start of <head>, before any page script; when the page has no
// <head> start tag before its first other element or text, one is created
// there (the HTML parser then closes it where it would have closed the
// implied one).
//
// Text inside <script> is left as is. Tokens that are not changed are copied
// byte for byte; a changed tag is written back with lower-case attribute
// names and double-quoted values, its tag name keeping its case. A tag cut
// off by the end of the input is dropped, as browsers do.
//
// Output is written in large pieces: when more than 48 KiB of output is
// waiting before a read from src, and when output has waited about 5 ms (a
// slow source), the output is written to dst and dst is flushed if it is an
// http.Flusher or has a Flush() error method; the rest is written at the
// end (dst is not flushed then). A dst that implements LengthSetter learns
// the output's length first when all of it is written at the end.
func RewriteHTML(dst io.Writer, src io.Reader, opts HTMLOptions) error {
	return rewriteHTML(dst, src, opts, false)
}

// rewriteHTML is RewriteHTML, tokenizing with golang.org/x/net/html's
// Tokenizer when xnet and with htmlScanner otherwise. The two give the same
// output; the differential tests compare them.
func rewriteHTML(dst io.Writer, src io.Reader, opts HTMLOptions, xnet bool) error {
	if opts.Mapper == nil {
		return errors.New("rewrite: RewriteHTML: HTMLOptions.Mapper is nil")
	}
	st := getStream(dst, src)
	defer putStream(st)
	h := htmlRewriterPool.Get().(*htmlRewriter)
	defer h.release()
	h.opts, h.w, h.base = opts, st.bw, opts.Base
	if xnet {
		z := html.NewTokenizer(&st.fr)
		if opts.MaxTokenBytes > 0 {
			z.SetMaxBuf(opts.MaxTokenBytes)
		}
		h.z = z
	} else {
		h.sc.reset(&st.fr, max(opts.MaxTokenBytes, 0))
		h.z = &h.sc
	}
	err := h.run()
	if werr := st.fr.writeErr(); werr != nil {
		return fmt.Errorf("rewrite: writing HTML: %w", werr)
	}
	if err != nil {
		_ = st.finish(false)
		if errors.Is(err, html.ErrBufferExceeded) {
			return fmt.Errorf("%w (limit %d bytes)", ErrTokenTooLarge, opts.MaxTokenBytes)
		}
		return fmt.Errorf("rewrite: reading HTML: %w", err)
	}
	if err := st.finish(true); err != nil {
		return fmt.Errorf("rewrite: writing HTML: %w", err)
	}
	return nil
}

type attr struct {
	key, val []byte // lower-case key, unescaped value
	// The new value is vals[newStart:newEnd] when changed.
	newStart, newEnd int
	changed          bool
	drop             bool
}

type htmlRewriter struct {
	opts     HTMLOptions
	z        htmlTokenizer // &sc, or an x/net Tokenizer
	sc       htmlScanner
	w        *bufio.Writer
	base     *url.URL
	baseSeen bool // a <base href> was met
	injected bool
	sawAny   bool   // some token was read: an empty document gets no injection
	rawText  string // element whose raw text is the next text token ("style", "script", ...)
	raw      []byte // the current tag's raw bytes
	rawCopy  []byte // a copy of raw, when the tokenizer's copy may change
	dec      []byte // unescaped attribute values, when they differ from the raw bytes
	vals     []byte // new attribute values
	out      []byte // a rewritten tag, see writeTag
	attrs    []attr
	css      cssScanner   // for style attributes and <style> elements
	cssSrc   bytes.Reader // the CSS text css reads
	cssOut   appendWriter // the output of style attributes
	bc       baseCache
}

var htmlRewriterPool = sync.Pool{New: func() any {
	return &htmlRewriter{css: cssScanner{r: bufio.NewReaderSize(nil, 4<<10)}}
}}

// maxPooledBuf bounds the scratch buffers kept by a pooled rewriter.
const maxPooledBuf = 64 << 10

// release returns h to the pool, dropping references to the request's data.
func (h *htmlRewriter) release() {
	css, raw, dec, vals, out, attrs := h.css, h.rawCopy[:0], h.dec[:0], h.vals[:0], h.out[:0], h.attrs[:0]
	if cap(raw) > maxPooledBuf || cap(dec) > maxPooledBuf || cap(vals) > maxPooledBuf || cap(out) > maxPooledBuf {
		raw, dec, vals, out = nil, nil, nil, nil
	}
	clear(attrs[:cap(attrs)])
	css.reset()
	bc := h.bc
	bc.reset()
	sc := h.sc
	sc.release()
	*h = htmlRewriter{rawCopy: raw, dec: dec, vals: vals, out: out, attrs: attrs, css: css, bc: bc, sc: sc}
	htmlRewriterPool.Put(h)
}

// rawTextElements are the elements whose content the tokenizer returns as
// one raw text token.
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true,
	"plaintext": true, "script": true, "style": true, "textarea": true,
	"title": true, "xmp": true,
}

func (h *htmlRewriter) run() error {
	for {
		tt := h.z.Next()
		rawText := h.rawText
		h.rawText = ""
		h.sawAny = h.sawAny || tt != html.ErrorToken
		switch tt {
		case html.ErrorToken:
			err := h.z.Err()
			if errors.Is(err, io.EOF) {
				if h.sawAny {
					h.inject(true)
				}
				return nil
			}
			return err
		case html.TextToken:
			raw := h.z.Raw()
			switch {
			case rawText == "style":
				h.rewriteCSS(h.w, raw)
				continue
			case rawText != "":
			case !h.injected:
				// Leading whitespace (and a byte order mark) may stay before
				// the injected <head>; other text starts the body.
				i := 0
				if bytes.HasPrefix(raw, bom) {
					i = len(bom)
				}
				for i < len(raw) && isHTMLSpace(raw[i]) {
					i++
				}
				if i < len(raw) {
					_, _ = h.w.Write(raw[:i])
					h.inject(true)
					raw = raw[i:]
				}
			}
			_, _ = h.w.Write(raw)
		case html.StartTagToken, html.SelfClosingTagToken:
			h.startTag(tt)
		case html.EndTagToken:
			h.inject(true)
			_, _ = h.w.Write(h.z.Raw())
		default: // comments, doctype
			_, _ = h.w.Write(h.z.Raw())
		}
	}
}

// rewriteCSS rewrites the CSS text css (a style element or attribute) into w.
func (h *htmlRewriter) rewriteCSS(w cssOut, css []byte) {
	h.cssSrc.Reset(css)
	h.css.r.Reset(&h.cssSrc)
	h.css.w, h.css.m, h.css.base = w, h.opts.Mapper, h.base
	_ = h.css.run() // in-memory readers and writers do not fail
	h.css.w = nil
}

var bom = []byte("\xef\xbb\xbf")

// inject writes the injected stylesheets and scripts once, preceded by a
// <head> start tag when withHead.
func (h *htmlRewriter) inject(withHead bool) {
	if h.injected {
		return
	}
	h.injected = true
	if len(h.opts.Styles) == 0 && len(h.opts.Scripts) == 0 {
		return
	}
	if withHead {
		_, _ = h.w.WriteString("<head>")
	}
	for _, s := range h.opts.Styles {
		_, _ = h.w.WriteString(`<link rel="stylesheet" href="`)
		h.writeInjectURL(s)
		_, _ = h.w.WriteString(`">`)
	}
	for _, s := range h.opts.Scripts {
		_, _ = h.w.WriteString(`<script src="`)
		h.writeInjectURL(s)
		_, _ = h.w.WriteString(`"></script>`)
	}
}

// writeInjectURL writes an injected resource's URL, escaped for an
// attribute: a path is relative to the proxy origin.
func (h *htmlRewriter) writeInjectURL(s string) {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		writeAttrEscaped(h.w, h.opts.Mapper.ProxyOrigin)
	}
	writeAttrEscaped(h.w, s)
}

func (h *htmlRewriter) startTag(tt html.TokenType) {
	// The tag's raw bytes, in the tokenizer's buffer until the next token
	// (copied before TagAttr, which unescapes values in place).
	h.raw = h.z.Raw()
	// htmlScanner tells where the name and the attributes are; with x/net's
	// Tokenizer they are read again from the raw bytes.
	spans := h.z == htmlTokenizer(&h.sc)
	var rawNameLen int
	var name string
	if spans {
		rawNameLen, name = h.sc.nameEnd-1, h.sc.name
	} else {
		rawNameLen = nameLen(h.raw)
		name = tagName(h.raw[1 : 1+rawNameLen])
	}
	if name != "" && rawTextElements[name] { // self-closing or not, as the tokenizer does
		h.rawText = name
	}
	h.attrs = h.attrs[:0]
	h.vals = h.vals[:0]
	if name == "" && !h.mayRewriteAttrs(spans, h.raw[1+rawNameLen:]) {
		// No attribute of interest: skip the attributes.
		h.inject(true)
		_, _ = h.w.Write(h.raw)
		return
	}
	var ok bool
	if spans {
		ok = h.spanAttrs(h.sc.attrs)
	} else {
		ok = h.scanAttrs(h.raw[1+rawNameLen:])
	}
	if !ok {
		// A case scanAttrs leaves to the tokenizer (NUL bytes, carriage
		// returns, uncommon character references).
		h.attrs = h.attrs[:0]
		h.rawCopy = append(h.rawCopy[:0], h.raw...)
		h.raw = h.rawCopy
		for more := true; more; {
			var k, v []byte
			k, v, more = h.z.TagAttr()
			if k == nil && v == nil && !more {
				break
			}
			h.attrs = append(h.attrs, attr{key: k, val: v})
		}
	}
	switch name {
	case "html", "head":
	default:
		h.inject(true)
	}
	newBase := h.rewriteTag(name, rawNameLen, tt)
	if name == "head" {
		h.inject(false)
	}
	if newBase != nil && newBase.IsAbs() {
		h.base = newBase
	}
}

// nameLen returns the length of the name of the raw tag raw ("<name ..."),
// as the tokenizer reads it: up to a space, '/' or '>'.
func nameLen(raw []byte) int {
	n := 0
	for 1+n < len(raw) && !isHTMLSpace(raw[1+n]) && raw[1+n] != '/' && raw[1+n] != '>' {
		n++
	}
	return n
}

// rewriteTag writes the current start tag, whose attributes are in h.attrs,
// with its attributes rewritten, or drops it. It returns the URL of the
// first <base href> of the page, which becomes the base URL when it is
// absolute, once the tag is written.
func (h *htmlRewriter) rewriteTag(name string, rawNameLen int, tt html.TokenType) (newBase *url.URL) {
	changed := false
	switch name {
	case "meta":
		var equiv, mname string
		for _, a := range h.attrs {
			switch string(a.key) {
			case "http-equiv":
				if equiv == "" {
					equiv = strings.ToLower(strings.TrimSpace(string(a.val)))
				}
			case "name":
				if mname == "" {
					mname = strings.ToLower(strings.TrimSpace(string(a.val)))
				}
			}
		}
		switch {
		case equiv == "content-security-policy" || equiv == "content-security-policy-report-only":
			return nil // drop the element
		case equiv == "refresh":
			for i := range h.attrs {
				if a := &h.attrs[i]; string(a.key) == "content" {
					changed = h.setString(a, rewriteRefresh(string(a.val), h.proxify)) || changed
				}
			}
		case mname == "referrer":
			for i := range h.attrs {
				if a := &h.attrs[i]; string(a.key) == "content" {
					if p, ok := fixReferrerPolicy(string(a.val)); ok {
						changed = h.setString(a, p) || changed
					}
				}
			}
		}
	case "base":
		for i := range h.attrs {
			a := &h.attrs[i]
			if string(a.key) != "href" {
				continue
			}
			if !h.baseSeen {
				h.baseSeen = true
				if u, err := url.Parse(strings.Trim(string(a.val), asciiWhitespace)); err == nil {
					if h.base != nil {
						u = h.base.ResolveReference(u)
					}
					newBase = u
				}
			}
			start := len(h.vals)
			h.vals = appendProxify(h.opts.Mapper, h.vals, h.bc.get(h.base), a.val)
			changed = h.finish(a, start) || changed
		}
	}
	for i := range h.attrs {
		a := &h.attrs[i]
		if a.changed || a.drop {
			continue
		}
		k := string(a.key) // the compiler does not allocate for map lookups and switches
		start := len(h.vals)
		switch {
		case k == "integrity":
			a.drop, changed = true, true
			continue
		case isURLAttr(k) && name != "base", k == "data" && name == "object":
			h.vals = appendProxify(h.opts.Mapper, h.vals, h.bc.get(h.base), a.val)
		case k == "srcset" || k == "imagesrcset":
			h.vals = h.appendSrcset(h.vals, a.val)
		case k == "ping":
			h.vals = h.appendSpaceList(h.vals, a.val)
		case k == "style":
			if !mayHaveCSSURL(a.val) {
				continue
			}
			h.cssOut.b = h.vals
			h.rewriteCSS(&h.cssOut, a.val)
			h.vals, h.cssOut.b = h.cssOut.b, nil
		default:
			continue
		}
		changed = h.finish(a, start) || changed
	}
	if !changed {
		_, _ = h.w.Write(h.raw)
		return newBase
	}
	h.writeTag(rawNameLen, tt == html.SelfClosingTagToken)
	return newBase
}

// scanAttrs reads the attributes of the current start tag from its raw
// bytes b (what follows the tag name), as the tokenizer does, into h.attrs:
// lower-case keys, unescaped values, the first of duplicate keys. It
// reports false, leaving the work to the tokenizer's TagAttr, when a key or
// value holds a NUL byte or a carriage return, or a value holds a character
// reference other than &amp; &quot; &lt; &gt; &apos; and numeric
// references to printable ASCII. Keys and values point into b, or into h.dec
// when they had to be lower-cased or unescaped; all stay valid until the
// next tag.
func (h *htmlRewriter) scanAttrs(b []byte) bool {
	// Decoded values are never longer than the raw ones: reserve room for
	// all of them so that h.dec never moves while attrs point into it.
	if cap(h.dec) < len(b) {
		h.dec = make([]byte, 0, len(b)+len(b)/2)
	}
	h.dec = h.dec[:0]
	i := skipSpace(b, 0)
	for i < len(b) && b[i] != '>' {
		// The key: up to a space, '/', '>' or a '=' that is not its first
		// byte.
		ks := i
		i++
		for i < len(b) {
			c := b[i]
			if isHTMLSpace(c) || c == '/' || c == '>' || c == '=' {
				break
			}
			i++
		}
		if b[ks] == '/' {
			i = ks // "/" is no key: it is consumed as the value part below
		}
		key := b[ks:i]
		var val []byte
		// The value: after optional spaces, "=" and optional spaces.
		j := skipSpace(b, i)
		switch {
		case j < len(b) && b[j] == '/':
			i = j + 1
		case j < len(b) && b[j] == '=':
			j = skipSpace(b, j+1)
			if j >= len(b) || b[j] == '>' {
				i = j
				break
			}
			if q := b[j]; q == '"' || q == '\'' {
				e := bytes.IndexByte(b[j+1:], q)
				if e < 0 {
					return false // the tokenizer never returns such a tag
				}
				val, i = b[j+1:j+1+e], j+2+e
			} else {
				e := j
				for e < len(b) && !isHTMLSpace(b[e]) && b[e] != '>' {
					e++
				}
				val, i = b[j:e], e
			}
		default:
			i = j
		}
		i = skipSpace(b, i)
		if len(key) == 0 {
			continue
		}
		if !h.addAttr(key, val) {
			return false
		}
	}
	return true
}

// spanAttrs is scanAttrs for htmlScanner, which found the attributes of the
// current start tag (h.raw) while reading it: it reads them from their
// spans rather than from the raw bytes.
func (h *htmlRewriter) spanAttrs(spans []attrSpan) bool {
	b := h.raw
	if cap(h.dec) < len(b) { // see scanAttrs
		h.dec = make([]byte, 0, len(b)+len(b)/2)
	}
	h.dec = h.dec[:0]
	for _, sp := range spans {
		if !h.addAttr(b[sp.keyStart:sp.keyEnd], b[sp.valStart:sp.valEnd]) {
			return false
		}
	}
	return true
}

// valSpecial are the bytes that make addAttr unescape a value.
var valSpecial = newByteSet("&\x00\r")

// addAttr appends the attribute with the raw, non-empty key and the raw
// value val to h.attrs, lower-casing the key and unescaping the value into
// h.dec when needed, unless h.attrs has the key already. It reports false
// for what scanAttrs leaves to the tokenizer. h.dec must have room for all
// the keys and values of the tag (it must not move).
func (h *htmlRewriter) addAttr(key, val []byte) bool {
	upper := false
	for _, c := range key {
		switch {
		case c == 0 || c == '\r':
			return false
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	if upper {
		// Lower-cased into h.dec: h.raw is written out unchanged when
		// no attribute changes.
		start := len(h.dec)
		for _, c := range key {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			h.dec = append(h.dec, c)
		}
		key = h.dec[start:len(h.dec):len(h.dec)]
	}
	if h.hasAttr(key) {
		return true
	}
	if hasValSpecial(val) {
		start := len(h.dec)
		var ok bool
		if h.dec, ok = appendUnescaped(h.dec, val); !ok {
			return false
		}
		val = h.dec[start:len(h.dec):len(h.dec)]
	}
	h.attrs = append(h.attrs, attr{key: key, val: val})
	return true
}

// hasValSpecial reports whether v holds a byte of valSpecial ('&', NUL or
// '\r'). It tests eight bytes at a time: a byte is one of them when x, x^'&'
// or x^'\r' is zero. The zero-byte test (y-0x01..)&^y&0x80.. may flag a
// byte above a zero byte as well, never misses one: the bytes of a flagged
// word are checked one by one.
func hasValSpecial(v []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; len(v)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		a, r := x^'&'*ones, x^'\r'*ones
		if ((x-ones)&^x|(a-ones)&^a|(r-ones)&^r)&highs == 0 {
			continue
		}
		for _, c := range v[i : i+8] {
			if valSpecial[c] {
				return true
			}
		}
	}
	for _, c := range v[i:] {
		if valSpecial[c] {
			return true
		}
	}
	return false
}

// hasAttr reports whether h.attrs holds key.
func (h *htmlRewriter) hasAttr(key []byte) bool {
	for i := range h.attrs {
		if bytes.Equal(h.attrs[i].key, key) {
			return true
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isHTMLSpace(b[i]) {
		i++
	}
	return i
}

// appendUnescaped appends the attribute value v with its character
// references resolved to dst. It reports false for what only the tokenizer
// resolves exactly: NUL bytes, carriage returns, named references other
// than amp, quot, lt, gt and apos with their semicolon, and numeric
// references to anything but printable ASCII.
func appendUnescaped(dst, v []byte) ([]byte, bool) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 0 || c == '\r' {
			return dst, false
		}
		if c != '&' {
			dst = append(dst, c)
			continue
		}
		rest := v[i+1:]
		if len(rest) == 0 || !isAlnum(rest[0]) && rest[0] != '#' {
			dst = append(dst, '&') // not a reference
			continue
		}
		if rest[0] == '#' {
			r, n, ok := numericRef(rest[1:])
			if !ok {
				return dst, false
			}
			dst = append(dst, r)
			i += 1 + n
			continue
		}
		var r byte
		var n int
		for _, e := range namedRefs {
			if len(rest) >= len(e.name) && string(rest[:len(e.name)]) == e.name {
				r, n = e.r, len(e.name)
				break
			}
		}
		if n == 0 {
			return dst, false
		}
		dst = append(dst, r)
		i += n
	}
	return dst, true
}

// namedRefs are the character references appendUnescaped resolves. Each
// ends with its semicolon, so the longest-match and no-semicolon rules of
// HTML cannot apply.
var namedRefs = [...]struct {
	name string
	r    byte
}{{"amp;", '&'}, {"quot;", '"'}, {"lt;", '<'}, {"gt;", '>'}, {"apos;", '\''}}

// numericRef reads the digits of "&#65;" or "&#x41;" (b is what follows
// "&#") and returns the character and the length read, the ';' included. ok
// is false unless there is a ';' and the character is printable ASCII.
func numericRef(b []byte) (r byte, n int, ok bool) {
	hex := len(b) > 0 && (b[0] == 'x' || b[0] == 'X')
	i := 0
	if hex {
		i = 1
	}
	v, digits := 0, 0
	for ; i < len(b) && digits < 8; i++ {
		c := b[i]
		d := -1
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case hex && 'a' <= c|0x20 && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		}
		if d < 0 {
			break
		}
		if hex {
			v = v*16 + d
		} else {
			v = v*10 + d
		}
		digits++
	}
	if digits == 0 || digits >= 8 || i >= len(b) || b[i] != ';' || v < 0x20 || v >= 0x7f {
		return 0, 0, false
	}
	return byte(v), i + 1, true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// tagName returns the name of a tag from its raw bytes, lower-cased, when
// it is one the rewriter cares about (see rawTextElements), and "" for
// others. It does not allocate.
func tagName(raw []byte) string {
	if len(raw) > 9 {
		return ""
	}
	var buf [9]byte
	b := buf[:len(raw)]
	for i, c := range raw {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	switch string(b) {
	case "html":
		return "html"
	case "head":
		return "head"
	case "meta":
		return "meta"
	case "base":
		return "base"
	case "object":
		return "object"
	case "style":
		return "style"
	case "script":
		return "script"
	case "iframe":
		return "iframe"
	case "noembed":
		return "noembed"
	case "noframes":
		return "noframes"
	case "noscript":
		return "noscript"
	case "plaintext":
		return "plaintext"
	case "textarea":
		return "textarea"
	case "title":
		return "title"
	case "xmp":
		return "xmp"
	}
	return ""
}

// finish records vals[start:] as the new value of a when it differs from
// the old one, and drops it otherwise.
func (h *htmlRewriter) finish(a *attr, start int) bool {
	if bytes.Equal(h.vals[start:], a.val) {
		h.vals = h.vals[:start]
		return false
	}
	a.newStart, a.newEnd, a.changed = start, len(h.vals), true
	return true
}

// setString records v as the new value of a when it differs from the old
// one.
func (h *htmlRewriter) setString(a *attr, v string) bool {
	start := len(h.vals)
	h.vals = append(h.vals, v...)
	return h.finish(a, start)
}

func (h *htmlRewriter) proxify(ref string) string {
	return h.opts.Mapper.Proxify(h.base, ref)
}

// writeTag writes the current start tag rebuilt from its attributes; the tag
// name keeps its original case (taken from the raw bytes). The tag is built
// in h.out and written at once.
func (h *htmlRewriter) writeTag(nameLen int, selfClosing bool) {
	b := append(h.out[:0], h.raw[:1+nameLen]...)
	for i := range h.attrs {
		a := &h.attrs[i]
		if a.drop || len(a.key) == 0 {
			continue
		}
		b = append(b, ' ')
		b = append(b, a.key...)
		b = append(b, '=', '"')
		if a.changed {
			b = appendAttrEscaped(b, h.vals[a.newStart:a.newEnd])
		} else {
			b = appendAttrEscaped(b, a.val)
		}
		b = append(b, '"')
	}
	if selfClosing {
		b = append(b, '/')
	}
	b = append(b, '>')
	_, _ = h.w.Write(b)
	h.out = b
}

// attrEscIndex returns the index of the first '&' or '"' in b, or len(b).
// It tests eight bytes at a time: '&' (0x26) and '"' (0x22) differ only in
// bit 2, so a byte is one of them when, with bit 2 set, it equals 0x26,
// that is when x^0x26 is zero. The zero-byte test (v-0x01..)&^v&0x80.. may
// flag a byte above a zero byte as well, never misses one: the bytes of a
// flagged word are checked one by one.
//
// Values of 32 bytes or more (proxied URLs) are searched with
// bytes.IndexByte instead, once for '&' and once for '"' (up to the '&'):
// its vector loop outruns the eight-byte one by far once past the cost of
// its call.
func attrEscIndex(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if len(b) >= 32 {
		n := len(b)
		if i := bytes.IndexByte(b, '&'); i >= 0 {
			n = i
		}
		if i := bytes.IndexByte(b[:n], '"'); i >= 0 {
			n = i
		}
		return n
	}
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		v := (binary.LittleEndian.Uint64(b[i:]) | 0x04*ones) ^ 0x26*ones
		if (v-ones)&^v&highs == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if b[j] == '&' || b[j] == '"' {
				return j
			}
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '&' || b[i] == '"' {
			return i
		}
	}
	return len(b)
}

// writeAttrEscaped writes s escaped for a double-quoted attribute value.
func writeAttrEscaped(w *bufio.Writer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&quot;"
		default:
			continue
		}
		_, _ = w.WriteString(s[start:i])
		_, _ = w.WriteString(esc)
		start = i + 1
	}
	_, _ = w.WriteString(s[start:])
}

// appendAttrEscaped appends b escaped for a double-quoted attribute value
// to dst.
func appendAttrEscaped(dst, b []byte) []byte {
	for {
		i := attrEscIndex(b)
		dst = append(dst, b[:i]...)
		if i == len(b) {
			return dst
		}
		if b[i] == '&' {
			dst = append(dst, "&amp;"...)
		} else {
			dst = append(dst, "&quot;"...)
		}
		b = b[i+1:]
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// appendSrcset appends the srcset value s with every candidate URL
// proxified to dst, keeping descriptors and separators as they are.
func (h *htmlRewriter) appendSrcset(dst, s []byte) []byte {
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && (isHTMLSpace(s[j]) || s[j] == ',') {
			j++
		}
		dst = append(dst, s[i:j]...)
		i = j
		if i >= len(s) {
			break
		}
		for j < len(s) && !isHTMLSpace(s[j]) {
			j++
		}
		u := s[i:j]
		k := len(u)
		for k > 0 && u[k-1] == ',' {
			k--
		}
		dst = appendProxify(h.opts.Mapper, dst, h.bc.get(h.base), u[:k])
		dst = append(dst, u[k:]...)
		i = j
		if k < len(u) {
			continue // trailing commas end the candidate
		}
		depth := 0
		for j < len(s) {
			c := s[j]
			if c == '(' {
				depth++
			} else if c == ')' && depth > 0 {
				depth--
			} else if c == ',' && depth == 0 {
				break
			}
			j++
		}
		dst = append(dst, s[i:j]...)
		i = j
	}
	return dst
}

// appendSpaceList appends s with every whitespace-separated URL proxified
// to dst.
func (h *htmlRewriter) appendSpaceList(dst, s []byte) []byte {
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		dst = append(dst, s[i:j]...)
		i = j
		for j < len(s) && !isHTMLSpace(s[j]) {
			j++
		}
		if j > i {
			dst = appendProxify(h.opts.Mapper, dst, h.bc.get(h.base), s[i:j])
		}
		i = j
	}
	return dst
}

// refreshURL locates the URL in a Refresh header or meta refresh content
// value ("5; url=https://...", "0;'x'", "3, URL = \"a b\""), following the
// HTML "shared declarative refresh steps". ok is false when there is none.
func refreshURL(v string) (start, end int, ok bool) {
	i := 0
	for i < len(v) && isHTMLSpace(v[i]) {
		i++
	}
	d := i
	for i < len(v) && ('0' <= v[i] && v[i] <= '9' || v[i] == '.') {
		i++
	}
	if i == d {
		return 0, 0, false
	}
	for i < len(v) && isHTMLSpace(v[i]) {
		i++
	}
	if i < len(v) && (v[i] == ';' || v[i] == ',') {
		i++
	}
	for i < len(v) && isHTMLSpace(v[i]) {
		i++
	}
	if i >= len(v) {
		return 0, 0, false
	}
	if len(v)-i >= 3 && strings.EqualFold(v[i:i+3], "url") {
		j := i + 3
		for j < len(v) && isHTMLSpace(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '=' {
			j++
			for j < len(v) && isHTMLSpace(v[j]) {
				j++
			}
			i = j
		}
	}
	end = len(v)
	if i < len(v) && (v[i] == '"' || v[i] == '\'') {
		q := v[i]
		i++
		if k := strings.IndexByte(v[i:], q); k >= 0 {
			end = i + k
		}
	} else {
		for end > i && isHTMLSpace(v[end-1]) {
			end--
		}
	}
	if end <= i {
		return 0, 0, false
	}
	return i, end, true
}

// rewriteRefresh applies f to the URL of a refresh value, if it has one.
func rewriteRefresh(v string, f func(string) string) string {
	start, end, ok := refreshURL(v)
	if !ok {
		return v
	}
	return v[:start] + f(v[start:end]) + v[end:]
}

// mayRewriteAttrs reports whether the current start tag, whose name is not
// one the rewriter cares about, may have an attribute the rewriter changes;
// b is the tag's raw bytes after the name. With htmlScanner's attribute
// spans the answer is exact (see rewrittenKey); otherwise it is
// mayHaveURLAttr's.
func (h *htmlRewriter) mayRewriteAttrs(spans bool, b []byte) bool {
	if !spans {
		return mayHaveURLAttr(b)
	}
	for _, a := range h.sc.attrs {
		if rewrittenKey(h.raw[a.keyStart:a.keyEnd]) {
			return true
		}
	}
	return false
}

// rewrittenKey reports whether the raw attribute key k is, ASCII
// case-insensitively (the tokenizer lower-cases keys only in ASCII), one
// that rewriteTag may change on an element other than those tagName names:
// integrity, a URL attribute (isURLAttr), srcset, imagesrcset, ping or
// style. TestRewrittenKey checks it against rewriteTag's rules.
func rewrittenKey(k []byte) bool {
	var want string
	switch len(k) {
	case 3:
		want = "src"
	case 4:
		switch k[0] | 0x20 {
		case 'h':
			want = "href"
		case 'c':
			want = "cite"
		case 'i':
			want = "icon"
		case 'p':
			want = "ping"
		}
	case 5:
		want = "style"
	case 6:
		switch k[0] | 0x20 {
		case 'a':
			want = "action"
		case 'p':
			want = "poster"
		case 's':
			want = "srcset"
		}
	case 8:
		switch k[0] | 0x20 {
		case 'l':
			want = "longdesc"
		case 'm':
			want = "manifest"
		}
	case 9:
		want = "integrity"
	case 10:
		switch k[0] | 0x20 {
		case 'f':
			want = "formaction"
		case 'b':
			want = "background"
		case 'x':
			want = "xlink:href"
		}
	case 11:
		want = "imagesrcset"
	}
	return want != "" && asciiEqualFold(k, want)
}

// attrNeedles are substrings of every attribute name the rewriter changes.
var attrNeedles = [...]string{"href", "src", "action", "poster", "data", "background",
	"cite", "longdesc", "manifest", "icon", "ping", "style", "integrity"}

// mayHaveURLAttr reports whether the attribute part of a raw tag may hold an
// attribute the rewriter changes. It is conservative: it looks for the names
// anywhere, case-insensitively, so it never misses one.
func mayHaveURLAttr(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch b[i] | 0x20 {
		case 'h', 's', 'a', 'p', 'd', 'b', 'c', 'l', 'm', 'i':
			for _, n := range attrNeedles {
				if len(b)-i >= len(n) && b[i]|0x20 == n[0] && asciiEqualFold(b[i:i+len(n)], n) {
					return true
				}
			}
		}
	}
	return false
}

// asciiEqualFold compares b with the lower-case ASCII string s, ignoring the
// case of b.
func asciiEqualFold(b []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
