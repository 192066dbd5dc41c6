package proxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// upstream is a local test site like the one the fixtures were made with.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	seen    map[string][]string // path -> Cookie headers received
	headers map[string]http.Header
	release chan struct{} // /stream waits on it
}

func (u *upstream) record(r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen[r.Host+r.URL.Path] = append(u.seen[r.Host+r.URL.Path], r.Header.Get("Cookie"))
	u.headers[r.URL.Path] = r.Header.Clone()
}

func (u *upstream) cookies(hostPath string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen[hostPath]...)
}

func (u *upstream) header(path string) http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.headers[path]
}

const testHTML = `<!DOCTYPE html><html><head><title>t</title><link rel="stylesheet" href="/style.css"></head>` +
	`<body><a href="/next?q=1">next</a><img src="img.png"><a href="https://other.example/x">x</a></body></html>`

const testCSS = `body { background: url("/bg.png") } @import url(other.css);`

func gz(b string) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write([]byte(b))
	_ = w.Close()
	return buf.Bytes()
}

func br(b string) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriter(&buf)
	_, _ = w.Write([]byte(b))
	_ = w.Close()
	return buf.Bytes()
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	u := &upstream{seen: map[string][]string{}, headers: map[string]http.Header{}, release: make(chan struct{})}
	mux := http.NewServeMux()
	echo := func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, r.Header.Get("Cookie"))
	}
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/set/echo", echo)
	mux.HandleFunc("/sub/echo", echo)
	mux.HandleFunc("/set/basic", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		w.Header().Add("Set-Cookie", "basic_a=alpha")
		w.Header().Add("Set-Cookie", "basic_b=beta")
		_, _ = io.WriteString(w, "set")
	})
	mux.HandleFunc("/set/root", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		w.Header().Add("Set-Cookie", "root=1; Path=/; HttpOnly")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Upstream", "yes")
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, testHTML)
	})
	mux.HandleFunc("/page.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz(testHTML))
	})
	mux.HandleFunc("/style.br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write(br(testCSS))
	})
	mux.HandleFunc("/data.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz("binary payload"))
	})
	mux.HandleFunc("/data.br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write(br("console.log(1)"))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo?from=redirect", http.StatusFound)
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, b)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		ct := r.URL.Query().Get("ct")
		w.Header().Set("Content-Type", ct)
		_, _ = io.WriteString(w, "<html><body><p>first</p>")
		_ = http.NewResponseController(w).Flush()
		select {
		case <-u.release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "<p>second</p></body></html>")
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		u.record(r)
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "not a websocket", 400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nSet-Cookie: ws_cookie=1; Path=/\r\n\r\n",
			base64.StdEncoding.EncodeToString(sum[:]))
		_ = brw.Flush()
		// Echo: this test relays opaque bytes; framing is the client's job.
		_, _ = io.Copy(conn, brw)
	})
	u.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		select {
		case <-u.release:
		default:
			close(u.release)
		}
		u.Close()
	})
	return u
}

// forwardProxy is a fake HTTP forward proxy: every absolute-URI request
// goes to the upstream whatever its host, keeping the Host header.
type forwardProxy struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newForwardProxy(t testing.TB, to *upstream) *forwardProxy {
	t.Helper()
	p := &forwardProxy{}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.auth = append(p.auth, r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", 400)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.URL.Host = to.Listener.Addr().String()
		out.Host = r.Host
		out.Header.Del("Proxy-Authorization")
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *forwardProxy) auths() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.auth...)
}

// testClient does not follow redirects nor decode bodies.
func testClient(t testing.TB) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
	}
}

func get(t testing.TB, c *http.Client, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// proxyEnv is a running proxy server with an upstream.
type proxyEnv struct {
	s      *Server
	st     store.Store
	srv    *httptest.Server
	up     *upstream
	client *http.Client
}

func newProxyEnv(t testing.TB, mod func(*Config)) *proxyEnv {
	t.Helper()
	s, st := newTestServer(t, mod)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &proxyEnv{s: s, st: st, srv: srv, up: newUpstream(t), client: testClient(t)}
}

func (e *proxyEnv) newSession(t testing.TB, shuffle bool) string {
	t.Helper()
	_, id := get(t, e.client, e.srv.URL+"/newsession")
	flag := "0"
	if shuffle {
		flag = "1"
	}
	if _, body := get(t, e.client, e.srv.URL+"/editsession?id="+id+"&enableShuffling="+flag); body != "Success" {
		t.Fatalf("editsession: %q", body)
	}
	return id
}

// url returns the proxied URL of an upstream path.
func (e *proxyEnv) url(id, path string) string {
	return e.srv.URL + "/" + id + "/" + e.up.URL + path
}

func TestProxyCookiesStayInJar(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	resp, body := get(t, e.client, e.url(id, "/set/root"))
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("/set/root: %d %q", resp.StatusCode, body)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("Set-Cookie reached the browser: %q", sc)
	}
	// The browser's own cookies never go upstream; the jar's do.
	_, body = get(t, e.client, e.url(id, "/echo"), "Cookie", "browser=leak")
	if body != "root=1" {
		t.Fatalf("upstream saw Cookie %q, want root=1", body)
	}
	// The jar change was saved in the store.
	sess, err := e.st.Get(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Jar().Len() != 1 {
		t.Errorf("jar holds %d cookies, want 1", sess.Jar().Len())
	}
	// Another session does not see them.
	id2 := e.newSession(t, false)
	if _, body = get(t, e.client, e.url(id2, "/echo")); body != "" {
		t.Errorf("a fresh session sent %q", body)
	}
}

func TestProxyRequestAndResponseHeaders(t *testing.T) {
	e := newProxyEnv(t, func(c *Config) {
		c.StripRequestHeaders = []string{"X-Secret"}
		c.RewriteResponseHeaders = map[string]string{"X-Upstream": "", "X-Added": "1", "x-frame-options": ""}
	})
	id := e.newSession(t, false)
	resp, _ := get(t, e.client, e.url(id, "/set/root"),
		"X-Secret", "s", "X-Forwarded-For", "6.6.6.6", "X-Kept", "k", "Connection", "X-Hop", "X-Hop", "h",
		"Proxy-Authorization", "Basic leak", "Accept-Encoding", "identity")
	h := e.up.header("/set/root")
	for _, k := range []string{"X-Secret", "X-Forwarded-For", "X-Hop", "Proxy-Authorization"} {
		if v := h.Get(k); v != "" {
			t.Errorf("upstream got %s: %q", k, v)
		}
	}
	if h.Get("X-Kept") != "k" {
		t.Errorf("X-Kept not forwarded")
	}
	if got := h.Get("Accept-Encoding"); got != "gzip, deflate, br" {
		t.Errorf("upstream Accept-Encoding %q", got)
	}
	if resp.Header.Get("X-Upstream") != "" || resp.Header.Get("X-Added") != "1" || resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("response headers not rewritten: %v", resp.Header)
	}
}

func TestProxyPOSTBody(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	resp, err := e.client.Post(e.url(id, "/post"), "text/plain", strings.NewReader("hello body"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "POST hello body" {
		t.Fatalf("got %q", b)
	}
}

func TestProxyLocationRewritten(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	resp, _ := get(t, e.client, e.url(id, "/redirect"))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d: the redirect was followed or lost", resp.StatusCode)
	}
	want := e.url(id, "/echo?from=redirect")
	if got := resp.Header.Get("Location"); got != want {
		t.Fatalf("Location %q, want %q", got, want)
	}
}

func TestProxyShuffledURL(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, true)
	_, q := get(t, e.client, e.srv.URL+"/api/shuffleDict?id="+id)
	dict := strings.Trim(q, `"`)
	sh, err := urlshuffle.New(dict)
	if err != nil {
		t.Fatalf("dictionary %q: %v", q, err)
	}
	shuffled := sh.Shuffle(e.up.URL + "/set/basic")
	if !strings.HasPrefix(shuffled, "_rhs") {
		t.Fatal("not shuffled")
	}
	if resp, body := get(t, e.client, e.srv.URL+"/"+id+"/"+shuffled); resp.StatusCode != 200 || body != "set" {
		t.Fatalf("shuffled request: %d %q", resp.StatusCode, body)
	}
	if _, body := get(t, e.client, e.srv.URL+"/"+id+"/"+sh.Shuffle(e.up.URL+"/set/echo")); body != "basic_a=alpha; basic_b=beta" {
		t.Fatalf("cookies through shuffled URLs: %q", body)
	}
	// Links in pages are shuffled too.
	_, page := get(t, e.client, e.url(id, "/page"))
	if !strings.Contains(page, e.srv.URL+"/"+id+"/"+sh.Shuffle(e.up.URL+"/next?q=1")) {
		t.Fatalf("page links not shuffled: %s", page)
	}
	// A shuffled URL in a session without a dictionary is a bad target.
	id2 := e.newSession(t, false)
	if resp, _ := get(t, e.client, e.srv.URL+"/"+id2+"/"+shuffled); resp.StatusCode != 400 {
		t.Fatalf("shuffled URL without dictionary: %d", resp.StatusCode)
	}
}

func TestProxyRewritesHTMLAndCSS(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	prefix := e.srv.URL + "/" + id + "/" + e.up.URL
	for _, path := range []string{"/page", "/page.gz"} {
		resp, body := get(t, e.client, e.url(id, path), "Accept-Encoding", "gzip")
		// Content-Length may only be the server's own count of the
		// rewritten body.
		if cl := resp.Header.Get("Content-Length"); resp.Header.Get("Content-Encoding") != "" || (cl != "" && cl != fmt.Sprint(len(body))) {
			t.Errorf("%s: Content-Encoding %q Content-Length %q kept", path, resp.Header.Get("Content-Encoding"), cl)
		}
		if m := missing(body,
			`href="`+prefix+`/next?q=1"`,
			`src="`+prefix+`/img.png"`,
			`href="`+e.srv.URL+"/"+id+`/https://other.example/x"`,
			`href="`+prefix+`/style.css"`,
			e.srv.URL+"/hammerhead.js",
			e.srv.URL+"/rammerhead.js",
		); m != "" {
			t.Errorf("%s: %q missing from %s", path, m, body)
		}
	}
	resp, body := get(t, e.client, e.url(id, "/style.br"), "Accept-Encoding", "gzip, br")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("css: Content-Encoding kept")
	}
	if m := missing(body, prefix+"/bg.png", prefix+"/other.css"); m != "" {
		t.Errorf("css: %q missing from %s", m, body)
	}
}

func TestProxyPassthroughEncoding(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	// The client accepts gzip: the bytes pass unchanged.
	resp, body := get(t, e.client, e.url(id, "/data.gz"), "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || body != string(gz("binary payload")) {
		t.Errorf("gzip passthrough: %q %q", resp.Header.Get("Content-Encoding"), body)
	}
	// The client does not accept br (plain-http Chrome): decoded for it.
	resp, body = get(t, e.client, e.url(id, "/data.br"), "Accept-Encoding", "gzip, deflate")
	if resp.Header.Get("Content-Encoding") != "" || body != "console.log(1)" {
		t.Errorf("br for a client without br: %q %q", resp.Header.Get("Content-Encoding"), body)
	}
}

func TestProxyStreams(t *testing.T) {
	for _, ct := range []string{"text/html", "text/plain"} {
		t.Run(ct, func(t *testing.T) {
			e := newProxyEnv(t, nil)
			id := e.newSession(t, false)
			resp, err := e.client.Get(e.url(id, "/stream?ct="+url.QueryEscape(ct)))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			buf := make([]byte, 0, 64)
			tmp := make([]byte, 64)
			for !bytes.Contains(buf, []byte("first")) {
				n, err := resp.Body.Read(tmp)
				buf = append(buf, tmp[:n]...)
				if err != nil {
					t.Fatalf("read before the upstream finished: %v (got %q)", err, buf)
				}
			}
			if bytes.Contains(buf, []byte("second")) {
				t.Fatal("the second part arrived before it was sent")
			}
			close(e.up.release)
			rest, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(rest, []byte("second")) {
				t.Fatalf("second part missing: %q", rest)
			}
		})
	}
}

func TestProxyDeadUpstream(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	resp, body := get(t, e.client, e.srv.URL+"/"+id+"/http://"+dead+"/")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "Bad gateway") || !strings.Contains(body, dead) {
		t.Fatalf("dead upstream: %d %q", resp.StatusCode, body)
	}
	// The server keeps working.
	if _, body := get(t, e.client, e.srv.URL+"/healthz"); body != "ok" {
		t.Fatalf("healthz after failure: %q", body)
	}
}

func TestProxyUnknownSessionAndBadTargets(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	raw := func(path string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, e.srv.Listener.Addr())
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for path, want := range map[string]int{
		"/ffffffffffffffffffffffffffffffff/" + e.up.URL + "/echo": 404,
		"/" + id + "/../../etc/passwd":                            400,
		"/" + id + "/file:///etc/passwd":                          400,
		"/" + id + "/http:%2F%2F127.0.0.1%2Fetc%2Fpasswd":         400,
		"/" + id + "/%2e%2e/%2e%2e/etc/passwd":                    400,
		"/" + id + "/":                                            400,
		"/" + id + "/javascript:alert(1)":                         400,
		"/..%2F..%2Fetc%2Fpasswd":                                 404,
		"/" + id + "%2F..%2F..%2Fetc/passwd":                      404,
		"/static/../../../etc/passwd":                             404,
	} {
		code, body := raw(path)
		if code != want || strings.Contains(body, "root:") {
			t.Errorf("%s: %d %q, want %d", path, code, body, want)
		}
	}
}

func TestProxyExternalProxyAuth(t *testing.T) {
	e := newProxyEnv(t, nil)
	fp := newForwardProxy(t, e.up)
	id := e.newSession(t, false)
	hp := url.QueryEscape("http://proxyuser:proxypass@" + fp.Listener.Addr().String())
	if _, body := get(t, e.client, e.srv.URL+"/editsession?id="+id+"&httpProxy="+hp); body != "Success" {
		t.Fatal(body)
	}
	if _, body := get(t, e.client, e.srv.URL+"/"+id+"/http://www.example.test/set/root"); body != "ok" {
		t.Fatalf("through the forward proxy: %q", body)
	}
	if _, body := get(t, e.client, e.srv.URL+"/"+id+"/http://www.example.test/echo"); body != "root=1" {
		t.Fatalf("cookie through the forward proxy: %q", body)
	}
	auths := fp.auths()
	if len(auths) != 2 {
		t.Fatalf("forward proxy saw %d requests, want 2", len(auths))
	}
	for _, a := range auths {
		if a != "Basic cHJveHl1c2VyOnByb3h5cGFzcw==" {
			t.Errorf("Proxy-Authorization %q", a)
		}
	}
	// Clearing the proxy goes direct again.
	get(t, e.client, e.srv.URL+"/editsession?id="+id)
	get(t, e.client, e.url(id, "/echo"))
	if n := len(fp.auths()); n != 2 {
		t.Errorf("the forward proxy was used after clearing: %d requests", n)
	}
}

func TestProxyWebSocket(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	get(t, e.client, e.url(id, "/set/root")) // root=1 in the jar

	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	fmt.Fprintf(conn, "GET /%s/%s/ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nCookie: browser=leak\r\n\r\n",
		id, e.up.URL, e.srv.Listener.Addr(), key)
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("handshake: %d %q", resp.StatusCode, b)
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("Sec-WebSocket-Accept %q", got)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie reached the browser: %q", sc)
	}
	if got := e.up.cookies(e.up.Listener.Addr().String() + "/ws"); len(got) != 1 || got[0] != "root=1" {
		t.Errorf("upstream handshake Cookie %q, want root=1", got)
	}
	msg := []byte("\x81\x05hello")
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(rd, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo %q, want %q", got, msg)
	}
	conn.Close()
	// The handshake's Set-Cookie went to the jar.
	if _, body := get(t, e.client, e.url(id, "/echo")); body != "root=1; ws_cookie=1" {
		t.Errorf("after the websocket, Cookie %q", body)
	}
}

func TestProxyHEADAndHealth(t *testing.T) {
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	resp, err := e.client.Head(e.url(id, "/page"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HEAD: %d", resp.StatusCode)
	}
}

// TestProxyRewrittenBodyFraming checks how rewritten bodies are framed: a
// page rewritten whole before any byte is sent gets a Content-Length, a
// large one streams chunked, and an upstream failing mid-body gives a 502
// when nothing was sent yet and a truncated (aborted) response otherwise.
func TestProxyRewrittenBodyFraming(t *testing.T) {
	// small is larger than net/http's own buffer (2 KB), below which it
	// sets Content-Length by itself.
	small := `<html><head></head><body><a href="/x">x</a>` + strings.Repeat("<p>text</p>\n", 1000) + `</body></html>`
	large := "<html><body>" + strings.Repeat(`<p><a href="/a">a link</a></p>`+"\n", 4000) + "</body></html>"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		page := small
		if strings.HasPrefix(r.URL.Path, "/large") {
			page = large
		}
		_, _ = io.WriteString(w, page)
	}))
	t.Cleanup(up.Close)
	// cut promises a whole page, sends half of it with the header in one
	// write, and hangs up: the proxy reads the half and then the error at
	// once, with no pause that could make it flush early.
	cut := func(page string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = http.ReadRequest(bufio.NewReader(c))
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "+
					strconv.Itoa(len(page))+"\r\n\r\n"+page[:len(page)/2])
				c.Close()
			}
		}()
		return "http://" + ln.Addr().String()
	}
	e := newProxyEnv(t, nil)
	id := e.newSession(t, false)
	base := e.srv.URL + "/" + id + "/" + up.URL

	resp, body := get(t, e.client, base+"/small")
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 ||
		!strings.Contains(body, `href="`+base+`/x"`) {
		t.Errorf("small page: %d, Content-Length %d, Transfer-Encoding %v, %d bytes %q; want a Content-Length",
			resp.StatusCode, resp.ContentLength, resp.TransferEncoding, len(body), body)
	}
	resp, body = get(t, e.client, base+"/large")
	if resp.StatusCode != 200 || resp.ContentLength != -1 || strings.Count(body, `href="`+base+`/a"`) != 4000 {
		t.Errorf("large page: %d, Content-Length %d, %d links; want chunked with 4000 links",
			resp.StatusCode, resp.ContentLength, strings.Count(body, base+"/a"))
	}
	resp, body = get(t, e.client, e.srv.URL+"/"+id+"/"+cut(small)+"/small")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "Bad gateway") {
		t.Errorf("small page cut short: %d %q; want 502", resp.StatusCode, body)
	}
	r, err := e.client.Get(e.srv.URL + "/" + id + "/" + cut(large) + "/large")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || err == nil {
		t.Errorf("large page cut short: %d, read %d bytes, error %v; want an error reading the body", r.StatusCode, len(got), err)
	}
}
