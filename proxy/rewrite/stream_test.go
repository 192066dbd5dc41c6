package rewrite

import (
	"bytes"
	"errors"
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

// lengthRecorder is a LengthSetter destination recording the order of
// SetLength and Write calls.
type lengthRecorder struct {
	lockedRecorder
	lengths            []int64
	writesBeforeLength int
}

func (r *lengthRecorder) SetLength(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lengths = append(r.lengths, n)
	r.writesBeforeLength = r.writes
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestRewriteLengthSetter checks that a LengthSetter destination learns the
// length of an output written at once, before the write, and only then.
func TestRewriteLengthSetter(t *testing.T) {
	opts := HTMLOptions{Mapper: plainMapper(), Base: mustURL(t, "https://example.com/")}
	rewriters := map[string]func(dst io.Writer, src io.Reader) error{
		"html": func(dst io.Writer, src io.Reader) error { return RewriteHTML(dst, src, opts) },
		"css": func(dst io.Writer, src io.Reader) error {
			return RewriteCSS(dst, src, opts.Mapper, opts.Base)
		},
	}
	for name, rw := range rewriters {
		t.Run(name+"/small", func(t *testing.T) {
			var dst lengthRecorder
			if err := rw(&dst, strings.NewReader(`<a href="/x">x</a> a{b:url(/y)}`)); err != nil {
				t.Fatal(err)
			}
			out, writes, _ := dst.state()
			if len(dst.lengths) != 1 || dst.lengths[0] != int64(len(out)) || dst.writesBeforeLength != 0 || writes != 1 {
				t.Errorf("SetLength calls %v, writes before it %d, writes %d, output %d bytes; want one SetLength(%d) then one write",
					dst.lengths, dst.writesBeforeLength, writes, len(out), len(out))
			}
		})
		t.Run(name+"/empty", func(t *testing.T) {
			var dst lengthRecorder
			if err := rw(&dst, strings.NewReader("")); err != nil {
				t.Fatal(err)
			}
			if _, writes, _ := dst.state(); len(dst.lengths) != 1 || dst.lengths[0] != 0 || writes != 0 {
				t.Errorf("empty output: SetLength calls %v, %d writes; want SetLength(0) and no write", dst.lengths, writes)
			}
		})
		t.Run(name+"/large", func(t *testing.T) {
			var dst lengthRecorder
			big := strings.Repeat(`<p><a href="/a">link</a></p> a{b:url(/b)}`+"\n", 2*flushThreshold/40)
			if err := rw(&dst, strings.NewReader(big)); err != nil {
				t.Fatal(err)
			}
			if out, writes, _ := dst.state(); len(dst.lengths) != 0 || writes < 2 || len(out) < len(big) {
				t.Errorf("output of %d bytes: SetLength calls %v, %d writes; want no SetLength", len(out), dst.lengths, writes)
			}
		})
		t.Run(name+"/failed", func(t *testing.T) {
			errBoom := errors.New("boom")
			var dst lengthRecorder
			if err := rw(&dst, &failingReader{data: []byte(`<a href="/x">x</a>`), err: errBoom}); !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want %v", err, errBoom)
			}
			if out, writes, _ := dst.state(); len(dst.lengths) != 0 || writes != 0 {
				t.Errorf("failed rewrite: SetLength calls %v, %d writes (%q); want nothing written", dst.lengths, writes, out)
			}
			// A plain destination still gets what was rewritten.
			var plain lockedRecorder
			if err := rw(&plain, &failingReader{data: []byte(`<a href="/x">x</a>`), err: errBoom}); !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want %v", err, errBoom)
			}
			if out, _, _ := plain.state(); !strings.Contains(out, "x") {
				t.Errorf("failed rewrite into a plain writer: output %q lost", out)
			}
		})
	}
	t.Run("slow source", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			src, feed := io.Pipe()
			var dst lengthRecorder
			done := make(chan error, 1)
			go func() { done <- RewriteHTML(&dst, src, opts) }()
			if _, err := feed.Write([]byte(`<p><a href="/a">first</a>`)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * flushDelay) // the first part goes out, flushed
			synctest.Wait()
			if _, err := feed.Write([]byte(`<p>second</p>`)); err != nil {
				t.Fatal(err)
			}
			feed.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if out, writes, flushes := dst.state(); len(dst.lengths) != 0 || writes != 2 || flushes != 1 || !strings.HasSuffix(out, "<p>second</p>") {
				t.Errorf("slow source: SetLength calls %v, %d writes, %d flushes, %q; want no SetLength, 2 writes, 1 flush", dst.lengths, writes, flushes, out)
			}
		})
	})
}
