package cookiejar

import (
	"fmt"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/cputime"
)

func BenchmarkDecode16(b *testing.B) {
	data := fixtureJar(b, "cookies-varied-noshuffle-localstorage")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if _, err := Decode(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode16(b *testing.B) {
	j, err := Decode(fixtureJar(b, "cookies-varied-noshuffle-localstorage"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if _, err := j.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// jar50 has 50 cookies over four domains and three paths.
func jar50(b *testing.B) *Jar {
	j := New(nil)
	hosts := []string{"www.example.com", "api.example.com", "other.org", "www.example.com"}
	paths := []string{"/", "/a", "/a/b"}
	for i := 0; i < 50; i++ {
		u := mustURL(b, fmt.Sprintf("https://%s%s/x", hosts[i%4], paths[i%3]))
		h := fmt.Sprintf("c%02d=value%02d; Path=%s", i, i, paths[i%3])
		if i%5 == 0 && hosts[i%4] != "other.org" {
			h += "; Domain=example.com"
		}
		if i%7 == 0 {
			h += "; Secure; HttpOnly"
		}
		if j.SetCookieStrings(u, []string{h}) != 1 {
			b.Fatalf("not stored: %s", h)
		}
	}
	if j.Len() != 50 {
		b.Fatalf("Len %d", j.Len())
	}
	return j
}

func BenchmarkCookies50(b *testing.B) {
	j := jar50(b)
	for _, target := range []string{
		"https://www.example.com/a/b/c", // 28 of the 50 cookies match
		"http://api.example.com/a",      // 12 match
	} {
		u := mustURL(b, target)
		n := len(j.Cookies(u))
		name := fmt.Sprintf("match%d", n)
		b.Run("Cookies/"+name, func(b *testing.B) {
			b.ReportAllocs()
			defer cputime.PerOp(b)()
			for b.Loop() {
				if len(j.Cookies(u)) != n {
					b.Fatal("wrong count")
				}
			}
		})
		b.Run("CookieHeader/"+name, func(b *testing.B) {
			b.ReportAllocs()
			defer cputime.PerOp(b)()
			for b.Loop() {
				if j.CookieHeader(u) == "" {
					b.Fatal("empty")
				}
			}
		})
	}
}

func BenchmarkSetCookies1(b *testing.B) {
	j := jar50(b)
	u := mustURL(b, "https://www.example.com/a/b/c")
	h := []string{"session=abcdef0123456789; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"}
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if j.SetCookieStrings(u, h) != 1 {
			b.Fatal("not stored")
		}
	}
}
