package cookiejar_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

func Example() {
	now := time.Date(2026, 11, 28, 22, 57, 18, 131_000_000, time.UTC)
	jar := cookiejar.New(&cookiejar.Options{Now: func() time.Time { return now }})

	set, _ := url.Parse("http://127.0.0.1:18090/set/varied")
	n := jar.SetCookieStrings(set, []string{
		"v_plain=plainval",
		"v_all=allval; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
		"v_secure=secval; Secure",
		"v_expired=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
	})
	fmt.Println("stored:", n)

	echo, _ := url.Parse("http://127.0.0.1:18090/set/echo")
	fmt.Println("Cookie:", jar.CookieHeader(echo))

	data, _ := jar.Encode()
	restored, err := cookiejar.Decode(data, &cookiejar.Options{Now: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range restored.All() {
		fmt.Println(c.Key, c.Domain, c.Path, *c.HostOnly, c.PathIsDefault)
	}
	// Output:
	// stored: 3
	// Cookie: v_plain=plainval; v_secure=secval; v_all=allval
	// v_plain 127.0.0.1 /set true true
	// v_all 127.0.0.1 / true false
	// v_secure 127.0.0.1 /set true true
}

func ExampleJar_Encode() {
	now := time.Date(2026, 11, 28, 22, 57, 18, 131_000_000, time.UTC)
	jar := cookiejar.New(&cookiejar.Options{Now: func() time.Time { return now }})
	u, _ := url.Parse("http://www.example.test/set/domain")
	jar.SetCookieStrings(u, []string{"d_dotparent=dotparentval; Domain=.example.test; Max-Age=7200"})
	data, _ := jar.Encode()
	fmt.Println(string(data))
	// Output:
	// {"version":"tough-cookie@4.1.3","storeType":"MemoryCookieStore","rejectPublicSuffixes":true,"enableLooseMode":false,"allowSpecialUseDomain":true,"prefixSecurity":"silent","cookies":[{"key":"d_dotparent","value":"dotparentval","maxAge":7200,"domain":"example.test","path":"/set","hostOnly":false,"pathIsDefault":true,"creation":"2026-11-28T22:57:18.131Z","lastAccessed":"2026-11-28T22:57:18.131Z"}]}
}
