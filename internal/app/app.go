// Package app wires OHIS together: database, job runner, domain services and
// the portal. Building is separate from listening, so tests run the real
// application in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/outbox"
	"github.com/wujw/ohis/internal/pgcluster"
	"github.com/wujw/ohis/internal/portal"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/internal/syncer"
	webauth "github.com/wujw/ohis/web/auth"
)

// App is a wired OHIS.
type App struct {
	Config   *config.Config
	Logger   *slog.Logger
	Pool     *pgxpool.Pool
	Store    *store.Store
	River    *river.Client[pgx.Tx]
	Auth     *auth.Service
	Supplier *supplier.Service
	Box      *secret.Box
	Portal   *portal.Server
	// Connections manages suppliers' webshop connections; it is also the
	// syncer's Opener.
	Connections *connections.Service
	// Syncer keeps the connected catalogues current (jobs, webhooks).
	Syncer *syncer.Service
	// Conformance runs the custom-API conformance reports.
	Conformance *conformance.Service
	// Curation decides which synced products appear (issue 5).
	Curation *curation.Service

	cluster *pgcluster.Cluster
}

// Options tune New for commands and tests.
type Options struct {
	// DemoLogins are shown on the login page.
	DemoLogins []webauth.DemoLogin
	// NoJobs builds an insert-only job client (for one-shot commands).
	NoJobs bool
}

// Database returns the database URL to use, starting the private cluster
// under the data folder when DATABASE_URL is not set.
func Database(ctx context.Context, cfg *config.Config, logger *slog.Logger) (string, *pgcluster.Cluster, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil, nil
	}
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(cfg.DataDir, "pg"), Logger: logger, Install: true})
	if err != nil {
		return "", nil, fmt.Errorf("starting the private PostgreSQL (set DATABASE_URL to use another): %w", err)
	}
	if err := cluster.EnsureDatabase(ctx, "ohis"); err != nil {
		return "", nil, err
	}
	return cluster.URL("ohis"), cluster, nil
}

// New connects, migrates and wires everything, without listening yet.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger, opts Options) (*App, error) {
	if err := cfg.EnsureDevKeys(); err != nil {
		return nil, err
	}
	url, cluster, err := Database(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, cluster: cluster}
	if err := store.Migrate(ctx, url, logger); err != nil {
		a.stopCluster()
		return nil, err
	}
	poolCfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		a.stopCluster()
		return nil, fmt.Errorf("parsing database URL: %w", err)
	}
	// pgxpool's default (4 per CPU, at least 4) unless the URL sets
	// pool_max_conns: more backends than cores only add context switches,
	// and River keeps one connection for LISTEN.
	if !strings.Contains(url, "pool_max_conns") {
		poolCfg.MaxConns = int32(max(8, 4*runtime.NumCPU()))
	}
	if a.Pool, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		a.stopCluster()
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	a.Store = store.New(a.Pool)

	workers := river.NewWorkers()
	var sender mail.Sender
	if cfg.SMTP.Host != "" {
		sender = mail.NewSMTPSender(mail.SMTPConfig{
			Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password,
			TLS: cfg.SMTP.TLS, Timeout: 30 * time.Second,
		})
		river.AddWorker(workers, &outbox.DeliverWorker{Store: a.Store, Sender: sender, From: cfg.SMTP.From, Logger: logger})
	}
	river.AddWorker(workers, &auth.CleanupWorker{Store: a.Store, IdleTimeout: cfg.SessionIdleTimeout, Logger: logger})
	river.AddWorker(workers, &curation.BulkWorker{Store: a.Store, Logger: logger})
	river.AddWorker(workers, &curation.SearchWordsWorker{Store: a.Store})
	// The catalogue syncer registers its workers now; its opener, mailer
	// and job client are set below, once they exist.
	a.Syncer = syncer.New(syncer.Deps{Store: a.Store, Pool: a.Pool, Logger: logger, Config: cfg.Sync, BaseURL: cfg.BaseURL})
	a.Syncer.AddWorkers(workers)
	// The custom-API conformance report: its box, credentials and job
	// client are wired below, once they exist.
	a.Conformance = conformance.New(conformance.DepsFromConfig(cfg, a.Store, logger))
	a.Conformance.AddWorkers(workers)
	riverCfg := &river.Config{Logger: logger, Workers: workers}
	if !opts.NoJobs {
		riverCfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 10},
			outbox.Queue:       {MaxWorkers: 2},
		}
		for name, q := range syncer.Queues() {
			riverCfg.Queues[name] = q
		}
		riverCfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return auth.CleanupArgs{}, nil },
				&river.PeriodicJobOpts{ID: "auth_cleanup", RunOnStart: true}),
		}
		riverCfg.PeriodicJobs = append(riverCfg.PeriodicJobs, a.Syncer.PeriodicJobs()...)
		riverCfg.PeriodicJobs = append(riverCfg.PeriodicJobs, curation.PeriodicJobs()...)
	}
	if a.River, err = river.NewClient(riverpgxv5.New(a.Pool), riverCfg); err != nil {
		a.Close()
		return nil, fmt.Errorf("creating job client: %w", err)
	}
	mailer := outbox.New(a.River, sender != nil)
	a.Auth = auth.NewService(a.Store, mailer, logger, auth.Options{
		BaseURL: cfg.BaseURL, IdleTimeout: cfg.SessionIdleTimeout, MaxAge: cfg.SessionMaxAge,
	})
	if a.Box, err = secret.NewBox(cfg.EncryptionKeys); err != nil {
		a.Close()
		return nil, err
	}
	a.Supplier = supplier.NewService(a.Store, a.Auth, mailer, a.Box, logger, cfg.BaseURL)
	a.Conformance.Wire(a.Box, a.Supplier, a.River)
	a.Supplier.SetReviewHook(a.Conformance)
	a.Supplier.AllowPrivateAPIs(cfg.Sync.AllowPrivateShops)
	a.Connections = connections.New(connections.Deps{Store: a.Store, Box: a.Box, Config: cfg, Logger: logger})
	a.Syncer.SetOpener(a.Connections)
	a.Syncer.SetMailer(mailer)
	a.Syncer.SetClient(a.River)
	a.Connections.SetSyncer(a.Syncer)
	a.Curation = curation.New(a.Store, a.River, logger)
	a.Syncer.SetHook(a.Curation)
	a.Portal = portal.New(portal.Deps{
		Config: cfg, Logger: logger, Pool: a.Pool, Store: a.Store, Auth: a.Auth, Supplier: a.Supplier, Mailer: mailer, DemoLogins: opts.DemoLogins,
		Connections: a.Connections, Syncer: a.Syncer, Curation: a.Curation,
		Conformance: a.Conformance,
	})
	return a, nil
}

// Serve starts the job runner and serves HTTP on ln until ctx ends, then
// shuts down in order: HTTP first (finish requests), then jobs (soft stop),
// then the database.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// River hard-stops when its start context ends; shutdown below stops it
	// softly first, so it must not see the signal directly.
	if err := a.River.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting job runner: %w", err)
	}
	srv := &http.Server{
		Handler:           a.Portal,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.Logger.Warn("http shutdown", slog.Any("error", err))
	}
	if err := a.River.Stop(shutCtx); err != nil {
		a.Logger.Warn("job runner did not stop in time; cancelling jobs", slog.Any("error", err))
		hardCtx, cancelHard := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancelHard()
		_ = a.River.StopAndCancel(hardCtx)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// Close releases the database and stops a private cluster this process
// started.
func (a *App) Close() {
	if a.Pool != nil {
		a.Pool.Close()
	}
	a.stopCluster()
}

func (a *App) stopCluster() {
	if a.cluster != nil && a.cluster.Started() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.cluster.Stop(ctx); err != nil {
			a.Logger.Warn("stopping private PostgreSQL", slog.Any("error", err))
		}
	}
}
