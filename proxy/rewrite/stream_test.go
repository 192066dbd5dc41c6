package rewrite

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// lockedRecorder is a flushable destination that the timer goroutine of
// the rewriter may write to while the test reads it.
type lockedRecorder struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  int
	flushes int
}

func (r *lockedRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	return r.buf.Write(p)
}

func (r *lockedRecorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
}

func (r *lockedRecorder) state() (string, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String(), r.writes, r.flushes
}

// TestRewriteHTMLFlushPolicy checks when output reaches the destination:
// not before each read, but once output has waited flushDelay while the
// source is silent, as soon as flushThreshold bytes are waiting, and at
// the end.
func TestRewriteHTMLFlushPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, feed := io.Pipe()
		var dst lockedRecorder
		done := make(chan error, 1)
		go func() {
			done <- RewriteHTML(&dst, src, HTMLOptions{Mapper: plainMapper(), Base: mustURL(t, "https://example.com/")})
		}()

		// A small piece: it waits in the buffer while the source is silent
		// for less than flushDelay.
		if _, err := feed.Write([]byte(`<p><a href="/a">first</a>`)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if out, writes, _ := dst.state(); writes != 0 || out != "" {
			t.Fatalf("output written at once (%d writes, %q): flushes are not batched", writes, out)
		}
		time.Sleep(flushDelay - time.Millisecond)
		synctest.Wait()
		if _, writes, _ := dst.state(); writes != 0 {
			t.Fatalf("output written before flushDelay (%d writes)", writes)
		}
		// The source stays silent: at flushDelay the output goes out.
		time.Sleep(time.Millisecond)
		synctest.Wait()
		out, writes, flushes := dst.state()
		if want := `<p><a href="` + P + `https://example.com/a">first</a>`; out != want || flushes != 1 {
			t.Fatalf("after flushDelay: %d writes, %d flushes, %q; want 1 flush of %q", writes, flushes, out, want)
		}

		// A large piece, fed in small writes without delay: the buffered
		// output is written once it passes flushThreshold, not per read.
		chunk := strings.Repeat("<p>some paragraph text</p>\n", 100) // 2.7 KB
		n := 0
		for n < 2*flushThreshold {
			if _, err := feed.Write([]byte(chunk)); err != nil {
				t.Fatal(err)
			}
			n += len(chunk)
		}
		synctest.Wait()
		_, writes2, flushes2 := dst.state()
		if flushes2 < 2 || flushes2 > 3 || writes2-writes > 3 {
			t.Errorf("%d bytes in %d reads gave %d writes and %d flushes; want about one per %d bytes",
				n, n/len(chunk), writes2-writes, flushes2-flushes, flushThreshold)
		}

		// The end writes the rest.
		feed.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		out, _, _ = dst.state()
		if len(out) < n || !strings.HasSuffix(out, chunk) {
			t.Errorf("output of %d bytes does not end with the input's end", len(out))
		}
	})
}

// TestRewriteCSSFlushesSlowSource checks the time-based flush of RewriteCSS.
func TestRewriteCSSFlushesSlowSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, feed := io.Pipe()
		var dst lockedRecorder
		done := make(chan error, 1)
		go func() { done <- RewriteCSS(&dst, src, plainMapper(), mustURL(t, "https://example.com/")) }()
		if _, err := feed.Write([]byte("a{b:url(/x)}\n")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * flushDelay)
		synctest.Wait()
		if out, _, flushes := dst.state(); out != "a{b:url("+P+"https://example.com/x)}\n" || flushes != 1 {
			t.Errorf("slow source: %d flushes, output %q", flushes, out)
		}
		feed.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
