// Package session is one user's proxy identity: an id, createdAt/lastUsed
// timestamps, a data bag and an RFC 6265 cookie jar, with the .rhfsession
// serialized form of the original Node.js Rammerhead.
//
// SKELETON: the exported API below is fixed; bodies are filled in by the
// session implementation. Other packages may code against it.
package session

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

// ErrInvalidID reports an id that is not 1 to 64 characters of
// [A-Za-z0-9_-].
var ErrInvalidID = errors.New("session: invalid id")

// ErrCorrupted reports serialized session text that cannot be loaded.
// Deserialize errors wrap it (and cookiejar.ErrInvalidJar where the jar is
// at fault), with a message saying what is wrong.
var ErrCorrupted = errors.New("session: corrupted serialized session")

// NewID returns a fresh id: 32 lowercase hex characters from crypto/rand.
func NewID() string { panic("unimplemented") }

// ValidateID returns nil for a valid id and an error wrapping ErrInvalidID
// otherwise.
func ValidateID(id string) error { panic("unimplemented") }

// Options configures New and Deserialize. A nil *Options means defaults.
type Options struct {
	// Now returns the current time; nil means time.Now. Also given to the jar.
	Now func() time.Time
}

// ProxySettings is data.externalProxySettings: the session's upstream HTTP
// proxy. Port is a string, as the original writes it.
type ProxySettings struct {
	Host        string   `json:"host"`
	Hostname    string   `json:"hostname"`
	Port        string   `json:"port,omitempty"`
	ProxyAuth   string   `json:"proxyAuth,omitempty"`
	AuthHeader  string   `json:"authHeader,omitempty"`
	BypassRules []string `json:"bypassRules,omitempty"`
}

// Injectable is data.injectable: scripts and styles injected into pages.
type Injectable struct {
	Scripts     []string          `json:"scripts"`
	Styles      []string          `json:"styles"`
	UserScripts []json.RawMessage `json:"userScripts"`
}

// LocalStorageEntry is one origin's entry in data.localStorage.
type LocalStorageEntry struct {
	Data      map[string]string `json:"data"`
	Timestamp int64             `json:"timestamp"`
}

// Session is safe for concurrent use.
type Session struct{}

// New returns a fresh session with the fields the original gives a new
// one: createdAt = lastUsed = now, the default injectable, null
// externalProxySettings, a random shuffle dictionary, an empty cookies
// index and an empty jar.
func New(id string, o *Options) *Session { panic("unimplemented") }

// Deserialize loads the .rhfsession form. Errors wrap ErrCorrupted.
func Deserialize(id string, b []byte, o *Options) (*Session, error) { panic("unimplemented") }

// Serialize returns the .rhfsession form: compact JSON, data first, then
// serializedCookieJar as a string; unknown data keys and their order kept.
func (s *Session) Serialize() ([]byte, error) { panic("unimplemented") }

// ID returns the session id.
func (s *Session) ID() string { panic("unimplemented") }

// CreatedAt returns data.createdAt.
func (s *Session) CreatedAt() time.Time { panic("unimplemented") }

// LastUsed returns data.lastUsed.
func (s *Session) LastUsed() time.Time { panic("unimplemented") }

// Touch sets lastUsed to now and marks the session used.
func (s *Session) Touch(now time.Time) { panic("unimplemented") }

// Used reports whether the session was touched or changed since it was
// created by New (a loaded session counts as used when its lastUsed differs
// from createdAt or when it is touched or changed after loading).
func (s *Session) Used() bool { panic("unimplemented") }

// Jar returns the session's cookie jar.
func (s *Session) Jar() *cookiejar.Jar { panic("unimplemented") }

// Version changes whenever the serialized form would change (data, touch,
// or the jar's Version).
func (s *Session) Version() uint64 { panic("unimplemented") }

// ShuffleDict returns data.shuffleDict ("" when null or absent).
func (s *Session) ShuffleDict() string { panic("unimplemented") }

// SetShuffleDict sets data.shuffleDict ("" writes null).
func (s *Session) SetShuffleDict(dict string) { panic("unimplemented") }

// ExternalProxy returns data.externalProxySettings (nil when null).
func (s *Session) ExternalProxy() *ProxySettings { panic("unimplemented") }

// SetExternalProxy sets data.externalProxySettings (nil writes null).
func (s *Session) SetExternalProxy(p *ProxySettings) { panic("unimplemented") }

// RestrictIP returns data.restrictIP ("" when absent).
func (s *Session) RestrictIP() string { panic("unimplemented") }

// SetRestrictIP sets data.restrictIP ("" removes it).
func (s *Session) SetRestrictIP(ip string) { panic("unimplemented") }

// Injectable returns data.injectable.
func (s *Session) Injectable() Injectable { panic("unimplemented") }

// SetInjectable sets data.injectable.
func (s *Session) SetInjectable(in Injectable) { panic("unimplemented") }

// LocalStorage returns a copy of data.localStorage.
func (s *Session) LocalStorage() map[string]LocalStorageEntry { panic("unimplemented") }

// SetLocalStorage sets one origin's entry of data.localStorage.
func (s *Session) SetLocalStorage(origin string, e LocalStorageEntry) { panic("unimplemented") }

// Value returns the raw JSON of any data key, and whether it is present.
func (s *Session) Value(key string) (json.RawMessage, bool) { panic("unimplemented") }

// SetValue sets any data key to raw JSON (appended at the end when new).
func (s *Session) SetValue(key string, v json.RawMessage) error { panic("unimplemented") }

// StoreState returns the value a store attached with SetStoreState (nil when
// none). Stores that do not keep the session pointer (Redis) use it to
// remember the state they loaded, so that Save writes only what changed.
func (s *Session) StoreState() any { panic("unimplemented") }

// SetStoreState attaches a store's private value to the session.
func (s *Session) SetStoreState(v any) { panic("unimplemented") }
