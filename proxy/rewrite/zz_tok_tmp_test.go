package rewrite

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func BenchmarkTokOnlyTmp(b *testing.B) {
	page := samplePage(20 << 10)
	b.ReportAllocs()
	for b.Loop() {
		z := html.NewTokenizer(strings.NewReader(page))
		for z.Next() != html.ErrorToken {
			_ = z.Raw()
		}
	}
}
