package proxy

import (
	"context"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/rammerhead-go/rammerhead/proxy/rewrite"
	"github.com/rammerhead-go/rammerhead/session"
)

// wsInfoKey keys the per-request state of a proxied WebSocket upgrade.
type wsInfoKey struct{}

type wsInfo struct {
	sess   *session.Session
	m      *rewrite.Mapper
	target *url.URL
	save   func()
}

// newWebSocketProxy returns the reverse proxy used for WebSocket upgrades
// only: it sends the handshake upstream with the session's cookies and
// upstream proxy, then relays both directions.
func (s *Server) newWebSocketProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Transport: s.transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			info := pr.In.Context().Value(wsInfoKey{}).(*wsInfo)
			u := *info.target
			pr.Out.URL = &u
			pr.Out.Host = ""
			up := pr.Out.Header.Get("Upgrade")
			pr.Out.Header = s.upstreamRequestHeaders(pr.Out.Header, info.sess, info.m, info.target)
			pr.Out.Header.Set("Connection", "Upgrade")
			pr.Out.Header.Set("Upgrade", up)
			if ah := customAuthHeader(info.sess.ExternalProxy()); ah != "" && u.Scheme == "http" {
				pr.Out.Header.Set("Proxy-Authorization", ah)
			}
		},
		ModifyResponse: func(res *http.Response) error {
			info := res.Request.Context().Value(wsInfoKey{}).(*wsInfo)
			if sc := res.Header.Values("Set-Cookie"); len(sc) > 0 {
				info.sess.Jar().SetCookieStrings(info.target, sc)
			}
			res.Header.Del("Set-Cookie")
			res.Header.Del("Set-Cookie2")
			rewrite.ResponseHeaders(res.Header, info.m, info.target)
			s.applyHeaderRewrites(res.Header)
			info.save() // before the relay, which may last long
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return
			}
			s.metrics.upstreamErrors.Inc()
			s.log.Warn("websocket upstream failed", "target", r.URL.Redacted(), "err", err)
			textError(w, http.StatusBadGateway, "Bad gateway: websocket upstream failed: "+upstreamReason(err))
		},
		ErrorLog: log.New(slogWriter{s}, "", 0),
	}
}

// serveWebSocket proxies a WebSocket upgrade to target.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, sess *session.Session, m *rewrite.Mapper, target *url.URL, save func()) {
	ctx := context.WithValue(r.Context(), wsInfoKey{}, &wsInfo{sess: sess, m: m, target: target, save: save})
	s.wsProxy.ServeHTTP(w, r.WithContext(ctx))
}

// slogWriter sends the reverse proxy's log lines to the server's logger.
type slogWriter struct{ s *Server }

func (l slogWriter) Write(p []byte) (int, error) {
	l.s.log.Debug("websocket proxy", "msg", string(p))
	return len(p), nil
}
