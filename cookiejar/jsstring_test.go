package cookiejar

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestRequestPath pins the request path tough-cookie 4.1.3 derives from a
// URL (url-parse 1.5.10's pathname of decodeURI(url), or of the URL as it
// is when decodeURI throws). The expected values were observed in Node.
func TestRequestPath(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://h", "/"},
		{"http://h?x", "/"},
		{"http://h/a/b", "/a/b"},
		{"http://h/a%2Fb/c", "/a%2Fb/c"},      // reserved: escape kept
		{"http://h/a%2fb/c", "/a%2fb/c"},      // ... as written
		{"http://h/a%20b/c", "/a b/c"},        // decoded
		{"http://h/x%20", "/x "},              // trailing space kept
		{"http://h/%C3%A9/x", "/\u00e9/x"},    // UTF-8 -> one character
		{"http://h/%c3%a9/x", "/\u00e9/x"},    // lowercase hex
		{"http://h/\u00e9/x", "/\u00e9/x"},    // raw character
		{"http://h/%E6%97%A5/x", "/\u65e5/x"}, // above U+00FF
		{"http://h/%F0%9F%98%80/x", "/\U0001F600/x"},
		{"http://h/%E9/x", "/%E9/x"},             // not UTF-8: URL undecoded
		{"http://h/%e9/x", "/%e9/x"},             // ... as written
		{"http://h/%C0%AF/x", "/%C0%AF/x"},       // overlong
		{"http://h/%ED%A0%80/x", "/%ED%A0%80/x"}, // surrogate
		{"http://h/%F4%90%80%80/x", "/%F4%90%80%80/x"},
		{"http://h/%F0%90%80/x", "/%F0%90%80/x"}, // truncated
		{"http://h/a%C3/x", "/a%C3/x"},
		{"http://h/%C3%A9/x?q=%E9", "/%C3%A9/x"}, // bad query: nothing decoded
		{"http://h/%C3%A9/x?q=%zz", "/%C3%A9/x"},
		{"http://h/%C3%A9/x?q=%", "/%C3%A9/x"},
		{"http://h/%C3%A9/x#%E9", "/%C3%A9/x"}, // bad fragment
		{"http://h/%C3%A9/x?q=%C3%A9#%41", "/\u00e9/x"},
		{"http://h/\u00e9/x?q=%E9", "/\u00e9/x"}, // raw character kept as is
		{"http://h/a%25b/c", "/a%b/c"},
		{"http://h/a%2541/c", "/a%41/c"}, // decoded once
		{"http://h/a%3Fb/c", "/a%3Fb/c"},
		{"http://h/a%23b/c", "/a%23b/c"},
		{"http://h/a%3Bb%3Ab%40%26%3D%2B%24%2C/x", "/a%3Bb%3Ab%40%26%3D%2B%24%2C/x"},
		{"http://h/a%41%7E/x", "/aA~/x"},
		{"http://h/%C3%A9%2F/x", "/\u00e9%2F/x"},
		{"http://h/a%09b/c", "/ab/c"}, // url-parse drops tab, CR, LF
		{"http://h/a%0Ab/c", "/ab/c"},
		{"http://h/a%0Db/c", "/ab/c"},
		{"http://h/a%0A/b", "/a/b"},
		{"http://h/a%00b/c", "/a\x00b/c"},
		{"http://h/a%7Fb/c", "/a\x7fb/c"},
		{"http://h/a%5Cb/c", "/a/b/c"}, // backslash becomes a slash
		{"http://h/%E2%80%A8/x", "/\u2028/x"},
		{"http://h/a!b'(c)*/%C3%A9", "/a!b'(c)*/\u00e9"},
		{"http://h/[x]/%C3%A9{}|^`/y", "/[x]/\u00e9{}|^`/y"},
		{"http://u:p@h/%C3%A9/x", "/\u00e9/x"},
		{"http://h/%EF%BF%BF/x", "/\uffff/x"},
	}
	for _, tt := range tests {
		if got := requestPath(mustURL(t, tt.url)); got != tt.want {
			t.Errorf("requestPath(%s) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// TestPercentEncodedPathCookies covers the default paths and path matching
// of cookies received from and sent to URLs with escapes or non-ASCII
// characters in their path (differences found against tough-cookie).
func TestPercentEncodedPathCookies(t *testing.T) {
	type set struct{ url, header, wantPath string }
	sets := []set{
		{"http://www.example.test/a%2Fb/c", "enc2f=1", "/a%2Fb"},
		{"http://www.example.test/sp%20ace/x", "encsp=1", "/sp ace"},
		{"http://www.example.test/%C3%A9/x", "encutf8=1", "/\u00e9"},
		{"http://www.example.test/%E6%97%A5/x", "enccjk=1", "/\u65e5"},
		{"http://www.example.test/%E9/x", "enclatin1=1", "/%E9"},
		{"http://www.example.test/p/", "rawe9=1; Path=/\xe9", "/\u00e9"},
		{"http://www.example.test/p/", "rawutf8=1; Path=/\xc3\xa9", "/\u00c3\u00a9"},
	}
	j := New(&Options{Now: fixedClock(afterRestart)})
	for _, s := range sets {
		if n := j.SetCookieStrings(mustURL(t, s.url), []string{s.header}); n != 1 {
			t.Fatalf("%s from %s: stored %d", s.header, s.url, n)
		}
	}
	got := map[string]string{}
	for _, c := range j.All() {
		got[c.Key] = c.Path
	}
	for _, s := range sets {
		key, _, _ := strings.Cut(s.header, "=")
		if got[key] != s.wantPath {
			t.Errorf("%s from %s: path %q, want %q", s.header, s.url, got[key], s.wantPath)
		}
	}
	headers := []struct{ url, want string }{
		{"http://www.example.test/a%2Fb/c", "enc2f=1"},
		{"http://www.example.test/a/b/c", ""},
		{"http://www.example.test/sp%20ace/x", "encsp=1"},
		{"http://www.example.test/%C3%A9/x", "encutf8=1; rawe9=1"},
		{"http://www.example.test/%E9/x", "enclatin1=1"},
		{"http://www.example.test/%E6%97%A5/x", "enccjk=1"},
		{"http://www.example.test/%C3%83%C2%A9/x", "rawutf8=1"},
	}
	for _, h := range headers {
		if got := j.CookieHeader(mustURL(t, h.url)); got != h.want {
			t.Errorf("Cookie for %s: %q, want %q", h.url, got, h.want)
		}
	}

	// The jar survives Encode/Decode with the same bytes and behaviour.
	enc, err := j.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"path":"/日"`, `"path":"/é"`, `"path":"/Ã©"`, `"path":"/%E9"`, `"path":"/a%2Fb"`} {
		if !strings.Contains(string(enc), want) {
			t.Errorf("encoding lacks %s: %s", want, enc)
		}
	}
	j2, err := Decode(enc, &Options{Now: fixedClock(afterRestart)})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if enc2, _ := j2.Encode(); string(enc2) != string(enc) {
		t.Errorf("round trip changed the jar:\n%s\n%s", enc, enc2)
	}
	for _, h := range headers {
		if got := j2.CookieHeader(mustURL(t, h.url)); got != h.want {
			t.Errorf("decoded jar: Cookie for %s: %q, want %q", h.url, got, h.want)
		}
	}
}

// TestDecodePathCharacters: a path may hold any character (Node writes
// default paths from decodeURI), other strings stay binary strings.
func TestDecodePathCharacters(t *testing.T) {
	const head = `{"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":true,"enableLooseMode":false,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[`
	const tail = `"hostOnly":true,"pathIsDefault":true,"creation":"2026-11-28T22:57:18.085Z","lastAccessed":"2026-11-28T22:57:18.085Z"}]}`
	tests := []struct {
		name, cookie, wantPath, wantEnc string
	}{
		{"cjk", `{"key":"enccjk","value":"1","domain":"www.example.test","path":"/日",`, "/\u65e5", ""},
		{"astral", `{"key":"a","value":"1","domain":"www.example.test","path":"/😀",`, "/\U0001F600", ""},
		{"escaped", `{"key":"a","value":"1","domain":"www.example.test","path":"/\u65e5\ud83d\ude00",`, "/\u65e5\U0001F600", `{"key":"a","value":"1","domain":"www.example.test","path":"/日😀",`},
		{"lone surrogate", `{"key":"a","value":"1","domain":"www.example.test","path":"/\ud800x",`, "/\xed\xa0\x80x", ""},
		{"lone low surrogate", `{"key":"a","value":"1","domain":"www.example.test","path":"/\udfff",`, "/\xed\xbf\xbf", ""},
		{"controls", `{"key":"a","value":"1","domain":"www.example.test","path":"/\u0000\n\"\\\u001f\u007f",`, "/\x00\n\"\\\x1f\x7f", `{"key":"a","value":"1","domain":"www.example.test","path":"/\u0000\n\"\\\u001f` + "\x7f" + `",`},
	}
	for _, tt := range tests {
		in := head + tt.cookie + tail
		j, err := Decode([]byte(in), &Options{Now: fixedClock(afterRestart)})
		if err != nil {
			t.Errorf("%s: Decode: %v", tt.name, err)
			continue
		}
		if got := j.All()[0].Path; got != tt.wantPath {
			t.Errorf("%s: Path %q, want %q", tt.name, got, tt.wantPath)
		}
		want := in
		if tt.wantEnc != "" {
			want = head + tt.wantEnc + tail
		}
		if enc, _ := j.Encode(); string(enc) != want {
			t.Errorf("%s: Encode\n got %s\nwant %s", tt.name, enc, want)
		}
	}
	j, err := Decode([]byte(head+`{"key":"enccjk","value":"1","domain":"www.example.test","path":"/日",`+tail), &Options{Now: fixedClock(afterRestart)})
	if err != nil {
		t.Fatal(err)
	}
	if got := j.CookieHeader(mustURL(t, "http://www.example.test/%E6%97%A5/x")); got != "enccjk=1" {
		t.Errorf("Cookie header %q, want enccjk=1", got)
	}
	for _, field := range []string{"key", "value", "domain", "sameSite"} {
		in := head + `{"` + field + `":"日","path":"/",` + tail
		if _, err := Decode([]byte(in), nil); !errors.Is(err, ErrInvalidJar) {
			t.Errorf("%s above U+00FF: err %v, want ErrInvalidJar", field, err)
		}
	}
	if _, err := Decode([]byte(head+`{"key":"a","extensions":["日"],`+tail), nil); !errors.Is(err, ErrInvalidJar) {
		t.Errorf("extension above U+00FF: err %v, want ErrInvalidJar", err)
	}
}

// TestPutInvalidUTF8Path: bytes that are not UTF-8 in a Put path are
// written as U+FFFD, so Encode stays valid JSON.
func TestPutInvalidUTF8Path(t *testing.T) {
	j := New(&Options{Now: fixedClock(afterRestart)})
	j.Put(Cookie{Key: "a", Value: "1", Domain: "www.example.test", Path: "/\xe9\xff"})
	enc, _ := j.Encode()
	if !strings.Contains(string(enc), "\"path\":\"/\uFFFD\uFFFD\"") {
		t.Errorf("Encode: %s", enc)
	}
	if _, err := Decode(enc, nil); err != nil {
		t.Errorf("Decode(Encode): %v", err)
	}
}

// TestHTTPCookiePathBytes: SetCookies reads http.Cookie.Path as header
// bytes, like SetCookieStrings.
func TestHTTPCookiePathBytes(t *testing.T) {
	j := New(&Options{Now: fixedClock(afterRestart)})
	u := mustURL(t, "http://www.example.test/")
	j.SetCookieStrings(u, []string{"s=1; Path=/\xe9"})
	j.SetCookies(u, []*http.Cookie{{Name: "h", Value: "2", Path: "/\xe9"}})
	all := j.All()
	if len(all) != 2 || all[0].Path != "/\u00e9" || all[1].Path != "/\u00e9" {
		t.Fatalf("paths: %+v", all)
	}
	if got := j.CookieHeader(mustURL(t, "http://www.example.test/%C3%A9")); got != "s=1; h=2" {
		t.Errorf("Cookie header %q", got)
	}
}

// TestTrailingDotHost: tough-cookie's MemoryCookieStore searches the
// domains permuteDomain gives for the request host; psl ignores a trailing
// dot, so for a host with one the domains searched are written without it
// and no cookie matches, unless psl finds no public suffix (then only the
// host itself is searched).
func TestTrailingDotHost(t *testing.T) {
	type step struct {
		url     string
		headers []string
		stored  []string // "key domain path hostOnly"
		queries map[string]string
	}
	steps := []step{
		{
			"http://www.example.test./x/",
			[]string{"a=1", "b=2; Domain=example.test.", "c=3; Domain=www.example.test.", "d=4; Domain=example.test", "e=5; Domain=test."},
			[]string{"a www.example.test. /x true", "b example.test. /x false", "c www.example.test. /x false"},
			map[string]string{"http://www.example.test./x/": "", "http://www.example.test/x/": "", "http://a.www.example.test./x/": "", "http://example.test./x/": ""},
		},
		{
			"http://trail.example.test./dot/x",
			[]string{"trail=1", "traild=2; Domain=example.test; Path=/"},
			[]string{"trail trail.example.test. /dot true"},
			map[string]string{"http://trail.example.test./dot/y": "", "http://trail.example.test/dot/y": ""},
		},
		{"http://www.example.com./x/", []string{"a=1", "b=2; Domain=example.com."}, []string{"a www.example.com. /x true", "b example.com. /x false"}, map[string]string{"http://www.example.com./x/": "", "http://example.com./x/": ""}},
		// No public suffix: the host's own cookies are sent.
		{"http://localhost./x/", []string{"a=1", "b=2; Domain=localhost."}, []string{"a localhost. /x true"}, map[string]string{"http://localhost./x/": "a=1"}},
		{"http://foo.local./x/", []string{"a=1", "b=2; Domain=foo.local."}, []string{"a foo.local. /x true"}, map[string]string{"http://foo.local./x/": "a=1", "http://a.foo.local./x/": ""}},
		{"http://com./x/", []string{"a=1"}, []string{"a com. /x true"}, map[string]string{"http://com./x/": "a=1"}},
		{"http://a..b./x/", []string{"a=1"}, []string{"a a..b. /x true"}, map[string]string{"http://a..b./x/": "a=1"}},
		// psl reads an IPv4-like name as a domain with a public suffix.
		{"http://1.2.3.4./x/", []string{"a=1"}, []string{"a 1.2.3.4. /x true"}, map[string]string{"http://1.2.3.4./x/": ""}},
	}
	for _, s := range steps {
		j := New(&Options{Now: fixedClock(afterRestart)})
		j.SetCookieStrings(mustURL(t, s.url), s.headers)
		var stored []string
		for _, c := range j.All() {
			stored = append(stored, c.Key+" "+c.Domain+" "+c.Path+" "+map[bool]string{true: "true", false: "false"}[*c.HostOnly])
		}
		if strings.Join(stored, "|") != strings.Join(s.stored, "|") {
			t.Errorf("from %s: stored %q, want %q", s.url, stored, s.stored)
		}
		for q, want := range s.queries {
			if got := j.CookieHeader(mustURL(t, q)); got != want {
				t.Errorf("from %s: Cookie for %s: %q, want %q", s.url, q, got, want)
			}
		}
	}
}

// TestDomainMatchLastOccurrence: tough-cookie 4.1.3's domainMatch looks for
// the domain at its last occurrence in the host.
func TestDomainMatchLastOccurrence(t *testing.T) {
	tests := []struct {
		str, dom string
		want     bool
	}{
		{"example.test.example.test", "example.test", true},
		{"a.b.a.b", "a.b", true},
		{"www.example.test", "example.test", true},
		{"example.test", "example.test", true},
		{"xexample.test", "example.test", false},
		{"example.test.evil", "example.test", false},
		{"1.2.3.4", "3.4", false},
	}
	for _, tt := range tests {
		if got := domainMatch(tt.str, tt.dom); got != tt.want {
			t.Errorf("domainMatch(%q, %q) = %v, want %v", tt.str, tt.dom, got, tt.want)
		}
	}
	j := New(&Options{Now: fixedClock(afterRestart)})
	if n := j.SetCookieStrings(mustURL(t, "http://example.test.example.test/"), []string{"a=1; Domain=example.test"}); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
	for _, u := range []string{"http://example.test.example.test/", "http://x.example.test/"} {
		if got := j.CookieHeader(mustURL(t, u)); got != "a=1" {
			t.Errorf("Cookie for %s: %q, want a=1", u, got)
		}
	}
}

// TestUnderscoreHost: psl accepts '_' in labels, so a host with one still
// has a registrable domain and gets the parent domain's cookies.
func TestUnderscoreHost(t *testing.T) {
	j := New(&Options{Now: fixedClock(afterRestart)})
	u := mustURL(t, "http://foo_bar.example.com/")
	if n := j.SetCookieStrings(u, []string{"a=1; Domain=example.com", "b=2", "c=3; Domain=foo_bar.example.com"}); n != 3 {
		t.Fatalf("stored %d, want 3", n)
	}
	want := map[string]string{
		"http://foo_bar.example.com/":   "a=1; b=2; c=3",
		"http://x.example.com/":         "a=1",
		"http://x.foo_bar.example.com/": "a=1; c=3",
	}
	for q, w := range want {
		if got := j.CookieHeader(mustURL(t, q)); got != w {
			t.Errorf("Cookie for %s: %q, want %q", q, got, w)
		}
	}
}
