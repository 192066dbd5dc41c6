package proxy

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/rammerhead-go/rammerhead/internal/exportblob"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// Signed session export and import.
//
// GET /api/exportsession?id=ID[&pwd=...] answers the session's portable
// blob (package exportblob: the .rhfsession form and an HMAC-SHA256
// signature made with Config.ExportSecret) as application/json, with
// Content-Disposition: attachment; filename="ID.rhexport.json". The
// password (when one is set) and RestrictSessionToIP apply as on
// /editsession: wrong password 403, session of another IP 403, unknown id
// 404 "not found", invalid id 400.
//
// POST /api/importsession[?pwd=...] takes such a blob as the body
// (at most Config.MaxImportBytes: 413 beyond) and verifies its signature
// before anything else; a tampered, truncated or foreign blob gets 400
// with a short reason and changes nothing. The session is stored under its
// original id when that id is free on this server, else under a new random
// id, and the body of the 200 answer is that id. The imported session is
// touched (lastUsed = now; createdAt, data and cookies kept as exported).
// With RestrictSessionToIP on, its restrictIP becomes the importing
// client's IP, so that the importer can use it (the exporting client's IP
// would lock it out).
//
// When Config.ExportSecret is empty both routes answer 404: the feature
// is off.

// DefaultMaxImportBytes caps the body of POST /api/importsession.
const DefaultMaxImportBytes int64 = 1 << 20

// Answers of the export routes.
const (
	msgExportOff = "session export is disabled"
	msgTooLarge  = "export too large"
)

// exportEnabled answers 404 and returns false when export is off.
func (s *Server) exportEnabled(w http.ResponseWriter) bool {
	if len(s.cfg.ExportSecret) == 0 {
		textError(w, http.StatusNotFound, msgExportOff)
		return false
	}
	return true
}

func (s *Server) handleExportSession(w http.ResponseWriter, r *http.Request) {
	if !s.exportEnabled(w) || !s.checkPassword(w, r) {
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		textError(w, http.StatusBadRequest, msgNeedID)
		return
	}
	sess, ok := s.getSession(w, r, id, false, func() {
		textError(w, http.StatusNotFound, msgNotFound)
	})
	if !ok {
		return
	}
	b, err := sess.Serialize()
	if err != nil {
		s.storeErr(w, r, "export", err)
		return
	}
	blob, err := exportblob.Sign(s.cfg.ExportSecret, id, b)
	if err != nil {
		s.storeErr(w, r, "export", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", exportblob.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+id+exportblob.FileSuffix+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(blob)
}

func (s *Server) handleImportSession(w http.ResponseWriter, r *http.Request) {
	if !s.exportEnabled(w) || !s.checkPassword(w, r) {
		return
	}
	limit := s.cfg.MaxImportBytes
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			textError(w, http.StatusRequestEntityTooLarge, msgTooLarge)
			return
		}
		textError(w, http.StatusBadRequest, "cannot read the request body")
		return
	}
	origID, data, err := exportblob.Verify(s.cfg.ExportSecret, body)
	if err != nil {
		textError(w, http.StatusBadRequest, "invalid export: "+shortReason(err))
		return
	}
	sess, err := session.Deserialize(origID, data, &session.Options{Now: s.now})
	if err != nil {
		textError(w, http.StatusBadRequest, "invalid export: corrupted session")
		return
	}
	if s.cfg.RestrictSessionToIP {
		sess.SetRestrictIP(s.clientIP(r))
	}
	sess.Touch(s.now())
	data, err = sess.Serialize()
	if err != nil {
		textError(w, http.StatusBadRequest, "invalid export: corrupted session")
		return
	}
	st, ok := s.currentStore(w)
	if !ok {
		return
	}
	// Reserve the id with Add (atomic: ErrExists when taken), then
	// replace the fresh session with the imported one.
	id := origID
	for attempt := 0; ; attempt++ {
		_, err = st.Add(r.Context(), id)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrExists) || attempt == 3 {
			s.storeErr(w, r, "import", err)
			return
		}
		id = session.NewID()
	}
	if err := st.AddSerialized(r.Context(), id, data); err != nil {
		_, _ = st.Delete(r.Context(), id)
		if errors.Is(err, store.ErrCorrupted) {
			textError(w, http.StatusBadRequest, "invalid export: corrupted session")
			return
		}
		if errors.Is(err, store.ErrNotFound) { // already past its expiry
			textError(w, http.StatusBadRequest, "invalid export: session already expired")
			return
		}
		s.storeErr(w, r, "import", err)
		return
	}
	textOK(w, id)
}

// shortReason is the part of a verification error a client may see.
func shortReason(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "exportblob: ")
	if len(msg) > 100 {
		msg = msg[:100]
	}
	return msg
}
