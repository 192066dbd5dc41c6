package proxy

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// Answers of the session API. The original's homepage script compares the
// bodies literally.
const (
	msgSuccess     = "Success"
	msgNotFound    = "not found"
	msgExists      = "exists"
	msgInvalidID   = "invalid id"
	msgSameIP      = "Sessions must come from the same IP"
	msgNeedID      = "Must specify id parameter"
	msgBadSession  = "Invalid session id"
	msgBadPassword = "bad password"
)

// ErrInvalidProxy reports an httpProxy parameter that is not
// [http://][user:pass@]host[:port].
var ErrInvalidProxy = errors.New("proxy: invalid httpProxy")

// getSession looks a session up for a route. It writes the answer and
// returns false when the id is invalid (400 invalid id), the store fails
// (503), the session does not exist (notFound writes the route's answer) or
// the session is restricted to another IP (403).
func (s *Server) getSession(w http.ResponseWriter, r *http.Request, id string, touch bool, notFound func()) (*session.Session, bool) {
	if err := session.ValidateID(id); err != nil {
		textError(w, http.StatusBadRequest, msgInvalidID)
		return nil, false
	}
	st, ok := s.currentStore(w)
	if !ok {
		return nil, false
	}
	// Touched only once the IP check has passed: a client from another
	// address must not keep somebody else's session alive.
	sess, err := st.Get(r.Context(), id, false)
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		notFound()
		return nil, false
	case errors.Is(err, store.ErrInvalidID):
		textError(w, http.StatusBadRequest, msgInvalidID)
		return nil, false
	default:
		s.storeErr(w, r, "get", err)
		return nil, false
	}
	if !s.ipAllowed(r, sess) {
		textError(w, http.StatusForbidden, msgSameIP)
		return nil, false
	}
	if touch {
		sess.Touch(s.now())
	}
	return sess, true
}

// ipAllowed applies RestrictSessionToIP.
func (s *Server) ipAllowed(r *http.Request, sess *session.Session) bool {
	if !s.cfg.RestrictSessionToIP {
		return true
	}
	rip := sess.RestrictIP()
	return rip == "" || sameIP(rip, s.clientIP(r))
}

func (s *Server) handleNeedPassword(w http.ResponseWriter, _ *http.Request) {
	textOK(w, strconv.FormatBool(s.cfg.Password != ""))
}

func (s *Server) handleNewSession(w http.ResponseWriter, r *http.Request) {
	if !s.checkPassword(w, r) {
		return
	}
	st, ok := s.currentStore(w)
	if !ok {
		return
	}
	var (
		id   string
		sess *session.Session
		err  error
	)
	for range 3 { // a collision of 128 random bits is not expected; retry anyway
		id = session.NewID()
		sess, err = st.Add(r.Context(), id)
		if !errors.Is(err, store.ErrExists) {
			break
		}
	}
	if err != nil {
		s.storeErr(w, r, "add", err)
		return
	}
	sess.SetRestrictIP(s.clientIP(r))
	if sess.ShuffleDict() == "" {
		sess.SetShuffleDict(urlshuffle.GenerateDictionary())
	}
	if err := st.Save(r.Context(), sess); err != nil {
		s.storeErr(w, r, "save", err)
		return
	}
	// The id is acknowledged only once the session, restrictIP included,
	// is durable: a crash must not leave an unrestricted session behind.
	if f, ok := st.(store.Flusher); ok {
		if err := f.Flush(r.Context(), id); err != nil {
			s.storeErr(w, r, "flush", err)
			return
		}
	}
	textOK(w, id)
}

func (s *Server) handleEditSession(w http.ResponseWriter, r *http.Request) {
	if !s.checkPassword(w, r) {
		return
	}
	q := r.URL.Query()
	id := q.Get("id")
	if id == "" {
		textError(w, http.StatusBadRequest, msgNotFound)
		return
	}
	ps, err := ParseHTTPProxy(q.Get("httpProxy"))
	if err != nil {
		// Validate before looking anything up: no partial edit.
		if session.ValidateID(id) != nil {
			textError(w, http.StatusBadRequest, msgInvalidID)
			return
		}
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	sess, ok := s.getSession(w, r, id, true, func() {
		textError(w, http.StatusBadRequest, msgNotFound)
	})
	if !ok {
		return
	}
	sess.SetExternalProxy(ps)
	switch q.Get("enableShuffling") {
	case "1":
		if sess.ShuffleDict() == "" {
			sess.SetShuffleDict(urlshuffle.GenerateDictionary())
		}
	case "0":
		sess.SetShuffleDict("")
	}
	if err := s.SessionStore().Save(r.Context(), sess); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			textError(w, http.StatusBadRequest, msgNotFound)
			return
		}
		s.storeErr(w, r, "save", err)
		return
	}
	textOK(w, msgSuccess)
}

func (s *Server) handleDeleteSession(w http.ResponseWriter, r *http.Request) {
	if !s.checkPassword(w, r) {
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		textOK(w, msgNotFound)
		return
	}
	if err := session.ValidateID(id); err != nil {
		textError(w, http.StatusBadRequest, msgInvalidID)
		return
	}
	if s.cfg.RestrictSessionToIP {
		if _, ok := s.getSession(w, r, id, false, func() { textOK(w, msgNotFound) }); !ok {
			return
		}
	}
	st, ok := s.currentStore(w)
	if !ok {
		return
	}
	deleted, err := st.Delete(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeErr(w, r, "delete", err)
		return
	}
	if deleted {
		textOK(w, msgSuccess)
		return
	}
	textOK(w, msgNotFound)
}

func (s *Server) handleSessionExists(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		textError(w, http.StatusBadRequest, msgNeedID)
		return
	}
	if err := session.ValidateID(id); err != nil {
		textError(w, http.StatusBadRequest, msgInvalidID)
		return
	}
	if s.cfg.RestrictSessionToIP {
		if _, ok := s.getSession(w, r, id, false, func() { textOK(w, msgNotFound) }); ok {
			textOK(w, msgExists)
		}
		return
	}
	st, ok := s.currentStore(w)
	if !ok {
		return
	}
	ok, err := st.Has(r.Context(), id)
	if err != nil {
		s.storeErr(w, r, "has", err)
		return
	}
	if ok {
		textOK(w, msgExists)
		return
	}
	textOK(w, msgNotFound)
}

func (s *Server) handleMainPort(w http.ResponseWriter, r *http.Request) {
	textOK(w, strconv.Itoa(s.publicPort(r)))
}

func (s *Server) handleShuffleDict(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		textError(w, http.StatusBadRequest, msgBadSession)
		return
	}
	sess, ok := s.getSession(w, r, id, false, func() {
		textError(w, http.StatusBadRequest, msgBadSession)
	})
	if !ok {
		return
	}
	body := []byte("null")
	if d := sess.ShuffleDict(); d != "" {
		body, _ = json.Marshal(d) // a string always marshals
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// ParseHTTPProxy parses the httpProxy parameter of /editsession,
// [http://][user:pass@]host[:port], into the session's upstream proxy
// settings as the original writes them (Host "host:port", Port a string,
// ProxyAuth "user:pass", AuthHeader "Basic base64(user:pass)"). An empty
// string means no proxy (nil, nil). Errors wrap ErrInvalidProxy.
func ParseHTTPProxy(v string) (*session.ProxySettings, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if len(v) >= 7 && strings.EqualFold(v[:7], "http://") {
		v = v[7:]
	} else if strings.Contains(v, "://") {
		return nil, fmt.Errorf("%w: only http:// proxies are supported", ErrInvalidProxy)
	}
	if v == "" || strings.ContainsAny(v, " \t\r\n") {
		return nil, fmt.Errorf("%w: empty or contains spaces", ErrInvalidProxy)
	}
	u, err := url.Parse("http://" + v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidProxy, err)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: no host", ErrInvalidProxy)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: a proxy is host:port, without a path", ErrInvalidProxy)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: bad port %q", ErrInvalidProxy, port)
		}
	}
	hostname := strings.ToLower(u.Hostname())
	host := hostname
	if strings.Contains(hostname, ":") {
		host = "[" + hostname + "]"
	}
	if port != "" {
		host = net.JoinHostPort(hostname, port)
	}
	ps := &session.ProxySettings{Host: host, Hostname: hostname, Port: port}
	if u.User != nil {
		auth := u.User.Username()
		if p, ok := u.User.Password(); ok {
			auth += ":" + p
		}
		if auth == "" {
			return ps, nil // "@host": no credentials
		}
		ps.ProxyAuth = auth
		ps.AuthHeader = "Basic " + base64.StdEncoding.EncodeToString([]byte(auth))
	}
	return ps, nil
}
