package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rammerhead-go/rammerhead/internal/secret"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/filecache"
	"github.com/rammerhead-go/rammerhead/store/memstore"
	"github.com/rammerhead-go/rammerhead/store/redisstore"
)

// redisPingTimeout bounds the start-up check that Redis answers.
const redisPingTimeout = 5 * time.Second

// The file cache's sweep as the original's bundled server sets it: idle
// sessions are deleted after 3 days, no maximum age, checked every 6 hours.
const (
	serverStaleTimeout       = 72 * time.Hour
	serverMaxToLive          = store.Disabled
	serverStaleCheckInterval = 6 * time.Hour
)

// openStore opens the session store cfg names.
func openStore(cfg config, logger *slog.Logger) (store.Store, error) {
	switch cfg.Store.Kind {
	case storeFile:
		if err := os.MkdirAll(cfg.Store.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("session directory: %w", err)
		}
		c, err := filecache.Open(filecacheOptions(cfg, logger))
		if err != nil {
			return nil, fmt.Errorf("file store %s: %w", cfg.Store.Dir, err)
		}
		return c, nil
	case storeMemory:
		return memstore.New(&memstore.Options{
			Logger:          logger,
			Expiry:          store.Expiry{IdleTimeout: cfg.StaleTimeout, MaxAge: cfg.MaxToLive},
			CleanupInterval: cfg.StaleCheckInterval,
		}), nil
	case storeRedis:
		// go-redis logs through a global logger; route it to ours.
		redis.SetLogger(redisLogger{logger})
		rs, err := redisstore.New(redisstore.Options{
			URL:    cfg.Store.URL,
			Prefix: cfg.RedisPrefix,
			Expiry: store.Expiry{IdleTimeout: cfg.StaleTimeout, MaxAge: cfg.MaxToLive},
			Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("redis store: %w", err)
		}
		// Fail at start-up, not on the first request, when Redis is
		// unreachable.
		ctx, cancel := context.WithTimeout(context.Background(), redisPingTimeout)
		defer cancel()
		if err := rs.Client().Ping(ctx).Err(); err != nil {
			rs.Close()
			return nil, fmt.Errorf("redis store %s: cannot reach Redis: %w", cfg.Store, err)
		}
		return rs, nil
	}
	return nil, fmt.Errorf("unknown store kind %q", cfg.Store.Kind)
}

// orDefault returns d, or def when d is unset (0).
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// filecacheOptions maps cfg to the file cache's options: unset values keep
// the cache's own defaults, except the sweep, which follows the original's
// bundled server.
func filecacheOptions(cfg config, logger *slog.Logger) filecache.Options {
	return filecache.Options{
		Dir:                cfg.Store.Dir,
		Logger:             logger,
		CacheTimeout:       cfg.CacheTimeout,
		CacheCheckInterval: cfg.CacheCheckInterval,
		KeepUnused:         cfg.KeepUnused,
		KeepCorrupted:      cfg.KeepCorrupted,
		Sweep: filecache.SweepOptions{
			StaleTimeout:       orDefault(cfg.StaleTimeout, serverStaleTimeout),
			MaxToLive:          orDefault(cfg.MaxToLive, serverMaxToLive),
			StaleCheckInterval: orDefault(cfg.StaleCheckInterval, serverStaleCheckInterval),
		},
		NoSync:           cfg.NoFsync,
		WriteBehind:      cfg.WriteBehind,
		TouchWriteBehind: cfg.TouchWriteBehind,
	}
}

// redisLogger routes go-redis's internal messages (reconnections, dial
// failures) to slog at debug level: failures that matter reach the caller
// as errors.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// resolveExportSecret returns the secret that signs session exports: the
// configured one; else, for a file store, the one kept in its directory
// (created once); for Redis, one kept in Redis under the key prefix
// (created once with SET NX, so every instance sharing the store agrees);
// for the memory store, a new one for this process.
func resolveExportSecret(ctx context.Context, cfg config, st store.Store) ([]byte, error) {
	if cfg.ExportSecret != "" {
		return secret.Decode(cfg.ExportSecret)
	}
	switch cfg.Store.Kind {
	case storeFile:
		return secret.LoadOrCreate(filepath.Join(cfg.Store.Dir, secret.FileName))
	case storeRedis:
		rs, ok := st.(*redisstore.Store)
		if !ok {
			return nil, fmt.Errorf("redis store of unexpected type %T", st)
		}
		fresh, err := secret.Generate()
		if err != nil {
			return nil, err
		}
		key := cfg.RedisPrefix + "exportsecret"
		if cfg.RedisPrefix == "" {
			key = redisstore.DefaultPrefix + "exportsecret"
		}
		ctx, cancel := context.WithTimeout(ctx, redisPingTimeout)
		defer cancel()
		c := rs.Client()
		if err := c.SetNX(ctx, key, secret.Encode(fresh), 0).Err(); err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		v, err := c.Get(ctx, key).Result()
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		return secret.Decode(v)
	default:
		return secret.Generate()
	}
}
