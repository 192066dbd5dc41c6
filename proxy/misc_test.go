package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
	"github.com/rammerhead-go/rammerhead/store"
)

func TestHealthzAndStatic(t *testing.T) {
	s, _ := newTestServer(t, nil)
	expect(t, do(t, s, "GET", "/healthz", clientA, nil), 200, "ok")

	w := do(t, s, "GET", "/", clientA, nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	ids := []string{"password", "new-session", "sessions", "session-id", "proxy-input", "shuffle-toggle", "save-session", "delete-session", "url-input", "go"}
	for _, id := range ids {
		if !strings.Contains(w.Body.String(), `id="`+id+`"`) {
			t.Errorf("index.html lacks #%s", id)
		}
	}
	app := do(t, s, "GET", "/app.js", clientA, nil)
	if app.Code != 200 || !strings.HasPrefix(app.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("/app.js: %d", app.Code)
	}
	head := app.Body.String()[:strings.Index(app.Body.String(), "*/")]
	for _, id := range ids {
		if !strings.Contains(head, "#"+id) {
			t.Errorf("app.js does not document #%s", id)
		}
	}
	for _, p := range []string{"/hammerhead.js", "/rammerhead.js"} {
		w := do(t, s, "GET", p, clientA, nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "out of scope") {
			t.Errorf("%s: %d, missing the out-of-scope note", p, w.Code)
		}
	}
	if w := do(t, s, "GET", "/style.css", clientA, nil); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("/style.css: %d", w.Code)
	}
	// Conditional GET.
	r := httptestRequest("GET", "/app.js")
	r.Header.Set("If-None-Match", app.Header().Get("ETag"))
	if w := serve(s, r); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", w.Code)
	}
}

func TestMetrics(t *testing.T) {
	s, _ := newTestServer(t, nil)
	newSessionID(t, s, clientA, "")
	do(t, s, "GET", "/", clientA, nil)
	do(t, s, "GET", "/abcdef/http://127.0.0.1:1/", clientA, nil) // 404 proxy
	w := do(t, s, "GET", "/metrics", clientA, nil)
	if w.Code != 200 {
		t.Fatalf("/metrics: %d", w.Code)
	}
	body := w.Body.String()
	if m := missing(body,
		`rammerhead_http_requests_total{code="200",route="api"} 1`,
		`rammerhead_http_requests_total{code="200",route="static"} 1`,
		`rammerhead_http_requests_total{code="404",route="proxy"} 1`,
		`rammerhead_http_request_duration_seconds_bucket{route="api",le="+Inf"} 1`,
		`rammerhead_upstream_errors_total 0`,
		`rammerhead_sessions{location="memory"} 1`,
	); m != "" {
		t.Fatalf("/metrics lacks %q:\n%s", m, body)
	}
}

// statsStore reports optional store statistics.
type statsStore struct{ failingStore }

func (statsStore) Stats() store.Stats {
	return store.Stats{InMemory: 3, OnDisk: 7, Loads: 11, Flushes: 13, Corrupted: 2}
}

func TestMetricsStoreStatsAndRegisterer(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, _ := newTestServer(t, func(c *Config) { c.Store = statsStore{}; c.Registerer = reg })
	body := do(t, s, "GET", "/metrics", clientA, nil).Body.String()
	if m := missing(body,
		`rammerhead_sessions{location="memory"} 3`,
		`rammerhead_sessions{location="disk"} 7`,
		`rammerhead_store_loads_total 11`,
		`rammerhead_store_flushes_total 13`,
		`rammerhead_store_corrupted_total 2`,
	); m != "" {
		t.Fatalf("/metrics lacks %q:\n%s", m, body)
	}
	// Registering twice on the same registry is an error, not a panic.
	if _, err := New(Config{Store: statsStore{}, Registerer: reg}); err == nil {
		t.Fatal("a second server on the same registry was accepted")
	}
}

func TestAccessLog(t *testing.T) {
	buf := &logBuffer{}
	s, _ := newTestServer(t, func(c *Config) { c.Logger = trafficLogger(buf); c.Password = "hunter2" })
	id := newSessionID(t, s, clientA, "hunter2")
	do(t, s, "GET", "/sessionexists?id="+id, clientA, nil)
	out := buf.String()
	if strings.Contains(out, "hunter2") {
		t.Fatalf("the password was logged: %s", out)
	}
	if m := missing(out, "level=DEBUG+2", "method=GET", "path=\"/newsession?pwd=REDACTED\"", "status=200", "ip=10.0.0.1", "path=\"/sessionexists?id="+id+"\"", "bytes=32"); m != "" {
		t.Fatalf("access log lacks %q: %s", m, out)
	}
	if !regexp.MustCompile(`duration=\S+`).MatchString(out) {
		t.Errorf("no duration: %s", out)
	}
	// At Info, the access log is silent.
	buf2 := &logBuffer{}
	s2, _ := newTestServer(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(buf2, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	do(t, s2, "GET", "/healthz", clientA, nil)
	if out := buf2.String(); out != "" {
		t.Fatalf("access log at Info level: %s", out)
	}
	if LevelTraffic <= slog.LevelDebug || LevelTraffic >= slog.LevelInfo {
		t.Fatalf("LevelTraffic %v is not between Debug and Info", LevelTraffic)
	}
}

func TestSplitSessionPath(t *testing.T) {
	for uri, want := range map[string]string{
		"/abc/http://x/":                     "abc|http://x/",
		"/abc/http://x/?q=1#":                "abc|http://x/?q=1#",
		"/abc//x":                            "abc|/x",
		"/api/shuffleDict?id=x":              "",
		"/api/http://x/":                     "api|http://x/",
		"/abc":                               "",
		"//abc/x":                            "",
		"/a.b/x":                             "",
		"/" + strings.Repeat("a", 64) + "/x": strings.Repeat("a", 64) + "|x",
		"/" + strings.Repeat("a", 65) + "/x": "",
	} {
		r := httptestRequest("GET", "/")
		r.RequestURI = uri
		id, rest, ok := splitSessionPath(r)
		got := ""
		if ok {
			got = id + "|" + rest
		}
		if got != want {
			t.Errorf("splitSessionPath(%q) = %q, want %q", uri, got, want)
		}
	}
}

func FuzzParseHTTPProxy(f *testing.F) {
	for _, s := range []string{"http://proxyuser:proxypass@127.0.0.1:18091", "127.0.0.1:18091", "u@h", "[::1]:1", "", "http://", "h:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := ParseHTTPProxy(in)
		if err != nil || ps == nil {
			return
		}
		if ps.Host == "" || ps.Hostname == "" {
			t.Fatalf("%q: empty host in %+v", in, ps)
		}
		if (ps.ProxyAuth == "") != (ps.AuthHeader == "") {
			t.Fatalf("%q: auth and header disagree: %+v", in, ps)
		}
	})
}

func FuzzProxyPath(f *testing.F) {
	for _, s := range []string{
		"/4ff2e918c04b4b79af9f64718c5728ea/http://127.0.0.1:1/",
		"/4ff2e918c04b4b79af9f64718c5728ea/../../etc/passwd",
		"/4ff2e918c04b4b79af9f64718c5728ea/file:///etc/passwd",
		"/4ff2e918c04b4b79af9f64718c5728ea/_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP",
		"/api/shuffleDict?id=x", "/sessionexists?id=%00", "/",
	} {
		f.Add(s)
	}
	s, st := newTestServer(f, nil)
	if err := st.AddSerialized(context.Background(), "4ff2e918c04b4b79af9f64718c5728ea", fixtures.Read(f, "shuffle-enabled-basic-cookies.rhfsession")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if !strings.HasPrefix(uri, "/") || strings.ContainsAny(uri, " \r\n\x00") {
			return
		}
		// Only the proxy path is exercised: an upstream is never reached
		// because every target host is refused before dialing or is a dead
		// port 1 on loopback.
		r := httptestRequest("GET", "/")
		r.RequestURI = uri
		id, rest, ok := splitSessionPath(r)
		if !ok {
			return
		}
		if id == "" || strings.Contains(id, "/") {
			t.Fatalf("bad id %q from %q", id, uri)
		}
		sess, err := st.Get(context.Background(), "4ff2e918c04b4b79af9f64718c5728ea", false)
		if err != nil {
			t.Fatal(err)
		}
		m := s.mapper(r, sess)
		if u, err := m.Target(rest); err == nil && u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("%q: target scheme %q", uri, u.Scheme)
		}
	})
}
