package session

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// checkFastSameAsSlow checks that Deserialize (one-pass jar decoding) and
// the reference path (unquote, then cookiejar.Decode) agree on in: the
// same error, or sessions that serialize to the same bytes by both the
// one-pass and the reference Serialize.
func checkFastSameAsSlow(t *testing.T, in []byte) {
	t.Helper()
	fast, errF := deserialize("id", in, fixedClock(), true)
	slow, errS := deserialize("id", in, fixedClock(), false)
	if (errF == nil) != (errS == nil) || errF != nil && errF.Error() != errS.Error() {
		t.Fatalf("fast and slow paths disagree on %q:\n%v\n%v", in, errF, errS)
	}
	if errF != nil {
		return
	}
	if !sameSession(fast, slow) {
		t.Fatalf("fast and slow sessions differ for %q", in)
	}
	var outs [][]byte
	for _, s := range []*Session{fast, slow} {
		for _, quoted := range []bool{true, false} {
			out, err := s.serialize(quoted)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, out)
		}
	}
	for _, out := range outs[1:] {
		if !bytes.Equal(out, outs[0]) {
			t.Fatalf("serialized forms differ for %q:\n%s\n%s", in, outs[0], out)
		}
	}
	// A second Serialize (sized from the first) gives the same bytes.
	again, _ := fast.Serialize()
	if !bytes.Equal(again, outs[0]) {
		t.Fatalf("second Serialize differs:\n%s\n%s", outs[0], again)
	}
}

func TestFastPathMatchesSlowPathFixtures(t *testing.T) {
	dir := fixtures.MustDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rhfsession") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(e.Name(), func(t *testing.T) { checkFastSameAsSlow(t, b) })
	}
	if n < 10 {
		t.Fatalf("only %d fixtures", n)
	}
}

func TestFastPathMatchesSlowPathCases(t *testing.T) {
	for _, in := range []string{
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]}"}`,
		`{"serializedCookieJar":"{\"cookies\":[{\"key\":\"a\",\"value\":\"b\",\"domain\":\"x.test\",\"path\":\"/\"}]}","data":{"createdAt":1,"lastUsed":2}}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]}","serializedCookieJar":"{\"cookies\":[{\"key\":\"second\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"first\"}]}","serializedCookieJar":"{}"}`,
		`{"data":{},"serializedCookieJar":"{}","serializedCookieJar":"{\"cookies\":[{\"key\":\"last\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"\u0061\",\"path\":\"/\ud800\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"a\",\"path\":\"/\\ud800\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"h\u00c3\u00a9\",\"value\":\"q\\\"\\\\\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]} "}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]}"} x`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]}",}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[]}"`,
		`{"data":{"createdAt":"x"},"serializedCookieJar":"{}"}`,
		`{"data":{"injectable":{"scripts":[1]}},"serializedCookieJar":"{\"cookies\":[]}"}`,
		`{"data":{"injectable":{"scripts":["/a.js"],"styles":null,"userScripts":5}},"serializedCookieJar":"{\"cookies\":[]}"}`,
		`{"data":{"injectable":{"\u0073cripts":"x"}},"serializedCookieJar":"{\"cookies\":[]}"}`,
		`{"data":{},"serializedCookieJar":{"cookies":[]}}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"€\"}]}"}`,
		`{"data":{},"serializedCookieJar":"{\"cookies\":[{\"key\":\"\u20ac\"}]}"}`,
		"{\"data\":{},\"serializedCookieJar\":\"{\\\"cookies\\\":[\t]}\"}",
		`{"data":{},"serializedCookieJar":"{\n\"cookies\":[]}"}`,
	} {
		checkFastSameAsSlow(t, []byte(in))
	}
}

// TestSerializeQuotedMatchesReference covers sessions built through the
// API, with cookies whose strings need escaping.
func TestSerializeQuotedMatchesReference(t *testing.T) {
	s := New("id", fixedClock())
	s.Jar().SetCookieStrings(mustParseURL(t, "http://www.example.test/a/b"), []string{
		`q="quoted\value"; Path=/`, "ctl=a\x01b", "latin=h\xc3\xa9llo", "x=1; Priority=High; Partitioned",
	})
	s.Jar().Put(cookiejar.Cookie{Key: "p", Domain: "www.example.test", Path: "/\"\\\x02日\xed\xa0\x80"})
	if s.Jar().Len() < 4 {
		t.Fatalf("only %d cookies stored", s.Jar().Len())
	}
	a, err := s.serialize(true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.serialize(false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("one-pass and reference Serialize differ:\n%s\n%s", a, b)
	}
	checkFastSameAsSlow(t, a)
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
