package cookiejar

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/publicsuffix"
)

// maxSetCookieBytes is testcafe-hammerhead's BYTES_PER_COOKIE_LIMIT: a
// Set-Cookie string longer than this is ignored.
const maxSetCookieBytes = 4096

// entry is one stored cookie with the values the lookups need precomputed.
type entry struct {
	c     Cookie
	seq   uint64  // creation order (tough-cookie's creationIndex)
	exp   float64 // expiry in epoch ms (+Inf: never, -Inf: already)
	creMs int64   // creation in epoch ms, MaxInt64 when unknown
	// pathLn is the byte length of the path. tough-cookie sorts by its
	// JavaScript length, but the cookies sorted together all path-match
	// one request path, so each path is a prefix of it ending on a
	// character boundary, and both lengths order them alike.
	pathLn int
}

func newEntry(c Cookie) *entry {
	e := &entry{c: c}
	e.refresh()
	return e
}

func (e *entry) refresh() {
	e.exp = e.c.expiry()
	e.creMs = math.MaxInt64
	if !e.c.Creation.IsZero() {
		e.creMs = e.c.Creation.UnixMilli()
	}
	e.pathLn = len(e.c.Path)
}

// Jar is a concurrency-safe RFC 6265 cookie jar.
//
// Its zero value is not usable; create one with New or Decode.
type Jar struct {
	now func() time.Time
	psl PublicSuffixList

	mu                   sync.Mutex
	rejectPublicSuffixes bool
	enableLooseMode      bool
	byDomain             map[string][]*entry
	n                    int
	nextSeq              uint64
	scratch              []*entry
	expired              []*entry
	regHost, regValue    string // registrableCached's cache

	version atomic.Uint64
}

// New returns an empty jar.
func New(o *Options) *Jar {
	j := &Jar{
		now:                  time.Now,
		psl:                  publicsuffix.List,
		rejectPublicSuffixes: true,
		byDomain:             make(map[string][]*entry),
	}
	if o != nil {
		if o.Now != nil {
			j.now = o.Now
		}
		if o.PublicSuffixList != nil {
			j.psl = o.PublicSuffixList
		}
	}
	return j
}

// clock returns now as a JavaScript Date would hold it: UTC, milliseconds.
func (j *Jar) clock() time.Time {
	return j.now().UTC().Truncate(time.Millisecond)
}

// RejectPublicSuffixes reports whether the jar rejects Domain attributes
// that are public suffixes (tough-cookie's rejectPublicSuffixes; true for a
// new jar, read from the serialized form by Decode).
func (j *Jar) RejectPublicSuffixes() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.rejectPublicSuffixes
}

// find returns the index of the cookie (domain, path, key) in its domain
// list, or -1.
func (j *Jar) find(domain, path, key string) int {
	for i, e := range j.byDomain[domain] {
		if e.c.Path == path && e.c.Key == key {
			return i
		}
	}
	return -1
}

// insert stores e. A cookie with the same domain, path and key is replaced;
// with keepPos the new cookie takes over its place in creation order,
// otherwise it goes last.
func (j *Jar) insert(e *entry, keepPos bool) {
	d := e.c.Domain
	list := j.byDomain[d]
	if i := j.find(d, e.c.Path, e.c.Key); i >= 0 {
		if keepPos {
			e.seq = list[i].seq
			list[i] = e
			j.version.Add(1)
			return
		}
		j.removeAt(d, i)
		list = j.byDomain[d]
	}
	j.nextSeq++
	e.seq = j.nextSeq
	j.byDomain[d] = append(list, e)
	j.n++
	j.version.Add(1)
}

// insertDecoded inserts decoded cookies in order, as insert(e, false)
// would one by one. When they span few domains, the per-domain lists are
// cut from one backing array instead of growing one by one.
func (j *Jar) insertDecoded(cookies []entry) {
	const maxDomains = 16
	var doms [maxDomains]string
	var counts [maxDomains]int
	nd, last := 0, 0
	for i := range cookies {
		d := cookies[i].c.Domain
		if nd > 0 && doms[last] == d {
			counts[last]++
			continue
		}
		k := 0
		for k < nd && doms[k] != d {
			k++
		}
		if k == nd {
			if nd == maxDomains || len(j.byDomain[d]) > 0 {
				nd = -1
				break
			}
			doms[k] = d
			nd++
		}
		counts[k]++
		last = k
	}
	if nd > 0 {
		backing := make([]*entry, len(cookies))
		off := 0
		for k := 0; k < nd; k++ {
			j.byDomain[doms[k]] = backing[off : off : off+counts[k]]
			off += counts[k]
		}
	}
	for i := range cookies {
		e := &cookies[i]
		e.refresh()
		j.insert(e, false)
	}
}

func (j *Jar) removeAt(domain string, i int) {
	list := j.byDomain[domain]
	copy(list[i:], list[i+1:])
	list[len(list)-1] = nil
	list = list[:len(list)-1]
	if len(list) == 0 {
		delete(j.byDomain, domain)
	} else {
		j.byDomain[domain] = list
	}
	j.n--
	j.version.Add(1)
}

func (j *Jar) removeEntry(e *entry) {
	for i, x := range j.byDomain[e.c.Domain] {
		if x == e {
			j.removeAt(e.c.Domain, i)
			return
		}
	}
}

// requestHost returns the canonical host of u, or "" when it has none.
func requestHost(u *url.URL) string {
	if u == nil {
		return ""
	}
	return canonicalHost(u.Hostname())
}

// store applies RFC 6265 section 5.3 (as tough-cookie's setCookie and
// hammerhead do) to a parsed cookie received from host/reqPath, and stores
// it. It reports whether the cookie is now in the jar. j.mu must be held.
func (j *Jar) store(host, reqPath string, c *Cookie, now time.Time) bool {
	if hasControl(c.Key) || hasControl(c.Value) || c.Key == "" && c.Value == "" {
		return false
	}
	// hammerhead: Domain=localhost / Domain=127.0.0.1 sent by that host
	// makes a host-only cookie (extended to every IP literal).
	if c.Domain != "" && c.Domain == host && isLocalHost(host) {
		c.Domain = ""
	}
	if c.Domain != "" {
		d := toLowerASCII(strings.TrimPrefix(jsTrim(c.Domain), "."))
		for i := 0; i < len(d); i++ {
			if d[i] >= 0x80 {
				return false // never matches a (punycode) request host
			}
		}
		if d == "" {
			return false
		}
		if j.rejectPublicSuffixes && isPublicSuffix(j.psl, d) {
			return false
		}
		if !domainMatch(host, d) {
			return false
		}
		c.Domain = d
		if c.HostOnly == nil {
			c.HostOnly = ptrBool(false)
		}
	} else {
		c.HostOnly = ptrBool(true)
		c.Domain = host
	}
	if c.Path == "" || c.Path[0] != '/' {
		c.Path = defaultPath(reqPath)
		c.PathIsDefault = true
	}
	// prefixSecurity "silent": a bad __Secure-/__Host- cookie is dropped.
	if strings.HasPrefix(c.Key, "__Secure-") && !c.Secure {
		return false
	}
	if strings.HasPrefix(c.Key, "__Host-") && !(c.Secure && *c.HostOnly && c.Path == "/") {
		return false
	}
	idx := j.find(c.Domain, c.Path, c.Key)
	if idx >= 0 {
		c.Creation = j.byDomain[c.Domain][idx].c.Creation
	} else {
		c.Creation = now
	}
	c.LastAccessed = now
	e := newEntry(*c)
	if e.exp <= float64(now.UnixMilli()) {
		// Already expired: tough-cookie would store it and drop it at the
		// next lookup; the net effect is a deletion.
		if idx >= 0 {
			j.removeAt(c.Domain, idx)
		}
		return false
	}
	j.insert(e, true)
	return true
}

// SetCookieStrings stores raw Set-Cookie header values received from u,
// parsed as tough-cookie does (nameless cookies, latin1 bytes, extensions
// kept). It reports how many were stored.
//
// Strings longer than 4096 bytes, unparsable ones, and cookies rejected by
// the storage rules (foreign or public-suffix Domain, bad __Secure-/__Host-
// prefix) are skipped. A cookie that is already expired deletes the stored
// cookie with the same domain, path and name and is not counted.
func (j *Jar) SetCookieStrings(u *url.URL, headers []string) int {
	host := requestHost(u)
	if host == "" || len(headers) == 0 {
		return 0
	}
	now := j.clock()
	reqPath := requestPath(u)
	n := 0
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, h := range headers {
		if len(h) > maxSetCookieBytes {
			continue
		}
		c, err := ParseSetCookie(h, now)
		if err != nil {
			continue
		}
		if j.store(host, reqPath, c, now) {
			n++
		}
	}
	return n
}

// SetCookies implements http.CookieJar. Each http.Cookie is converted
// (Name, Value, Path and Domain read as header bytes, one character per
// byte; Expires or RawExpires; MaxAge where a negative value means "delete
// now"; Secure, HttpOnly, SameSite; Partitioned and Unparsed attributes as
// extensions) and stored by the same rules as SetCookieStrings.
func (j *Jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	host := requestHost(u)
	if host == "" || len(cookies) == 0 {
		return
	}
	now := j.clock()
	reqPath := requestPath(u)
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, hc := range cookies {
		if hc == nil {
			continue
		}
		c := fromHTTPCookie(hc, now)
		j.store(host, reqPath, c, now)
	}
}

func fromHTTPCookie(hc *http.Cookie, now time.Time) *Cookie {
	c := &Cookie{Key: hc.Name, Value: hc.Value, Creation: now, Secure: hc.Secure, HttpOnly: hc.HttpOnly}
	if hc.Quoted {
		c.Value = `"` + c.Value + `"`
	}
	if strings.HasPrefix(hc.Path, "/") {
		c.Path = latin1ToUTF8(hc.Path)
	}
	if d := strings.TrimPrefix(jsTrim(hc.Domain), "."); d != "" {
		c.Domain = toLowerASCII(d)
	}
	if !hc.Expires.IsZero() {
		c.Expires = hc.Expires.UTC().Truncate(time.Second)
	} else if hc.RawExpires != "" {
		if t, ok := parseCookieDate(hc.RawExpires); ok {
			c.Expires = t
		}
	}
	switch {
	case hc.MaxAge > 0:
		c.MaxAge = ptrFloat(float64(hc.MaxAge))
	case hc.MaxAge < 0:
		c.MaxAge = ptrFloat(0)
	}
	switch hc.SameSite {
	case http.SameSiteStrictMode:
		c.SameSite = "strict"
	case http.SameSiteLaxMode:
		c.SameSite = "lax"
	case http.SameSiteNoneMode:
		c.SameSite = "none"
	}
	if hc.Partitioned {
		c.Extensions = append(c.Extensions, "Partitioned")
	}
	for _, a := range hc.Unparsed {
		if a = jsTrim(a); a != "" {
			c.Extensions = append(c.Extensions, a)
		}
	}
	return c
}

// registrable returns what tough-cookie's getPublicSuffix returns for a
// request host without a trailing dot (the registrable domain, with
// special-use domains allowed), or "" for null.
func (j *Jar) registrable(host string) string {
	tld := host
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		tld = host[i+1:]
		if specialUse(tld) {
			if k := strings.LastIndexByte(host[:i], '.'); k >= 0 {
				return host[k+1:]
			}
			return host
		}
	} else if tld == "localhost" || tld == "invalid" {
		return host
	}
	return pslGet(j.psl, host)
}

// registrableCached is registrable with a one-entry cache (requests come
// in runs for the same host). j.mu must be held.
func (j *Jar) registrableCached(host string) string {
	if host != j.regHost || j.regHost == "" {
		j.regHost, j.regValue = host, j.registrable(host)
	}
	return j.regValue
}

// lookup collects in j.scratch, sorted in Cookie header order, the cookies
// to send to u, removes the expired ones it meets and updates LastAccessed.
// j.mu must be held.
func (j *Jar) lookup(u *url.URL) []*entry {
	host := requestHost(u)
	j.scratch = j.scratch[:0]
	if host == "" || j.n == 0 {
		return j.scratch
	}
	now := j.clock()
	nowMs := float64(now.UnixMilli())
	path := requestPath(u)
	secure := u.Scheme == "https" || u.Scheme == "wss"
	secureKnown := secure
	j.expired = j.expired[:0]

	// Every cookie of a list has the list's domain, so the domain test is
	// made once per list: host-only cookies need the exact host, the others
	// need domainMatch(host, domain).
	collect := func(list []*entry, exact, domOK bool) {
		for _, e := range list {
			c := &e.c
			if c.HostOnly != nil && *c.HostOnly {
				if !exact {
					continue
				}
			} else if !domOK {
				continue
			}
			if !pathMatch(path, c.Path) {
				continue
			}
			if c.Secure && !secure {
				if secureKnown {
					continue
				}
				secureKnown = true
				secure = isSecureOrigin(host)
				if !secure {
					continue
				}
			}
			if e.exp <= nowMs {
				j.expired = append(j.expired, e)
				continue
			}
			j.scratch = append(j.scratch, e)
		}
	}

	if host[len(host)-1] == '.' {
		// tough-cookie's MemoryCookieStore searches the domains
		// permuteDomain gives: with a public suffix found (psl ignores
		// the trailing dot) they are all written without the dot, so
		// none of their cookies matches the host (a host-only cookie
		// needs the exact host, a domain cookie a domain ending in a
		// dot); with none, only the host itself.
		if pslGet(j.psl, host) == "" {
			collect(j.byDomain[host], true, true)
		}
	} else {
		collect(j.byDomain[host], true, true)
	}
	if !isIP(host) && host[len(host)-1] != '.' {
		reg, regKnown := "", false
		for i := 0; i < len(host); i++ {
			if host[i] != '.' {
				continue
			}
			d := host[i+1:]
			list := j.byDomain[d]
			if len(list) == 0 {
				continue
			}
			if !regKnown {
				reg, regKnown = j.registrableCached(host), true
			}
			if reg == "" || len(d) < len(reg) {
				break
			}
			collect(list, false, domainMatch(host, d))
		}
	}
	for _, e := range j.expired {
		j.removeEntry(e)
	}
	clear(j.expired)
	res := j.scratch
	if len(res) > 1 {
		slices.SortFunc(res, func(a, b *entry) int {
			if a.pathLn != b.pathLn {
				return b.pathLn - a.pathLn
			}
			if a.creMs != b.creMs {
				if a.creMs < b.creMs {
					return -1
				}
				return 1
			}
			if a.seq < b.seq {
				return -1
			}
			if a.seq > b.seq {
				return 1
			}
			return 0
		})
	}
	changed := false
	for _, e := range res {
		if !e.c.LastAccessed.Equal(now) {
			e.c.LastAccessed = now
			changed = true
		}
	}
	if changed {
		j.version.Add(1)
	}
	return res
}

// CookieHeader returns the Cookie header value to send to u ("" when none),
// exactly as tough-cookie's getCookieString builds it, and updates the
// cookies' LastAccessed.
//
// Cookies are matched by domain (host-only: exact host; domain cookies:
// domain-match), path, and Secure (sent only to https/wss, localhost and
// loopback hosts); expired cookies are skipped and removed. The order is
// longer path first, then earlier creation. A nameless cookie contributes
// its value alone.
func (j *Jar) CookieHeader(u *url.URL) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	res := j.lookup(u)
	if len(res) == 0 {
		return ""
	}
	n := 2 * (len(res) - 1)
	for _, e := range res {
		n += len(e.c.Key) + 1 + len(e.c.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for i, e := range res {
		if i > 0 {
			b.WriteString("; ")
		}
		if e.c.Key != "" {
			b.WriteString(e.c.Key)
			b.WriteByte('=')
		}
		b.WriteString(e.c.Value)
	}
	clear(j.scratch)
	return b.String()
}

// Cookies implements http.CookieJar. It returns the cookies CookieHeader
// would send, in the same order, with Name and Value set only (as the
// standard library's jar does), and updates their LastAccessed.
func (j *Jar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	res := j.lookup(u)
	if len(res) == 0 {
		return nil
	}
	backing := make([]http.Cookie, len(res))
	out := make([]*http.Cookie, len(res))
	for i, e := range res {
		backing[i].Name = e.c.Key
		backing[i].Value = e.c.Value
		out[i] = &backing[i]
	}
	clear(j.scratch)
	return out
}

// sorted returns every entry in creation order. j.mu must be held.
func (j *Jar) sorted() []*entry {
	return sortEntries(make([]*entry, 0, j.n), j.byDomain)
}

// sortedScratch is sorted in j.scratch; the caller clears it after use.
// j.mu must be held.
func (j *Jar) sortedScratch() []*entry {
	return sortEntries(j.scratch[:0], j.byDomain)
}

func sortEntries(all []*entry, byDomain map[string][]*entry) []*entry {
	for _, list := range byDomain {
		all = append(all, list...)
	}
	slices.SortFunc(all, func(a, b *entry) int {
		if a.seq < b.seq {
			return -1
		}
		if a.seq > b.seq {
			return 1
		}
		return 0
	})
	return all
}

// All returns a copy of every stored cookie (expired ones included until
// removed), in creation order.
func (j *Jar) All() []Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	all := j.sorted()
	out := make([]Cookie, len(all))
	for i, e := range all {
		out[i] = e.c.clone()
	}
	return out
}

// Put stores c as is, replacing a cookie with the same domain, path and key.
// A replaced cookie's place in creation order is kept; a new one goes last.
func (j *Jar) Put(c Cookie) {
	e := newEntry(c.clone())
	j.mu.Lock()
	defer j.mu.Unlock()
	j.insert(e, true)
}

// Remove deletes the cookie with that domain, path and key and reports
// whether it existed. The path is in Cookie.Path's UTF-8 form.
func (j *Jar) Remove(domain, path, key string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := j.find(domain, path, key)
	if i < 0 {
		return false
	}
	j.removeAt(domain, i)
	return true
}

// Len returns the number of stored cookies.
func (j *Jar) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Version is a counter that changes whenever the stored cookies change
// (added, replaced, removed, or LastAccessed updated), so that callers can
// tell whether the jar needs to be written again.
func (j *Jar) Version() uint64 {
	return j.version.Load()
}

var _ http.CookieJar = (*Jar)(nil)
