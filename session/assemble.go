package session

import (
	"unicode/utf8"
	"unsafe"

	"github.com/rammerhead-go/rammerhead/cookiejar"
)

// Assemble builds a session from its parts: data holds the data members in
// order as {key, raw JSON} pairs, and jar is the session's cookie jar,
// which the session takes over (make it with the same clock as o, for
// example with cookiejar.Decode). It is for stores that keep a session's
// parts apart (Redis, one hash field per data key and per cookie), which
// would otherwise join them into .rhfsession text only for Deserialize to
// take it apart again.
//
// The result is the session Deserialize gives for the text
// {"data":{<key>:<raw>,...},"serializedCookieJar":<jar>} and is checked the
// same way: keys must be valid UTF-8; each raw value must be exactly one
// JSON value in valid UTF-8 (insignificant whitespace is dropped); known
// keys must have their documented shape; a repeated key keeps its first
// position and its last value; a missing createdAt or lastUsed is set to
// now and a missing shuffleDict to null; the session counts as used. Errors
// wrap ErrCorrupted and say what is wrong; a nil jar is an error too. The
// session may keep the strings of data (they are immutable).
func Assemble(id string, data [][2]string, jar *cookiejar.Jar, o *Options) (*Session, error) {
	if jar == nil {
		return nil, corrupt("no cookie jar")
	}
	s := &Session{id: id, fields: make([]field, 0, len(data)+2)}
	ld := loader{s: s}
	for _, m := range data {
		key, rawStr := m[0], m[1]
		if !utf8.ValidString(key) {
			return nil, corrupt("data: key %q is not valid UTF-8", key)
		}
		k := internKey(key)
		// The bytes are only read (validJSON and normalizeField copy what
		// they keep).
		raw, err := validJSON(unsafeBytes(rawStr))
		if err != nil {
			return nil, corrupt("data: %s: %v", k, err)
		}
		canon, ms, err := normalizeField(k, raw)
		if err != nil {
			return nil, corrupt("data: %v", err)
		}
		ld.add(k, canon, ms)
	}
	ld.finish(o)
	s.jar = jar
	s.jarBase = jar.Version()
	s.used.Store(true)
	return s, nil
}

// unsafeBytes views s as bytes without copying; they must not be written.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
