package redisstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rammerhead-go/rammerhead/store"
)

// Hash fields of the session hash (<prefix>{<id>}:s).
const (
	fieldCreatedAt = "c" // data.createdAt, epoch milliseconds
	fieldLastUsed  = "u" // data.lastUsed, epoch milliseconds
	fieldOrder     = "o" // data key order: JSON-encoded keys joined by ","
	fieldJar       = "j" // the jar's JSON object without its cookies array
	fieldSeq       = "q" // cookie sequence counter
	dataPrefix     = "d:"
	fieldLSOrder   = "L"  // localStorage origins' order (like "o"); present iff localStorage is an object
	lsPrefix       = "l:" // l:<origin> = the raw JSON of one localStorage entry

	keyCreatedAt = "createdAt"
	keyLastUsed  = "lastUsed"
	// keyLocalStorage is stored member by member (one field per origin)
	// when it is a JSON object, so that concurrent syncs of different
	// origins do not overwrite each other.
	keyLocalStorage = "localStorage"
)

// snapshot is a session split into the pieces stored in Redis. It is what a
// store remembers of a session it handed out (the session's StoreState), so
// that Save sends only what changed.
type snapshot struct {
	version   uint64 // the session's Version when taken
	createdAt int64
	lastUsed  int64
	order     []string          // data keys in order, createdAt/lastUsed included
	data      map[string]string // raw JSON per data key, createdAt/lastUsed excluded (and localStorage when lsObj)
	lsObj     bool              // localStorage is an object, kept in ls/lsOrder
	lsOrder   []string
	ls        map[string]string // origin -> raw entry
	jar       string            // jar header JSON (no cookies)
	cookies   []storedCookie    // in jar order
	byField   map[string]string // cookie field -> cookie JSON
}

type storedCookie struct {
	field string // JSON [domain, path, key]
	json  string
}

// encodeKey returns the JSON form of a string, as kept in the order lists.
// It escapes only what JSON requires ('"', '\\' and control characters), so
// it is fast and deterministic; order lists are only ever compared with
// strings made by this same function.
func encodeKey(k string) string {
	return string(appendJSONString(make([]byte, 0, len(k)+2), k))
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// cookieField names a cookie in the cookie hash: JSON [domain, path, key],
// unambiguous whatever the three strings hold.
func cookieField(domain, path, key string) string {
	b := make([]byte, 0, len(domain)+len(path)+len(key)+10)
	b = append(b, '[')
	b = appendJSONString(b, domain)
	b = append(b, ',')
	b = appendJSONString(b, path)
	b = append(b, ',')
	b = appendJSONString(b, key)
	return string(append(b, ']'))
}

// parseSerialized splits a .rhfsession text (as session.Serialize writes it)
// into a snapshot. createdAt and lastUsed fall back to the given values when
// the data holds no number for them.
func parseSerialized(b []byte, createdAt, lastUsed time.Time) (*snapshot, error) {
	var top struct {
		Data json.RawMessage `json:"data"`
		Jar  *string         `json:"serializedCookieJar"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("%w: %v", store.ErrCorrupted, err)
	}
	if len(top.Data) == 0 || top.Jar == nil {
		return nil, fmt.Errorf("%w: data or serializedCookieJar missing", store.ErrCorrupted)
	}
	snap := &snapshot{
		createdAt: createdAt.UnixMilli(),
		lastUsed:  lastUsed.UnixMilli(),
		data:      make(map[string]string),
		byField:   make(map[string]string),
	}
	dec := json.NewDecoder(bytes.NewReader(top.Data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: data is not an object", store.ErrCorrupted)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: data: %v", store.ErrCorrupted, err)
		}
		k, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: data.%s: %v", store.ErrCorrupted, k, err)
		}
		if contains(snap.order, k) {
			continue // a duplicate key: the first one wins
		}
		switch k {
		case keyCreatedAt:
			if ms, ok := millis(raw); ok {
				snap.createdAt = ms
			}
		case keyLocalStorage:
			if order, members, ok := objectMembers(raw); ok {
				snap.lsObj, snap.lsOrder, snap.ls = true, order, members
				break
			}
			var c bytes.Buffer
			if err := json.Compact(&c, raw); err != nil {
				return nil, fmt.Errorf("%w: data.%s: %v", store.ErrCorrupted, k, err)
			}
			snap.data[k] = c.String()
		case keyLastUsed:
			if ms, ok := millis(raw); ok {
				snap.lastUsed = ms
			}
		default:
			var c bytes.Buffer
			if err := json.Compact(&c, raw); err != nil {
				return nil, fmt.Errorf("%w: data.%s: %v", store.ErrCorrupted, k, err)
			}
			snap.data[k] = c.String()
		}
		snap.order = append(snap.order, k)
	}
	if !contains(snap.order, keyCreatedAt) {
		snap.order = append([]string{keyCreatedAt}, snap.order...)
	}
	if !contains(snap.order, keyLastUsed) {
		snap.order = append([]string{keyLastUsed}, snap.order...)
	}

	var jar map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*top.Jar), &jar); err != nil {
		return nil, fmt.Errorf("%w: serializedCookieJar: %v", store.ErrCorrupted, err)
	}
	var cookies []json.RawMessage
	if raw, ok := jar["cookies"]; ok {
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return nil, fmt.Errorf("%w: serializedCookieJar.cookies: %v", store.ErrCorrupted, err)
		}
	}
	delete(jar, "cookies")
	hdr, err := json.Marshal(jar)
	if err != nil {
		return nil, fmt.Errorf("%w: serializedCookieJar: %v", store.ErrCorrupted, err)
	}
	snap.jar = string(hdr)
	for _, raw := range cookies {
		var id struct {
			Key    *string `json:"key"`
			Domain *string `json:"domain"`
			Path   *string `json:"path"`
		}
		if err := json.Unmarshal(raw, &id); err != nil {
			return nil, fmt.Errorf("%w: cookie: %v", store.ErrCorrupted, err)
		}
		f := cookieField(deref(id.Domain), deref(id.Path), deref(id.Key))
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return nil, fmt.Errorf("%w: cookie: %v", store.ErrCorrupted, err)
		}
		if _, dup := snap.byField[f]; dup {
			// Same identity twice: the later one wins, as a Put would.
			for i := range snap.cookies {
				if snap.cookies[i].field == f {
					snap.cookies[i].json = c.String()
				}
			}
		} else {
			snap.cookies = append(snap.cookies, storedCookie{field: f, json: c.String()})
		}
		snap.byField[f] = c.String()
	}
	return snap, nil
}

// objectMembers splits a JSON object into its member names, in order, and
// their compact raw values; ok is false when raw is not an object.
func objectMembers(raw []byte) (order []string, members map[string]string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	members = make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			return nil, nil, false
		}
		if _, dup := members[k]; !dup {
			order = append(order, k)
		}
		members[k] = c.String()
	}
	return order, members, true
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// millis reads a JSON number as epoch milliseconds.
func millis(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// encodeOrder renders an order list as stored in the "o" field.
func encodeOrder(order []string) string {
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = encodeKey(k)
	}
	return strings.Join(parts, ",")
}

// hashFields returns the session hash as field/value pairs (a fresh write).
func (s *snapshot) hashFields() []any {
	out := make([]any, 0, 8+2*len(s.data))
	out = append(out,
		fieldCreatedAt, strconv.FormatInt(s.createdAt, 10),
		fieldLastUsed, strconv.FormatInt(s.lastUsed, 10),
		fieldOrder, encodeOrder(s.order),
		fieldJar, s.jar,
		fieldSeq, strconv.Itoa(len(s.cookies)),
	)
	for _, k := range s.order {
		if v, ok := s.data[k]; ok {
			out = append(out, dataPrefix+k, v)
		}
	}
	if s.lsObj {
		out = append(out, fieldLSOrder, encodeOrder(s.lsOrder))
		for _, o := range s.lsOrder {
			out = append(out, lsPrefix+o, s.ls[o])
		}
	}
	return out
}

// cookieFields returns the cookie hash as field/value pairs, each value
// "<seq> <json>" with seq the cookie's position from 1.
func (s *snapshot) cookieFields() []any {
	out := make([]any, 0, 2*len(s.cookies))
	for i, c := range s.cookies {
		out = append(out, c.field, strconv.Itoa(i+1)+" "+c.json)
	}
	return out
}

// errCorrupt builds an error wrapping store.ErrCorrupted.
func errCorrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrCorrupted, fmt.Sprintf(format, args...))
}

// fromHashes rebuilds a snapshot and the .rhfsession text from the two
// hashes as read from Redis (flat field/value lists). Anything malformed
// gives an error wrapping store.ErrCorrupted.
func fromHashes(sHash, cHash []string) (*snapshot, []byte, error) {
	if len(sHash)%2 != 0 || len(cHash)%2 != 0 {
		return nil, nil, errCorrupt("odd hash reply")
	}
	snap := &snapshot{data: make(map[string]string), byField: make(map[string]string)}
	var haveC, haveU, haveO, haveJ bool
	var order, lsOrder string
	for i := 0; i < len(sHash); i += 2 {
		f, v := sHash[i], sHash[i+1]
		var err error
		switch {
		case f == fieldCreatedAt:
			snap.createdAt, err = strconv.ParseInt(v, 10, 64)
			haveC = true
		case f == fieldLastUsed:
			snap.lastUsed, err = strconv.ParseInt(v, 10, 64)
			haveU = true
		case f == fieldOrder:
			order, haveO = v, true
		case f == fieldJar:
			snap.jar, haveJ = v, true
		case f == fieldLSOrder:
			lsOrder, snap.lsObj = v, true
		case strings.HasPrefix(f, lsPrefix):
			if !json.Valid([]byte(v)) {
				return nil, nil, errCorrupt("localStorage[%q] is not JSON", f[len(lsPrefix):])
			}
			if snap.ls == nil {
				snap.ls = make(map[string]string)
			}
			snap.ls[f[len(lsPrefix):]] = v
		case strings.HasPrefix(f, dataPrefix):
			k := f[len(dataPrefix):]
			if k == keyCreatedAt || k == keyLastUsed {
				return nil, nil, errCorrupt("data field %q", f)
			}
			if !json.Valid([]byte(v)) {
				return nil, nil, errCorrupt("data.%s is not JSON", k)
			}
			snap.data[k] = v
		}
		if err != nil {
			return nil, nil, errCorrupt("field %s: %v", f, err)
		}
	}
	if !haveC || !haveU || !haveO || !haveJ {
		return nil, nil, errCorrupt("session hash lacks createdAt, lastUsed, order or jar")
	}
	if snap.lsObj {
		if _, dup := snap.data[keyLocalStorage]; dup {
			return nil, nil, errCorrupt("localStorage stored twice")
		}
		var err error
		if snap.lsOrder, err = decodeOrder(lsOrder, func(k string) bool { _, ok := snap.ls[k]; return ok }); err != nil {
			return nil, nil, err
		}
		if snap.ls == nil {
			snap.ls = make(map[string]string)
		}
		snap.lsOrder = appendMissing(snap.lsOrder, snap.ls)
	} else if len(snap.ls) > 0 {
		return nil, nil, errCorrupt("localStorage entries without their order")
	}
	var err error
	snap.order, err = decodeOrder(order, func(k string) bool {
		_, isData := snap.data[k]
		return k == keyCreatedAt || k == keyLastUsed || isData || (k == keyLocalStorage && snap.lsObj)
	})
	if err != nil {
		return nil, nil, err
	}
	for _, k := range []string{keyLastUsed, keyCreatedAt} {
		if !contains(snap.order, k) {
			snap.order = append([]string{k}, snap.order...)
		}
	}
	if snap.lsObj && !contains(snap.order, keyLocalStorage) {
		snap.order = append(snap.order, keyLocalStorage)
	}
	snap.order = appendMissing(snap.order, snap.data)

	if h := strings.TrimSpace(snap.jar); len(h) < 2 || h[0] != '{' || h[len(h)-1] != '}' || !json.Valid([]byte(h)) {
		return nil, nil, errCorrupt("jar header is not a JSON object")
	}

	// Cookies go back in the jar's own order: the sequence number each got
	// when first stored (a changed cookie keeps its number).
	type sortable struct {
		storedCookie
		seq int64
	}
	cs := make([]sortable, 0, len(cHash)/2)
	for i := 0; i < len(cHash); i += 2 {
		f, v := cHash[i], cHash[i+1]
		sp := strings.IndexByte(v, ' ')
		if sp < 0 {
			return nil, nil, errCorrupt("cookie %s: no sequence number", f)
		}
		seq, err := strconv.ParseInt(v[:sp], 10, 64)
		if err != nil {
			return nil, nil, errCorrupt("cookie %s: sequence: %v", f, err)
		}
		js := v[sp+1:]
		// Neither is the cookie decoded here (that would cost a decode per
		// cookie on every Get): session.Deserialize checks the rebuilt jar,
		// and a field that does not match its cookie's domain, path and key
		// heals itself at the next Save of that cookie.
		if len(js) < 2 || js[0] != '{' || js[len(js)-1] != '}' {
			return nil, nil, errCorrupt("cookie %s is not a JSON object", f)
		}
		cs = append(cs, sortable{storedCookie{f, js}, seq})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].seq != cs[j].seq {
			return cs[i].seq < cs[j].seq
		}
		return cs[i].field < cs[j].field
	})
	for _, c := range cs {
		snap.cookies = append(snap.cookies, c.storedCookie)
		snap.byField[c.field] = c.json
	}
	return snap, snap.serialize(), nil
}

// decodeOrder reads an order list, keeping the first occurrence of each
// name that keep accepts.
func decodeOrder(list string, keep func(string) bool) ([]string, error) {
	var names []string
	if fast, ok := splitSimpleOrder(list); ok {
		names = fast
	} else if err := json.Unmarshal([]byte("["+list+"]"), &names); err != nil {
		return nil, errCorrupt("order list: %v", err)
	}
	out := names[:0]
	seen := make(map[string]bool, len(names))
	for _, k := range names {
		if !seen[k] && keep(k) {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// splitSimpleOrder splits an order list whose names need no escapes (the
// usual case) without a JSON decoder; ok is false for anything else.
func splitSimpleOrder(list string) ([]string, bool) {
	if list == "" {
		return nil, true
	}
	if strings.IndexByte(list, '\\') >= 0 || len(list) < 2 || list[0] != '"' || list[len(list)-1] != '"' {
		return nil, false
	}
	names := strings.Split(list[1:len(list)-1], `","`)
	for _, n := range names {
		if strings.IndexByte(n, '"') >= 0 {
			return nil, false
		}
		for i := 0; i < len(n); i++ {
			if n[i] < 0x20 {
				return nil, false
			}
		}
	}
	return names, true
}

// appendMissing appends, sorted, the keys of m that order lacks.
func appendMissing(order []string, m map[string]string) []string {
	var extra []string
	for k := range m {
		if !contains(order, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(order, extra...)
}

// serialize renders the snapshot as .rhfsession text.
func (s *snapshot) serialize() []byte {
	size := 64 + len(s.jar)
	for _, v := range s.data {
		size += len(v) + 16
	}
	for _, v := range s.ls {
		size += len(v) + 32
	}
	for _, c := range s.cookies {
		size += len(c.json) * 5 / 4
	}
	var b bytes.Buffer
	b.Grow(size * 5 / 4)
	b.WriteString(`{"data":{`)
	for i, k := range s.order {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(encodeKey(k))
		b.WriteByte(':')
		switch {
		case k == keyCreatedAt:
			b.WriteString(strconv.FormatInt(s.createdAt, 10))
		case k == keyLastUsed:
			b.WriteString(strconv.FormatInt(s.lastUsed, 10))
		case k == keyLocalStorage && s.lsObj:
			b.WriteByte('{')
			for j, o := range s.lsOrder {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(encodeKey(o))
				b.WriteByte(':')
				b.WriteString(s.ls[o])
			}
			b.WriteByte('}')
		default:
			b.WriteString(s.data[k])
		}
	}
	b.WriteString(`},"serializedCookieJar":`)
	var jar strings.Builder
	jar.Grow(size)
	hdr := strings.TrimSpace(s.jar)
	jar.WriteString(hdr[:len(hdr)-1]) // drop the closing brace
	if hdr != "{}" {
		jar.WriteByte(',')
	}
	jar.WriteString(`"cookies":[`)
	for i, c := range s.cookies {
		if i > 0 {
			jar.WriteByte(',')
		}
		jar.WriteString(c.json)
	}
	jar.WriteString("]}")
	out := appendJSONString(b.Bytes(), jar.String())
	return append(out, '}')
}

// localStorage modes of a Save.
const (
	lsKeep = ""     // unchanged form
	lsObj  = "obj"  // localStorage becomes an object kept per origin
	lsDrop = "drop" // localStorage is no longer an object: drop its entries
)

// changes is what Save sends: the difference between two snapshots.
type changes struct {
	createdAt, lastUsed *int64
	jar                 *string
	dataSet             []string // keys, in the new order
	dataDel             []string
	cookieSet           []storedCookie // in the new jar order
	cookieDel           []string
	lsMode              string
	lsSet, lsDel        []string // origins
}

func diff(old, cur *snapshot) changes {
	var ch changes
	if old == nil {
		old = &snapshot{createdAt: math.MinInt64, lastUsed: math.MinInt64}
	}
	if cur.createdAt != old.createdAt {
		v := cur.createdAt
		ch.createdAt = &v
	}
	if cur.lastUsed != old.lastUsed {
		v := cur.lastUsed
		ch.lastUsed = &v
	}
	if cur.jar != old.jar {
		v := cur.jar
		ch.jar = &v
	}
	for _, k := range cur.order {
		v, ok := cur.data[k]
		if !ok {
			continue
		}
		if ov, had := old.data[k]; !had || ov != v {
			ch.dataSet = append(ch.dataSet, k)
		}
	}
	for _, k := range old.order {
		if _, had := old.data[k]; !had {
			continue
		}
		if _, ok := cur.data[k]; !ok && !(k == keyLocalStorage && cur.lsObj) {
			ch.dataDel = append(ch.dataDel, k)
		}
	}
	switch {
	case cur.lsObj:
		if !old.lsObj {
			ch.lsMode = lsObj
		}
		for _, o := range cur.lsOrder {
			if ov, had := old.ls[o]; !old.lsObj || !had || ov != cur.ls[o] {
				ch.lsSet = append(ch.lsSet, o)
			}
		}
		if old.lsObj {
			for _, o := range old.lsOrder {
				if _, ok := cur.ls[o]; !ok {
					ch.lsDel = append(ch.lsDel, o)
				}
			}
		}
	case old.lsObj:
		ch.lsMode = lsDrop
	}
	for _, c := range cur.cookies {
		if ov, had := old.byField[c.field]; !had || ov != c.json {
			ch.cookieSet = append(ch.cookieSet, c)
		}
	}
	for _, c := range old.cookies {
		if _, ok := cur.byField[c.field]; !ok {
			ch.cookieDel = append(ch.cookieDel, c.field)
		}
	}
	return ch
}

func (c *changes) empty() bool {
	return c.createdAt == nil && c.lastUsed == nil && c.jar == nil &&
		len(c.dataSet) == 0 && len(c.dataDel) == 0 && len(c.cookieSet) == 0 && len(c.cookieDel) == 0 &&
		c.lsMode == lsKeep && len(c.lsSet) == 0 && len(c.lsDel) == 0
}
