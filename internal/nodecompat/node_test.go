package nodecompat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// installHint is the command that installs the Node side.
const installHint = "run `npm ci --prefix internal/nodecompat/node` from the repository root (needs node >= 18 and npm)"

// toughCookieVersion is the exact tough-cookie version testcafe-hammerhead
// 31.6.2 (Rammerhead 1.2.64) runs.
const toughCookieVersion = "4.1.3"

// nodeTimeout bounds one node process; a batch takes well under a second.
const nodeTimeout = 60 * time.Second

// nodeDir returns the directory of the Node helper (the tests run in the
// package directory).
func nodeDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	return filepath.Join(wd, "node")
}

// checkNodeSetup fails the test when node or the pinned tough-cookie is not
// installed, saying how to install it.
func checkNodeSetup(t testing.TB) (nodeBin, script string) {
	t.Helper()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed (%v): install Node.js >= 18, then %s", err, installHint)
	}
	dir := nodeDir(t)
	pkg := filepath.Join(dir, "node_modules", "tough-cookie", "package.json")
	b, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatalf("the Node dependencies are not installed (%v): %s", err, installHint)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version != toughCookieVersion {
		t.Fatalf("%s: tough-cookie version %q (err %v), want %s: %s", pkg, meta.Version, err, toughCookieVersion, installHint)
	}
	return nodeBin, filepath.Join(dir, "compat.js")
}

// runNode sends req to one node process running compat.js and decodes its
// answer into resp.
func runNode(t testing.TB, req, resp any) {
	t.Helper()
	nodeBin, script := checkNodeSetup(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("encode node request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, script)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), "TZ=UTC", "NODE_OPTIONS=")
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("node %s timed out after %v; stderr:\n%s", script, nodeTimeout, stderr.String())
		}
		t.Fatalf("node %s: %v; stderr:\n%s", script, err, stderr.String())
	}
	t.Logf("node batch: %d bytes in, %d bytes out, %v", len(in), stdout.Len(), time.Since(start).Round(time.Millisecond))
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("decode node answer: %v; stdout starts %.300q; stderr:\n%s", err, stdout.String(), stderr.String())
	}
}

// toJS turns a Go byte string (the cookiejar's latin1 view of a Node binary
// string) into the text whose characters are those bytes, for JSON transport.
func toJS(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// toJSAll is toJS on each string.
func toJSAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = toJS(s)
	}
	return out
}

// fromJS reverses toJS. A character above U+00FF is an error: Node binary
// strings never hold one.
func fromJS(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF || r == utf8.RuneError {
			return "", errors.New("character above U+00FF in a binary string: " + string(r))
		}
		b = append(b, byte(r))
	}
	return string(b), nil
}

// fromJSAll is fromJS on each string, failing the test on error.
func fromJSAll(t testing.TB, ss []string) []string {
	t.Helper()
	out := make([]string, len(ss))
	for i, s := range ss {
		v, err := fromJS(s)
		if err != nil {
			t.Fatalf("node answer %d: %v", i, err)
		}
		out[i] = v
	}
	return out
}

// clock is a settable test clock shared by Go jars and sessions.
type clock struct{ ms int64 }

func (c *clock) now() time.Time { return time.UnixMilli(c.ms).UTC() }

func TestNodeSetup(t *testing.T) {
	var resp struct {
		ToughCookieVersion string `json:"toughCookieVersion"`
		NodeVersion        string `json:"nodeVersion"`
	}
	runNode(t, struct{}{}, &resp)
	if resp.ToughCookieVersion != toughCookieVersion {
		t.Fatalf("node loaded tough-cookie %q, want %s: %s", resp.ToughCookieVersion, toughCookieVersion, installHint)
	}
	t.Logf("node %s, tough-cookie %s", resp.NodeVersion, resp.ToughCookieVersion)
}

func TestLatin1Transport(t *testing.T) {
	for _, s := range []string{"", "abc", "h\xc3\xa9llo", "\x00\x7f\x80\xff", "a=b%20c!#$"} {
		got, err := fromJS(toJS(s))
		if err != nil || got != s {
			t.Errorf("fromJS(toJS(%q)) = %q, %v", s, got, err)
		}
	}
	if _, err := fromJS("\u0100"); err == nil {
		t.Error("fromJS accepted U+0100")
	}
}
