package cookiejar

import "testing"

func TestZZScratch(t *testing.T) {
	run := func(u string, hs []string, qs ...string) {
		j := New(nil)
		j.SetCookieStrings(mustURL(t, u), hs)
		var out []string
		for _, q := range qs {
			out = append(out, j.CookieHeader(mustURL(t, q)))
		}
		b, _ := j.Encode()
		t.Logf("%s %q\n%s", u, out, b)
	}
	run("http://example.test.example.test/", []string{"a=1; Domain=example.test"}, "http://example.test.example.test/", "http://x.example.test/")
	run("http://foo_bar.example.com/", []string{"a=1; Domain=example.com", "b=2"}, "http://foo_bar.example.com/", "http://x.example.com/")
	run("http://localhost./x/", []string{"a=1"}, "http://localhost./x/")
	run("http://foo.local./x/", []string{"a=1"}, "http://foo.local./x/")
}
