// Package session is one user's proxy identity: an id, createdAt/lastUsed
// timestamps, a data bag and an RFC 6265 cookie jar, with the .rhfsession
// serialized form of the original Node.js Rammerhead.
//
// # Data
//
// data is kept as an ordered list of (key, raw JSON) pairs, so that unknown
// keys and the key order of a loaded file survive a round trip untouched, as
// they do in Node. Known keys have typed accessors (CreatedAt, LastUsed,
// ShuffleDict, ExternalProxy, RestrictIP, Injectable, LocalStorage); any key
// can be read and written raw with Value and SetValue. Setting a key that is
// absent appends it at the end, as JavaScript does.
//
// Saving an unchanged session loaded from a Node-written file gives the same
// bytes as the file: raw values are re-emitted verbatim (without
// insignificant whitespace), strings are quoted as JSON.stringify quotes them
// (no HTML escaping), and the jar is re-encoded by cookiejar, which is
// byte-compatible with tough-cookie.
//
// # Gaps in loaded files
//
// Deserialize fills what a file lacks as follows:
//   - createdAt or lastUsed missing: both are set to the load time and the
//     keys are appended to data (and so written back). Such a session still
//     counts as used (see Used): it was persisted before.
//   - shuffleDict missing: treated as null (no shuffling) and written back as
//     an explicit null. Node would invent a random dictionary instead, which
//     would suddenly turn shuffling on for the session.
//   - injectable missing: Injectable reports the default injectable, but
//     nothing is written unless SetInjectable is called; Node fills the same
//     default when it loads such a file, so both agree.
//   - externalProxySettings missing: ExternalProxy reports nil (null); the
//     key is not written unless set.
//
// # Concurrency
//
// A Session is safe for concurrent use by many goroutines. Readers share a
// read lock; Version and Used are lock-free.
package session

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// ErrCorrupted reports serialized session text that cannot be loaded.
// Deserialize errors wrap it (and cookiejar.ErrInvalidJar where the jar is
// at fault), with a message saying what is wrong.
var ErrCorrupted = errors.New("session: corrupted serialized session")

// ErrInvalidValue reports a value given to SetValue that is not valid JSON
// or has the wrong shape for a known key (for example a createdAt that is
// not a number or a shuffleDict that is not a permutation).
var ErrInvalidValue = errors.New("session: invalid data value")

// Options configures New and Deserialize. A nil *Options means defaults.
type Options struct {
	// Now returns the current time; nil means time.Now. Also given to the jar.
	Now func() time.Time
}

func (o *Options) now() time.Time {
	if o == nil || o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o *Options) jarOptions() *cookiejar.Options {
	if o == nil || o.Now == nil {
		return nil
	}
	return &cookiejar.Options{Now: o.Now}
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

// Names of the data keys the package knows.
const (
	KeyCreatedAt             = "createdAt"
	KeyLastUsed              = "lastUsed"
	KeyInjectable            = "injectable"
	KeyExternalProxySettings = "externalProxySettings"
	KeyShuffleDict           = "shuffleDict"
	KeyCookies               = "cookies"
	KeyRestrictIP            = "restrictIP"
	KeyLocalStorage          = "localStorage"
	// KeyPinned is this project's extension: true marks a session that
	// expiry never removes. Node Rammerhead keeps the key (it keeps unknown
	// keys) but does not honour it.
	KeyPinned = "pinned"
)

// Shared immutable raw values: sessions point at these instead of holding
// their own copies.
const (
	rawNull        = "null"
	rawEmptyObject = "{}"
	// DefaultInjectableJSON is the injectable every new session gets.
	DefaultInjectableJSON = `{"scripts":["/hammerhead.js","/rammerhead.js"],"styles":[],"userScripts":[]}`
)

// internKey returns the package's constant for a known key, so that loaded
// sessions do not each hold a copy of the key names.
func internKey[T string | []byte](k T) string {
	switch string(k) { // no allocation: the compiler compares in place
	case KeyCreatedAt:
		return KeyCreatedAt
	case KeyLastUsed:
		return KeyLastUsed
	case KeyInjectable:
		return KeyInjectable
	case KeyExternalProxySettings:
		return KeyExternalProxySettings
	case KeyShuffleDict:
		return KeyShuffleDict
	case KeyCookies:
		return KeyCookies
	case KeyRestrictIP:
		return KeyRestrictIP
	case KeyLocalStorage:
		return KeyLocalStorage
	}
	return string(k)
}

// internRaw returns a shared constant for common raw values.
func internRaw(raw []byte) string {
	switch string(raw) {
	case rawNull:
		return rawNull
	case rawEmptyObject:
		return rawEmptyObject
	case DefaultInjectableJSON:
		return DefaultInjectableJSON
	case "[]":
		return "[]"
	case "true":
		return "true"
	case "false":
		return "false"
	case `"127.0.0.1"`:
		return `"127.0.0.1"`
	}
	return string(raw)
}

// field is one data member. For createdAt and lastUsed an empty raw means
// "the typed value, formatted as an integer" (the common case, which needs
// no memory of its own).
type field struct {
	key string
	raw string
}

// Session is safe for concurrent use.
type Session struct {
	id string

	mu     sync.RWMutex
	fields []field // data members in order; guarded by mu
	state  any     // StoreState; guarded by mu

	// createdAt and lastUsed are ms since the epoch. They are written with
	// mu held, except lastUsed by Touch's fast path (plainLast true: the
	// lastUsed field exists and is written from this value), so that a
	// touch, the hottest operation of every store, takes no lock.
	createdAt atomic.Int64
	lastUsed  atomic.Int64
	plainLast atomic.Bool

	// shuffler caches the Shuffler of data.shuffleDict (noShuffler when
	// null). It is built and cleared with mu held for writing, so it never
	// outlives a change of the dictionary.
	shuffler atomic.Pointer[urlshuffle.Shuffler]

	jar     *cookiejar.Jar
	jarBase uint64 // jar.Version() when the session was made or loaded

	ver     atomic.Uint64 // bumped by every data change (and a Touch that adds lastUsed)
	touches atomic.Uint64 // bumped by Touch's fast path (lastUsed changed, nothing else)
	used    atomic.Bool   // touched or changed (data) since New; true when loaded

	serSize atomic.Int32 // length of the last Serialize output, to size the next
}

// New returns a fresh session with the fields the original gives a new
// one, in its order: createdAt = lastUsed = now, the default injectable,
// null externalProxySettings, a random shuffle dictionary (from
// urlshuffle.GenerateDictionary) and an empty cookies index; and an empty
// jar. restrictIP is left for the server to set. The id is not validated
// (see ValidateID). The session is unused until touched or changed.
func New(id string, o *Options) *Session {
	ms := o.now().UnixMilli()
	fields := make([]field, 6, 7) // room for restrictIP
	fields[0] = field{KeyCreatedAt, ""}
	fields[1] = field{KeyLastUsed, ""}
	fields[2] = field{KeyInjectable, DefaultInjectableJSON}
	fields[3] = field{KeyExternalProxySettings, rawNull}
	fields[4] = field{KeyShuffleDict, quoteString(urlshuffle.GenerateDictionary())}
	fields[5] = field{KeyCookies, rawEmptyObject}
	jar := cookiejar.New(o.jarOptions())
	s := &Session{
		id:      id,
		fields:  fields,
		jar:     jar,
		jarBase: jar.Version(),
	}
	s.createdAt.Store(ms)
	s.lastUsed.Store(ms)
	s.plainLast.Store(true)
	return s
}

func quoteString(s string) string {
	return string(appendQuote(make([]byte, 0, len(s)+2), s))
}

// ID returns the session id.
func (s *Session) ID() string { return s.id }

// CreatedAt returns data.createdAt.
func (s *Session) CreatedAt() time.Time {
	return time.UnixMilli(s.createdAt.Load())
}

// CreatedAtMs returns data.createdAt in Unix milliseconds.
func (s *Session) CreatedAtMs() int64 { return s.createdAt.Load() }

// LastUsedMs returns data.lastUsed in Unix milliseconds.
func (s *Session) LastUsedMs() int64 { return s.lastUsed.Load() }

// LastUsed returns data.lastUsed.
func (s *Session) LastUsed() time.Time {
	return time.UnixMilli(s.lastUsed.Load())
}

// Touch sets lastUsed to now (in milliseconds) and marks the session used.
// When now falls in the millisecond of createdAt, lastUsed is set one
// millisecond later, so that Node, which deems a session with
// lastUsed == createdAt unused and drops it unsaved, never mistakes a used
// session for an unused one.
func (s *Session) Touch(now time.Time) {
	s.TouchMs(now.UnixMilli())
}

// TouchMs is Touch with now in Unix milliseconds, for hot paths that keep
// time as integers.
func (s *Session) TouchMs(ms int64) {
	if ms == s.createdAt.Load() {
		ms++
	}
	if s.plainLast.Load() {
		if s.lastUsed.Load() == ms && s.used.Load() {
			return // same millisecond: nothing would change
		}
		// The value is stored before the version moves, so a writer that
		// read the version and then serialized an older lastUsed sees
		// the session dirty again.
		s.lastUsed.Store(ms)
		s.touches.Add(1)
		if !s.used.Load() {
			s.used.Store(true)
		}
		return
	}
	s.mu.Lock()
	s.lastUsed.Store(ms)
	if i := s.find(KeyLastUsed); i >= 0 {
		s.fields[i].raw = ""
	} else {
		s.fields = append(s.fields, field{KeyLastUsed, ""})
	}
	s.plainLast.Store(true)
	s.changedLocked()
	s.mu.Unlock()
}

// Used reports whether the session has been used: for a session made by
// New, whether it was touched or changed since (data set, or the jar's
// Version moved); a session loaded by Deserialize always counts as used,
// since it was persisted before (whatever its timestamps say).
func (s *Session) Used() bool {
	return s.used.Load() || s.jar.Version() != s.jarBase
}

// Jar returns the session's cookie jar.
func (s *Session) Jar() *cookiejar.Jar { return s.jar }

// Version changes whenever the serialized form would change (data, touch,
// or the jar's Version). It only ever grows.
func (s *Session) Version() uint64 {
	return s.touches.Load() + s.ver.Load() + s.jar.Version()
}

// ContentVersion is Version without the touches that changed only
// lastUsed: it changes whenever anything else of the serialized form would
// change, and only ever grows. Stores use it to write a session that was
// only touched less often than one that changed.
func (s *Session) ContentVersion() uint64 {
	return s.ver.Load() + s.jar.Version()
}

// StoreState returns the value a store attached with SetStoreState (nil when
// none). Stores that do not keep the session pointer (Redis) use it to
// remember the state they loaded, so that Save writes only what changed.
func (s *Session) StoreState() any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.state
}

// SetStoreState attaches a store's private value to the session. It does not
// change Version or Used.
func (s *Session) SetStoreState(v any) {
	s.mu.Lock()
	s.state = v
	s.mu.Unlock()
}

// find returns the index of key in s.fields, or -1. Caller holds s.mu.
func (s *Session) find(key string) int {
	for i := range s.fields {
		if s.fields[i].key == key {
			return i
		}
	}
	return -1
}

// rawLocked returns the raw JSON of key. Caller holds s.mu.
func (s *Session) rawLocked(key string) (string, bool) {
	i := s.find(key)
	if i < 0 {
		return "", false
	}
	f := s.fields[i]
	if f.raw == "" {
		switch key {
		case KeyCreatedAt:
			return strconv.FormatInt(s.createdAt.Load(), 10), true
		case KeyLastUsed:
			return strconv.FormatInt(s.lastUsed.Load(), 10), true
		}
	}
	return f.raw, true
}

func (s *Session) changedLocked() {
	s.ver.Add(1)
	s.used.Store(true)
}

// setRawLocked sets key to raw, appending the key when absent. Caller holds
// s.mu for writing.
func (s *Session) setRawLocked(key, raw string) {
	if key == KeyShuffleDict {
		s.shuffler.Store(nil)
	}
	if i := s.find(key); i >= 0 {
		s.fields[i].raw = raw
	} else {
		s.fields = append(s.fields, field{key, raw})
	}
	s.changedLocked()
}

func (s *Session) setRaw(key, raw string) {
	s.mu.Lock()
	s.setRawLocked(key, raw)
	s.mu.Unlock()
}

// stringValue decodes a raw JSON string; null, absent or another type give "".
func stringValue(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if strings.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	return unquote([]byte(raw), true)
}

// ShuffleDict returns data.shuffleDict ("" when null or absent).
func (s *Session) ShuffleDict() string {
	s.mu.RLock()
	raw, _ := s.rawLocked(KeyShuffleDict)
	s.mu.RUnlock()
	return stringValue(raw)
}

// SetShuffleDict sets data.shuffleDict ("" writes null). dict must be "" or
// a valid dictionary (urlshuffle.ValidDictionary); an invalid one is ignored
// and leaves the session unchanged (use SetValue to get an error instead).
func (s *Session) SetShuffleDict(dict string) {
	if dict == "" {
		s.setRaw(KeyShuffleDict, rawNull)
		return
	}
	if urlshuffle.ValidDictionary(dict) != nil {
		return
	}
	s.setRaw(KeyShuffleDict, quoteString(dict))
}

// Shuffler returns a shuffler for the session's dictionary, or nil when
// shuffling is off (shuffleDict null or absent).
func (s *Session) Shuffler() *urlshuffle.Shuffler {
	if sh := s.shuffler.Load(); sh != nil {
		return realShuffler(sh)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.shuffler.Load(); sh != nil {
		return realShuffler(sh)
	}
	raw, _ := s.rawLocked(KeyShuffleDict)
	sh := noShuffler
	if d := stringValue(raw); d != "" {
		// An error cannot happen: dictionaries are checked when set.
		if built, err := urlshuffle.New(d); err == nil {
			sh = built
		}
	}
	s.shuffler.Store(sh)
	return realShuffler(sh)
}

// noShuffler marks a cached "no dictionary".
var noShuffler = &urlshuffle.Shuffler{}

func realShuffler(sh *urlshuffle.Shuffler) *urlshuffle.Shuffler {
	if sh == noShuffler {
		return nil
	}
	return sh
}

// ExternalProxy returns a copy of data.externalProxySettings (nil when null
// or absent).
func (s *Session) ExternalProxy() *ProxySettings {
	s.mu.RLock()
	raw, _ := s.rawLocked(KeyExternalProxySettings)
	s.mu.RUnlock()
	if raw == "" || raw == rawNull {
		return nil
	}
	p, err := parseProxy([]byte(raw))
	if err != nil { // cannot happen: checked when loaded or set
		return nil
	}
	return p
}

// SetExternalProxy sets data.externalProxySettings (nil writes null). The
// fields are written in the original's order (host, hostname, port,
// proxyAuth, authHeader, bypassRules), empty optional ones omitted.
func (s *Session) SetExternalProxy(p *ProxySettings) {
	if p == nil {
		s.setRaw(KeyExternalProxySettings, rawNull)
		return
	}
	b := make([]byte, 0, 64+len(p.Host)+len(p.Hostname)+len(p.ProxyAuth)+len(p.AuthHeader))
	b = append(b, `{"host":`...)
	b = appendQuote(b, p.Host)
	b = append(b, `,"hostname":`...)
	b = appendQuote(b, p.Hostname)
	if p.Port != "" {
		b = append(b, `,"port":`...)
		b = appendQuote(b, p.Port)
	}
	if p.ProxyAuth != "" {
		b = append(b, `,"proxyAuth":`...)
		b = appendQuote(b, p.ProxyAuth)
	}
	if p.AuthHeader != "" {
		b = append(b, `,"authHeader":`...)
		b = appendQuote(b, p.AuthHeader)
	}
	if len(p.BypassRules) > 0 {
		b = append(b, `,"bypassRules":`...)
		b = appendStringArray(b, p.BypassRules)
	}
	b = append(b, '}')
	s.setRaw(KeyExternalProxySettings, string(b))
}

func appendStringArray(b []byte, a []string) []byte {
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuote(b, v)
	}
	return append(b, ']')
}

// RestrictIP returns data.restrictIP ("" when absent or null).
func (s *Session) RestrictIP() string {
	s.mu.RLock()
	raw, _ := s.rawLocked(KeyRestrictIP)
	s.mu.RUnlock()
	return stringValue(raw)
}

// SetRestrictIP sets data.restrictIP ("" removes it).
func (s *Session) SetRestrictIP(ip string) {
	if ip == "" {
		s.DeleteValue(KeyRestrictIP)
		return
	}
	raw := `"127.0.0.1"`
	if ip != "127.0.0.1" {
		raw = quoteString(ip)
	}
	s.setRaw(KeyRestrictIP, raw)
}

// Injectable returns a copy of data.injectable, or the default injectable
// (DefaultInjectableJSON) when the key is absent.
func (s *Session) Injectable() Injectable {
	s.mu.RLock()
	raw, ok := s.rawLocked(KeyInjectable)
	s.mu.RUnlock()
	if !ok {
		raw = DefaultInjectableJSON
	}
	in, _ := parseInjectable([]byte(raw)) // checked when loaded or set
	return in
}

// SetInjectable sets data.injectable. Nil slices are written as empty
// arrays; a user script that is not valid JSON is written as null.
func (s *Session) SetInjectable(in Injectable) {
	b := make([]byte, 0, 64)
	b = append(b, `{"scripts":`...)
	b = appendStringArray(b, in.Scripts)
	b = append(b, `,"styles":`...)
	b = appendStringArray(b, in.Styles)
	b = append(b, `,"userScripts":[`...)
	for i, u := range in.UserScripts {
		if i > 0 {
			b = append(b, ',')
		}
		raw, err := validJSON(u)
		if err != nil {
			raw = []byte(rawNull)
		}
		b = append(b, raw...)
	}
	b = append(b, "]}"...)
	s.setRaw(KeyInjectable, internRaw(b))
}

// LocalStorage returns a copy of data.localStorage (an empty map when
// absent). Entries whose shape is not {data: {...}, timestamp: n} are
// skipped; a non-string value in data is given as its JSON text.
func (s *Session) LocalStorage() map[string]LocalStorageEntry {
	s.mu.RLock()
	raw, _ := s.rawLocked(KeyLocalStorage)
	s.mu.RUnlock()
	return parseLocalStorage([]byte(raw))
}

// SetLocalStorage sets one origin's entry of data.localStorage, keeping the
// other origins (and their order) as they are; a new origin is appended.
// The entry's data keys are written in sorted order.
func (s *Session) SetLocalStorage(origin string, e LocalStorageEntry) {
	entry := make([]byte, 0, 64)
	entry = append(entry, `{"data":{`...)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			entry = append(entry, ',')
		}
		entry = appendQuote(entry, k)
		entry = append(entry, ':')
		entry = appendQuote(entry, e.Data[k])
	}
	entry = append(entry, `},"timestamp":`...)
	entry = strconv.AppendInt(entry, e.Timestamp, 10)
	entry = append(entry, '}')

	s.mu.Lock()
	defer s.mu.Unlock()
	raw, _ := s.rawLocked(KeyLocalStorage)
	s.setRawLocked(KeyLocalStorage, string(setMember([]byte(raw), origin, entry)))
}

// Value returns a copy of the raw JSON of any data key, and whether it is
// present.
func (s *Session) Value(key string) (json.RawMessage, bool) {
	s.mu.RLock()
	raw, ok := s.rawLocked(key)
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return json.RawMessage(raw), true
}

// SetValue sets any data key to raw JSON (appended at the end when new).
// v must be one valid JSON value; it is stored without insignificant
// whitespace. Known keys must have their documented shape: createdAt and
// lastUsed numbers, shuffleDict null or a valid dictionary,
// externalProxySettings null or a proxy object, restrictIP a string or
// null, injectable an injectable object. Errors wrap ErrInvalidValue and
// leave the session unchanged.
func (s *Session) SetValue(key string, v json.RawMessage) error {
	raw, err := validJSON(v)
	if err != nil {
		return fmtErr(ErrInvalidValue, "%s: %v", key, err)
	}
	canon, ms, err := normalizeField(key, raw)
	if err != nil {
		return fmtErr(ErrInvalidValue, "%v", err)
	}
	s.mu.Lock()
	switch key {
	case KeyCreatedAt:
		s.createdAt.Store(ms)
		canon = "" // written from the typed value
	case KeyLastUsed:
		s.lastUsed.Store(ms)
		canon = ""
	}
	s.setRawLocked(key, canon)
	if key == KeyLastUsed {
		s.plainLast.Store(true)
	}
	s.mu.Unlock()
	return nil
}

// DeleteValue removes a data key and reports whether it was present.
// createdAt and lastUsed cannot be removed (false is returned).
func (s *Session) DeleteValue(key string) bool {
	if key == KeyCreatedAt || key == KeyLastUsed {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(key)
	if i < 0 {
		return false
	}
	s.fields = slices.Delete(s.fields, i, i+1)
	if key == KeyShuffleDict {
		s.shuffler.Store(nil)
	}
	s.changedLocked()
	return true
}

// Keys returns the data keys in order.
func (s *Session) Keys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, len(s.fields))
	for i, f := range s.fields {
		keys[i] = f.key
	}
	return keys
}

// Pinned reports whether data.pinned is true: stores never expire a
// pinned session.
func (s *Session) Pinned() bool {
	s.mu.RLock()
	raw, _ := s.rawLocked(KeyPinned)
	s.mu.RUnlock()
	return raw == "true"
}

// SetPinned sets data.pinned to true, or removes the key.
func (s *Session) SetPinned(pinned bool) {
	if !pinned {
		s.DeleteValue(KeyPinned)
		return
	}
	s.setRaw(KeyPinned, "true")
}

// loader collects data members as Deserialize and Assemble read them.
type loader struct {
	s                                   *Session
	haveCreated, haveLastUsed, haveDict bool
}

// add stores one member; a repeated key keeps its first position and its
// last value, as in JavaScript.
func (l *loader) add(k, canon string, ms int64) {
	s := l.s
	switch k {
	case KeyCreatedAt:
		s.createdAt.Store(ms)
		l.haveCreated = true
	case KeyLastUsed:
		s.lastUsed.Store(ms)
		l.haveLastUsed = true
	case KeyShuffleDict:
		l.haveDict = true
	}
	if j := s.find(k); j >= 0 {
		s.fields[j].raw = canon
	} else {
		s.fields = append(s.fields, field{k, canon})
	}
}

// finish fills the documented gaps: missing timestamps become the load
// time, a missing shuffleDict is written as null.
func (l *loader) finish(o *Options) {
	s := l.s
	if !l.haveCreated || !l.haveLastUsed {
		now := o.now().UnixMilli()
		if !l.haveCreated {
			s.createdAt.Store(now)
			s.fields = append(s.fields, field{KeyCreatedAt, ""})
		}
		if !l.haveLastUsed {
			s.lastUsed.Store(now)
			s.fields = append(s.fields, field{KeyLastUsed, ""})
		}
	}
	if !l.haveDict {
		s.fields = append(s.fields, field{KeyShuffleDict, rawNull})
	}
	if i := s.find(KeyLastUsed); i >= 0 && s.fields[i].raw == "" {
		s.plainLast.Store(true)
	}
}
