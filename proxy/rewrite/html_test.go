package rewrite

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const P = testOrigin + "/" + testSID + "/"

func rewriteHTMLString(t testing.TB, in string, opts HTMLOptions) string {
	t.Helper()
	var out bytes.Buffer
	if err := RewriteHTML(&out, strings.NewReader(in), opts); err != nil {
		t.Fatalf("RewriteHTML: %v", err)
	}
	return out.String()
}

func TestRewriteHTML(t *testing.T) {
	base := mustURL(t, "https://example.com/dir/page.html")
	opts := HTMLOptions{Mapper: plainMapper(), Base: base}
	tests := []struct {
		name, in, want string
	}{
		{"a href", `<a href="x.html">x</a>`, `<a href="` + P + `https://example.com/dir/x.html">x</a>`},
		{"unquoted and single-quoted", `<a href=x.html title='t'>`, `<a href="` + P + `https://example.com/dir/x.html" title="t">`},
		{"img src", `<img src="/i.png" alt="">`, `<img src="` + P + `https://example.com/i.png" alt="">`},
		{"script src, content unchanged", `<script src="a.js"></script><script>var u = "<a href='x'>"; url("y")</script>`,
			`<script src="` + P + `https://example.com/dir/a.js"></script><script>var u = "<a href='x'>"; url("y")</script>`},
		{"form action", `<form action="/post" method=post><button formaction="/b">`,
			`<form action="` + P + `https://example.com/post" method="post"><button formaction="` + P + `https://example.com/b">`},
		{"video poster", `<video poster="p.jpg" src="v.mp4">`, `<video poster="` + P + `https://example.com/dir/p.jpg" src="` + P + `https://example.com/dir/v.mp4">`},
		{"object data", `<object data="f.swf"></object><div data="keep">`, `<object data="` + P + `https://example.com/dir/f.swf"></object><div data="keep">`},
		{"background", `<body background="bg.gif">`, `<body background="` + P + `https://example.com/dir/bg.gif">`},
		{"cite longdesc", `<blockquote cite="/c"><img longdesc="/d">`, `<blockquote cite="` + P + `https://example.com/c"><img longdesc="` + P + `https://example.com/d">`},
		{"manifest", `<html manifest="m.appcache">`, `<html manifest="` + P + `https://example.com/dir/m.appcache">`},
		{"icon", `<menuitem icon="i.png">`, `<menuitem icon="` + P + `https://example.com/dir/i.png">`},
		{"srcset", `<img srcset="a.png 1x, b.png 2x,c.png">`, `<img srcset="` + P + `https://example.com/dir/a.png 1x, ` + P + `https://example.com/dir/b.png 2x,` + P + `https://example.com/dir/c.png">`},
		{"srcset widths and commas in url", `<img srcset="/a,b.png 100w,  /c.png  200w">`, `<img srcset="` + P + `https://example.com/a,b.png 100w,  ` + P + `https://example.com/c.png  200w">`},
		{"imagesrcset", `<link rel=preload as=image imagesrcset="x.png 1x">`, `<link rel="preload" as="image" imagesrcset="` + P + `https://example.com/dir/x.png 1x">`},
		{"ping", `<a ping="/p1 https://t.example/p2">`, `<a ping="` + P + `https://example.com/p1 ` + P + `https://t.example/p2">`},
		{"meta refresh", `<meta http-equiv="refresh" content="5; url=/next">`, `<meta http-equiv="refresh" content="5; url=` + P + `https://example.com/next">`},
		{"meta refresh quoted", `<META HTTP-EQUIV=Refresh CONTENT="0;URL='https://o.example/'">`, `<META http-equiv="Refresh" content="0;URL='` + P + `https://o.example/'">`},
		{"meta refresh no url", `<meta http-equiv="refresh" content="30">`, `<meta http-equiv="refresh" content="30">`},
		{"meta csp removed", `<meta http-equiv="Content-Security-Policy" content="default-src 'self'"><p>`, `<p>`},
		{"meta referrer", `<meta name="referrer" content="no-referrer">`, `<meta name="referrer" content="no-referrer-when-downgrade">`},
		{"meta other kept byte for byte", `<meta  charset=utf-8 >`, `<meta  charset=utf-8 >`},
		{"base href", `<base href="https://cdn.example.org/s/"><img src="i.png"><a href="/r">`,
			`<base href="` + P + `https://cdn.example.org/s/"><img src="` + P + `https://cdn.example.org/s/i.png"><a href="` + P + `https://cdn.example.org/r">`},
		{"relative base href", `<base href="sub/"><img src="i.png">`,
			`<base href="` + P + `https://example.com/dir/sub/"><img src="` + P + `https://example.com/dir/sub/i.png">`},
		{"only first base counts", `<base href="/one/"><base href="/two/"><img src="i">`,
			`<base href="` + P + `https://example.com/one/"><base href="` + P + `https://example.com/two/"><img src="` + P + `https://example.com/one/i">`},
		{"style attribute", `<div style="background:url(bg.png)">`, `<div style="background:url(` + P + `https://example.com/dir/bg.png)">`},
		{"style attribute entities", `<div style="background:url(&quot;/a?b=1&amp;c=2&quot;)">`, `<div style="background:url(&quot;` + P + `https://example.com/a?b=1&amp;c=2&quot;)">`},
		{"style element", "<style>@import 'x.css';\nbody{background:url(\"/b.png\")}</style>", "<style>@import '" + P + "https://example.com/dir/x.css';\nbody{background:url(\"" + P + "https://example.com/b.png\")}</style>"},
		{"self-closing style", `<style/>a{background:url(/z)}</style>`, `<style/>a{background:url(` + P + `https://example.com/z)}</style>`},
		{"integrity removed", `<script src="/a.js" integrity="sha384-abc" crossorigin="anonymous"></script>`, `<script src="` + P + `https://example.com/a.js" crossorigin="anonymous"></script>`},
		{"integrity removed alone", `<link rel=stylesheet href="data:text/css," integrity="sha256-x">`, `<link rel="stylesheet" href="data:text/css,">`},
		{"uppercase tags", `<A HREF="x">X</A><IMG SRC='y'>`, `<A href="` + P + `https://example.com/dir/x">X</A><IMG src="` + P + `https://example.com/dir/y">`},
		{"self-closing tags", `<img src="a.png"/><br/><link href="s.css" />`, `<img src="` + P + `https://example.com/dir/a.png"/><br/><link href="` + P + `https://example.com/dir/s.css"/>`},
		{"comments untouched", `<!-- <a href="x"> --><a href="y">`, `<!-- <a href="x"> --><a href="` + P + `https://example.com/dir/y">`},
		{"doctype untouched", "<!DOCTYPE html>\n<p>", "<!DOCTYPE html>\n<p>"},
		{"unchanged tags byte for byte", "<DIV  Class = 'a'  id=b data-x=\"&amp;\">t</DIV>", "<DIV  Class = 'a'  id=b data-x=\"&amp;\">t</DIV>"},
		{"javascript href kept", `<a href="javascript:void(0)" onclick="go('/x')">`, `<a href="javascript:void(0)" onclick="go('/x')">`},
		{"fragment href kept", `<a href="#top">`, `<a href="#top">`},
		{"entity in url", `<a href="/s?a=1&amp;b=2&lt;">`, `<a href="` + P + `https://example.com/s?a=1&amp;b=2%3C">`},
		{"quote in value", `<a href="/a" title='say "hi"'>`, `<a href="` + P + `https://example.com/a" title="say &quot;hi&quot;">`},
		{"textarea content untouched", `<textarea><a href="x"></textarea>`, `<textarea><a href="x"></textarea>`},
		{"svg xlink", `<svg><use xlink:href="/s.svg#i"/></svg>`, `<svg><use xlink:href="` + P + `https://example.com/s.svg#i"/></svg>`},
		{"iframe src", `<iframe src="https://embed.example/v"></iframe>`, `<iframe src="` + P + `https://embed.example/v"></iframe>`},
		{"truncated tag dropped", `<p>hi</p><a href="x`, `<p>hi</p>`},
		{"empty", ``, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rewriteHTMLString(t, tc.in, opts); got != tc.want {
				t.Errorf("RewriteHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRewriteHTMLShuffled(t *testing.T) {
	m := shufflingMapper(t)
	got := rewriteHTMLString(t, `<a href="/set/basic">`, HTMLOptions{Mapper: m, Base: mustURL(t, "http://127.0.0.1:18090/")})
	want := `<a href="` + m.Prefix() + `_rhstEBw://SFH.K.5.H:jbNWg/5xH/xxNFP">`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRewriteHTMLInjection(t *testing.T) {
	opts := HTMLOptions{
		Mapper:  plainMapper(),
		Base:    mustURL(t, "https://example.com/"),
		Scripts: []string{"/hammerhead.js", "/rammerhead.js"},
		Styles:  []string{"/x.css", "https://static.example/y.css"},
	}
	inj := `<link rel="stylesheet" href="` + testOrigin + `/x.css"><link rel="stylesheet" href="https://static.example/y.css">` +
		`<script src="` + testOrigin + `/hammerhead.js"></script><script src="` + testOrigin + `/rammerhead.js"></script>`
	tests := []struct {
		name, in, want string
	}{
		{"head", "<!DOCTYPE html><html><head><title>t</title><script>x()</script></head><body>",
			"<!DOCTYPE html><html><head>" + inj + "<title>t</title><script>x()</script></head><body>"},
		{"head with attributes, upper case", "<HTML lang=en><HEAD profile=x><META charset=utf-8>",
			"<HTML lang=en><HEAD profile=x>" + inj + "<META charset=utf-8>"},
		{"no head", "<!doctype html>\n<html>\n<title>t</title>", "<!doctype html>\n<html>\n<head>" + inj + "<title>t</title>"},
		{"no head, script first", "<html><script>x()</script><head>", "<html><head>" + inj + "<script>x()</script><head>"},
		{"no html, no head", "<!-- c --><body><p>", "<!-- c --><head>" + inj + "<body><p>"},
		{"text only", "  hello", "  <head>" + inj + "hello"},
		{"bom", "\ufeffhi", "\ufeff<head>" + inj + "hi"},
		{"whitespace only", " \n", " \n<head>" + inj},
		{"end tag first", "</p>x", "<head>" + inj + "</p>x"},
		{"only once", "<head></head><head>", "<head>" + inj + "</head><head>"},
		{"empty document", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rewriteHTMLString(t, tc.in, opts); got != tc.want {
				t.Errorf("RewriteHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// samplePage returns an HTML page of about n bytes exercising most rewrites.
func samplePage(n int) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>Sample</title>\n")
	b.WriteString(`<link rel=stylesheet href="/css/site.css" integrity="sha384-xyz">` + "\n")
	b.WriteString("<style>body{background:url('/img/bg.png')} @import \"more.css\";</style>\n")
	b.WriteString("<script>window.x = '<a href=\"/nope\">';</script></head><body>\n")
	for i := 0; b.Len() < n; i++ {
		b.WriteString(`<div class="item" style="color:red;background-image:url(/i/`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(`.png)"><a href="/article?id=`)
		b.WriteString(strings.Repeat("9", i%5+1))
		b.WriteString(`&amp;ref=home">Article title number one</a> <img src="https://cdn.example.net/t.jpg" srcset="/t.jpg 1x, /t@2x.jpg 2x" alt="thumbnail">`)
		b.WriteString("<p>Some text with <b>bold</b> and <i>italic</i> parts &amp; entities.</p><!-- comment --></div>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func TestRewriteHTMLOneByteReads(t *testing.T) {
	opts := HTMLOptions{Mapper: shufflingMapper(t), Base: mustURL(t, "https://example.com/a/b"), Scripts: []string{"/hammerhead.js"}}
	page := samplePage(30 << 10)
	whole := rewriteHTMLString(t, page, opts)
	if !strings.Contains(whole, opts.Mapper.Prefix()+"_rhs") || strings.Contains(whole, "integrity") {
		t.Fatal("sample page was not rewritten")
	}
	var out bytes.Buffer
	if err := RewriteHTML(&out, iotest.OneByteReader(strings.NewReader(page)), opts); err != nil {
		t.Fatal(err)
	}
	if out.String() != whole {
		t.Error("output with one-byte reads differs from output with whole reads")
	}
	// Through a pipe fed in odd-sized chunks.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(page); i += 7 {
			if _, err := pw.Write([]byte(page[i:min(i+7, len(page))])); err != nil {
				return
			}
		}
		pw.Close()
	}()
	out.Reset()
	if err := RewriteHTML(&out, pr, opts); err != nil {
		t.Fatal(err)
	}
	if out.String() != whole {
		t.Error("output through a pipe differs from output with whole reads")
	}
}

// TestRewriteHTMLStreams checks that output reaches dst before src ends.
func TestRewriteHTMLStreams(t *testing.T) {
	opts := HTMLOptions{Mapper: plainMapper(), Base: mustURL(t, "https://example.com/")}
	// The first part ends with a complete tag that carries a marker: all of
	// its output must reach dst while the rewriter waits for the rest.
	const marker = "end-of-first-part"
	first := samplePage(100<<10) + `<p id="` + marker + `">`
	rest := strings.Repeat("<p>more text</p>\n", 5000) + "</body></html>"
	page := first + rest
	half := len(first)
	srcR, srcW := io.Pipe()
	dstR, dstW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := RewriteHTML(dstW, srcR, opts)
		dstW.CloseWithError(err)
		done <- err
	}()
	// Drain the output, telling when the marker has arrived.
	arrived := make(chan struct{})
	total := make(chan int, 1)
	go func() {
		buf := make([]byte, 4<<10)
		var seen bytes.Buffer
		n, signalled := 0, false
		for {
			k, err := dstR.Read(buf)
			n += k
			seen.Write(buf[:k])
			if !signalled && bytes.Contains(seen.Bytes(), []byte(marker)) {
				close(arrived)
				signalled = true
			}
			if err != nil {
				total <- n
				return
			}
		}
	}()
	// io.Pipe's Write returns once the rewriter has read all of the first
	// half; the rest of the page is still unwritten.
	if _, err := srcW.Write([]byte(page[:half])); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("no output before the end of the input: RewriteHTML does not stream")
	}
	if _, err := srcW.Write([]byte(page[half:])); err != nil {
		t.Fatal(err)
	}
	srcW.Close()
	if n := <-total; n < len(page) {
		t.Errorf("output is %d bytes, input %d", n, len(page))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type flushRecorder struct {
	bytes.Buffer
	flushes int
}

func (f *flushRecorder) Flush() { f.flushes++ }

func TestRewriteHTMLFlushesDst(t *testing.T) {
	page := samplePage(50 << 10)
	var dst flushRecorder
	err := RewriteHTML(&dst, iotest.HalfReader(strings.NewReader(page)), HTMLOptions{Mapper: plainMapper(), Base: mustURL(t, "https://example.com/")})
	if err != nil {
		t.Fatal(err)
	}
	if dst.flushes == 0 {
		t.Error("an http.Flusher destination was never flushed")
	}
}

func TestRewriteHTMLErrors(t *testing.T) {
	boom := errors.New("boom")
	var out bytes.Buffer
	err := RewriteHTML(&out, io.MultiReader(strings.NewReader("<p>ok</p>"), iotest.ErrReader(boom)), HTMLOptions{Mapper: plainMapper()})
	if !errors.Is(err, boom) {
		t.Errorf("read error: got %v, want it wrapped", err)
	}
	if !strings.Contains(out.String(), "<p>ok</p>") {
		t.Errorf("output before the error was lost: %q", out.String())
	}
	err = RewriteHTML(errWriter{boom}, strings.NewReader(samplePage(40<<10)), HTMLOptions{Mapper: plainMapper()})
	if !errors.Is(err, boom) {
		t.Errorf("write error: got %v, want it wrapped", err)
	}
	if err := RewriteHTML(&out, strings.NewReader("x"), HTMLOptions{}); err == nil {
		t.Error("nil Mapper: no error")
	}
	err = RewriteHTML(&out, strings.NewReader("<script>"+strings.Repeat("a", 10000)+"</script>"), HTMLOptions{Mapper: plainMapper(), MaxTokenBytes: 1000})
	if !errors.Is(err, ErrTokenTooLarge) {
		t.Errorf("huge token: got %v, want ErrTokenTooLarge", err)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func FuzzRewriteHTML(f *testing.F) {
	f.Add(samplePage(600))
	for _, s := range []string{
		`<a href="x">`, `<base href="/b/"><img srcset="a 1x,b 2x">`, `<meta http-equiv=refresh content="0;url='x'">`,
		`<style>a{b:url(c)}</style>`, `<div style="x:url('&quot;')">`, "<script>a<b</script>", "<!--", "<a b='",
		"<html><head>", "\ufeff<p>", "<svg><style>url(x)</style>", "<plaintext><a href=x>", `<object data=x>`,
	} {
		f.Add(s)
	}
	m := shufflingMapper(f)
	base := mustURL(f, "https://example.com/dir/")
	f.Fuzz(func(t *testing.T, in string) {
		opts := HTMLOptions{Mapper: m, Base: base, Scripts: []string{"/hammerhead.js"}, Styles: []string{"/s.css"}}
		var whole, bytewise bytes.Buffer
		if err := RewriteHTML(&whole, strings.NewReader(in), opts); err != nil {
			t.Fatal(err)
		}
		if err := RewriteHTML(&bytewise, iotest.OneByteReader(strings.NewReader(in)), opts); err != nil {
			t.Fatal(err)
		}
		if whole.String() != bytewise.String() {
			t.Fatalf("one-byte reads differ:\n%q\n%q", whole.String(), bytewise.String())
		}
	})
}
