package rewrite_test

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/rammerhead-go/rammerhead/proxy/rewrite"
)

func ExampleMapper() {
	m := &rewrite.Mapper{ProxyOrigin: "http://127.0.0.1:8080", SessionID: "0123456789abcdef0123456789abcdef"}
	base, _ := url.Parse("https://example.com/docs/")
	p := m.Proxify(base, "intro.html#start")
	fmt.Println(p)
	u, err := m.Target(strings.TrimPrefix(p, m.Prefix()))
	fmt.Println(u, err)
	// Output:
	// http://127.0.0.1:8080/0123456789abcdef0123456789abcdef/https://example.com/docs/intro.html#start
	// https://example.com/docs/intro.html <nil>
}

func ExampleRewriteHTML() {
	m := &rewrite.Mapper{ProxyOrigin: "http://127.0.0.1:8080", SessionID: "0123456789abcdef0123456789abcdef"}
	base, _ := url.Parse("https://example.com/")
	page := `<html><head><title>Hi</title></head><body><a href="/about">About</a></body></html>`
	err := rewrite.RewriteHTML(os.Stdout, strings.NewReader(page), rewrite.HTMLOptions{
		Mapper: m, Base: base, Scripts: []string{"/hammerhead.js"},
	})
	fmt.Println()
	fmt.Println(err)
	// Output:
	// <html><head><script src="http://127.0.0.1:8080/hammerhead.js"></script><title>Hi</title></head><body><a href="http://127.0.0.1:8080/0123456789abcdef0123456789abcdef/https://example.com/about">About</a></body></html>
	// <nil>
}
