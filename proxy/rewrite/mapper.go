// Package rewrite maps upstream URLs to proxied URLs and back, and rewrites
// the HTML, CSS and HTTP headers that flow through the proxy so that every
// URL a page uses points back into the proxy.
//
// A proxied URL has the form
//
//	<ProxyOrigin>/<sessionID>/<absolute upstream URL>
//
// where the upstream part is shuffled with the session's dictionary (package
// urlshuffle) when the session has one. The fragment of a URL is never part
// of the upstream part: it stays at the end of the proxied URL, unshuffled,
// because the browser keeps it for itself.
//
// HTML and CSS are rewritten as streams: memory use is bounded by the size of
// the largest single token (an HTML tag, a text run, a script), not by the
// size of the document.
package rewrite

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// ErrBadTarget reports a proxied path whose upstream part is not an absolute
// http or https URL with a host. Errors returned by Mapper.Target and
// Mapper.Unproxify wrap it.
var ErrBadTarget = errors.New("rewrite: bad target URL")

// Mapper maps upstream URLs to proxied URLs for one session and back.
// A Mapper is not modified by its methods and is safe for concurrent use.
type Mapper struct {
	ProxyOrigin string               // scheme://host[:port] of the proxy as clients see it, no trailing slash
	SessionID   string               // the session's id, the first path segment of proxied URLs
	Shuffler    *urlshuffle.Shuffler // nil: no shuffling
}

// Prefix returns "<ProxyOrigin>/<SessionID>/", the start of every proxied
// http(s) URL of the session.
func (m *Mapper) Prefix() string {
	return m.ProxyOrigin + "/" + m.SessionID + "/"
}

// wsOrigin returns the proxy origin with its scheme changed to ws or wss.
func (m *Mapper) wsOrigin() string {
	o := m.ProxyOrigin
	switch {
	case hasPrefixFold(o, "https://"):
		return "wss://" + o[len("https://"):]
	case hasPrefixFold(o, "http://"):
		return "ws://" + o[len("http://"):]
	}
	return o
}

// asciiWhitespace is the set HTML strips around URL attribute values.
const asciiWhitespace = "\t\n\f\r "

// Proxify resolves ref against base and returns the proxied URL for http(s)
// and ws(s) targets. ws and wss targets map to the proxy's ws or wss origin
// and are recorded as http or https upstream URLs (wss://h/p becomes
// ws(s)://proxy/<id>/https://h/p), so that Target, which accepts only http
// and https, maps them back; the server then upgrades the connection.
//
// Fragment-only, data:, javascript:, mailto:, about:, blob:, tel: and empty
// refs are returned unchanged, as are refs with any other non-http(s)/ws(s)
// scheme, refs that do not parse, relative refs without a base, and URLs that
// already point into this session of the proxy. Leading and trailing ASCII
// whitespace and embedded tabs and newlines are ignored, as browsers do.
// base may be nil when ref is absolute.
//
// The upstream part is written with every character a browser would
// percent-encode when requesting it (controls, space, non-ASCII, '"', '<',
// '>', and "'" in the query) already encoded, so the request reaches Target
// exactly as written; a shuffled URL depends on that.
//
// Common URLs are handled without net/url and without allocating beyond the
// result (see appendProxify); the others by proxifySlow.
func (m *Mapper) Proxify(base *url.URL, ref string) string {
	var buf [256]byte
	bi := newBaseInfo(base)
	out := appendProxify(m, buf[:0], &bi, ref)
	if string(out) == ref {
		return ref
	}
	return string(out)
}

// proxifySlow is Proxify implemented with net/url: the reference for every
// URL the fast path does not handle.
func (m *Mapper) proxifySlow(base *url.URL, ref string) string {
	s := strings.Trim(ref, asciiWhitespace)
	if s == "" || s[0] == '#' {
		return ref
	}
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	if scheme, ok := schemeOf(s); ok {
		switch strings.ToLower(scheme) {
		case "http", "https", "ws", "wss":
		default:
			return ref
		}
		if m.isProxied(s) {
			return ref
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return ref
	}
	if base != nil && u.Scheme == "" {
		u = base.ResolveReference(u)
	}
	origin := m.ProxyOrigin
	switch u.Scheme {
	case "http", "https":
	case "ws":
		origin, u.Scheme = m.wsOrigin(), "http"
	case "wss":
		origin, u.Scheme = m.wsOrigin(), "https"
	default:
		return ref
	}
	if u.Host == "" || u.Opaque != "" {
		return ref
	}
	frag, hasFrag := "", strings.Contains(s, "#")
	if hasFrag {
		frag = u.EscapedFragment()
	}
	u.Fragment, u.RawFragment = "", ""
	up := escapeUpstream(u.String())
	if m.Shuffler != nil {
		up = m.Shuffler.Shuffle(up)
	}
	var b strings.Builder
	b.Grow(len(origin) + len(m.SessionID) + len(up) + len(frag) + 3)
	b.WriteString(origin)
	b.WriteByte('/')
	b.WriteString(m.SessionID)
	b.WriteByte('/')
	b.WriteString(up)
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// isProxied reports whether the absolute URL s already points into this
// session of the proxy.
func (m *Mapper) isProxied(s string) bool {
	if m.ProxyOrigin == "" {
		return false
	}
	_, ok := m.cutPrefix(s)
	return ok
}

// cutPrefix removes "<origin>/<SessionID>/" from s, where origin is the
// proxy origin or its ws form (scheme and host compared case-insensitively).
func (m *Mapper) cutPrefix(s string) (string, bool) {
	for _, o := range [2]string{m.ProxyOrigin, m.wsOrigin()} {
		if o == "" || len(s) < len(o)+len(m.SessionID)+2 || !strings.EqualFold(s[:len(o)], o) {
			continue
		}
		r := s[len(o):]
		if r[0] != '/' || r[1:1+len(m.SessionID)] != m.SessionID || r[1+len(m.SessionID)] != '/' {
			continue
		}
		return r[len(m.SessionID)+2:], true
	}
	return "", false
}

// schemeOf returns the scheme of s when s starts with one (RFC 3986:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":").
func schemeOf(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", false
			}
		case c == ':':
			return s[:i], i > 0
		default:
			return "", false
		}
	}
	return "", false
}

// maxErrQuote bounds how much of a bad target an error message quotes.
const maxErrQuote = 120

func badTarget(rest, why string) error {
	if len(rest) > maxErrQuote {
		rest = rest[:maxErrQuote] + "..."
	}
	return fmt.Errorf("%w %q: %s", ErrBadTarget, rest, why)
}

// Target parses the part of a request after "/<sessionID>/" (the escaped
// path, as on the wire, plus "?query" if any), unshuffling it when it starts
// with urlshuffle.Marker, and returns the absolute http/https upstream URL
// without fragment. Anything else (relative, other schemes, no host, control
// characters or spaces, which a request line cannot carry, a shuffled target in a session without a dictionary) is an
// error wrapping ErrBadTarget.
//
// As a courtesy to clients and routers that merge slashes, "http:/host/..."
// and "https:/host/..." are read as "http://host/...".
func (m *Mapper) Target(rest string) (*url.URL, error) {
	if rest == "" {
		return nil, badTarget(rest, "empty")
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c <= ' ' || c == 0x7f {
			return nil, badTarget(rest, "control character or space")
		}
	}
	s := rest
	if strings.HasPrefix(s, urlshuffle.Marker) {
		if m.Shuffler == nil {
			return nil, badTarget(rest, "shuffled but the session has no shuffle dictionary")
		}
		s = m.Shuffler.Unshuffle(s)
	}
	if scheme, ok := schemeOf(s); ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		r := s[len(scheme)+1:]
		if len(r) >= 2 && r[0] == '/' && r[1] != '/' {
			s = scheme + ":/" + r
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", badTarget(rest, "does not parse"), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, badTarget(rest, "not an absolute http or https URL")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, badTarget(rest, "no host")
	}
	if !validHostname(u.Hostname()) {
		return nil, badTarget(rest, "invalid host name")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// Unproxify maps a full proxied URL of this session (as found in a Referer
// header) back to its upstream URL. A URL outside the session, or whose
// upstream part is not a valid target, is an error wrapping ErrBadTarget.
func (m *Mapper) Unproxify(proxied string) (*url.URL, error) {
	rest, ok := m.cutPrefix(proxied)
	if !ok {
		return nil, badTarget(proxied, "not a URL of this proxy session")
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	return m.Target(rest)
}

// hasPrefixFold reports whether s starts with prefix, ASCII case-insensitively.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// escapeUpstream percent-encodes the bytes of an upstream URL (as written by
// url.URL.String) that a browser would percent-encode when it requests the
// proxied URL: controls, space, non-ASCII bytes, '"', '<', '>', and "'" in
// the query. The proxied URL then reaches the server exactly as Proxify wrote
// it, which shuffling needs: a character the browser expanded to %XX would
// shift the position of every character after it.
func escapeUpstream(s string) string {
	n, inQuery := 0, false
	for i := 0; i < len(s); i++ {
		if c := s[i]; needsEscape(c, inQuery) {
			n++
		} else if c == '?' {
			inQuery = true
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	inQuery = false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needsEscape(c, inQuery) {
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
			continue
		}
		if c == '?' {
			inQuery = true
		}
		b = append(b, c)
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

func needsEscape(c byte, inQuery bool) bool {
	return c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || inQuery && c == '\''
}

// validHostname reports whether h (as returned by url.URL.Hostname) is an
// IPv6 address or made only of letters, digits, '-', '.', '_', '~' and
// non-ASCII characters (an internationalised name).
func validHostname(h string) bool {
	if strings.IndexByte(h, ':') >= 0 {
		_, err := netip.ParseAddr(h) // an IPv6 literal
		return err == nil
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c >= 0x80:
		default:
			return false
		}
	}
	return true
}
