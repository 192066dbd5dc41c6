package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/rammerhead-go/rammerhead/session"
)

// lsLocks serializes localStorage read-modify-write cycles per session.
type lsLocks struct {
	mu    sync.Mutex
	locks map[string]*lsLock
}

type lsLock struct {
	sync.Mutex
	refs int
}

func (l *lsLocks) lock(id string) func() {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*lsLock)
	}
	k := l.locks[id]
	if k == nil {
		k = &lsLock{}
		l.locks[id] = k
	}
	k.refs++
	l.mu.Unlock()
	k.Lock()
	return func() {
		k.Unlock()
		l.mu.Lock()
		k.refs--
		if k.refs == 0 {
			delete(l.locks, id)
		}
		l.mu.Unlock()
	}
}

// lsAnswer is the JSON answer of /syncLocalStorage; empty fields are
// omitted, so {} when nothing is to be sent back.
type lsAnswer struct {
	Timestamp *int64             `json:"timestamp,omitempty"`
	Data      *map[string]string `json:"data,omitempty"`
}

// handleSyncLocalStorage implements the original's localStorage sync
// protocol:
//
//   - {"type":"sync","fetch":true}: the stored data for the origin
//     ({"timestamp":t,"data":{...}}), creating an empty record when none.
//   - {"type":"sync","timestamp":t,"data":{...}}: the client's data wins
//     when the server's is not newer ({} answered); otherwise the server's
//     data is answered.
//   - {"type":"update","updateData":{...}} (or "data"): the keys are merged
//     into the origin's data, stamped now, and {"timestamp":now} answered.
func (s *Server) handleSyncLocalStorage(w http.ResponseWriter, r *http.Request) {
	max := s.cfg.MaxBodyBytes
	if r.ContentLength > max {
		textError(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	q := r.URL.Query()
	id := q.Get("sessionId")
	if id == "" {
		textError(w, http.StatusBadRequest, msgBadSession)
		return
	}
	origin := q.Get("origin")
	if _, ok := s.getSession(w, r, id, false, func() {
		textError(w, http.StatusBadRequest, msgBadSession)
	}); !ok {
		return
	}
	if origin == "" {
		textError(w, http.StatusBadRequest, "Invalid origin")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			textError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		textError(w, http.StatusBadRequest, "bad client body")
		return
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(body, &msg); err != nil || msg == nil {
		textError(w, http.StatusBadRequest, "bad client body")
		return
	}

	unlock := s.ls.lock(id)
	defer unlock()
	// Fetch again under the lock so that concurrent updates compose.
	sess, ok := s.getSession(w, r, id, false, func() {
		textError(w, http.StatusBadRequest, msgBadSession)
	})
	if !ok {
		return
	}
	now := s.now().UnixMilli()
	entry, have := sess.LocalStorage()[origin]
	var answer lsAnswer
	changed := false

	var typ string
	if err := json.Unmarshal(msg["type"], &typ); err != nil {
		typ = jsString(msg["type"])
	}
	switch typ {
	case "sync":
		if truthy(msg["fetch"]) {
			if !have {
				entry = session.LocalStorageEntry{Data: map[string]string{}, Timestamp: now}
				changed = true
			}
			answer = lsAnswer{Timestamp: &entry.Timestamp, Data: nonNilData(&entry.Data)}
			break
		}
		ts, ok := jsParseInt(msg["timestamp"])
		if !ok {
			textError(w, http.StatusBadRequest, "must specify valid timestamp")
			return
		}
		if ts > now {
			textError(w, http.StatusBadRequest, "cannot specify timestamp in the future")
			return
		}
		data, ok, msgErr := stringObject(msg["data"], false, "data")
		if !ok {
			textError(w, http.StatusBadRequest, msgErr)
			return
		}
		switch {
		case !have:
			entry = session.LocalStorageEntry{Data: data, Timestamp: now}
			changed = true
		case entry.Timestamp <= ts:
			entry.Data, entry.Timestamp = data, ts
			changed = true
		default:
			answer = lsAnswer{Timestamp: &entry.Timestamp, Data: nonNilData(&entry.Data)}
		}
	case "update":
		if !have {
			textError(w, http.StatusBadRequest, "must perform sync first on a new origin")
			return
		}
		raw, ok := msg["updateData"]
		if !ok {
			raw = msg["data"]
		}
		upd, ok, msgErr := stringObject(raw, true, "updateData")
		if !ok {
			textError(w, http.StatusBadRequest, msgErr)
			return
		}
		if entry.Data == nil {
			entry.Data = map[string]string{}
		}
		for k, v := range upd {
			entry.Data[k] = v
		}
		entry.Timestamp = now
		changed = true
		answer = lsAnswer{Timestamp: &now}
	default:
		textError(w, http.StatusBadRequest, "unknown type "+typ)
		return
	}
	if changed {
		sess.SetLocalStorage(origin, entry)
		if err := s.SessionStore().Save(r.Context(), sess); err != nil {
			s.storeErr(w, r, "save", err)
			return
		}
	}
	out, _ := json.Marshal(answer) // plain types always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}

func nonNilData(d *map[string]string) *map[string]string {
	if *d == nil {
		*d = map[string]string{}
	}
	return d
}

// stringObject decodes a JSON object whose values are all strings (and,
// with nonEmpty, not empty). On failure it returns the original's message.
func stringObject(raw json.RawMessage, nonEmpty bool, name string) (map[string]string, bool, string) {
	var obj map[string]json.RawMessage
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, false, name + " must be an object"
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		var str string
		if json.Unmarshal(v, &str) != nil || (nonEmpty && str == "") {
			if nonEmpty {
				return nil, false, name + "[prop] must be a non-empty string"
			}
			return nil, false, name + "[prop] must be a string"
		}
		out[k] = str
	}
	return out, true, ""
}

// truthy is JavaScript's truthiness of a JSON value (absent: false).
func truthy(raw json.RawMessage) bool {
	switch v := strings.TrimSpace(string(raw)); v {
	case "", "null", "false", `""`:
		return false
	default:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f != 0
		}
		return true
	}
}

// jsString renders a JSON value as the original's message would show it.
func jsString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "undefined"
	}
	return string(raw)
}

// jsParseInt is JavaScript's parseInt of a JSON number or string: the
// leading integer, or false when there is none (NaN).
func jsParseInt(raw json.RawMessage) (int64, bool) {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	var str string
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
		if math.Abs(x) < 1e21 {
			return int64(math.Trunc(x)), true
		}
		str = strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		str = x
	default:
		return 0, false
	}
	str = strings.TrimLeft(str, " \t\n\r\v\f")
	neg := false
	if str != "" && (str[0] == '+' || str[0] == '-') {
		neg = str[0] == '-'
		str = str[1:]
	}
	n := 0
	for n < len(str) && str[n] >= '0' && str[n] <= '9' && n < 18 {
		n++
	}
	if n == 0 {
		return 0, false
	}
	i, err := strconv.ParseInt(str[:n], 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		i = -i
	}
	return i, true
}
