// Package exportblob signs and verifies portable session exports: a
// session's serialized (.rhfsession) form with an HMAC-SHA256 signature
// made with the server's secret, so that a server only imports sessions
// exported by a server that shares its secret.
//
// # Format (version 1)
//
// A blob is one JSON object:
//
//	{"v":1,"id":"<original id>","session":"<base64 of the .rhfsession bytes>","sig":"<base64url HMAC-SHA256>"}
//
// session is standard base64 (with padding) of the exact serialized bytes;
// sig is unpadded base64url of HMAC-SHA256(secret, "rammerhead-export-v1\n"
// + id + "\n" + session bytes). The id is the session's id on the exporting
// server (importers use it when it is free). Verify checks the signature in
// constant time (hmac.Equal) before anything else is trusted.
package exportblob

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rammerhead-go/rammerhead/session"
)

// Version is the blob format version written by Sign.
const Version = 1

// SignaturePrefix starts the signed message, binding the signature to this
// format and version.
const SignaturePrefix = "rammerhead-export-v1\n"

// ContentType is the media type of a blob.
const ContentType = "application/json"

// FileSuffix is the conventional file name suffix of a blob
// ("<id>.rhexport.json").
const FileSuffix = ".rhexport.json"

// Errors of Sign and Verify; test with errors.Is.
var (
	// ErrNoSecret: the secret is empty.
	ErrNoSecret = errors.New("exportblob: no secret")
	// ErrMalformed: the blob is not a version-1 export (bad JSON, missing
	// or badly encoded field, invalid id, unknown version).
	ErrMalformed = errors.New("exportblob: malformed export")
	// ErrBadSignature: the blob is well formed but its signature does not
	// match (tampered, or signed with another secret).
	ErrBadSignature = errors.New("exportblob: bad signature")
)

type wire struct {
	V       int    `json:"v"`
	ID      string `json:"id"`
	Session string `json:"session"`
	Sig     string `json:"sig"`
}

func mac(secret []byte, id string, serialized []byte) []byte {
	h := hmac.New(sha256.New, secret)
	_, _ = io.WriteString(h, SignaturePrefix)
	_, _ = io.WriteString(h, id)
	_, _ = io.WriteString(h, "\n")
	_, _ = h.Write(serialized)
	return h.Sum(nil)
}

// Sign returns the blob of a session: its id and serialized form, signed
// with secret. The id must be valid (session.ValidateID); serialized is
// not parsed.
func Sign(secret []byte, id string, serialized []byte) ([]byte, error) {
	if len(secret) == 0 {
		return nil, ErrNoSecret
	}
	if err := session.ValidateID(id); err != nil {
		return nil, fmt.Errorf("exportblob: sign: %w", err)
	}
	w := wire{
		V:       Version,
		ID:      id,
		Session: base64.StdEncoding.EncodeToString(serialized),
		Sig:     base64.RawURLEncoding.EncodeToString(mac(secret, id, serialized)),
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("exportblob: sign: %w", err)
	}
	return b, nil
}

// Verify checks a blob made by Sign with the same secret and returns the
// original id and the serialized session. Errors wrap ErrMalformed,
// ErrBadSignature or ErrNoSecret and carry a short reason.
func Verify(secret []byte, blob []byte) (id string, serialized []byte, err error) {
	if len(secret) == 0 {
		return "", nil, ErrNoSecret
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(blob))
	if err := dec.Decode(&w); err != nil {
		return "", nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", nil, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	if w.V != Version {
		return "", nil, fmt.Errorf("%w: unsupported version %d", ErrMalformed, w.V)
	}
	if err := session.ValidateID(w.ID); err != nil {
		return "", nil, fmt.Errorf("%w: invalid id", ErrMalformed)
	}
	if w.Session == "" {
		return "", nil, fmt.Errorf("%w: no session", ErrMalformed)
	}
	serialized, err = base64.StdEncoding.Strict().DecodeString(w.Session)
	if err != nil {
		return "", nil, fmt.Errorf("%w: session is not base64", ErrMalformed)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(w.Sig)
	if err != nil || len(sig) != sha256.Size {
		return "", nil, fmt.Errorf("%w: bad signature encoding", ErrMalformed)
	}
	if !hmac.Equal(sig, mac(secret, w.ID, serialized)) {
		return "", nil, ErrBadSignature
	}
	return w.ID, serialized, nil
}
