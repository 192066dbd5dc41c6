package rewrite

import (
	"bufio"
	"io"
	"net/http"
)

// outBufSize is the size of the output buffer of the streaming rewriters.
const outBufSize = 8 << 10

// flushingReader reads from r, but first hands everything buffered in w to
// the destination (and flushes the destination when it can be flushed), so
// that a rewriter never holds back output while it waits for more input.
// This makes the rewriters "flush-friendly": a client sees the start of a
// page as soon as the upstream sends it.
type flushingReader struct {
	r    io.Reader
	w    *bufio.Writer
	dst  io.Writer
	werr error // first write error met while flushing
}

func (f *flushingReader) Read(p []byte) (int, error) {
	if f.w.Buffered() > 0 {
		if err := f.w.Flush(); err != nil {
			f.werr = err
			return 0, err
		}
		flushDst(f.dst)
	}
	return f.r.Read(p)
}

// flushDst flushes dst when it is an http.Flusher (a ResponseWriter) or has a
// Flush() error method (a bufio.Writer, a gzip.Writer).
func flushDst(dst io.Writer) {
	switch d := dst.(type) {
	case http.Flusher:
		d.Flush()
	case interface{ Flush() error }:
		_ = d.Flush()
	}
}
