// Package cookiejar is an RFC 6265 cookie jar that implements
// net/http.CookieJar, lists every stored cookie with all of its fields, and
// encodes and decodes tough-cookie's serialized jar format (the form stored
// inside Rammerhead's .rhfsession files).
//
// The jar follows tough-cookie 4.1.3 as testcafe-hammerhead drives it
// (Rammerhead's Node implementation): cookies are parsed in tough-cookie's
// loose mode, a Domain attribute equal to a localhost or IP request host is
// dropped, Secure cookies are sent to localhost and loopback addresses over
// plain http, and HttpOnly cookies are stored and sent (this is the HTTP
// API). The jar sees the request path as tough-cookie does: decodeURI of
// the URL (escapes of reserved characters such as %2F kept, the whole URL
// left undecoded when an escape is malformed or not UTF-8), not
// url.URL.Path; a host with a trailing dot is matched as tough-cookie's
// MemoryCookieStore matches it.
//
// Cookie strings are Node "binary" strings, where every byte of a Go string
// stands for one character of the same code point, except Cookie.Path,
// which may hold any character and is held as UTF-8 (see Cookie.Path).
//
// A Jar is safe for concurrent use by multiple goroutines.
package cookiejar

import (
	"errors"
	"math"
	"time"
)

// ErrInvalidJar reports a serialized jar that cannot be decoded (not JSON,
// no cookies array, a cookie of the wrong shape). Errors returned by Decode
// wrap it.
var ErrInvalidJar = errors.New("cookiejar: invalid serialized jar")

// ErrInvalidSetCookie reports a Set-Cookie string that cannot be parsed.
var ErrInvalidSetCookie = errors.New("cookiejar: invalid Set-Cookie")

// PublicSuffixList decides which domains are public suffixes. It is
// satisfied by golang.org/x/net/publicsuffix.List.
type PublicSuffixList interface {
	PublicSuffix(domain string) string
	String() string
}

// Options configures a Jar. A nil *Options means the defaults.
type Options struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// PublicSuffixList used to reject cookies for public suffixes; nil
	// means golang.org/x/net/publicsuffix.List.
	PublicSuffixList PublicSuffixList
}

// Cookie is one stored cookie with every field tough-cookie keeps.
// Zero values stand for tough-cookie's defaults (which its JSON omits).
type Cookie struct {
	// Key is the cookie name; "" for a nameless cookie (Set-Cookie: foo).
	Key string
	// Value is the cookie value, as raw bytes (latin1 view of Node's
	// binary strings).
	Value string
	// Expires is the Expires attribute; the zero time means none
	// (tough-cookie's "Infinity", a session cookie unless MaxAge is set).
	Expires time.Time
	// MaxAge is the Max-Age attribute in seconds; nil means none. It may be
	// +Inf or -Inf (tough-cookie's "Infinity" and "-Infinity").
	MaxAge *float64
	// Domain is lowercase without a leading dot; "" means null.
	Domain string
	// Path; "" means null. Unlike the other strings it is the UTF-8
	// encoding of the path's characters, because a default path may hold
	// any character (the request path after decodeURI): a Path attribute
	// "/\xe9" in a Set-Cookie header is stored as "/é" ("/\xc3\xa9"). A
	// lone UTF-16 surrogate, which only a decoded jar can hold, is kept in
	// its three-byte generalized UTF-8 (WTF-8) form. Bytes that are not
	// valid UTF-8 (only possible through Put) are encoded as U+FFFD.
	Path string
	// Secure is the Secure attribute.
	Secure bool
	// HttpOnly is the HttpOnly attribute.
	HttpOnly bool
	// Extensions are the attributes the parser does not know, as written
	// (e.g. "Priority=High", "Partitioned"); nil means null.
	Extensions []string
	// HostOnly is nil when unknown (tough-cookie's null).
	HostOnly *bool
	// PathIsDefault is true when Path is the default path of the request.
	PathIsDefault bool
	// Creation is when the cookie was first stored; LastAccessed is zero
	// when null.
	Creation     time.Time
	LastAccessed time.Time
	// SameSite is "", "strict", "lax" or "none".
	SameSite string
}

// clone returns a deep copy of c.
func (c *Cookie) clone() Cookie {
	d := *c
	if c.MaxAge != nil {
		v := *c.MaxAge
		d.MaxAge = &v
	}
	if c.HostOnly != nil {
		v := *c.HostOnly
		d.HostOnly = &v
	}
	if c.Extensions != nil {
		d.Extensions = append(make([]string, 0, len(c.Extensions)), c.Extensions...)
	}
	return d
}

// expiry returns tough-cookie's expiryTime() in epoch milliseconds as a
// float: +Inf for a session cookie, -Inf for Max-Age <= 0. Max-Age counts
// from Creation (a zero Creation counts from now, so it never expires).
func (c *Cookie) expiry() float64 {
	if c.MaxAge != nil {
		m := *c.MaxAge
		if m <= 0 {
			return math.Inf(-1)
		}
		if c.Creation.IsZero() {
			return math.Inf(1)
		}
		return float64(c.Creation.UnixMilli()) + m*1000
	}
	if c.Expires.IsZero() {
		return math.Inf(1)
	}
	return float64(c.Expires.UnixMilli())
}

// Expired reports whether the cookie has expired at now, by tough-cookie's
// rules (Max-Age over Expires; Max-Age counts from Creation).
func (c *Cookie) Expired(now time.Time) bool {
	return c.expiry() <= float64(now.UnixMilli())
}

// String returns the cookie as it appears in a Cookie header: "key=value",
// or just the value for a nameless cookie.
func (c *Cookie) String() string {
	if c.Key == "" {
		return c.Value
	}
	return c.Key + "=" + c.Value
}

func ptrFloat(f float64) *float64 { return &f }
func ptrBool(b bool) *bool        { return &b }
