package nodecompat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// fixturesDir finds ../shared/fixtures/rammerhead-sessions beside the
// module root (the directory holding go.mod).
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	fx := filepath.Join(dir, "..", "shared", "fixtures", "rammerhead-sessions")
	if _, err := os.Stat(fx); err != nil {
		t.Fatalf("fixtures directory: %v (CI runs with shared/ beside the clone)", err)
	}
	return fx
}

type wireSession struct {
	File       string   `json:"file"`
	Now        int64    `json:"now"`
	Queries    []string `json:"queries"`
	ExpectUsed bool     `json:"expectUsed"`
}

type wireSessionResult struct {
	Error        string          `json:"error"`
	Problems     []string        `json:"problems"`
	DataKeys     []string        `json:"dataKeys"`
	ShuffleDict  *string         `json:"shuffleDict"`
	Data         json.RawMessage `json:"data"`
	JarReser     string          `json:"jarReser"`
	Headers      []string        `json:"headers"`
	Reserialized string          `json:"reserialized"`
}

// goSessionCase is a session built in Go and the Go side's view of it.
type goSessionCase struct {
	name       string
	file       string
	jar        string // serializedCookieJar inside file
	expectUsed bool
	queries    []string
	queryNow   int64
	headers    []string // Go's headers at queryNow
	after      string   // Go's Serialize after the queries
	dict       string
}

var sessionQueries = []string{
	"http://127.0.0.1:18090/set/echo", "http://127.0.0.1:18090/echo", "http://localhost/",
	"http://www.example.test/", "https://www.example.test/sub/x", "http://a.example.test/x",
}

func buildGoSessions(t *testing.T) []goSessionCase {
	t.Helper()
	type build struct {
		name       string
		expectUsed bool // touched: lastUsed != createdAt
		fn         func(s *session.Session, clk *clock)
	}
	builds := []build{
		{"fresh-unused", false, func(s *session.Session, clk *clock) {}},
		// What /newsession writes: Node too has createdAt == lastUsed here.
		{"fresh-restrictip-only", false, func(s *session.Session, clk *clock) { s.SetRestrictIP("127.0.0.1") }},
		{"touched-same-ms", true, func(s *session.Session, clk *clock) { s.Touch(clk.now()) }},
		{"browsed", true, func(s *session.Session, clk *clock) {
			s.SetRestrictIP("127.0.0.1")
			s.SetShuffleDict("")
			clk.ms += 5
			s.Jar().SetCookieStrings(mustURL(t, "http://127.0.0.1:18090/set/varied"), []string{
				"v_plain=plainval", "v_secure=secval; Secure", "v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
				"v_special=a=b%20c!#$; Path=/", "v_empty=; Path=/", "moji=h\xc3\xa9llo; Path=/", "nameless; Path=/",
				"ext=1; Priority=High; Partitioned; Path=/",
			})
			s.Jar().SetCookieStrings(mustURL(t, "http://www.example.test/set/domain"), []string{
				"d_parent=parentval; Domain=example.test; Path=/", "d_sub=subval; Path=/sub; Secure; HttpOnly; SameSite=Strict",
			})
			s.SetLocalStorage("http://127.0.0.1:18090", session.LocalStorageEntry{Data: map[string]string{"theme": "dark", "counter": "3", "u": "é日本😀\u2028</script>"}, Timestamp: clk.ms})
			// Canonical JSON.stringify forms: SetValue keeps raw JSON as
			// given, and Node would re-write e.g. -0 as 0 and 1e21 as 1e+21.
			if err := s.SetValue("goExtra", json.RawMessage("{\"note\":\"unknown key kept?\",\"n\":1,\"arr\":[1.5,0,1e+21,\"\u2028 x\"]}")); err != nil {
				t.Fatalf("SetValue: %v", err)
			}
			clk.ms += 10
			s.Touch(clk.now())
		}},
		{"proxy-and-injectable", true, func(s *session.Session, clk *clock) {
			s.SetExternalProxy(&session.ProxySettings{Host: "127.0.0.1:18091", Hostname: "127.0.0.1", Port: "18091", ProxyAuth: "proxyuser:proxypass", AuthHeader: "Basic cHJveHl1c2VyOnByb3h5cGFzcw=="})
			s.SetInjectable(session.Injectable{Scripts: []string{"/hammerhead.js", "/rammerhead.js", "/custom-injected.js"}})
			s.SetShuffleDict("xRMhkPD7SqFKc58CHsjN3gGYzTbZoW6flrin0QILJ9dt4~yaUO1m-uwXEBeAVpv2")
			clk.ms += 1000
			s.Jar().SetCookieStrings(mustURL(t, "https://www.example.test/"), []string{"s=1; Secure; Path=/", "h=2; Max-Age=60"})
			clk.ms += 1000
			s.Touch(clk.now())
		}},
		{"proxy-null-again", true, func(s *session.Session, clk *clock) {
			s.SetExternalProxy(&session.ProxySettings{Host: "p:1", Hostname: "p"})
			s.SetExternalProxy(nil)
			clk.ms += 3
			s.Touch(clk.now())
		}},
	}
	var out []goSessionCase
	for i, b := range builds {
		clk := &clock{ms: t0 + int64(i)*7}
		s := session.New(fmt.Sprintf("%032x", i+1), &session.Options{Now: clk.now})
		b.fn(s, clk)
		file, err := s.Serialize()
		if err != nil {
			t.Fatalf("session %s: Serialize: %v", b.name, err)
		}
		jar, err := s.Jar().Encode()
		if err != nil {
			t.Fatalf("session %s: Encode: %v", b.name, err)
		}
		c := goSessionCase{name: b.name, file: string(file), jar: string(jar), expectUsed: b.expectUsed,
			queries: sessionQueries, queryNow: clk.ms + 30*second, dict: s.ShuffleDict()}
		clk.ms = c.queryNow
		c.headers = queryGo(t, s.Jar(), c.queries)
		after, err := s.Serialize()
		if err != nil {
			t.Fatalf("session %s: Serialize after queries: %v", b.name, err)
		}
		c.after = string(after)
		out = append(out, c)
	}
	return out
}

// TestSessionGoToNode writes sessions with the Go session package and loads
// them the way Rammerhead does: data an object, numeric createdAt/lastUsed
// (different for a used session), shuffleDict present, serializedCookieJar a
// string tough-cookie deserializes to the same bytes, and the same cookies
// sent; after the queries Node would write back exactly what Go writes.
func TestSessionGoToNode(t *testing.T) {
	cases := buildGoSessions(t)
	req := struct {
		Sessions []wireSession `json:"sessions"`
	}{}
	for _, c := range cases {
		req.Sessions = append(req.Sessions, wireSession{File: c.file, Now: c.queryNow, Queries: c.queries, ExpectUsed: c.expectUsed})
	}
	var resp struct {
		Sessions []wireSessionResult `json:"sessions"`
	}
	runNode(t, req, &resp)
	if len(resp.Sessions) != len(cases) {
		t.Fatalf("node answered %d sessions, want %d", len(resp.Sessions), len(cases))
	}
	for i, c := range cases {
		r := resp.Sessions[i]
		if r.Error != "" {
			t.Errorf("session %s: node threw: %s\n  file: %s", c.name, r.Error, c.file)
			continue
		}
		if len(r.Problems) > 0 {
			t.Errorf("session %s: Node would not load it as written:\n  - %s\n  file: %s", c.name, strings.Join(r.Problems, "\n  - "), c.file)
			continue
		}
		if r.JarReser != c.jar {
			t.Errorf("session %s: tough-cookie re-serializes the jar differently\n  Go:   %s\n  Node: %s", c.name, c.jar, r.JarReser)
		}
		hs, err := fromJSAllErr(r.Headers)
		if err != nil {
			t.Fatalf("session %s: %v", c.name, err)
		}
		for k, q := range c.queries {
			if hs[k] != c.headers[k] {
				t.Errorf("session %s: Cookie header for %s\n  Go:   %q\n  Node: %q", c.name, q, c.headers[k], hs[k])
			}
		}
		if r.Reserialized != c.after {
			t.Errorf("session %s: after the queries Node would write\n  %s\n  Go writes\n  %s", c.name, r.Reserialized, c.after)
		}
		wantDict := c.dict
		gotDict := ""
		if r.ShuffleDict != nil {
			gotDict = *r.ShuffleDict
		}
		if gotDict != wantDict {
			t.Errorf("session %s: Node reads shuffleDict %q, Go has %q", c.name, gotDict, wantDict)
		}
		if c.name == "fresh-unused" && urlshuffle.ValidDictionary(gotDict) != nil {
			t.Errorf("session %s: a new session must carry a random dictionary, got %q", c.name, gotDict)
		}
	}
	t.Logf("%d Go-written sessions loaded in Node", len(cases))
}

type wireNodeSession struct {
	DataJSON string     `json:"dataJSON"`
	Now      int64      `json:"now"`
	Steps    []wireStep `json:"steps"`
	QueryNow int64      `json:"queryNow"`
	Queries  []string   `json:"queries"`
}

type wireNodeSessionResult struct {
	Error     string   `json:"error"`
	File      string   `json:"file"`
	Headers   []string `json:"headers"`
	FileAfter string   `json:"fileAfter"`
}

// TestSessionNodeToGo has the script write session files the way
// RammerheadSession.serializeSession does (data plus the jar of hammerhead's
// cookie handling), then loads them in Go: Serialize gives the same bytes,
// the jar sends the same cookies, and after the queries both write the same.
func TestSessionNodeToGo(t *testing.T) {
	dict := "wbDfncJPWBds0YShlUq~-IGEuRKMLki8AozNvg6Tp7yx3Hm2jaQ1Z5eXFrOV94tC"
	datas := []string{
		`{"createdAt":1795906638082,"lastUsed":1795906638096,"injectable":{"scripts":["/hammerhead.js","/rammerhead.js"],"styles":[],"userScripts":[]},"externalProxySettings":null,"shuffleDict":null,"cookies":{},"restrictIP":"127.0.0.1"}`,
		`{"createdAt":1795906636459,"lastUsed":1795906636460,"injectable":{"scripts":["/hammerhead.js"],"styles":["/x.css"],"userScripts":[{"url":"/u.js","page":{"url":"http://a/"}}]},"externalProxySettings":{"host":"127.0.0.1:18091","hostname":"127.0.0.1","port":"18091","proxyAuth":"u:p","authHeader":"Basic dTpw"},"shuffleDict":"` + dict + `","cookies":{},"restrictIP":"127.0.0.1","localStorage":{"http://127.0.0.1:18090":{"data":{"theme":"dark","counter":"3"},"timestamp":1795906643517}}}`,
		`{"shuffleDict":null,"createdAt":1795906638082,"goExtra":{"note":"unknown key kept?","n":1,"s":"\u00e9\u65e5\ud83d\ude00\u2028\u2029</script>&<>","lone":"\ud800x","num":[1e21,1.5e-7,-0,0.1,123456789012345680000]},"lastUsed":1795906638099,"z":null}`,
	}
	at := func(ms int64, u string, hs ...string) wireStep {
		return wireStep{Now: ms, URL: u, SetCookies: toJSAll(hs)}
	}
	steps := [][]wireStep{
		{
			at(t0, "http://127.0.0.1:18090/set/basic", "basic_a=alpha", "basic_b=beta"),
			at(t0+10, "http://127.0.0.1:18090/set/varied", "v_secure=secval; Secure", "v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax", "v_empty=; Path=/", "moji=h\xc3\xa9llo; Path=/"),
		},
		{
			at(t0, "http://www.example.test/set/domain", "d_parent=parentval; Domain=example.test; Path=/", "d_dotparent=dotparentval; Domain=.example.test; Max-Age=7200", "d_sub=subval; Path=/sub; Secure; HttpOnly; SameSite=Strict"),
		},
		{
			at(t0, "http://localhost/", "nameless", "e=1; Priority=High; Partitioned"),
		},
	}
	req := struct {
		NodeSessions []wireNodeSession `json:"nodeSessions"`
	}{}
	for i, d := range datas {
		req.NodeSessions = append(req.NodeSessions, wireNodeSession{DataJSON: d, Now: t0 + 20, Steps: steps[i], QueryNow: t0 + 90*minute, Queries: sessionQueries})
	}
	var resp struct {
		NodeSessions []wireNodeSessionResult `json:"nodeSessions"`
	}
	runNode(t, req, &resp)
	if len(resp.NodeSessions) != len(datas) {
		t.Fatalf("node answered %d sessions, want %d", len(resp.NodeSessions), len(datas))
	}
	for i, r := range resp.NodeSessions {
		if r.Error != "" {
			t.Errorf("node session %d: node threw: %s", i, r.Error)
			continue
		}
		clk := &clock{ms: t0 + 20}
		s, err := session.Deserialize("n", []byte(r.File), &session.Options{Now: clk.now})
		if err != nil {
			t.Errorf("node session %d: Deserialize: %v\n  file: %s", i, err, r.File)
			continue
		}
		b, err := s.Serialize()
		if err != nil {
			t.Fatalf("node session %d: Serialize: %v", i, err)
		}
		if string(b) != r.File {
			t.Errorf("node session %d: Go re-serializes a Node-written file differently\n  Node: %s\n  Go:   %s", i, r.File, b)
		}
		clk.ms = t0 + 90*minute
		hs := queryGo(t, s.Jar(), sessionQueries)
		nh := fromJSAll(t, r.Headers)
		for k, q := range sessionQueries {
			if hs[k] != nh[k] {
				t.Errorf("node session %d: Cookie header for %s\n  Node: %q\n  Go:   %q", i, q, nh[k], hs[k])
			}
		}
		b, err = s.Serialize()
		if err != nil {
			t.Fatalf("node session %d: Serialize: %v", i, err)
		}
		if string(b) != r.FileAfter {
			t.Errorf("node session %d: after the queries\n  Node writes: %s\n  Go writes:   %s", i, r.FileAfter, b)
		}
	}
	t.Logf("%d Node-written sessions loaded in Go", len(datas))
}

type wireFixtureJar struct {
	Jar     string   `json:"jar"`
	Now     int64    `json:"now"`
	Queries []string `json:"queries"`
}

type wireFixtureJarResult struct {
	Error    string   `json:"error"`
	Headers  []string `json:"headers"`
	JarAfter string   `json:"jarAfter"`
}

// TestNodeFixtures loads the real Node-written (and Node-verified) fixture
// files in Go and their jars in tough-cookie, and checks that both send the
// cookies the README records upstream saw, at the fixtures' clock and two
// hours later (when v_all has expired), and that both write the same jar
// afterwards.
func TestNodeFixtures(t *testing.T) {
	dir := fixturesDir(t)
	restart := time.Date(2026, 11, 28, 22, 59, 45, 0, time.UTC).UnixMilli()
	type fx struct {
		file    string
		queries []string
		want    []string // upstream Cookie headers recorded in the README at restart ("" none, "*" not recorded)
	}
	local := []string{"http://127.0.0.1:18090/set/echo", "http://127.0.0.1:18090/sub/echo", "http://127.0.0.1:18090/echo", "http://localhost:18090/set/echo"}
	fixtures := []fx{
		{"cookies-varied-noshuffle-localstorage.rhfsession", local, []string{
			"basic_a=alpha; basic_b=beta; v_plain=plainval; v_expires=expval; v_maxage=maxageval; v_httponly=hoval; v_secure=secval; v_lax=laxval; v_strict=strictval; v_none=noneval; v_domain=domval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie",
			"v_path=pathval; v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie",
			"v_all=allval; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie",
			"",
		}},
		{"shuffle-enabled-basic-cookies.rhfsession", local, []string{"basic_a=alpha; basic_b=beta", "", "", ""}},
		{"external-proxy-auth-domain-cookies.rhfsession",
			[]string{"http://www.example.test/echo", "http://sub.example.test/sub/echo", "http://example.test/echo", "http://other.test/echo", "https://www.example.test/sub/echo"},
			[]string{"d_parent=parentval; d_hostonly=hostonlyval", "d_parent=parentval", "d_parent=parentval", "", "*"}},
		{"handwritten-modified-accepted.rhfsession", local[:3], []string{"*", "*",
			"hand_added=added_by_go; v_all=MODIFIED_BY_HAND; v_special=a=b%20c!#$; v_empty=; js_cookie=set_by_document_cookie"}},
		{"handwritten-minimal-accepted.rhfsession", local[2:3], []string{"min=minval"}},
		{"handwritten-alt-date-formats-accepted.rhfsession", local[2:3], []string{"iso_no_ms=e4; epoch_creation=e1; rfc1123_expires=e2; no_hostonly=e3"}},
		{"unused-fresh.rhfsession", local[:1], []string{""}},
		{"edited-never-browsed.rhfsession", local[:1], []string{""}},
	}
	type run struct {
		fx      int
		now     int64
		headers []string
		after   string
	}
	var runs []run
	req := struct {
		FixtureJars []wireFixtureJar `json:"fixtureJars"`
	}{}
	for i, f := range fixtures {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			t.Fatalf("read fixture: %v", err)
		}
		var top struct {
			SerializedCookieJar string `json:"serializedCookieJar"`
		}
		if err := json.Unmarshal(b, &top); err != nil {
			t.Fatalf("%s: %v", f.file, err)
		}
		for _, now := range []int64{restart, restart + 2*hour} {
			clk := &clock{ms: now}
			s, err := session.Deserialize("fx", b, &session.Options{Now: clk.now})
			if err != nil {
				t.Fatalf("%s: Deserialize: %v", f.file, err)
			}
			r := run{fx: i, now: now, headers: queryGo(t, s.Jar(), f.queries)}
			r.after = mustEncode(t, s.Jar())
			runs = append(runs, r)
			req.FixtureJars = append(req.FixtureJars, wireFixtureJar{Jar: top.SerializedCookieJar, Now: now, Queries: f.queries})
		}
	}
	var resp struct {
		FixtureJars []wireFixtureJarResult `json:"fixtureJars"`
	}
	runNode(t, req, &resp)
	if len(resp.FixtureJars) != len(runs) {
		t.Fatalf("node answered %d fixture jars, want %d", len(resp.FixtureJars), len(runs))
	}
	for k, r := range runs {
		f := fixtures[r.fx]
		n := resp.FixtureJars[k]
		if n.Error != "" {
			t.Errorf("%s: tough-cookie cannot load the jar: %s", f.file, n.Error)
			continue
		}
		nh := fromJSAll(t, n.Headers)
		for q, u := range f.queries {
			if nh[q] != r.headers[q] {
				t.Errorf("%s at %s: Cookie header for %s\n  Node: %q\n  Go:   %q", f.file, time.UnixMilli(r.now).UTC().Format(time.RFC3339), u, nh[q], r.headers[q])
			}
			if r.now == restart && f.want[q] != "*" && nh[q] != f.want[q] {
				t.Errorf("%s: the script's hammerhead emulation sends %q to %s, the README records %q", f.file, nh[q], u, f.want[q])
			}
		}
		if n.JarAfter != r.after {
			t.Errorf("%s at %s: jar after the queries\n  Node: %s\n  Go:   %s", f.file, time.UnixMilli(r.now).UTC().Format(time.RFC3339), n.JarAfter, r.after)
		}
	}
	t.Logf("%d fixture jars x 2 clocks compared", len(fixtures))
}
