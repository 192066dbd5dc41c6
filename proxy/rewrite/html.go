package rewrite

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

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

// urlAttrs are the attributes whose whole value is one URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true,
	"poster": true, "background": true, "cite": true, "longdesc": true,
	"manifest": true, "icon": true, "xlink:href": true,
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
// Output is written as soon as it is produced: before each read from src,
// everything rewritten so far is written to dst, and dst is flushed when it
// is an http.Flusher or has a Flush() error method.
func RewriteHTML(dst io.Writer, src io.Reader, opts HTMLOptions) error {
	if opts.Mapper == nil {
		return errors.New("rewrite: RewriteHTML: HTMLOptions.Mapper is nil")
	}
	bw := bufio.NewWriterSize(dst, outBufSize)
	fr := &flushingReader{r: src, w: bw, dst: dst}
	h := htmlRewriter{opts: opts, w: bw, base: opts.Base, z: html.NewTokenizer(fr)}
	if opts.MaxTokenBytes > 0 {
		h.z.SetMaxBuf(opts.MaxTokenBytes)
	}
	err := h.run()
	if fr.werr != nil {
		return fmt.Errorf("rewrite: writing HTML: %w", fr.werr)
	}
	if err != nil {
		_ = bw.Flush()
		if errors.Is(err, html.ErrBufferExceeded) {
			return fmt.Errorf("%w (limit %d bytes)", ErrTokenTooLarge, opts.MaxTokenBytes)
		}
		return fmt.Errorf("rewrite: reading HTML: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("rewrite: writing HTML: %w", err)
	}
	return nil
}

type attr struct {
	key, val []byte // from TagAttr (lower-case key, unescaped value)
	newVal   string // replacement value when changed
	changed  bool
	drop     bool
}

type htmlRewriter struct {
	opts     HTMLOptions
	z        *html.Tokenizer
	w        *bufio.Writer
	base     *url.URL
	baseSeen bool // a <base href> was met
	injected bool
	sawAny   bool   // some token was read: an empty document gets no injection
	rawText  string // element whose raw text is the next text token ("style", "script", ...)
	raw      []byte // copy of the current tag's raw bytes
	attrs    []attr
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
				rewriteCSSInto(h.w, bytes.NewReader(raw), h.opts.Mapper, h.base)
				continue
			case rawText != "":
			case !h.injected:
				// Leading whitespace (and a byte order mark) may stay before
				// the injected <head>; other text starts the body.
				i := 0
				if bytes.HasPrefix(raw, bom) {
					i = len(bom)
				}
				for i < len(raw) && strings.IndexByte(asciiWhitespace, raw[i]) >= 0 {
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
		writeAttrEscaped(h.w, h.injectURL(s))
		_, _ = h.w.WriteString(`">`)
	}
	for _, s := range h.opts.Scripts {
		_, _ = h.w.WriteString(`<script src="`)
		writeAttrEscaped(h.w, h.injectURL(s))
		_, _ = h.w.WriteString(`"></script>`)
	}
}

// injectURL resolves an injected resource's URL: a path is relative to the
// proxy origin.
func (h *htmlRewriter) injectURL(s string) string {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return h.opts.Mapper.ProxyOrigin + s
	}
	return s
}

func (h *htmlRewriter) startTag(tt html.TokenType) {
	h.raw = append(h.raw[:0], h.z.Raw()...) // TagName lower-cases the name in the buffer, in place
	nameB, more := h.z.TagName()
	name := tagName(nameB)
	// The name's length in the raw bytes, which can differ from len(nameB)
	// (a NUL becomes U+FFFD).
	rawNameLen := 0
	for 1+rawNameLen < len(h.raw) && !isHTMLSpace(h.raw[1+rawNameLen]) && h.raw[1+rawNameLen] != '/' && h.raw[1+rawNameLen] != '>' {
		rawNameLen++
	}
	if rawTextElements[name] { // self-closing or not, as the tokenizer does
		h.rawText = name
	}
	h.attrs = h.attrs[:0]
	if name == "" && !mayHaveURLAttr(h.raw[1+rawNameLen:]) {
		// No attribute of interest: skip TagAttr, which copies every key
		// and value.
		h.inject(true)
		_, _ = h.w.Write(h.raw)
		return
	}
	for more {
		var k, v []byte
		k, v, more = h.z.TagAttr()
		h.attrs = append(h.attrs, attr{key: k, val: v})
	}
	switch name {
	case "html":
	case "head":
		defer h.inject(false)
	default:
		h.inject(true)
	}
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
			return // drop the element
		case equiv == "refresh":
			for i := range h.attrs {
				if a := &h.attrs[i]; string(a.key) == "content" {
					changed = h.set(a, rewriteRefresh(string(a.val), h.proxify)) || changed
				}
			}
		case mname == "referrer":
			for i := range h.attrs {
				if a := &h.attrs[i]; string(a.key) == "content" {
					if p, ok := fixReferrerPolicy(string(a.val)); ok {
						changed = h.set(a, p) || changed
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
			v := string(a.val)
			if !h.baseSeen {
				h.baseSeen = true
				if u, err := url.Parse(strings.Trim(v, asciiWhitespace)); err == nil {
					if h.base != nil {
						u = h.base.ResolveReference(u)
					}
					defer func(u *url.URL) {
						if u.IsAbs() {
							h.base = u
						}
					}(u)
				}
			}
			changed = h.set(a, h.proxify(v)) || changed
		}
	}
	for i := range h.attrs {
		a := &h.attrs[i]
		if a.changed || a.drop {
			continue
		}
		k := string(a.key) // the compiler does not allocate for map lookups and switches
		switch {
		case k == "integrity":
			a.drop, changed = true, true
		case urlAttrs[k] && name != "base":
			changed = h.set(a, h.proxify(string(a.val))) || changed
		case k == "data" && name == "object":
			changed = h.set(a, h.proxify(string(a.val))) || changed
		case k == "srcset" || k == "imagesrcset":
			changed = h.set(a, rewriteSrcset(string(a.val), h.proxify)) || changed
		case k == "ping":
			changed = h.set(a, rewriteSpaceList(string(a.val), h.proxify)) || changed
		case k == "style":
			v := string(a.val)
			changed = h.set(a, RewriteCSSString(v, h.opts.Mapper, h.base)) || changed
		}
	}
	if !changed {
		_, _ = h.w.Write(h.raw)
		return
	}
	h.writeTag(rawNameLen, tt == html.SelfClosingTagToken)
}

// tagName returns the lower-case tag name as a string, without allocating
// for the names the rewriter cares about.
func tagName(b []byte) string {
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
	}
	if rawTextElements[string(b)] {
		return string(b)
	}
	return ""
}

// set records v as the new value of a when it differs from the old one.
func (h *htmlRewriter) set(a *attr, v string) bool {
	if v == string(a.val) {
		return false
	}
	a.newVal, a.changed = v, true
	return true
}

func (h *htmlRewriter) proxify(ref string) string {
	return h.opts.Mapper.Proxify(h.base, ref)
}

// writeTag writes the current start tag rebuilt from its attributes; the tag
// name keeps its original case (taken from the raw bytes).
func (h *htmlRewriter) writeTag(nameLen int, selfClosing bool) {
	_, _ = h.w.Write(h.raw[:1+nameLen])
	for _, a := range h.attrs {
		if a.drop || len(a.key) == 0 {
			continue
		}
		_ = h.w.WriteByte(' ')
		_, _ = h.w.Write(a.key)
		_, _ = h.w.WriteString(`="`)
		if a.changed {
			writeAttrEscaped(h.w, a.newVal)
		} else {
			writeAttrEscapedBytes(h.w, a.val)
		}
		_ = h.w.WriteByte('"')
	}
	if selfClosing {
		_ = h.w.WriteByte('/')
	}
	_ = h.w.WriteByte('>')
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

func writeAttrEscapedBytes(w *bufio.Writer, b []byte) {
	start := 0
	for i := 0; i < len(b); i++ {
		var esc string
		switch b[i] {
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&quot;"
		default:
			continue
		}
		_, _ = w.Write(b[start:i])
		_, _ = w.WriteString(esc)
		start = i + 1
	}
	_, _ = w.Write(b[start:])
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// rewriteSrcset applies f to every candidate URL of a srcset value, keeping
// descriptors and separators as they are.
func rewriteSrcset(s string, f func(string) string) string {
	var b strings.Builder
	b.Grow(len(s) + 64)
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && (isHTMLSpace(s[j]) || s[j] == ',') {
			j++
		}
		b.WriteString(s[i:j])
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
		b.WriteString(f(u[:k]))
		b.WriteString(u[k:])
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
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}

// rewriteSpaceList applies f to every whitespace-separated URL of s.
func rewriteSpaceList(s string, f func(string) string) string {
	var b strings.Builder
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		b.WriteString(s[i:j])
		i = j
		for j < len(s) && !isHTMLSpace(s[j]) {
			j++
		}
		if j > i {
			b.WriteString(f(s[i:j]))
		}
		i = j
	}
	return b.String()
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
