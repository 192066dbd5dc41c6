package cookiejar

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rammerhead-go/rammerhead/internal/fixtures"
)

// allCookiesJSON is every cookie of j with every field, for comparisons.
func allCookiesJSON(j *Jar) string {
	var b []byte
	for _, c := range j.All() {
		b = appendCookieJSON(b, &c)
		b = append(b, '\n')
	}
	return string(b)
}

func FuzzDecode(f *testing.F) {
	dir := fixtures.MustDir(f)
	names, err := filepath.Glob(filepath.Join(dir, "*.rhfsession"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		name := strings.TrimSuffix(filepath.Base(n), ".rhfsession")
		if len(raw) > 0 && !strings.HasPrefix(name, "corrupted") && !strings.HasPrefix(name, "invalid-jar-as-object") {
			f.Add(fixtureJar(f, name))
		}
	}
	f.Add([]byte(`{"cookies":[{"key":"\u00ff","maxAge":1e-7,"expires":"+275760-09-13T00:00:00.000Z","creation":-8.64e15}]}`))
	f.Add([]byte(`{"cookies":[{"key":"a","domain":"www.example.test","path":"/日","hostOnly":true},{"key":"b","path":"/\ud800\udc00\udfff😀"}]}`))
	for _, tok := range rawJarTokens(f) {
		f.Add(tok)
	}
	opts := &Options{Now: fixedClock(afterRestart)}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The one-pass quoted decoder agrees with Decode: on the data
		// quoted as JSON.stringify quotes it, and on the data read as a
		// literal itself.
		// (Invalid UTF-8 is left out: encoding/json, the reference for
		// the literal's content, replaces it.)
		if utf8.Valid(data) {
			checkQuotedSameAsDecode(t, jsQuote(data), opts)
			checkQuotedSameAsDecode(t, data, opts)
		}
		j, err := Decode(data, opts)
		if err != nil {
			if j != nil {
				t.Fatal("jar returned with an error")
			}
			return
		}
		checkQuotedEncode(t, j)
		enc, err := j.Encode()
		if err != nil {
			t.Fatal(err)
		}
		j2, err := Decode(enc, opts)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		if a, b := allCookiesJSON(j), allCookiesJSON(j2); a != b {
			t.Fatalf("round trip changed the cookies:\n%s\n%s", a, b)
		}
		enc2, _ := j2.Encode()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable:\n%s\n%s", enc, enc2)
		}
		j.CookieHeader(mustURL(t, "http://127.0.0.1:18090/set/echo"))
		j.Cookies(mustURL(t, "https://www.example.test/"))
	})
}

func FuzzParseSetCookie(f *testing.F) {
	for _, s := range []string{
		"basic_a=alpha", "v_path=pathval; Path=/sub",
		"v_expires=expval; Expires=Wed, 01 Jan 2031 00:00:00 GMT",
		"v_maxage=maxageval; Max-Age=86400", "v_httponly=hoval; HttpOnly", "v_secure=secval; Secure",
		"v_lax=laxval; SameSite=Lax", "v_strict=strictval; SameSite=Strict", "v_none=noneval; SameSite=None; Secure",
		"v_domain=domval; Domain=127.0.0.1", "v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
		"v_special=a=b%20c!#$; Path=/", "v_empty=; Path=/", "v_expired=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		"d_parent=parentval; Domain=example.test; Path=/", "d_dotparent=dotparentval; Domain=.example.test; Max-Age=7200",
		"d_sub=subval; Path=/sub; Secure; HttpOnly; SameSite=Strict", "d_foreign=x; Domain=other.test",
		"foo", "x=1; Priority=High; Partitioned", "h=h\xc3\xa9llo", "__Host-a=1; Secure; Path=/",
		"rawe9=1; Path=/\xe9", "rawutf8=1; Path=/\xc3\xa9",
	} {
		f.Add(s)
	}
	now := fixedClock(afterRestart)
	opts := &Options{Now: now}
	u := mustURL(f, "http://www.example.test/set/x")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseSetCookie(s, now())
		if err != nil {
			return
		}
		// Stored through the jar's rules.
		j := New(opts)
		j.SetCookieStrings(u, []string{s})
		checkRoundTrip(t, j, opts)
		// Stored as parsed.
		j = New(opts)
		j.Put(*c)
		checkRoundTrip(t, j, opts)
		if j.Len() != 1 {
			t.Fatalf("Len %d", j.Len())
		}
	})
}

func checkRoundTrip(t *testing.T, j *Jar, opts *Options) {
	t.Helper()
	enc, err := j.Encode()
	if err != nil {
		t.Fatal(err)
	}
	j2, err := Decode(enc, opts)
	if err != nil {
		t.Fatalf("decode of %s: %v", enc, err)
	}
	if a, b := allCookiesJSON(j), allCookiesJSON(j2); a != b {
		t.Fatalf("round trip changed the cookie:\n%s\n%s", a, b)
	}
}

// FuzzRequestPath checks requestPath on any URL net/url accepts: no panic,
// a path in valid UTF-8 that starts with '/' and holds none of the
// characters url-parse removes or rewrites; and a cookie set without a Path
// attribute from such a URL is sent back to it.
func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{
		"http://h", "http://h/a%2Fb/c", "http://h/%C3%A9/x", "http://h/%E6%97%A5/x", "http://h/%E9/x",
		"http://h/%C3%A9/x?q=%E9", "http://h/%C3%A9/x#%E9", "http://h/a%5Cb/c", "http://h/a%09b/c",
		"http://h/\u00e9/x?q=%zz", "http://h/%F0%9F%98%80/x", "http://h/%ED%A0%80/x", "http://u:p@h/a%25/b",
		"http://www.example.test./dot/x", "http://h/a!b'(c)*/%C3%A9", "http://h/a\\b/c",
	} {
		f.Add(s)
	}
	opts := &Options{Now: fixedClock(afterRestart)}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		p := requestPath(u)
		if p == "" || p[0] != '/' || !utf8.ValidString(p) || strings.ContainsAny(p, "\t\n\r\\") {
			t.Fatalf("requestPath(%q) = %q", s, p)
		}
		if u.Scheme != "http" || u.Host == "" || strings.HasSuffix(u.Hostname(), ".") {
			return
		}
		j := New(opts)
		if j.SetCookieStrings(u, []string{"k=v"}) != 1 {
			return
		}
		if got := j.CookieHeader(u); got != "k=v" {
			t.Fatalf("cookie set from %q (path %q, stored %+v) not sent back: %q", s, p, j.All(), got)
		}
	})
}
