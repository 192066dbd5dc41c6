package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/redistest"
)

// runMainEnv makes the test binary act as the rammerhead binary: the
// end-to-end tests re-execute os.Args[0] with it set, so the real main()
// (signals, exit codes, the process boundary) is what runs.
const runMainEnv = "RH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

var sessionIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// proc is a running rammerhead binary.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	mu     sync.Mutex
	lines  []string
	lineCh chan string
	done   chan struct{}
	err    error // from Wait, valid once done is closed
}

// startBinary starts `rammerhead serve --port 0 --log-format json` plus
// args, and waits for its "listening on" log line.
func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	all := append([]string{"serve", "--addr", "127.0.0.1", "--port", "0", "--log-format", "json", "--log-level", "info"}, args...)
	cmd := exec.Command(os.Args[0], all...)
	env := []string{runMainEnv + "=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) && !strings.HasPrefix(kv, runMainEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, lineCh: make(chan string, 1000), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.lineCh <- sc.Text():
			default:
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("rammerhead stderr:\n%s", p.output())
		}
	})
	rec := p.waitLog(t, "listening on", 30*time.Second)
	addr, _ := rec["addr"].(string)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		t.Fatalf("listening line has no addr: %v", rec)
	}
	p.base = "http://" + addr
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLog waits for a JSON log line whose msg starts with prefix.
func (p *proc) waitLog(t *testing.T, prefix string, timeout time.Duration) map[string]any {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case line := <-p.lineCh:
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			if msg, _ := rec["msg"].(string); strings.HasPrefix(msg, prefix) {
				return rec
			}
		case <-p.done:
			t.Fatalf("rammerhead exited (%v) before logging %q", p.err, prefix)
		case <-timer.C:
			t.Fatalf("no %q log line after %v", prefix, timeout)
		}
	}
}

// signal sends sig and waits for the exit code.
func (p *proc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return p.wait(t, 30*time.Second)
}

func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("rammerhead did not exit within %v", timeout)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("wait: %v", p.err)
	}
	return 0
}

// cookieSite is a local test site: /set sets cookies, /echo echoes the
// Cookie header it received, /slow blocks until released.
type cookieSite struct {
	*httptest.Server
	mu      sync.Mutex
	cookies []string // Cookie header of each /echo request
	slowIn  chan struct{}
	release chan struct{}
}

func newCookieSite(t *testing.T) *cookieSite {
	t.Helper()
	s := &cookieSite{slowIn: make(chan struct{}, 10), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "rh_a", Value: "alpha", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "rh_b", Value: "beta", Path: "/", MaxAge: 3600, HttpOnly: true})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><head><title>set</title></head><body><p id=msg>cookies set</p><a id=echo href=\"/echo\">echo</a></body></html>")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		c := r.Header.Get("Cookie")
		s.mu.Lock()
		s.cookies = append(s.cookies, c)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>echo</title></head><body><pre id=cookie>COOKIE[%s]</pre></body></html>", htmlEscape(c))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		s.slowIn <- struct{}{}
		<-s.release
		fmt.Fprint(w, "slow done")
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (s *cookieSite) lastCookie() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cookies) == 0 {
		return "<no /echo request>"
	}
	return s.cookies[len(s.cookies)-1]
}

var testClient = &http.Client{
	Timeout: 20 * time.Second,
	// The proxy may answer with redirects into itself; follow them, but
	// never carry cookies between requests: the session holds them.
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := testClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

func newSession(t *testing.T, base, query string) string {
	t.Helper()
	code, body := get(t, base+"/newsession"+query)
	if code != 200 || !sessionIDRe.MatchString(body) {
		t.Fatalf("/newsession: %d %q", code, body)
	}
	return body
}

func assertCookies(t *testing.T, got string) {
	t.Helper()
	if !strings.Contains(got, "rh_a=alpha") || !strings.Contains(got, "rh_b=beta") {
		t.Fatalf("upstream saw Cookie %q, want rh_a=alpha and rh_b=beta", got)
	}
}

// TestBinaryRestartKeepsSessions runs the real binary twice on the same
// session directory: a session created and filled with cookies by the first
// run is written on SIGTERM and used again by the second.
func TestBinaryRestartKeepsSessions(t *testing.T) {
	dir := t.TempDir()
	site := newCookieSite(t)

	p := startBinary(t, "--store", "file:"+dir)
	id := newSession(t, p.base, "")
	if code, body := get(t, p.base+"/"+id+"/"+site.URL+"/set"); code != 200 || !strings.Contains(body, "cookies set") {
		t.Fatalf("proxied /set: %d %q", code, body)
	}
	if code, _ := get(t, p.base+"/"+id+"/"+site.URL+"/echo"); code != 200 {
		t.Fatalf("proxied /echo: %d", code)
	}
	assertCookies(t, site.lastCookie())
	before := site.lastCookie()

	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	b, err := os.ReadFile(dir + "/" + id + ".rhfsession")
	if err != nil {
		t.Fatalf("session file after shutdown: %v", err)
	}
	if !strings.HasPrefix(string(b), `{"data":{`) || !strings.Contains(string(b), `"serializedCookieJar":"`) ||
		!strings.Contains(string(b), `rh_a`) || !strings.Contains(string(b), `alpha`) {
		t.Fatalf("session file lacks the cookies: %s", b)
	}
	if !strings.Contains(p.output(), "session store closed") {
		t.Errorf("no 'session store closed' log line")
	}

	p2 := startBinary(t, "--store", "file:"+dir)
	if code, body := get(t, p2.base+"/sessionexists?id="+id); code != 200 || body != "exists" {
		t.Fatalf("/sessionexists after restart: %d %q", code, body)
	}
	if code, _ := get(t, p2.base+"/"+id+"/"+site.URL+"/echo"); code != 200 {
		t.Fatalf("proxied /echo after restart: %d", code)
	}
	after := site.lastCookie()
	assertCookies(t, after)
	if after != before {
		t.Errorf("cookies changed across restart: before %q, after %q", before, after)
	}
	if code := p2.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("exit code after SIGINT = %d, want 0", code)
	}
}

// TestBinaryGracefulShutdown checks that an in-flight proxied request
// finishes after SIGTERM, that new connections are refused meanwhile, and
// that a second signal forces the exit.
func TestBinaryGracefulShutdown(t *testing.T) {
	site := newCookieSite(t)
	p := startBinary(t, "--store", "file:"+t.TempDir())
	id := newSession(t, p.base, "")

	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := testClient.Get(p.base + "/" + id + "/" + site.URL + "/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, string(b), err}
	}()
	select {
	case <-site.slowIn:
	case <-time.After(20 * time.Second):
		t.Fatal("the slow request never reached the upstream")
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "stopped accepting connections", 10*time.Second)
	// The listener is closed: a new connection is refused.
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(p.base, "http://"), 5*time.Second); err == nil {
		c.Close()
		t.Fatal("still accepting connections after SIGTERM")
	}
	select {
	case <-p.done:
		t.Fatal("exited while a request was in flight")
	default:
	}
	close(site.release)
	r := <-res
	if r.err != nil || r.code != 200 || r.body != "slow done" {
		t.Fatalf("in-flight request: %d %q %v", r.code, r.body, r.err)
	}
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}

	// Second signal: force.
	site2 := newCookieSite(t)
	p2 := startBinary(t, "--store", "memory:", "--shutdown-timeout", "1m")
	id2 := newSession(t, p2.base, "")
	go func() {
		resp, err := testClient.Get(p2.base + "/" + id2 + "/" + site2.URL + "/slow")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-site2.slowIn
	defer close(site2.release)
	p2.cmd.Process.Signal(syscall.SIGTERM)
	p2.waitLog(t, "shutting down", 10*time.Second)
	start := time.Now()
	p2.cmd.Process.Signal(syscall.SIGTERM)
	if code := p2.wait(t, 10*time.Second); code != exitError {
		t.Fatalf("exit code after a second signal = %d, want %d", code, exitError)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second signal took %v to exit", d)
	}
	if !strings.Contains(p2.output(), "second signal") {
		t.Errorf("no message about the second signal")
	}
}

func TestBinaryUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"serve", "--port", "-1"}, {"serve", "--store", "nope"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), runMainEnv+"=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%q: %v, want exit status 2", args, err)
		}
		if stderr.Len() == 0 {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
}

// startInProcess runs `serve` in this process with args; it returns the
// base URL and a stop func that cancels and returns the exit code.
func startInProcess(t testing.TB, logw io.Writer, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan net.Addr, 1)
	inv := &invocation{
		getenv:   func(string) string { return "" },
		stdout:   io.Discard,
		stderr:   logw,
		onListen: func(a net.Addr) { addrCh <- a },
	}
	codeCh := make(chan int, 1)
	go func() {
		codeCh <- runWith(ctx, inv, append([]string{"serve", "--addr", "127.0.0.1", "--port", "0"}, args...))
	}()
	var base string
	select {
	case a := <-addrCh:
		base = "http://" + a.String()
	case code := <-codeCh:
		cancel()
		t.Fatalf("serve exited with %d before listening", code)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	var once sync.Once
	code := -1
	stop := func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-codeCh:
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func TestServeInProcess(t *testing.T) {
	site := newCookieSite(t)
	var logs syncBuffer
	base, stop := startInProcess(t, &logs, "--store", "memory:", "--password", "pw", "--log-level", "traffic")
	if code, body := get(t, base+"/needpassword"); code != 200 || body != "true" {
		t.Fatalf("/needpassword: %d %q", code, body)
	}
	if code, _ := get(t, base+"/newsession?pwd=wrong"); code != 403 {
		t.Fatalf("/newsession with a wrong password: %d, want 403", code)
	}
	id := newSession(t, base, "?pwd=pw")
	get(t, base+"/"+id+"/"+site.URL+"/set")
	get(t, base+"/"+id+"/"+site.URL+"/echo")
	assertCookies(t, site.lastCookie())
	if code := stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out := logs.String()
	for _, want := range []string{"listening on 127.0.0.1:", "store=memory:", "level=TRAFFIC", "shutting down", "session store closed"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "without a password") {
		t.Errorf("loopback listener warned about the password:\n%s", out)
	}
}

func TestServeRuntimeErrors(t *testing.T) {
	// The port is taken: exit 1 with the error logged.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var stderr syncBuffer
	code := run(context.Background(), []string{"serve", "--port", fmt.Sprint(port), "--store", "file:" + t.TempDir()}, envMap(nil), io.Discard, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "address already in use") {
		t.Fatalf("port in use: exit %d, stderr %s", code, stderr.String())
	}
	// The store directory cannot be created.
	f := writeFile(t, "file", "x")
	stderr = syncBuffer{}
	code = run(context.Background(), []string{"serve", "--port", "0", "--log-level", "disabled", "--store", "file:" + f + "/sub"}, envMap(nil), io.Discard, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "session directory") {
		t.Fatalf("bad dir: exit %d, stderr %s", code, stderr.String())
	}
	// Redis: a clear answer.
	stderr = syncBuffer{}
	code = run(context.Background(), []string{"serve", "--port", "0", "--store", "redis://127.0.0.1:1/0"}, envMap(nil), io.Discard, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "cannot reach Redis") {
		t.Fatalf("redis: exit %d, stderr %s", code, stderr.String())
	}
}

// TestBinaryRedisSharedSessions runs two binaries on one real Redis: a
// session created and given cookies through the first is used through the
// second, and survives both processes.
func TestBinaryRedisSharedSessions(t *testing.T) {
	rs := redistest.StartWith(t, redistest.Config{})
	site := newCookieSite(t)
	url := rs.URL()

	a := startBinary(t, "--store", url, "--redis-prefix", "e2e:")
	b := startBinary(t, "--store", url, "--redis-prefix", "e2e:")
	id := newSession(t, a.base, "")
	if code, _ := get(t, a.base+"/"+id+"/"+site.URL+"/set"); code != 200 {
		t.Fatalf("proxied /set through A: %d", code)
	}
	if code, body := get(t, b.base+"/sessionexists?id="+id); body != "exists" {
		t.Fatalf("B does not see A's session: %d %q", code, body)
	}
	if code, _ := get(t, b.base+"/"+id+"/"+site.URL+"/echo"); code != 200 {
		t.Fatalf("proxied /echo through B: %d", code)
	}
	assertCookies(t, site.lastCookie())
	if code := a.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("A exit %d", code)
	}
	if code := b.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("B exit %d", code)
	}

	c := startBinary(t, "--store", url, "--redis-prefix", "e2e:")
	if code, _ := get(t, c.base+"/"+id+"/"+site.URL+"/echo"); code != 200 {
		t.Fatalf("proxied /echo through C: %d", code)
	}
	assertCookies(t, site.lastCookie())
	// Another prefix is another namespace.
	d := startBinary(t, "--store", url, "--redis-prefix", "other:")
	if _, body := get(t, d.base+"/sessionexists?id="+id); body != "not found" {
		t.Fatalf("prefix other: sees the session: %q", body)
	}
}

func TestExposedWarning(t *testing.T) {
	tests := []struct {
		ip       string
		password string
		warn     bool
	}{
		{"127.0.0.1", "", false},
		{"::1", "", false},
		{"0.0.0.0", "", true},
		{"::", "", true},
		{"192.168.1.5", "", true},
		{"0.0.0.0", "pw", false},
	}
	for _, tt := range tests {
		if got := exposedWithoutPassword(net.ParseIP(tt.ip), tt.password); got != tt.warn {
			t.Errorf("exposedWithoutPassword(%s, %q) = %v", tt.ip, tt.password, got)
		}
	}
}

// syncBuffer is a strings.Builder safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
