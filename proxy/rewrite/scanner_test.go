package rewrite

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// This file holds the differential tests of htmlScanner: over every HTML
// input of the package's tests, the fuzz corpus and a generated corpus, the
// scanner must give the tokens of golang.org/x/net/html's Tokenizer, and
// RewriteHTML on the scanner the output of RewriteHTML on x/net's
// Tokenizer, whatever the read sizes, read errors and token size limit.

// feedReader returns s in reads of at most chunk bytes (all that is left
// when chunk <= 0) and fails with err after failAt bytes when failAt >= 0.
type feedReader struct {
	s      string
	chunk  int
	failAt int
	err    error
	empty  int // (0, nil) reads before each read that returns data
	zeros  int
}

func (r *feedReader) Read(p []byte) (int, error) {
	if r.zeros < r.empty {
		r.zeros++
		return 0, nil
	}
	r.zeros = 0
	s := r.s
	if r.failAt >= 0 && len(s) >= r.failAt {
		s = s[:r.failAt]
	}
	if len(s) == 0 {
		if r.failAt >= 0 {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := len(s)
	if r.chunk > 0 {
		n = min(n, r.chunk)
	}
	n = copy(p, s[:n])
	r.s = r.s[n:]
	if r.failAt >= 0 {
		r.failAt -= n
	}
	return n, nil
}

var errFeed = errors.New("feed error")

// readMode is one way of feeding an input to a tokenizer.
type readMode struct {
	chunk  int // read size, 0: as much as asked for
	failAt int // fail with errFeed after this many bytes; -1: never
	maxBuf int // SetMaxBuf / MaxTokenBytes
	empty  int // (0, nil) reads before each read
}

func (m readMode) reader(s string) io.Reader {
	return &feedReader{s: s, chunk: m.chunk, failAt: m.failAt, err: errFeed, empty: m.empty}
}

// readModes returns the ways an input of n bytes is fed: whole and 1-byte
// reads, odd-sized reads, read errors and token size limits.
func readModes(n int, rng *rand.Rand) []readMode {
	ms := []readMode{{0, -1, 0, 0}, {1, -1, 0, 0}, {7, -1, 0, 0}}
	if n > 0 {
		ms = append(ms,
			readMode{0, rng.IntN(n + 1), 0, 0},
			readMode{1, rng.IntN(n + 1), 0, 0},
			readMode{3, -1, 1 + rng.IntN(n+1), 0},
			readMode{0, -1, 1 + rng.IntN(64), 0},
			readMode{1, -1, 1 + rng.IntN(16), 0},
		)
	}
	return ms
}

// tokenLog lists the tokens of a tokenizer as text: type, raw bytes, and
// for tags the attributes TagAttr returns; the error ends it.
func tokenLog(z htmlTokenizer, withAttrs bool) string {
	var b strings.Builder
	for n := 0; ; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			fmt.Fprintf(&b, "error %v", z.Err())
			return b.String()
		}
		fmt.Fprintf(&b, "%v %q", tt, z.Raw())
		if withAttrs && (tt == html.StartTagToken || tt == html.SelfClosingTagToken) {
			for {
				k, v, more := z.TagAttr()
				if k == nil && v == nil && !more {
					break
				}
				fmt.Fprintf(&b, " %q=%q", k, v)
				if !more {
					break
				}
			}
		}
		b.WriteByte('\n')
		if n > 1e6 {
			return b.String() + "too many tokens"
		}
	}
}

// checkTokens compares the tokens of htmlScanner and x/net's Tokenizer on
// in, fed as m says.
func checkTokens(t testing.TB, in string, m readMode, withAttrs bool) {
	t.Helper()
	z := html.NewTokenizer(m.reader(in))
	if m.maxBuf > 0 {
		z.SetMaxBuf(m.maxBuf)
	}
	want := tokenLog(z, withAttrs)
	var s htmlScanner
	s.reset(m.reader(in), m.maxBuf)
	got := tokenLog(&s, withAttrs)
	if got != want {
		t.Fatalf("input %q, %+v:\nscanner tokens:\n%s\nx/net tokens:\n%s", in, m, got, want)
	}
}

// checkRewrite compares RewriteHTML on htmlScanner and on x/net's
// Tokenizer: output and error.
func checkRewrite(t testing.TB, in string, m readMode, opts HTMLOptions) {
	t.Helper()
	opts.MaxTokenBytes = m.maxBuf
	var want, got bytes.Buffer
	werr := rewriteHTML(&want, m.reader(in), opts, true)
	gerr := rewriteHTML(&got, m.reader(in), opts, false)
	if got.String() != want.String() || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("input %q, %+v:\nscanner: %q, %v\n  x/net: %q, %v", in, m, got.String(), gerr, want.String(), werr)
	}
	if werr != nil && !errors.Is(werr, errFeed) && !errors.Is(werr, ErrTokenTooLarge) && !errors.Is(werr, io.ErrNoProgress) {
		t.Fatalf("input %q, %+v: unexpected error %v", in, m, werr)
	}
}

// differentialOpts are the rewrite options of the differential tests:
// with and without injection.
func differentialOpts(t testing.TB) []HTMLOptions {
	base := mustURL(t, "https://example.com/dir/page.html")
	return []HTMLOptions{
		{Mapper: shufflingMapper(t), Base: base, Scripts: []string{"/hammerhead.js"}, Styles: []string{"/s.css"}},
		{Mapper: plainMapper(), Base: base},
	}
}

// checkDifferential runs the token and rewrite comparisons of in in every
// read mode.
func checkDifferential(t testing.TB, in string, opts []HTMLOptions, rng *rand.Rand) {
	t.Helper()
	for i, m := range readModes(len(in), rng) {
		checkTokens(t, in, m, i == 0)
		for _, o := range opts {
			checkRewrite(t, in, m, o)
		}
	}
}

// packageTestInputs returns every string literal holding '<' or '&' in the
// package's test files: the HTML inputs of its tests.
func packageTestInputs(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("test files: %v (%d)", err, len(files))
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			if strings.ContainsAny(s, "<&") {
				out = append(out, s)
			}
			return true
		})
	}
	return out
}

// fuzzCorpus returns the string values of the package's stored fuzz
// inputs (testdata/fuzz/*/*).
func fuzzCorpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "string("); ok && strings.HasSuffix(v, ")") {
				s, err := strconv.Unquote(v[:len(v)-1])
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no fuzz corpus found")
	}
	return out
}

// Pieces of the generated corpus.
var (
	genNames = []string{"a", "A", "div", "p", "img", "IMG", "br", "head", "HEAD", "html", "meta", "base", "object", "link",
		"script", "SCRIPT", "ScRiPt", "style", "STYLE", "textarea", "title", "TITLE", "xmp", "iframe", "noembed",
		"noframes", "noscript", "plaintext", "svg", "scripts", "styles", "x-y", "a\x00b", "é"}
	genKeys = []string{"href", "HREF", "src", "srcset", "style", "integrity", "data", "action", "http-equiv", "content",
		"name", "ping", "class", "id", "b", "=", "=x", "x=", "\"q\"", "'", "a\x00", "k\r", "xlink:href", "é"}
	genVals = []string{"", "/x.png", "x y", "a.png 1x, b.png 2x", "refresh", "5; url=/n", "content-security-policy",
		"referrer", "no-referrer", "url(/z)", "&amp;", "&quot;", "&lt;&gt;", "&copy;", "&#65;", "&#x0;", "&", "/", "//",
		">", "'", "\"", "=", " ", "\r\n", "\x00", "javascript:x", "#f", "sha-1", "a/"}
	genTexts = []string{"", "text", " ", "\n", "\r\n", "\t", "&amp;", "&", "<", "< ", "<1", "<<", ">", "</", "</>",
		"</ x>", "</a", "<!", "<!-", "<!--", "<!---->", "<!-->", "<!--->", "<!-- c -->", "<!-- a -- b -->",
		"<!--x--!>", "<!--x--!", "--!>", "-->", "--", "-", "<!DOCTYPE html>", "<!doctype", "<!DOCTYPE", "<!DOC",
		"<!doctypehtml>", "<!DOCTYPE \n x", "<![CDATA[x]]>", "<![CDATA[", "]]>", "<?xml v?>", "<?", "\x00", "é",
		"\ufeff", "<script>", "</script>", "</SCRIPT >", "</script/", "</scriptx>", "<script", "</style>",
		"</textarea>", "</title>", "</xmp>", "</iframe>", "</noscript>", "<!--<script>", "<script>-->",
		"<!--<script>--></script>", "--><", "<!--<SCRIPT/>", "</script\t>", "<scrip", "</scr", "</titl"}
	genSpaces = []string{" ", "", "  ", "\t", "\n", "\r", "\f", " / ", "/", " /"}
)

// genHTML returns a random, often malformed, HTML document.
func genHTML(rng *rand.Rand, n int) string {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var b strings.Builder
	for range n {
		switch rng.IntN(8) {
		case 0, 1, 2:
			b.WriteString(pick(genTexts))
		case 3:
			b.WriteString("</" + pick(genNames) + pick(genSpaces) + ">")
		default:
			b.WriteString("<" + pick(genNames))
			for range rng.IntN(4) {
				b.WriteString(pick(genSpaces[:7]))
				if rng.IntN(8) == 0 {
					b.WriteString(" ")
				}
				b.WriteString(pick(genKeys))
				switch rng.IntN(6) {
				case 0:
				case 1:
					b.WriteString("=" + strings.ReplaceAll(strings.ReplaceAll(pick(genVals), " ", ""), ">", ""))
				case 2:
					b.WriteString(pick(genSpaces) + "=" + pick(genSpaces) + "'" + strings.ReplaceAll(pick(genVals), "'", "") + "'")
				default:
					b.WriteString(`="` + strings.ReplaceAll(pick(genVals), `"`, "") + `"`)
				}
			}
			if rng.IntN(4) == 0 {
				b.WriteString(pick(genSpaces))
			}
			if rng.IntN(16) != 0 {
				b.WriteString(">")
			}
		}
	}
	s := b.String()
	if rng.IntN(4) == 0 && len(s) > 0 {
		s = s[:rng.IntN(len(s))] // cut anywhere
	}
	return s
}

func TestScannerMatchesTokenizer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	opts := differentialOpts(t)
	inputs := packageTestInputs(t)
	if len(inputs) < 100 {
		t.Fatalf("found only %d test inputs", len(inputs))
	}
	inputs = append(inputs, fuzzCorpus(t)...)
	inputs = append(inputs, attrSeeds...)
	inputs = append(inputs, samplePage(30<<10), samplePage(3000)+"<plaintext><a href=x></plaintext>")
	for i, in := range inputs {
		t.Run(fmt.Sprintf("input%d", i), func(t *testing.T) {
			checkDifferential(t, in, opts, rng)
		})
	}
}

func TestScannerMatchesTokenizerGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	opts := differentialOpts(t)
	n := 1500
	if testing.Short() {
		n = 300
	}
	for range n {
		checkDifferential(t, genHTML(rng, 1+rng.IntN(40)), opts, rng)
	}
}

// TestScannerLongTokens checks tokens longer than the scanner's buffer,
// which make it grow and move the buffer in the middle of a token.
func TestScannerLongTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	long := strings.Repeat("abcdefgh-<!", 1600) // more than scannerBufSize
	if len(long) <= scannerBufSize {
		t.Fatal("long is too short")
	}
	inputs := []string{
		"<script>" + long + "</script>",
		"<script><!--" + long + "<script>" + long + "</script>x</script>",
		"<!--" + long + "-->",
		"<!DOCTYPE " + long + ">",
		`<a href="` + long + `" b='` + long + `' c=` + strings.ReplaceAll(long, ">", "") + `/>`,
		"<textarea>" + long + "</textarea>",
		long + "<p>",
		"<plaintext>" + long,
	}
	opts := differentialOpts(t)
	for _, in := range inputs {
		for _, m := range []readMode{{0, -1, 0, 0}, {1, -1, 0, 0}, {4093, -1, 0, 0}, {0, len(in) / 2, 0, 0}, {0, -1, 30000, 0}} {
			checkTokens(t, in, m, true)
			checkRewrite(t, in, m, opts[0])
		}
		cut := in[:rng.IntN(len(in))]
		for _, m := range []readMode{{0, -1, 0, 0}, {5, -1, 0, 0}, {0, rng.IntN(len(cut) + 1), 0, 0}} {
			checkTokens(t, cut, m, false)
			checkRewrite(t, cut, m, opts[0])
		}
	}
}

// TestScannerNoProgress checks a reader that returns no data and no error.
func TestScannerNoProgress(t *testing.T) {
	for _, m := range []readMode{{0, -1, 0, 99}, {3, -1, 0, 100}, {0, -1, 0, 150}} {
		checkTokens(t, "<p>hi</p>", m, true)
		checkRewrite(t, "<p>hi</p>", m, differentialOpts(t)[0])
	}
}

// TestScannerAllocations checks that the scanner does not allocate per
// token.
func TestScannerAllocations(t *testing.T) {
	page := samplePage(20 << 10)
	var s htmlScanner
	r := strings.NewReader(page)
	allocs := testing.AllocsPerRun(5, func() {
		r.Reset(page)
		s.reset(r, 0)
		for s.Next() != html.ErrorToken {
		}
	})
	if allocs > 0 {
		t.Errorf("scanning a 20 KB page: %.0f allocations", allocs)
	}
}

func FuzzRewriteHTMLScanner(f *testing.F) {
	for _, s := range attrSeeds {
		f.Add(s, uint16(0), uint8(0))
	}
	for _, s := range fuzzCorpus(f) {
		f.Add(s, uint16(0), uint8(1))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50 {
		f.Add(genHTML(rng, 20), uint16(rng.IntN(64)), uint8(rng.IntN(256)))
	}
	f.Add(samplePage(2000), uint16(0), uint8(0))
	f.Add("<script><!--<script></script>--></script>", uint16(9), uint8(1))
	opts := differentialOpts(f)
	f.Fuzz(func(t *testing.T, in string, maxBuf uint16, mode uint8) {
		ms := []readMode{{0, -1, int(maxBuf), 0}, {1, -1, int(maxBuf), 0}}
		if mode&1 != 0 && len(in) > 0 {
			ms = append(ms, readMode{int(mode>>1) + 1, int(maxBuf) % (len(in) + 1), int(mode >> 4), 0})
		}
		for i, m := range ms {
			checkTokens(t, in, m, i == 0)
			checkRewrite(t, in, m, opts[0])
		}
	})
}

// checkReadTagFast compares readTagFast with readTagSlow on every tag of
// in, the whole of in in the buffer, with s.fastEnd at the end of in or at
// limit (when 0 < limit < len(in)): where readTagFast reads a tag, it must
// read it as readTagSlow does. It returns how many tags readTagFast read.
func checkReadTagFast(t testing.TB, in string, limit int) (fast int) {
	t.Helper()
	for i := 0; i+2 < len(in); i++ {
		if in[i] != '<' {
			continue
		}
		j := i + 1
		if in[j] == '/' {
			j++
		}
		if j >= len(in) || !isLetter(in[j]) {
			continue
		}
		var f, sl htmlScanner
		for _, s := range []*htmlScanner{&f, &sl} {
			s.reset(strings.NewReader(""), 0)
			s.buf = append(s.buf[:0], in...)
			s.start, s.end = i, j+1
			s.setFastEnd()
		}
		if 0 < limit && limit < len(in) {
			f.fastEnd = max(limit, f.end)
		}
		nameEnd, ok := f.readTagFast()
		if !ok {
			continue
		}
		fast++
		slowNameEnd := sl.readTagSlow()
		if sl.err != nil || nameEnd != slowNameEnd || f.end != sl.end || f.end > f.fastEnd ||
			f.lastKey != sl.lastKey || f.lastValEnd != sl.lastValEnd || !slices.Equal(f.attrs, sl.attrs) {
			t.Fatalf("tag at %d of %q (fastEnd %d):\nfast: name end %d, end %d, last key %v, last value end %d, attrs %v\nslow: name end %d, end %d, last key %v, last value end %d, attrs %v, err %v",
				i, in, f.fastEnd, nameEnd, f.end, f.lastKey, f.lastValEnd, f.attrs,
				slowNameEnd, sl.end, sl.lastKey, sl.lastValEnd, sl.attrs, sl.err)
		}
	}
	return fast
}

func TestReadTagFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := append(fuzzCorpus(t), attrSeeds...)
	for range 3000 {
		inputs = append(inputs, genHTML(rng, 1+rng.IntN(8)))
	}
	fast := 0
	for _, in := range inputs {
		fast += checkReadTagFast(t, in, 0)
		if len(in) > 0 {
			checkReadTagFast(t, in, rng.IntN(len(in)))
		}
	}
	if fast < 1000 {
		t.Errorf("readTagFast read only %d tags", fast)
	}
}

func FuzzReadTagFast(f *testing.F) {
	for _, in := range fuzzCorpus(f) {
		f.Add(in, uint16(0))
	}
	for _, in := range attrSeeds {
		f.Add(in, uint16(0))
	}
	f.Fuzz(func(t *testing.T, in string, limit uint16) {
		checkReadTagFast(t, in, int(limit))
	})
}
