// Package redistest starts real redis-server processes for tests: a
// standalone server on a Unix socket in a temporary directory (optionally
// with persistence, so that it can be stopped and restarted), and a Redis
// Cluster of several masters on loopback ports.
//
// redis-server (and redis-cli for clusters) must be installed; when they are
// missing the helpers fail the test with a message saying so, they never skip.
// Readiness is detected from the server's own log line ("Ready to accept
// connections") and then confirmed with PING, so no test sleeps.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrNoRedis reports that redis-server (or redis-cli) is not installed.
var ErrNoRedis = errors.New("redistest: redis-server not found in PATH (install the redis-server and redis-tools packages)")

// StartTimeout bounds how long a server may take to become ready.
const StartTimeout = 20 * time.Second

// Server is a redis-server process started by StartServer.
type Server struct {
	// Dir is the server's working directory (RDB/AOF files, socket).
	Dir string
	// Network is "unix" or "tcp"; Addr is the socket path or host:port,
	// ready for redis.Options{Network, Addr}.
	Network, Addr string

	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *logBuffer
}

// Config tunes StartServer.
type Config struct {
	// Port: 0 serves on a Unix socket in Dir only; otherwise a TCP port on
	// 127.0.0.1 (and no socket).
	Port int
	// Persistent turns on appendonly (appendfsync always) and RDB saving,
	// so that a restarted server keeps every acknowledged write.
	Persistent bool
	// Args are extra redis-server arguments, e.g. "--cluster-enabled", "yes".
	Args []string
}

// StartServer starts a redis-server in dir (which must exist) and waits
// until it answers PING. Without a Config it serves a Unix socket
// (dir/redis.sock) with no persistence; at most one Config may be given.
// Stop it with Stop.
func StartServer(dir string, cfgs ...Config) (*Server, error) {
	if len(cfgs) > 1 {
		return nil, errors.New("redistest: StartServer takes at most one Config")
	}
	var cfg Config
	if len(cfgs) == 1 {
		cfg = cfgs[0]
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, ErrNoRedis
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir}
	args := []string{"--dir", dir, "--bind", "127.0.0.1", "--daemonize", "no", "--logfile", "", "--loglevel", "notice"}
	if cfg.Port == 0 {
		sock := filepath.Join(dir, "redis.sock")
		if len(sock) > 100 { // sun_path limit
			return nil, fmt.Errorf("redistest: socket path too long: %s", sock)
		}
		s.Network, s.Addr = "unix", sock
		args = append(args, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700")
	} else {
		s.Network, s.Addr = "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port))
		args = append(args, "--port", strconv.Itoa(cfg.Port))
	}
	if cfg.Persistent {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always", "--save", "3600 1")
	} else {
		args = append(args, "--appendonly", "no", "--save", "")
	}
	s.args = append(args, cfg.Args...)
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// Start (re)starts the stopped server with the same arguments and directory.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("redistest: server already running")
	}
	cmd := exec.Command("redis-server", s.args...)
	cmd.Dir = s.Dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: starting redis-server: %w", err)
	}
	lb := &logBuffer{}
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			lb.add(line)
			if !signalled && strings.Contains(line, "eady to accept connections") {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		close(done)
	}()
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case <-ready:
	case <-done:
		return fmt.Errorf("redistest: redis-server exited before it was ready:\n%s", lb.String())
	case <-timer.C:
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("redistest: redis-server not ready after %v:\n%s", StartTimeout, lb.String())
	}
	s.cmd, s.done, s.log = cmd, done, lb
	if err := ping(s.Network, s.Addr); err != nil {
		return fmt.Errorf("redistest: PING after start: %w", err)
	}
	return nil
}

// Stop shuts the server down gracefully (SIGTERM: Redis writes its AOF/RDB)
// and waits for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() error { return s.stop(syscall.SIGTERM) }

// Kill stops the server with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() error { return s.stop(syscall.SIGKILL) }

func (s *Server) stop(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(sig)
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()
	select {
	case <-s.done:
	case <-timer.C:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	return nil
}

// Pause freezes the server (SIGSTOP): connections stay open but nothing is
// answered, as with a Redis that hangs. Resume undoes it.
func (s *Server) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume lets a paused server run again (SIGCONT).
func (s *Server) Resume() error { return s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return errors.New("redistest: server not running")
	}
	return s.cmd.Process.Signal(sig)
}

// Log returns what the server printed so far (for failure messages).
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

// URL returns a go-redis URL for the server ("unix://..." or "redis://...").
func (s *Server) URL() string {
	if s.Network == "unix" {
		return "unix://" + s.Addr
	}
	return "redis://" + s.Addr
}

// Start starts a throw-away redis-server (no persistence) on a Unix socket
// in a temporary directory and returns its socket path (for go-redis:
// redis.Options{Network: "unix", Addr: addr}, or the URL "unix://"+addr).
// The server is stopped when the test ends. A missing redis-server fails
// the test.
func Start(t testing.TB) string {
	t.Helper()
	return StartWith(t, Config{}).Addr
}

// StartWith is Start with a Config; it returns the Server.
func StartWith(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := StartServer(shortTempDir(t), cfg)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// Cluster is a Redis Cluster of masters started by StartCluster.
type Cluster struct {
	// Addrs are the masters' 127.0.0.1:port addresses.
	Addrs   []string
	Servers []*Server
}

// StartCluster starts n (at least 3) redis-server masters with
// cluster-enabled on free loopback ports, joins them with
// `redis-cli --cluster create ... --cluster-yes` and waits until every node
// reports cluster_state:ok. The servers are stopped when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("redistest: a cluster needs at least 3 masters, not %d", n)
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Fatalf("redistest: redis-cli not found in PATH (install redis-tools): %v", err)
	}
	c := &Cluster{}
	for i := 0; i < n; i++ {
		var s *Server
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			port, perr := freePort()
			if perr != nil {
				t.Fatalf("redistest: %v", perr)
			}
			if port+10000 > 65535 { // the cluster bus port must exist
				continue
			}
			dir := filepath.Join(shortTempDir(t))
			s, err = StartServer(dir, Config{Port: port, Args: []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
				"--cluster-node-timeout", "5000",
			}})
			if err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("redistest: cluster node %d: %v", i, err)
		}
		t.Cleanup(func() { _ = s.Stop() })
		c.Servers = append(c.Servers, s)
		c.Addrs = append(c.Addrs, s.Addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	// Wait (polling CLUSTER INFO with a growing interval, bounded) until
	// every node agrees the cluster is up.
	deadline := time.Now().Add(60 * time.Second)
	for _, a := range c.Addrs {
		wait := 10 * time.Millisecond
		for {
			info, err := command("tcp", a, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redistest: cluster node %s not ok: %v %s", a, err, info)
			}
			<-time.After(wait)
			if wait < 200*time.Millisecond {
				wait *= 2
			}
		}
	}
	return c
}

// shortTempDir returns a temporary directory whose path is short enough for
// a Unix socket (t.TempDir paths can exceed the 104/108-byte limit).
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rt")
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func ping(network, addr string) error {
	r, err := command(network, addr, "PING")
	if err != nil {
		return err
	}
	if r != "PONG" {
		return fmt.Errorf("unexpected PING reply %q", r)
	}
	return nil
}

// command sends one command in RESP and returns a simple or bulk string
// reply (enough for PING and CLUSTER INFO).
func command(network, addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return "", err
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "+"):
		return line[1:], nil
	case strings.HasPrefix(line, "-"):
		return "", errors.New(line[1:])
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("bad bulk reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < 500 {
		l.lines = append(l.lines, s)
	}
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
