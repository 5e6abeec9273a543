// Package testdb gives tests a fresh, fully migrated PostgreSQL database each.
//
// The server is the one named by TEST_DATABASE_URL or DATABASE_URL, or else a
// private cluster in <repo root>/data/pgtest (see internal/pgcluster) that is
// left running between test runs; scripts stop it. Migrating once per schema
// version into a template database and cloning it per test keeps each test's
// setup to one CREATE DATABASE.
//
// Only external test packages (package foo_test) of internal/store can use
// this package, since it imports store.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/pgcluster"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/migrations"
)

// advisoryLockKey serialises template builds across test processes (go test
// runs packages in parallel). Any fixed number unlikely to clash will do.
const advisoryLockKey int64 = 0x0415_7e57_db00_0001

// server is the per-process state, built once.
type server struct {
	admin    *pgxpool.Pool              // connection to the maintenance database
	urlFor   func(dbname string) string // URL of another database on the server
	template string                     // name of the migrated template database
}

var (
	setupOnce sync.Once
	srv       *server
	setupErr  error
)

// New returns a pgxpool connected to a fresh database for this test, migrated,
// dropped at test end.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := URL(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("testdb: connect to test database: %v", err)
	}
	// Registered after URL's drop, so it runs before it: DROP needs the
	// pool's connections gone (FORCE would kill them, but noisily).
	t.Cleanup(pool.Close)
	return pool
}

// URL is like New but returns the connection URL of the fresh database
// instead.
func URL(t testing.TB) string {
	t.Helper()
	setupOnce.Do(func() { srv, setupErr = setup() })
	// In CI a missing database is a failure, never a quiet skip.
	if errors.Is(setupErr, pgcluster.ErrNotInstalled) && os.Getenv("CI") == "" {
		t.Skipf("testdb: no PostgreSQL (set TEST_DATABASE_URL or install the server): %v", setupErr)
	}
	if setupErr != nil {
		t.Fatalf("testdb: %v", setupErr)
	}

	name := "t_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	create := "CREATE DATABASE " + ident(name) + " TEMPLATE " + ident(srv.template)
	if _, err := srv.admin.Exec(ctx, create); err != nil {
		t.Fatalf("testdb: create test database from %s: %v", srv.template, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := srv.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("testdb: drop test database %s: %v", name, err)
		}
	})
	return srv.urlFor(name)
}

// setup connects to the server and makes sure the template for the current
// migrations exists.
func setup() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // may include apt-get install
	defer cancel()

	s := &server{}
	local := false
	if base := firstEnv("TEST_DATABASE_URL", "DATABASE_URL"); base != "" {
		s.urlFor = func(db string) string { return withDatabase(base, db) }
		var err error
		if s.admin, err = pgxpool.New(ctx, base); err != nil {
			return nil, fmt.Errorf("connect to test server: %w", err)
		}
	} else {
		root, err := repoRoot()
		if err != nil {
			return nil, err
		}
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(root, "data", "pgtest"), Install: true})
		if err != nil {
			return nil, err
		}
		local = true
		s.urlFor = cluster.URL
		if s.admin, err = pgxpool.New(ctx, cluster.URL("postgres")); err != nil {
			return nil, fmt.Errorf("connect to private test cluster: %w", err)
		}
	}

	hash, err := migrationsHash()
	if err != nil {
		return nil, err
	}
	s.template = "ohis_template_" + hash
	if err := s.buildTemplate(ctx, local); err != nil {
		s.admin.Close()
		return nil, err
	}
	return s, nil
}

// buildTemplate creates and migrates the template unless another process
// already did. It migrates under a scratch name and renames at the end, so a
// process killed mid-migration never leaves a half-migrated template behind.
func (s *server) buildTemplate(ctx context.Context, dropOld bool) error {
	conn, err := s.admin.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to test server: %w", err)
	}
	defer conn.Release()
	// Session-level lock: it must be released on this same connection.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", advisoryLockKey); err != nil {
		return fmt.Errorf("take template lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", advisoryLockKey) //nolint:errcheck // the session ends soon anyway

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", s.template).Scan(&exists); err != nil {
		return fmt.Errorf("look up template %s: %w", s.template, err)
	}
	if exists {
		return nil
	}

	build := s.template + "_build"
	run := func(sql string) error {
		_, err := conn.Exec(ctx, sql)
		return err
	}
	if err := run("DROP DATABASE IF EXISTS " + ident(build) + " WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop leftover %s: %w", build, err)
	}
	if err := run("CREATE DATABASE " + ident(build)); err != nil {
		return fmt.Errorf("create %s: %w", build, err)
	}
	if err := store.Migrate(ctx, s.urlFor(build), slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}
	// RENAME waits a few seconds for Migrate's connections to finish closing.
	if err := run("ALTER DATABASE " + ident(build) + " RENAME TO " + ident(s.template)); err != nil {
		return fmt.Errorf("rename %s to %s: %w", build, s.template, err)
	}
	// IS_TEMPLATE lets any role with CREATEDB clone it and guards it from DROP.
	if err := run("ALTER DATABASE " + ident(s.template) + " WITH IS_TEMPLATE true"); err != nil {
		return fmt.Errorf("mark %s as template: %w", s.template, err)
	}

	if dropOld {
		// Templates of older migration sets only waste disk in our private
		// cluster. On a shared server another checkout may still use them.
		rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'ohis\_template\_%' AND datname <> $1`, s.template)
		if err != nil {
			return fmt.Errorf("list old templates: %w", err)
		}
		old, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("list old templates: %w", err)
		}
		for _, name := range old { // best effort: a clone in progress may hold one
			_ = run("ALTER DATABASE " + ident(name) + " WITH IS_TEMPLATE false")
			_ = run("DROP DATABASE IF EXISTS " + ident(name))
		}
	}
	return nil
}

// migrationsHash fingerprints the migrations compiled into this test binary
// (the same files as <repo root>/migrations/*.sql). File names count too:
// goose takes versions from them.
func migrationsHash() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", fmt.Errorf("list migrations: %w", err)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		data, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return "", fmt.Errorf("read migration %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// repoRoot walks up from the working directory (a package folder under
// go test) to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repo root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// withDatabase returns connString pointing at database db instead. It handles
// both URL and keyword/value ("host=... dbname=...") forms; in the latter a
// later keyword overrides an earlier one.
func withDatabase(connString, db string) string {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		if u, err := url.Parse(connString); err == nil {
			u.Path, u.RawPath = "/"+db, ""
			return u.String()
		}
	}
	return connString + " dbname='" + db + "'"
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
