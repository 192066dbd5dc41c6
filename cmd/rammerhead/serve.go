package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/rammerhead-go/rammerhead/proxy"
)

// runServe is `rammerhead serve`.
func runServe(ctx context.Context, inv *invocation, args []string) int {
	cfg, err := loadConfig(args, inv.getenv, inv.stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(inv.stderr, "rammerhead serve: %v\nRun \"rammerhead help serve\" for usage.\n", trimUsagePrefix(err))
		return exitUsage
	}
	logger := newLogger(cfg, inv.stderr)
	if err := serve(ctx, cfg, logger, inv.onListen); err != nil {
		if cfg.LogDisabled {
			fmt.Fprintf(inv.stderr, "rammerhead serve: %v\n", err)
		} else {
			logger.Error("server failed", "err", err)
		}
		return exitError
	}
	return exitOK
}

// trimUsagePrefix drops the "usage error: " marker from messages.
func trimUsagePrefix(err error) string {
	s := err.Error()
	p := errUsage.Error() + ": "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// newLogger builds the slog logger for cfg, writing to w.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	if cfg.LogDisabled {
		return slog.New(slog.DiscardHandler)
	}
	opts := &slog.HandlerOptions{
		Level: cfg.LogLevel,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.LevelKey {
				if l, ok := a.Value.Any().(slog.Level); ok && l == proxy.LevelTraffic {
					a.Value = slog.StringValue("TRAFFIC")
				}
			}
			return a
		},
	}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the server until ctx is done, then shuts it down gracefully:
// no new connections, in-flight requests get cfg.ShutdownTimeout to
// finish, then the proxy server (and so the store, which writes every
// cached session) is closed.
func serve(ctx context.Context, cfg config, logger *slog.Logger, onListen func(net.Addr)) (err error) {
	st, err := openStore(cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Addr, strconv.Itoa(cfg.Port)))
	if err != nil {
		if cerr := st.Close(); cerr != nil {
			logger.Warn("closing the session store", "err", cerr)
		}
		return fmt.Errorf("listen: %w", err)
	}
	bound := ln.Addr().(*net.TCPAddr)

	exportSecret, err := resolveExportSecret(ctx, cfg, st)
	if err != nil {
		ln.Close()
		if cerr := st.Close(); cerr != nil {
			logger.Warn("closing the session store", "err", cerr)
		}
		return fmt.Errorf("export secret: %w", err)
	}
	srv, err := proxy.New(proxy.Config{
		Store:                  st,
		ExportSecret:           exportSecret,
		Logger:                 logger,
		Password:               cfg.Password,
		RestrictSessionToIP:    cfg.RestrictSessionToIP,
		TrustedProxies:         cfg.TrustedProxies,
		PublicScheme:           cfg.PublicScheme,
		PublicHost:             cfg.PublicHost,
		PublicPort:             cfg.PublicPort,
		StripRequestHeaders:    cfg.StripRequestHeaders,
		RewriteResponseHeaders: cfg.RewriteResponseHeaders,
		MaxBodyBytes:           cfg.MaxBodyBytes,
		UpstreamTimeout:        cfg.UpstreamTimeout,
	})
	if err != nil {
		ln.Close()
		if cerr := st.Close(); cerr != nil {
			logger.Warn("closing the session store", "err", cerr)
		}
		return fmt.Errorf("proxy: %w", err)
	}
	defer func() {
		if cerr := srv.Close(); cerr != nil {
			logger.Error("closing the server and its session store", "err", cerr)
			if err == nil {
				err = fmt.Errorf("close: %w", cerr)
			}
		} else {
			logger.Info("session store closed")
		}
	}()

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 20 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(func() { logger.Info("stopped accepting connections") })
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()

	url := fmt.Sprintf("http://%s", net.JoinHostPort(displayHost(bound.IP), strconv.Itoa(bound.Port)))
	logger.Info("listening on "+bound.String(), "addr", bound.String(), "url", url,
		"store", cfg.Store.String(), "log_level", logLevelLabel(cfg))
	if exposedWithoutPassword(bound.IP, cfg.Password) {
		logger.Warn("listening beyond loopback without a password: anyone who can reach " + bound.String() +
			" can create sessions and use this proxy; set --password")
	}
	if onListen != nil {
		onListen(bound)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		logger.Warn("in-flight requests did not finish in time; closing them", "err", err)
		hs.Close()
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("serve", "err", err)
	}
	return nil
}

func displayHost(ip net.IP) string {
	if ip.IsUnspecified() {
		if ip.To4() != nil {
			return "127.0.0.1"
		}
		return "::1"
	}
	return ip.String()
}

func logLevelLabel(cfg config) string {
	if cfg.LogDisabled {
		return "disabled"
	}
	return levelName(cfg.LogLevel)
}

// exposedWithoutPassword reports whether a server bound to ip can be
// reached from other machines while no password protects it.
func exposedWithoutPassword(ip net.IP, password string) bool {
	return password == "" && !ip.IsLoopback()
}
