package proxy

import (
	"bufio"
	"net"
	"net/http"
)

// recorder wraps a ResponseWriter to record the status and the number of
// body bytes written, for access logs and metrics. It supports
// http.ResponseController (Unwrap) and hijacking.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	hijacked    bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
			// Informational answers (103 Early Hints) are not final.
			r.ResponseWriter.WriteHeader(code)
			return
		}
		r.status = code
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.status = http.StatusOK
		r.wroteHeader = true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush implements http.Flusher.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush() // the common case, without a ResponseController
		return
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		c, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
		if err == nil {
			r.hijacked = true
		}
		return c, rw, err
	}
	c, rw, err := h.Hijack()
	if err == nil {
		r.hijacked = true
		if r.status == 0 {
			r.status = http.StatusSwitchingProtocols
		}
	}
	return c, rw, err
}
