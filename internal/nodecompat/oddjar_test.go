package nodecompat

import (
	"errors"
	"testing"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

// oddOutcome is what a hand-made jar of an odd shape is expected to do.
type oddOutcome int

const (
	// same: both load it, re-serialize it to the same bytes and send the
	// same cookies.
	same oddOutcome = iota
	// bothReject: both refuse it.
	bothReject
	// goStricter: tough-cookie loads it but Decode rejects it with
	// ErrInvalidJar, as documented (cookies must be objects with fields of
	// their tough-cookie types; strings above U+00FF would crash Node when
	// the cookie is sent).
	goStricter
	// nodeFails: tough-cookie throws (here when re-serializing an
	// "expires": null), Go loads it and writes a valid jar.
	nodeFails
)

func (o oddOutcome) String() string {
	return [...]string{"same", "bothReject", "goStricter", "nodeFails"}[o]
}

// TestJarJSONOddShapes pins how Decode and tough-cookie treat serialized
// jars of unusual shapes: wrong JSON types, nulls, out-of-range dates,
// duplicate keys, missing fields.
func TestJarJSONOddShapes(t *testing.T) {
	c := func(body string) string { return `{"rejectPublicSuffixes":true,"cookies":[` + body + `]}` }
	cases := []struct {
		jar  string
		want oddOutcome
	}{
		{`{}`, bothReject},
		{`{"cookies":{}}`, bothReject},
		{`[]`, bothReject},
		{`null`, bothReject},
		{`"str"`, bothReject},
		{`{"cookies":[]}`, same},
		{c(`null`), goStricter},
		{c(`1`), goStricter},
		{c(`"str"`), goStricter},
		{c(`[]`), goStricter},
		{c(`{}`), same},
		{c(`{"key":"a","value":5,"domain":"127.0.0.1","path":"/"}`), goStricter},
		{c(`{"key":7,"value":"v","domain":"127.0.0.1","path":"/"}`), goStricter},
		{c(`{"key":"a","value":"v","domain":"WWW.EXAMPLE.TEST","path":"/"}`), same},
		{c(`{"key":"a","value":"v","domain":".example.test","path":"/"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"a"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":"garbage"}`), bothReject},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","creation":"garbage"}`), bothReject},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","lastAccessed":"garbage"}`), bothReject},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","hostOnly":"true"}`), goStricter},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","secure":1}`), goStricter},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","maxAge":"60"}`), goStricter},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","sameSite":"Lax"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","extensions":"Priority=High"}`), goStricter},
		{c(`{"key":"a","value":"v\u0100","domain":"www.example.test","path":"/"}`), goStricter},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":null}`), nodeFails},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","creation":null}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","maxAge":1e400}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":8.64e15}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":"+275760-09-13T00:00:00.000Z"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":-1}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","creation":1795906638082.7}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","key":"b"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/"},{"key":"a","value":"w","domain":"www.example.test","path":"/"}`), same},
		{c(`{"key":"a","value":"v","domain":null,"path":"/"}`), same},
		{c(`{"key":"a","value":"v","path":"/"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","hostOnly":false}`), same},
		{c(`{"key":"","value":"","domain":"www.example.test","path":"/"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","expires":"Infinity","maxAge":"-Infinity"}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","maxAge":0}`), same},
		{c(`{"key":"a","value":"v","domain":"www.example.test","path":"/","creation":"2026-11-28T22:57:18.082Z","maxAge":-5}`), same},
	}
	queries := []string{"http://www.example.test/", "http://127.0.0.1/", "https://a.www.example.test/x"}
	req := struct {
		FixtureJars []wireFixtureJar `json:"fixtureJars"`
	}{}
	for _, k := range cases {
		req.FixtureJars = append(req.FixtureJars, wireFixtureJar{Jar: k.jar, Now: t0, Queries: queries})
	}
	var resp struct {
		FixtureJars []struct {
			wireFixtureJarResult
			JarReser string `json:"jarReser"`
		} `json:"fixtureJars"`
	}
	runNode(t, req, &resp)
	if len(resp.FixtureJars) != len(cases) {
		t.Fatalf("node answered %d jars, want %d", len(resp.FixtureJars), len(cases))
	}
	for i, k := range cases {
		r := resp.FixtureJars[i]
		clk := &clock{ms: t0}
		j, err := cookiejar.Decode([]byte(k.jar), &cookiejar.Options{Now: clk.now})
		if err != nil && !errors.Is(err, cookiejar.ErrInvalidJar) {
			t.Errorf("%s: Decode error %v does not wrap ErrInvalidJar", k.jar, err)
		}
		var got oddOutcome
		switch {
		case err != nil && r.Error != "":
			got = bothReject
		case err != nil:
			got = goStricter
		case r.Error != "":
			got = nodeFails
		default:
			got = same
		}
		if got != k.want {
			t.Errorf("%s: outcome %v, want %v (Go error: %v; Node error: %s)", k.jar, got, k.want, err, r.Error)
			continue
		}
		if got != same {
			continue
		}
		if enc := mustEncode(t, j); enc != r.JarReser {
			t.Errorf("%s: re-serialization\n  Node: %s\n  Go:   %s", k.jar, r.JarReser, enc)
		}
		nh := fromJSAll(t, r.Headers)
		for q, u := range queries {
			if h := j.CookieHeader(mustURL(t, u)); h != nh[q] {
				t.Errorf("%s: Cookie header for %s\n  Node: %q\n  Go:   %q", k.jar, u, nh[q], h)
			}
		}
		if enc := mustEncode(t, j); enc != r.JarAfter {
			t.Errorf("%s: jar after the queries\n  Node: %s\n  Go:   %s", k.jar, r.JarAfter, enc)
		}
	}
}
