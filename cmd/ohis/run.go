package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/demo"
	"github.com/wujw/ohis/internal/store"
)

const usage = `usage: ohis [command] [flags]

commands:
  serve [--demo]     run the portal and the job runner (default)
  migrate            apply database migrations and exit
  user create --email E --role admin|curator|support|supplier [--name N] [--supplier ID]
                     create a user; the password is read from standard input
  sync --connection ID [--full | --reconcile]
                     sync one webshop connection in the foreground (default:
                     the changes since the last sync) and print a summary
  keygen             print a fresh key for OHIS_SESSION_KEYS / OHIS_ENCRYPTION_KEYS
`

// run is the whole program; main only calls it. Everything from outside
// (arguments, environment, standard streams) comes in as parameters.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "keygen":
		fmt.Fprintln(stdout, config.NewKey())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, cfg, logger)
	case "sync":
		return syncCommand(ctx, cfg, logger, rest, stdout, stderr)
	case "user":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New("usage: ohis user create --email E --role R [--name N] [--supplier ID]")
		}
		return userCreate(ctx, cfg, logger, rest[1:], stdin, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demoFlag := fs.Bool("demo", cfg.Demo, "load demo data and show demo logins")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demoFlag && cfg.Mode == config.ModeProduction {
		return errors.New("--demo cannot be used in production mode")
	}
	cfg.Demo = *demoFlag
	opts := app.Options{}
	if cfg.Demo {
		opts.DemoLogins = demo.Logins()
		// The demo's webshops run on loopback ports of this machine.
		cfg.Sync.AllowPrivateShops = true
	}
	a, err := app.New(ctx, cfg, logger, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	var shops []*demo.Shop
	if cfg.Demo {
		if err := demo.Seed(ctx, a.Store, a.Auth); err != nil {
			return err
		}
		if err := demo.SeedAdmission(ctx, a.Store, a.Supplier); err != nil {
			return err
		}
		if err := demo.SeedSupport(ctx, a.Store); err != nil {
			return err
		}
		var stopShops func()
		if shops, stopShops, err = demo.StartShops(logger); err != nil {
			return err
		}
		defer stopShops()
		if err := demo.SeedConnections(ctx, a.Store, a.Supplier, a.Connections, shops); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.ListenAddr, err)
	}
	fmt.Fprintf(stdout, "\nOHIS portal: %s\n", cfg.BaseURL)
	if cfg.Demo {
		fmt.Fprintln(stdout, "\nDemo logins (password for all: "+demo.Password+"):")
		for _, l := range demo.Logins() {
			fmt.Fprintf(stdout, "  %-36s %s\n", l.Email, l.Role)
		}
		fmt.Fprintln(stdout, "\nDemo webshops (change prices, stock and products there; OHIS follows):")
		for _, sh := range shops {
			fmt.Fprintf(stdout, "  %-18s %s  (%s)\n", sh.Name, sh.AdminURL, sh.Supplier)
		}
	}
	fmt.Fprintln(stdout, "\nStop with Ctrl+C.")
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	url, cluster, err := app.Database(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if cluster != nil && cluster.Started() {
		defer cluster.Stop(context.WithoutCancel(ctx)) //nolint:errcheck // best effort on exit
	}
	if err := store.Migrate(ctx, url, logger); err != nil {
		return err
	}
	logger.Info("migrations current")
	return nil
}

func userCreate(ctx context.Context, cfg *config.Config, logger *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, curator, support or supplier (required)")
	supplier := fs.Int64("supplier", 0, "supplier id (required for role supplier)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || !account.Role(*role).Valid() {
		return errors.New("--email and a valid --role (admin, curator, support, supplier) are required")
	}
	var supplierID *int64
	if *supplier != 0 {
		supplierID = supplier
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return errors.New("no password on standard input")
	}
	a, err := app.New(ctx, cfg, logger, app.Options{NoJobs: true})
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(ctx, audit.Actor{Email: "cli"}, auth.NewAccount{
		Email: *email, Name: *name, Role: account.Role(*role), SupplierID: supplierID, Password: password,
	})
	var weak auth.ErrWeakPassword
	switch {
	case errors.As(err, &weak):
		return fmt.Errorf("password refused: %s", weak.Reason)
	case errors.Is(err, auth.ErrEmailTaken):
		return fmt.Errorf("a user with e-mail %s already exists", *email)
	case errors.Is(err, auth.ErrSupplierRequired):
		return errors.New("role supplier needs --supplier ID; other roles must not have one")
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("supplier %d does not exist", *supplier)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "created user %d (%s, %s)\n", u.ID, u.Email, u.Role)
	return nil
}
