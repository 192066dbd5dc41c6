package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

const (
	clientA = "10.0.0.1:5555"
	clientB = "10.0.0.2:6666"
)

func TestNewRequiresStore(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrNoStore) {
		t.Fatalf("New without store: %v, want ErrNoStore", err)
	}
	st := newMemStore(t)
	for _, cfg := range []Config{
		{Store: st, PublicScheme: "ftp"},
		{Store: st, PublicPort: 70000},
		{Store: st, MaxBodyBytes: -1},
		{Store: st, UpstreamTimeout: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		}
	}
}

func TestNeedPassword(t *testing.T) {
	s, _ := newTestServer(t, nil)
	expect(t, do(t, s, "GET", "/needpassword", clientA, nil), 200, "false")
	s, _ = newTestServer(t, func(c *Config) { c.Password = "sesame" })
	expect(t, do(t, s, "GET", "/needpassword", clientA, nil), 200, "true")
}

func TestNewSession(t *testing.T) {
	s, st := newTestServer(t, nil)
	id := newSessionID(t, s, clientA, "")
	if len(id) != 32 {
		t.Errorf("id %q: want 32 hex characters", id)
	}
	sess, err := st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatalf("the new session is not in the store: %v", err)
	}
	if got := sess.RestrictIP(); got != "10.0.0.1" {
		t.Errorf("restrictIP = %q, want 10.0.0.1", got)
	}
	if err := urlshuffle.ValidDictionary(sess.ShuffleDict()); err != nil {
		t.Errorf("new session's shuffle dictionary: %v", err)
	}
	if id2 := newSessionID(t, s, clientA, ""); id2 == id {
		t.Errorf("two sessions got the same id %q", id)
	}
}

func TestPasswordRoutes(t *testing.T) {
	s, st := newTestServer(t, func(c *Config) { c.Password = "sesame" })
	for _, u := range []string{"/newsession", "/newsession?pwd=wrong", "/editsession?id=abc", "/deletesession?id=abc&pwd=Sesame"} {
		expect(t, do(t, s, "GET", u, clientA, nil), http.StatusForbidden, "bad password")
	}
	id := newSessionID(t, s, clientA, "sesame")
	expect(t, do(t, s, "GET", "/editsession?id="+id+"&enableShuffling=0", clientA, nil), 403, "bad password")
	expect(t, do(t, s, "GET", "/editsession?pwd=sesame&id="+id+"&enableShuffling=0", clientA, nil), 200, "Success")
	// The password is not needed to read.
	expect(t, do(t, s, "GET", "/sessionexists?id="+id, clientA, nil), 200, "exists")
	expect(t, do(t, s, "GET", "/api/shuffleDict?id="+id, clientA, nil), 200, "null")
	expect(t, do(t, s, "GET", "/deletesession?id="+id, clientA, nil), 403, "bad password")
	expect(t, do(t, s, "GET", "/deletesession?id="+id+"&pwd=sesame", clientA, nil), 200, "Success")
	if ok, _ := st.Has(context.Background(), id); ok {
		t.Fatal("session still exists after /deletesession")
	}
}

func TestEditSession(t *testing.T) {
	s, st := newTestServer(t, nil)
	ctx := context.Background()
	id := newSessionID(t, s, clientA, "")

	expect(t, do(t, s, "GET", "/editsession", clientA, nil), 400, "not found")
	expect(t, do(t, s, "GET", "/editsession?id=0123456789abcdef0123456789abcdef", clientA, nil), 400, "not found")
	expect(t, do(t, s, "GET", "/editsession?id=../../etc", clientA, nil), 400, "invalid id")

	// The fixture external-proxy-auth-domain-cookies was made with exactly
	// this request.
	expect(t, do(t, s, "GET", "/editsession?id="+id+"&httpProxy=http%3A%2F%2Fproxyuser%3Aproxypass%40127.0.0.1%3A18091&enableShuffling=0", clientA, nil), 200, "Success")
	sess, err := st.Get(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	want := &session.ProxySettings{Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091", ProxyAuth: "proxyuser:proxypass", AuthHeader: "Basic cHJveHl1c2VyOnByb3h5cGFzcw=="}
	if got := sess.ExternalProxy(); !reflect.DeepEqual(got, want) {
		t.Errorf("externalProxySettings = %+v, want %+v", got, want)
	}
	if sess.ShuffleDict() != "" {
		t.Errorf("enableShuffling=0 left dictionary %q", sess.ShuffleDict())
	}
	// The settings must serialize exactly as the fixture's.
	ser, err := sess.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ser), `"externalProxySettings":{"host":"127.0.0.1:18091","hostname":"127.0.0.1","port":"18091","proxyAuth":"proxyuser:proxypass","authHeader":"Basic cHJveHl1c2VyOnByb3h5cGFzcw=="}`) {
		t.Errorf("serialized settings differ from the fixture's: %s", ser)
	}

	// enableShuffling=1 creates a dictionary; a second 1 keeps it.
	expect(t, do(t, s, "GET", "/editsession?id="+id+"&enableShuffling=1", clientA, nil), 200, "Success")
	sess, _ = st.Get(ctx, id, false)
	dict := sess.ShuffleDict()
	if err := urlshuffle.ValidDictionary(dict); err != nil {
		t.Fatalf("enableShuffling=1: %v", err)
	}
	// httpProxy absent: cleared.
	if sess.ExternalProxy() != nil {
		t.Errorf("httpProxy absent kept %+v", sess.ExternalProxy())
	}
	expect(t, do(t, s, "GET", "/editsession?id="+id+"&enableShuffling=1&httpProxy=example.org:3128", clientA, nil), 200, "Success")
	sess, _ = st.Get(ctx, id, false)
	if sess.ShuffleDict() != dict {
		t.Errorf("enableShuffling=1 replaced an existing dictionary")
	}
	if got := sess.ExternalProxy(); got == nil || got.Host != "example.org:3128" || got.ProxyAuth != "" || got.AuthHeader != "" {
		t.Errorf("httpProxy without auth: %+v", got)
	}
	// A bad proxy is refused and changes nothing.
	w := do(t, s, "GET", "/editsession?id="+id+"&httpProxy=socks5://h:1", clientA, nil)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "invalid httpProxy") {
		t.Errorf("bad httpProxy: %d %q", w.Code, w.Body.String())
	}
	sess, _ = st.Get(ctx, id, false)
	if got := sess.ExternalProxy(); got == nil || got.Host != "example.org:3128" {
		t.Errorf("a refused edit changed the proxy: %+v", got)
	}
}

func TestParseHTTPProxy(t *testing.T) {
	tests := []struct {
		in   string
		want *session.ProxySettings
		err  bool
	}{
		{"", nil, false},
		{"http://127.0.0.1:18091", &session.ProxySettings{Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091"}, false},
		{"Proxy.Example:8080", &session.ProxySettings{Host: "proxy.example:8080", Hostname: "proxy.example", Port: "8080"}, false},
		{"u:p%40ss@h:1", &session.ProxySettings{Host: "h:1", Hostname: "h", Port: "1", ProxyAuth: "u:p@ss", AuthHeader: "Basic dTpwQHNz"}, false},
		{"user@h", &session.ProxySettings{Host: "h", Hostname: "h", ProxyAuth: "user", AuthHeader: "Basic dXNlcg=="}, false},
		{"[::1]:3128", &session.ProxySettings{Host: "[::1]:3128", Hostname: "::1", Port: "3128"}, false},
		{"https://h:1", nil, true},
		{"h:99999", nil, true},
		{"h:1/path", nil, true},
		{"http://", nil, true},
		{"h :1", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseHTTPProxy(tc.in)
		if tc.err {
			if !errors.Is(err, ErrInvalidProxy) {
				t.Errorf("ParseHTTPProxy(%q) = %+v, %v; want ErrInvalidProxy", tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseHTTPProxy(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestDeleteSession(t *testing.T) {
	s, _ := newTestServer(t, nil)
	id := newSessionID(t, s, clientA, "")
	expect(t, do(t, s, "GET", "/deletesession?id="+id, clientA, nil), 200, "Success")
	expect(t, do(t, s, "GET", "/deletesession?id="+id, clientA, nil), 200, "not found")
	expect(t, do(t, s, "GET", "/deletesession", clientA, nil), 200, "not found")
	expect(t, do(t, s, "GET", "/deletesession?id=a/b", clientA, nil), 400, "invalid id")
	expect(t, do(t, s, "GET", "/sessionexists?id="+id, clientA, nil), 200, "not found")
}

func TestSessionExists(t *testing.T) {
	s, _ := newTestServer(t, nil)
	id := newSessionID(t, s, clientA, "")
	expect(t, do(t, s, "GET", "/sessionexists?id="+id, clientA, nil), 200, "exists")
	expect(t, do(t, s, "GET", "/sessionexists?id=ffffffffffffffffffffffffffffffff", clientA, nil), 200, "not found")
	expect(t, do(t, s, "GET", "/sessionexists", clientA, nil), 400, "Must specify id parameter")
	expect(t, do(t, s, "GET", "/sessionexists?id="+strings.Repeat("a", 65), clientA, nil), 400, "invalid id")
	expect(t, do(t, s, "GET", "/sessionexists?id=%2e%2e", clientA, nil), 400, "invalid id")
}

func TestMainPort(t *testing.T) {
	s, _ := newTestServer(t, nil)
	r := httptestRequest("GET", "http://example.com:8080/mainport")
	w := serve(s, r)
	expect(t, w, 200, "8080")
	r = httptestRequest("GET", "http://example.com/mainport")
	expect(t, serve(s, r), 200, "80")
	s, _ = newTestServer(t, func(c *Config) { c.PublicPort = 443 })
	r = httptestRequest("GET", "http://example.com:8080/mainport")
	expect(t, serve(s, r), 200, "443")
}

func TestShuffleDict(t *testing.T) {
	s, st := newTestServer(t, nil)
	id := newSessionID(t, s, clientA, "")
	sess, _ := st.Get(context.Background(), id, false)
	want, _ := json.Marshal(sess.ShuffleDict())
	w := do(t, s, "GET", "/api/shuffleDict?id="+id, clientA, nil)
	expect(t, w, 200, string(want))
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	expect(t, do(t, s, "GET", "/editsession?id="+id+"&enableShuffling=0", clientA, nil), 200, "Success")
	expect(t, do(t, s, "GET", "/api/shuffleDict?id="+id, clientA, nil), 200, "null")
	expect(t, do(t, s, "GET", "/api/shuffleDict?id=0000", clientA, nil), 400, "Invalid session id")
	expect(t, do(t, s, "GET", "/api/shuffleDict", clientA, nil), 400, "Invalid session id")
	expect(t, do(t, s, "GET", "/api/shuffleDict?id=a.b", clientA, nil), 400, "invalid id")
}

func TestRestrictSessionToIP(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) { c.RestrictSessionToIP = true })
	id := newSessionID(t, s, clientA, "")
	same := "Sessions must come from the same IP"
	for _, u := range []string{
		"/editsession?id=" + id,
		"/deletesession?id=" + id,
		"/sessionexists?id=" + id,
		"/api/shuffleDict?id=" + id,
		"/" + id + "/http://127.0.0.1:1/",
	} {
		expect(t, do(t, s, "GET", u, clientB, nil), http.StatusForbidden, same)
	}
	expect(t, do(t, s, "POST", "/syncLocalStorage?sessionId="+id+"&origin=http://a", clientB, strings.NewReader(`{"type":"sync","fetch":true}`)), 403, same)
	// Same IP, other port: allowed.
	expect(t, do(t, s, "GET", "/sessionexists?id="+id, "10.0.0.1:1", nil), 200, "exists")
	// Not restricted: anyone may use it.
	s2, st2 := newTestServer(t, nil)
	id2 := newSessionID(t, s2, clientA, "")
	expect(t, do(t, s2, "GET", "/sessionexists?id="+id2, clientB, nil), 200, "exists")
	sess, _ := st2.Get(context.Background(), id2, false)
	if sess.RestrictIP() != "10.0.0.1" {
		t.Errorf("restrictIP recorded even when not enforced: got %q", sess.RestrictIP())
	}
}

func TestTrustedProxies(t *testing.T) {
	s, st := newTestServer(t, func(c *Config) {
		c.RestrictSessionToIP = true
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("192.168.0.0/16")}
	})
	req := func(u, remote, xff string) *http.Request {
		r := httptestRequest("GET", u)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		return r
	}
	// Through two trusted hops: the right-most untrusted address is the
	// client; what the client itself wrote (1.1.1.1) is ignored.
	w := serve(s, req("/newsession", "127.0.0.1:999", "1.1.1.1, 203.0.113.7, 192.168.1.1"))
	id := w.Body.String()
	sess, err := st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if sess.RestrictIP() != "203.0.113.7" {
		t.Fatalf("restrictIP = %q, want 203.0.113.7", sess.RestrictIP())
	}
	expect(t, serve(s, req("/sessionexists?id="+id, "127.0.0.1:1", "203.0.113.7")), 200, "exists")
	expect(t, serve(s, req("/sessionexists?id="+id, "127.0.0.1:1", "203.0.113.8")), 403, "Sessions must come from the same IP")
	// An untrusted peer cannot claim an address.
	expect(t, serve(s, req("/sessionexists?id="+id, "198.51.100.1:1", "203.0.113.7")), 403, "Sessions must come from the same IP")
}

func TestStoreErrors503(t *testing.T) {
	s, _ := newTestServer(t, func(c *Config) { c.Store = failingStore{} })
	for _, u := range []string{
		"/newsession",
		"/editsession?id=abc",
		"/deletesession?id=abc",
		"/sessionexists?id=abc",
		"/api/shuffleDict?id=abc",
		"/abc/http://127.0.0.1:1/",
	} {
		w := do(t, s, "GET", u, clientA, nil)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: %d %q, want 503", u, w.Code, w.Body.String())
		}
	}
	w := do(t, s, "POST", "/syncLocalStorage?sessionId=abc&origin=x", clientA, strings.NewReader(`{}`))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("syncLocalStorage: %d, want 503", w.Code)
	}
}

func TestRecoverPanic(t *testing.T) {
	buf := &logBuffer{}
	s, _ := newTestServer(t, func(c *Config) {
		c.Store = panicStore{}
		c.Logger = trafficLogger(buf)
	})
	expect(t, do(t, s, "GET", "/sessionexists?id=abc", clientA, nil), 503, "session store unavailable")
	w := do(t, s, "GET", "/api/shuffleDict?id=abc", clientA, nil)
	expect(t, w, 500, "internal server error")
	if !strings.Contains(buf.String(), "store bug") {
		t.Errorf("the panic was not logged: %s", buf.String())
	}
}

func TestUnknownRoute(t *testing.T) {
	s, _ := newTestServer(t, nil)
	for _, u := range []string{"/nothing", "/api/other", "/x"} {
		if w := do(t, s, "GET", u, clientA, nil); w.Code != 404 {
			t.Errorf("%s: %d", u, w.Code)
		}
	}
	if w := do(t, s, "POST", "/newsession", clientA, nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /newsession: %d, want 405", w.Code)
	}
}
