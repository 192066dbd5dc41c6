package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/urlshuffle"
)

// maxJSTime is the largest magnitude of a JavaScript Date's time value in
// milliseconds.
const maxJSTime = 8.64e15

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func fmtErr(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

func corrupt(format string, args ...any) error {
	return fmtErr(ErrCorrupted, format, args...)
}

// validJSON checks that v is exactly one JSON value (surrounding
// whitespace allowed) in valid UTF-8 and returns it compacted.
func validJSON(v []byte) ([]byte, error) {
	if !utf8.Valid(v) {
		return nil, fmt.Errorf("not valid UTF-8")
	}
	i := skipWS(v, 0)
	if i == len(v) {
		return nil, fmt.Errorf("empty value")
	}
	end, err := scanValue(v, i, 0)
	if err != nil {
		return nil, err
	}
	if rest := skipWS(v, end); rest != len(v) {
		return nil, fmt.Errorf("trailing data at offset %d", rest)
	}
	return compact(v[i:end]), nil
}

// keyIs reports whether the key token (quotes included) decodes to name.
func keyIs(tok []byte, escaped bool, name string) bool {
	if !escaped {
		return string(tok[1:len(tok)-1]) == name
	}
	return unquote(tok, true) == name
}

// normalizeField checks the raw (compact, valid) JSON of a data member
// against the documented shape of a known key and returns the raw value to
// keep (a shared constant when possible; "" for an integer timestamp) and,
// for createdAt and lastUsed, the time in milliseconds.
func normalizeField(key string, raw []byte) (canon string, ms int64, err error) {
	c := raw[0]
	switch key {
	case KeyCreatedAt, KeyLastUsed:
		if c != '-' && !isDigit(c) {
			return "", 0, fmt.Errorf("%s is %s, not a number of milliseconds", key, kindName(c))
		}
		f, perr := parseNumber(raw)
		if perr != nil || math.Abs(f) > maxJSTime {
			return "", 0, fmt.Errorf("%s %s is outside the range of a JavaScript date", key, raw)
		}
		ms = int64(f) // truncates toward zero, as JavaScript's TimeClip
		var digits [24]byte
		if string(strconv.AppendInt(digits[:0], ms, 10)) == string(raw) {
			return "", ms, nil
		}
		return string(raw), ms, nil
	case KeyShuffleDict:
		switch c {
		case 'n':
			return rawNull, 0, nil
		case '"':
			d := unquote(raw, bytes.IndexByte(raw, '\\') >= 0)
			if err := urlshuffle.ValidDictionary(d); err != nil {
				return "", 0, fmt.Errorf("shuffleDict %q: %w", d, err)
			}
			return quoteString(d), 0, nil
		}
		return "", 0, fmt.Errorf("shuffleDict is %s, not null or a string", kindName(c))
	case KeyExternalProxySettings:
		switch c {
		case 'n':
			return rawNull, 0, nil
		case '{':
			if _, err := parseProxy(raw); err != nil {
				return "", 0, err
			}
			return string(raw), 0, nil
		}
		return "", 0, fmt.Errorf("externalProxySettings is %s, not null or an object", kindName(c))
	case KeyRestrictIP:
		if c != 'n' && c != '"' {
			return "", 0, fmt.Errorf("restrictIP is %s, not a string", kindName(c))
		}
	case KeyInjectable:
		if err := checkInjectable(raw); err != nil {
			return "", 0, err
		}
	}
	return internRaw(raw), 0, nil
}

// checkInjectable reports the error parseInjectable would give for raw,
// without building the value.
func checkInjectable(raw []byte) error {
	const obj = "injectable"
	if raw[0] != '{' {
		return fmt.Errorf("%s is %s, not an object", obj, kindName(raw[0]))
	}
	_, err := scanObject(raw, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		v := raw[vs:ve]
		switch {
		case keyIs(key, kesc, "scripts"):
			return checkStrings(v, obj, "scripts")
		case keyIs(key, kesc, "styles"):
			return checkStrings(v, obj, "styles")
		case keyIs(key, kesc, "userScripts"):
			if v[0] != 'n' && v[0] != '[' {
				return fmt.Errorf("%s.%s is %s, not an array", obj, "userScripts", kindName(v[0]))
			}
		}
		return nil
	})
	return err
}

// checkStrings reports the error jsonStrings would give for raw, without
// building the value.
func checkStrings(raw []byte, obj, name string) error {
	switch raw[0] {
	case 'n':
		return nil
	case '[':
	default:
		return fmt.Errorf("%s.%s is %s, not an array of strings", obj, name, kindName(raw[0]))
	}
	n := 0
	_, err := scanArray(raw, 0, 1, func(vs, ve int) error {
		if raw[vs] != '"' {
			return fmt.Errorf("%s.%s[%d] is %s, not a string", obj, name, n, kindName(raw[vs]))
		}
		n++
		return nil
	})
	return err
}

// jsonString decodes the string value at raw[vs:ve] for field name of
// object obj: null gives "", another type an error.
func jsonString(raw []byte, obj, name string) (string, error) {
	switch raw[0] {
	case 'n':
		return "", nil
	case '"':
		return unquote(raw, bytes.IndexByte(raw, '\\') >= 0), nil
	}
	return "", fmt.Errorf("%s.%s is %s, not a string", obj, name, kindName(raw[0]))
}

// jsonStrings decodes an array of strings (null gives nil).
func jsonStrings(raw []byte, obj, name string) ([]string, error) {
	switch raw[0] {
	case 'n':
		return nil, nil
	case '[':
	default:
		return nil, fmt.Errorf("%s.%s is %s, not an array of strings", obj, name, kindName(raw[0]))
	}
	out := []string{}
	_, err := scanArray(raw, 0, 1, func(vs, ve int) error {
		if raw[vs] != '"' {
			return fmt.Errorf("%s.%s[%d] is %s, not a string", obj, name, len(out), kindName(raw[vs]))
		}
		out = append(out, unquote(raw[vs:ve], bytes.IndexByte(raw[vs:ve], '\\') >= 0))
		return nil
	})
	return out, err
}

// parseProxy decodes a valid, compact externalProxySettings object. Fields
// must have their documented types (null counts as absent); a port may also
// be a number. Unknown fields are ignored (and kept in the raw value).
func parseProxy(raw []byte) (*ProxySettings, error) {
	const obj = "externalProxySettings"
	if raw[0] != '{' {
		return nil, fmt.Errorf("%s is %s, not an object", obj, kindName(raw[0]))
	}
	p := &ProxySettings{}
	_, err := scanObject(raw, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		name := unquote(key, kesc)
		v := raw[vs:ve]
		var dst *string
		switch name {
		case "host":
			dst = &p.Host
		case "hostname":
			dst = &p.Hostname
		case "port":
			if v[0] == '-' || isDigit(v[0]) {
				p.Port = string(v)
				return nil
			}
			dst = &p.Port
		case "proxyAuth":
			dst = &p.ProxyAuth
		case "authHeader":
			dst = &p.AuthHeader
		case "bypassRules":
			rules, err := jsonStrings(v, obj, name)
			p.BypassRules = rules
			return err
		default:
			return nil
		}
		str, err := jsonString(v, obj, name)
		*dst = str
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// parseInjectable decodes a valid, compact injectable object.
func parseInjectable(raw []byte) (Injectable, error) {
	const obj = "injectable"
	var in Injectable
	if raw[0] != '{' {
		return in, fmt.Errorf("%s is %s, not an object", obj, kindName(raw[0]))
	}
	_, err := scanObject(raw, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		name := unquote(key, kesc)
		v := raw[vs:ve]
		var err error
		switch name {
		case "scripts":
			in.Scripts, err = jsonStrings(v, obj, name)
		case "styles":
			in.Styles, err = jsonStrings(v, obj, name)
		case "userScripts":
			switch v[0] {
			case 'n':
				in.UserScripts = nil
			case '[':
				in.UserScripts = make([]json.RawMessage, 0)
				_, err = scanArray(v, 0, 1, func(es, ee int) error {
					in.UserScripts = append(in.UserScripts, append(json.RawMessage(nil), v[es:ee]...))
					return nil
				})
			default:
				err = fmt.Errorf("%s.%s is %s, not an array", obj, name, kindName(v[0]))
			}
		}
		return err
	})
	return in, err
}

// parseLocalStorage decodes data.localStorage leniently: entries of another
// shape are skipped, a non-string value is given as its JSON text.
func parseLocalStorage(raw []byte) map[string]LocalStorageEntry {
	out := map[string]LocalStorageEntry{}
	if len(raw) == 0 || raw[0] != '{' {
		return out
	}
	_, _ = scanObject(raw, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		v := raw[vs:ve]
		if v[0] != '{' {
			return nil
		}
		e := LocalStorageEntry{Data: map[string]string{}}
		_, _ = scanObject(v, 0, 1, func(k2 []byte, k2esc bool, s2, e2 int) error {
			v2 := v[s2:e2]
			switch unquote(k2, k2esc) {
			case "data":
				if v2[0] != '{' {
					return nil
				}
				_, _ = scanObject(v2, 0, 1, func(k3 []byte, k3esc bool, s3, e3 int) error {
					v3 := v2[s3:e3]
					if v3[0] == '"' {
						e.Data[unquote(k3, k3esc)] = unquote(v3, bytes.IndexByte(v3, '\\') >= 0)
					} else {
						e.Data[unquote(k3, k3esc)] = string(v3)
					}
					return nil
				})
			case "timestamp":
				if v2[0] == '-' || isDigit(v2[0]) {
					if f, err := parseNumber(v2); err == nil && math.Abs(f) <= maxJSTime {
						e.Timestamp = int64(f)
					}
				}
			}
			return nil
		})
		out[unquote(key, kesc)] = e
		return nil
	})
	return out
}

// setMember returns the compact object obj with member key set to val
// (every occurrence replaced in place, or appended when absent). An obj
// that is empty or not an object is replaced by a new object.
func setMember(obj []byte, key string, val []byte) []byte {
	if len(obj) == 0 || obj[0] != '{' {
		b := append([]byte{'{'}, appendQuote(nil, key)...)
		b = append(b, ':')
		b = append(b, val...)
		return append(b, '}')
	}
	out := make([]byte, 0, len(obj)+len(key)+len(val)+4)
	last := 0
	found := false
	_, _ = scanObject(obj, 0, 1, func(k []byte, kesc bool, vs, ve int) error {
		if keyIs(k, kesc, key) {
			out = append(out, obj[last:vs]...)
			out = append(out, val...)
			last = ve
			found = true
		}
		return nil
	})
	out = append(out, obj[last:]...)
	if found {
		return out
	}
	out = out[:len(out)-1] // drop '}'
	if len(out) > 1 {
		out = append(out, ',')
	}
	out = appendQuote(out, key)
	out = append(out, ':')
	out = append(out, val...)
	return append(out, '}')
}

// Deserialize loads the .rhfsession form
// {"data":{...},"serializedCookieJar":"<jar JSON>"}. Whitespace and key
// order are free; other top-level keys are ignored (Node drops them too).
// The id is not validated (see ValidateID). A loaded session counts as
// used; see the package documentation for how gaps are filled.
//
// Errors wrap ErrCorrupted and say what is wrong: empty input, a UTF-8 BOM
// (Node rejects it as bad JSON), invalid UTF-8, not JSON, trailing data, a
// top level that is not an object, data missing or not an object,
// serializedCookieJar missing or not a string, a jar cookiejar cannot
// decode (the error also wraps cookiejar.ErrInvalidJar), or a known data key
// of the wrong shape (createdAt/lastUsed not numbers, a shuffleDict that is
// not a permutation of urlshuffle.BaseDictionary, an externalProxySettings,
// restrictIP or injectable of the wrong type).
func Deserialize(id string, b []byte, o *Options) (*Session, error) {
	return deserialize(id, b, o, true)
}

// topLevel is what scanTop finds in the top-level object: the spans of the
// last "data" and "serializedCookieJar" values (-1 when absent) and, when
// fast decoding succeeded on that last jar string, its jar.
type topLevel struct {
	dataS, dataE, jarS, jarE int
	jar                      *cookiejar.Jar
}

// scanTop scans the top-level object at b[i] as scanObject does (same
// errors). With fast, a serializedCookieJar string is decoded as it is
// read (cookiejar.DecodeQuotedPrefix: one pass, no unquoted copy); when
// that fails the string is scanned as any value and left for Deserialize
// to decode and report on, as the slow path does.
func scanTop(b []byte, i int, o *Options, fast bool) (topLevel, int, error) {
	t := topLevel{dataS: -1, dataE: -1, jarS: -1, jarE: -1}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return t, i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			if i >= len(b) {
				return t, i, syntaxErr(i, "unexpected end of input in object")
			}
			return t, i, syntaxErr(i, "expected a string key, found %q", b[i])
		}
		kend, kesc, err := scanString(b, i)
		if err != nil {
			return t, kend, err
		}
		key := b[i:kend]
		i = skipWS(b, kend)
		if i >= len(b) || b[i] != ':' {
			return t, i, syntaxErr(i, "expected ':' after object key")
		}
		vs := skipWS(b, i+1)
		ve := -1
		switch {
		case keyIs(key, kesc, "data"):
			t.dataS = vs
		case keyIs(key, kesc, "serializedCookieJar"):
			t.jarS, t.jar = vs, nil
			if fast && vs < len(b) && b[vs] == '"' {
				if j, n, err := cookiejar.DecodeQuotedPrefix(b[vs:], o.jarOptions()); err == nil {
					t.jar, ve = j, vs+n
				}
			}
			t.jarE = ve
		}
		if ve < 0 {
			if ve, err = scanValue(b, vs, 1); err != nil {
				return t, ve, err
			}
		}
		if t.dataS == vs {
			t.dataE = ve
		}
		if t.jarS == vs {
			t.jarE = ve
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return t, i, syntaxErr(i, "unexpected end of input in object")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return t, i + 1, nil
		default:
			return t, i, syntaxErr(i, "unexpected %q in object", b[i])
		}
	}
}

// deserialize is Deserialize; fast selects the one-pass jar decoding
// (false gives the reference path the tests compare it with).
func deserialize(id string, b []byte, o *Options, fast bool) (*Session, error) {
	if len(b) == 0 {
		return nil, corrupt("empty input")
	}
	if bytes.HasPrefix(b, utf8BOM) {
		return nil, corrupt("starts with a UTF-8 byte order mark (Node rejects it as bad JSON)")
	}
	if !utf8.Valid(b) {
		return nil, corrupt("not valid UTF-8")
	}
	i := skipWS(b, 0)
	if i == len(b) {
		return nil, corrupt("only whitespace")
	}
	if b[i] != '{' {
		end, err := scanValue(b, i, 0)
		if err != nil {
			return nil, corrupt("not JSON: %v", err)
		}
		if rest := skipWS(b, end); rest != len(b) {
			return nil, corrupt("not JSON: trailing data at offset %d", rest)
		}
		return nil, corrupt("top level is %s, not an object", kindName(b[i]))
	}
	top, end, err := scanTop(b, i, o, fast)
	dataS, dataE, jarS := top.dataS, top.dataE, top.jarS
	if err != nil {
		return nil, corrupt("not JSON: %v", err)
	}
	if rest := skipWS(b, end); rest != len(b) {
		return nil, corrupt("not JSON: trailing data after the top-level object at offset %d", rest)
	}
	if dataS < 0 {
		return nil, corrupt(`"data" is missing`)
	}
	if b[dataS] != '{' {
		return nil, corrupt(`"data" is %s, not an object`, kindName(b[dataS]))
	}
	if jarS < 0 {
		return nil, corrupt(`"serializedCookieJar" is missing`)
	}
	if b[jarS] != '"' {
		return nil, corrupt(`"serializedCookieJar" is %s, not a string holding the jar's JSON`, kindName(b[jarS]))
	}

	s := &Session{id: id, fields: make([]field, 0, 8)}
	ld := loader{s: s}
	data := b[dataS:dataE]
	_, err = scanObject(data, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		var k string
		if kesc {
			k = internKey([]byte(unquote(key, true)))
		} else {
			k = internKey(key[1 : len(key)-1])
		}
		canon, ms, err := normalizeField(k, compact(data[vs:ve]))
		if err != nil {
			return err
		}
		ld.add(k, canon, ms)
		return nil
	})
	if err != nil {
		return nil, corrupt("data: %v", err)
	}
	ld.finish(o)

	jar := top.jar
	if jar == nil {
		jarTok := b[jarS:top.jarE]
		jarJSON := unquoteBytes(jarTok, bytes.IndexByte(jarTok, '\\') >= 0)
		jar, err = cookiejar.Decode(jarJSON, o.jarOptions())
		if err != nil {
			return nil, fmt.Errorf("%w: serializedCookieJar: %w", ErrCorrupted, err)
		}
	}
	s.jar = jar
	s.jarBase = jar.Version()
	s.used.Store(true)
	return s, nil
}

// Serialize returns the .rhfsession form: compact JSON, data first, then
// serializedCookieJar as a string; unknown data keys and their order kept.
// The output is UTF-8 without BOM or trailing newline, with strings quoted as
// JavaScript's JSON.stringify quotes them.
func (s *Session) Serialize() ([]byte, error) {
	return s.serialize(true)
}

// serialize is Serialize. With quotedJar the jar is written straight in
// its quoted form (cookiejar's AppendEncodeQuoted, one pass); without, it is
// encoded and then quoted (the reference path the tests compare it with).
func (s *Session) serialize(quotedJar bool) ([]byte, error) {
	size := int(s.serSize.Load())
	s.mu.RLock()
	if size == 0 {
		size = 48 + 300*(s.jar.Len()+1)
		for _, f := range s.fields {
			size += len(f.key) + len(f.raw) + 20
		}
	} else {
		size += 64 // room for a little growth since the last time
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"data":{`...)
	for i, f := range s.fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendQuote(buf, f.key)
		buf = append(buf, ':')
		switch {
		case f.raw != "":
			buf = append(buf, f.raw...)
		case f.key == KeyCreatedAt:
			buf = strconv.AppendInt(buf, s.createdAt.Load(), 10)
		case f.key == KeyLastUsed:
			buf = strconv.AppendInt(buf, s.lastUsed.Load(), 10)
		default: // not reached: only timestamps have an empty raw
			buf = append(buf, rawNull...)
		}
	}
	s.mu.RUnlock()
	buf = append(buf, `},"serializedCookieJar":`...)
	if quotedJar {
		buf = s.jar.AppendEncodeQuoted(buf)
	} else {
		jarJSON, err := s.jar.Encode()
		if err != nil {
			return nil, fmt.Errorf("session: encoding the cookie jar: %w", err)
		}
		buf = appendQuoteBytes(buf, jarJSON)
	}
	buf = append(buf, '}')
	if len(buf) <= math.MaxInt32 {
		s.serSize.Store(int32(len(buf)))
	}
	return buf, nil
}

// ReadTimestamps returns data.createdAt and data.lastUsed of a serialized
// session without building the session or decoding its jar, for stores
// that sweep many files for expired sessions. A timestamp that is missing
// is returned as the zero time. The text is checked as Deserialize checks
// it, except for the jar's content and the shape of other data keys; errors
// wrap ErrCorrupted.
func ReadTimestamps(b []byte) (createdAt, lastUsed time.Time, err error) {
	if len(b) == 0 {
		return createdAt, lastUsed, corrupt("empty input")
	}
	if bytes.HasPrefix(b, utf8BOM) {
		return createdAt, lastUsed, corrupt("starts with a UTF-8 byte order mark (Node rejects it as bad JSON)")
	}
	if !utf8.Valid(b) {
		return createdAt, lastUsed, corrupt("not valid UTF-8")
	}
	i := skipWS(b, 0)
	if i == len(b) || b[i] != '{' {
		return createdAt, lastUsed, corrupt("top level is not an object")
	}
	dataS, dataE, haveJar := -1, -1, false
	end, err := scanObject(b, i, 1, func(key []byte, kesc bool, vs, ve int) error {
		switch {
		case keyIs(key, kesc, "data"):
			dataS, dataE = vs, ve
		case keyIs(key, kesc, "serializedCookieJar"):
			haveJar = b[vs] == '"'
		}
		return nil
	})
	switch {
	case err != nil:
		return createdAt, lastUsed, corrupt("not JSON: %v", err)
	case skipWS(b, end) != len(b):
		return createdAt, lastUsed, corrupt("not JSON: trailing data after the top-level object")
	case dataS < 0 || b[dataS] != '{':
		return createdAt, lastUsed, corrupt(`"data" is missing or not an object`)
	case !haveJar:
		return createdAt, lastUsed, corrupt(`"serializedCookieJar" is missing or not a string`)
	}
	data := b[dataS:dataE]
	_, err = scanObject(data, 0, 1, func(key []byte, kesc bool, vs, ve int) error {
		k := ""
		switch {
		case keyIs(key, kesc, KeyCreatedAt):
			k = KeyCreatedAt
		case keyIs(key, kesc, KeyLastUsed):
			k = KeyLastUsed
		default:
			return nil
		}
		_, ms, err := normalizeField(k, data[vs:ve])
		if err != nil {
			return err
		}
		if k == KeyCreatedAt {
			createdAt = time.UnixMilli(ms)
		} else {
			lastUsed = time.UnixMilli(ms)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, time.Time{}, corrupt("data: %v", err)
	}
	return createdAt, lastUsed, nil
}
