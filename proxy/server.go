// Package proxy is the HTTP server of rammerhead: Rammerhead's session HTTP
// API (/newsession, /editsession, ...), the proxying of /<session id>/<url>
// requests through a session's cookie jar and upstream HTTP proxy, the
// embedded homepage, /healthz and Prometheus metrics.
//
// A Server is an http.Handler. It owns one session store (store.Store) and
// implements store.Proxy, so that store.Attach can make a store its session
// store.
package proxy

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rammerhead-go/rammerhead/store"
)

// LevelTraffic is the slog level of access logs, between Debug and Info
// (the original's "traffic" level).
const LevelTraffic = slog.Level(-2)

// Defaults of Config.
const (
	// DefaultMaxBodyBytes caps the body of POST /syncLocalStorage.
	DefaultMaxBodyBytes int64 = 1 << 20
	// DefaultUpstreamTimeout bounds the wait for an upstream's response
	// headers.
	DefaultUpstreamTimeout = 30 * time.Second
)

// ErrNoStore is returned by New when Config.Store is nil.
var ErrNoStore = errors.New("proxy: Config.Store is required")

// Config configures a Server. Zero values are the documented defaults.
type Config struct {
	// Store holds the sessions. Required.
	Store store.Store
	// Logger receives errors and, at LevelTraffic, one access log line per
	// request. nil: logs are discarded.
	Logger *slog.Logger
	// Password, when not empty, must be given as the pwd query parameter
	// of /newsession, /editsession and /deletesession.
	Password string
	// RestrictSessionToIP makes every request that names a session fail
	// with 403 when it does not come from the IP that created the session.
	RestrictSessionToIP bool
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
	// PublicScheme is the scheme ("http" or "https") clients use to reach
	// the server. "": from the request (TLS, or a trusted
	// X-Forwarded-Proto).
	PublicScheme string
	// PublicHost is the host name clients use. "": the request's Host.
	PublicHost string
	// PublicPort is the port clients use, reported by /mainport. 0: from
	// the request's Host, else the listener's port.
	PublicPort int
	// StripRequestHeaders are extra client request headers that are never
	// sent upstream.
	StripRequestHeaders []string
	// RewriteResponseHeaders maps an upstream response header name to the
	// value sent to the client instead; "" removes the header.
	RewriteResponseHeaders map[string]string
	// MaxBodyBytes caps the body of POST /syncLocalStorage; larger bodies
	// get 413. 0: DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ExportSecret signs and verifies session exports
	// (GET /api/exportsession, POST /api/importsession; see export.go).
	// Servers that share it accept each other's exports. Empty: both
	// routes answer 404.
	ExportSecret []byte
	// MaxImportBytes caps the body of POST /api/importsession; larger
	// bodies get 413. 0: DefaultMaxImportBytes.
	MaxImportBytes int64
	// UpstreamTimeout bounds the wait for upstream response headers. 0:
	// DefaultUpstreamTimeout.
	UpstreamTimeout time.Duration
	// Transport sends upstream requests. nil: a tuned *http.Transport
	// whose Proxy is ProxyFromContext. A custom transport should use
	// ProxyFromContext as its Proxy func (and GetProxyConnectHeader for
	// https) to honour sessions' upstream proxies.
	Transport http.RoundTripper
	// Now returns the current time. nil: time.Now.
	Now func() time.Time
	// Registerer receives the server's metrics. nil: a private registry,
	// served at /metrics. When it is also a prometheus.Gatherer (as a
	// *prometheus.Registry is), /metrics serves it; otherwise /metrics
	// serves prometheus.DefaultGatherer.
	Registerer prometheus.Registerer
}

// Server is the rammerhead HTTP server. It is safe for concurrent use.
type Server struct {
	cfg       Config
	log       *slog.Logger
	now       func() time.Time
	transport http.RoundTripper
	ownsTrans *http.Transport // the default transport, closed by Close
	wsProxy   *httputil.ReverseProxy
	metrics   *metrics
	mux       *http.ServeMux
	stripReq  []string
	rewriteRH []headerRewrite

	ls lsLocks

	mu    sync.RWMutex
	store store.Store
}

type headerRewrite struct {
	name, value string
}

var _ store.Proxy = (*Server)(nil)
var _ http.Handler = (*Server)(nil)

// New returns a Server configured by cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, ErrNoStore
	}
	switch strings.ToLower(cfg.PublicScheme) {
	case "", "http", "https":
	default:
		return nil, fmt.Errorf("proxy: PublicScheme %q: must be http or https", cfg.PublicScheme)
	}
	if cfg.PublicPort < 0 || cfg.PublicPort > 65535 {
		return nil, fmt.Errorf("proxy: PublicPort %d out of range", cfg.PublicPort)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("proxy: MaxBodyBytes %d must not be negative", cfg.MaxBodyBytes)
	}
	if cfg.UpstreamTimeout < 0 {
		return nil, fmt.Errorf("proxy: UpstreamTimeout %v must not be negative", cfg.UpstreamTimeout)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxImportBytes < 0 {
		return nil, fmt.Errorf("proxy: MaxImportBytes %d must not be negative", cfg.MaxImportBytes)
	}
	if cfg.MaxImportBytes == 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	if cfg.UpstreamTimeout == 0 {
		cfg.UpstreamTimeout = DefaultUpstreamTimeout
	}
	s := &Server{cfg: cfg, store: cfg.Store}
	s.log = cfg.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.now = cfg.Now
	if s.now == nil {
		s.now = time.Now
	}
	s.transport = cfg.Transport
	if s.transport == nil {
		s.ownsTrans = newTransport(cfg.UpstreamTimeout)
		s.transport = s.ownsTrans
	}
	for _, h := range cfg.StripRequestHeaders {
		if h = strings.TrimSpace(h); h != "" {
			s.stripReq = append(s.stripReq, http.CanonicalHeaderKey(h))
		}
	}
	for k, v := range cfg.RewriteResponseHeaders {
		if k = strings.TrimSpace(k); k != "" {
			s.rewriteRH = append(s.rewriteRH, headerRewrite{http.CanonicalHeaderKey(k), v})
		}
	}
	m, err := newMetrics(cfg.Registerer, s.SessionStore)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.wsProxy = s.newWebSocketProxy()
	s.mux = s.routes()
	return s, nil
}

// SessionStore returns the current session store (store.Proxy).
func (s *Server) SessionStore() store.Store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.store
}

// SetSessionStore makes st the session store (store.Proxy). Prefer
// store.Attach, which closes the previous store.
func (s *Server) SetSessionStore(st store.Store) {
	s.mu.Lock()
	s.store = st
	s.mu.Unlock()
}

// Close closes the session store (the file cache flushes its sessions)
// and the idle upstream connections of the default transport.
func (s *Server) Close() error {
	if s.ownsTrans != nil {
		s.ownsTrans.CloseIdleConnections()
	}
	st := s.SessionStore()
	if st == nil {
		return nil
	}
	if err := st.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("proxy: closing the session store: %w", err)
	}
	return nil
}

// Route labels of the metrics.
const (
	routeAPI     = "api"
	routeProxy   = "proxy"
	routeStatic  = "static"
	routeHealth  = "health"
	routeMetrics = "metrics"
	routeOther   = "other"
)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	route := routeOther
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				s.finish(rec, r, route, start)
				panic(p)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", redactedURI(r), "panic", p)
			if !rec.wroteHeader && !rec.hijacked {
				textError(rec, http.StatusInternalServerError, "internal server error")
			}
		}
		s.finish(rec, r, route, start)
	}()
	route = s.dispatch(rec, r)
}

// finish records metrics and the access log of one request.
func (s *Server) finish(rec *recorder, r *http.Request, route string, start time.Time) {
	d := time.Since(start)
	status := rec.status
	if status == 0 {
		if rec.hijacked {
			status = http.StatusSwitchingProtocols
		} else {
			status = http.StatusOK
		}
	}
	s.metrics.observe(route, status, d)
	if !s.log.Enabled(r.Context(), LevelTraffic) {
		return
	}
	s.log.Log(r.Context(), LevelTraffic, "request",
		"method", r.Method,
		"path", redactedURI(r),
		"status", status,
		"bytes", rec.bytes,
		"duration", d,
		"ip", s.clientIP(r),
	)
}

// dispatch routes r and returns the route label.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) string {
	if id, rest, ok := splitSessionPath(r); ok {
		s.serveProxy(w, r, id, rest)
		return routeProxy
	}
	h, pattern := s.mux.Handler(r)
	h.ServeHTTP(w, r)
	switch {
	case pattern == "":
		return routeOther
	case pattern == "GET /healthz":
		return routeHealth
	case pattern == "GET /metrics":
		return routeMetrics
	case isStaticPattern(pattern):
		return routeStatic
	default:
		return routeAPI
	}
}

// routes builds the mux of every fixed route. Proxied paths never reach it.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /needpassword", s.handleNeedPassword)
	mux.HandleFunc("GET /newsession", s.handleNewSession)
	mux.HandleFunc("GET /editsession", s.handleEditSession)
	mux.HandleFunc("GET /deletesession", s.handleDeleteSession)
	mux.HandleFunc("GET /sessionexists", s.handleSessionExists)
	mux.HandleFunc("GET /mainport", s.handleMainPort)
	mux.HandleFunc("GET /api/shuffleDict", s.handleShuffleDict)
	mux.HandleFunc("POST /syncLocalStorage", s.handleSyncLocalStorage)
	mux.HandleFunc("GET /api/exportsession", s.handleExportSession)
	mux.HandleFunc("POST /api/importsession", s.handleImportSession)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		textOK(w, "ok")
	})
	mux.Handle("GET /metrics", s.metrics.handler)
	s.staticRoutes(mux)
	return mux
}

// sessionPathRE-equivalent check: /<id>/ where id is 1..64 of
// [A-Za-z0-9_-].
func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// splitSessionPath reports whether r is a proxied request /<id>/<rest>,
// reading the raw request URI (never a cleaned path), and returns the id
// and everything after "/<id>/" including the query.
func splitSessionPath(r *http.Request) (id, rest string, ok bool) {
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		// Absolute-form or missing (handler tests): rebuild from URL.
		uri = r.URL.RequestURI()
	}
	return splitSessionURI(uri)
}

// splitSessionURI is splitSessionPath on a raw request URI.
func splitSessionURI(uri string) (id, rest string, ok bool) {
	if len(uri) < 3 || uri[0] != '/' {
		return "", "", false
	}
	i := 1
	for i < len(uri) && i <= 65 && isIDByte(uri[i]) {
		i++
	}
	if i == 1 || i > 65 || i >= len(uri) || uri[i] != '/' {
		return "", "", false
	}
	id = uri[1:i]
	if id == "api" && isAPIRoute(uri[i:]) {
		return "", "", false
	}
	return id, uri[i+1:], true
}

// isAPIRoute reports whether rest, what follows "/api" in a request URI,
// names one of the server's /api/ routes rather than a proxied path of a
// session called "api".
func isAPIRoute(rest string) bool {
	for _, r := range []string{"/shuffleDict", "/exportsession", "/importsession"} {
		if strings.HasPrefix(rest, r) {
			return true
		}
	}
	return false
}

// clientIP returns the client's IP: the peer address, or, when the peer is
// a trusted proxy, the right-most address of X-Forwarded-For that is not a
// trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	peer := remoteAddr(r.RemoteAddr)
	if !peer.IsValid() {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	if !s.trusted(peer) {
		return peer.String()
	}
	xff := r.Header.Values("X-Forwarded-For")
	var hops []string
	for _, v := range xff {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				hops = append(hops, p)
			}
		}
	}
	ip := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseIP(hops[i])
		if !a.IsValid() {
			break
		}
		ip = a
		if !s.trusted(a) {
			break
		}
	}
	return ip.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteAddr parses an "ip:port" (or bare ip) address.
func remoteAddr(a string) netip.Addr {
	if ap, err := netip.ParseAddrPort(a); err == nil {
		return ap.Addr().Unmap()
	}
	return parseIP(a)
}

// parseIP parses an IP as found in X-Forwarded-For: bare, bracketed, or
// with a port.
func parseIP(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// sameIP compares a session's restrictIP with a client IP, ignoring
// IPv4-mapped IPv6 forms.
func sameIP(restrict, client string) bool {
	if restrict == client {
		return true
	}
	a, b := parseIP(restrict), parseIP(client)
	return a.IsValid() && a == b
}

// scheme returns the public scheme of r.
func (s *Server) scheme(r *http.Request) string {
	if s.cfg.PublicScheme != "" {
		return strings.ToLower(s.cfg.PublicScheme)
	}
	if peer := remoteAddr(r.RemoteAddr); peer.IsValid() && s.trusted(peer) {
		if p := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])); p == "http" || p == "https" {
			return p
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// publicPort returns the port reported by /mainport.
func (s *Server) publicPort(r *http.Request) int {
	if s.cfg.PublicPort > 0 {
		return s.cfg.PublicPort
	}
	if s.cfg.PublicHost == "" {
		if _, p, err := net.SplitHostPort(r.Host); err == nil {
			if n, err := strconv.Atoi(p); err == nil {
				return n
			}
		}
	}
	if s.scheme(r) == "https" {
		return 443
	}
	if s.cfg.PublicHost == "" && r.Host == "" {
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if ap, err := netip.ParseAddrPort(la.String()); err == nil {
				return int(ap.Port())
			}
		}
	}
	return 80
}

// origin returns the proxy's public origin, scheme://host[:port].
func (s *Server) origin(r *http.Request) string {
	scheme := s.scheme(r)
	host := s.cfg.PublicHost
	if host == "" {
		host = r.Host
	}
	if host == "" {
		host = "localhost"
	}
	hostname := host
	port := ""
	if h, p, err := net.SplitHostPort(host); err == nil {
		hostname, port = h, p
	} else {
		hostname = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if s.cfg.PublicPort > 0 {
		port = strconv.Itoa(s.cfg.PublicPort)
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(hostname, ":") {
		hostname = "[" + hostname + "]"
	}
	if port != "" {
		return scheme + "://" + hostname + ":" + port
	}
	return scheme + "://" + hostname
}

// redactedURI returns the request URI with the pwd parameter's value
// hidden, for logs.
func redactedURI(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	if _, _, ok := splitSessionURI(uri); ok {
		return uri
	}
	path, query, ok := strings.Cut(uri, "?")
	if !ok || !strings.Contains(query, "pwd=") {
		return uri
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		if strings.HasPrefix(p, "pwd=") {
			parts[i] = "pwd=REDACTED"
		}
	}
	return path + "?" + strings.Join(parts, "&")
}

// checkPassword writes 403 and returns false when a password is set and
// the request's pwd does not match it.
func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Password == "" {
		return true
	}
	pwd := r.URL.Query().Get("pwd")
	if subtle.ConstantTimeCompare([]byte(pwd), []byte(s.cfg.Password)) == 1 {
		return true
	}
	textError(w, http.StatusForbidden, "bad password")
	return false
}

// currentStore returns the session store, or answers 503 and returns false
// when there is none (the server is shutting down).
func (s *Server) currentStore(w http.ResponseWriter) (store.Store, bool) {
	st := s.SessionStore()
	if st == nil {
		textError(w, http.StatusServiceUnavailable, "session store unavailable")
		return nil, false
	}
	return st, true
}

// storeErr answers a store error other than "not found" with 503 and
// logs it.
func (s *Server) storeErr(w http.ResponseWriter, r *http.Request, op string, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	s.log.Error("session store error", "op", op, "err", err)
	textError(w, http.StatusServiceUnavailable, "session store unavailable")
}

// textOK writes a 200 plain-text answer.
func textOK(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(body))
}

// textError writes a plain-text error answer.
func textError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg))
}
