package testpages

import (
	"bytes"
	"regexp"
	"testing"
)

var urlAttr = regexp.MustCompile(`(?:href|src)="[^"]*"|url\([^)]*\)`)

// TestPages checks the pages' size, that they end as whole documents, and
// their URL counts.
func TestPages(t *testing.T) {
	for _, tt := range []struct {
		name     string
		gen      func(int) []byte
		min, max int
	}{
		{"Dense", Dense, 300, 360},
		{"Article", Article, 80, 130},
	} {
		for _, size := range []int{20 << 10, 50 << 10} {
			p := tt.gen(size)
			if len(p) != size {
				t.Errorf("%s(%d): %d bytes", tt.name, size, len(p))
			}
			if !bytes.HasSuffix(bytes.TrimRight(p, "\n"), []byte("</html>")) {
				t.Errorf("%s(%d) is cut short: ends %q", tt.name, size, p[len(p)-40:])
			}
			if size != 20<<10 {
				continue
			}
			n := len(urlAttr.FindAll(p, -1))
			t.Logf("%s(20 KB): %d URLs", tt.name, n)
			if n < tt.min || n > tt.max {
				t.Errorf("%s(20 KB) has %d URLs, want %d-%d", tt.name, n, tt.min, tt.max)
			}
		}
	}
}
