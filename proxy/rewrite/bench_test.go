package rewrite

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func BenchmarkRewriteHTML(b *testing.B) {
	page := samplePage(20 << 10)
	opts := HTMLOptions{Mapper: shufflingMapper(b), Base: mustURL(b, "https://example.com/dir/"), Scripts: []string{"/hammerhead.js", "/rammerhead.js"}}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if err := RewriteHTML(io.Discard, strings.NewReader(page), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewriteHTMLXNet is BenchmarkRewriteHTML on x/net's tokenizer,
// the reference of the differential tests, for comparison.
func BenchmarkRewriteHTMLXNet(b *testing.B) {
	page := samplePage(20 << 10)
	opts := HTMLOptions{Mapper: shufflingMapper(b), Base: mustURL(b, "https://example.com/dir/"), Scripts: []string{"/hammerhead.js", "/rammerhead.js"}}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if err := rewriteHTML(io.Discard, strings.NewReader(page), opts, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewriteCSS(b *testing.B) {
	css := sampleCSS(20 << 10)
	m, base := shufflingMapper(b), mustURL(b, "https://example.com/css/")
	b.SetBytes(int64(len(css)))
	b.ReportAllocs()
	for b.Loop() {
		if err := RewriteCSS(io.Discard, strings.NewReader(css), m, base); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProxify(b *testing.B) {
	base := mustURL(b, "https://example.com/dir/page.html")
	for _, bc := range []struct {
		name string
		m    *Mapper
	}{{"plain", plainMapper()}, {"shuffled", shufflingMapper(b)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bc.m.Proxify(base, "../img/photo.jpg?size=large&v=3")
			}
		})
	}
}

func BenchmarkTarget(b *testing.B) {
	m := shufflingMapper(b)
	rest := strings.TrimPrefix(m.Proxify(nil, "https://example.com/img/photo.jpg?size=large&v=3"), m.Prefix())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Target(rest); err != nil {
			b.Fatal(err)
		}
	}
}

// loadPage is the 20 KB page of the server's load test
// (cmd/rammerhead/load_test.go): about 330 distinct URLs, root-relative,
// absolute and image ones, the worst case of URL-dense markup.
func loadPage(size int) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>load page</title>
<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script>
<style>body{background:url(/img/bg.png)} .x{color:#333}</style></head><body><h1>Load test</h1>`)
	for i := 0; b.Len() < size-200; i++ {
		fmt.Fprintf(&b, `<p class="x">Paragraph %d with <a href="/page/%d?q=%d">a link</a>, <a href="https://example.test/abs/%d">an absolute one</a> and <img src="/img/%d.png" alt="img"> an image.</p>`+"\n", i, i, i, i, i)
	}
	b.WriteString(`<script>document.title = "done";</script></body></html>`)
	for b.Len() < size {
		b.WriteByte('\n')
	}
	return b.String()[:size]
}

// BenchmarkRewriteHTMLLoadPage rewrites the load test's page, with and
// without a shuffling session.
func BenchmarkRewriteHTMLLoadPage(b *testing.B) {
	page := loadPage(20 << 10)
	for _, shuffle := range []bool{false, true} {
		b.Run(fmt.Sprint("shuffle=", shuffle), func(b *testing.B) {
			m := plainMapper()
			if shuffle {
				m = shufflingMapper(b)
			}
			opts := HTMLOptions{Mapper: m, Base: mustURL(b, "http://127.0.0.1:12345/page.html")}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if err := RewriteHTML(io.Discard, strings.NewReader(page), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
