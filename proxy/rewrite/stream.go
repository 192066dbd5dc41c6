package rewrite

import (
	"bufio"
	"io"
	"net/http"
	"sync"
	"time"
)

const (
	// outBufSize is the size of the output buffer of the streaming
	// rewriters.
	outBufSize = 64 << 10
	// flushThreshold is how much rewritten output may wait in the buffer
	// when the rewriter is about to read more input: more than this is
	// written to the destination and the destination is flushed. It is
	// large enough for a typical page, rewritten, to go out in one write
	// at the end (with a length, see LengthSetter).
	flushThreshold = 48 << 10
	// flushDelay bounds how long rewritten output waits in the buffer: when
	// the source has not delivered within flushDelay of the first unsent
	// output, that output is written and the destination flushed while the
	// rewriter waits (or, if it is busy, at its next read).
	flushDelay = 5 * time.Millisecond
)

// flushingReader reads from r for a rewriter that writes to w, a buffer in
// front of dst, and decides when what w holds is handed to dst (and dst
// flushed, when it can be flushed):
//
//   - before a read, when w holds flushThreshold bytes or more;
//   - when flushDelay has passed since the first unsent output: at once if
//     the rewriter is blocked reading r (from a timer goroutine, under mu,
//     while the rewriter cannot touch w), else before its next read;
//   - at the end, by the rewriter itself.
//
// A fast source therefore gets few, large writes (no flush, no syscall, per
// read), and a slow one still sees its output within about flushDelay:
// a client gets the start of a page while the upstream is still sending.
type flushingReader struct {
	r     io.Reader
	w     *bufio.Writer
	dst   io.Writer
	timer *time.Timer // runs fire; created by the first Read that needs it

	mu      sync.Mutex
	gen     uint64 // counts the rewrites that used this reader (it is pooled)
	flushed bool   // dst was flushed
	reading bool   // the rewriter is inside r.Read
	armed   bool   // timer is running
	due     bool   // the timer fired while the rewriter was busy
	stopped bool   // the rewrite is over: the timer must not touch w
	werr    error  // first write error met while flushing
}

func (f *flushingReader) Read(p []byte) (int, error) {
	f.mu.Lock()
	if f.werr == nil && (f.due || f.w.Buffered() >= flushThreshold) {
		f.flushLocked()
	}
	if err := f.werr; err != nil {
		f.mu.Unlock()
		return 0, err
	}
	if f.w.Buffered() > 0 && !f.armed {
		f.armed = true
		if f.timer == nil {
			gen := f.gen
			f.timer = time.AfterFunc(flushDelay, func() { f.fire(gen) })
		} else {
			f.timer.Reset(flushDelay)
		}
	}
	f.reading = true
	f.mu.Unlock()

	n, err := f.r.Read(p)

	f.mu.Lock()
	f.reading = false
	if f.werr != nil && err == nil {
		err = f.werr
	}
	f.mu.Unlock()
	return n, err
}

// fire runs on the timer's goroutine; gen is the rewrite that set the
// timer.
func (f *flushingReader) fire(gen uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if gen != f.gen {
		return // a late call for an earlier rewrite
	}
	f.armed = false
	switch {
	case f.stopped || f.werr != nil:
	case f.reading:
		f.flushLocked()
	default:
		f.due = true
	}
}

// flushLocked hands w's content to dst and flushes dst. f.mu is held, and
// the rewriter is not using w.
func (f *flushingReader) flushLocked() {
	f.due = false
	f.flushed = true
	if f.w.Buffered() > 0 {
		if err := f.w.Flush(); err != nil {
			f.werr = err
			return
		}
	}
	flushDst(f.dst)
}

// writeErr returns the first write error met while flushing.
func (f *flushingReader) writeErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.werr
}

// A LengthSetter is a destination that wants to know the length of the
// whole output when it is known before any byte is written: RewriteHTML and
// RewriteCSS call SetLength once, before their only write (none for an
// empty output), when the output fits their buffer (a page of up to about
// 48 KB rewritten, from a source that delivers it without pausing for
// flushDelay). An
// http.ResponseWriter wrapper can then send a Content-Length instead of
// chunked encoding, and the body in one write. When such a rewrite fails,
// a LengthSetter gets no write at all, so that the caller may still answer
// with an error.
type LengthSetter interface {
	SetLength(n int64)
}

// countingWriter records whether anything was written to w.
type countingWriter struct {
	w     io.Writer
	wrote bool // Write was called, whatever its result
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.wrote = true
	return c.w.Write(p)
}

// stream is the pooled state of one streaming rewrite: the output buffer
// and the flushing reader with its timer.
type stream struct {
	bw *bufio.Writer
	cw countingWriter
	fr flushingReader
}

var streamPool = sync.Pool{New: func() any {
	s := &stream{bw: bufio.NewWriterSize(nil, outBufSize)}
	s.fr.w = s.bw
	return s
}}

// getStream returns a stream writing to dst and reading from src.
func getStream(dst io.Writer, src io.Reader) *stream {
	s := streamPool.Get().(*stream)
	s.cw = countingWriter{w: dst}
	s.bw.Reset(&s.cw)
	s.fr.mu.Lock()
	s.fr.r, s.fr.dst = src, dst
	s.fr.reading, s.fr.armed, s.fr.due, s.fr.stopped, s.fr.werr, s.fr.flushed = false, false, false, false, nil, false
	s.fr.mu.Unlock()
	return s
}

// finish writes what the rewrite left in the buffer, after its last read;
// complete reports whether the rewrite succeeded. See LengthSetter.
func (s *stream) finish(complete bool) error {
	s.fr.mu.Lock()
	untouched := !s.cw.wrote && !s.fr.flushed
	s.fr.stopped = true // the timer must not flush from now on
	s.fr.mu.Unlock()
	if ls, ok := s.fr.dst.(LengthSetter); ok && untouched {
		if !complete {
			return nil
		}
		ls.SetLength(int64(s.bw.Buffered()))
	}
	return s.bw.Flush()
}

// putStream stops s's timer and returns s to the pool. A timer callback
// that already started either ran before (it holds mu while it works) or
// finds that the generation changed, and does nothing.
func putStream(s *stream) {
	s.fr.mu.Lock()
	s.fr.stopped = true
	s.fr.armed = false
	if s.fr.timer != nil {
		s.fr.timer.Stop()
		s.fr.timer = nil
	}
	s.fr.gen++
	s.fr.r, s.fr.dst = nil, nil
	s.fr.mu.Unlock()
	s.bw.Reset(nil)
	s.cw = countingWriter{}
	streamPool.Put(s)
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
