package nodecompat

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

// jarJSONHosts are the domains hand-made cookies are given.
var jarJSONHosts = []string{"127.0.0.1", "localhost", "www.example.test", "example.test", "sub.example.test"}

var jarJSONQueries = []string{
	"http://127.0.0.1/", "http://127.0.0.1/a/b", "http://localhost/a", "http://www.example.test/", "https://www.example.test/a/b",
	"http://sub.example.test/a", "http://example.test/",
}

// field is one "name":value pair of hand-made JSON.
type field struct {
	name string
	raw  string
}

func jsonStr(s string) string {
	b, err := json.Marshal(toJS(s))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// cookieJSON makes one cookie object the way a person or another program
// might write it: every field optional, dates in the forms JavaScript's
// Date accepts, defaults written out or left away.
func (g *gen) cookieJSON(now int64) string {
	var fs []field
	opt := func(p float64, name string, vals ...string) {
		if g.chance(p) {
			fs = append(fs, field{name, g.pick(vals)})
		}
	}
	date := func() string {
		ms := now + []int64{-day, -second, second, hour, 365 * day}[g.r.IntN(5)]
		tm := (&clock{ms: ms}).now()
		return g.pick([]string{
			jsonStr(tm.Format("2006-01-02T15:04:05.000Z")),
			jsonStr(tm.Format("2006-01-02T15:04:05Z")),
			jsonStr(tm.Format("Mon, 02 Jan 2006 15:04:05 GMT")),
			fmt.Sprint(ms),
			jsonStr(tm.Format("2006-01-02T15:04:05")),
			jsonStr(tm.Format("2006-01-02")),
			jsonStr(tm.Format("2006-01-02T15:04:05.000+01:00")),
		})
	}
	opt(0.95, "key", jsonStr(g.pick(genNames)), `""`, jsonStr("k\xe9"))
	opt(0.9, "value", jsonStr(g.value()), `""`, jsonStr("v\xc3\xa9"))
	if g.chance(0.4) {
		fs = append(fs, field{"expires", g.pick([]string{date(), `"Infinity"`})})
	}
	opt(0.3, "maxAge", "60", "3600", "0", "-1", "1.5", `"Infinity"`, `"-Infinity"`, "null", "86400")
	opt(0.97, "domain", jsonStr(g.pick(jarJSONHosts)), jsonStr(g.pick(jarJSONHosts)), "null")
	opt(0.95, "path", `"/"`, `"/a"`, `"/a/"`, `"/a/b"`, "null")
	opt(0.3, "secure", "true", "false")
	opt(0.3, "httpOnly", "true", "false")
	opt(0.2, "extensions", `["Priority=High"]`, `["Partitioned","X=1"]`, "null")
	opt(0.8, "hostOnly", "true", "false", "null", "true")
	opt(0.3, "pathIsDefault", "true", "null")
	if g.chance(0.8) {
		fs = append(fs, field{"creation", date()})
	}
	if g.chance(0.6) {
		fs = append(fs, field{"lastAccessed", g.pick([]string{date(), "null"})})
	}
	opt(0.3, "sameSite", `"lax"`, `"strict"`, `"none"`)
	opt(0.1, "unknownField", `{"x":1}`, "42")
	g.r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonStr(f.name) + ":" + f.raw)
	}
	b.WriteByte('}')
	return b.String()
}

func (g *gen) jarJSON(now int64) string {
	var b strings.Builder
	b.WriteByte('{')
	if g.chance(0.7) {
		b.WriteString(`"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore",`)
	}
	if g.chance(0.8) {
		b.WriteString(`"rejectPublicSuffixes":` + g.pick([]string{"true", "false"}) + ",")
	}
	if g.chance(0.5) {
		b.WriteString(`"enableLooseMode":` + g.pick([]string{"true", "false"}) + ",")
	}
	b.WriteString(`"cookies":[`)
	for i, n := 0, g.r.IntN(7); i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(g.cookieJSON(now))
	}
	b.WriteString("]}")
	return b.String()
}

// TestJarJSONRandom feeds hand-made serialized jars (fields optional,
// defaults written or omitted, dates in several forms, random key order) to
// tough-cookie and to cookiejar.Decode: Go's Encode must give what
// tough-cookie writes back, and both must send the same cookies.
func TestJarJSONRandom(t *testing.T) {
	seed := testSeed(t)
	g := &gen{r: rand.New(rand.NewPCG(seed, 11))}
	n := *flagCases
	now := t0 + 5*minute
	jars := make([]string, n)
	req := struct {
		FixtureJars []wireFixtureJar `json:"fixtureJars"`
	}{}
	for i := range jars {
		jars[i] = g.jarJSON(now)
		req.FixtureJars = append(req.FixtureJars, wireFixtureJar{Jar: jars[i], Now: now, Queries: jarJSONQueries})
	}
	var resp struct {
		FixtureJars []struct {
			wireFixtureJarResult
			JarReser string `json:"jarReser"`
		} `json:"fixtureJars"`
	}
	runNode(t, req, &resp)
	if len(resp.FixtureJars) != n {
		t.Fatalf("node answered %d jars, want %d", len(resp.FixtureJars), n)
	}
	kinds := map[string]int{}
	reported, bad, rejected, sent := 0, 0, 0, 0
	for i, jar := range jars {
		r := resp.FixtureJars[i]
		var ms []string
		clk := &clock{ms: now}
		j, err := cookiejar.Decode([]byte(jar), &cookiejar.Options{Now: clk.now})
		switch {
		case r.Error != "" && err != nil:
			rejected++ // both reject it
			continue
		case r.Error != "":
			ms = append(ms, "tough-cookie rejects a jar Go accepts: "+r.Error)
		case err != nil:
			ms = append(ms, fmt.Sprintf("Go rejects a jar tough-cookie loads: %v\n    Node writes it back as %s", err, r.JarReser))
		default:
			if enc := mustEncode(t, j); enc != r.JarReser {
				ms = append(ms, fmt.Sprintf("Encode after Decode differs from tough-cookie's re-serialization\n    Node: %s\n    Go:   %s", r.JarReser, enc))
			}
			nh, err := fromJSAllErr(r.Headers)
			if err != nil {
				t.Fatalf("jar %d: %v", i, err)
			}
			for k, q := range jarJSONQueries {
				h := j.CookieHeader(mustURL(t, q))
				if h != "" {
					sent++
				}
				if h != nh[k] {
					ms = append(ms, fmt.Sprintf("Cookie header for %s\n    Node: %q\n    Go:   %q", q, nh[k], h))
				}
			}
			if enc := mustEncode(t, j); enc != r.JarAfter {
				ms = append(ms, fmt.Sprintf("jar after the queries\n    Node: %s\n    Go:   %s", r.JarAfter, enc))
			}
		}
		if len(ms) == 0 {
			continue
		}
		bad++
		for _, m := range ms {
			kinds[strings.SplitN(m, "\n", 2)[0]]++
		}
		if reported < maxReported {
			reported++
			t.Errorf("seed %d jar %d: %s\n  mismatches:\n  - %s", seed, i, jar, strings.Join(ms, "\n  - "))
		}
	}
	if bad > 0 {
		var ks []string
		for k, v := range kinds {
			ks = append(ks, fmt.Sprintf("%5d  %.160s", v, k))
		}
		sort.Strings(ks)
		t.Errorf("%d of %d hand-made jars differ; mismatch kinds:\n%s", bad, n, strings.Join(ks, "\n"))
	}
	t.Logf("seed %d: %d hand-made jars compared (%d rejected by both), %d headers not empty", seed, n, rejected, sent)
}
