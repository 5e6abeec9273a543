package pgcluster

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDir returns a fresh cluster folder. t.TempDir makes 0700 folders, which
// the ohis-pg user could not traverse when the tests run as root.
func testDir(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, p := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(base, "pg")
}

// start calls Start, skipping the test when PostgreSQL is unavailable, and
// stops the server at the end if this call started it.
func start(t *testing.T, ctx context.Context, dir string) *Cluster {
	t.Helper()
	c, err := Start(ctx, Options{Dir: dir, Install: true, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if errors.Is(err, ErrNotInstalled) {
		t.Skipf("PostgreSQL not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.Started() {
		t.Cleanup(func() {
			if err := c.Stop(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	return c
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func query(t *testing.T, ctx context.Context, url, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestStartReuseStopRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := testDir(t)

	c1 := start(t, ctx, dir)
	if !c1.Started() {
		t.Fatal("first Start on a fresh folder: Started() = false")
	}
	if got := query(t, ctx, c1.URL("postgres"), "SELECT 1"); got != 1 {
		t.Fatalf("SELECT 1 = %d", got)
	}
	for range 2 { // the second call must see the database and do nothing
		if err := c1.EnsureDatabase(ctx, "ohis"); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, c1.URL("ohis"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	c2 := start(t, ctx, dir)
	if c2.Started() {
		t.Fatal("second Start on a running cluster: Started() = true")
	}
	if got := query(t, ctx, c2.URL("ohis"), "SELECT x FROM kept"); got != 42 {
		t.Fatalf("via reused cluster: x = %d", got)
	}

	if err := c1.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if c1.running(ctx) {
		t.Fatal("server still running after Stop")
	}
	if err := c1.Stop(ctx); err != nil {
		t.Fatalf("Stop on a stopped server: %v", err)
	}

	c3 := start(t, ctx, dir)
	if !c3.Started() {
		t.Fatal("Start after Stop: Started() = false")
	}
	if got := query(t, ctx, c3.URL("ohis"), "SELECT x FROM kept"); got != 42 {
		t.Fatalf("after restart: x = %d", got)
	}
}

func TestConcurrentStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := testDir(t)

	var wg sync.WaitGroup
	clusters := make([]*Cluster, 2)
	errs := make([]error, 2)
	for i := range clusters {
		wg.Go(func() { clusters[i], errs[i] = Start(ctx, Options{Dir: dir, Install: true}) })
	}
	wg.Wait()
	for _, err := range errs {
		if errors.Is(err, ErrNotInstalled) {
			t.Skipf("PostgreSQL not available: %v", err)
		}
	}
	started := 0
	for i, c := range clusters {
		if errs[i] != nil {
			t.Fatalf("Start #%d: %v", i, errs[i])
		}
		if c.Started() {
			started++
			t.Cleanup(func() { _ = c.Stop(context.Background()) })
		}
		if got := query(t, ctx, c.URL("postgres"), "SELECT 1"); got != 1 {
			t.Fatalf("cluster %d: SELECT 1 = %d", i, got)
		}
	}
	if started != 1 {
		t.Fatalf("%d of 2 concurrent Start calls report Started(), want exactly 1", started)
	}
}

func TestURLParsesWithPgx(t *testing.T) {
	c := &Cluster{socketDir: "/tmp/a dir/with?odd&chars"}
	cfg, err := pgx.ParseConfig(c.URL("my db"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != c.socketDir || cfg.Port != port || cfg.User != superuser || cfg.Database != "my db" {
		t.Fatalf("parsed %q as host=%q port=%d user=%q db=%q", c.URL("my db"), cfg.Host, cfg.Port, cfg.User, cfg.Database)
	}
}

func TestSocketDirForLongPaths(t *testing.T) {
	short := "/srv/ohis/data/pg"
	if got := socketDirFor(short); got != short+"/run" {
		t.Errorf("socketDirFor(%q) = %q", short, got)
	}
	long := "/" + strings.Repeat("x", 120)
	got := socketDirFor(long)
	if !strings.HasPrefix(got, filepath.Join(os.TempDir(), "ohis-pg-")) || len(filepath.Base(got)) != len("ohis-pg-")+8 {
		t.Errorf("socketDirFor(long) = %q, want a short folder in the temp dir", got)
	}
	if socketDirFor(long) != got {
		t.Error("socketDirFor is not stable")
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		sign int
	}{{"9.6", "15", -1}, {"16", "15", 1}, {"15", "15", 0}, {"10", "9.6", 1}} {
		got := compareVersions(tc.a, tc.b)
		if (got > 0) != (tc.sign > 0) || (got < 0) != (tc.sign < 0) {
			t.Errorf("compareVersions(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.sign)
		}
	}
}
