package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rammerhead-go/rammerhead/internal/admin"
	"github.com/rammerhead-go/rammerhead/store"
	"github.com/rammerhead-go/rammerhead/store/memstore"
)

const sessionsSummary = "Inspect and manage sessions in a store (list, show, delete, gc, export, import, pin, unpin, migrate)."

// runSessions is `rammerhead sessions VERB ...`. The configured store and
// expiry policy come from the environment and the config file
// (RAMMERHEAD_CONFIG, RAMMERHEAD_STORE, ...), as for serve; each verb's
// --store flag overrides the store.
func runSessions(ctx context.Context, inv *invocation, args []string) int {
	cfg, err := loadConfig(nil, inv.getenv, io.Discard)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(inv.stderr, "rammerhead sessions: %v\n", trimUsagePrefix(err))
		return exitUsage
	}
	logger := newLogger(cfg, inv.stderr)
	env := admin.Env{
		Stdout: inv.stdout,
		Stderr: inv.stderr,
		Stdin:  os.Stdin,
		Expiry: effectiveExpiry(cfg),
		OpenStore: func(_ context.Context, spec string) (store.Store, error) {
			c := cfg
			if spec != "" {
				s, err := parseStore(spec)
				if err != nil {
					return nil, fmt.Errorf("--store %q: %w", spec, err)
				}
				c.Store = s
			}
			// An admin command must not sweep or evict on its own: it
			// reads, changes what it is asked to, and closes.
			c.StaleCheckInterval = store.Disabled
			c.CacheCheckInterval = store.Disabled
			return openStore(c, logger)
		},
	}
	return admin.Run(ctx, args, env)
}

// effectiveExpiry is the expiry policy the configured store applies.
func effectiveExpiry(cfg config) store.Expiry {
	if cfg.Store.Kind == storeMemory {
		return store.Expiry{IdleTimeout: cfg.StaleTimeout, MaxAge: cfg.MaxToLive}.WithDefaults(
			store.Expiry{IdleTimeout: memstore.DefaultIdleTimeout, MaxAge: memstore.DefaultMaxAge})
	}
	return store.Expiry{
		IdleTimeout: orDefault(cfg.StaleTimeout, serverStaleTimeout),
		MaxAge:      orDefault(cfg.MaxToLive, serverMaxToLive),
	}
}
