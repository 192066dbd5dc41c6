package rewrite

import (
	"net/url"
	"strings"
	"testing"
)

// fastRefs are references of every shape the fast path handles, and of
// many it must hand to net/url.
var fastRefs = []string{
	"https://other.org/a?b=1", "img/a.png", "/a/b", "../up.css", "//cdn.example.net/x.js", "?q=2",
	"/s?q=a%20b&c=d+e&e=%2F", "/a%2Fb/%E2%82%AC", "/a#sec-2", "/a#", "  /a \n", "/a\nb", "/a\tb",
	"HTTP://Example.COM/A", "http://127.0.0.1:18090/set/basic", "ws://chat.example.com/sock",
	"wss://chat.example.com/sock?t=1", "WSS://x.y", "", "   ", "#top", "data:image/png;base64,AAAA",
	"javascript:alert(1)", "mailto:a@b.c", "ftp://x/y", "http://[::1/", "http:///path", "http:/path",
	"http:path", "/é?q=é\"'<>`", "https://bücher.example/", "https://user:pw@host/x", "https://[::1]:9000/v6",
	"https://h:8080/x", "https://h:/x", "https://h:8a/x", "https://h:1:2/x", "https://:80/x", "http://h",
	"http://h?", "http://h?a?b", "http://h/?", "http://h/p?#f", "http://h#f", "http://h/#", "x?", "x??",
	".", "..", "./", "../", "../../../a", "a/./b/../c", "a/b/..", "a/b/.", "/./a", "/../a", "/.//a", "//h",
	"//h/", "//h/a/../b", "///a", "//", "//h:1", "//h?q", "//h#f", "//user@h/x", "1a:b", "a:b", "+a:b",
	"a/b:c", "./a:b", "x#a#b", "x#%41", "x#a'b", "x#a b", "x#!$&()*+,;=:@/?", "/p!'()*[]", "/p%zz", "/p%4",
	"/p%41%2f", "/p q", "/p\"q", "/p<q>", "/p{q}", "/p|q", "/p\\q", "/p^q", "/p`q", "/é", "?q=é&r=\"'<> ",
	"?q=%zz", "\x00/a", "/a\x7f", "/a\x01", "http://h/\x01", "http://ex%41mple.com/", "http://h_a~b.c-d/",
	"http://Ex.Com:0/", "http://127.0.0.1:8080/" + testSID + "/https://a/b",
	"HTTP://127.0.0.1:8080/" + testSID + "/https://a/b", "ws://127.0.0.1:8080/" + testSID + "/https://a/b",
	"http://127.0.0.1:8080/" + testSID, "http://127.0.0.1:8080/" + testSID + "x/a",
	"http://127.0.0.1:8080/other/https://a/b", "/" + testSID + "/https://a/b", "_rhs/x",
	"https://example.com/search?q=url(a)&lang=en-US~1", "http://h/a;b=c/d,e", "*", "/*",
	"http://h/%2e%2e/a", "a/%2e%2e/b", "http://h/a/../b", "HtTpS://h/x", "http+x://h", "h\u212attp://x",
}

func fastBases(t testing.TB) []*url.URL {
	var bases []*url.URL
	for _, s := range []string{
		"https://example.com/dir/page.html?x=1", "https://example.com/dir/", "https://example.com",
		"http://example.com:8080/a/b/c", "https://example.com/a%2Fb/c%20d", "https://example.com/a!b/",
		"https://example.com/é/x", "https://user@example.com/a/", "https://[::1]:8080/a/", "ws://chat.example/s/",
		"wss://chat.example/s", "ftp://example.com/a/", "https://example.com/a/#frag", "https://example.com/a/?q#f",
		"https://example.com/./a/../b/", "https://example.com//a", "https://Example.COM:/x",
	} {
		bases = append(bases, mustURL(t, s))
	}
	bases = append(bases, nil,
		&url.URL{Scheme: "https", Host: "h", Path: "/a b/"},
		&url.URL{Scheme: "https", Host: "h", Path: "/a/b", RawPath: "/a%2Fb"},
		&url.URL{Scheme: "HTTPS", Host: "h", Path: "/a/"},
		&url.URL{Scheme: "https", Host: "h", Path: "rel/a"},
		&url.URL{Scheme: "https", Opaque: "x"},
		&url.URL{Scheme: "https", Host: "", Path: "/a/"},
		&url.URL{Scheme: "https", Host: "h"},
	)
	return bases
}

func fastMappers(t testing.TB) []*Mapper {
	return []*Mapper{
		plainMapper(),
		shufflingMapper(t),
		{ProxyOrigin: "https://proxy.test", SessionID: testSID},
		{ProxyOrigin: "HTTP://Proxy.Test:81", SessionID: "s"},
		{ProxyOrigin: "http://prøxy.test", SessionID: testSID},
		{ProxyOrigin: "", SessionID: testSID},
		{ProxyOrigin: "proxy", SessionID: testSID},
	}
}

// TestProxifyFastMatchesReference compares Proxify (fast path and slow
// fallback) with the net/url reference for every ref, base and mapper.
func TestProxifyFastMatchesReference(t *testing.T) {
	fast := 0
	// One baseCache for all, as a rewriter has: its refCache (and the
	// prefix it keeps per Mapper) sees the mappers and bases change.
	var bc baseCache
	for _, m := range fastMappers(t) {
		for _, base := range fastBases(t) {
			for _, ref := range fastRefs {
				want := m.proxifySlow(base, ref)
				if got := m.Proxify(base, ref); got != want {
					t.Errorf("origin %q, base %v: Proxify(%q) = %q, want %q", m.ProxyOrigin, base, ref, got, want)
				}
				bi := newBaseInfo(base)
				if got := string(appendProxify(m, []byte("x"), &bi, []byte(ref))); got != "x"+want {
					t.Errorf("origin %q, base %v: appendProxify(%q) = %q, want %q", m.ProxyOrigin, base, ref, got, "x"+want)
				}
				checkCachedProxify(t, m, &bc, base, ref, want)
				if _, res := proxifyFast(m, nil, &bi, strings.Trim(ref, asciiWhitespace)); res != fastUnknown {
					fast++
				}
			}
		}
	}
	// Most of the refs must really take the fast path.
	if total := len(fastMappers(t)) * len(fastBases(t)) * len(fastRefs); fast < total/3 {
		t.Errorf("only %d of %d cases took the fast path", fast, total)
	}
}

// TestProxifyFastNoAllocs checks that the common cases do not allocate.
func TestProxifyFastNoAllocs(t *testing.T) {
	base := newBaseInfo(mustURL(t, "https://example.com/dir/page.html"))
	for _, m := range []*Mapper{plainMapper(), shufflingMapper(t)} {
		buf := make([]byte, 0, 1024)
		for _, ref := range []string{"../img/photo.jpg?size=large&v=3", "https://cdn.example.net/t.jpg", "/a/b#c", "//h/x", "?q", "x/y"} {
			if n := testing.AllocsPerRun(50, func() { buf = appendProxify(m, buf[:0], &base, ref) }); n != 0 {
				t.Errorf("shuffled=%v: appendProxify(%q) allocates %.1f times", m.Shuffler != nil, ref, n)
			}
			b := []byte(ref)
			if n := testing.AllocsPerRun(50, func() { buf = appendProxify(m, buf[:0], &base, b) }); n != 0 {
				t.Errorf("shuffled=%v: appendProxify([]byte %q) allocates %.1f times", m.Shuffler != nil, ref, n)
			}
		}
	}
}

func FuzzProxifyFast(f *testing.F) {
	for i, ref := range fastRefs {
		f.Add(ref, uint8(i))
	}
	mappers := fastMappers(f)
	bases := fastBases(f)
	f.Fuzz(func(t *testing.T, ref string, pick uint8) {
		m := mappers[int(pick)%len(mappers)]
		base := bases[int(pick/8)%len(bases)]
		want := m.proxifySlow(base, ref)
		if got := m.Proxify(base, ref); got != want {
			t.Fatalf("origin %q, base %v: Proxify(%q) = %q, want %q", m.ProxyOrigin, base, ref, got, want)
		}
		bi := newBaseInfo(base)
		if got := string(appendProxify(m, nil, &bi, []byte(ref))); got != want {
			t.Fatalf("origin %q, base %v: appendProxify(%q) = %q, want %q", m.ProxyOrigin, base, ref, got, want)
		}
		var bc baseCache
		checkCachedProxify(t, m, &bc, base, ref, want)
	})
}

// checkCachedProxify checks appendProxify with bc's baseInfo, which has a
// refCache (and the prefix proxifyFast takes from it), as RewriteHTML
// calls it: twice, a cache miss and then (for short refs) a hit.
func checkCachedProxify(t *testing.T, m *Mapper, bc *baseCache, base *url.URL, ref, want string) {
	t.Helper()
	for i := range 2 {
		if got := string(appendProxify(m, []byte("x"), bc.get(base), []byte(ref))); got != "x"+want {
			t.Fatalf("origin %q, base %v: appendProxify(%q) with a refCache (call %d) = %q, want %q", m.ProxyOrigin, base, ref, i+1, got, "x"+want)
		}
	}
}

func BenchmarkAppendProxify(b *testing.B) {
	base := newBaseInfo(mustURL(b, "https://example.com/dir/page.html"))
	for _, bc := range []struct {
		name string
		m    *Mapper
	}{{"plain", plainMapper()}, {"shuffled", shufflingMapper(b)}} {
		for _, ref := range []string{"../img/photo.jpg?size=large&v=3", "https://cdn.example.net/t.jpg"} {
			b.Run(bc.name+"/"+strings.SplitN(ref, "/", 2)[0], func(b *testing.B) {
				buf := make([]byte, 0, 512)
				r := []byte(ref)
				b.ReportAllocs()
				for b.Loop() {
					buf = appendProxify(bc.m, buf[:0], &base, r)
				}
			})
		}
	}
}
