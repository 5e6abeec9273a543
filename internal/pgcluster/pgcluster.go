// Package pgcluster runs a private, local PostgreSQL cluster for the portal
// and for tests when no DATABASE_URL is configured.
//
// The cluster lives entirely inside one folder (Options.Dir), listens only on
// a unix socket (no TCP, so several clusters never fight over a port) and uses
// trust authentication: the socket directory and socket are mode 0700 and
// owned by the cluster user, so only that user and root can connect.
//
// PostgreSQL refuses to run as root, so when the calling process is root the
// server runs as the unprivileged system user "ohis-pg", created on demand.
package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// superuser is the bootstrap role created by initdb and used in URLs.
	superuser = "ohis"
	// port only names the socket file (.s.PGSQL.5432); there is no TCP listener.
	port = 5432
	// maxSocketPath keeps the socket path safely below sun_path's 108 bytes.
	maxSocketPath = 100
	// confName is our settings file, included from postgresql.conf and
	// rewritten on every start so that a moved Dir gets the right socket path.
	confName = "ohis.conf"
)

// ErrNotInstalled reports that the PostgreSQL server binaries are missing and
// could not be installed. Tests use errors.Is on it to skip instead of fail.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// Options configures a private cluster.
type Options struct {
	Dir    string       // data folder, e.g. "<repo>/data/pg" (created if missing)
	Logger *slog.Logger // may be nil
	// Install: when the server binaries are missing, try `apt-get install -y
	// postgresql` (with apt-get update first) if running as root (or via
	// `sudo -n` if available); otherwise return a clear error saying what to
	// install.
	Install bool
}

// Cluster is a running private cluster.
type Cluster struct {
	dir       string // absolute Options.Dir
	dataDir   string // <dir>/data, the PGDATA
	socketDir string // <dir>/run, or a short folder under os.TempDir()
	logFile   string // <dir>/postgres.log, the server's stderr
	bin       binaries
	cred      *syscall.Credential // non-nil when we must drop root privileges
	logger    *slog.Logger
	started   bool
}

// Start ensures the cluster in opts.Dir is initialised and running and returns
// it. If it is already running (a previous process left it, or another process
// started it), it reuses it and Started() reports false.
//
// Concurrent calls on the same Dir, from goroutines or processes, are
// serialised with an exclusive flock on "<Dir>.lock".
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: resolve %q: %w", opts.Dir, err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if os.Geteuid() == 0 {
		dir = reachableDir(dir, logger)
	}
	if err := mkdirAll(dir); err != nil {
		return nil, err
	}
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()

	c := &Cluster{
		dir:       dir,
		dataDir:   filepath.Join(dir, "data"),
		socketDir: socketDirFor(dir),
		logFile:   filepath.Join(dir, "postgres.log"),
		logger:    logger,
	}
	// Prefer the binaries matching an existing cluster's major version, since
	// a newer postgres cannot open an older data folder.
	pgVersion, _ := os.ReadFile(filepath.Join(c.dataDir, "PG_VERSION"))
	if c.bin, err = findOrInstall(ctx, logger, strings.TrimSpace(string(pgVersion)), opts.Install); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if c.cred, err = systemUser(ctx, logger); err != nil {
			return nil, err
		}
		if err := checkTraversable(dir); err != nil {
			return nil, err
		}
		// The server user must own everything, including data left by an
		// earlier run as another user.
		if err := chownTree(dir, c.cred); err != nil {
			return nil, err
		}
	}
	if err := c.prepareSocketDir(); err != nil {
		return nil, err
	}

	if c.running(ctx) {
		logger.Info("reusing running private PostgreSQL", "dir", dir)
		if err := c.ping(ctx); err != nil {
			return nil, err
		}
		return c, nil
	}
	fresh := len(pgVersion) == 0
	if fresh {
		logger.Info("initialising private PostgreSQL data folder", "dir", dir, "bindir", c.bin.dir)
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.writeConfig(); err != nil {
		return nil, err
	}
	logger.Info("starting private PostgreSQL", "dir", dir, "initialised_anew", fresh, "socket", c.socketDir)
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// URL returns a pgx-compatible connection URL to database over the unix
// socket. The port is spelled out so a PGPORT in the environment cannot
// redirect pgx to a socket name that does not exist.
func (c *Cluster) URL(database string) string {
	// pgx decodes URLs like libpq, where "+" is not a space: spell it %20.
	host := strings.ReplaceAll(url.QueryEscape(c.socketDir), "+", "%20")
	return "postgres://" + superuser + "@/" + url.PathEscape(database) + "?host=" + host + "&port=" + strconv.Itoa(port)
}

// Started reports whether this Start call started the server (as opposed to
// reusing one that was already running).
func (c *Cluster) Started() bool { return c.started }

// Stop shuts the server down with `pg_ctl stop -m fast`. It stops the server
// even if another process started it, so callers normally call it only when
// Started() is true. Stopping a server that is not running is not an error.
func (c *Cluster) Stop(ctx context.Context) error {
	unlock, err := lockFile(ctx, c.dir+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if !c.running(ctx) {
		return nil
	}
	c.logger.Info("stopping private PostgreSQL", "dir", c.dir)
	out, err := c.command(ctx, c.bin.pgCtl, "-D", c.dataDir, "-w", "-t", "60", "-m", "fast", "stop").CombinedOutput()
	if err != nil {
		return c.failure("pg_ctl stop", err, out)
	}
	return nil
}

// EnsureDatabase creates database name unless it already exists. It is safe
// to call concurrently: losing a creation race counts as success.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connect to %s: %w", c.dir, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: create database %q: %w", name, err)
	}
	c.logger.Info("created database", "name", name)
	return nil
}

// socketDirFor picks <dir>/run, unless the socket path would be too long for a
// unix socket address; then a stable per-Dir folder under os.TempDir().
func socketDirFor(dir string) string {
	run := filepath.Join(dir, "run")
	if len(filepath.Join(run, ".s.PGSQL."+strconv.Itoa(port))) <= maxSocketPath {
		return run
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(os.TempDir(), "ohis-pg-"+hex.EncodeToString(sum[:4]))
}

// prepareSocketDir creates the socket folder, owned by the server user and
// private to it, refusing anything that is not a plain folder we may own
// (a shared temp dir could hold a planted symlink).
func (c *Cluster) prepareSocketDir() error {
	if err := os.Mkdir(c.socketDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("pgcluster: create socket dir: %w", err)
	}
	fi, err := os.Lstat(c.socketDir)
	if err != nil {
		return fmt.Errorf("pgcluster: socket dir: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("pgcluster: socket dir %s is not a directory", c.socketDir)
	}
	if c.cred != nil {
		if err := os.Lchown(c.socketDir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: chown socket dir: %w", err)
		}
	} else if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("pgcluster: socket dir %s belongs to uid %d, not to us", c.socketDir, st.Uid)
	}
	if err := os.Chmod(c.socketDir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: chmod socket dir: %w", err)
	}
	return nil
}

// running asks pg_ctl whether a live postmaster owns the data folder (pg_ctl
// exits 0 when running, 3 when not, 4 when there is no data folder), then
// double-checks the pid, since pg_ctl takes a zombie for a live server.
func (c *Cluster) running(ctx context.Context) bool {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err != nil {
		return false
	}
	if c.command(ctx, c.bin.pgCtl, "-D", c.dataDir, "status").Run() != nil {
		return false
	}
	return !stalePidFile(filepath.Join(c.dataDir, "postmaster.pid"))
}

// ping checks that a server we did not start accepts connections on our
// socket (it may have been started with another socket dir, or still be
// starting if it was launched outside Start).
func (c *Cluster) ping(ctx context.Context) error {
	var err error
	for deadline := time.Now().Add(15 * time.Second); ; {
		var conn *pgx.Conn
		if conn, err = pgx.Connect(ctx, c.URL("postgres")); err == nil {
			return conn.Close(ctx)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return c.failure("connect to running server", err, nil)
}

// initdb creates the data folder. It initialises into a scratch folder and
// renames it into place, so a run killed half-way never leaves a data folder
// that looks initialised but is not.
func (c *Cluster) initdb(ctx context.Context) error {
	tmp := c.dataDir + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pgcluster: remove stale %s: %w", tmp, err)
	}
	if fi, err := os.Stat(c.dataDir); err == nil && fi.IsDir() {
		// A data folder without PG_VERSION is unusable; initdb would refuse it.
		c.logger.Warn("removing incomplete PostgreSQL data folder", "dir", c.dataDir)
		if err := os.RemoveAll(c.dataDir); err != nil {
			return fmt.Errorf("pgcluster: remove incomplete %s: %w", c.dataDir, err)
		}
	}
	args := []string{"-D", tmp, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--no-sync"}
	out, err := c.command(ctx, c.bin.initdb, append(args, "--locale=C.UTF-8")...).CombinedOutput()
	if err != nil {
		// Older systems lack the C.UTF-8 locale; plain C sorts bytewise and is
		// always available.
		c.logger.Info("initdb with C.UTF-8 failed, retrying with locale C", "err", err)
		_ = os.RemoveAll(tmp)
		if out2, err2 := c.command(ctx, c.bin.initdb, append(args, "--locale=C")...).CombinedOutput(); err2 != nil {
			return c.failure("initdb", err2, append(out, out2...))
		}
	}
	f, err := os.OpenFile(filepath.Join(tmp, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgcluster: open postgresql.conf: %w", err)
	}
	_, err = fmt.Fprintf(f, "\n# Settings of the private ohis cluster (internal/pgcluster).\ninclude_if_exists = '%s'\n", confName)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgcluster: append to postgresql.conf: %w", err)
	}
	if err := os.Rename(tmp, c.dataDir); err != nil {
		return fmt.Errorf("pgcluster: move initialised data folder into place: %w", err)
	}
	return nil
}

// writeConfig (re)writes our settings. They suit a 2-core dev/test machine:
// durability is traded for speed, since the data is disposable or re-creatable.
func (c *Cluster) writeConfig() error {
	quote := func(s string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
	}
	conf := "# Written by internal/pgcluster on every start; edits are lost.\n" +
		"listen_addresses = ''\n" +
		"port = " + strconv.Itoa(port) + "\n" +
		"unix_socket_directories = " + quote(c.socketDir) + "\n" +
		"unix_socket_permissions = 0700\n" +
		"fsync = off\n" +
		"synchronous_commit = off\n" +
		"full_page_writes = off\n" +
		"max_connections = 200\n" +
		"shared_buffers = 128MB\n"
	path := filepath.Join(c.dataDir, confName)
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("pgcluster: write %s: %w", path, err)
	}
	if c.cred != nil {
		if err := os.Lchown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: chown %s: %w", path, err)
		}
	}
	return nil
}

// start runs pg_ctl start. Lock files left by a killed server
// (postmaster.pid and the socket's .lock) are removed first when their pid is
// gone: postgres only ignores them when kill(pid, 0) fails, which is not the
// case for a zombie or a reused pid. If start still fails and a lock has gone
// stale meanwhile, it tries once more.
func (c *Cluster) start(ctx context.Context) error {
	var out []byte
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		removed, rmErr := c.removeStaleLocks()
		if rmErr != nil {
			return rmErr
		}
		if attempt > 0 && !removed {
			break
		}
		out, err = c.command(ctx, c.bin.pgCtl, "-D", c.dataDir, "-l", c.logFile, "-w", "-t", "60", "start").CombinedOutput()
		if err == nil {
			c.started = true
			return nil
		}
		if c.running(ctx) {
			// Someone outside our lock started it meanwhile: reuse it.
			c.logger.Info("private PostgreSQL was started concurrently; reusing it", "dir", c.dir)
			return c.ping(ctx)
		}
	}
	return c.failure("pg_ctl start", err, out)
}

// removeStaleLocks deletes the server's lock files whose pid is stale and
// reports whether it removed any.
func (c *Cluster) removeStaleLocks() (bool, error) {
	removed := false
	for _, path := range []string{
		filepath.Join(c.dataDir, "postmaster.pid"),
		filepath.Join(c.socketDir, ".s.PGSQL."+strconv.Itoa(port)+".lock"),
	} {
		if !stalePidFile(path) {
			continue
		}
		c.logger.Warn("removing stale PostgreSQL lock file", "file", path)
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("pgcluster: remove stale %s: %w", path, err)
		}
		removed = true
	}
	return removed, nil
}

// reachableDir returns dir when the unprivileged server user can reach it,
// and otherwise a stable stand-in under /var/tmp. A checkout under /root
// (mode 0700), as on CI machines, would else make the cluster impossible
// without loosening a home folder's permissions.
func reachableDir(dir string, logger *slog.Logger) string {
	parent := dir
	for {
		if _, err := os.Stat(parent); err == nil {
			break
		}
		if parent == filepath.Dir(parent) {
			break
		}
		parent = filepath.Dir(parent)
	}
	if checkTraversable(filepath.Join(parent, "x")) == nil {
		return dir
	}
	sum := sha256.Sum256([]byte(dir))
	alt := filepath.Join("/var/tmp", "ohis-pg-"+hex.EncodeToString(sum[:6]))
	logger.Info("data folder not reachable by the PostgreSQL user; using a stand-in", "dir", dir, "stand_in", alt)
	return alt
}
