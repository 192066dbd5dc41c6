package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rammerhead-go/rammerhead/proxy"
	"github.com/rammerhead-go/rammerhead/store"
)

// envMap returns a getenv func backed by m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, args []string, env map[string]string) config {
	t.Helper()
	c, err := loadConfig(args, envMap(env), io.Discard)
	if err != nil {
		t.Fatalf("loadConfig(%q): %v", args, err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustLoad(t, nil, nil)
	want := defaultConfig()
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if c.Addr != "127.0.0.1" || c.Port != 8080 || c.Store != (storeSpec{Kind: storeFile, Dir: "./sessions"}) ||
		!c.RestrictSessionToIP || c.Password != "" || c.LogLevel != slog.LevelInfo || c.LogFormat != "text" ||
		len(c.TrustedProxies) != 0 || c.ShutdownTimeout != 10*time.Second {
		t.Fatalf("unexpected defaults %+v", c)
	}
	// The file cache gets the original server's sweep and its own other
	// defaults.
	o := filecacheOptions(c, nil)
	if o.Dir != "./sessions" || o.Sweep.StaleTimeout != 72*time.Hour || o.Sweep.MaxToLive != store.Disabled ||
		o.Sweep.StaleCheckInterval != 6*time.Hour || o.CacheTimeout != 0 || o.CacheCheckInterval != 0 ||
		o.NoSync || o.WriteBehind != 0 || o.TouchWriteBehind != 0 || o.KeepUnused || o.KeepCorrupted || o.DisableSweep {
		t.Fatalf("file cache options %+v", o)
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "c.json", `{"port": 1111, "password": "file", "logLevel": "debug",
		"trustedProxies": ["10.0.0.0/8", "10.1.2.3"], "staleTimeout": "1h"}`)
	env := map[string]string{"RAMMERHEAD_CONFIG": file, "RAMMERHEAD_PORT": "2222", "RAMMERHEAD_TRUSTED_PROXY": "192.168.0.1, fd00::/8"}
	args := []string{"--port", "3333", "--trusted-proxy", "172.16.0.0/12"}

	c := mustLoad(t, args, env)
	if c.Port != 3333 {
		t.Errorf("flag should win: port %d", c.Port)
	}
	if got := c.TrustedProxies; len(got) != 1 || got[0] != netip.MustParsePrefix("172.16.0.0/12") {
		t.Errorf("flag list should replace the others: %v", got)
	}
	if c.Password != "file" || c.LogLevel != slog.LevelDebug || c.StaleTimeout != time.Hour {
		t.Errorf("config file values lost: %+v", c)
	}

	c = mustLoad(t, nil, env)
	if c.Port != 2222 {
		t.Errorf("env should beat the file: port %d", c.Port)
	}
	if got := c.TrustedProxies; len(got) != 2 || got[0] != netip.MustParsePrefix("192.168.0.1/32") || got[1] != netip.MustParsePrefix("fd00::/8") {
		t.Errorf("env list: %v", got)
	}

	delete(env, "RAMMERHEAD_PORT")
	delete(env, "RAMMERHEAD_TRUSTED_PROXY")
	c = mustLoad(t, nil, env)
	if c.Port != 1111 {
		t.Errorf("file should beat the default: port %d", c.Port)
	}
	if got := c.TrustedProxies; len(got) != 2 || got[1] != netip.MustParsePrefix("10.1.2.3/32") {
		t.Errorf("file list: %v", got)
	}

	// --config beats $RAMMERHEAD_CONFIG.
	other := writeFile(t, "o.json", `{"port": 4444}`)
	c = mustLoad(t, []string{"--config=" + other}, env)
	if c.Port != 4444 || c.ConfigFile != other {
		t.Errorf("--config should beat $RAMMERHEAD_CONFIG: %+v", c)
	}

	// A boolean flag given bare, against a false from the environment.
	c = mustLoad(t, []string{"--restrict-session-to-ip"}, map[string]string{"RAMMERHEAD_RESTRICT_SESSION_TO_IP": "false"})
	if !c.RestrictSessionToIP {
		t.Error("bare bool flag should set true")
	}
	c = mustLoad(t, nil, map[string]string{"RAMMERHEAD_RESTRICT_SESSION_TO_IP": "false"})
	if c.RestrictSessionToIP {
		t.Error("env false ignored")
	}
}

// sampleValues holds, for every setting, a valid value different from the
// default and a check that it was applied. A new setting without a sample
// fails TestEveryEnvVariable.
var sampleValues = map[string]struct {
	value string
	check func(c config) bool
}{
	"config":        {"", nil}, // tested in TestPrecedence
	"addr":          {"0.0.0.0", func(c config) bool { return c.Addr == "0.0.0.0" }},
	"port":          {"9090", func(c config) bool { return c.Port == 9090 }},
	"public-host":   {"proxy.example.com", func(c config) bool { return c.PublicHost == "proxy.example.com" }},
	"public-port":   {"443", func(c config) bool { return c.PublicPort == 443 }},
	"public-scheme": {"HTTPS", func(c config) bool { return c.PublicScheme == "https" }},
	"password":      {"s3cret", func(c config) bool { return c.Password == "s3cret" }},
	"export-secret": {"000102030405060708090a0b0c0d0e0f", func(c config) bool {
		return c.ExportSecret == "000102030405060708090a0b0c0d0e0f"
	}},
	"restrict-session-to-ip": {"false", func(c config) bool { return !c.RestrictSessionToIP }},
	"trusted-proxy": {"10.0.0.0/8,::1", func(c config) bool {
		return len(c.TrustedProxies) == 2 && c.TrustedProxies[1] == netip.MustParsePrefix("::1/128")
	}},
	"strip-request-header": {"X-Real-IP,Via", func(c config) bool {
		return reflect.DeepEqual(c.StripRequestHeaders, []string{"X-Real-IP", "Via"})
	}},
	"rewrite-response-header": {"Cache-Control=no-store, max-age=0\nX-Frame-Options=", func(c config) bool {
		return reflect.DeepEqual(c.RewriteResponseHeaders, map[string]string{"Cache-Control": "no-store, max-age=0", "X-Frame-Options": ""})
	}},
	"max-body-bytes":       {"2048", func(c config) bool { return c.MaxBodyBytes == 2048 }},
	"upstream-timeout":     {"45s", func(c config) bool { return c.UpstreamTimeout == 45*time.Second }},
	"shutdown-timeout":     {"3s", func(c config) bool { return c.ShutdownTimeout == 3*time.Second }},
	"store":                {"file:/tmp/x", func(c config) bool { return c.Store == storeSpec{Kind: storeFile, Dir: "/tmp/x"} }},
	"cache-timeout":        {"5m", func(c config) bool { return c.CacheTimeout == 5*time.Minute }},
	"cache-check-interval": {"off", func(c config) bool { return c.CacheCheckInterval == store.Disabled }},
	"stale-timeout":        {"OFF", func(c config) bool { return c.StaleTimeout == store.Disabled }},
	"max-to-live":          {"96h", func(c config) bool { return c.MaxToLive == 96*time.Hour }},
	"stale-check-interval": {"1h30m", func(c config) bool { return c.StaleCheckInterval == 90*time.Minute }},
	"no-fsync":             {"true", func(c config) bool { return c.NoFsync }},
	"keep-unused":          {"1", func(c config) bool { return c.KeepUnused }},
	"keep-corrupted":       {"TRUE", func(c config) bool { return c.KeepCorrupted }},
	"write-behind":         {"2s", func(c config) bool { return c.WriteBehind == 2*time.Second }},
	"touch-write-behind":   {"30s", func(c config) bool { return c.TouchWriteBehind == 30*time.Second }},
	"redis-prefix":         {"app1:", func(c config) bool { return c.RedisPrefix == "app1:" }},
	"log-level":            {"warn", func(c config) bool { return c.LogLevel == slog.LevelWarn }},
	"log-format":           {"json", func(c config) bool { return c.LogFormat == "json" }},
}

func TestEveryEnvVariable(t *testing.T) {
	for _, s := range settings {
		sample, ok := sampleValues[s.name]
		if !ok {
			t.Errorf("setting %q has no sample value in the test", s.name)
			continue
		}
		want := "RAMMERHEAD_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
		if s.envName() != want {
			t.Errorf("env name of %q = %q, want %q", s.name, s.envName(), want)
		}
		if sample.check == nil {
			continue
		}
		c := mustLoad(t, nil, map[string]string{want: sample.value})
		if !sample.check(c) {
			t.Errorf("$%s=%q not applied: %+v", want, sample.value, c)
		}
		// The same value as a flag (lists: one flag per element).
		var args []string
		for _, v := range splitEnvList(s, sample.value) {
			args = append(args, "--"+s.name+"="+v)
		}
		c = mustLoad(t, args, nil)
		if !sample.check(c) {
			t.Errorf("%q not applied: %+v", args, c)
		}
	}
}

func TestConfigFileForms(t *testing.T) {
	f := writeFile(t, "c.json", "\ufeff"+`{
		"rewriteResponseHeaders": ["X-A=1", "X-B="],
		"stripRequestHeaders": "X-Only",
		"port": "8081", "restrictSessionToIP": "false", "password": null, "store": "memory:"
	}`)
	c := mustLoad(t, []string{"--config", f}, nil)
	if !reflect.DeepEqual(c.RewriteResponseHeaders, map[string]string{"X-A": "1", "X-B": ""}) ||
		!reflect.DeepEqual(c.StripRequestHeaders, []string{"X-Only"}) || c.Port != 8081 ||
		c.RestrictSessionToIP || c.Password != "" || c.Store.Kind != storeMemory {
		t.Fatalf("got %+v", c)
	}
}

func TestConfigExampleIsValidAndComplete(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(configExample), &m); err != nil {
		t.Fatalf("configExample is not JSON: %v", err)
	}
	for _, k := range fileKeys() {
		if _, ok := m[k]; !ok {
			t.Errorf("configExample lacks key %q", k)
		}
	}
	if len(m) != len(fileKeys()) {
		t.Errorf("configExample has %d keys, settings have %d", len(m), len(fileKeys()))
	}
	f := writeFile(t, "example.json", configExample)
	c := mustLoad(t, []string{"--config", f}, nil)
	if c.PublicHost != "proxy.example.com" || c.PublicPort != 443 || c.Password != "change-me" ||
		c.RewriteResponseHeaders["X-Frame-Options"] != "" || c.RewriteResponseHeaders["Referrer-Policy"] != "no-referrer" ||
		c.MaxToLive != store.Disabled || c.WriteBehind != 5*time.Second || len(c.TrustedProxies) != 2 {
		t.Fatalf("example not applied: %+v", c)
	}

	var out bytes.Buffer
	if code := run(context.Background(), []string{"help", "config"}, envMap(nil), &out, io.Discard); code != 0 {
		t.Fatalf("help config exit %d", code)
	}
	for _, s := range settings {
		if s.fileKey != "" && !strings.Contains(out.String(), s.fileKey) {
			t.Errorf("help config does not document %q", s.fileKey)
		}
		if !strings.Contains(out.String(), s.envName()) && s.fileKey != "" {
			t.Errorf("help config does not name $%s", s.envName())
		}
	}
	if !strings.Contains(out.String(), "upper-cased with dashes") {
		t.Error("help config does not explain the env mapping rule")
	}
}

func TestBadValuesExit2(t *testing.T) {
	unknownKey := writeFile(t, "u.json", `{"port": 8080, "prot": 1}`)
	nearKey := writeFile(t, "n.json", `{"log-level": "debug"}`)
	notObject := writeFile(t, "a.json", `[1,2]`)
	trailing := writeFile(t, "t.json", `{} {}`)
	badType := writeFile(t, "b.json", `{"port": true}`)
	badDur := writeFile(t, "d.json", `{"staleTimeout": 3600}`)
	badInFile := writeFile(t, "e.json", `{"logLevel": "loud"}`)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "flag provided but not defined: -nope"},
		{"positional", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"port", []string{"--port", "70000"}, nil, `--port: "70000" is not a port number`},
		{"port env", nil, map[string]string{"RAMMERHEAD_PORT": "http"}, `$RAMMERHEAD_PORT: "http" is not a port number`},
		{"addr with port", []string{"--addr", "127.0.0.1:80"}, nil, "has a port"},
		{"addr url", []string{"--addr", "http://x"}, nil, "is a URL"},
		{"addr junk", []string{"--addr", "a b"}, nil, "not a valid host name"},
		{"scheme", []string{"--public-scheme", "ftp"}, nil, `"ftp" is not http or https`},
		{"bool", []string{"--restrict-session-to-ip=maybe"}, nil, `"maybe" is not true or false`},
		{"cidr", []string{"--trusted-proxy", "10.0.0.0/33"}, nil, `"10.0.0.0/33" is not a CIDR or IP`},
		{"header name", []string{"--strip-request-header", "Bad Header"}, nil, "not a valid header name"},
		{"rewrite no =", []string{"--rewrite-response-header", "X-Frame-Options"}, nil, "is not NAME=VALUE"},
		{"rewrite bad value", []string{"--rewrite-response-header", "X-A=a\x01b"}, nil, "invalid characters"},
		{"store", []string{"--store", "s3://bucket"}, nil, `"s3://bucket" is not a store`},
		{"store file empty", []string{"--store", "file:"}, nil, "file: needs a directory"},
		{"store redis no host", []string{"--store", "redis://"}, nil, "has no host"},
		{"store unix no path", []string{"--store", "unix://"}, nil, "has no socket path"},
		{"store redis password hidden", []string{"--store", "redis://u:hunter2@/0"}, nil, `"redis://u:xxxxx@/0" has no host`},
		{"redis stale check", []string{"--store", "redis://127.0.0.1:6379", "--stale-check-interval", "1h"}, nil, "stale-check-interval does not apply to the Redis store"},
		{"redis prefix", []string{"--redis-prefix", "a{b}"}, nil, "must not contain { or }"},
		{"duration", []string{"--stale-timeout", "3d"}, nil, `"3d" is not a duration`},
		{"duration zero", []string{"--cache-timeout", "0"}, nil, "write off to disable"},
		{"duration negative", []string{"--max-to-live", "-1h"}, nil, "must be positive"},
		{"shutdown off", []string{"--shutdown-timeout", "off"}, nil, `"off" is not a duration`},
		{"level", []string{"--log-level", "verbose"}, nil, `"verbose" is not a log level (disabled, debug, traffic, info, warn, error)`},
		{"format", []string{"--log-format", "xml"}, nil, `"xml" is not text or json`},
		{"body", []string{"--max-body-bytes", "-5"}, nil, "not a non-negative number"},
		{"file-only option", []string{"--store", "memory:", "--cache-timeout", "1m", "--no-fsync"}, nil, "cache-timeout, no-fsync only apply to the file store"},
		{"missing file", []string{"--config", filepath.Join(t.TempDir(), "none.json")}, nil, "no such file"},
		{"unknown key", []string{"--config", unknownKey}, nil, `unknown key "prot"`},
		{"near key", []string{"--config", nearKey}, nil, `unknown key "log-level" (did you mean "logLevel"?)`},
		{"not object", []string{"--config", notObject}, nil, "not a JSON object"},
		{"trailing", []string{"--config", trailing}, nil, "unexpected data after"},
		{"bad type", []string{"--config", badType}, nil, `"port": want a number, not a boolean`},
		{"duration number", []string{"--config", badDur}, nil, `"staleTimeout": want a duration string`},
		{"bad in file", []string{"--config", badInFile}, nil, `"logLevel": "loud" is not a log level`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(tt.args, envMap(tt.env), io.Discard)
			if err == nil || !errors.Is(err, errUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"serve"}, tt.args...), envMap(tt.env), io.Discard, &stderr)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("stderr %q does not contain %q", stderr.String(), tt.want)
			}
			if !strings.HasPrefix(stderr.String(), "rammerhead serve: ") {
				t.Fatalf("stderr %q lacks the command prefix", stderr.String())
			}
		})
	}
}

func TestLogLevels(t *testing.T) {
	tests := []struct {
		name     string
		level    slog.Level
		disabled bool
	}{
		{"disabled", 0, true},
		{"debug", slog.LevelDebug, false},
		{"traffic", proxy.LevelTraffic, false},
		{"TRAFFIC", proxy.LevelTraffic, false},
		{"info", slog.LevelInfo, false},
		{"warn", slog.LevelWarn, false},
		{"error", slog.LevelError, false},
	}
	for _, tt := range tests {
		c := mustLoad(t, []string{"--log-level", tt.name}, nil)
		if c.LogLevel != tt.level || c.LogDisabled != tt.disabled {
			t.Errorf("%s: level %v disabled %v", tt.name, c.LogLevel, c.LogDisabled)
		}
	}
	if proxy.LevelTraffic <= slog.LevelDebug || proxy.LevelTraffic >= slog.LevelInfo {
		t.Fatalf("traffic level %v not between debug and info", proxy.LevelTraffic)
	}

	logAll := func(args ...string) string {
		var buf bytes.Buffer
		l := newLogger(mustLoad(t, args, nil), &buf)
		l.Debug("d-msg")
		l.Log(context.Background(), proxy.LevelTraffic, "t-msg")
		l.Info("i-msg")
		l.Warn("w-msg")
		l.Error("e-msg")
		return buf.String()
	}
	out := logAll("--log-level", "traffic")
	if strings.Contains(out, "d-msg") || !strings.Contains(out, "level=TRAFFIC msg=t-msg") || !strings.Contains(out, "i-msg") {
		t.Errorf("traffic level output:\n%s", out)
	}
	out = logAll("--log-level", "warn")
	if strings.Contains(out, "i-msg") || strings.Contains(out, "t-msg") || !strings.Contains(out, "w-msg") || !strings.Contains(out, "e-msg") {
		t.Errorf("warn level output:\n%s", out)
	}
	if out := logAll("--log-level", "disabled"); out != "" {
		t.Errorf("disabled level printed:\n%s", out)
	}
	out = logAll("--log-level", "debug", "--log-format", "json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("json debug: %d lines:\n%s", len(lines), out)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil || rec["level"] != "TRAFFIC" || rec["msg"] != "t-msg" {
		t.Errorf("json traffic line %q (%v)", lines[1], err)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		stdout     string
		stderr     string
		stdoutNone bool
	}{
		{args: []string{"version"}, code: 0, stdout: "rammerhead "},
		{args: []string{"--version"}, code: 0, stdout: "rammerhead "},
		{args: []string{"version", "x"}, code: 2, stderr: "unexpected argument"},
		{args: []string{"help"}, code: 0, stdout: "Usage: rammerhead <command>"},
		{args: []string{"--help"}, code: 0, stdout: "serve"},
		{args: []string{"help", "serve"}, code: 0, stdout: "--store store\n"},
		{args: []string{"help", "version"}, code: 0, stdout: "Usage: rammerhead version"},
		{args: []string{"help", "config"}, code: 0, stdout: `"rewriteResponseHeaders"`},
		{args: []string{"help", "nope"}, code: 2, stderr: `unknown topic "nope"`, stdoutNone: true},
		{args: []string{"help", "a", "b"}, code: 2, stderr: "too many arguments"},
		{args: []string{"serve", "-h"}, code: 0, stdout: "[$RAMMERHEAD_LOG_LEVEL]"},
		{args: []string{"frobnicate"}, code: 2, stderr: "unknown command \"frobnicate\"\n\nUsage: rammerhead <command>", stdoutNone: true},
		{args: nil, code: 2, stderr: "Usage: rammerhead <command>", stdoutNone: true},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, envMap(nil), &stdout, &stderr)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d (stderr %s)", tt.args, code, tt.code, stderr.String())
		}
		if !strings.Contains(stdout.String(), tt.stdout) {
			t.Errorf("%q: stdout %q lacks %q", tt.args, stdout.String(), tt.stdout)
		}
		if !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%q: stderr %q lacks %q", tt.args, stderr.String(), tt.stderr)
		}
		if tt.stdoutNone && stdout.Len() > 0 {
			t.Errorf("%q: unexpected stdout %q", tt.args, stdout.String())
		}
	}
	if _, err := loadConfig([]string{"-h"}, envMap(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestRedisStoreSpec(t *testing.T) {
	c := mustLoad(t, []string{"--store", "redis://127.0.0.1:1/0"}, nil)
	if c.Store.Kind != storeRedis || c.Store.URL != "redis://127.0.0.1:1/0" {
		t.Fatalf("store %+v", c.Store)
	}
	c = mustLoad(t, []string{"--store", "rediss://user:pw@redis.example:6380/2"}, nil)
	if c.Store.Kind != storeRedis || c.Store.String() != "rediss://user:xxxxx@redis.example:6380/2" {
		t.Fatalf("store %+v (%s)", c.Store, c.Store)
	}
	c = mustLoad(t, []string{"--store", "unix:///run/redis.sock"}, nil)
	if c.Store.Kind != storeRedis || c.Store.URL != "unix:///run/redis.sock" {
		t.Fatalf("store %+v", c.Store)
	}
}

func FuzzParseConfigFile(f *testing.F) {
	f.Add([]byte(configExample))
	f.Add([]byte(`{"port": 1, "trustedProxies": ["::1"], "rewriteResponseHeaders": {"A": ""}}`))
	f.Add([]byte(`{"unknown": 1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"stripRequestHeaders": [1]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := parseConfigFile(b)
		if err != nil {
			return
		}
		c := defaultConfig()
		for _, s := range settings {
			if v, ok := vals[s.name]; ok {
				_ = applySetting(&c, s, v) // must not panic
			}
		}
	})
}

func FuzzSettingValues(f *testing.F) {
	for _, s := range sampleValues {
		f.Add(s.value)
	}
	f.Add("X=")
	f.Add("[::1]")
	f.Add("file:")
	f.Add("redis://:pw@/")
	f.Fuzz(func(t *testing.T, v string) {
		for _, s := range settings {
			c := defaultConfig()
			if err := applySetting(&c, s, splitEnvList(s, v)); err != nil {
				continue
			}
			// Accepted header rewrites must be valid header fields.
			for name, value := range c.RewriteResponseHeaders {
				if !validHeaderName(name) || !validHeaderValue(value) {
					t.Fatalf("accepted invalid header %q: %q", name, value)
				}
			}
			if c.Port < 0 || c.Port > 65535 || c.PublicPort < 0 || c.PublicPort > 65535 {
				t.Fatalf("accepted bad port from %q", v)
			}
		}
	})
}

func BenchmarkLoadConfig(b *testing.B) {
	dir := b.TempDir()
	f := filepath.Join(dir, "c.json")
	if err := os.WriteFile(f, []byte(configExample), 0o600); err != nil {
		b.Fatal(err)
	}
	env := envMap(map[string]string{"RAMMERHEAD_PORT": "9000", "RAMMERHEAD_TRUSTED_PROXY": "10.0.0.0/8,192.168.0.0/16"})
	args := []string{"--config", f, "--log-level", "debug", "--rewrite-response-header", "X-A=1"}
	for b.Loop() {
		if _, err := loadConfig(args, env, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
