package cookiejar

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(s string) *clock {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &clock{t: t}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// cookieJSON is the JSON of one cookie without its timestamps, to compare
// stored fields with the fixtures.
func cookieJSON(c Cookie) string {
	c.Creation, c.LastAccessed = time.Time{}, time.Time{}
	return string(appendCookieJSON(nil, &c))
}

func byKey(cs []Cookie) map[string]Cookie {
	m := make(map[string]Cookie)
	for _, c := range cs {
		m[c.Key] = c
	}
	return m
}

// TestReplayFixtures sends the Set-Cookie lines of the fixtures README from
// the same URLs and checks that every stored field equals what Node stored.
func TestReplayFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		steps   []struct {
			url     string
			headers []string
		}
		rejected []string
	}{
		{
			fixture: "cookies-varied-noshuffle-localstorage",
			steps: []struct {
				url     string
				headers []string
			}{
				{"http://127.0.0.1:18090/set/basic", []string{"basic_a=alpha", "basic_b=beta"}},
				{"http://127.0.0.1:18090/set/varied", []string{
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
				}},
			},
			rejected: []string{"v_expired"},
		},
		{
			fixture: "external-proxy-auth-domain-cookies",
			steps: []struct {
				url     string
				headers []string
			}{
				{"http://www.example.test/set/domain", []string{
					"d_parent=parentval; Domain=example.test; Path=/",
					"d_dotparent=dotparentval; Domain=.example.test; Max-Age=7200",
					"d_hostonly=hostonlyval; Path=/",
					"d_sub=subval; Path=/sub; Secure; HttpOnly; SameSite=Strict",
					"d_foreign=foreignval; Domain=other.test; Path=/",
				}},
			},
			rejected: []string{"d_foreign"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			fx, err := Decode(fixtureJar(t, tt.fixture), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := byKey(fx.All())
			j := New(&Options{Now: fixedClock("2026-11-28T22:57:18.131Z")})
			for _, s := range tt.steps {
				j.SetCookieStrings(mustURL(t, s.url), s.headers)
			}
			got := byKey(j.All())
			for _, k := range tt.rejected {
				if _, ok := got[k]; ok {
					t.Errorf("%s stored, want rejected", k)
				}
			}
			n := 0
			for k, g := range got {
				w, ok := want[k]
				if !ok {
					t.Errorf("%s stored but absent from the fixture", k)
					continue
				}
				n++
				if cookieJSON(g) != cookieJSON(w) {
					t.Errorf("%s:\n got %s\nwant %s", k, cookieJSON(g), cookieJSON(w))
				}
			}
			if n == 0 {
				t.Fatal("nothing compared")
			}
		})
	}
}

func TestStorageRules(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		header string
		stored bool
		domain string
		host   bool // hostOnly
		path   string
		defPth bool
	}{
		{"host-only", "http://www.example.com/a/b", "a=1", true, "www.example.com", true, "/a", true},
		{"parent domain", "http://www.example.com/", "a=1; Domain=example.com", true, "example.com", false, "/", true},
		{"leading dot dropped", "http://www.example.com/x", "a=1; Domain=.EXAMPLE.com; Path=/", true, "example.com", false, "/", false},
		{"same host domain", "http://www.example.com/", "a=1; Domain=www.example.com", true, "www.example.com", false, "/", true},
		{"foreign domain", "http://www.example.test/", "a=1; Domain=other.test", false, "", false, "", false},
		{"sub-domain of host", "http://example.com/", "a=1; Domain=www.example.com", false, "", false, "", false},
		{"suffix not at dot", "http://badexample.com/", "a=1; Domain=example.com", false, "", false, "", false},
		{"public suffix com", "http://www.example.com/", "a=1; Domain=com", false, "", false, "", false},
		{"public suffix co.uk", "http://www.example.co.uk/", "a=1; Domain=co.uk", false, "", false, "", false},
		{"registrable co.uk", "http://www.example.co.uk/", "a=1; Domain=example.co.uk", true, "example.co.uk", false, "/", true},
		{"special-use test tld", "http://www.example.test/", "a=1; Domain=test", false, "", false, "", false},
		{"ip domain dropped", "http://127.0.0.1:18090/set/x", "a=1; Domain=127.0.0.1", true, "127.0.0.1", true, "/set", true},
		{"localhost domain dropped", "http://localhost/", "a=1; Domain=localhost", true, "localhost", true, "/", true},
		{"other ip rejected", "http://127.0.0.1/", "a=1; Domain=127.0.0.2", false, "", false, "", false},
		{"ip parent rejected", "http://10.0.0.1/", "a=1; Domain=0.0.1", false, "", false, "", false},
		{"ipv6 loopback", "http://[::1]:8080/p/q", "a=1; Domain=::1", true, "::1", true, "/p", true},
		{"bad path gives default", "http://h.example.com/d/e", "a=1; Path=rel", true, "h.example.com", true, "/d", true},
		{"__Secure- needs Secure", "https://h.example.com/", "__Secure-a=1", false, "", false, "", false},
		{"__Secure- ok", "https://h.example.com/", "__Secure-a=1; Secure", true, "h.example.com", true, "/", true},
		{"__Host- needs path /", "https://h.example.com/", "__Host-a=1; Secure; Path=/x", false, "", false, "", false},
		{"__Host- no domain", "https://h.example.com/", "__Host-a=1; Secure; Path=/; Domain=h.example.com", false, "", false, "", false},
		{"__Host- ok", "https://h.example.com/", "__Host-a=1; Secure; Path=/", true, "h.example.com", true, "/", false},
		{"expired not stored", "http://h.example.com/", "a=1; Max-Age=0", false, "", false, "", false},
		{"control char", "http://h.example.com/", "a=1\x02", false, "", false, "", false},
		{"empty", "http://h.example.com/", "   ", false, "", false, "", false},
		{"non-ascii domain", "http://h.example.com/", "a=1; Domain=\xe9xample.com", false, "", false, "", false},
		{"too long", "http://h.example.com/", "a=" + strings.Repeat("x", 4095), false, "", false, "", false},
		{"4096 is fine", "http://h.example.com/", "a=" + strings.Repeat("x", 4094), true, "h.example.com", true, "/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := New(&Options{Now: fixedClock(afterRestart)})
			n := j.SetCookieStrings(mustURL(t, tt.from), []string{tt.header})
			if (n == 1) != tt.stored || j.Len() != n {
				t.Fatalf("stored %d (Len %d), want %v", n, j.Len(), tt.stored)
			}
			if !tt.stored {
				return
			}
			c := j.All()[0]
			if c.Domain != tt.domain || c.HostOnly == nil || *c.HostOnly != tt.host || c.Path != tt.path || c.PathIsDefault != tt.defPth {
				t.Errorf("got domain %q hostOnly %v path %q default %v", c.Domain, deref(c.HostOnly), c.Path, c.PathIsDefault)
			}
		})
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestPublicSuffixesNotRejectedWhenDisabled(t *testing.T) {
	j, err := Decode([]byte(`{"cookies":[]}`), &Options{Now: fixedClock(afterRestart)})
	if err != nil {
		t.Fatal(err)
	}
	if n := j.SetCookieStrings(mustURL(t, "http://www.example.com/"), []string{"a=1; Domain=com"}); n != 1 {
		t.Fatalf("stored %d, want 1 (rejectPublicSuffixes false)", n)
	}
	// tough-cookie's store only searches domains from the registrable one
	// down, so a cookie at a public suffix is never sent.
	if got := j.CookieHeader(mustURL(t, "http://www.example.com/")); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestSecureAndMatching(t *testing.T) {
	ck := newClock(afterRestart)
	j := New(&Options{Now: ck.Now})
	set := func(u string, h ...string) {
		t.Helper()
		if n := j.SetCookieStrings(mustURL(t, u), h); n != len(h) {
			t.Fatalf("%s: stored %d of %d", u, n, len(h))
		}
	}
	set("http://example.com/", "plain=1; Path=/", "sec=2; Secure; Path=/")
	set("http://localhost/", "lsec=3; Secure; Path=/")
	set("http://127.0.0.5/", "ipsec=4; Secure")
	set("http://[::1]/", "v6sec=5; Secure")
	ck.Advance(time.Millisecond)
	set("http://a.b.example.com/x/y/z", "deep=6; Domain=example.com; Path=/x/y", "mid=7; Domain=b.example.com; Path=/x", "host=8")
	tests := []struct{ url, want string }{
		{"http://example.com/", "plain=1"},
		{"https://example.com/", "plain=1; sec=2"},
		{"wss://example.com/", "plain=1; sec=2"},
		{"ws://example.com/", "plain=1"},
		{"http://localhost/", "lsec=3"},
		{"http://127.0.0.5/", "ipsec=4"},
		{"http://[::1]:9/", "v6sec=5"},
		{"http://a.b.example.com/x/y/z", "deep=6; host=8; mid=7"},
		{"http://a.b.example.com/x/yz", "mid=7"}, // host=8 has default path /x/y
		{"http://c.b.example.com/x/y/", "deep=6; mid=7"},
		{"http://EXAMPLE.com/x/y", "deep=6; plain=1"},
		{"http://example.com.evil/", ""},
		{"http://notexample.com/x/y", ""},
	}
	for _, tt := range tests {
		if got := j.CookieHeader(mustURL(t, tt.url)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestOrderAndRefresh(t *testing.T) {
	ck := newClock(afterRestart)
	j := New(&Options{Now: ck.Now})
	u := mustURL(t, "http://h.test/a/b/c")
	j.SetCookieStrings(u, []string{"first=1; Path=/", "second=2; Path=/"})
	ck.Advance(time.Second)
	j.SetCookieStrings(u, []string{"long=3; Path=/a/b", "third=4; Path=/"})
	if got, want := j.CookieHeader(u), "long=3; first=1; second=2; third=4"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	created := j.All()[0].Creation
	ck.Advance(time.Second)
	// Refresh keeps creation (and so the order) and replaces the rest.
	if n := j.SetCookieStrings(u, []string{"first=NEW; Path=/; HttpOnly; Max-Age=100"}); n != 1 {
		t.Fatal("refresh not stored")
	}
	all := j.All()
	if all[0].Key != "first" || all[0].Value != "NEW" || !all[0].HttpOnly || !all[0].Creation.Equal(created) || !all[0].LastAccessed.Equal(ck.Now()) {
		t.Errorf("refreshed cookie: %+v", all[0])
	}
	if got, want := j.CookieHeader(u), "long=3; first=NEW; second=2; third=4"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	// Max-Age counts from the kept creation (tough-cookie): 100 s after
	// the first creation, 98 s after the refresh.
	ck.Advance(98 * time.Second)
	if got, want := j.CookieHeader(u), "long=3; second=2; third=4"; got != want {
		t.Errorf("after Max-Age: got %q want %q", got, want)
	}
	if j.Len() != 3 {
		t.Errorf("expired cookie not removed, Len %d", j.Len())
	}
	// An expired Set-Cookie deletes the stored cookie.
	if n := j.SetCookieStrings(u, []string{"second=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}); n != 0 {
		t.Error("expired cookie counted as stored")
	}
	if got, want := j.CookieHeader(u), "long=3; third=4"; got != want {
		t.Errorf("after delete: got %q want %q", got, want)
	}
	// A nameless cookie sends its value alone.
	j.SetCookieStrings(u, []string{"bare; Path=/a/b/c"})
	if got, want := j.CookieHeader(u), "bare; long=3; third=4"; got != want {
		t.Errorf("nameless: got %q want %q", got, want)
	}
}

func TestMaxAgeOverExpires(t *testing.T) {
	ck := newClock(afterRestart)
	j := New(&Options{Now: ck.Now})
	u := mustURL(t, "http://h.test/")
	j.SetCookieStrings(u, []string{
		"a=1; Max-Age=10; Expires=Wed, 01 Jan 2031 00:00:00 GMT",
		"b=2; Max-Age=1000000; Expires=Thu, 01 Jan 2026 00:00:00 GMT",
	})
	if got := j.CookieHeader(u); got != "a=1; b=2" {
		t.Fatalf("got %q", got)
	}
	ck.Advance(11 * time.Second)
	if got := j.CookieHeader(u); got != "b=2" {
		t.Errorf("got %q", got)
	}
}

func TestSetCookiesHTTP(t *testing.T) {
	ck := newClock(afterRestart)
	j := New(&Options{Now: ck.Now})
	u := mustURL(t, "https://www.example.com/dir/page")
	exp := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	j.SetCookies(u, []*http.Cookie{
		{Name: "a", Value: "1"},
		{Name: "b", Value: "2", Path: "/", Domain: ".example.com", Expires: exp, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, Partitioned: true, Unparsed: []string{"Priority=High"}},
		{Name: "c", Value: "3", MaxAge: 60, SameSite: http.SameSiteStrictMode, Quoted: true},
		{Name: "d", Value: "4", RawExpires: "Wed, 01 Jan 2031 00:00:00 GMT", SameSite: http.SameSiteNoneMode},
		{Name: "e", Value: "5", Domain: "com"},
		nil,
	})
	got := byKey(j.All())
	want := map[string]string{
		"a": `{"key":"a","value":"1","domain":"www.example.com","path":"/dir","hostOnly":true,"pathIsDefault":true}`,
		"b": `{"key":"b","value":"2","expires":"2031-01-01T00:00:00.000Z","domain":"example.com","path":"/","secure":true,"httpOnly":true,"extensions":["Partitioned","Priority=High"],"hostOnly":false,"sameSite":"lax"}`,
		"c": `{"key":"c","value":"\"3\"","maxAge":60,"domain":"www.example.com","path":"/dir","hostOnly":true,"pathIsDefault":true,"sameSite":"strict"}`,
		"d": `{"key":"d","value":"4","expires":"2031-01-01T00:00:00.000Z","domain":"www.example.com","path":"/dir","hostOnly":true,"pathIsDefault":true,"sameSite":"none"}`,
	}
	if len(got) != len(want) {
		t.Errorf("stored %d cookies, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := cookieJSON(got[k]); g != w {
			t.Errorf("%s:\n got %s\nwant %s", k, g, w)
		}
	}
	// MaxAge < 0 deletes.
	j.SetCookies(u, []*http.Cookie{{Name: "a", Value: "x", MaxAge: -1}})
	if _, ok := byKey(j.All())["a"]; ok {
		t.Error("MaxAge<0 did not delete")
	}
	cs := j.Cookies(u)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name+"="+c.Value)
		if c.Path != "" || c.Domain != "" || c.HttpOnly || c.Secure {
			t.Errorf("Cookies must set Name and Value only: %+v", c)
		}
	}
	if got := strings.Join(names, " "); got != `c="3" d=4 b=2` {
		t.Errorf("Cookies = %s", got)
	}
}

func TestPutRemoveLenVersion(t *testing.T) {
	ck := newClock(afterRestart)
	j := New(&Options{Now: ck.Now})
	v0 := j.Version()
	c := Cookie{Key: "k", Value: "v", Domain: "h.test", Path: "/", HostOnly: ptrBool(true), Creation: ck.Now(), Extensions: []string{"X=1"}}
	j.Put(c)
	c.Extensions[0] = "mutated"
	if j.Len() != 1 || j.Version() == v0 {
		t.Fatalf("Len %d Version %d", j.Len(), j.Version())
	}
	j.Put(Cookie{Key: "k2", Value: "v2", Domain: "h.test", Path: "/", HostOnly: ptrBool(true), Creation: ck.Now()})
	v1 := j.Version()
	j.Put(Cookie{Key: "k", Value: "v3", Domain: "h.test", Path: "/", HostOnly: ptrBool(true), Creation: ck.Now()})
	if j.Version() == v1 {
		t.Error("replace did not change Version")
	}
	all := j.All()
	if len(all) != 2 || all[0].Key != "k" || all[0].Value != "v3" || all[0].Extensions != nil {
		t.Fatalf("All = %+v", all)
	}
	all[0].Value = "changed"
	if j.All()[0].Value != "v3" {
		t.Error("All does not return copies")
	}
	v2 := j.Version()
	if got := j.CookieHeader(mustURL(t, "http://h.test/")); got != "k=v3; k2=v2" {
		t.Errorf("got %q", got)
	}
	v3 := j.Version()
	if v3 == v2 {
		t.Error("LastAccessed update did not change Version")
	}
	j.CookieHeader(mustURL(t, "http://h.test/"))
	if j.Version() != v3 {
		t.Error("unchanged LastAccessed changed Version")
	}
	if !j.Remove("h.test", "/", "k") || j.Remove("h.test", "/", "k") || j.Len() != 1 {
		t.Error("Remove")
	}
	if j.Version() == v3 {
		t.Error("Remove did not change Version")
	}
}

func TestConcurrentUse(t *testing.T) {
	j := New(&Options{Now: fixedClock(afterRestart)})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			u := mustURL(t, fmt.Sprintf("http://h%d.example.com/p", g%3))
			for i := 0; i < 200; i++ {
				j.SetCookieStrings(u, []string{fmt.Sprintf("c%d=%d; Path=/", i%10, i)})
				j.CookieHeader(u)
				j.Cookies(u)
				if i%50 == 0 {
					if _, err := j.Encode(); err != nil {
						t.Error(err)
					}
					j.All()
				}
			}
		}(g)
	}
	wg.Wait()
	if j.Len() != 30 {
		t.Errorf("Len %d, want 30", j.Len())
	}
}

func TestNilAndOddURLs(t *testing.T) {
	j := New(nil)
	if n := j.SetCookieStrings(nil, []string{"a=1"}); n != 0 {
		t.Error("nil URL stored")
	}
	j.SetCookies(nil, []*http.Cookie{{Name: "a", Value: "1"}})
	if j.CookieHeader(nil) != "" || j.Cookies(nil) != nil {
		t.Error("nil URL matched")
	}
	if n := j.SetCookieStrings(mustURL(t, "file:///etc/passwd"), []string{"a=1"}); n != 0 {
		t.Error("hostless URL stored")
	}
	if n := j.SetCookieStrings(mustURL(t, "http://bücher.example/"), []string{"a=1"}); n != 1 {
		t.Fatal("IDN host not stored")
	}
	if c := j.All()[0]; c.Domain != "xn--bcher-kva.example" {
		t.Errorf("IDN domain %q", c.Domain)
	}
	if got := j.CookieHeader(mustURL(t, "http://xn--bcher-kva.example/")); got != "a=1" {
		t.Errorf("got %q", got)
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		c    Cookie
		want bool
	}{
		{Cookie{}, false},
		{Cookie{Expires: now}, true},
		{Cookie{Expires: now.Add(time.Millisecond)}, false},
		{Cookie{MaxAge: ptrFloat(0), Creation: now}, true},
		{Cookie{MaxAge: ptrFloat(math.Inf(1)), Creation: now.Add(-time.Hour)}, false},
		{Cookie{MaxAge: ptrFloat(math.Inf(-1))}, true},
		{Cookie{MaxAge: ptrFloat(10), Creation: now.Add(-10 * time.Second)}, true},
		{Cookie{MaxAge: ptrFloat(10)}, false},
	}
	for i, tt := range tests {
		if got := tt.c.Expired(now); got != tt.want {
			t.Errorf("%d: Expired = %v, want %v", i, got, tt.want)
		}
	}
	if s := (&Cookie{Value: "v"}).String(); s != "v" {
		t.Errorf("String = %q", s)
	}
	if !reflect.DeepEqual((&Cookie{Key: "k", Value: "v"}).String(), "k=v") {
		t.Error("String")
	}
}
