package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/demo"
	"github.com/wujw/ohis/internal/pgcluster"
)

const (
	clusterDir = "data/pgbench"
	database   = "ohis_bench"
)

// portal is the application running in this process.
type portal struct {
	url       string
	pgVersion string
	pgPID     int // the private cluster's postmaster, 0 with DATABASE_URL
	stop      func() error
}

// startPortal builds the real application like `ohis serve --demo` does, on
// a fresh database, and serves it on a TCP port of 127.0.0.1.
func startPortal(ctx context.Context, getenv func(string) string, stderr io.Writer) (_ *portal, err error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var cleanups []func() error
	cleanup := func() error {
		var errs []error
		for i := len(cleanups) - 1; i >= 0; i-- {
			errs = append(errs, cleanups[i]())
		}
		cleanups = nil
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, cleanup())
		}
	}()

	dbURL := getenv("DATABASE_URL")
	if dbURL == "" {
		fmt.Fprintf(stderr, "starting the private PostgreSQL under %s\n", clusterDir)
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: clusterDir, Install: true})
		if err != nil {
			return nil, fmt.Errorf("starting the private PostgreSQL (or set DATABASE_URL): %w", err)
		}
		if cluster.Started() {
			cleanups = append(cleanups, func() error {
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				return cluster.Stop(stopCtx)
			})
		}
		if err := recreateDatabase(ctx, cluster); err != nil {
			return nil, err
		}
		dbURL = cluster.URL(database)
	} else {
		fmt.Fprintln(stderr, "using DATABASE_URL as is (not recreated)")
	}

	// The base URL is the listener's, so listen before building the app.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() error { _ = ln.Close(); return nil }) // a.Serve closes it too
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATABASE_URL":         dbURL,
		"OHIS_BASE_URL":        base,
		"OHIS_LOG_LEVEL":       "error",
		"OHIS_SESSION_KEYS":    "bench:" + config.NewKey(),
		"OHIS_ENCRYPTION_KEYS": "bench:" + config.NewKey(),
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() error { a.Close(); return nil })
	if err := demo.Seed(ctx, a.Store, a.Auth); err != nil {
		return nil, fmt.Errorf("loading demo data: %w", err)
	}
	p := &portal{url: base}
	if getenv("DATABASE_URL") == "" {
		p.pgPID = postmasterPID(filepath.Join(clusterDir, "data"))
	}
	if err := a.Pool.QueryRow(ctx, "SHOW server_version").Scan(&p.pgVersion); err != nil {
		return nil, fmt.Errorf("asking the server version: %w", err)
	}

	serveCtx, cancel := context.WithCancel(ctx)
	served := make(chan struct{})
	var serveErr error
	go func() {
		defer close(served)
		serveErr = a.Serve(serveCtx, ln)
	}()
	cleanups = append(cleanups, func() error {
		cancel()
		<-served
		return serveErr
	})
	if err := waitHealthy(ctx, base, served, &serveErr); err != nil {
		return nil, err
	}
	p.stop = cleanup
	return p, nil
}

// recreateDatabase drops and creates the benchmark database, so every run
// starts from the same data.
func recreateDatabase(ctx context.Context, cluster *pgcluster.Cluster) error {
	conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connecting to the private PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{database}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping database %s: %w", database, err)
	}
	return cluster.EnsureDatabase(ctx, database)
}

// waitHealthy waits until the portal answers /healthz, or Serve failed.
func waitHealthy(ctx context.Context, base string, served <-chan struct{}, serveErr *error) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				c.CloseIdleConnections()
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("portal not healthy after 30s: %w", err)
		}
		select {
		case <-served:
			return fmt.Errorf("portal stopped: %v", *serveErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
