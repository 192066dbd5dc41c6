// Package cookiejar is an RFC 6265 cookie jar that implements
// net/http.CookieJar, lists every stored cookie with all of its fields, and
// encodes and decodes tough-cookie's serialized jar format (the form stored
// inside Rammerhead's .rhfsession files).
//
// SKELETON: the exported API below is fixed; bodies are filled in by the
// cookiejar implementation. Other packages may code against it.
package cookiejar

import (
	"errors"
	"net/http"
	"net/url"
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
	Key   string
	Value string
	// Expires is the Expires attribute; the zero time means none
	// (tough-cookie's "Infinity", a session cookie unless MaxAge is set).
	Expires time.Time
	// MaxAge is the Max-Age attribute in seconds; nil means none. It may be
	// +Inf or -Inf (tough-cookie's "Infinity" and "-Infinity").
	MaxAge *float64
	// Domain is lowercase without a leading dot; "" means null.
	Domain string
	// Path; "" means null.
	Path       string
	Secure     bool
	HttpOnly   bool
	Extensions []string
	// HostOnly is nil when unknown (tough-cookie's null).
	HostOnly      *bool
	PathIsDefault bool
	// Creation is when the cookie was first stored; LastAccessed is zero
	// when null.
	Creation     time.Time
	LastAccessed time.Time
	// SameSite is "", "strict", "lax" or "none".
	SameSite string
}

// Jar is a concurrency-safe RFC 6265 cookie jar.
type Jar struct{}

// New returns an empty jar.
func New(o *Options) *Jar { panic("unimplemented") }

// Decode parses tough-cookie's serialized jar JSON (the string stored as
// serializedCookieJar) into a new jar. Errors wrap ErrInvalidJar.
func Decode(data []byte, o *Options) (*Jar, error) { panic("unimplemented") }

// Encode returns tough-cookie's serialized jar JSON, byte-compatible with
// tough-cookie 4.1.3 (field order, omitted defaults, toISOString dates).
func (j *Jar) Encode() ([]byte, error) { panic("unimplemented") }

// SetCookies implements http.CookieJar.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) { panic("unimplemented") }

// Cookies implements http.CookieJar.
func (j *Jar) Cookies(u *url.URL) []*http.Cookie { panic("unimplemented") }

// SetCookieStrings stores raw Set-Cookie header values received from u,
// parsed as tough-cookie does (nameless cookies, latin1 bytes, extensions
// kept). It reports how many were stored.
func (j *Jar) SetCookieStrings(u *url.URL, headers []string) int { panic("unimplemented") }

// CookieHeader returns the Cookie header value to send to u ("" when none),
// exactly as tough-cookie's getCookieString builds it, and updates the
// cookies' LastAccessed.
func (j *Jar) CookieHeader(u *url.URL) string { panic("unimplemented") }

// All returns a copy of every stored cookie (expired ones included until
// removed), in creation order.
func (j *Jar) All() []Cookie { panic("unimplemented") }

// Put stores c as is, replacing a cookie with the same domain, path and key.
func (j *Jar) Put(c Cookie) { panic("unimplemented") }

// Remove deletes the cookie with that domain, path and key and reports
// whether it existed.
func (j *Jar) Remove(domain, path, key string) bool { panic("unimplemented") }

// Len returns the number of stored cookies.
func (j *Jar) Len() int { panic("unimplemented") }

// Version is a counter that changes whenever the stored cookies change
// (added, replaced, removed, or LastAccessed updated), so that callers can
// tell whether the jar needs to be written again.
func (j *Jar) Version() uint64 { panic("unimplemented") }

// ParseSetCookie parses one Set-Cookie header value as tough-cookie's
// Cookie.parse does (non-loose mode). Errors wrap ErrInvalidSetCookie.
func ParseSetCookie(s string, now time.Time) (*Cookie, error) { panic("unimplemented") }
