package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/pgcluster"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
)

// run is the whole program; main only calls it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o catalogseed.Options
	fs := flag.NewFlagSet("ohis-seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Suppliers, "suppliers", 20, "number of suppliers")
	fs.IntVar(&o.ProductsPerSupplier, "products", 5000, "products per supplier and environment")
	fs.IntVar(&o.VariablePercent, "variable", 20, "percentage of variable products (-1 for none)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed gives the same catalogue")
	envs := fs.String("env", "production", "comma-separated environments, one connection each per supplier")
	fs.IntVar(&o.ProductionPercent, "production", 100, "percentage of suppliers admitted to production (-1 for none)")
	fs.IntVar(&o.Curation.Approved, "approved", 80, "percentage of products approved")
	fs.IntVar(&o.Curation.Rejected, "rejected", 4, "percentage of products rejected")
	fs.IntVar(&o.Curation.Changed, "changed", 4, "percentage of products changed after approval (back in review)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, e := range strings.Split(*envs, ",") {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(o.Environments, e) {
			o.Environments = append(o.Environments, e)
		}
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if cfg.Mode == config.ModeProduction {
		return errors.New("refusing to seed made-up suppliers and products in production mode")
	}
	if err := cfg.EnsureDevKeys(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The database `ohis serve` uses (internal/app.Database), without
	// building the whole application.
	url := cfg.DatabaseURL
	if url == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(cfg.DataDir, "pg"), Logger: logger, Install: true})
		if err != nil {
			return fmt.Errorf("starting the private PostgreSQL (set DATABASE_URL to use another): %w", err)
		}
		if cluster.Started() {
			defer cluster.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // best effort on exit
		}
		if err := cluster.EnsureDatabase(ctx, "ohis"); err != nil {
			return err
		}
		url = cluster.URL("ohis")
	}
	if err := store.Migrate(ctx, url, logger); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer pool.Close()
	if o.Box, err = secret.NewBox(cfg.EncryptionKeys); err != nil {
		return err
	}

	res, err := catalogseed.Seed(ctx, store.New(pool), o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded in %s (seed %d)\n", res.Took.Round(1e6), o.Seed)
	fmt.Fprintf(stdout, "  suppliers           %8d (ids %d–%d)\n", len(res.SupplierIDs), res.SupplierIDs[0], res.SupplierIDs[len(res.SupplierIDs)-1])
	fmt.Fprintf(stdout, "  connections         %8d\n", len(res.ConnectionIDs))
	fmt.Fprintf(stdout, "  platform categories %8d\n", res.PlatformCategories)
	fmt.Fprintf(stdout, "  categories          %8d\n", res.Categories)
	fmt.Fprintf(stdout, "  brands              %8d\n", res.Brands)
	fmt.Fprintf(stdout, "  products            %8d (%d variable, %d variants)\n", res.Products, res.VariableProducts, res.Variants)
	for _, s := range []string{"approved", "changed", "pending", "rejected"} {
		fmt.Fprintf(stdout, "    %-17s %8d\n", s, res.ByStatus[s])
	}
	if res.Visible >= 0 {
		fmt.Fprintf(stdout, "  visible to residents %7d\n", res.Visible)
	}
	return nil
}
