package proxy

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/rammerhead-go/rammerhead/proxy/rewrite"
	"github.com/rammerhead-go/rammerhead/session"
)

// ctxKey keys the values the server stores in upstream request contexts.
type ctxKey int

const proxySettingsKey ctxKey = iota

// WithProxySettings returns ctx carrying a session's upstream HTTP proxy,
// read by ProxyFromContext.
func WithProxySettings(ctx context.Context, ps *session.ProxySettings) context.Context {
	return context.WithValue(ctx, proxySettingsKey, ps)
}

// ProxyFromContext is an http.Transport Proxy func: it returns the upstream
// HTTP proxy stored in the request's context by the server (the session's
// externalProxySettings), or nil for a direct connection. Credentials come
// from ProxyAuth (or a Basic AuthHeader), so the transport sends them as
// Proxy-Authorization, on CONNECT for https targets too. Targets matching the
// settings' BypassRules connect directly.
func ProxyFromContext(req *http.Request) (*url.URL, error) {
	ps, _ := req.Context().Value(proxySettingsKey).(*session.ProxySettings)
	if ps == nil || ps.Host == "" {
		return nil, nil
	}
	if bypassed(ps.BypassRules, req.URL.Hostname()) {
		return nil, nil
	}
	u := &url.URL{Scheme: "http", Host: ps.Host}
	if user, pass, ok := proxyCredentials(ps); ok {
		u.User = url.UserPassword(user, pass)
	}
	return u, nil
}

// proxyCredentials returns the user and password of a proxy's settings.
func proxyCredentials(ps *session.ProxySettings) (user, pass string, ok bool) {
	auth := ps.ProxyAuth
	if auth == "" && len(ps.AuthHeader) > 6 && strings.EqualFold(ps.AuthHeader[:6], "basic ") {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ps.AuthHeader[6:]))
		if err != nil {
			return "", "", false
		}
		auth = string(b)
	}
	if auth == "" {
		return "", "", false
	}
	user, pass, _ = strings.Cut(auth, ":")
	return user, pass, true
}

// customAuthHeader returns the AuthHeader of settings whose credentials
// cannot travel in the proxy URL (not Basic), or "".
func customAuthHeader(ps *session.ProxySettings) string {
	if ps == nil || ps.AuthHeader == "" {
		return ""
	}
	if _, _, ok := proxyCredentials(ps); ok {
		return ""
	}
	return ps.AuthHeader
}

// bypassed reports whether host matches one of the proxy bypass rules:
// "example.com" (exact), ".example.com" or "*.example.com" (subdomains),
// or "*" (everything).
func bypassed(rules []string, host string) bool {
	host = strings.ToLower(host)
	for _, r := range rules {
		r = strings.ToLower(strings.TrimSpace(r))
		switch {
		case r == "":
		case r == "*":
			return true
		case strings.HasPrefix(r, "*."):
			if strings.HasSuffix(host, r[1:]) {
				return true
			}
		case strings.HasPrefix(r, "."):
			if strings.HasSuffix(host, r) || host == r[1:] {
				return true
			}
		case host == r:
			return true
		}
	}
	return false
}

// newTransport returns the default upstream transport.
func newTransport(headerTimeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:       ProxyFromContext,
		DialContext: d.DialContext,
		GetProxyConnectHeader: func(ctx context.Context, _ *url.URL, _ string) (http.Header, error) {
			ps, _ := ctx.Value(proxySettingsKey).(*session.ProxySettings)
			if h := customAuthHeader(ps); h != "" {
				return http.Header{"Proxy-Authorization": {h}}, nil
			}
			return nil, nil
		},
		ForceAttemptHTTP2: true,
		// Enough idle connections that hundreds of concurrent requests to
		// one upstream reuse their connections instead of dialling anew.
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: headerTimeout,
		DisableCompression:    true,
	}
}

// hopHeaders are the hop-by-hop headers (RFC 9110 7.6.1) never forwarded.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHopByHop deletes the hop-by-hop headers of h, including those
// named by Connection.
func removeHopByHop(h http.Header) {
	for _, v := range h.Values("Connection") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	for k := range h {
		if strings.HasPrefix(k, "Proxy-") {
			delete(h, k)
		}
	}
}

// isWebSocket reports whether r asks for a WebSocket upgrade.
func isWebSocket(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), token) {
				return true
			}
		}
	}
	return false
}

// upstreamRequestHeaders builds the headers sent upstream from the
// client's: hop-by-hop, X-Forwarded-*, Forwarded, the configured strip list
// and the client's Cookie are removed; Cookie comes from the session's jar;
// Origin and Referer are mapped back to the upstream.
func (s *Server) upstreamRequestHeaders(in http.Header, sess *session.Session, m *rewrite.Mapper, target *url.URL) http.Header {
	h := in.Clone()
	if h == nil {
		h = http.Header{}
	}
	removeHopByHop(h)
	for k := range h {
		if strings.HasPrefix(k, "X-Forwarded-") {
			delete(h, k)
		}
	}
	h.Del("Forwarded")
	h.Del("X-Real-Ip")
	for _, k := range s.stripReq {
		h.Del(k)
	}
	h.Del("Cookie")
	if c := sess.Jar().CookieHeader(target); c != "" {
		h.Set("Cookie", c)
	}
	rewrite.RequestHeaders(h, m, target)
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = []string{""} // no Go default User-Agent
	}
	return h
}

// mapper returns the URL mapper of a session for request r.
func (s *Server) mapper(r *http.Request, sess *session.Session) *rewrite.Mapper {
	// The session caches its Shuffler (dictionaries are validated when set).
	return &rewrite.Mapper{ProxyOrigin: s.origin(r), SessionID: sess.ID(), Shuffler: sess.Shuffler()}
}

// serveProxy proxies /<id>/<rest> through the session id.
func (s *Server) serveProxy(w http.ResponseWriter, r *http.Request, id, rest string) {
	sess, ok := s.getSession(w, r, id, true, func() {
		textError(w, http.StatusNotFound, "session not found")
	})
	if !ok {
		return
	}
	saved := false
	save := func() {
		if saved {
			return
		}
		saved = true
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		if err := s.SessionStore().Save(ctx, sess); err != nil {
			s.log.Warn("saving session", "session", id, "err", err)
		}
	}
	defer save()

	m := s.mapper(r, sess)
	target, err := m.Target(rest)
	if err != nil {
		textError(w, http.StatusBadRequest, "invalid target URL: the path must be /"+id+"/<absolute http(s) URL>")
		return
	}
	ctx := WithProxySettings(r.Context(), sess.ExternalProxy())

	if isWebSocket(r) {
		s.serveWebSocket(w, r.WithContext(ctx), sess, m, target, save)
		return
	}

	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), nil)
	if err != nil {
		textError(w, http.StatusBadRequest, "invalid request")
		return
	}
	out.Header = s.upstreamRequestHeaders(r.Header, sess, m, target)
	out.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if ah := customAuthHeader(sess.ExternalProxy()); ah != "" && target.Scheme == "http" {
		out.Header.Set("Proxy-Authorization", ah)
	}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		out.Body = r.Body
		out.ContentLength = r.ContentLength
	}

	resp, err := s.transport.RoundTrip(out)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		s.metrics.upstreamErrors.Inc()
		s.log.Warn("upstream request failed", "session", id, "target", target.Redacted(), "err", err)
		textError(w, http.StatusBadGateway, "Bad gateway: could not reach "+target.Host+": "+upstreamReason(err))
		return
	}
	defer resp.Body.Close()

	h := resp.Header.Clone()
	removeHopByHop(h)
	if sc := h.Values("Set-Cookie"); len(sc) > 0 {
		sess.Jar().SetCookieStrings(target, sc)
	}
	h.Del("Set-Cookie")
	h.Del("Set-Cookie2")
	rewrite.ResponseHeaders(h, m, target)
	s.applyHeaderRewrites(h)
	save() // cookies and touch persisted before the body streams

	kind := ""
	if r.Method != http.MethodHead && bodyAllowed(resp.StatusCode) {
		ct := h.Get("Content-Type")
		switch {
		case rewrite.IsHTML(ct):
			kind = "html"
		case rewrite.IsCSS(ct):
			kind = "css"
		}
	}
	// fr flushes what was already sent before waiting for the upstream;
	// the rewriters flush by themselves.
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if enc == "identity" {
		enc = ""
	}
	var fr io.Reader = resp.Body
	if kind == "" || enc != "" {
		// Only read when the body may be passed through unchanged.
		fr = &flushReader{r: resp.Body, rc: http.NewResponseController(w)}
	}
	var src io.Reader = resp.Body
	if kind == "" {
		src = fr
	}
	body := src
	if r.Method != http.MethodHead && bodyAllowed(resp.StatusCode) && enc != "" && (kind != "" || !acceptsEncoding(r.Header, enc)) {
		dec, err := decoder(enc, src)
		if err != nil {
			kind, body = "", fr // unknown encoding: pass through unchanged
		} else {
			defer dec.Close()
			body = dec
			h.Del("Content-Encoding")
			h.Del("Content-Length")
		}
	}
	if kind != "" {
		h.Del("Content-Length")
	}

	dst := w.Header()
	for k, vv := range h {
		dst[k] = vv
	}
	if kind == "" && resp.ContentLength < 0 {
		dst.Del("Content-Length")
	}
	if r.Method == http.MethodHead || !bodyAllowed(resp.StatusCode) {
		w.WriteHeader(resp.StatusCode)
		return
	}

	// Rewritten bodies go through bw, which sends the header with the
	// first byte: a body rewritten whole before then gets a Content-Length
	// and goes out in one write, and a rewrite failing before then gets a
	// 502 rather than a truncated page.
	bw := &lazyHeaderWriter{w: w, status: resp.StatusCode}
	switch kind {
	case "html":
		inj := sess.Injectable()
		err = rewrite.RewriteHTML(bw, body, rewrite.HTMLOptions{
			Mapper:  m,
			Base:    target,
			Scripts: s.absolutize(m.ProxyOrigin, inj.Scripts),
			Styles:  s.absolutize(m.ProxyOrigin, inj.Styles),
		})
	case "css":
		err = rewrite.RewriteCSS(bw, body, m, target)
	default:
		bw.writeHeader()
		buf := copyBufPool.Get().(*[]byte)
		_, err = io.CopyBuffer(writerOnly{w}, body, *buf)
		copyBufPool.Put(buf)
	}
	if err != nil {
		if r.Context().Err() != nil {
			bw.writeHeader()            // records the status for the access log
			panic(http.ErrAbortHandler) // the client went away
		}
		s.metrics.upstreamErrors.Inc()
		s.log.Warn("streaming the upstream response failed", "session", id, "target", target.Redacted(), "err", err)
		if !bw.sent {
			// Nothing was sent: answer 502 without the upstream's
			// headers (but with those of any wrapping handler).
			for k := range h {
				delete(w.Header(), k)
			}
			textError(w, http.StatusBadGateway, "Bad gateway: reading the response of "+target.Host+" failed: "+upstreamReason(err))
			return
		}
		// Abort the connection so that the client sees a truncated
		// response, not a complete one.
		panic(http.ErrAbortHandler)
	}
	bw.writeHeader() // an empty body
}

// lazyHeaderWriter writes the response header of status when the first
// body byte is written or flushed, and implements rewrite.LengthSetter:
// a length known by then becomes the Content-Length.
type lazyHeaderWriter struct {
	w      http.ResponseWriter
	status int
	sent   bool
}

func (l *lazyHeaderWriter) writeHeader() {
	if !l.sent {
		l.sent = true
		l.w.WriteHeader(l.status)
	}
}

func (l *lazyHeaderWriter) Write(p []byte) (int, error) {
	l.writeHeader()
	return l.w.Write(p)
}

// Flush implements http.Flusher.
func (l *lazyHeaderWriter) Flush() {
	l.writeHeader()
	if f, ok := l.w.(http.Flusher); ok {
		f.Flush()
		return
	}
	_ = http.NewResponseController(l.w).Flush()
}

// SetLength implements rewrite.LengthSetter.
func (l *lazyHeaderWriter) SetLength(n int64) {
	if !l.sent {
		l.w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	}
}

// applyHeaderRewrites applies Config.RewriteResponseHeaders.
func (s *Server) applyHeaderRewrites(h http.Header) {
	for _, rw := range s.rewriteRH {
		if rw.value == "" {
			h.Del(rw.name)
		} else {
			h.Set(rw.name, rw.value)
		}
	}
}

// absolutize resolves the injectable's paths (relative to the proxy
// origin) into absolute URLs.
func (s *Server) absolutize(origin string, paths []string) []string {
	if len(paths) == 0 {
		return nil
	}
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		switch {
		case p == "":
		case strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//"):
			out = append(out, origin+p)
		default:
			out = append(out, p)
		}
	}
	return out
}

// upstreamReason turns a transport error into a short readable reason.
func upstreamReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		if oe.Err != nil {
			return oe.Op + ": " + oe.Err.Error()
		}
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "no such host"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// bodyAllowed reports whether a response with this status has a body.
func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusNotModified
}

// acceptsEncoding reports whether the client's Accept-Encoding allows enc.
func acceptsEncoding(h http.Header, enc string) bool {
	for _, v := range h.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != enc && name != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
			return true
		}
	}
	return false
}

// decoder returns a reader that decodes the Content-Encoding enc (gzip,
// x-gzip, deflate (zlib or raw), br).
func decoder(enc string, r io.Reader) (io.ReadCloser, error) {
	switch enc {
	case "gzip", "x-gzip":
		br := getBufReader(r)
		if _, err := br.Peek(1); err == io.EOF {
			return &pooledReader{Reader: br, br: br}, nil // empty body
		}
		zr, _ := gzipReaderPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err != nil {
			putBufReader(br)
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return &pooledReader{Reader: zr, br: br, gz: zr}, nil
	case "deflate":
		br := bufio.NewReader(r)
		head, err := br.Peek(2)
		if err == io.EOF && len(head) == 0 {
			return io.NopCloser(br), nil
		}
		// zlib-wrapped (RFC 1950) as the standard says, or raw deflate as
		// some servers send.
		if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("deflate: %w", err)
			}
			return zr, nil
		}
		return flate.NewReader(br), nil
	case "br":
		return io.NopCloser(brotli.NewReader(r)), nil
	}
	return nil, fmt.Errorf("unsupported content encoding %q", enc)
}

// flushReader reads upstream data but, before waiting for more, flushes
// what was already written to the client, so that the client gets bytes as
// soon as the upstream sends them.
type flushReader struct {
	r     io.Reader
	rc    *http.ResponseController
	dirty bool
}

func (f *flushReader) Read(p []byte) (int, error) {
	if f.dirty {
		f.dirty = false
		_ = f.rc.Flush()
	}
	n, err := f.r.Read(p)
	if n > 0 {
		f.dirty = true
	}
	return n, err
}

// writerOnly hides the optional interfaces of a writer (io.ReaderFrom), so
// that io.Copy reads through our flushReader.
type writerOnly struct{ io.Writer }
