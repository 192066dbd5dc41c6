package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewID()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Fatalf("NewID() = %q, want 32 lowercase hex chars", id)
		}
		if err := ValidateID(id); err != nil {
			t.Fatalf("ValidateID(NewID()) = %v", err)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"a", "A-b_9", strings.Repeat("z", 64), "2cc3bd32ff11440685b66bce04a7f2bb"} {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v", id, err)
		}
	}
	bad := map[string]string{
		"":                        "empty",
		strings.Repeat("z", 65):   "65 bytes",
		"../etc":                  `"../etc"`,
		"a/b":                     `'/'`,
		`a\b`:                     `'\\'`,
		"a b":                     `' '`,
		"é":                       `"é"`,
		"ok\x00":                  `'\x00'`,
		strings.Repeat("q", 1000): "1000 bytes",
	}
	for id, frag := range bad {
		err := ValidateID(id)
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("ValidateID(%q) = %v, want ErrInvalidID", id, err)
			continue
		}
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("ValidateID(%q) = %q, want it to mention %s", id, err, frag)
		}
		if len(err.Error()) > 200 {
			t.Errorf("message not truncated: %d bytes", len(err.Error()))
		}
	}
}

func TestNewShapeMatchesUnusedFresh(t *testing.T) {
	created := time.Date(2026, 11, 28, 22, 57, 16, 459e6, time.UTC)
	s := New("2cc3bd32ff11440685b66bce04a7f2bb", &Options{Now: func() time.Time { return created }})
	s.SetRestrictIP("127.0.0.1") // what /newsession does
	got, err := s.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	want := fixtures.Read(t, "unused-fresh.rhfsession")
	// Same shape: only the dictionary differs (it is random).
	dict := s.ShuffleDict()
	if err := urlshuffle.ValidDictionary(dict); err != nil {
		t.Fatalf("new session dictionary: %v", err)
	}
	got = bytes.Replace(got, []byte(dict), []byte("wbDfncJPWBds0YShlUq~-IGEuRKMLki8AozNvg6Tp7yx3Hm2jaQ1Z5eXFrOV94tC"), 1)
	if !bytes.Equal(got, want) {
		t.Errorf("new session:\n got %s\nwant %s", got, want)
	}
	if !s.CreatedAt().Equal(created) || !s.LastUsed().Equal(created) {
		t.Errorf("timestamps %v %v", s.CreatedAt(), s.LastUsed())
	}
	if s.Jar().Len() != 0 {
		t.Errorf("new jar has %d cookies", s.Jar().Len())
	}
}

func TestNewDictionariesDiffer(t *testing.T) {
	a, b := New("a", nil), New("b", nil)
	if a.ShuffleDict() == b.ShuffleDict() {
		t.Error("two new sessions share a dictionary")
	}
}

func TestUsedAndTouch(t *testing.T) {
	now := loadTime
	s := New("id", &Options{Now: func() time.Time { return now }})
	if s.Used() {
		t.Fatal("a new session must be unused")
	}
	v0 := s.Version()
	// Same millisecond as createdAt: lastUsed moves one ms later, so that
	// Node never takes the session for unused.
	s.Touch(now)
	if !s.Used() {
		t.Fatal("Touch must mark the session used")
	}
	if got := s.LastUsed(); !got.Equal(now.Add(time.Millisecond)) {
		t.Errorf("LastUsed after Touch(now) = %v", got)
	}
	if s.Version() == v0 {
		t.Error("Touch must change Version")
	}
	later := now.Add(90 * time.Second)
	s.Touch(later)
	if !s.LastUsed().Equal(later) || !s.CreatedAt().Equal(now) {
		t.Errorf("after Touch: created %v, lastUsed %v", s.CreatedAt(), s.LastUsed())
	}
	raw, _ := s.Value(KeyLastUsed)
	if string(raw) != fmt.Sprint(later.UnixMilli()) {
		t.Errorf("Value(lastUsed) = %s", raw)
	}
}

func TestUsedBySetters(t *testing.T) {
	setters := map[string]func(s *Session){
		"SetShuffleDict":   func(s *Session) { s.SetShuffleDict("") },
		"SetExternalProxy": func(s *Session) { s.SetExternalProxy(nil) },
		"SetRestrictIP":    func(s *Session) { s.SetRestrictIP("10.0.0.1") },
		"SetInjectable":    func(s *Session) { s.SetInjectable(Injectable{}) },
		"SetLocalStorage":  func(s *Session) { s.SetLocalStorage("o", LocalStorageEntry{}) },
		"SetValue":         func(s *Session) { _ = s.SetValue("x", json.RawMessage(`1`)) },
		"DeleteValue":      func(s *Session) { s.DeleteValue(KeyCookies) },
		"jar change": func(s *Session) {
			s.Jar().Put(cookiejar.Cookie{Key: "k", Value: "v", Domain: "example.com", Path: "/"})
		},
	}
	for name, set := range setters {
		t.Run(name, func(t *testing.T) {
			s := New("id", fixedClock())
			v0 := s.Version()
			set(s)
			if !s.Used() {
				t.Error("not used after a change")
			}
			if s.Version() == v0 {
				t.Error("Version unchanged after a change")
			}
		})
	}
	s := New("id", fixedClock())
	s.SetStoreState("x")
	if s.Used() || s.StoreState() != "x" {
		t.Error("SetStoreState must not count as a change")
	}
}

func TestSetters(t *testing.T) {
	s := New("id", fixedClock())

	s.SetShuffleDict("")
	if raw, _ := s.Value(KeyShuffleDict); string(raw) != "null" || s.ShuffleDict() != "" || s.Shuffler() != nil {
		t.Errorf("SetShuffleDict(\"\"): %s", raw)
	}
	d := urlshuffle.GenerateDictionary()
	s.SetShuffleDict(d)
	if s.ShuffleDict() != d {
		t.Errorf("ShuffleDict = %q, want %q", s.ShuffleDict(), d)
	}
	v := s.Version()
	s.SetShuffleDict("not a dictionary")
	if s.ShuffleDict() != d || s.Version() != v {
		t.Error("an invalid dictionary must be ignored")
	}

	p := &ProxySettings{Host: "h:1", Hostname: "h", Port: "1", ProxyAuth: "u:p", AuthHeader: "Basic x", BypassRules: []string{"a", "<b>&"}}
	s.SetExternalProxy(p)
	raw, _ := s.Value(KeyExternalProxySettings)
	want := `{"host":"h:1","hostname":"h","port":"1","proxyAuth":"u:p","authHeader":"Basic x","bypassRules":["a","<b>&"]}`
	if string(raw) != want {
		t.Errorf("externalProxySettings = %s, want %s", raw, want)
	}
	if got := s.ExternalProxy(); !reflect.DeepEqual(got, p) {
		t.Errorf("ExternalProxy = %+v", got)
	}
	s.SetExternalProxy(&ProxySettings{Host: "h", Hostname: "h"})
	if raw, _ := s.Value(KeyExternalProxySettings); string(raw) != `{"host":"h","hostname":"h"}` {
		t.Errorf("minimal proxy = %s", raw)
	}
	s.SetExternalProxy(nil)
	if raw, _ := s.Value(KeyExternalProxySettings); string(raw) != "null" || s.ExternalProxy() != nil {
		t.Errorf("SetExternalProxy(nil) = %s", raw)
	}

	// restrictIP is appended at the end, then removed by "".
	s.SetRestrictIP("1.2.3.4")
	if keys := s.Keys(); keys[len(keys)-1] != KeyRestrictIP || s.RestrictIP() != "1.2.3.4" {
		t.Errorf("keys %q, restrictIP %q", keys, s.RestrictIP())
	}
	s.SetRestrictIP("")
	if _, ok := s.Value(KeyRestrictIP); ok || s.RestrictIP() != "" {
		t.Error("SetRestrictIP(\"\") must remove the key")
	}

	in := Injectable{Scripts: []string{"/a.js"}, UserScripts: []json.RawMessage{json.RawMessage(` {"x": 1} `), json.RawMessage(`{bad`)}}
	s.SetInjectable(in)
	if raw, _ := s.Value(KeyInjectable); string(raw) != `{"scripts":["/a.js"],"styles":[],"userScripts":[{"x":1},null]}` {
		t.Errorf("injectable = %s", raw)
	}
	gotIn := s.Injectable()
	if !reflect.DeepEqual(gotIn.Scripts, []string{"/a.js"}) || len(gotIn.Styles) != 0 || len(gotIn.UserScripts) != 2 {
		t.Errorf("Injectable() = %#v", gotIn)
	}

	s.SetLocalStorage("https://a.example", LocalStorageEntry{Data: map[string]string{"b": "2", "a": "</script>"}, Timestamp: 5})
	s.SetLocalStorage("https://b.example", LocalStorageEntry{Timestamp: 6})
	s.SetLocalStorage("https://a.example", LocalStorageEntry{Data: map[string]string{"k": "v"}, Timestamp: 7})
	raw, _ = s.Value(KeyLocalStorage)
	if want := `{"https://a.example":{"data":{"k":"v"},"timestamp":7},"https://b.example":{"data":{},"timestamp":6}}`; string(raw) != want {
		t.Errorf("localStorage = %s, want %s", raw, want)
	}
	ls := s.LocalStorage()
	if len(ls) != 2 || ls["https://a.example"].Data["k"] != "v" || ls["https://b.example"].Timestamp != 6 {
		t.Errorf("LocalStorage() = %+v", ls)
	}
	// The returned map is a copy.
	ls["https://a.example"].Data["k"] = "changed"
	if s.LocalStorage()["https://a.example"].Data["k"] != "v" {
		t.Error("LocalStorage must return a copy")
	}

	// Order of keys: New's six, then the appended ones in order.
	wantKeys := []string{"createdAt", "lastUsed", "injectable", "externalProxySettings", "shuffleDict", "cookies", "localStorage"}
	if got := s.Keys(); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("Keys = %q, want %q", got, wantKeys)
	}
}

func TestSetValue(t *testing.T) {
	s := New("id", fixedClock())
	if err := s.SetValue("goExtra", json.RawMessage(" {\"a\" : [1, 2] ,\"b\":\"<&>\u2028\"} ")); err != nil {
		t.Fatal(err)
	}
	raw, ok := s.Value("goExtra")
	if !ok || string(raw) != "{\"a\":[1,2],\"b\":\"<&>\u2028\"}" {
		t.Errorf("Value = %s", raw)
	}
	if err := s.SetValue(KeyCreatedAt, json.RawMessage(`1795906636459`)); err != nil {
		t.Fatal(err)
	}
	if !s.CreatedAt().Equal(ms(1795906636459)) {
		t.Errorf("CreatedAt = %v", s.CreatedAt())
	}
	bad := map[string]string{
		"x":                      `{`,
		"y":                      `1 2`,
		"z":                      ``,
		KeyCreatedAt:             `"yesterday"`,
		KeyLastUsed:              `null`,
		KeyShuffleDict:           `"abc"`,
		KeyExternalProxySettings: `{"host":1}`,
		KeyRestrictIP:            `[]`,
		KeyInjectable:            `{"scripts":[1]}`,
	}
	for k, v := range bad {
		before, _ := s.Serialize()
		err := s.SetValue(k, json.RawMessage(v))
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("SetValue(%q, %s) = %v, want ErrInvalidValue", k, v, err)
		}
		if after, _ := s.Serialize(); !bytes.Equal(before, after) {
			t.Errorf("failed SetValue(%q) changed the session", k)
		}
	}
	if s.DeleteValue(KeyCreatedAt) || s.DeleteValue("nope") {
		t.Error("DeleteValue must refuse timestamps and report absent keys")
	}
	if !s.DeleteValue("goExtra") {
		t.Error("DeleteValue(goExtra) = false")
	}
}

func TestDeserializeErrors(t *testing.T) {
	const jar = `"{\"cookies\":[]}"`
	tests := []struct {
		in, msg string
	}{
		{"", "empty input"},
		{"  \n", "only whitespace"},
		{"\xEF\xBB\xBF{\"data\":{},\"serializedCookieJar\":" + jar + "}", "byte order mark"},
		{"{\"data\":{\"a\":\"\xff\"},\"serializedCookieJar\":" + jar + "}", "UTF-8"},
		{`{"data":{},"serializedCookieJar":` + jar + `} x`, "trailing data"},
		{`{"data":{},"serializedCookieJar":` + jar + `}{}`, "trailing data"},
		{`[1,2]`, "top level is an array"},
		{`"str"`, "top level is a string"},
		{`nul`, "not JSON"},
		{`{"data":{},}`, "not JSON"},
		{`{"data":[],"serializedCookieJar":` + jar + `}`, `"data" is an array`},
		{`{"data":null,"serializedCookieJar":` + jar + `}`, `"data" is null`},
		{`{"data":{}}`, `"serializedCookieJar" is missing`},
		{`{"data":{},"serializedCookieJar":null}`, `"serializedCookieJar" is null`},
		{`{"data":{},"serializedCookieJar":"not json"}`, "serializedCookieJar"},
		{`{"data":{"createdAt":"2026"},"serializedCookieJar":` + jar + `}`, "createdAt is a string"},
		{`{"data":{"lastUsed":null},"serializedCookieJar":` + jar + `}`, "lastUsed is null"},
		{`{"data":{"lastUsed":1e400},"serializedCookieJar":` + jar + `}`, "outside the range"},
		{`{"data":{"shuffleDict":"abc"},"serializedCookieJar":` + jar + `}`, "shuffleDict"},
		{`{"data":{"shuffleDict":5},"serializedCookieJar":` + jar + `}`, "shuffleDict is a number"},
		{`{"data":{"externalProxySettings":"http://x"},"serializedCookieJar":` + jar + `}`, "externalProxySettings is a string"},
		{`{"data":{"externalProxySettings":{"host":1}},"serializedCookieJar":` + jar + `}`, "externalProxySettings.host is a number"},
		{`{"data":{"externalProxySettings":{"bypassRules":[1]}},"serializedCookieJar":` + jar + `}`, "bypassRules[0]"},
		{`{"data":{"restrictIP":7},"serializedCookieJar":` + jar + `}`, "restrictIP is a number"},
		{`{"data":{"injectable":[]},"serializedCookieJar":` + jar + `}`, "injectable is an array"},
		{`{"data":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`, "nesting"},
	}
	for _, tc := range tests {
		s, err := Deserialize("x", []byte(tc.in), fixedClock())
		if err == nil {
			t.Errorf("Deserialize(%.60q) succeeded: %v", tc.in, s.Keys())
			continue
		}
		if !errors.Is(err, ErrCorrupted) {
			t.Errorf("Deserialize(%.60q) = %v, not ErrCorrupted", tc.in, err)
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Deserialize(%.60q) = %q, want it to mention %q", tc.in, err, tc.msg)
		}
	}
}

func TestDeserializeLenient(t *testing.T) {
	// Whitespace, key order, escapes, duplicate keys, unknown top-level
	// keys and odd localStorage are accepted, as Node accepts them.
	in := "\n { \"serializedCookieJar\" : \"{\\\"cookies\\\":[]}\", \"extra\": 1,\n" +
		" \"data\" : { \"b\\u0031\" : [ 1 , 2 ], \"createdAt\": 5, \"lastUsed\": 7.9, \"b1\": {\"x\" : \"a b\"}," +
		" \"localStorage\": {\"o\": 3, \"p\": {\"data\": {\"n\": 4, \"s\": \"\\u00e9\"}, \"timestamp\": \"x\"}}," +
		" \"restrictIP\": null, \"shuffleDict\": \"\\u0030123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-\"} } \t"
	s, err := Deserialize("x", []byte(in), fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Keys(); !reflect.DeepEqual(got, []string{"b1", "createdAt", "lastUsed", "localStorage", "restrictIP", "shuffleDict"}) {
		t.Errorf("Keys = %q", got)
	}
	if raw, _ := s.Value("b1"); string(raw) != `{"x":"a b"}` {
		t.Errorf("duplicate key: last value wins, got %s", raw)
	}
	if !s.LastUsed().Equal(ms(7)) || !s.CreatedAt().Equal(ms(5)) {
		t.Errorf("timestamps %v %v", s.CreatedAt(), s.LastUsed())
	}
	if s.ShuffleDict() != urlshuffle.BaseDictionary || s.RestrictIP() != "" {
		t.Errorf("dict %q restrictIP %q", s.ShuffleDict(), s.RestrictIP())
	}
	ls := s.LocalStorage()
	if len(ls) != 1 || ls["p"].Data["n"] != "4" || ls["p"].Data["s"] != "é" || ls["p"].Timestamp != 0 {
		t.Errorf("LocalStorage = %+v", ls)
	}
	out, err := s.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"data":{"b1":{"x":"a b"},"createdAt":5,"lastUsed":7.9,"localStorage":{"o":3,"p":{"data":{"n":4,"s":"\u00e9"},"timestamp":"x"}},"restrictIP":null,` +
		`"shuffleDict":"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-"},"serializedCookieJar":`
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("Serialize =\n%s\nwant prefix\n%s", out, want)
	}
}

func TestQuoteLikeJSONStringify(t *testing.T) {
	tests := map[string]string{
		``:                  `""`,
		`plain`:             `"plain"`,
		`<a href="x">&</a>`: `"<a href=\"x\">&</a>"`,
		"\u2028\u2029":      "\"\u2028\u2029\"",
		"back\\slash":       `"back\\slash"`,
		"\b\f\n\r\t":        `"\b\f\n\r\t"`,
		"\x00\x01\x1f\x7f":  "\"\\u0000\\u0001\\u001f\x7f\"",
		"h\u00c3\u00a9llo":  "\"h\u00c3\u00a9llo\"",
		"😀":                 `"😀"`,
		"bad\xffbyte":       "\"bad\uFFFDbyte\"",
	}
	for in, want := range tests {
		if got := string(appendQuote(nil, in)); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", in, got, want)
		}
		// Round trip through the decoder for valid input.
		if !strings.Contains(in, "\xff") {
			tok := appendQuote(nil, in)
			if back := unquote(tok, bytes.IndexByte(tok, '\\') >= 0); back != in {
				t.Errorf("unquote(appendQuote(%q)) = %q", in, back)
			}
		}
	}
	// Surrogate pairs and lone surrogates in escapes.
	if got := unquote([]byte(`"\ud83d\ude00 \ud83d x \ude00"`), true); got != "😀 \uFFFD x \uFFFD" {
		t.Errorf("surrogates: %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New("id", fixedClock())
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				switch (g + i) % 8 {
				case 0:
					s.Touch(loadTime.Add(time.Duration(i) * time.Second))
				case 1:
					s.SetRestrictIP(fmt.Sprintf("10.0.0.%d", i))
				case 2:
					s.SetLocalStorage(fmt.Sprintf("o%d", g), LocalStorageEntry{Timestamp: int64(i)})
				case 3:
					if _, err := s.Serialize(); err != nil {
						t.Error(err)
					}
				case 4:
					_ = s.Version()
					_ = s.Used()
					_ = s.LastUsed()
				case 5:
					s.SetShuffleDict(urlshuffle.BaseDictionary)
					_ = s.ShuffleDict()
				case 6:
					_ = s.Injectable()
					_ = s.ExternalProxy()
					_ = s.LocalStorage()
				case 7:
					s.SetStoreState(i)
					_ = s.StoreState()
				}
			}
		}(g)
	}
	wg.Wait()
	out, err := s.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Deserialize("id", out, fixedClock())
	if err != nil {
		t.Fatalf("reload after concurrent use: %v\n%s", err, out)
	}
	if got := s2.LocalStorage(); len(got) != 8 {
		t.Errorf("localStorage has %d origins, want 8", len(got))
	}
}

func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

func TestPinned(t *testing.T) {
	s := New("abc", nil)
	if s.Pinned() {
		t.Fatal("a new session is pinned")
	}
	v := s.Version()
	s.SetPinned(true)
	if !s.Pinned() || s.Version() == v {
		t.Fatalf("SetPinned(true): pinned=%v version moved=%v", s.Pinned(), s.Version() != v)
	}
	b, err := s.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"pinned":true`) {
		t.Fatalf("serialized form lacks pinned: %s", b)
	}
	r, err := Deserialize("abc", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Pinned() {
		t.Fatal("pinned lost in a round trip")
	}
	r.SetPinned(false)
	if r.Pinned() {
		t.Fatal("SetPinned(false) kept it")
	}
	if _, ok := r.Value(KeyPinned); ok {
		t.Fatal("SetPinned(false) left the key")
	}
}

func TestTouchSameMillisecondIsNoOp(t *testing.T) {
	created := time.UnixMilli(1795906636459)
	s := New("abc", &Options{Now: func() time.Time { return created }})
	at := created.Add(5 * time.Millisecond)
	s.Touch(at)
	v := s.Version()
	s.Touch(at.Add(500 * time.Microsecond)) // same millisecond
	if s.Version() != v || !s.LastUsed().Equal(at) {
		t.Fatalf("a touch in the same millisecond changed the session: version %d -> %d", v, s.Version())
	}
	s.TouchMs(at.UnixMilli() + 1)
	if s.Version() == v || s.LastUsedMs() != at.UnixMilli()+1 || s.CreatedAtMs() != created.UnixMilli() {
		t.Fatalf("TouchMs: version %d, lastUsed %d", s.Version(), s.LastUsedMs())
	}
}

func TestShufflerFollowsTheDictionary(t *testing.T) {
	s := New("abc", nil)
	first := s.Shuffler()
	if first == nil || first.Dictionary() != s.ShuffleDict() {
		t.Fatal("a new session has no Shuffler for its dictionary")
	}
	if s.Shuffler() != first {
		t.Fatal("the Shuffler is built again on every call")
	}
	s.SetShuffleDict("")
	if s.Shuffler() != nil {
		t.Fatal("Shuffler after the dictionary was removed")
	}
	d := urlshuffle.GenerateDictionary()
	s.SetShuffleDict(d)
	if sh := s.Shuffler(); sh == nil || sh.Dictionary() != d {
		t.Fatal("Shuffler does not follow a new dictionary")
	}
	s.DeleteValue(KeyShuffleDict)
	if s.Shuffler() != nil {
		t.Fatal("Shuffler after the key was deleted")
	}
}

func TestContentVersionIgnoresTouches(t *testing.T) {
	created := time.UnixMilli(1795906636459)
	s := New("abc", &Options{Now: func() time.Time { return created }})
	s.Touch(created.Add(time.Millisecond)) // the first touch of a new session may add the field
	v, c := s.Version(), s.ContentVersion()
	s.Touch(created.Add(2 * time.Millisecond))
	s.TouchMs(created.UnixMilli() + 3)
	if s.Version() == v || s.ContentVersion() != c {
		t.Fatalf("touches: Version %d -> %d, ContentVersion %d -> %d; want Version moved, ContentVersion kept", v, s.Version(), c, s.ContentVersion())
	}
	for name, change := range map[string]func(){
		"data": func() { s.SetRestrictIP("127.0.0.9") },
		"jar": func() {
			s.Jar().SetCookieStrings(mustParseURL(t, "https://example.com/"), []string{"a=b"})
		},
	} {
		v, c := s.Version(), s.ContentVersion()
		change()
		if s.Version() <= v || s.ContentVersion() <= c {
			t.Errorf("%s change: Version %d -> %d, ContentVersion %d -> %d; want both to grow", name, v, s.Version(), c, s.ContentVersion())
		}
	}
}
