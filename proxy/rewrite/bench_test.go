package rewrite

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rammerhead-go/rammerhead/internal/testpages"
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

// BenchmarkRewriteHTMLPages rewrites the load test's 20 KB pages, with
// and without a shuffling session: the URL-dense page (342 URLs)
// and the article page (116).
func BenchmarkRewriteHTMLPages(b *testing.B) {
	for _, pg := range []struct {
		name string
		page []byte
	}{{"dense", testpages.Dense(20 << 10)}, {"article", testpages.Article(20 << 10)}} {
		for _, shuffle := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/shuffle=%v", pg.name, shuffle), func(b *testing.B) {
				m := plainMapper()
				if shuffle {
					m = shufflingMapper(b)
				}
				opts := HTMLOptions{Mapper: m, Base: mustURL(b, "http://127.0.0.1:12345/page.html")}
				b.SetBytes(int64(len(pg.page)))
				b.ReportAllocs()
				for b.Loop() {
					if err := RewriteHTML(io.Discard, bytes.NewReader(pg.page), opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
