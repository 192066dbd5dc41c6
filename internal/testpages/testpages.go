// Package testpages generates the HTML pages of the load test and of the
// rewriter's benchmarks, so that both measure the same markup.
package testpages

import (
	"bytes"
	"fmt"
	"strings"
)

// Dense returns an HTML page of size bytes made of short paragraphs with
// three distinct URLs each (about 17 per KB: 342 in 20 KB), plus the
// stylesheet, script and style a proxy rewrites: the hard case for a
// rewriting proxy.
func Dense(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>load page</title>
<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script>
<style>body{background:url(/img/bg.png)} .x{color:#333}</style></head><body><h1>Load test</h1>`)
	const tail = `<script>document.title = "done";</script></body></html>`
	for i := 0; ; i++ {
		p := fmt.Sprintf(`<p class="x">Paragraph %d with <a href="/page/%d?q=%d">a link</a>, <a href="https://example.test/abs/%d">an absolute one</a> and <img src="/img/%d.png" alt="img"> an image.</p>`+"\n", i, i, i, i, i)
		if b.Len()+len(p)+len(tail) > size {
			break
		}
		b.WriteString(p)
	}
	b.WriteString(tail)
	for b.Len() < size {
		b.WriteByte('\n')
	}
	return b.Bytes()[:size]
}

// Article returns an HTML page of size bytes shaped like an article: a
// head with stylesheets and scripts, a navigation bar, paragraphs of text
// with a few links, figures and a footer. It has about 6 URLs per KB (116
// in 20 KB), the density of ordinary pages.
func Article(size int) []byte {
	words := strings.Fields(`the proxy keeps every session in a store and rewrites each page so that its
links lead back through the same session while cookies stay in the jar on the server side of the connection`)
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>An article</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/main.css"><link rel="stylesheet" href="/static/article.css">
<link rel="icon" href="/favicon.ico"><script src="/static/app.js" defer></script>
<style>.article p{line-height:1.5} .hero{background:url(/img/hero.jpg)}</style></head>
<body><header><nav class="top">`)
	for i := range 12 {
		fmt.Fprintf(&b, `<a href="/section/%d">Section %d</a> `, i, i)
	}
	b.WriteString("</nav></header>\n<main class=\"article\"><h1>An article of some length</h1>\n")
	footer := `</main><footer>` + strings.Repeat(`<a href="/about">About</a> <a href="/contact">Contact</a> `, 4) +
		`</footer><script>window.loaded = true;</script></body></html>`
	for i := 0; b.Len() < size-len(footer)-700; i++ {
		b.WriteString("<p>")
		for j := range 70 {
			if j == 20 || j == 50 {
				fmt.Fprintf(&b, `<a href="/wiki/Topic_%d_%d">%s</a> `, i, j, words[(i+j)%len(words)])
				continue
			}
			b.WriteString(words[(i*7+j)%len(words)])
			b.WriteByte(' ')
		}
		b.WriteString("</p>\n")
		if i%3 == 2 {
			fmt.Fprintf(&b, `<figure><img src="/img/figure%d.jpg" alt="figure %d" width="640" height="360"><figcaption>Figure %d</figcaption></figure>`+"\n", i, i, i)
		}
	}
	b.WriteString(footer)
	for b.Len() < size {
		b.WriteByte('\n')
	}
	return b.Bytes()[:size]
}
