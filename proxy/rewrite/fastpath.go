package rewrite

import (
	"bytes"
	"net/url"

	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// This file holds the allocation-free path of Mapper.Proxify. It handles
// the URLs pages are made of (absolute http(s) and ws(s) URLs, "//host/x",
// "/x", "x/y", "?q", with an optional "#f") with a small resolver that
// writes exactly what net/url's Parse, ResolveReference and String would.
// Anything it is not sure about (userinfo, IPv6 hosts, characters that
// net/url would escape or reject, control characters, a base URL out of the
// ordinary) goes to proxifySlow, the net/url implementation. The
// differential tests (TestProxifyFastMatchesReference, FuzzProxifyFast)
// compare the two.

// text is a string or a byte slice: the fast path reads URLs from both
// without converting them.
type text interface{ string | []byte }

// fastResult says what proxifyFast decided.
type fastResult int

const (
	fastUnknown fastResult = iota // not handled: use proxifySlow
	fastKeep                      // Proxify returns ref unchanged
	fastDone                      // the proxied URL was appended
)

// Byte classes of the fast path.
const (
	clsHost   = 1 << iota // may appear in a host name as is
	clsPath               // kept as is in an escaped path (besides "%XX")
	clsFrag               // kept as is in a fragment
	clsScheme             // may continue a scheme
)

// urlClass maps a byte to its classes. The path and fragment sets are the
// bytes net/url neither escapes nor rejects in those parts when it
// re-serialises a parsed URL, so copying them gives the same output.
var urlClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' {
			t[c] = clsHost | clsPath | clsFrag | clsScheme
		}
	}
	for _, c := range []byte("-._~") {
		t[c] |= clsHost | clsPath | clsFrag
	}
	for _, c := range []byte("$&+,/:;=@!()*") {
		t[c] |= clsPath | clsFrag
	}
	for _, c := range []byte("'[]") {
		t[c] |= clsPath
	}
	t['?'] |= clsFrag
	for _, c := range []byte("+-.") {
		t[c] |= clsScheme
	}
	return t
}()

// baseInfo is a base URL with what the fast path needs of it, worked out
// once per base rather than once per URL.
type baseInfo struct {
	u      *url.URL // nil: no base
	simple bool     // the fast path can resolve against u
	scheme string   // the upstream scheme of resolved URLs ("http", "https")
	ws     bool     // resolved URLs are ws or wss
	host   string
	path   string // u's escaped path
	up     []byte // scratch for the upstream URL, kept by baseCache
	refs   *refCache
}

// newBaseInfo returns the baseInfo of u, which may be nil.
func newBaseInfo(u *url.URL) baseInfo {
	b := baseInfo{u: u}
	if u == nil {
		return b
	}
	switch u.Scheme {
	case "http", "https":
		b.scheme = u.Scheme
	case "ws":
		b.scheme, b.ws = "http", true
	case "wss":
		b.scheme, b.ws = "https", true
	default:
		return b
	}
	if u.Opaque != "" || u.User != nil || !validHost(u.Host) {
		return b
	}
	b.host, b.path = u.Host, u.EscapedPath()
	b.simple = validPath(b.path)
	return b
}

// queryEscape tells the bytes escapeUpstream escapes in a query.
var queryEscape = func() (t [256]bool) {
	for c := range t {
		t[c] = needsEscape(byte(c), true)
	}
	return t
}()

// baseCache holds the baseInfo of the last base URL asked for. Base URLs
// are not modified once in use, so the pointer identifies them.
type baseCache struct {
	bi    baseInfo
	valid bool
}

// get returns the baseInfo of u.
func (c *baseCache) get(u *url.URL) *baseInfo {
	if !c.valid || c.bi.u != u {
		up, refs := c.bi.up, c.bi.refs
		if up == nil {
			up = make([]byte, 0, 512)
		}
		if refs == nil {
			refs = &refCache{arena: make([]byte, 0, 4<<10)}
		}
		refs.clear()
		c.bi, c.valid = newBaseInfo(u), true
		c.bi.up, c.bi.refs = up, refs
	}
	return &c.bi
}

// reset forgets the base URL, keeping the scratch buffer unless it grew
// large.
func (c *baseCache) reset() {
	up, refs := c.bi.up, c.bi.refs
	if cap(up) > maxPooledBuf {
		up = nil
	}
	if refs != nil {
		refs.clear()
		refs.m = nil
		if cap(refs.arena) > maxPooledBuf {
			refs.arena = nil
		}
	}
	*c = baseCache{bi: baseInfo{up: up, refs: refs}}
}

// Sizes of the refCache.
const (
	refCacheSlots  = 256      // a power of two
	refCacheMaxRef = 512      // longer refs are not cached
	refCacheArena  = 64 << 10 // bytes of refs and results kept per base
)

// refCache remembers, for one Mapper and one base URL, what appendProxify
// appended for a ref, so that a ref met again in the same page (an icon, a
// link repeated in a menu) is copied rather than resolved and shuffled
// again. It is direct-mapped: a slot holds the last ref that hashed to it.
// Refs and results live in one arena, reused from page to page.
type refCache struct {
	m   *Mapper
	gen uint32 // slots of another generation are empty
	// prefix is what proxifyFast writes before an http(s) upstream URL
	// for m: "<origin>/<id>/", and urlshuffle.Marker when m shuffles. It
	// is set with m.
	prefix []byte
	arena  []byte
	slots  [refCacheSlots]refSlot
}

type refSlot struct {
	gen            uint32
	refOff, refLen uint32
	outOff, outLen uint32
}

// clear empties c.
func (c *refCache) clear() {
	c.gen++
	if c.gen == 0 { // wrapped: old slots could look valid
		c.slots = [refCacheSlots]refSlot{}
		c.gen = 1
	}
	c.arena = c.arena[:0]
}

// refHash hashes ref eight bytes at a time (a ref longer than eight bytes
// ends with its last eight, which may overlap the word before): most refs
// miss the cache, so the hash must cost little.
func refHash[T text](ref T) uint32 {
	const mul = 0x9e3779b97f4a7c15
	h := uint64(len(ref)) * mul
	if len(ref) < 8 {
		var t uint64
		for i := 0; i < len(ref); i++ {
			t = t<<8 | uint64(ref[i])
		}
		h = (h ^ t) * mul
	} else {
		for i := 0; i < len(ref)-8; i += 8 {
			h = (h ^ load64(ref, i)) * mul
			h ^= h >> 29
		}
		h = (h ^ load64(ref, len(ref)-8)) * mul
	}
	return uint32(h >> 32)
}

// load64 returns the eight bytes of s at i as a little-endian number (one
// load: the compiler combines the byte loads).
func load64[T text](s T, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendProxify appends m.Proxify(base.u, string(ref)) to dst, from
// base's refCache when ref was met before.
func appendProxify[T text](m *Mapper, dst []byte, base *baseInfo, ref T) []byte {
	c := base.refs
	if c == nil || len(ref) > refCacheMaxRef {
		return appendProxifyRef(m, dst, base, ref)
	}
	if c.m != m {
		c.clear()
		c.m = m
		c.prefix = append(append(append(append(c.prefix[:0], m.ProxyOrigin...), '/'), m.SessionID...), '/')
		if m.Shuffler != nil {
			c.prefix = append(c.prefix, urlshuffle.Marker...)
		}
	}
	sl := &c.slots[refHash(ref)&(refCacheSlots-1)]
	if sl.gen == c.gen && int(sl.refLen) == len(ref) &&
		string(c.arena[sl.refOff:sl.refOff+sl.refLen]) == string(ref) {
		return append(dst, c.arena[sl.outOff:sl.outOff+sl.outLen]...)
	}
	n := len(dst)
	dst = appendProxifyRef(m, dst, base, ref)
	if out := dst[n:]; len(c.arena)+len(ref)+len(out) <= refCacheArena {
		*sl = refSlot{gen: c.gen, refOff: uint32(len(c.arena)), refLen: uint32(len(ref))}
		c.arena = append(c.arena, ref...)
		sl.outOff, sl.outLen = uint32(len(c.arena)), uint32(len(out))
		c.arena = append(c.arena, out...)
	}
	return dst
}

// appendProxifyRef is appendProxify without the cache.
func appendProxifyRef[T text](m *Mapper, dst []byte, base *baseInfo, ref T) []byte {
	i, j := 0, len(ref)
	for i < j && isHTMLSpace(ref[i]) {
		i++
	}
	for j > i && isHTMLSpace(ref[j-1]) {
		j--
	}
	s := ref[i:j]
	if len(s) == 0 || s[0] == '#' {
		return append(dst, ref...)
	}
	out, res := proxifyFast(m, dst, base, s)
	switch res {
	case fastDone:
		return out
	case fastKeep:
		return append(dst, ref...)
	}
	return append(dst, m.proxifySlow(base.u, string(ref))...)
}

// proxifyFast handles the trimmed, non-empty ref s not starting with '#'.
// It returns fastUnknown (and dst unchanged) when s needs net/url.
func proxifyFast[T text](m *Mapper, dst []byte, base *baseInfo, s T) ([]byte, fastResult) {
	// Split "main#frag" and "path?query" in one pass; refuse control
	// characters (net/url rejects them; tabs and newlines are removed by
	// the slow path) and fragments that net/url would re-escape. pathOK
	// tells whether the part before the query holds only clsPath bytes and
	// well-formed "%XX" escapes: then so does its path (the scheme and the
	// host hold no '%'), which net/url keeps as it is (see validPath).
	hash, qmark := -1, -1
	pathOK := true
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if urlClass[c]&clsPath != 0 {
			continue
		}
		if c == '?' || c == '#' {
			break
		}
		switch {
		case c < 0x20 || c == 0x7f:
			return dst, fastUnknown
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			pathOK = false
		}
	}
	if i < len(s) && s[i] == '?' {
		qmark = i
		for i++; i < len(s) && s[i] != '#'; i++ {
			if c := s[i]; c < 0x20 || c == 0x7f {
				return dst, fastUnknown
			}
		}
	}
	if i < len(s) {
		hash = i // s[i] == '#'
		for i++; i < len(s); i++ {
			if urlClass[s[i]]&clsFrag == 0 { // control characters included
				return dst, fastUnknown
			}
		}
	}
	beforeHash := s
	if hash >= 0 {
		beforeHash = s[:hash]
	}
	pathPart := beforeHash
	if qmark >= 0 {
		pathPart = beforeHash[:qmark]
	}

	var scheme, host string // the upstream scheme and host
	var hostT T             // the host when it comes from s
	hostFromRef := false
	origin := m.ProxyOrigin
	wsOrigin := false
	var refPath T       // the path part of s, after any authority
	resolve := false    // refPath must be resolved (net/url's resolvePath)
	var basePath string // the base's escaped path, when resolving

	if n := schemeLen(s); n > 0 {
		switch {
		case foldEquals(s[:n], "http"):
			scheme = "http"
		case foldEquals(s[:n], "https"):
			scheme = "https"
		case foldEquals(s[:n], "ws"):
			scheme, wsOrigin = "http", true
		case foldEquals(s[:n], "wss"):
			scheme, wsOrigin = "https", true
		default:
			return dst, fastKeep
		}
		proxied, ok := isProxiedFast(m, s)
		if !ok {
			return dst, fastUnknown
		}
		if proxied {
			return dst, fastKeep
		}
		rest := pathPart[n+1:]
		if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
			return dst, fastUnknown
		}
		h, p, ok := splitAuthority(rest[2:])
		if !ok {
			return dst, fastUnknown
		}
		hostT, hostFromRef, refPath = h, true, p
	} else {
		if base.u == nil {
			return dst, fastKeep // relative without a base: unchanged
		}
		if !base.simple {
			return dst, fastUnknown
		}
		scheme, wsOrigin = base.scheme, base.ws
		switch {
		case len(pathPart) >= 2 && pathPart[0] == '/' && pathPart[1] == '/':
			// A network-path reference: its own host, the base's scheme.
			if len(pathPart) >= 3 && pathPart[2] == '/' {
				return dst, fastUnknown
			}
			h, p, ok := splitAuthority(pathPart[2:])
			if !ok {
				return dst, fastUnknown
			}
			hostT, hostFromRef, refPath, resolve = h, true, p, true
		default:
			host, basePath = base.host, base.path
			if len(pathPart) > 0 && pathPart[0] != '/' {
				// A relative path: its first segment may not hold a colon.
				for i := 0; i < len(pathPart) && pathPart[i] != '/'; i++ {
					if pathPart[i] == ':' {
						return dst, fastUnknown
					}
				}
			}
			refPath, resolve = pathPart, true
		}
	}
	if !pathOK {
		return dst, fastUnknown
	}

	// The output: <origin>/<id>/<upstream>[#frag], the upstream shuffled
	// (after urlshuffle.Marker) when the session has a dictionary.
	if c := base.refs; c != nil && c.m == m && !wsOrigin {
		dst = append(dst, c.prefix...) // the same bytes, in one piece
	} else {
		if wsOrigin {
			dst = appendWSOrigin(dst, origin)
		} else {
			dst = append(dst, origin...)
		}
		dst = append(dst, '/')
		dst = append(dst, m.SessionID...)
		dst = append(dst, '/')
		if m.Shuffler != nil {
			dst = append(dst, urlshuffle.Marker...)
		}
	}

	parts := upstreamParts[T]{
		scheme: scheme, host: host, hostT: hostT, hostFromRef: hostFromRef,
		refPath: refPath, resolve: resolve, basePath: basePath, query: -1, beforeHash: beforeHash,
	}
	if qmark >= 0 {
		parts.query = qmark + 1
	}
	if m.Shuffler != nil {
		// The upstream URL is built after the Marker in dst and shuffled
		// there. It is ASCII and starts with its scheme, not with the
		// Marker, so ShuffleASCIIInPlace does not refuse it; should it, the
		// upstream is shuffled from a copy as AppendShuffleBytes does.
		n := len(dst)
		dst = parts.appendTo(dst)
		if up := dst[n:]; !m.Shuffler.ShuffleASCIIInPlace(up) {
			n -= len(urlshuffle.Marker)
			if base.up != nil {
				base.up = append(base.up[:0], up...)
				dst = m.Shuffler.AppendShuffleBytes(dst[:n], base.up)
			} else {
				var scratch [512]byte
				dst = m.Shuffler.AppendShuffleBytes(dst[:n], append(scratch[:0], up...))
			}
		}
	} else {
		dst = parts.appendTo(dst)
	}
	if hash >= 0 {
		dst = append(dst, s[hash:]...)
	}
	return dst, fastDone
}

// upstreamParts are the pieces of the upstream URL found by proxifyFast.
type upstreamParts[T text] struct {
	scheme, host string // the scheme, and the host when it is the base's
	hostT        T      // the host when it is the ref's
	hostFromRef  bool
	refPath      T
	resolve      bool   // resolve refPath against basePath, removing dot segments
	basePath     string // the base's escaped path
	query        int    // index of the query in beforeHash, or -1
	beforeHash   T
}

// appendTo appends the upstream URL, as url.URL.String and escapeUpstream
// would write it, to up.
func (p *upstreamParts[T]) appendTo(up []byte) []byte {
	up = append(up, p.scheme...)
	up = append(up, "://"...)
	if p.hostFromRef {
		up = append(up, p.hostT...)
	} else {
		up = append(up, p.host...)
	}
	if p.resolve {
		up = appendResolved(up, p.refPath, p.basePath)
	} else {
		up = append(up, p.refPath...)
	}
	if p.query >= 0 {
		up = appendQuery(up, p.beforeHash[p.query:])
	}
	return up
}

// appendResolved appends the path of the reference path refPath resolved
// against the base's escaped path basePath, with dot segments removed, as
// url.URL.ResolveReference and String would write it, to up.
func appendResolved[T text](up []byte, refPath T, basePath string) []byte {
	switch {
	case len(refPath) == 0:
		if !hasDotSegment(basePath) {
			return appendRooted(up, basePath)
		}
		var fb [256]byte
		return appendDotsRemoved(up, append(fb[:0], basePath...))
	case refPath[0] != '/':
		dir := basePath[:lastSlash(basePath)+1]
		// dir ends with '/' (or is empty): a dot segment of the
		// concatenation is one of dir or one of refPath.
		if !hasDotSegment(dir) && !hasDotSegment(refPath) {
			if len(dir) == 0 {
				up = append(up, '/')
			} else {
				up = appendRooted(up, dir)
			}
			return append(up, refPath...)
		}
		var fb [256]byte
		full := append(fb[:0], dir...)
		return appendDotsRemoved(up, append(full, refPath...))
	default:
		if !hasDotSegment(refPath) {
			return append(up, refPath...) // starts with '/'
		}
		var fb [256]byte
		return appendDotsRemoved(up, append(fb[:0], refPath...))
	}
}

// appendRooted appends the path p with a leading '/' unless it is empty,
// as appendDotsRemoved does for a path without dot segments.
func appendRooted(up []byte, p string) []byte {
	if len(p) == 0 {
		return up
	}
	if p[0] != '/' {
		up = append(up, '/')
	}
	return append(up, p...)
}

// appendQuery appends "?" and the query q, escaped as escapeUpstream does,
// to up.
func appendQuery[T text](up []byte, q T) []byte {
	up = append(up, '?')
	for {
		// Copy the bytes kept as they are at once.
		i := 0
		for i < len(q) && !queryEscape[q[i]] {
			i++
		}
		up = append(up, q[:i]...)
		if i == len(q) {
			return up
		}
		c := q[i]
		up = append(up, '%', upperHex[c>>4], upperHex[c&0xf])
		q = q[i+1:]
	}
}

// schemeLen returns the length of the scheme s starts with (RFC 3986:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), or 0; see schemeOf.
func schemeLen[T text](s T) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case urlClass[c]&clsScheme == 0:
			return 0
		case i == 0 && !('a' <= c|0x20 && c|0x20 <= 'z'):
			return 0
		}
	}
	return 0
}

// foldEquals reports whether s equals the lower-case ASCII string lower,
// ignoring ASCII case.
func foldEquals[T text](s T, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// foldPrefix reports whether s starts with prefix, ignoring ASCII case.
// For an ASCII prefix this is what strings.EqualFold on s[:len(prefix)]
// reports: a non-ASCII character of s has fewer runes than bytes and can
// never match.
func foldPrefix[T text](s T, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isProxiedFast is Mapper.isProxied without allocating. ok is false when
// the proxy origin is not ASCII (then only strings.EqualFold is right) and
// s has the slashes of a proxied URL.
func isProxiedFast[T text](m *Mapper, s T) (proxied, ok bool) {
	o, id := m.ProxyOrigin, m.SessionID
	if o == "" {
		return false, true
	}
	// A proxied URL has "/<id>/" right after the origin, in its own form
	// (len(o) bytes) or in its ws form (len(o)-2 bytes: "http://" becomes
	// "ws://", "https://" "wss://"); isProxied's cutPrefix needs the same
	// slashes whatever the case folding, so without them neither it nor
	// this function can find s proxied. Most URLs stop here.
	slashes := func(n int) bool {
		return n >= 0 && len(s) >= n+len(id)+2 && s[n] == '/' && s[n+1+len(id)] == '/'
	}
	if !slashes(len(o)) && !slashes(len(o)-2) {
		return false, true
	}
	if !isASCII(o) {
		return false, false
	}
	if hasSessionPrefix(s, o, "", id) {
		return true, true
	}
	// For an ASCII o, foldPrefix is hasPrefixFold.
	switch {
	case foldPrefix(o, "https://"):
		return hasSessionPrefix(s, "wss://", o[len("https://"):], id), true
	case foldPrefix(o, "http://"):
		return hasSessionPrefix(s, "ws://", o[len("http://"):], id), true
	}
	return false, true
}

// hasSessionPrefix reports whether s starts with o1+o2 (ASCII case folded)
// followed by "/<id>/".
func hasSessionPrefix[T text](s T, o1, o2, id string) bool {
	n := len(o1) + len(o2)
	if len(s) < n+len(id)+2 || !foldPrefix(s, o1) || !foldPrefix(s[len(o1):], o2) {
		return false
	}
	if s[n] != '/' || s[n+1+len(id)] != '/' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if s[n+1+i] != id[i] {
			return false
		}
	}
	return true
}

// appendWSOrigin appends the ws/wss form of the proxy origin o (see
// Mapper.wsOrigin).
func appendWSOrigin(dst []byte, o string) []byte {
	switch {
	case hasPrefixFold(o, "https://"):
		return append(append(dst, "wss://"...), o[len("https://"):]...)
	case hasPrefixFold(o, "http://"):
		return append(append(dst, "ws://"...), o[len("http://"):]...)
	}
	return append(dst, o...)
}

// splitAuthority splits "host[:port][/path]" (the text after "//", without
// query or fragment) into the host and the path. ok is false unless the
// host is a plain, non-empty name or IPv4 address (letters, digits, '-',
// '.', '_', '~') with an optional all-digit port.
func splitAuthority[T text](a T) (host, path T, ok bool) {
	end := len(a)
	for i := 0; i < len(a); i++ {
		if a[i] == '/' {
			end = i
			break
		}
	}
	host, path = a[:end], a[end:]
	if len(host) == 0 {
		return host, path, false
	}
	colon := false
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case colon:
			if c < '0' || c > '9' {
				return host, path, false
			}
		case c == ':':
			if i == 0 {
				return host, path, false
			}
			colon = true
		case urlClass[c]&clsHost == 0:
			return host, path, false
		}
	}
	return host, path, true
}

// validPath reports whether net/url keeps the escaped path p as it is:
// only bytes of clsPath and well-formed "%XX" escapes.
func validPath[T text](p T) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if urlClass[c]&clsPath != 0 {
			continue
		}
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			i += 2
			continue
		}
		return false
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
}

// validHost reports whether a URL's host is plain (see splitAuthority).
func validHost(h string) bool {
	_, p, ok := splitAuthority(h)
	return ok && p == ""
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// appendDotsRemoved appends the path full with its "." and ".." segments
// removed, giving the same result as the path resolution of
// url.URL.ResolveReference (RFC 3986, 5.2.4, as net/url does it: the
// result starts with '/', one leading "//" is reduced to "/", a path ending
// in "." or ".." keeps a trailing slash).
func appendDotsRemoved(dst, full []byte) []byte {
	if len(full) == 0 {
		return dst
	}
	if !hasDotSegment(full) {
		// Nothing to remove: the result is full with a leading '/'.
		if full[0] != '/' {
			dst = append(dst, '/')
		}
		return append(dst, full...)
	}
	root := len(dst) // dst[root] is the leading '/'
	dst = append(dst, '/')
	first := true
	var seg []byte
	for rest, more := full, true; more; {
		seg, rest, more = bytes.Cut(rest, slash)
		switch {
		case len(seg) == 1 && seg[0] == '.':
			first = false
		case len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			if k := bytes.LastIndexByte(dst[root+1:], '/'); k >= 0 {
				dst = dst[:root+1+k]
			} else {
				dst = dst[:root+1]
			}
			first = len(dst) == root+1
		default:
			if !first {
				dst = append(dst, '/')
			}
			dst = append(dst, seg...)
			first = false
		}
	}
	if len(seg) == 1 && seg[0] == '.' || len(seg) == 2 && seg[0] == '.' && seg[1] == '.' {
		dst = append(dst, '/')
	}
	if len(dst) > root+1 && dst[root+1] == '/' {
		dst = append(dst[:root], dst[root+1:]...)
	}
	return dst
}

var slash = []byte{'/'}

// hasDotSegment reports whether the path p has a "." or ".." segment.
func hasDotSegment[T text](p T) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '.' || i > 0 && p[i-1] != '/' {
			continue
		}
		j := i + 1
		if j < len(p) && p[j] == '.' {
			j++
		}
		if j == len(p) || p[j] == '/' {
			return true
		}
	}
	return false
}
