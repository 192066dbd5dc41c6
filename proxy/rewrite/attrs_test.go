package rewrite

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// checkScanAttrs compares scanAttrs with the tokenizer's TagAttr on every
// start tag of in: when scanAttrs accepts a tag, its keys and values must
// be the tokenizer's, and the raw bytes must be left alone. It returns how
// many tags scanAttrs accepted.
func checkScanAttrs(t *testing.T, in string) int {
	t.Helper()
	accepted := 0
	z := html.NewTokenizer(strings.NewReader(in))
	h := &htmlRewriter{}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return accepted
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		raw := append([]byte(nil), z.Raw()...)
		orig := string(raw)
		n := nameLen(raw)
		h.attrs = h.attrs[:0]
		ok := h.scanAttrs(raw[1+n:])
		if string(raw) != orig {
			t.Fatalf("scanAttrs changed the raw tag %q to %q", orig, raw)
		}
		want := tokenizerAttrs(z)
		if !ok {
			continue
		}
		accepted++
		got := attrPairs(h.attrs)
		if len(got) != len(want) {
			t.Fatalf("tag %q: scanAttrs gives %q, the tokenizer %q", orig, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("tag %q: scanAttrs gives %q, the tokenizer %q", orig, got, want)
			}
		}
	}
}

var attrSeeds = []string{
	`<a href="x" HREF='y' title=t>`, `<img src=a.png alt="" / >`, `<br/>`, `<p/ class=x>`, `<a =b c==d>`,
	`<a b = "c" d= 'e' f =g>`, `<a b="&amp;&quot;&lt;&gt;&apos;&#39;&#x27;&#65;&#X41;">`, `<a b="&copy; &amp &ampx; &#128; &#0;">`,
	`<a b="& &; &# &#x; &1">`, "<a b=\"x\ry\">", "<a b=\"x\x00y\">", "<a\x00b=c>", `<a B="1" b="2" A=3>`,
	`<a b=c/>`, `<a b='c'/>`, `<a b=/>`, `<a/b/c>`, `<a b c d>`, `<a b=>`, `<a b= >`, `<a "b"=c>`, `<a b="c"d=e>`,
	"<a\tb\n=\fc\r>", `<DIV Class='a' ID=b>`, `<x-y data-url="/a?b=1&amp;c=2">`, `<a b="é" É=1>`, samplePage(3000),
}

func TestScanAttrsMatchesTokenizer(t *testing.T) {
	accepted := 0
	for _, s := range attrSeeds {
		accepted += checkScanAttrs(t, s)
	}
	if accepted < len(attrSeeds)/2 {
		t.Errorf("scanAttrs accepted only %d tags", accepted)
	}
	// The common references are resolved by scanAttrs itself.
	var h htmlRewriter
	raw := []byte(` href="/a?b=1&amp;c=&#34;2&#x22;" title='&lt;&gt;&apos;'>`)
	if !h.scanAttrs(raw) || len(h.attrs) != 2 || string(h.attrs[0].val) != `/a?b=1&c="2"` || string(h.attrs[1].val) != `<>'` {
		t.Errorf("scanAttrs(%q) = %v", raw, h.attrs)
	}
}

func FuzzScanAttrs(f *testing.F) {
	for _, s := range attrSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkScanAttrs(t, in)
		checkSpanAttrs(t, in)
	})
}

// TestRewriteHTMLAllocations guards the allocation budget of the
// rewriter: a few per document, none per token.
func TestRewriteHTMLAllocations(t *testing.T) {
	page := samplePage(20 << 10)
	opts := HTMLOptions{Mapper: shufflingMapper(t), Base: mustURL(t, "https://example.com/dir/"), Scripts: []string{"/hammerhead.js"}}
	var out bytes.Buffer
	tokenizerOnly := testing.AllocsPerRun(5, func() {
		z := html.NewTokenizer(strings.NewReader(page))
		for z.Next() != html.ErrorToken {
		}
	})
	xnet := testing.AllocsPerRun(5, func() {
		out.Reset()
		if err := rewriteHTML(&out, strings.NewReader(page), opts, true); err != nil {
			t.Fatal(err)
		}
	})
	if xnet > tokenizerOnly+40 { // margin: under -race sync.Pool drops pooled rewriters at random
		t.Errorf("rewriteHTML on x/net's tokenizer, 20 KB page: %.0f allocations, the tokenizer alone %.0f", xnet, tokenizerOnly)
	}
	allocs := testing.AllocsPerRun(5, func() {
		out.Reset()
		if err := RewriteHTML(&out, strings.NewReader(page), opts); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 40 { // a few, more under -race (sync.Pool drops items at random)
		t.Errorf("RewriteHTML of a 20 KB page: %.0f allocations, want at most 40", allocs)
	}
}

// checkSpanAttrs compares spanAttrs, on the attribute spans htmlScanner
// records, with x/net's TagAttr on every start tag of in, as
// checkScanAttrs does for scanAttrs; the tag name the scanner records must
// be the one the rewriter reads from the raw bytes. It returns how many
// tags spanAttrs accepted.
func checkSpanAttrs(t *testing.T, in string) int {
	t.Helper()
	accepted := 0
	z := html.NewTokenizer(strings.NewReader(in))
	var s htmlScanner
	s.reset(strings.NewReader(in), 0)
	h := &htmlRewriter{}
	for {
		tt, stt := z.Next(), s.Next()
		if tt != stt {
			t.Fatalf("input %q: scanner token %v, x/net %v", in, stt, tt)
		}
		if tt == html.ErrorToken {
			return accepted
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		raw := s.Raw()
		orig := string(raw)
		n := nameLen(raw)
		if s.nameEnd != 1+n || s.name != tagName(raw[1:1+n]) {
			t.Fatalf("tag %q: scanner name end %d (%q), want %d", orig, s.nameEnd, s.name, 1+n)
		}
		want := tokenizerAttrs(z)
		rewritten := false
		for _, kv := range want {
			rewritten = rewritten || rewrittenKey([]byte(kv[0]))
		}
		h.raw = raw
		h.sc.attrs = s.attrs
		if got := h.mayRewriteAttrs(true, nil); got != rewritten {
			t.Fatalf("tag %q: mayRewriteAttrs = %v, want %v", orig, got, rewritten)
		}
		h.attrs = h.attrs[:0]
		ok := h.spanAttrs(s.attrs)
		if string(raw) != orig {
			t.Fatalf("spanAttrs changed the raw tag %q to %q", orig, raw)
		}
		if !ok {
			continue
		}
		accepted++
		got := attrPairs(h.attrs)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tag %q: spanAttrs gives %q, the tokenizer %q", orig, got, want)
		}
	}
}

func TestSpanAttrsMatchesTokenizer(t *testing.T) {
	accepted := 0
	for _, s := range attrSeeds {
		accepted += checkSpanAttrs(t, s)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 500 {
		accepted += checkSpanAttrs(t, genHTML(rng, 1+rng.IntN(30)))
	}
	for _, s := range fuzzCorpus(t) {
		accepted += checkSpanAttrs(t, s)
	}
	if accepted < 500 {
		t.Errorf("spanAttrs accepted only %d tags", accepted)
	}
}

// TestRewrittenKey checks rewrittenKey against the attributes rewriteTag
// changes on an element tagName does not name.
func TestRewrittenKey(t *testing.T) {
	keys := []string{"href", "src", "action", "formaction", "poster", "background", "cite", "longdesc",
		"manifest", "icon", "xlink:href", "srcset", "imagesrcset", "ping", "style", "integrity",
		"data", "class", "id", "name", "content", "http-equiv", "hre", "hrefs", "srcsetx", "xlink:hrex",
		"imagesrcsex", "integrit", "styl", "pin", "sr", "", "hr\x00f", "h\u0130ref", "a", "abcdefghijk"}
	for _, k := range keys {
		want := isURLAttr(k) || k == "srcset" || k == "imagesrcset" || k == "ping" || k == "style" || k == "integrity"
		for _, v := range []string{k, strings.ToUpper(k), strings.ToUpper(k[:len(k)/2]) + k[len(k)/2:]} {
			if got := rewrittenKey([]byte(v)); got != want {
				t.Errorf("rewrittenKey(%q) = %v, want %v", v, got, want)
			}
		}
	}
	// Every key of the same length as a rewritten one but one byte off.
	for _, k := range keys[:16] {
		for i := range len(k) {
			b := []byte(k)
			for c := range 256 {
				b[i] = byte(c)
				want := strings.ToLower(string(b)) == k && isASCIIFoldOf(b, k)
				if got := rewrittenKey(b); got != want {
					t.Fatalf("rewrittenKey(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// isASCIIFoldOf reports whether b equals the lower-case k once its ASCII
// upper-case letters are lower-cased.
func isASCIIFoldOf(b []byte, k string) bool {
	if len(b) != len(k) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[i] {
			return false
		}
	}
	return true
}

// tokenizerAttrs returns the attributes of z's current tag, from TagAttr.
func tokenizerAttrs(z *html.Tokenizer) [][2]string {
	var attrs [][2]string
	for {
		k, v, more := z.TagAttr()
		if k == nil && v == nil && !more {
			break
		}
		attrs = append(attrs, [2]string{string(k), string(v)})
		if !more {
			break
		}
	}
	return attrs
}

// attrPairs returns the keys and values of attrs.
func attrPairs(attrs []attr) [][2]string {
	var pairs [][2]string
	for _, a := range attrs {
		pairs = append(pairs, [2]string{string(a.key), string(a.val)})
	}
	return pairs
}

// TestByteSearches compares hasValSpecial and attrEscIndex, which test
// eight bytes at a time (attrEscIndex: or use bytes.IndexByte on long
// values), with byte-by-byte loops, on values of every length up to 80
// with the bytes they look for (and bytes next to them) anywhere.
func TestByteSearches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const chars = "&\"\r\x00\x01\x02\x0c\x0e\x22\x24\x25\x27\x2e\x7f\x80\xa6\xff/aZ "
	for n := 0; n <= 80; n++ {
		for range 200 {
			v := make([]byte, n)
			for i := range v {
				v[i] = 'a' + byte(rng.IntN(26))
				if rng.IntN(12) == 0 {
					v[i] = chars[rng.IntN(len(chars))]
				}
			}
			wantSpecial, wantEsc := false, len(v)
			for i, c := range v {
				wantSpecial = wantSpecial || c == '&' || c == 0 || c == '\r'
				if (c == '&' || c == '"') && wantEsc == len(v) {
					wantEsc = i
				}
			}
			if got := hasValSpecial(v); got != wantSpecial {
				t.Fatalf("hasValSpecial(%q) = %v", v, got)
			}
			if got := attrEscIndex(v); got != wantEsc {
				t.Fatalf("attrEscIndex(%q) = %d, want %d", v, got, wantEsc)
			}
		}
	}
}
