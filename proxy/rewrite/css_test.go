package rewrite

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRewriteCSS(t *testing.T) {
	m := plainMapper()
	base := mustURL(t, "https://example.com/css/site.css")
	E := P + "https://example.com"
	tests := []struct {
		name, in, want string
	}{
		{"unquoted", "a{background:url(i.png)}", "a{background:url(" + E + "/css/i.png)}"},
		{"double quoted", `a{background:url("/i.png")}`, `a{background:url("` + E + `/i.png")}`},
		{"single quoted", `a{background:url('../i.png')}`, `a{background:url('` + E + `/i.png')}`},
		{"spaces inside", "a{b:url(  \"i.png\"  )}", "a{b:url(  \"" + E + "/css/i.png\"  )}"},
		{"spaces unquoted", "a{b:url( i.png )}", "a{b:url( " + E + "/css/i.png )}"},
		{"upper case", "a{b:URL(i.png)}", "a{b:URL(" + E + "/css/i.png)}"},
		{"several", "a{b:url(1.png),url('2.png')}", "a{b:url(" + E + "/css/1.png),url('" + E + "/css/2.png')}"},
		{"absolute", "a{b:url(https://cdn.x/f.woff2)}", "a{b:url(" + P + "https://cdn.x/f.woff2)}"},
		{"data kept", "a{b:url(data:image/png;base64,iVBOR==)}", "a{b:url(data:image/png;base64,iVBOR==)}"},
		{"quoted data kept", `a{b:url("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'/>")}`, `a{b:url("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'/>")}`},
		{"fragment kept", "a{filter:url(#f)}", "a{filter:url(#f)}"},
		{"empty", "a{b:url()}", "a{b:url()}"},
		{"empty quoted", `a{b:url("")}`, `a{b:url("")}`},
		{"import string", `@import "x.css";`, `@import "` + E + `/css/x.css";`},
		{"import single", `@import 'x.css' screen;`, `@import '` + E + `/css/x.css' screen;`},
		{"import url", `@import url(x.css);`, `@import url(` + E + `/css/x.css);`},
		{"import upper", `@IMPORT "x.css";`, `@IMPORT "` + E + `/css/x.css";`},
		{"not import", `@imports "x.css"; @media print{}`, `@imports "x.css"; @media print{}`},
		{"comment", "/* url(a.png) @import 'b.css'; */a{}", "/* url(a.png) @import 'b.css'; */a{}"},
		{"comment then url", "/**/a{b:url(c)}/* x */", "/**/a{b:url(" + E + "/css/c)}/* x */"},
		{"string containing url(", `a{content:"url(x)"; b:url(y)}`, `a{content:"url(x)"; b:url(` + E + `/css/y)}`},
		{"string with escaped quote", `a{content:"\"url(x)"}`, `a{content:"\"url(x)"}`},
		{"identifier ending in url", "a{b:myurl(x) c:--url(y)}", "a{b:myurl(x) c:--url(y)}"},
		{"escaped paren unquoted", `a{b:url(a\)b.png)}`, `a{b:url(` + E + `/css/a\29 b.png)}`},
		{"hex escape", `a{b:url("\2f x.png")}`, `a{b:url("` + E + `/x.png")}`},
		{"quote in result escaped", `a{b:url("/q?a='1'")}`, `a{b:url("` + E + `/q?a=%271%27")}`},
		{"single quote escaped in single-quoted", `a{b:url('/q?a=\'1\'')}`, `a{b:url('` + E + `/q?a=%271%27')}`},
		{"angle brackets escaped", `a{b:url("/q?x=\3c/style\3e")}`, `a{b:url("` + E + `/q?x=%3C/style%3E")}`},
		{"css escapes for the rest", `a{b:url("/q?x=\\\"\0a")}`, `a{b:url("` + E + `/q?x=\\%22")}`},
		{"unquoted css escapes", `a{b:url(/q?x=\\\(\))}`, `a{b:url(` + E + `/q?x=\\\28 \29 )}`},
		{"bad url kept", `a{b:url(x"y)}`, `a{b:url(x"y)}`},
		{"bad string kept", "a{b:url(\"x\n)}", "a{b:url(\"x\n)}"},
		{"unterminated at eof", `a{b:url("x`, `a{b:url("x`},
		{"unterminated unquoted at eof", `a{b:url(x`, `a{b:url(x`},
		{"url at eof", `url(`, `url(`},
		{"escape at eof", `a\`, `a\`},
		{"non-ascii", "a{content:'é'; b:url(ü.png)}", "a{content:'é'; b:url(" + E + "/css/%C3%BC.png)}"},
		{"no urls", "a{color:red}", "a{color:red}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RewriteCSSString(tc.in, m, base)
			if got != tc.want {
				t.Errorf("RewriteCSSString(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			var out bytes.Buffer
			if err := RewriteCSS(&out, iotest.OneByteReader(strings.NewReader(tc.in)), m, base); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("RewriteCSS one byte at a time(%q)\n got %q\nwant %q", tc.in, out.String(), tc.want)
			}
		})
	}
}

// sampleCSS returns a stylesheet of about n bytes.
func sampleCSS(n int) string {
	var b strings.Builder
	b.WriteString("@charset \"utf-8\";\n@import url(\"reset.css\");\n@import 'theme.css' screen;\n")
	b.WriteString("@font-face{font-family:X;src:url(data:font/woff2;base64," + strings.Repeat("AbCd", 200) + ") format('woff2')}\n")
	for i := 0; b.Len() < n; i++ {
		b.WriteString("/* block comment with url(not-a-url.png) */\n.item-")
		b.WriteString(strings.Repeat("a", i%9+1))
		b.WriteString(" > .child:hover{color:#333;margin:0 auto;padding:4px 8px;background:#fff url('/img/sprite.png') no-repeat 0 -")
		b.WriteString(strings.Repeat("1", i%3+1))
		b.WriteString("px;font:12px/1.5 \"Helvetica Neue\",Arial,sans-serif}\n.icon{background-image:url(icons/i.svg)}\n")
	}
	return b.String()
}

func TestRewriteCSSSplitReads(t *testing.T) {
	m := shufflingMapper(t)
	base := mustURL(t, "https://example.com/css/")
	css := sampleCSS(40 << 10)
	var whole bytes.Buffer
	if err := RewriteCSS(&whole, strings.NewReader(css), m, base); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(whole.String(), "/img/sprite.png") || !strings.Contains(whole.String(), "not-a-url.png") ||
		!strings.Contains(whole.String(), strings.Repeat("AbCd", 200)) {
		t.Fatal("sample stylesheet was not rewritten as expected")
	}
	if got := RewriteCSSString(css, m, base); got != whole.String() {
		t.Error("RewriteCSSString differs from RewriteCSS")
	}
	for name, r := range map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(css)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(css)) },
		"data err": func() io.Reader { return iotest.DataErrReader(strings.NewReader(css)) },
	} {
		var out bytes.Buffer
		if err := RewriteCSS(&out, r(), m, base); err != nil {
			t.Fatal(err)
		}
		if out.String() != whole.String() {
			t.Errorf("%s reads: output differs", name)
		}
	}
	// Every split point of a short sheet, through a pipe.
	small := `@import "a.css";/*c*/b{x:url( 'q.png' )}c{y:URL(r.png)}`
	want := RewriteCSSString(small, m, base)
	for i := 0; i <= len(small); i++ {
		pr, pw := io.Pipe()
		go func() {
			pw.Write([]byte(small[:i]))
			pw.Write([]byte(small[i:]))
			pw.Close()
		}()
		var out bytes.Buffer
		if err := RewriteCSS(&out, pr, m, base); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("split at %d: got %q, want %q", i, out.String(), want)
		}
	}
}

func TestRewriteCSSLongURLs(t *testing.T) {
	m := plainMapper()
	// A data: URI far longer than the URL limit streams through.
	long := "a{b:url(\"data:font/woff2;base64," + strings.Repeat("A", 3*maxCSSURL) + "\")} c{d:url(e)}"
	got := RewriteCSSString(long, m, mustURL(t, "https://x.test/"))
	if want := strings.Replace(long, "url(e)", "url("+P+"https://x.test/e)", 1); got != want {
		t.Error("long data: URI not copied through unchanged")
	}
	// So does an over-long ordinary URL.
	huge := "a{b:url(/" + strings.Repeat("p", maxCSSURL+10) + ")}"
	if got := RewriteCSSString(huge, m, mustURL(t, "https://x.test/")); got != huge {
		t.Error("over-long URL not copied through unchanged")
	}
}

func TestRewriteCSSErrors(t *testing.T) {
	boom := errors.New("boom")
	var out bytes.Buffer
	err := RewriteCSS(&out, io.MultiReader(strings.NewReader("a{b:url(c)}"), iotest.ErrReader(boom)), plainMapper(), nil)
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the read error wrapped", err)
	}
	err = RewriteCSS(errWriter{boom}, strings.NewReader(sampleCSS(30<<10)), plainMapper(), nil)
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the write error wrapped", err)
	}
}

func FuzzRewriteCSS(f *testing.F) {
	f.Add(sampleCSS(2 << 10))
	for _, s := range []string{
		"a{b:url(c)}", `@import "x";`, `url("\`, "url( ", `/* url(`, `"url(`, `u\rl(x)`, `url(x\`, "@import", "@im",
		`url('a\'b')`, "url(data:", `url("data:x")`, `\75 rl(a)`, "a{b:url(\"x\n\")}",
	} {
		f.Add(s)
	}
	m := shufflingMapper(f)
	base := mustURL(f, "https://example.com/css/")
	f.Fuzz(func(t *testing.T, in string) {
		var whole, bytewise bytes.Buffer
		if err := RewriteCSS(&whole, strings.NewReader(in), m, base); err != nil {
			t.Fatal(err)
		}
		if err := RewriteCSS(&bytewise, iotest.OneByteReader(strings.NewReader(in)), m, base); err != nil {
			t.Fatal(err)
		}
		if whole.String() != bytewise.String() {
			t.Fatalf("one-byte reads differ:\n%q\n%q", whole.String(), bytewise.String())
		}
		if s := RewriteCSSString(in, m, base); s != whole.String() {
			t.Fatalf("RewriteCSSString differs:\n%q\n%q", s, whole.String())
		}
	})
}
