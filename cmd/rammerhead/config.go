package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rammerhead-go/rammerhead/internal/secret"
	"github.com/rammerhead-go/rammerhead/proxy"
	"github.com/rammerhead-go/rammerhead/store"
)

// errUsage marks configuration and command-line errors: the process exits
// with status 2 after printing them.
var errUsage = errors.New("usage error")

// envPrefix is the prefix of every environment variable the binary reads.
const envPrefix = "RAMMERHEAD_"

// Store kinds accepted by --store.
const (
	storeFile   = "file"
	storeMemory = "memory"
	storeRedis  = "redis"
)

// storeSpec is a parsed --store value.
type storeSpec struct {
	Kind string // storeFile, storeMemory or storeRedis
	Dir  string // storeFile: the directory
	URL  string // storeRedis: the redis://, rediss:// or unix:// URL
}

// String returns the store as --store takes it, with any password hidden.
func (s storeSpec) String() string {
	switch s.Kind {
	case storeFile:
		return "file:" + s.Dir
	case storeMemory:
		return "memory:"
	default:
		if u, err := url.Parse(s.URL); err == nil {
			return u.Redacted()
		}
		return "redis"
	}
}

// config is the fully resolved configuration of `rammerhead serve`.
//
// Optional durations use 0 for "the store's default" and store.Disabled
// for "off".
type config struct {
	ConfigFile string

	Addr         string
	Port         int
	PublicHost   string
	PublicPort   int
	PublicScheme string

	Password            string
	ExportSecret        string
	RestrictSessionToIP bool
	TrustedProxies      []netip.Prefix

	StripRequestHeaders    []string
	RewriteResponseHeaders map[string]string
	MaxBodyBytes           int64
	UpstreamTimeout        time.Duration
	ShutdownTimeout        time.Duration

	Store              storeSpec
	CacheTimeout       time.Duration
	CacheCheckInterval time.Duration
	StaleTimeout       time.Duration
	MaxToLive          time.Duration
	StaleCheckInterval time.Duration
	NoFsync            bool
	KeepUnused         bool
	KeepCorrupted      bool
	RedisPrefix        string
	WriteBehind        time.Duration
	TouchWriteBehind   time.Duration

	LogLevel    slog.Level
	LogDisabled bool
	LogFormat   string
}

// defaultConfig returns the defaults: loopback on port 8080, the file cache
// in ./sessions, no password, sessions restricted to their creator's IP.
func defaultConfig() config {
	return config{
		Addr:                "127.0.0.1",
		Port:                8080,
		RestrictSessionToIP: true,
		ShutdownTimeout:     10 * time.Second,
		Store:               storeSpec{Kind: storeFile, Dir: "./sessions"},
		LogLevel:            slog.LevelInfo,
		LogFormat:           "text",
	}
}

// settingKind says how a setting is written on the command line and in the
// config file.
type settingKind int

const (
	kindString settingKind = iota
	kindBool
	kindInt
	kindDuration
	kindList
	kindHeaderMap // a list of NAME=VALUE; an object in the config file
)

// A setting is one configuration knob, reachable as a flag (--name), an
// environment variable (RAMMERHEAD_NAME, upper-case, dashes to underscores)
// and, unless fileKey is empty, a config-file key.
type setting struct {
	name    string
	fileKey string
	kind    settingKind
	def     string // default, as shown in the help
	usage   string
	// set applies one value (one element for lists).
	set func(c *config, v string) error
	// reset empties a list before a source's elements are applied.
	reset func(c *config)
}

// envName returns the environment variable of a setting.
func (s *setting) envName() string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

// settings lists every knob of `rammerhead serve`, in help order.
var settings = []*setting{
	{name: "config", kind: kindString, usage: "read settings from this JSON `file` (see: rammerhead help config)",
		set: func(c *config, v string) error { c.ConfigFile = v; return nil }},
	{name: "addr", fileKey: "addr", kind: kindString, def: "127.0.0.1",
		usage: "listen on this `host` or IP (\"0.0.0.0\" or \"::\" for every interface)",
		set: func(c *config, v string) error {
			h, err := parseHost(v)
			c.Addr = h
			return err
		}},
	{name: "port", fileKey: "port", kind: kindInt, def: "8080",
		usage: "listen on this TCP `port` (0 picks a free one; the bound address is logged)",
		set:   func(c *config, v string) (err error) { c.Port, err = parsePort(v); return }},
	{name: "public-host", fileKey: "publicHost", kind: kindString,
		usage: "`host` that clients use to reach the server, when behind a reverse proxy (default: the request's Host)",
		set: func(c *config, v string) error {
			if v == "" {
				c.PublicHost = ""
				return nil
			}
			h, err := parseHost(v)
			c.PublicHost = h
			return err
		}},
	{name: "public-port", fileKey: "publicPort", kind: kindInt,
		usage: "`port` that clients use, reported by /mainport (default: from the request's Host, else the listening port)",
		set:   func(c *config, v string) (err error) { c.PublicPort, err = parsePort(v); return }},
	{name: "public-scheme", fileKey: "publicScheme", kind: kindString,
		usage: "`scheme` (http or https) that clients use, when behind a reverse proxy (default: from the request)",
		set: func(c *config, v string) error {
			v = strings.ToLower(v)
			if v != "" && v != "http" && v != "https" {
				return fmt.Errorf("%q is not http or https", v)
			}
			c.PublicScheme = v
			return nil
		}},
	{name: "password", fileKey: "password", kind: kindString,
		usage: "require this `password` to create and manage sessions (default: none)",
		set:   func(c *config, v string) error { c.Password = v; return nil }},
	{name: "export-secret", fileKey: "exportSecret", kind: kindString,
		usage: "hex `secret` (at least 16 bytes) that signs session exports; default: generated once and kept in the file store's directory (" + secret.FileName + ") or in Redis, so instances sharing a store agree",
		set: func(c *config, v string) error {
			if v != "" {
				if _, err := secret.Decode(v); err != nil {
					return err
				}
			}
			c.ExportSecret = v
			return nil
		}},
	{name: "restrict-session-to-ip", fileKey: "restrictSessionToIP", kind: kindBool, def: "true",
		usage: "only the IP that created a session may use it",
		set:   func(c *config, v string) (err error) { c.RestrictSessionToIP, err = parseBool(v); return }},
	{name: "trusted-proxy", fileKey: "trustedProxies", kind: kindList,
		usage: "trust X-Forwarded-For from this `CIDR or IP` (repeatable; default: none)",
		reset: func(c *config) { c.TrustedProxies = nil },
		set: func(c *config, v string) error {
			p, err := parsePrefix(v)
			if err == nil {
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return err
		}},
	{name: "strip-request-header", fileKey: "stripRequestHeaders", kind: kindList,
		usage: "remove this request `header` before forwarding upstream (repeatable)",
		reset: func(c *config) { c.StripRequestHeaders = nil },
		set: func(c *config, v string) error {
			v = strings.TrimSpace(v)
			if !validHeaderName(v) {
				return fmt.Errorf("%q is not a valid header name", v)
			}
			c.StripRequestHeaders = append(c.StripRequestHeaders, v)
			return nil
		}},
	{name: "rewrite-response-header", fileKey: "rewriteResponseHeaders", kind: kindHeaderMap,
		usage: "set response header `NAME=VALUE` on proxied responses; an empty VALUE removes it (repeatable)",
		reset: func(c *config) { c.RewriteResponseHeaders = nil },
		set: func(c *config, v string) error {
			name, value, err := parseHeaderAssignment(v)
			if err != nil {
				return err
			}
			if c.RewriteResponseHeaders == nil {
				c.RewriteResponseHeaders = make(map[string]string)
			}
			c.RewriteResponseHeaders[name] = value
			return nil
		}},
	{name: "max-body-bytes", fileKey: "maxBodyBytes", kind: kindInt,
		usage: "largest POST /syncLocalStorage body in `bytes` (default 1 MiB)",
		set: func(c *config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a non-negative number of bytes", v)
			}
			c.MaxBodyBytes = n
			return nil
		}},
	{name: "upstream-timeout", fileKey: "upstreamTimeout", kind: kindDuration,
		usage: "give up waiting for an upstream's response headers after this `duration` (default 30s)",
		set: func(c *config, v string) (err error) {
			c.UpstreamTimeout, err = parsePositiveDuration(v)
			return
		}},
	{name: "shutdown-timeout", fileKey: "shutdownTimeout", kind: kindDuration, def: "10s",
		usage: "on SIGINT/SIGTERM, wait this `duration` for in-flight requests before closing them",
		set: func(c *config, v string) (err error) {
			c.ShutdownTimeout, err = parsePositiveDuration(v)
			return
		}},
	{name: "store", fileKey: "store", kind: kindString, def: "file:./sessions",
		usage: "session `store`: file:DIR (created if missing), memory:, or a Redis URL: redis://[user:pass@]host:port/db, rediss://... (TLS), unix:///path.sock; ?cluster=1 for a cluster",
		set:   func(c *config, v string) (err error) { c.Store, err = parseStore(v); return }},
	{name: "cache-timeout", fileKey: "cacheTimeout", kind: kindDuration, def: "20m",
		usage: "file store: write and evict a cached session idle for this `duration`",
		set:   func(c *config, v string) (err error) { c.CacheTimeout, err = parseOptDuration(v); return }},
	{name: "cache-check-interval", fileKey: "cacheCheckInterval", kind: kindDuration, def: "10m",
		usage: "file store: how often cached sessions are checked (`duration`)",
		set:   func(c *config, v string) (err error) { c.CacheCheckInterval, err = parseOptDuration(v); return }},
	{name: "stale-timeout", fileKey: "staleTimeout", kind: kindDuration, def: "72h (memory: 30m)",
		usage: "delete a session idle for longer than this `duration`, or off",
		set:   func(c *config, v string) (err error) { c.StaleTimeout, err = parseOptDuration(v); return }},
	{name: "max-to-live", fileKey: "maxToLive", kind: kindDuration, def: "off (memory: 4h)",
		usage: "delete a session older than this `duration` however active, or off",
		set:   func(c *config, v string) (err error) { c.MaxToLive, err = parseOptDuration(v); return }},
	{name: "stale-check-interval", fileKey: "staleCheckInterval", kind: kindDuration, def: "6h (memory: 1m)",
		usage: "how often expired sessions are swept (`duration`), or off",
		set:   func(c *config, v string) (err error) { c.StaleCheckInterval, err = parseOptDuration(v); return }},
	{name: "no-fsync", fileKey: "noFsync", kind: kindBool, def: "false",
		usage: "file store: do not fsync session files (faster, less safe on power loss)",
		set:   func(c *config, v string) (err error) { c.NoFsync, err = parseBool(v); return }},
	{name: "keep-unused", fileKey: "keepUnused", kind: kindBool, def: "false",
		usage: "file store: also write sessions never used since creation (the original deletes them)",
		set:   func(c *config, v string) (err error) { c.KeepUnused, err = parseBool(v); return }},
	{name: "keep-corrupted", fileKey: "keepCorrupted", kind: kindBool, def: "false",
		usage: "file store: leave unreadable session files in place instead of deleting them",
		set:   func(c *config, v string) (err error) { c.KeepCorrupted, err = parseBool(v); return }},
	{name: "write-behind", fileKey: "writeBehind", kind: kindDuration,
		def:   "2s",
		usage: "file store: write a changed session within this `duration`, or off (only at eviction and exit)",
		set:   func(c *config, v string) (err error) { c.WriteBehind, err = parseOptDuration(v); return }},
	{name: "touch-write-behind", fileKey: "touchWriteBehind", kind: kindDuration,
		def:   "1m",
		usage: "file store: a session only touched (lastUsed moved, nothing else) is written once its lastUsed is this `duration` newer than on disk, or off (like any change)",
		set:   func(c *config, v string) (err error) { c.TouchWriteBehind, err = parseOptDuration(v); return }},
	{name: "redis-prefix", fileKey: "redisPrefix", kind: kindString, def: "rh:",
		usage: "Redis store: `prefix` of every key; instances sharing sessions use the same one (ignored by other stores)",
		set: func(c *config, v string) error {
			if strings.ContainsAny(v, "{}") {
				return fmt.Errorf("%q: the prefix must not contain { or }", v)
			}
			c.RedisPrefix = v
			return nil
		}},
	{name: "log-level", fileKey: "logLevel", kind: kindString, def: "info",
		usage: "log `level`: disabled, debug, traffic, info, warn or error",
		set: func(c *config, v string) (err error) {
			c.LogLevel, c.LogDisabled, err = parseLogLevel(v)
			return
		}},
	{name: "log-format", fileKey: "logFormat", kind: kindString, def: "text",
		usage: "log `format`: text or json",
		set: func(c *config, v string) error {
			v = strings.ToLower(v)
			if v != "text" && v != "json" {
				return fmt.Errorf("%q is not text or json", v)
			}
			c.LogFormat = v
			return nil
		}},
}

func settingByFileKey(key string) *setting {
	for _, s := range settings {
		if s.fileKey != "" && s.fileKey == key {
			return s
		}
	}
	return nil
}

// rawValue collects a setting's values from the command line.
type rawValue struct {
	s    *setting
	vals []string
}

func (r *rawValue) String() string {
	if r == nil || len(r.vals) == 0 {
		return ""
	}
	return strings.Join(r.vals, ",")
}

func (r *rawValue) Set(v string) error {
	if r.s.kind == kindList || r.s.kind == kindHeaderMap {
		r.vals = append(r.vals, v)
		return nil
	}
	r.vals = []string{v}
	return nil
}

// IsBoolFlag lets boolean settings be given as a bare --flag.
func (r *rawValue) IsBoolFlag() bool { return r.s.kind == kindBool }

// newServeFlagSet returns the flag set of `rammerhead serve` and the raw
// values it fills, by setting name. It prints nothing: errors are returned.
func newServeFlagSet() (*flag.FlagSet, map[string]*rawValue) {
	fs := flag.NewFlagSet("rammerhead serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	raws := make(map[string]*rawValue, len(settings))
	for _, s := range settings {
		r := &rawValue{s: s}
		raws[s.name] = r
		fs.Var(r, s.name, s.usage)
	}
	return fs, raws
}

// writeServeUsage prints `rammerhead help serve`.
func writeServeUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: rammerhead serve [flags]\n\n%s\n\nFlags:\n", serveSummary)
	for _, s := range settings {
		name, usage := flag.UnquoteUsage(&flag.Flag{Name: s.name, Usage: s.usage, Value: &rawValue{s: s}})
		line := "  --" + s.name
		if name != "" {
			line += " " + name
		}
		if s.def != "" {
			usage += " (default " + s.def + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n      [$%s]\n", line, usage, s.envName())
	}
	fmt.Fprint(w, "\n"+precedenceHelp)
}

// loadConfig resolves the configuration of `rammerhead serve` from the
// command-line arguments, the environment and the config file. Precedence:
// flags > environment > config file > defaults. Every source is validated;
// a list given by a higher source replaces the lower one's entirely.
// Errors wrap errUsage (and flag.ErrHelp for -h).
func loadConfig(args []string, getenv func(string) string, helpOut io.Writer) (config, error) {
	c := defaultConfig()
	fs, raws := newServeFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeServeUsage(helpOut)
			return c, err
		}
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected argument %q (serve takes only flags)", errUsage, fs.Arg(0))
	}

	// The config file's name comes from the flag, else the environment.
	cfgSetting := settings[0]
	configFile := getenv(cfgSetting.envName())
	if r := raws[cfgSetting.name]; len(r.vals) > 0 {
		configFile = r.vals[0]
	}
	c.ConfigFile = configFile

	if configFile != "" {
		b, err := os.ReadFile(configFile)
		if err != nil {
			return c, fmt.Errorf("%w: config file: %w", errUsage, err)
		}
		fileVals, err := parseConfigFile(b)
		if err != nil {
			return c, fmt.Errorf("%w: config file %s: %w", errUsage, configFile, err)
		}
		for _, s := range settings {
			if vals, ok := fileVals[s.name]; ok {
				if err := applySetting(&c, s, vals); err != nil {
					return c, fmt.Errorf("%w: config file %s: %q: %w", errUsage, configFile, s.fileKey, err)
				}
			}
		}
	}
	for _, s := range settings[1:] {
		v := getenv(s.envName())
		if v == "" {
			continue
		}
		if err := applySetting(&c, s, splitEnvList(s, v)); err != nil {
			return c, fmt.Errorf("%w: $%s: %w", errUsage, s.envName(), err)
		}
	}
	for _, s := range settings[1:] {
		r := raws[s.name]
		if len(r.vals) == 0 {
			continue
		}
		if err := applySetting(&c, s, r.vals); err != nil {
			return c, fmt.Errorf("%w: --%s: %w", errUsage, s.name, err)
		}
	}
	if err := c.validate(); err != nil {
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	return c, nil
}

// validate checks rules that involve several settings.
func (c *config) validate() error {
	if c.Store.Kind == storeRedis && c.StaleCheckInterval != 0 {
		return errors.New("stale-check-interval does not apply to the Redis store (Redis expires sessions itself)")
	}
	if c.Store.Kind != storeFile {
		var fileOnly []string
		if c.CacheTimeout != 0 {
			fileOnly = append(fileOnly, "cache-timeout")
		}
		if c.CacheCheckInterval != 0 {
			fileOnly = append(fileOnly, "cache-check-interval")
		}
		if c.WriteBehind != 0 {
			fileOnly = append(fileOnly, "write-behind")
		}
		if c.TouchWriteBehind != 0 {
			fileOnly = append(fileOnly, "touch-write-behind")
		}
		if c.NoFsync {
			fileOnly = append(fileOnly, "no-fsync")
		}
		if c.KeepUnused {
			fileOnly = append(fileOnly, "keep-unused")
		}
		if c.KeepCorrupted {
			fileOnly = append(fileOnly, "keep-corrupted")
		}
		if len(fileOnly) > 0 {
			return fmt.Errorf("%s only appl%s to the file store, not %s",
				strings.Join(fileOnly, ", "), map[bool]string{true: "y", false: "ies"}[len(fileOnly) > 1], c.Store)
		}
	}
	return nil
}

// applySetting applies one source's values of a setting.
func applySetting(c *config, s *setting, vals []string) error {
	if s.reset != nil {
		s.reset(c)
	}
	for _, v := range vals {
		if err := s.set(c, v); err != nil {
			return err
		}
	}
	return nil
}

// splitEnvList splits an environment value into list elements: commas for
// lists, newlines for NAME=VALUE lists (header values often hold commas).
func splitEnvList(s *setting, v string) []string {
	var parts []string
	switch s.kind {
	case kindList:
		parts = strings.Split(v, ",")
	case kindHeaderMap:
		parts = strings.Split(v, "\n")
	default:
		return []string{v}
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseConfigFile decodes a JSON config file into each setting's values,
// by setting name. Unknown keys are errors naming the key; null means "not
// set".
func parseConfigFile(b []byte) (map[string][]string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if m == nil {
		return nil, errors.New("not a JSON object: null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string][]string, len(m))
	for _, k := range keys {
		s := settingByFileKey(k)
		if s == nil {
			msg := fmt.Sprintf("unknown key %q", k)
			if near := nearestKey(k); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return nil, errors.New(msg)
		}
		vals, set, err := fileValues(s, m[k])
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		if set {
			out[s.name] = vals
		}
	}
	return out, nil
}

// nearestKey suggests a config-file key for a misspelt one.
func nearestKey(k string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
	}
	for _, s := range settings {
		if s.fileKey != "" && norm(s.fileKey) == norm(k) {
			return s.fileKey
		}
		if s.fileKey != "" && norm(s.name) == norm(k) {
			return s.fileKey
		}
	}
	return ""
}

// fileValues converts a config-file value to the setting's string form.
func fileValues(s *setting, raw json.RawMessage) (vals []string, set bool, err error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	if v == nil {
		return nil, false, nil
	}
	scalar := func(v any) (string, error) {
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		default:
			return "", fmt.Errorf("want a string, number or boolean, not %s", jsonType(v))
		}
	}
	switch s.kind {
	case kindList, kindHeaderMap:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				sv, ok := e.(string)
				if !ok {
					return nil, false, fmt.Errorf("want an array of strings, found %s", jsonType(e))
				}
				vals = append(vals, sv)
			}
			return vals, true, nil
		case map[string]any:
			if s.kind != kindHeaderMap {
				return nil, false, errors.New("want an array of strings, not an object")
			}
			names := make([]string, 0, len(x))
			for name := range x {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				sv, ok := x[name].(string)
				if !ok {
					return nil, false, fmt.Errorf("header %q: want a string value, found %s", name, jsonType(x[name]))
				}
				vals = append(vals, name+"="+sv)
			}
			return vals, true, nil
		case string:
			return []string{x}, true, nil
		default:
			return nil, false, fmt.Errorf("want an array of strings, not %s", jsonType(v))
		}
	case kindBool:
		if _, ok := v.(bool); !ok {
			if _, ok := v.(string); !ok {
				return nil, false, fmt.Errorf("want true or false, not %s", jsonType(v))
			}
		}
	case kindInt:
		if _, ok := v.(json.Number); !ok {
			if _, ok := v.(string); !ok {
				return nil, false, fmt.Errorf("want a number, not %s", jsonType(v))
			}
		}
	case kindDuration:
		if _, ok := v.(string); !ok {
			return nil, false, fmt.Errorf("want a duration string such as \"10m\" or \"off\", not %s", jsonType(v))
		}
	}
	sv, err := scalar(v)
	if err != nil {
		return nil, false, err
	}
	return []string{sv}, true, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// parseHost accepts an IP address or a host name, without a port.
func parseHost(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = v[1 : len(v)-1]
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String(), nil
	}
	if strings.Contains(v, "://") || strings.Contains(v, "/") {
		return "", fmt.Errorf("%q is a URL or path, want a host name or IP", v)
	}
	if strings.Contains(v, ":") {
		return "", fmt.Errorf("%q has a port or is not a valid IP; give the host alone (the port has its own setting)", v)
	}
	if len(v) > 253 {
		return "", fmt.Errorf("host name %.20q... is too long", v)
	}
	for _, label := range strings.Split(strings.TrimSuffix(v, "."), ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("%q is not a valid host name", v)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", fmt.Errorf("%q is not a valid host name", v)
			}
		}
	}
	return strings.ToLower(v), nil
}

func parsePort(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number (0-65535)", v)
	}
	return n, nil
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", v)
	}
	return b, nil
}

// parsePrefix accepts a CIDR (10.0.0.0/8) or a single IP.
func parsePrefix(v string) (netip.Prefix, error) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR or IP address", v)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR or IP address", v)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseHeaderAssignment parses NAME=VALUE (VALUE may be empty).
func parseHeaderAssignment(v string) (name, value string, err error) {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok {
		return "", "", fmt.Errorf("%q is not NAME=VALUE", v)
	}
	if !validHeaderName(name) {
		return "", "", fmt.Errorf("%q is not a valid header name", name)
	}
	value = strings.TrimSpace(value)
	if !validHeaderValue(value) {
		return "", "", fmt.Errorf("header %s: value %q has invalid characters", name, value)
	}
	return name, value, nil
}

// parseOptDuration parses a positive Go duration, or "off" (store.Disabled).
func parseOptDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		return store.Disabled, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (Go syntax such as 90s, 20m, 72h) or off", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: a duration must be positive (write off to disable)", v)
	}
	return d, nil
}

// parsePositiveDuration parses a positive Go duration ("off" not allowed).
func parsePositiveDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (Go syntax such as 500ms, 30s, 2m)", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: the duration must be positive", v)
	}
	return d, nil
}

// logLevels maps the original's level names to slog levels.
var logLevels = []struct {
	name  string
	level slog.Level
}{
	{"disabled", 0},
	{"debug", slog.LevelDebug},
	{"traffic", proxy.LevelTraffic},
	{"info", slog.LevelInfo},
	{"warn", slog.LevelWarn},
	{"error", slog.LevelError},
}

// parseLogLevel parses a level name; disabled reports true.
func parseLogLevel(v string) (slog.Level, bool, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, l := range logLevels {
		if l.name == v {
			return l.level, l.name == "disabled", nil
		}
	}
	names := make([]string, len(logLevels))
	for i, l := range logLevels {
		names[i] = l.name
	}
	return 0, false, fmt.Errorf("%q is not a log level (%s)", v, strings.Join(names, ", "))
}

// parseStore parses file:DIR, memory:, redis://... or rediss://....
func parseStore(v string) (storeSpec, error) {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "file:"):
		dir := strings.TrimPrefix(v, "file:")
		if dir == "" {
			return storeSpec{}, fmt.Errorf("%q: file: needs a directory, e.g. file:./sessions", v)
		}
		return storeSpec{Kind: storeFile, Dir: dir}, nil
	case v == "memory:" || v == "memory":
		return storeSpec{Kind: storeMemory}, nil
	case strings.HasPrefix(v, "redis://") || strings.HasPrefix(v, "rediss://") || strings.HasPrefix(v, "unix://"):
		u, err := url.Parse(v)
		if err != nil {
			return storeSpec{}, errors.New("bad Redis URL (it does not parse)")
		}
		if u.Scheme == "unix" && u.Path == "" {
			return storeSpec{}, fmt.Errorf("Redis URL %q has no socket path", u.Redacted())
		}
		if u.Scheme != "unix" && u.Host == "" {
			return storeSpec{}, fmt.Errorf("Redis URL %q has no host", u.Redacted())
		}
		return storeSpec{Kind: storeRedis, URL: v}, nil
	}
	return storeSpec{}, fmt.Errorf("%q is not a store (want file:DIR, memory:, redis://HOST:PORT/DB, rediss://... or unix:///path.sock)", v)
}

// levelName returns the original's name of a slog level, for logs.
func levelName(l slog.Level) string {
	for _, x := range logLevels[1:] {
		if x.level == l {
			return x.name
		}
	}
	return l.String()
}

// fileKeys returns every config-file key, in help order.
func fileKeys() []string {
	var keys []string
	for _, s := range settings {
		if s.fileKey != "" {
			keys = append(keys, s.fileKey)
		}
	}
	return slices.Clip(keys)
}

// validHeaderName reports whether v is an RFC 9110 token.
func validHeaderName(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v may be sent as a header value: no
// control characters other than horizontal tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
