// Package redisstore is a session store kept in Redis, so that many
// rammerhead instances can share their sessions. It works with a single
// server, Sentinel or Cluster (any redis.UniversalClient).
//
// # Key layout
//
// A session with id ID lives in two hashes that share the hash tag {ID}, so
// that they sit in one cluster slot and every script touches one node:
//
//	<prefix>{ID}:s  c = createdAt (epoch ms), u = lastUsed (epoch ms),
//	                o = the data keys' order (JSON strings joined by ","),
//	                j = the jar's options (tough-cookie JSON without cookies),
//	                q = cookie sequence counter,
//	                d:<key> = the raw JSON of each other data key,
//	                L = localStorage's origins in order, and l:<origin> =
//	                each origin's entry, when localStorage is an object
//	                (so that syncs of different origins do not collide)
//	<prefix>{ID}:c  one field per cookie, named by the JSON array
//	                [domain, path, key], holding "<seq> <tough-cookie JSON>"
//
// Cookies are put back in the jar's own order (creation order): each keeps
// the sequence number it got when first stored. The order of data keys and
// of localStorage origins is kept the same way.
// The import/export form is the original's .rhfsession JSON
// (session.Serialize / session.Deserialize). Get does not go through it:
// it reads both hashes (after the touch script, in one MULTI/EXEC), the
// jar is decoded from its header and cookies joined, and the data members
// go straight to session.Assemble (checked as Deserialize checks them).
//
// # Concurrent updates
//
// Stores do not keep sessions: a session returned by Get or Add remembers
// (in its StoreState) what was loaded, field by field as stored, and Save
// sends only what changed since, comparing raw strings (cookies are
// encoded only when the jar's Version moved): changed or new cookies and
// data keys are set field by field, removed
// ones deleted, in one Lua script that first checks the session still
// exists. Two instances changing different cookies or data keys of one
// session at the same time therefore both keep their changes; the same
// cookie or key changed on both sides ends with the last write.
//
// # Expiry
//
// Options.Expiry (default: idle timeout 3 days, no max age, the bundled
// server's file-sweep settings) is enforced twice: logically on every read
// against Options.Now (from the exact instant, strictly as
// store.Expiry.Expired), and by Redis, which gets a TTL on both keys equal
// to the time left until store.Expiry.ExpiresAt (the earlier of lastUsed +
// idle and createdAt + max age) by the store's clock, plus
// Options.ExpiryGrace (default 1 minute). The TTL is relative (PEXPIRE) so
// that a store clock that differs from Redis's, or a fake one in tests,
// still works; it is recomputed on every touch and Save. A session whose
// expiry is already past is deleted, never stored without a TTL; with both
// rules Disabled, or for a pinned session (data.pinned true, see
// session.SetPinned), the keys are PERSISTed and never expire. No
// goroutine sweeps anything.
//
// AddSerialized keeps the imported timestamps (it does not touch), so an
// import that is already past its expiry is not stored.
//
// # Failures
//
// Every call is bounded by its context when the client has
// ContextTimeoutEnabled (ParseURL sets it; set it on clients you build, or
// rely on their Dial/Read/WriteTimeout). Redis errors are wrapped (never
// ErrNotFound); go-redis reconnects by itself when Redis comes back.
// Stored data that cannot be loaded gives errors wrapping
// store.ErrCorrupted and is left in place (Delete removes it).
//
// # Ownership
//
// A client passed in Options.Client belongs to the caller: Close does not
// close it. A client the store made from Options.URL is closed by Close.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rammerhead-go/rammerhead/cookiejar"
	"github.com/rammerhead-go/rammerhead/session"
	"github.com/rammerhead-go/rammerhead/store"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "rh:"

// DefaultExpiry is the expiry used for zero fields of Options.Expiry: the
// bundled Rammerhead server's file-store sweep settings, 3 days idle and no
// maximum age.
var DefaultExpiry = store.Expiry{IdleTimeout: 3 * 24 * time.Hour, MaxAge: store.Disabled}

// DefaultExpiryGrace is the default Options.ExpiryGrace.
const DefaultExpiryGrace = time.Minute

// Options configures New.
type Options struct {
	// Client is the Redis client (a *redis.Client, a Sentinel failover
	// client or a *redis.ClusterClient). The store does not close it: the
	// caller owns it. Required unless URL is set.
	Client redis.UniversalClient
	// URL, used when Client is nil, is given to ParseURL; the store then
	// owns that client and closes it in Close.
	URL string
	// Prefix of every key; "" means DefaultPrefix. It must not contain '{'
	// or '}'.
	Prefix string
	// Expiry policy; zero fields take DefaultExpiry's, store.Disabled turns
	// a rule off.
	Expiry store.Expiry
	// ExpiryGrace is how long after a session's expiry Redis keeps its keys
	// before dropping them itself (0 means DefaultExpiryGrace). Reads
	// enforce the expiry exactly, from its very instant; the Redis TTL only
	// reclaims memory, and the grace keeps it from racing a read at the
	// boundary (or a store clock that runs behind Redis's).
	ExpiryGrace time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means silent.
	Logger *slog.Logger
}

// Store is a Redis-backed store.Store. It is safe for concurrent use and
// starts no goroutine.
type Store struct {
	client  redis.UniversalClient
	owned   bool
	prefix  string
	expiry  store.Expiry
	idleMS  int64
	maxMS   int64
	graceMS int64
	now     func() time.Time
	log     *slog.Logger
	sopts   *session.Options
	jopts   *cookiejar.Options

	loads, flushes, corrupted atomic.Uint64

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.Peeker        = (*Store)(nil)
	_ store.Lister        = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// contextTimeouts reports whether a go-redis client bounds calls by their
// context's deadline (false when unknown).
func contextTimeouts(c redis.UniversalClient) (bool, bool) {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled, true
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled, true
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled, true
	}
	return false, false
}

// ErrBadOptions reports invalid Options given to New or a bad URL given to
// ParseURL.
var ErrBadOptions = errors.New("redisstore: bad options")

// New returns a store using opts. It does not contact Redis.
func New(opts Options) (*Store, error) {
	s := &Store{client: opts.Client, prefix: opts.Prefix, now: opts.Now, log: opts.Logger}
	if s.client == nil {
		if opts.URL == "" {
			return nil, fmt.Errorf("%w: Client or URL is required", ErrBadOptions)
		}
		c, err := ParseURL(opts.URL)
		if err != nil {
			return nil, err
		}
		s.client, s.owned = c, true
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if strings.ContainsAny(s.prefix, "{}") {
		return nil, fmt.Errorf("%w: prefix %q contains '{' or '}'", ErrBadOptions, s.prefix)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.sopts = &session.Options{Now: s.now}
	s.jopts = &cookiejar.Options{Now: s.now}
	if on, known := contextTimeouts(s.client); known && !on {
		s.log.Warn("redisstore: the Redis client has ContextTimeoutEnabled off: calls are bounded by its Read/WriteTimeout, not by context deadlines")
	}
	s.expiry = opts.Expiry.WithDefaults(DefaultExpiry)
	for _, d := range []time.Duration{s.expiry.IdleTimeout, s.expiry.MaxAge} {
		if d < 0 && d != store.Disabled {
			return nil, fmt.Errorf("%w: negative expiry %v (use store.Disabled)", ErrBadOptions, d)
		}
	}
	switch {
	case opts.ExpiryGrace == 0:
		s.graceMS = DefaultExpiryGrace.Milliseconds()
	case opts.ExpiryGrace < 0:
		return nil, fmt.Errorf("%w: negative ExpiryGrace %v", ErrBadOptions, opts.ExpiryGrace)
	default:
		s.graceMS = max(1, opts.ExpiryGrace.Milliseconds())
	}
	if s.expiry.IdleTimeout > 0 {
		s.idleMS = max(1, s.expiry.IdleTimeout.Milliseconds())
	}
	if s.expiry.MaxAge > 0 {
		s.maxMS = max(1, s.expiry.MaxAge.Milliseconds())
	}
	return s, nil
}

// ParseURL returns a client for a URL:
//
//	redis://[user:password@]host:port[/db][?option=value...]
//	rediss://...                     (TLS)
//	unix:///path/to/redis.sock[?db=N]
//	redis://host:port?cluster=1&addr=host2:port2&addr=host3:port3
//
// Options are go-redis's (redis.ParseURL / redis.ParseClusterURL: snake_case
// field names such as dial_timeout, read_timeout, pool_size). cluster=1
// (or true) makes a cluster client seeded with the host and every addr
// parameter. The client is created with ContextTimeoutEnabled so that
// context deadlines bound every call.
func ParseURL(rawurl string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawurl)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOptions, err)
	}
	q := u.Query()
	cluster := false
	if q.Has("cluster") {
		cluster, err = strconv.ParseBool(q.Get("cluster"))
		if err != nil {
			return nil, fmt.Errorf("%w: cluster=%q", ErrBadOptions, q.Get("cluster"))
		}
		q.Del("cluster")
		u.RawQuery = q.Encode()
	}
	if cluster {
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadOptions, err)
		}
		o.ContextTimeoutEnabled = true
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOptions, err)
	}
	o.ContextTimeoutEnabled = true
	return redis.NewClient(o), nil
}

// Client returns the store's Redis client.
func (s *Store) Client() redis.UniversalClient { return s.client }

// Expiry returns the effective expiry policy.
func (s *Store) Expiry() store.Expiry { return s.expiry }

// SessionKey returns the key of a session's hash (timestamps and data).
func (s *Store) SessionKey(id string) string { return s.prefix + "{" + id + "}:s" }

// CookieKey returns the key of a session's cookie hash.
func (s *Store) CookieKey(id string) string { return s.prefix + "{" + id + "}:c" }

func (s *Store) keys(id string) []string { return []string{s.SessionKey(id), s.CookieKey(id)} }

func (s *Store) args(extra ...any) []any {
	a := make([]any, 0, 4+len(extra))
	a = append(a, strconv.FormatInt(s.now().UnixMilli(), 10), strconv.FormatInt(s.idleMS, 10),
		strconv.FormatInt(s.maxMS, 10), strconv.FormatInt(s.graceMS, 10))
	return append(a, extra...)
}

func (s *Store) check(id string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return session.ValidateID(id)
}

func (s *Store) redisErr(op, id string, err error) error {
	return fmt.Errorf("redisstore: %s %s: %w", op, id, err)
}

// state is what a session remembers of its last load or save (its
// StoreState). mu serializes Saves of one *session.Session.
type state struct {
	mu   sync.Mutex
	snap *snapshot
}

func (s *Store) sessionOptions() *session.Options { return s.sopts }

// Keys returns the ids of every live session, scanning (SCAN MATCH, COUNT
// 1000, never KEYS) every master of a cluster. Sessions past their expiry
// by the store's clock (and not pinned) are left out.
func (s *Store) Keys(ctx context.Context) ([]string, error) {
	return s.scanKeys(ctx, true)
}

// AllKeys returns the id of every session Redis holds, those that have
// logically expired (and that Redis has not dropped yet) included
// (store.Lister).
func (s *Store) AllKeys(ctx context.Context) ([]string, error) {
	return s.scanKeys(ctx, false)
}

// scanKeys SCANs every master for session hashes; with live, sessions
// whose timestamps say they have expired are left out.
func (s *Store) scanKeys(ctx context.Context, live bool) ([]string, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	pattern := globEscape(s.prefix) + "{*}:s"
	var mu sync.Mutex
	seen := make(map[string]bool)
	var ids []string
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		var cursor uint64
		for {
			batch, next, err := c.Scan(ctx, cursor, pattern, 1000).Result()
			if err != nil {
				return err
			}
			var found []string
			if live {
				found, err = s.filterLive(ctx, c, batch)
				if err != nil {
					return err
				}
			} else {
				for _, k := range batch {
					if id, ok := s.idFromKey(k); ok {
						found = append(found, id)
					}
				}
			}
			mu.Lock()
			for _, id := range found {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			mu.Unlock()
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	var err error
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	default:
		err = scan(ctx, s.client)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: keys: %w", err)
	}
	return ids, nil
}

// filterLive maps session-hash keys to ids, dropping those whose
// timestamps say they have expired, unless pinned (one pipelined HMGET per
// key).
func (s *Store) filterLive(ctx context.Context, c redis.UniversalClient, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(keys))
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HMGet(ctx, k, fieldCreatedAt, fieldLastUsed, dataPrefix+session.KeyPinned)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	now := s.now()
	var out []string
	for i, k := range keys {
		id, ok := s.idFromKey(k)
		if !ok {
			continue
		}
		v := cmds[i].Val()
		if len(v) == 3 && v[0] == nil && v[1] == nil && v[2] == nil {
			continue // gone meanwhile
		}
		if len(v) == 3 && v[2] != "true" {
			cs, _ := v[0].(string)
			us, _ := v[1].(string)
			c, err1 := strconv.ParseInt(cs, 10, 64)
			u, err2 := strconv.ParseInt(us, 10, 64)
			if err1 == nil && err2 == nil && s.expiry.Expired(time.UnixMilli(c), time.UnixMilli(u), now) {
				continue
			}
		}
		out = append(out, id)
	}
	return out, nil
}

func (s *Store) idFromKey(k string) (string, bool) {
	rest, ok := strings.CutPrefix(k, s.prefix+"{")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "}:s")
	if !ok || session.ValidateID(id) != nil {
		return "", false
	}
	return id, true
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Has reports whether a live session exists (one round trip; an expired one
// is deleted).
func (s *Store) Has(ctx context.Context, id string) (bool, error) {
	if err := s.check(id); err != nil {
		return false, err
	}
	n, err := hasScript.Run(ctx, s.client, s.keys(id), s.args()...).Int()
	if err != nil {
		return false, s.redisErr("has", id, err)
	}
	return n == 1, nil
}

// Get loads the session in one round trip; with touch, lastUsed becomes
// now and the expiry moves on in the same transaction. Missing or expired:
// an error wrapping store.ErrNotFound. A stored session that cannot be
// loaded: an error wrapping store.ErrCorrupted (it is left in place).
func (s *Store) Get(ctx context.Context, id string, touch bool) (*session.Session, error) {
	if err := s.check(id); err != nil {
		return nil, err
	}
	t := "0"
	if touch {
		t = "1"
	}
	keys := s.keys(id)
	args := s.args(t)
	var live *redis.Cmd
	var sh, ch *redis.MapStringStringCmd
	run := func(eval bool) error {
		_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if eval {
				live = touchScript.Eval(ctx, p, keys, args...)
			} else {
				live = touchScript.EvalSha(ctx, p, keys, args...)
			}
			sh = p.HGetAll(ctx, keys[0])
			ch = p.HGetAll(ctx, keys[1])
			return nil
		})
		return err
	}
	err := run(false)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		err = run(true) // the script is not cached (yet, or any more)
	}
	if err != nil {
		return nil, s.redisErr("get", id, err)
	}
	if n, _ := live.Int(); n != 1 {
		return nil, fmt.Errorf("redisstore: get %s: %w", id, store.ErrNotFound)
	}
	return s.load(id, "get", sh.Val(), ch.Val())
}

// Peek returns the session as it is stored, without touching it or
// applying expiry: an expired session that Redis has not dropped yet is
// returned (store.Peeker). It can be saved like one from Get.
func (s *Store) Peek(ctx context.Context, id string) (*session.Session, error) {
	if err := s.check(id); err != nil {
		return nil, err
	}
	keys := s.keys(id)
	var sh, ch *redis.MapStringStringCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		sh = p.HGetAll(ctx, keys[0])
		ch = p.HGetAll(ctx, keys[1])
		return nil
	})
	if err != nil {
		return nil, s.redisErr("peek", id, err)
	}
	if len(sh.Val()) == 0 {
		return nil, fmt.Errorf("redisstore: peek %s: %w", id, store.ErrNotFound)
	}
	return s.load(id, "peek", sh.Val(), ch.Val())
}

// load builds a session from its two hashes as read.
func (s *Store) load(id, op string, sHash, cHash map[string]string) (*session.Session, error) {
	snap, err := fromHashes(flatten(sHash), flatten(cHash))
	if err == nil {
		{
			var sess *session.Session
			if sess, err = assemble(id, snap, s.sopts, s.jopts); err == nil {
				sess.SetStoreState(&state{snap: snap})
				s.loads.Add(1)
				return sess, nil
			}
		}
	}
	s.corrupted.Add(1)
	s.log.Warn("redisstore: corrupted session", "id", id, "err", err)
	return nil, fmt.Errorf("redisstore: %s %s: %w", op, id, err)
}

// Stats reports this store's counters (store.StatsReporter): sessions
// loaded (Get, Peek), written (Add, AddSerialized, Save) and found
// corrupted. It asks Redis nothing, so InMemory is 0 and OnDisk -1.
func (s *Store) Stats() store.Stats {
	return store.Stats{
		OnDisk:    -1,
		Loads:     s.loads.Load(),
		Flushes:   s.flushes.Load(),
		Corrupted: s.corrupted.Load(),
	}
}

// Add creates a fresh session (createdAt = lastUsed = now) and stores it.
// A live session with that id: an error wrapping store.ErrExists.
func (s *Store) Add(ctx context.Context, id string) (*session.Session, error) {
	if err := s.check(id); err != nil {
		return nil, err
	}
	sess := session.New(id, s.sessionOptions())
	snap, err := snapshotOf(sess, nil)
	if err != nil {
		return nil, fmt.Errorf("redisstore: add %s: %w", id, err)
	}
	n, err := s.write(ctx, id, snap, false)
	if err != nil {
		return nil, s.redisErr("add", id, err)
	}
	switch n {
	case -1:
		return nil, fmt.Errorf("redisstore: add %s: %w", id, store.ErrExists)
	case 0:
		return nil, fmt.Errorf("redisstore: add %s: expired at once (check the clock and Expiry): %w", id, store.ErrNotFound)
	}
	s.flushes.Add(1)
	sess.SetStoreState(&state{snap: snap})
	return sess, nil
}

// AddSerialized imports a .rhfsession text under id, atomically replacing
// any session with that id. Its timestamps are kept (it is not touched); a
// session already past its expiry is not stored (any previous one with that
// id is removed) and the error wraps store.ErrNotFound. Invalid text: an
// error wrapping store.ErrCorrupted, and nothing changes.
func (s *Store) AddSerialized(ctx context.Context, id string, data []byte) error {
	if err := s.check(id); err != nil {
		return err
	}
	sess, err := session.Deserialize(id, data, s.sessionOptions())
	if err != nil {
		if !errors.Is(err, store.ErrCorrupted) {
			err = fmt.Errorf("%w: %w", store.ErrCorrupted, err)
		}
		return fmt.Errorf("redisstore: import %s: %w", id, err)
	}
	snap, err := snapshotOf(sess, nil)
	if err != nil {
		return fmt.Errorf("redisstore: import %s: %w", id, err)
	}
	n, err := s.write(ctx, id, snap, true)
	if err != nil {
		return s.redisErr("import", id, err)
	}
	if n == 0 {
		s.log.Info("redisstore: imported session already expired, not stored", "id", id)
		return fmt.Errorf("redisstore: import %s: already past its expiry, not stored: %w", id, store.ErrNotFound)
	}
	s.flushes.Add(1)
	return nil
}

func (s *Store) write(ctx context.Context, id string, snap *snapshot, replace bool) (int64, error) {
	r := "0"
	if replace {
		r = "1"
	}
	hf := snap.hashFields()
	args := s.args(r, strconv.FormatInt(snap.createdAt, 10), strconv.FormatInt(snap.lastUsed, 10), strconv.Itoa(len(hf)/2))
	args = append(args, hf...)
	args = append(args, snap.cookieFields()...)
	return writeScript.Run(ctx, s.client, s.keys(id), args...).Int64()
}

// Delete removes the session and reports whether a live one existed.
func (s *Store) Delete(ctx context.Context, id string) (bool, error) {
	if err := s.check(id); err != nil {
		return false, err
	}
	n, err := deleteScript.Run(ctx, s.client, s.keys(id), s.args()...).Int()
	if err != nil {
		return false, s.redisErr("delete", id, err)
	}
	return n == 1, nil
}

// Save writes the changes made to sess since it was loaded (or last saved)
// through a store on the same Redis: only changed fields travel, applied
// atomically by one script that first checks that the session still exists
// (else an error wrapping store.ErrNotFound) and then refreshes its expiry.
// lastUsed only moves forward. Saves of one *session.Session are
// serialized; a session that did not come from a redisstore is written
// field by field over the stored one, which must exist.
func (s *Store) Save(ctx context.Context, sess *session.Session) error {
	if sess == nil {
		return fmt.Errorf("%w: nil session", ErrBadOptions)
	}
	id := sess.ID()
	if err := s.check(id); err != nil {
		return err
	}
	st, ok := sess.StoreState().(*state)
	if !ok {
		st = &state{}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	cur := st.snap
	if cur == nil || sess.Version() != cur.version {
		var err error
		cur, err = snapshotOf(sess, st.snap)
		if err != nil {
			return fmt.Errorf("redisstore: save %s: %w", id, err)
		}
	}
	ch := diff(st.snap, cur)
	args := s.args(optInt(ch.createdAt), optInt(ch.lastUsed), optStr(ch.jar),
		strconv.Itoa(len(ch.dataSet)), strconv.Itoa(len(ch.dataDel)),
		strconv.Itoa(len(ch.cookieSet)), strconv.Itoa(len(ch.cookieDel)),
		ch.lsMode, strconv.Itoa(len(ch.lsSet)), strconv.Itoa(len(ch.lsDel)))
	for _, k := range ch.dataSet {
		args = append(args, k, encodeKey(k), cur.data[k])
	}
	for _, k := range ch.dataDel {
		args = append(args, k, encodeKey(k))
	}
	for _, c := range ch.cookieSet {
		args = append(args, c.field, c.json)
	}
	for _, f := range ch.cookieDel {
		args = append(args, f)
	}
	for _, o := range ch.lsSet {
		args = append(args, o, encodeKey(o), cur.ls[o])
	}
	for _, o := range ch.lsDel {
		args = append(args, o, encodeKey(o))
	}
	n, err := saveScript.Run(ctx, s.client, s.keys(id), args...).Int()
	if err != nil {
		if strings.HasPrefix(err.Error(), "CORRUPTED") {
			return fmt.Errorf("redisstore: save %s: %w: %v", id, store.ErrCorrupted, err)
		}
		return s.redisErr("save", id, err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: save %s: %w", id, store.ErrNotFound)
	}
	st.snap = cur
	s.flushes.Add(1)
	if !ok {
		sess.SetStoreState(st)
	}
	return nil
}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Close marks the store closed (later calls return store.ErrClosed) and
// closes the Redis client only when the store created it from Options.URL;
// a client passed in Options.Client belongs to the caller. It is
// idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.owned {
			s.closeErr = s.client.Close()
		}
	})
	return s.closeErr
}
