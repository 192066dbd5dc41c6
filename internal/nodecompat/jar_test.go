package nodecompat

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

// t0 is the clock of the machine that wrote the fixtures:
// 2026-11-28T22:57:18.082Z.
const t0 int64 = 1795906638082

const (
	second int64 = 1000
	minute       = 60 * second
	hour         = 60 * minute
	day          = 24 * hour
)

// jarStep is one response: Set-Cookie strings (Go byte strings) received
// from URL at Now (epoch ms).
type jarStep struct {
	Now        int64
	URL        string
	SetCookies []string
}

// jarCase is one differential case: the steps, then Cookie headers for
// Queries at QueryNow.
type jarCase struct {
	Name     string
	Steps    []jarStep
	QueryNow int64
	Queries  []string
}

// wireStep and wireCase are the JSON the script reads.
type wireStep struct {
	Now        int64    `json:"now"`
	URL        string   `json:"url"`
	SetCookies []string `json:"setCookies"`
}

type wireCase struct {
	StartNow int64      `json:"startNow"`
	Steps    []wireStep `json:"steps"`
	QueryNow int64      `json:"queryNow"`
	Queries  []string   `json:"queries"`
	GoJar    *string    `json:"goJar,omitempty"`
}

type wireCaseResult struct {
	Error        string   `json:"error"`
	NodeJar      string   `json:"nodeJar"`
	NodeHeaders  []string `json:"nodeHeaders"`
	NodeJarAfter string   `json:"nodeJarAfter"`
	GoJarReser   string   `json:"goJarReser"`
	GoJarHeaders []string `json:"goJarHeaders"`
	GoJarAfter   string   `json:"goJarAfter"`
	GoJarError   string   `json:"goJarError"`
}

// goRun is what the Go jar did with a case.
type goRun struct {
	jar      string   // Encode after the steps
	headers  []string // CookieHeader for each query at QueryNow
	jarAfter string   // Encode after the queries
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

func startNow(c *jarCase) int64 {
	if len(c.Steps) > 0 {
		return c.Steps[0].Now
	}
	return c.QueryNow
}

// runGoCase applies the case to a fresh Go jar.
func runGoCase(t testing.TB, c *jarCase) goRun {
	t.Helper()
	clk := &clock{ms: startNow(c)}
	j := cookiejar.New(&cookiejar.Options{Now: clk.now})
	for _, s := range c.Steps {
		clk.ms = s.Now
		j.SetCookieStrings(mustURL(t, s.URL), s.SetCookies)
	}
	var r goRun
	r.jar = mustEncode(t, j)
	clk.ms = c.QueryNow
	r.headers = queryGo(t, j, c.Queries)
	r.jarAfter = mustEncode(t, j)
	return r
}

func mustEncode(t testing.TB, j *cookiejar.Jar) string {
	t.Helper()
	b, err := j.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return string(b)
}

func queryGo(t testing.TB, j *cookiejar.Jar, urls []string) []string {
	t.Helper()
	out := make([]string, len(urls))
	for i, q := range urls {
		out[i] = j.CookieHeader(mustURL(t, q))
	}
	return out
}

func toWire(c *jarCase, goJar string) wireCase {
	w := wireCase{StartNow: startNow(c), QueryNow: c.QueryNow, Queries: c.Queries, GoJar: &goJar}
	for _, s := range c.Steps {
		w.Steps = append(w.Steps, wireStep{Now: s.Now, URL: s.URL, SetCookies: toJSAll(s.SetCookies)})
	}
	return w
}

// describe prints a case so that it can be replayed by hand.
func (c *jarCase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "case %s:\n", c.Name)
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "  at %d (t0%+dms) from %s:\n", s.Now, s.Now-t0, s.URL)
		for _, h := range s.SetCookies {
			if len(h) > 200 {
				fmt.Fprintf(&b, "    Set-Cookie: %.120q... (%d bytes)\n", h, len(h))
			} else {
				fmt.Fprintf(&b, "    Set-Cookie: %q\n", h)
			}
		}
	}
	fmt.Fprintf(&b, "  queries at %d (t0%+dms): %q\n", c.QueryNow, c.QueryNow-t0, c.Queries)
	return b.String()
}

// compareCase checks one case's Go run against the script's answer, both
// directions, and returns the mismatches found (empty when all agree).
func compareCase(t testing.TB, c *jarCase, g goRun, n wireCaseResult) []string {
	t.Helper()
	var bad []string
	add := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if n.Error != "" {
		add("node threw: %s", n.Error)
		return bad
	}
	nodeHeaders, err := fromJSAllErr(n.NodeHeaders)
	if err != nil {
		add("node headers: %v", err)
		return bad
	}

	// Go -> Node: the Go encoding loads in tough-cookie and re-serializes
	// to the same bytes; the loaded jar sends what Go sends.
	if n.GoJarError != "" {
		add("Go->Node: tough-cookie cannot load the Go jar: %s\n    Go jar: %s", n.GoJarError, g.jar)
	} else {
		if n.GoJarReser != g.jar {
			add("Go->Node: re-serialization differs\n    Go:   %s\n    Node: %s", g.jar, n.GoJarReser)
		}
		gh, err := fromJSAllErr(n.GoJarHeaders)
		if err != nil {
			add("Go->Node headers: %v", err)
		} else {
			for i, q := range c.Queries {
				if gh[i] != g.headers[i] {
					add("Go->Node: Cookie header for %s differs\n    Go:   %q\n    Node: %q", q, g.headers[i], gh[i])
				}
			}
		}
		if n.GoJarAfter != g.jarAfter {
			add("Go->Node: jar after the queries differs\n    Go:   %s\n    Node: %s", g.jarAfter, n.GoJarAfter)
		}
	}

	// Same input, both jars: equal serializations and headers.
	if n.NodeJar != g.jar {
		add("Set-Cookie processing differs (jar after the steps)\n    Go:   %s\n    Node: %s", g.jar, n.NodeJar)
	}
	for i, q := range c.Queries {
		if nodeHeaders[i] != g.headers[i] {
			add("Cookie header for %s differs (jars built from the same input)\n    Go:   %q\n    Node: %q", q, g.headers[i], nodeHeaders[i])
		}
	}

	// Node -> Go: the Node serialization decodes in Go, re-encodes to the
	// same bytes, and the decoded jar sends what Node sends.
	clk := &clock{ms: c.QueryNow}
	j, err := cookiejar.Decode([]byte(n.NodeJar), &cookiejar.Options{Now: clk.now})
	if err != nil {
		add("Node->Go: Decode failed: %v\n    Node jar: %s", err, n.NodeJar)
		return bad
	}
	if enc := mustEncode(t, j); enc != n.NodeJar {
		add("Node->Go: re-encoding differs\n    Node: %s\n    Go:   %s", n.NodeJar, enc)
	}
	hs := queryGo(t, j, c.Queries)
	for i, q := range c.Queries {
		if hs[i] != nodeHeaders[i] {
			add("Node->Go: Cookie header for %s differs\n    Node: %q\n    Go:   %q", q, nodeHeaders[i], hs[i])
		}
	}
	if enc := mustEncode(t, j); enc != n.NodeJarAfter {
		add("Node->Go: jar after the queries differs\n    Node: %s\n    Go:   %s", n.NodeJarAfter, enc)
	}
	return bad
}

func fromJSAllErr(ss []string) ([]string, error) {
	out := make([]string, len(ss))
	for i, s := range ss {
		v, err := fromJS(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// runJarCases runs every case in Go, then all of them in one node process,
// and returns the mismatches per case index (only failing cases present).
func runJarCases(t testing.TB, cases []jarCase) (map[int][]string, []goRun) {
	t.Helper()
	goRuns := make([]goRun, len(cases))
	req := struct {
		JarCases []wireCase `json:"jarCases"`
	}{}
	for i := range cases {
		goRuns[i] = runGoCase(t, &cases[i])
		req.JarCases = append(req.JarCases, toWire(&cases[i], goRuns[i].jar))
	}
	var resp struct {
		JarCases []wireCaseResult `json:"jarCases"`
	}
	runNode(t, req, &resp)
	if len(resp.JarCases) != len(cases) {
		t.Fatalf("node answered %d cases, want %d", len(resp.JarCases), len(cases))
	}
	bad := map[int][]string{}
	for i := range cases {
		if len(resp.JarCases[i].NodeHeaders) != len(cases[i].Queries) && resp.JarCases[i].Error == "" {
			t.Fatalf("case %s: node answered %d headers, want %d", cases[i].Name, len(resp.JarCases[i].NodeHeaders), len(cases[i].Queries))
		}
		if m := compareCase(t, &cases[i], goRuns[i], resp.JarCases[i]); len(m) > 0 {
			bad[i] = m
		}
	}
	return bad, goRuns
}

// Query URL sets used by the fixed cases.
var (
	localQueries = []string{
		"http://127.0.0.1:18090/set/echo",
		"http://127.0.0.1:18090/sub/echo",
		"http://127.0.0.1:18090/echo",
		"https://127.0.0.1/set/x",
		"http://localhost:18090/set/echo",
		"http://localhost/",
	}
	exampleQueries = []string{
		"http://www.example.test/echo",
		"http://www.example.test/set/x",
		"https://www.example.test/sub/echo",
		"http://sub.example.test/sub/echo",
		"http://example.test/echo",
		"http://a.sub.example.test/a/b/c",
		"http://other.test/echo",
		"http://WWW.Example.TEST/set/",
	}
	pathQueries = []string{
		"http://www.example.test/",
		"http://www.example.test/a",
		"http://www.example.test/a/",
		"http://www.example.test/a/b",
		"http://www.example.test/a/b/c",
		"http://www.example.test/a/bc",
		"http://www.example.test/A/b",
		"http://www.example.test/x/a/b",
		"http://www.example.test",
		"http://www.example.test/a/b?q=1#frag",
	}
)

// variants makes one case per query delay (0 when none is given): the
// steps, then the queries that long after the last step.
func variants(name string, steps []jarStep, queries []string, after ...int64) []jarCase {
	last := steps[len(steps)-1].Now
	if len(after) == 0 {
		after = []int64{0}
	}
	var out []jarCase
	for _, a := range after {
		out = append(out, jarCase{Name: fmt.Sprintf("%s@+%dms", name, a), Steps: steps, QueryNow: last + a, Queries: queries})
	}
	return out
}

// fixedCases are hand-written cases covering the README's table, domain
// cookies, paths, expiry, SameSite, extensions, nameless cookies, latin1
// bytes, refreshes and deletions.
func fixedCases() []jarCase {
	at := func(ms int64, u string, hs ...string) jarStep { return jarStep{Now: ms, URL: u, SetCookies: hs} }
	varied := []jarStep{
		at(t0, "http://127.0.0.1:18090/set/basic", "basic_a=alpha", "basic_b=beta"),
		at(t0+10, "http://127.0.0.1:18090/set/varied",
			"v_plain=plainval",
			"v_path=pathval; Path=/sub",
			"v_expires=expval; Expires=Wed, 01 Jan 2031 00:00:00 GMT",
			"v_maxage=maxageval; Max-Age=86400",
			"v_httponly=hoval; HttpOnly",
			"v_secure=secval; Secure",
			"v_lax=laxval; SameSite=Lax",
			"v_strict=strictval; SameSite=Strict",
			"v_none=noneval; SameSite=None; Secure",
			"v_domain=domval; Domain=127.0.0.1",
			"v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
			"v_special=a=b%20c!#$; Path=/",
			"v_empty=; Path=/",
			"v_expired=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		),
		at(t0+20, "http://localhost:18090/set/x", "lh=1; Domain=localhost", "lh2=2; Domain=.LOCALHOST; Path=/", "lh3=3; Secure; Path=/"),
	}
	domain := []jarStep{
		at(t0, "http://www.example.test/set/domain",
			"d_parent=parentval; Domain=example.test; Path=/",
			"d_dotparent=dotparentval; Domain=.example.test; Max-Age=7200",
			"d_hostonly=hostonlyval; Path=/",
			"d_sub=subval; Path=/sub; Secure; HttpOnly; SameSite=Strict",
			"d_foreign=x; Domain=other.test",
			"d_self=s; Domain=www.example.test; Path=/",
			"d_child=c; Domain=sub.www.example.test; Path=/",
			"d_upper=u; Domain=EXAMPLE.Test; Path=/",
			"d_trail=t; Domain=example.test.; Path=/",
			"d_tld=t; Domain=test; Path=/",
			"d_empty=e; Domain=; Path=/",
		),
		at(t0+5, "https://sub.example.test/sub/", "s1=1; Secure", "s2=2; Domain=example.test; Path=/sub; Secure"),
	}
	psl := []jarStep{
		at(t0, "http://www.example.com/", "p1=1; Domain=com", "p2=2; Domain=example.com", "p3=3; Domain=.com", "p4=4; Domain=www.example.com"),
		at(t0+1, "http://www.foo.co.uk/", "u1=1; Domain=co.uk", "u2=2; Domain=foo.co.uk", "u3=3; Domain=uk"),
		at(t0+2, "http://foo.github.io/", "g1=1; Domain=github.io", "g2=2; Domain=foo.github.io"),
		at(t0+3, "http://example.local/", "l1=1; Domain=local", "l2=2; Domain=example.local"),
	}
	pslQueries := []string{
		"http://www.example.com/", "http://a.example.com/", "http://www.foo.co.uk/x", "http://bar.co.uk/",
		"http://foo.github.io/", "http://bar.github.io/", "http://example.local/", "http://x.example.local/",
	}
	paths := []jarStep{
		at(t0, "http://www.example.test/a/b/c",
			"def=1", "root=2; Path=/", "pa=3; Path=/a", "pas=4; Path=/a/", "pab=5; Path=/a/b",
			"rel=6; Path=a", "empty=7; Path=", "upper=8; Path=/A", "deep=9; Path=/a/b/c/d", "q=10; Path=/a?x"),
		at(t0+1, "http://www.example.test/", "rootdef=11"),
		at(t0+2, "http://www.example.test/a", "adef=12"),
		at(t0+3, "http://www.example.test/a/b/c", "def=1b", "pa=3b; Path=/a"),
		at(t0+4, "http://www.example.test", "nopath=13"),
	}
	expiry := []jarStep{
		at(t0, "http://www.example.test/e/x",
			"ma60=1; Max-Age=60; Path=/",
			"ma0=2; Max-Age=0; Path=/",
			"maneg=3; Max-Age=-5; Path=/",
			"mabad=4; Max-Age=abc; Path=/",
			"maplus=5; Max-Age=+5; Path=/",
			"mafrac=6; Max-Age=1.5; Path=/",
			"mahuge=7; Max-Age=99999999999999999999999; Path=/",
			"mainf=8; Max-Age=999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999; Path=/",
			"both=9; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=3600; Path=/",
			"both2=10; Max-Age=-1; Expires=Wed, 01 Jan 2031 00:00:00 GMT; Path=/",
			"exp_soon=11; Expires=Sat, 28 Nov 2026 23:00:00 GMT; Path=/",
			"exp_far=12; expires=Fri, 31 Dec 9999 23:59:59 GMT; Path=/",
			"exp_bad=13; Expires=notadate; Path=/",
			"exp_2digit=14; Expires=Wed, 01-Jan-31 00:00:00 GMT; Path=/",
			"exp_asctime=15; Expires=Wed Jan  1 00:00:00 2031; Path=/",
			"exp_iso=16; Expires=2031-01-01T00:00:00Z; Path=/",
			"exp_1600=17; Expires=Wed, 01 Jan 1600 00:00:00 GMT; Path=/",
			"exp_zone=18; Expires=01 Jan 2031 00:00:00 +0500; Path=/",
			"exp_2069=19; Expires=Wed, 01-Jan-69 00:00:00 GMT; Path=/",
			"exp_1970=20; Expires=Thu, 01-Jan-70 00:00:01 GMT; Path=/",
		),
		// Refresh: keeps creation, so Max-Age counts from the first set.
		at(t0+30*second, "http://www.example.test/e/x", "ma60=1b; Max-Age=60; Path=/"),
		at(t0+2*minute, "http://www.example.test/e/x", "ma60=1c; Max-Age=3600; Path=/", "maplus=gone; Max-Age=0; Path=/"),
	}
	samesite := []jarStep{
		at(t0, "http://www.example.test/",
			"s1=1; SameSite=Lax", "s2=2; samesite=strict", "s3=3; SAMESITE=NONE", "s4=4; SameSite=bogus",
			"s5=5; SameSite", "s6=6; SameSite=", "s7=7; SameSite=Lax; SameSite=bogus", "s8=8; SameSite=None; SameSite=Strict"),
	}
	extensions := []jarStep{
		at(t0, "http://www.example.test/",
			"e1=1; Priority=High", "e2=2; Partitioned; Secure", "e3=3; Priority=High; Partitioned; Foo=bar; Version=1",
			"e4=4; priority=HIGH;  ; Comment=a b ; X=Y=Z", "e5=5; Secure=no; HttpOnly=false", "e6=6; =weird; ==; ;;"),
	}
	nameless := []jarStep{
		at(t0, "http://www.example.test/",
			"foo", "=bar", "a=b=c", "=a=b", " spaced name = spaced value ", "\"quoted\"=\"v\"",
			"x=\"quoted value\"", "=", "", "  ", ";Path=/", "=; Path=/", "justvalue; Path=/"),
		at(t0+1, "http://www.example.test/", "foo2", "foo; Path=/x"),
	}
	latin1 := []jarStep{
		at(t0, "http://www.example.test/",
			"n=h\xc3\xa9llo", "\xe9t\xe9=caf\xe9", "ff=\xff\xfe", "nb=\xa0pad\xa0", "\xa0k\xa0=v",
			"mix=\xc3\xa9; Path=/\xc3\xa9", "dom=1; Domain=\xc9xample.test", "q=\x80\x81\x9f"),
	}
	control := []jarStep{
		at(t0, "http://www.example.test/",
			"tab=b\tc", "nul=b\x00junk; Path=/", "crlf=d\r\nSet-Cookie: e=f", "del=h\x7f", "lf=x\ny; Path=/",
			"ctl=\x01", "k\x02=v", "attr=1; Path=/a\tb", "vt=a\vb", "cr=only\r"),
	}
	refresh := []jarStep{
		at(t0, "http://www.example.test/r/", "a=1; Path=/", "b=1; Path=/", "c=1; Path=/", "d=1; Path=/r"),
		at(t0+second, "http://www.example.test/r/", "b=2; Path=/", "e=1; Path=/"),
		at(t0+2*second, "http://www.example.test/r/", "a=2; Path=/; Max-Age=-1", "d=2; Path=/r", "c=3; Path=/other; Max-Age=0"),
		at(t0+3*second, "http://www.example.test/r/", "a=3; Path=/"),
		at(t0+4*second, "http://www.example.test/r/", "c=4; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
	}
	secure := []jarStep{
		at(t0, "http://www.example.test/", "sec=1; Secure", "plain=1"),
		at(t0+1, "https://www.example.test/", "sec2=2; Secure", "httponly=3; HttpOnly"),
		at(t0+2, "http://127.0.0.1/", "lsec=1; Secure"),
		at(t0+3, "http://localhost/", "lsec=2; Secure"),
	}
	secureQueries := []string{
		"http://www.example.test/", "https://www.example.test/", "wss://www.example.test/", "ws://www.example.test/",
		"http://127.0.0.1/", "https://127.0.0.1/", "http://localhost/", "http://localhost:8080/x",
	}
	prefixes := []jarStep{
		at(t0, "https://www.example.test/set/x",
			"__Secure-a=1", "__Secure-b=1; Secure", "__Host-c=1; Secure; Path=/", "__Host-d=1; Secure; Domain=example.test; Path=/",
			"__Host-e=1; Secure", "__host-f=1", "__secure-g=1", "__Host-h=1; Path=/"),
		at(t0+1, "http://www.example.test/", "__Secure-i=1; Secure", "__Host-j=1; Secure; Path=/"),
	}
	long := []jarStep{
		at(t0, "http://www.example.test/",
			"l4096="+strings.Repeat("x", 4096-6),
			"l4097="+strings.Repeat("x", 4097-6),
			"l4000="+strings.Repeat("y", 3990)+"; Path=/",
		),
	}
	unusualURLs := []jarStep{
		at(t0, "http://WWW.Example.TEST:8080/A/b?x=1#f", "uc=1", "ucd=2; Domain=EXAMPLE.TEST; Path=/"),
		at(t0+1, "http://www.example.test/x/y/", "slash=1"),
		at(t0+2, "http://user:pw@www.example.test/u/", "userinfo=1"),
		at(t0+3, "http://xn--bcher-kva.example/p/q", "puny=1", "punyd=2; Domain=xn--bcher-kva.example"),
	}
	unusualQueries := []string{
		"http://www.example.test/A/b", "http://www.example.test/a/b", "http://www.example.test:9/x/y/z",
		"http://www.example.test/u/", "http://xn--bcher-kva.example/p/x", "http://a.xn--bcher-kva.example/p/",
	}

	idn := []jarStep{
		at(t0, "http://b\xc3\xbccher.example/p/", "idn=1", "idnd=2; Domain=xn--bcher-kva.example; Path=/"),
	}
	idnQueries := []string{"http://xn--bcher-kva.example/p/", "http://b\xc3\xbccher.example/p/", "http://www.xn--bcher-kva.example/"}
	oddURLs := []jarStep{
		at(t0, "HTTPS://WWW.EXAMPLE.TEST/Up/x", "upscheme=1; Secure"),
		at(t0+2, "http://www.example.test//dbl//x", "dbl=1"),
		at(t0+3, "http://www.example.test/a/./b/../c/x", "dots=1"),
		at(t0+4, "http://www.example.test/m;p=1/x", "matrix=1"),
		at(t0+5, "http://www.example.test/q/x?a=/b/c/d", "query=1"),
		at(t0+6, "http://www.example.test:443/port/x", "port=1"),
	}
	oddURLQueries := []string{
		"https://www.example.test/Up/x", "HTTP://www.example.test/Up/x", "http://www.example.test//dbl//y", "http://www.example.test/dbl/y", "http://www.example.test/a/./b/../c/y", "http://www.example.test/a/c/y",
		"http://www.example.test/m;p=1/y", "http://www.example.test/q/y", "http://www.example.test/q", "http://www.example.test/port/y",
	}
	mk := variants
	var cs []jarCase
	cs = append(cs, mk("readme-varied", varied, localQueries, 0, 5*minute, 2*hour, 2*day, 5*365*day)...)
	cs = append(cs, mk("readme-domain", domain, exampleQueries, 0, 3*hour)...)
	cs = append(cs, mk("public-suffix", psl, pslQueries)...)
	cs = append(cs, mk("paths", paths, pathQueries)...)
	cs = append(cs, mk("expiry", expiry, []string{"http://www.example.test/", "http://www.example.test/e/x"}, 0, 59*second, 61*second, 2*hour, 10*365*day)...)
	cs = append(cs, mk("samesite", samesite, []string{"http://www.example.test/"})...)
	cs = append(cs, mk("extensions", extensions, []string{"http://www.example.test/", "https://www.example.test/"})...)
	cs = append(cs, mk("nameless", nameless, []string{"http://www.example.test/", "http://www.example.test/x/y"})...)
	cs = append(cs, mk("latin1", latin1, []string{"http://www.example.test/", "http://www.example.test/x"})...)
	cs = append(cs, mk("control", control, []string{"http://www.example.test/", "http://www.example.test/a"})...)
	cs = append(cs, mk("refresh-delete", refresh, []string{"http://www.example.test/", "http://www.example.test/r/x", "http://www.example.test/other"})...)
	cs = append(cs, mk("secure", secure, secureQueries)...)
	cs = append(cs, mk("prefixes", prefixes, []string{"https://www.example.test/set/x", "https://www.example.test/", "https://a.example.test/"})...)
	cs = append(cs, mk("long", long, []string{"http://www.example.test/"})...)
	cs = append(cs, mk("unusual-urls", unusualURLs, unusualQueries)...)
	cs = append(cs, mk("idn-host", idn, idnQueries)...)
	cs = append(cs, mk("odd-urls", oddURLs, oddURLQueries)...)
	return cs
}

func TestJarFixedCases(t *testing.T) {
	cases := fixedCases()
	bad, _ := runJarCases(t, cases)
	for i := range cases {
		if m, ok := bad[i]; ok {
			t.Errorf("%s  mismatches:\n  - %s", cases[i].describe(), strings.Join(m, "\n  - "))
		}
	}
	t.Logf("%d fixed cases, %d with mismatches", len(cases), len(bad))
}

// TestJarPercentEncodedPaths covers request URLs whose path has
// percent-escapes or non-ASCII characters. tough-cookie takes the request
// path from decodeURI(url) (UTF-8 escapes become UTF-16 characters; escapes
// of reserved characters such as %2F stay as they are; a malformed escape
// leaves the whole URL undecoded), while cookiejar uses url.URL.Path (every
// escape decoded, kept as bytes). The default path of a cookie set without
// Path, and path-matching against a cookie's Path, then differ; and a Node
// jar holding a default path with a character above U+00FF (a cookie set
// from /%E6%97%A5/x) cannot be decoded by cookiejar at all. This is a
// cookiejar mismatch, reported to the lead; the test fails until it is fixed.
func TestJarPercentEncodedPaths(t *testing.T) {
	at := func(ms int64, u string, hs ...string) jarStep { return jarStep{Now: ms, URL: u, SetCookies: hs} }
	percent := []jarStep{
		at(t0, "http://www.example.test/a%2Fb/c", "enc2f=1"),
		at(t0+1, "http://www.example.test/sp%20ace/x", "encsp=1"),
		at(t0+2, "http://www.example.test/%C3%A9/x", "encutf8=1"),
		at(t0+3, "http://www.example.test/%E6%97%A5/x", "enccjk=1"),
		at(t0+4, "http://www.example.test/%E9/x", "enclatin1=1"),
		at(t0+5, "http://www.example.test/p/", "rawe9=1; Path=/\xe9", "rawutf8=1; Path=/\xc3\xa9"),
	}
	percentQueries := []string{
		"http://www.example.test/a%2Fb/c", "http://www.example.test/a/b/c", "http://www.example.test/sp%20ace/x",
		"http://www.example.test/%C3%A9/x", "http://www.example.test/%E9/x", "http://www.example.test/%E6%97%A5/x",
	}

	cases := variants("percent-paths", percent, percentQueries)
	cases = append(cases, variants("percent-2f", percent[:1], percentQueries[:2])...)
	cases = append(cases, variants("percent-utf8-latin1-range", percent[2:3], percentQueries[3:4])...)
	cases = append(cases, variants("percent-cjk", percent[3:4], percentQueries[5:6])...)
	cases = append(cases, variants("percent-invalid-utf8", percent[4:5], percentQueries[4:5])...)
	cases = append(cases, variants("raw-latin1-path-attr", percent[5:6], percentQueries[3:5])...)
	bad, _ := runJarCases(t, cases)
	for i := range cases {
		if m, ok := bad[i]; ok {
			t.Errorf("%s  mismatches:\n  - %s", cases[i].describe(), strings.Join(m, "\n  - "))
		}
	}
}

// TestJarTrailingDotHost covers a request host written with a trailing dot
// (http://www.example.test./). Both jars store a cookie set from it under
// the domain "www.example.test.", but tough-cookie's MemoryCookieStore does
// not find it again for that host (permuteDomain drops the trailing dot),
// so Node never sends it, while cookiejar does. A cookiejar mismatch,
// reported to the lead; the test fails until it is fixed.
func TestJarTrailingDotHost(t *testing.T) {
	steps := []jarStep{{Now: t0, URL: "http://www.example.test./dot/x", SetCookies: []string{"trail=1", "traild=2; Domain=example.test; Path=/"}}}
	cases := variants("trailing-dot-host", steps, []string{"http://www.example.test./dot/y", "http://www.example.test/dot/y", "http://www.example.test/"})
	bad, _ := runJarCases(t, cases)
	for i := range cases {
		if m, ok := bad[i]; ok {
			t.Errorf("%s  mismatches:\n  - %s", cases[i].describe(), strings.Join(m, "\n  - "))
		}
	}
}
