package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// loadTime is the injected clock of the tests: after the fixtures were
// written (2026-11-28T23:00:00Z).
var loadTime = time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)

func fixedClock() *Options { return &Options{Now: func() time.Time { return loadTime }} }

func ms(v int64) time.Time { return time.UnixMilli(v) }

// nodeWritten lists the files the Node server wrote: saving them unchanged
// must give the same bytes.
var nodeWritten = []string{
	"unused-fresh.rhfsession",
	"edited-never-browsed.rhfsession",
	"shuffle-enabled-basic-cookies.rhfsession",
	"cookies-varied-noshuffle-localstorage.rhfsession",
	"external-proxy-auth-domain-cookies.rhfsession",
}

var defaultInjectable = Injectable{
	Scripts:     []string{"/hammerhead.js", "/rammerhead.js"},
	Styles:      []string{},
	UserScripts: []json.RawMessage{},
}

type fixtureWant struct {
	created, lastUsed time.Time
	dict              string
	restrictIP        string
	proxy             *ProxySettings
	localStorage      map[string]LocalStorageEntry
	injectable        Injectable
	keys              []string
	cookies           int
	extra             map[string]string // raw values of other keys
}

var nodeKeys = []string{"createdAt", "lastUsed", "injectable", "externalProxySettings", "shuffleDict", "cookies", "restrictIP"}

var loadable = map[string]fixtureWant{
	"unused-fresh.rhfsession": {
		created: ms(1795906636459), lastUsed: ms(1795906636459),
		dict:       "wbDfncJPWBds0YShlUq~-IGEuRKMLki8AozNvg6Tp7yx3Hm2jaQ1Z5eXFrOV94tC",
		restrictIP: "127.0.0.1", injectable: defaultInjectable, keys: nodeKeys,
		extra: map[string]string{"cookies": "{}", "externalProxySettings": "null"},
	},
	"edited-never-browsed.rhfsession": {
		created: ms(1795906650579), lastUsed: ms(1795906650588),
		restrictIP: "127.0.0.1", injectable: defaultInjectable, keys: nodeKeys,
		extra: map[string]string{"shuffleDict": "null"},
	},
	"shuffle-enabled-basic-cookies.rhfsession": {
		created: ms(1795906645733), lastUsed: ms(1795906645742),
		dict:       "xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2",
		restrictIP: "127.0.0.1", injectable: defaultInjectable, keys: nodeKeys, cookies: 2,
	},
	"cookies-varied-noshuffle-localstorage.rhfsession": {
		created: ms(1795906638082), lastUsed: ms(1795906638096),
		restrictIP: "127.0.0.1", injectable: defaultInjectable,
		keys:    append(append([]string{}, nodeKeys...), "localStorage"),
		cookies: 16,
		localStorage: map[string]LocalStorageEntry{
			"http://127.0.0.1:18090": {Data: map[string]string{"theme": "dark", "counter": "3"}, Timestamp: 1795906643517},
		},
	},
	"external-proxy-auth-domain-cookies.rhfsession": {
		created: ms(1795906647865), lastUsed: ms(1795906647948),
		restrictIP: "127.0.0.1", injectable: defaultInjectable, keys: nodeKeys, cookies: 4,
		proxy: &ProxySettings{
			Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091",
			ProxyAuth: "proxyuser:proxypass", AuthHeader: "Basic cHJveHl1c2VyOnByb3h5cGFzcw==",
		},
	},
	"handwritten-modified-accepted.rhfsession": {
		created: ms(1795906638082), lastUsed: ms(1795906638096),
		restrictIP: "127.0.0.1",
		injectable: Injectable{
			Scripts:     []string{"/hammerhead.js", "/rammerhead.js", "/custom-injected.js"},
			Styles:      []string{},
			UserScripts: []json.RawMessage{},
		},
		keys:    append(append([]string{}, nodeKeys...), "localStorage", "goExtra"),
		cookies: 17,
		localStorage: map[string]LocalStorageEntry{
			"http://127.0.0.1:18090": {Data: map[string]string{"theme": "dark", "counter": "3"}, Timestamp: 1795906643517},
		},
		extra: map[string]string{"goExtra": `{"note":"unknown key kept?","n":1}`},
	},
	"handwritten-minimal-accepted.rhfsession": {
		// createdAt and lastUsed are missing: both become the load time
		// and are appended; the explicit null shuffleDict stays first.
		created: loadTime, lastUsed: loadTime,
		injectable: defaultInjectable, // absent: the default is reported
		keys:       []string{"shuffleDict", "createdAt", "lastUsed"},
		cookies:    1,
	},
	"handwritten-alt-date-formats-accepted.rhfsession": {
		created: ms(1795900000000), lastUsed: ms(1795900000001),
		injectable: defaultInjectable,
		keys:       []string{"createdAt", "lastUsed", "shuffleDict"},
		cookies:    4,
	},
}

func checkWant(t *testing.T, s *Session, w fixtureWant) {
	t.Helper()
	if got := s.CreatedAt(); !got.Equal(w.created) {
		t.Errorf("CreatedAt = %v, want %v", got, w.created)
	}
	if got := s.LastUsed(); !got.Equal(w.lastUsed) {
		t.Errorf("LastUsed = %v, want %v", got, w.lastUsed)
	}
	if got := s.ShuffleDict(); got != w.dict {
		t.Errorf("ShuffleDict = %q, want %q", got, w.dict)
	}
	if sh := s.Shuffler(); (sh != nil) != (w.dict != "") {
		t.Errorf("Shuffler() = %v with dict %q", sh, w.dict)
	}
	if got := s.RestrictIP(); got != w.restrictIP {
		t.Errorf("RestrictIP = %q, want %q", got, w.restrictIP)
	}
	if got := s.ExternalProxy(); !reflect.DeepEqual(got, w.proxy) {
		t.Errorf("ExternalProxy = %+v, want %+v", got, w.proxy)
	}
	wantLS := w.localStorage
	if wantLS == nil {
		wantLS = map[string]LocalStorageEntry{}
	}
	if got := s.LocalStorage(); !reflect.DeepEqual(got, wantLS) {
		t.Errorf("LocalStorage = %+v, want %+v", got, wantLS)
	}
	if got := s.Injectable(); !reflect.DeepEqual(got, w.injectable) {
		t.Errorf("Injectable = %#v, want %#v", got, w.injectable)
	}
	if got := s.Keys(); !reflect.DeepEqual(got, w.keys) {
		t.Errorf("Keys = %q, want %q", got, w.keys)
	}
	if got := s.Jar().Len(); got != w.cookies {
		t.Errorf("Jar().Len() = %d, want %d", got, w.cookies)
	}
	for k, v := range w.extra {
		raw, ok := s.Value(k)
		if !ok || string(raw) != v {
			t.Errorf("Value(%q) = %s, %v; want %s", k, raw, ok, v)
		}
	}
	if !s.Used() {
		t.Error("a loaded session must count as used")
	}
}

func TestFixturesLoad(t *testing.T) {
	for name, w := range loadable {
		t.Run(name, func(t *testing.T) {
			b := fixtures.Read(t, name)
			s, err := Deserialize("a1b2", b, fixedClock())
			if err != nil {
				t.Fatalf("Deserialize: %v", err)
			}
			if s.ID() != "a1b2" {
				t.Errorf("ID = %q", s.ID())
			}
			checkWant(t, s, w)

			// load -> save -> load gives an equal session, and saving again
			// gives the same bytes.
			out, err := s.Serialize()
			if err != nil {
				t.Fatal(err)
			}
			checkFileShape(t, out)
			s2, err := Deserialize("a1b2", out, fixedClock())
			if err != nil {
				t.Fatalf("reload: %v\n%s", err, out)
			}
			checkWant(t, s2, w)
			out2, err := s2.Serialize()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, out2) {
				t.Errorf("second save differs:\n%s\n%s", out, out2)
			}
		})
	}
}

// checkFileShape checks the byte layout Node writes.
func checkFileShape(t *testing.T, b []byte) {
	t.Helper()
	if bytes.HasPrefix(b, utf8BOM) || bytes.HasSuffix(b, []byte("\n")) {
		t.Errorf("BOM or trailing newline in %q", b)
	}
	if !bytes.HasPrefix(b, []byte(`{"data":{`)) || !bytes.Contains(b, []byte(`},"serializedCookieJar":"{`)) || !bytes.HasSuffix(b, []byte(`}"}`)) {
		t.Errorf("unexpected layout: %s", b)
	}
}

func TestNodeFilesSaveIdentical(t *testing.T) {
	for _, name := range nodeWritten {
		t.Run(name, func(t *testing.T) {
			b := fixtures.Read(t, name)
			s, err := Deserialize("x", b, fixedClock())
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.Serialize()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, b) {
				t.Errorf("saved bytes differ from the Node file:\n got %s\nwant %s", out, b)
			}
		})
	}
}

func TestFixturesRejected(t *testing.T) {
	tests := map[string]struct {
		msg    string
		jarErr bool
	}{
		"corrupted-empty.rhfsession":                                {msg: "empty input"},
		"corrupted-truncated.rhfsession":                            {msg: "not JSON"},
		"invalid-missing-data-crashes-node.rhfsession":              {msg: `"data" is missing`},
		"invalid-jar-without-cookies-array-crashes-node.rhfsession": {msg: "serializedCookieJar", jarErr: true},
		"invalid-jar-as-object-deleted-by-node.rhfsession":          {msg: `"serializedCookieJar" is an object, not a string`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := Deserialize("x", fixtures.Read(t, name), fixedClock())
			if err == nil {
				t.Fatalf("Deserialize succeeded: %v", s)
			}
			if !errors.Is(err, ErrCorrupted) {
				t.Errorf("error %v does not wrap ErrCorrupted", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			if got := errors.Is(err, cookiejar.ErrInvalidJar); got != tc.jarErr {
				t.Errorf("errors.Is(err, cookiejar.ErrInvalidJar) = %v, want %v (%v)", got, tc.jarErr, err)
			}
		})
	}
}

// TestEveryFixtureCovered makes sure a new fixture is not silently ignored.
func TestEveryFixtureCovered(t *testing.T) {
	entries, err := os.ReadDir(fixtures.MustDir(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".rhfsession") {
			continue
		}
		n++
		_, ok := loadable[name]
		bad := strings.HasPrefix(name, "corrupted-") || strings.HasPrefix(name, "invalid-")
		if ok == bad {
			t.Errorf("fixture %s: loadable=%v but name says invalid=%v", name, ok, bad)
		}
	}
	if n < 13 {
		t.Errorf("only %d fixtures found", n)
	}
}

func TestReadTimestamps(t *testing.T) {
	for name, w := range loadable {
		b := fixtures.Read(t, name)
		c, l, err := ReadTimestamps(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name == "handwritten-minimal-accepted.rhfsession" {
			if !c.IsZero() || !l.IsZero() {
				t.Errorf("%s: missing timestamps should be zero, got %v %v", name, c, l)
			}
			continue
		}
		if !c.Equal(w.created) || !l.Equal(w.lastUsed) {
			t.Errorf("%s: ReadTimestamps = %v, %v; want %v, %v", name, c, l, w.created, w.lastUsed)
		}
	}
	for _, name := range []string{
		"corrupted-empty.rhfsession", "corrupted-truncated.rhfsession",
		"invalid-missing-data-crashes-node.rhfsession", "invalid-jar-as-object-deleted-by-node.rhfsession",
	} {
		if _, _, err := ReadTimestamps(fixtures.Read(t, name)); !errors.Is(err, ErrCorrupted) {
			t.Errorf("%s: ReadTimestamps error = %v, want ErrCorrupted", name, err)
		}
	}
	if _, _, err := ReadTimestamps([]byte(`{"data":{"createdAt":"x"},"serializedCookieJar":"{}"}`)); !errors.Is(err, ErrCorrupted) {
		t.Errorf("non-numeric createdAt: %v", err)
	}
}
