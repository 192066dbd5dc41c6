package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func BenchmarkSessionExists(b *testing.B) {
	s, _ := newTestServer(b, nil)
	id := newSessionID(b, s, clientA, "")
	r := httptest.NewRequest("GET", "/sessionexists?id="+id, nil)
	r.RemoteAddr = clientA
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Body.String() != "exists" {
			b.Fatal(w.Body.String())
		}
	}
}

// page20KB is a 20 KB HTML page with many links.
var page20KB = func() string {
	var sb strings.Builder
	sb.WriteString("<!DOCTYPE html><html><head><title>bench</title><link rel=stylesheet href=/s.css></head><body>")
	for i := 0; sb.Len() < 20<<10; i++ {
		sb.WriteString(`<p>Some text of paragraph with <a href="/link/`)
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(`">a link</a> and <img src="img.png" alt="i"></p>`)
	}
	sb.WriteString("</body></html>")
	return sb.String()
}()

func benchUpstream(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := "text/html; charset=utf-8"
		if strings.HasSuffix(r.URL.Path, ".txt") {
			ct = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		_, _ = io.WriteString(w, page20KB)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchGet(b *testing.B, c *http.Client, u string) {
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 20<<10 {
			b.Fatalf("%d, %d bytes", resp.StatusCode, n)
		}
	}
}

// benchProxied fetches path of the bench upstream through a session.
func benchProxied(b *testing.B, path string) {
	up := benchUpstream(b)
	s, _ := newTestServer(b, nil)
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	c := testClient(b)
	id := newSessionID(b, s, "127.0.0.1:1", "")
	b.SetBytes(int64(len(page20KB)))
	benchGet(b, c, srv.URL+"/"+id+"/"+up.URL+path)
}

func BenchmarkProxyHTML20KB(b *testing.B) { benchProxied(b, "/page") }

// BenchmarkProxyPlain20KB is BenchmarkProxyHTML20KB with a response the
// proxy passes through unchanged: the cost of the second hop alone.
func BenchmarkProxyPlain20KB(b *testing.B) { benchProxied(b, "/page.txt") }

func BenchmarkDirectHTML20KB(b *testing.B) {
	up := benchUpstream(b)
	b.SetBytes(int64(len(page20KB)))
	benchGet(b, testClient(b), up.URL+"/page")
}
