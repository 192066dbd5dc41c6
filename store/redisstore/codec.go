package redisstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/session"
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
	// cRaw and uRaw are createdAt and lastUsed as read from the hash
	// (canonical integers); empty in snapshots taken from a session.
	cRaw, uRaw string
	order      []string          // data keys in order, createdAt/lastUsed included
	data       map[string]string // raw JSON per data key, createdAt/lastUsed excluded (and localStorage when lsObj)
	lsObj      bool              // localStorage is an object, kept in ls/lsOrder
	lsOrder    []string
	ls         map[string]string // origin -> raw entry
	jar        string            // jar header JSON (no cookies)
	cookies    []storedCookie    // in jar order
	byField    map[string]int    // cookie field -> index in cookies; built on demand (see cookieMap)

	// jarOf and jarVersion are the session's jar and its Version when the
	// cookies above were taken from it (or it was built from them), so that
	// a Save with an unchanged jar encodes no cookie.
	jarOf      *cookiejar.Jar
	jarVersion uint64
}

// cookieMap returns byField, building it when needed. The snapshot must
// not be shared yet (it is guarded by its state's mutex afterwards).
func (s *snapshot) cookieMap() map[string]int {
	if s.byField == nil {
		s.byField = make(map[string]int, len(s.cookies))
		for i, c := range s.cookies {
			s.byField[c.field] = i
		}
	}
	return s.byField
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
	return string(appendCookieField(make([]byte, 0, len(domain)+len(path)+len(key)+10), domain, path, key))
}

// appendCookieField appends cookieField's name to b.
func appendCookieField(b []byte, domain, path, key string) []byte {
	b = append(b, '[')
	b = appendJSONString(b, domain)
	b = append(b, ',')
	b = appendJSONString(b, path)
	b = append(b, ',')
	b = appendJSONString(b, key)
	return append(b, ']')
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

// fromHashes rebuilds a snapshot from the two hashes as read from Redis
// (flat field/value lists); it keeps substrings of them. Anything malformed
// gives an error wrapping store.ErrCorrupted. Data values and cookies are
// checked when the session is assembled from the snapshot (assemble).
func fromHashes(sHash, cHash []string) (*snapshot, error) {
	if len(sHash)%2 != 0 || len(cHash)%2 != 0 {
		return nil, errCorrupt("odd hash reply")
	}
	snap := &snapshot{data: make(map[string]string, len(sHash)/2)}
	var haveC, haveU, haveO, haveJ bool
	var order, lsOrder string
	for i := 0; i < len(sHash); i += 2 {
		f, v := sHash[i], sHash[i+1]
		var err error
		switch {
		case f == fieldCreatedAt:
			snap.createdAt, err = strconv.ParseInt(v, 10, 64)
			snap.cRaw, haveC = v, true
		case f == fieldLastUsed:
			snap.lastUsed, err = strconv.ParseInt(v, 10, 64)
			snap.uRaw, haveU = v, true
		case f == fieldOrder:
			order, haveO = v, true
		case f == fieldJar:
			snap.jar, haveJ = v, true
		case f == fieldLSOrder:
			lsOrder, snap.lsObj = v, true
		case strings.HasPrefix(f, lsPrefix):
			if !validJSON(v) {
				return nil, errCorrupt("localStorage[%q] is not JSON", f[len(lsPrefix):])
			}
			if snap.ls == nil {
				snap.ls = make(map[string]string)
			}
			snap.ls[f[len(lsPrefix):]] = v
		case strings.HasPrefix(f, dataPrefix):
			k := f[len(dataPrefix):]
			if k == keyCreatedAt || k == keyLastUsed {
				return nil, errCorrupt("data field %q", f)
			}
			snap.data[k] = v
		}
		if err != nil {
			return nil, errCorrupt("field %s: %v", f, err)
		}
	}
	if !haveC || !haveU || !haveO || !haveJ {
		return nil, errCorrupt("session hash lacks createdAt, lastUsed, order or jar")
	}
	if snap.lsObj {
		if _, dup := snap.data[keyLocalStorage]; dup {
			return nil, errCorrupt("localStorage stored twice")
		}
		var err error
		if snap.lsOrder, err = decodeOrder(lsOrder, func(k string) bool { _, ok := snap.ls[k]; return ok }); err != nil {
			return nil, err
		}
		if snap.ls == nil {
			snap.ls = make(map[string]string)
		}
		snap.lsOrder = appendMissing(snap.lsOrder, snap.ls)
	} else if len(snap.ls) > 0 {
		return nil, errCorrupt("localStorage entries without their order")
	}
	var err error
	snap.order, err = decodeOrder(order, func(k string) bool {
		_, isData := snap.data[k]
		return k == keyCreatedAt || k == keyLastUsed || isData || (k == keyLocalStorage && snap.lsObj)
	})
	if err != nil {
		return nil, err
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

	if h := strings.TrimSpace(snap.jar); len(h) < 2 || h[0] != '{' || !validJSON(h) {
		return nil, errCorrupt("jar header is not a JSON object")
	}

	// Cookies go back in the jar's own order: the sequence number each got
	// when first stored (a changed cookie keeps its number).
	seqs := make([]int64, 0, len(cHash)/2)
	snap.cookies = make([]storedCookie, 0, len(cHash)/2)
	for i := 0; i < len(cHash); i += 2 {
		f, v := cHash[i], cHash[i+1]
		sp := strings.IndexByte(v, ' ')
		if sp < 0 {
			return nil, errCorrupt("cookie %s: no sequence number", f)
		}
		seq, err := strconv.ParseInt(v[:sp], 10, 64)
		if err != nil {
			return nil, errCorrupt("cookie %s: sequence: %v", f, err)
		}
		js := v[sp+1:]
		// The cookie is decoded with the others when the jar is built (see
		// assemble); a field that does not match its cookie's domain, path
		// and key heals itself at the next Save of that cookie.
		if len(js) < 2 || js[0] != '{' || js[len(js)-1] != '}' {
			return nil, errCorrupt("cookie %s is not a JSON object", f)
		}
		// Insertion sort by (seq, field): few cookies, mostly in order
		// already (a listpack hash keeps insertion order).
		j := len(seqs)
		seqs = append(seqs, seq)
		snap.cookies = append(snap.cookies, storedCookie{f, js})
		for j > 0 && (seqs[j-1] > seq || (seqs[j-1] == seq && snap.cookies[j-1].field > f)) {
			seqs[j], snap.cookies[j] = seqs[j-1], snap.cookies[j-1]
			j--
		}
		seqs[j], snap.cookies[j] = seq, storedCookie{f, js}
	}
	return snap, nil
}

// flatten returns a hash as a field/value list.
func flatten(m map[string]string) []string {
	out := make([]string, 0, 2*len(m))
	for f, v := range m {
		out = append(out, f, v)
	}
	return out
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
	// Cookies mostly keep their places: compare them pairwise, and look
	// names up only past the first difference of order.
	same := len(cur.cookies) == len(old.cookies)
	for i, c := range cur.cookies {
		if same && old.cookies[i].field == c.field {
			if old.cookies[i].json != c.json {
				ch.cookieSet = append(ch.cookieSet, c)
			}
			continue
		}
		same = false
		if k, had := old.cookieMap()[c.field]; !had || old.cookies[k].json != c.json {
			ch.cookieSet = append(ch.cookieSet, c)
		}
	}
	if !same {
		for _, c := range old.cookies {
			if _, ok := cur.cookieMap()[c.field]; !ok {
				ch.cookieDel = append(ch.cookieDel, c.field)
			}
		}
	}
	return ch
}

func (c *changes) empty() bool {
	return c.createdAt == nil && c.lastUsed == nil && c.jar == nil &&
		len(c.dataSet) == 0 && len(c.dataDel) == 0 && len(c.cookieSet) == 0 && len(c.cookieDel) == 0 &&
		c.lsMode == lsKeep && len(c.lsSet) == 0 && len(c.lsDel) == 0
}

// jarPool holds the buffers in which assemble joins a jar's JSON for
// cookiejar.Decode, which keeps no reference to them.
var jarPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// assemble builds the session a snapshot stands for: the jar's JSON is
// joined from its header and cookies and decoded, and the data members go
// to session.Assemble, which checks them as Deserialize would. Errors wrap
// store.ErrCorrupted. It records the jar in the snapshot (jarOf).
func assemble(id string, snap *snapshot, o *session.Options, jo *cookiejar.Options) (*session.Session, error) {
	bp := jarPool.Get().(*[]byte)
	b := appendJarJSON((*bp)[:0], snap)
	jar, err := cookiejar.Decode(b, jo)
	if cap(b) <= 1<<16 {
		*bp = b[:0]
		jarPool.Put(bp)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: serializedCookieJar: %w", store.ErrCorrupted, err)
	}
	var buf [16][2]string
	data := buf[:0]
	if len(snap.order) > len(buf) {
		data = make([][2]string, 0, len(snap.order))
	}
	for _, k := range snap.order {
		var v string
		switch {
		case k == keyCreatedAt:
			v = canonInt(snap.cRaw, snap.createdAt)
		case k == keyLastUsed:
			v = canonInt(snap.uRaw, snap.lastUsed)
		case k == keyLocalStorage && snap.lsObj:
			v = snap.lsJSON()
		default:
			v = snap.data[k]
		}
		data = append(data, [2]string{k, v})
	}
	sess, err := session.Assemble(id, data, jar, o)
	if err != nil {
		if !errors.Is(err, store.ErrCorrupted) {
			err = fmt.Errorf("%w: %w", store.ErrCorrupted, err)
		}
		return nil, err
	}
	snap.version = sess.Version()
	snap.jarOf, snap.jarVersion = jar, jar.Version()
	return sess, nil
}

// canonInt returns raw when it is the decimal form of v, else that form.
func canonInt(raw string, v int64) string {
	var b [24]byte
	if string(strconv.AppendInt(b[:0], v, 10)) == raw {
		return raw
	}
	return strconv.FormatInt(v, 10)
}

// appendJarJSON appends the jar's JSON: the header with the cookies array
// added last.
func appendJarJSON(b []byte, s *snapshot) []byte {
	hdr := strings.TrimSpace(s.jar)
	b = append(b, hdr[:len(hdr)-1]...) // drop the closing brace
	if strings.TrimSpace(hdr[1:len(hdr)-1]) != "" {
		b = append(b, ',')
	}
	b = append(b, `"cookies":[`...)
	for i, c := range s.cookies {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.json...)
	}
	return append(b, "]}"...)
}

// lsJSON joins the localStorage entries into its object.
func (s *snapshot) lsJSON() string {
	n := 2
	for _, o := range s.lsOrder {
		n += len(o) + len(s.ls[o]) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, o := range s.lsOrder {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, o)
		b = append(b, ':')
		b = append(b, s.ls[o]...)
	}
	b = append(b, '}')
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// snapshotOf takes a snapshot of a session for Save: data members as the
// session holds them (compared raw), and the cookies one by one from the
// jar's encoding. When the session's jar has not changed since prev was
// taken, prev's cookies are reused and nothing is encoded; unchanged
// strings are shared with prev.
func snapshotOf(sess *session.Session, prev *snapshot) (*snapshot, error) {
	snap := &snapshot{version: sess.Version()}
	jar := sess.Jar()
	jv := jar.Version() // before reading the cookies: a later change shows
	snap.createdAt = sess.CreatedAt().UnixMilli()
	snap.lastUsed = sess.LastUsed().UnixMilli()
	keys := sess.Keys()
	snap.order = keys[:0]
	snap.data = make(map[string]string, len(keys))
	for _, k := range keys {
		if k == keyCreatedAt || k == keyLastUsed {
			snap.order = append(snap.order, k)
			continue
		}
		raw, ok := sess.Value(k)
		if !ok {
			continue // deleted meanwhile
		}
		snap.order = append(snap.order, k)
		if k == keyLocalStorage && len(raw) > 0 && raw[0] == '{' {
			if snap.splitLocalStorage(raw, prev) {
				continue
			}
		}
		var p string
		if prev != nil {
			p = prev.data[k]
		}
		if p != "" && p == string(raw) {
			snap.data[k] = p
		} else {
			snap.data[k] = string(raw)
		}
	}
	for _, k := range []string{keyLastUsed, keyCreatedAt} {
		if !contains(snap.order, k) {
			snap.order = append([]string{k}, snap.order...)
		}
	}
	snap.jarOf, snap.jarVersion = jar, jv
	if prev != nil && prev.jarOf == jar && prev.jarVersion == jv {
		snap.jar, snap.cookies, snap.byField = prev.jar, prev.cookies, prev.byField
		return snap, nil
	}
	enc, err := jar.Encode()
	if err != nil {
		return nil, fmt.Errorf("redisstore: encoding the cookie jar: %w", err)
	}
	if err := snap.splitJar(unsafe.String(unsafe.SliceData(enc), len(enc)), prev); err != nil {
		return nil, err
	}
	return snap, nil
}

// splitLocalStorage keeps an object localStorage member by member; false
// when raw is not a valid object or repeats a name (it is then kept whole,
// so that it loads back exactly as it is).
func (s *snapshot) splitLocalStorage(raw []byte, prev *snapshot) bool {
	obj := string(raw)
	var order []string
	members := make(map[string]string)
	dup := false
	ok := forEachMember(obj, func(name, value string) {
		if _, seen := members[name]; seen {
			dup = true
			return
		}
		order = append(order, name)
		if prev != nil && prev.lsObj && prev.ls[name] == value {
			value = prev.ls[name]
		}
		members[name] = value
	})
	if !ok || dup {
		return false
	}
	s.lsObj, s.lsOrder, s.ls = true, order, members
	return true
}

// splitJar splits a jar's JSON as cookiejar encodes it (header members,
// then "cookies" last) into the header and the cookies, each named by its
// domain, path and key. Strings equal to prev's are shared with it.
func (s *snapshot) splitJar(enc string, prev *snapshot) error {
	const mark = `,"cookies":[`
	at := strings.LastIndex(enc, mark)
	if at < 0 || !strings.HasSuffix(enc, "]}") {
		return fmt.Errorf("redisstore: unexpected cookie jar encoding")
	}
	s.jar = enc[:at] + "}"
	if prev != nil && prev.jar == s.jar {
		s.jar = prev.jar
	}
	arr := enc[at+len(mark)-1 : len(enc)-1]
	var old map[string]int
	if prev != nil {
		old = prev.cookieMap()
	}
	var scratch [256]byte
	i := 1
	if arr == "[]" {
		return nil
	}
	for {
		end, ok := skipValue(arr, i, 1)
		if !ok || arr[i] != '{' {
			return fmt.Errorf("redisstore: unexpected cookie jar encoding")
		}
		js := arr[i:end]
		domain, path, key, ok := cookieIdentity(js)
		if !ok {
			return fmt.Errorf("redisstore: unexpected cookie encoding %s", js)
		}
		fb := appendCookieField(scratch[:0], domain, path, key)
		var field string
		if k, had := old[string(fb)]; had { // (no allocation for the lookup)
			field = prev.cookies[k].field
			if prev.cookies[k].json == js {
				js = prev.cookies[k].json
			}
		} else {
			field = string(fb)
		}
		s.cookies = append(s.cookies, storedCookie{field, js})
		switch {
		case end < len(arr) && arr[end] == ',':
			i = end + 1
		case end == len(arr)-1 && arr[end] == ']':
			return nil
		default:
			return fmt.Errorf("redisstore: unexpected cookie jar encoding")
		}
	}
}

// cookieIdentity reads the key, domain and path members of a cookie's
// JSON (null or absent: "").
func cookieIdentity(js string) (domain, path, key string, ok bool) {
	ok = forEachMember(js, func(name, value string) {
		var dst *string
		switch name {
		case "key":
			dst = &key
		case "domain":
			dst = &domain
		case "path":
			dst = &path
		default:
			return
		}
		*dst = ""
		if len(value) > 0 && value[0] == '"' {
			end, esc, _ := skipString(value, 0)
			*dst, _ = jsonString(value[:end], esc)
		}
	})
	return domain, path, key, ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
