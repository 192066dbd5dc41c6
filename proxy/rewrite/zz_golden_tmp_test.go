package rewrite

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func goldenCorpus() []string {
	in := []string{samplePage(30 << 10), samplePage(2000)}
	files, _ := filepath.Glob("testdata/fuzz/FuzzRewriteHTML/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.SplitN(string(b), "\n", 3)
		if len(lines) >= 2 {
			in = append(in, lines[1])
		}
	}
	pieces := []string{"<a", "<A", "<img", "<IMG", "<div", "<base", "<meta", "<object", "<link", "<style>", "</style>", "<script>", "</script>", "<svg>",
		" href", " HREF", " src", " srcset", " style", " data", " ping", " integrity", " http-equiv", " content", " name", " action", " xlink:href", " =", "=", "==", " /", "/", ">", "/>",
		`"`, `'`, "x", "/a/b", "../c", "http://h/x", "https://h.example/p?q=1&amp;r=2", "&amp;", "&quot;", "&lt;", "&gt;", "&apos;", "&#39;", "&#x27;", "&#65;", "&copy;", "&amp", "&ampx;", "&", "&#", "&#0;", "&#128;",
		"\r", "\n", "\t", " ", "\x00", "é", "url(x)", "url('y')", "a 1x, b 2x", "refresh", "0;url=z", "referrer", "origin", "Content-Security-Policy", "#f", "?q", "data:x", "javascript:y",
		"<!--", "-->", "<!DOCTYPE html>", "<head>", "<html>", "<body>", "text", "\ufeff"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		n := 1 + r.IntN(30)
		for j := 0; j < n; j++ {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		in = append(in, b.String())
	}
	return in
}

func TestGoldenTmp(t *testing.T) {
	mode := os.Getenv("GOLDEN")
	if mode == "" {
		t.Skip()
	}
	m := shufflingMapper(t)
	base := mustURL(t, "https://example.com/dir/")
	var outs []string
	for _, in := range goldenCorpus() {
		var out bytes.Buffer
		err := RewriteHTML(&out, strings.NewReader(in), HTMLOptions{Mapper: m, Base: base, Scripts: []string{"/hammerhead.js"}, Styles: []string{"/s.css"}})
		s := out.String()
		if err != nil {
			s += "ERR:" + err.Error()
		}
		outs = append(outs, s)
	}
	if mode == "write" {
		b, _ := json.Marshal(outs)
		os.WriteFile("/tmp/p12/golden.json", b, 0o644)
		return
	}
	b, _ := os.ReadFile("/tmp/p12/golden.json")
	var want []string
	json.Unmarshal(b, &want)
	in := goldenCorpus()
	bad := 0
	for i := range want {
		if want[i] != outs[i] {
			bad++
			if bad < 5 {
				t.Errorf("input %q:\n got %q\nwant %q", in[i], outs[i], want[i])
			}
		}
	}
	t.Logf("%d inputs, %d differ", len(want), bad)
}

func TestGoldenCSSTmp(t *testing.T) {
	mode := os.Getenv("GOLDEN")
	if mode == "" {
		t.Skip()
	}
	pieces := []string{"url(", "URL(", "url( ", "'", `"`, ")", " ", "\\", "\\41 ", "\\\n", "/*", "*/", "@import", "@IMPORT ", "a{b:", "}", "x.png", "/a/b", "../c", "http://h/x?q='\"<>", "data:", "data:x", "é", "\n", "\x00", "#f", "?q", "(", "u", "rl(", "ident", "-", "%41", "<", ">"}
	r := rand.New(rand.NewPCG(3, 4))
	m := shufflingMapper(t)
	base := mustURL(t, "https://example.com/css/")
	var ins, outs []string
	ins = append(ins, sampleCSS(20<<10))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		n := 1 + r.IntN(20)
		for j := 0; j < n; j++ {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		ins = append(ins, b.String())
	}
	for _, in := range ins {
		var out bytes.Buffer
		err := RewriteCSS(&out, strings.NewReader(in), m, base)
		s := out.String() + "|" + RewriteCSSString(in, m, base)
		if err != nil {
			s += "ERR:" + err.Error()
		}
		outs = append(outs, s)
	}
	if mode == "write" {
		b, _ := json.Marshal(outs)
		os.WriteFile("/tmp/p12/goldencss.json", b, 0o644)
		return
	}
	b, _ := os.ReadFile("/tmp/p12/goldencss.json")
	var want []string
	json.Unmarshal(b, &want)
	bad := 0
	for i := range want {
		if want[i] != outs[i] {
			bad++
			if bad < 5 {
				t.Errorf("input %q:\n got %q\nwant %q", ins[i], outs[i], want[i])
			}
		}
	}
	t.Logf("%d inputs, %d differ", len(want), bad)
}
