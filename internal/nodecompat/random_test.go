package nodecompat

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	flagCases = flag.Int("nodecompat.cases", 300, "number of random cookie cases run against tough-cookie")
	flagSeed  = flag.Uint64("nodecompat.seed", 20261128, "seed of the random cookie cases; 0 picks one from the clock")
)

// testSeed returns the -nodecompat.seed flag, or a seed from the clock when
// it is 0, and logs it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := *flagSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -nodecompat.seed=%d)", seed, seed)
	return seed
}

// maxReported bounds how many failing random cases are printed in full.
const maxReported = 8

// hostFamilies groups request hosts that share cookies; a case draws its
// hosts from one or two families. There are no IP hosts other than
// 127.0.0.1: Go's wider localhost rules are a documented difference.
var hostFamilies = [][]string{
	{"127.0.0.1"},
	{"localhost"},
	{"www.example.test", "example.test", "sub.www.example.test", "a.example.test", "WWW.Example.Test"},
	{"www.example.com", "example.com", "a.b.example.com"},
	{"www.foo.co.uk", "foo.co.uk", "bar.co.uk"},
	{"foo.github.io", "bar.github.io"},
	{"other.test"},
}

// URL paths: no percent escapes or raw non-ASCII (a reported mismatch,
// covered by the fixed case percent-paths).
var genPaths = []string{"/", "/a", "/a/", "/a/b", "/a/b/c", "/a/bc", "/set/varied", "/sub/echo", "/A/b", "", "/a/b.html", "/x/a/b"}

type gen struct{ r *rand.Rand }

func (g *gen) pick(ss []string) string { return ss[g.r.IntN(len(ss))] }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }

// randCase flips the case of ASCII letters at random.
func (g *gen) randCase(s string) string {
	switch g.r.IntN(4) {
	case 0:
		return strings.ToLower(s)
	case 1:
		return strings.ToUpper(s)
	case 2:
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if g.chance(0.5) {
			if 'a' <= c && c <= 'z' {
				b[i] = c - 32
			} else if 'A' <= c && c <= 'Z' {
				b[i] = c + 32
			}
		}
	}
	return string(b)
}

func (g *gen) url(hosts []string) string {
	scheme := "http"
	if g.chance(0.3) {
		scheme = "https"
	}
	port := ""
	if g.chance(0.2) {
		port = g.pick([]string{":80", ":443", ":8080", ":18090"})
	}
	q := ""
	if g.chance(0.1) {
		q = g.pick([]string{"?q=1", "?a=/b/c", "#frag", "?x=1#y"})
	}
	return scheme + "://" + g.pick(hosts) + port + g.pick(genPaths) + q
}

func parents(host string) []string {
	var out []string
	for i := 0; i < len(host); i++ {
		if host[i] == '.' {
			out = append(out, host[i+1:])
		}
	}
	return out
}

func (g *gen) domain(host string, hosts []string) string {
	host = strings.ToLower(host)
	cands := []string{host, "." + host, g.pick(hosts), "other.test", "com", "co.uk", "test", "uk", "github.io", "io", "", "localhost", "127.0.0.1", " " + host + " "}
	for _, p := range parents(host) {
		cands = append(cands, p, "."+p, p+".", strings.ToUpper(p))
	}
	return g.pick(cands)
}

var (
	genNames  = []string{"a", "b", "c", "sid", "SID", "x y", "__Secure-a", "__Host-a", "n\xe9", "k.v", "$dollar", "a", "b"}
	genValues = []string{"", "v", "1", "2", "a=b", `"quoted"`, "sp ace", "  pad  ", "x,y", "%41%20", "\xc3\xa9", "\xff", "a\tb",
		"a\x00b", "v\r\nX: y", "\xa0nb\xa0", "\"", "\\", "</script>", "\x7f", "{json:1}"}
	genMaxAge = []string{"0", "-1", "1", "59", "60", "3600", "86400", "abc", "+5", "1.5", "", "99999999999999999999999", "00060", "-0", " 120 "}
	genPathAt = []string{"/", "/a", "/a/", "/a/b", "a", "", "/A", "/a/b/c/d", "/set", "/sub", " /a ", "/x"}
	genSame   = []string{"Lax", "Strict", "None", "lax", "STRICT", "bogus", ""}
	genExt    = []string{"Priority=High", "Partitioned", "Foo=bar", "Version=1", "Comment=hello world", "X", "Priority=low", "=v", "a=b=c"}
)

func (g *gen) value() string {
	if g.chance(0.35) {
		n := g.r.IntN(17)
		b := make([]byte, n)
		for i := range b {
			c := byte(0x20 + g.r.IntN(0x5F))
			if c == ';' && !g.chance(0.1) {
				c = '_'
			}
			b[i] = c
		}
		return string(b)
	}
	return g.pick(genValues)
}

// date renders now+offset in one of several formats, or garbage.
func (g *gen) date(now int64) string {
	offsets := []int64{-3650 * day, -day, -second, second, 30 * second, 59 * second, 61 * second, hour, day, 3 * day, 365 * day, 40 * 365 * day}
	t := time.UnixMilli(now + offsets[g.r.IntN(len(offsets))]).UTC()
	switch g.r.IntN(11) {
	case 0:
		return t.Format("Mon, 02 Jan 2006 15:04:05 GMT")
	case 1:
		return t.Format("Monday, 02-Jan-06 15:04:05 GMT")
	case 2:
		return t.Format("Mon Jan _2 15:04:05 2006")
	case 3:
		return t.Format("02 Jan 2006 15:04:05")
	case 4:
		return t.Format("2006-01-02T15:04:05Z")
	case 5:
		return strings.ToLower(t.Format("Mon, 2 Jan 2006 3:4:5 GMT"))
	case 6:
		return t.Format("Mon, 02 January 2006 15:04:05 -0700")
	case 7:
		return t.Format("Mon, 02-Jan-2006 15:04:05 UTC")
	case 8:
		return g.pick([]string{"Thu, 01 Jan 1970 00:00:00 GMT", "notadate", "", "Wed, 01 Jan 1600 00:00:00 GMT", "Sat, 31 Dec 9999 23:59:59 GMT", "Wed, 32 Jan 2031 00:00:00 GMT", "Wed, 01 Jan 2031 24:00:00 GMT", "0", "1 2 3"})
	case 9:
		return t.Format("Jan 2 2006 15:04:05")
	}
	return t.Format(time.RFC1123)
}

func (g *gen) setCookie(now int64, host string, hosts []string) string {
	var b strings.Builder
	switch {
	case g.chance(0.07):
		b.WriteString(g.value())
	case g.chance(0.03):
		b.WriteString("=" + g.value())
	default:
		b.WriteString(g.pick(genNames))
		b.WriteString(g.pick([]string{"=", "=", "=", " = ", "= ", " ="}))
		b.WriteString(g.value())
	}
	for n := g.r.IntN(7); n > 0; n-- {
		b.WriteString(g.pick([]string{"; ", "; ", ";", " ; ", ";; ", "; ;"}))
		switch g.r.IntN(10) {
		case 0:
			b.WriteString(g.randCase("Expires") + "=" + g.date(now))
		case 1:
			b.WriteString(g.randCase("Max-Age") + "=" + g.pick(genMaxAge))
		case 2, 3:
			b.WriteString(g.randCase("Domain") + "=" + g.domain(host, hosts))
		case 4, 5:
			b.WriteString(g.randCase("Path") + "=" + g.pick(genPathAt))
		case 6:
			b.WriteString(g.randCase(g.pick([]string{"Secure", "Secure", "Secure=1"})))
		case 7:
			b.WriteString(g.randCase(g.pick([]string{"HttpOnly", "HttpOnly", "HttpOnly=false"})))
		case 8:
			b.WriteString(g.randCase("SameSite"))
			if !g.chance(0.1) {
				b.WriteString("=" + g.randCase(g.pick(genSame)))
			}
		default:
			b.WriteString(g.randCase(g.pick(genExt)))
		}
	}
	s := b.String()
	if g.chance(0.01) {
		// Around hammerhead's 4096-byte limit.
		target := 4090 + g.r.IntN(12)
		if len(s) < target {
			s = "long=" + strings.Repeat("z", target-len(s)-5) + s
		}
	}
	return s
}

func (g *gen) jarCase(i int) jarCase {
	fams := [][]string{hostFamilies[g.r.IntN(len(hostFamilies))]}
	if g.chance(0.25) {
		fams = append(fams, hostFamilies[g.r.IntN(len(hostFamilies))])
	}
	var hosts []string
	for _, f := range fams {
		hosts = append(hosts, f...)
	}
	steps := make([]jarStep, 1+g.r.IntN(8))
	now := t0 + int64(g.r.IntN(1000))
	advances := []int64{0, 1, second, 30 * second, 61 * second, hour, 25 * hour, 3 * day}
	for k := range steps {
		if k > 0 {
			now += advances[g.r.IntN(len(advances))]
		}
		u := g.url(hosts)
		h := u[strings.Index(u, "://")+3:]
		h = strings.FieldsFunc(h, func(r rune) bool { return r == ':' || r == '/' || r == '?' || r == '#' })[0]
		sc := make([]string, 1+g.r.IntN(4))
		for m := range sc {
			sc[m] = g.setCookie(now, h, hosts)
		}
		steps[k] = jarStep{Now: now, URL: u, SetCookies: sc}
	}
	queryAdv := []int64{0, second, 61 * second, 2 * hour, 2 * day, 400 * day}
	qs := make([]string, 6)
	for k := range qs {
		qs[k] = g.url(hosts)
	}
	return jarCase{Name: fmt.Sprintf("random-%d", i), Steps: steps, QueryNow: now + queryAdv[g.r.IntN(len(queryAdv))], Queries: qs}
}

// TestJarRandom is the randomized differential test: seeded Set-Cookie
// strings (odd names and values, attributes in random case and order,
// several date formats, domains and paths) applied in Go and in
// tough-cookie, compared both ways as TestJarFixedCases does.
func TestJarRandom(t *testing.T) {
	seed := testSeed(t)
	n := *flagCases
	t.Logf("%d cases", n)
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	cases := make([]jarCase, n)
	for i := range cases {
		cases[i] = g.jarCase(i)
	}
	bad, goRuns := runJarCases(t, cases)
	idx := make([]int, 0, len(bad))
	for i := range bad {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	kinds := map[string]int{}
	for _, i := range idx {
		for _, m := range bad[i] {
			kinds[strings.SplitN(m, "\n", 2)[0]]++
		}
	}
	for k, i := range idx {
		if k == maxReported {
			t.Errorf("... and %d more failing cases", len(idx)-maxReported)
			break
		}
		t.Errorf("seed %d %s  mismatches:\n  - %s", seed, cases[i].describe(), strings.Join(bad[i], "\n  - "))
	}
	if len(idx) > 0 {
		var ks []string
		for k, v := range kinds {
			ks = append(ks, fmt.Sprintf("%5d  %s", v, k))
		}
		sort.Strings(ks)
		t.Errorf("%d of %d random cases differ; mismatch kinds:\n%s", len(idx), n, strings.Join(ks, "\n"))
	}
	var steps, strs, qs, sent, stored int
	for i, c := range cases {
		stored += strings.Count(goRuns[i].jar, `"creation":`)
		for _, h := range goRuns[i].headers {
			if h != "" {
				sent++
			}
		}
		steps += len(c.Steps)
		for _, s := range c.Steps {
			strs += len(s.SetCookies)
		}
		qs += len(c.Queries)
	}
	t.Logf("%d cases: %d responses, %d Set-Cookie strings (%d cookies stored), %d Cookie headers compared (%d not empty)", n, steps, strs, stored, qs, sent)
}
