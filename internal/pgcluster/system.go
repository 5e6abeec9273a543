package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// systemUserName is the unprivileged account the server runs as when we are
// root; PostgreSQL refuses to run as root.
const systemUserName = "ohis-pg"

// binaries are the server programs of one PostgreSQL installation.
type binaries struct {
	dir                     string // for logging only
	initdb, pgCtl, postgres string
}

// findOrInstall locates the server binaries, installing them with apt-get
// when allowed and needed.
func findOrInstall(ctx context.Context, logger *slog.Logger, version string, install bool) (binaries, error) {
	if b, ok := findBinaries(version); ok {
		return b, nil
	}
	if !install {
		return binaries{}, fmt.Errorf("%w in PATH or /usr/lib/postgresql/*/bin: install the PostgreSQL server "+
			"(Debian/Ubuntu: `apt-get install postgresql`) or set DATABASE_URL", ErrNotInstalled)
	}
	logger.Info("PostgreSQL server not found; installing it with apt-get")
	if err := aptInstall(ctx); err != nil {
		return binaries{}, err
	}
	if b, ok := findBinaries(version); ok {
		return b, nil
	}
	return binaries{}, fmt.Errorf("%w even after `apt-get install postgresql`", ErrNotInstalled)
}

// findBinaries looks, in order, in /usr/lib/postgresql/<version>/bin (the
// version an existing data folder needs), in PATH (Debian does not put initdb
// there, but other systems do), and in the newest /usr/lib/postgresql/*/bin.
func findBinaries(version string) (binaries, bool) {
	inDir := func(dir string) (binaries, bool) {
		b := binaries{dir: dir, initdb: filepath.Join(dir, "initdb"),
			pgCtl: filepath.Join(dir, "pg_ctl"), postgres: filepath.Join(dir, "postgres")}
		for _, path := range []string{b.initdb, b.pgCtl, b.postgres} {
			if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				return binaries{}, false
			}
		}
		return b, true
	}
	if version != "" {
		if b, ok := inDir(filepath.Join("/usr/lib/postgresql", version, "bin")); ok {
			return b, true
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	postgres, err3 := exec.LookPath("postgres")
	if err1 == nil && err2 == nil && err3 == nil {
		return binaries{dir: filepath.Dir(pgCtl), initdb: initdb, pgCtl: pgCtl, postgres: postgres}, true
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // newest version first
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if b, ok := inDir(dir); ok {
			return b, true
		}
	}
	return binaries{}, false
}

// compareVersions orders dotted versions numerically ("9.6" < "15").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// aptInstall installs the Debian/Ubuntu server packages, as root directly or
// through passwordless sudo. Failures wrap ErrNotInstalled.
func aptInstall(ctx context.Context) error {
	aptGet, err := exec.LookPath("apt-get")
	if err != nil {
		return fmt.Errorf("%w and apt-get is not available: install the PostgreSQL server or set DATABASE_URL", ErrNotInstalled)
	}
	var prefix []string
	if os.Geteuid() != 0 {
		sudo, err := exec.LookPath("sudo")
		if err != nil {
			return fmt.Errorf("%w: run `sudo apt-get install postgresql` (not root and no sudo available)", ErrNotInstalled)
		}
		prefix = []string{sudo, "-n"}
	}
	steps := [][]string{
		{"update"},
		{"install", "-y", "--no-install-recommends", "postgresql", "postgresql-contrib"},
	}
	for _, step := range steps {
		// env(1) passes DEBIAN_FRONTEND through sudo, which resets the environment.
		argv := append(slices.Clone(prefix), "env", "DEBIAN_FRONTEND=noninteractive", aptGet, "-o", "DPkg::Lock::Timeout=300")
		argv = append(argv, step...)
		out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			return fmt.Errorf("%w; `%s` failed: %w\n%s", ErrNotInstalled, strings.Join(argv, " "), err,
				strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
	}
	return nil
}

// systemUser returns credentials of the ohis-pg account, creating it if
// needed. Supplementary groups are cleared so root's groups do not leak.
func systemUser(ctx context.Context, logger *slog.Logger) (*syscall.Credential, error) {
	u, err := user.Lookup(systemUserName)
	if err != nil {
		logger.Info("creating system user for PostgreSQL", "user", systemUserName)
		out, addErr := exec.CommandContext(ctx, "useradd", "--system", "--no-create-home",
			"--shell", "/usr/sbin/nologin", systemUserName).CombinedOutput()
		// A concurrent process may have created it first: look up again.
		if u, err = user.Lookup(systemUserName); err != nil {
			return nil, fmt.Errorf("pgcluster: create user %s (PostgreSQL refuses to run as root): %w: %s",
				systemUserName, errors.Join(addErr, err), strings.TrimSpace(string(out)))
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgcluster: user %s has non-numeric ids: %w", systemUserName, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// checkTraversable makes sure the server user can reach dir. We do not chmod
// folders we did not create (they may be system or home folders); we say
// which one is in the way instead.
func checkTraversable(dir string) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: stat %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgcluster: folder %s (mode %v) is not traversable by others, but the private PostgreSQL "+
				"runs as user %s and must reach %s: run `chmod o+x %s` or choose another folder",
				p, fi.Mode().Perm(), systemUserName, dir, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// chownTree hands dir and everything below it to the server user, touching
// only entries that are not already its own.
func chownTree(dir string, cred *syscall.Credential) error {
	// A running server creates and drops files while we walk (another test
	// process dropping its database): a vanished entry is not an error.
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid == cred.Uid && st.Gid == cred.Gid {
			return nil
		}
		if err := os.Lchown(path, int(cred.Uid), int(cred.Gid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgcluster: chown %s to %s: %w", dir, systemUserName, err)
	}
	return nil
}

// mkdirAll creates dir and any missing parents as 0755 regardless of umask,
// so that the server user can traverse the folders we made.
func mkdirAll(dir string) error {
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil || p == filepath.Dir(p) {
			break
		}
		missing = append(missing, p)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pgcluster: create %s: %w", dir, err)
	}
	for _, p := range missing {
		if err := os.Chmod(p, 0o755); err != nil {
			return fmt.Errorf("pgcluster: chmod %s: %w", p, err)
		}
	}
	return nil
}

// lockFile takes an exclusive flock on path, polling so that ctx can cancel
// the wait. flock locks belong to the open file, so goroutines of one process
// exclude each other as well as other processes do.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	// Read-only suffices for flock and lets other users lock a file root made.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("pgcluster: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("pgcluster: waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// command prepares a PostgreSQL program run: as the server user when we are
// root, in its own session (so a Ctrl-C aimed at our terminal does not shut
// the server down behind our back), and without PG* variables that could
// override our data folder, port or socket.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: c.cred}
	// pg_ctl redirects the server's output to the log file, but guard against
	// a child inheriting our pipes and keeping CombinedOutput waiting.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// stalePidFile reports whether postmaster.pid names a process that is gone,
// a zombie (containers whose init does not reap orphans keep a killed
// postmaster as a zombie, which kill(pid, 0) still reports as alive), or a
// reused pid that now belongs to something other than postgres.
func stalePidFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return true
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false // no /proc: trust kill(2)
	}
	// Format: pid (comm) state ...; comm may itself contain ") ".
	open, closing := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
	if open < 0 || closing < open || closing+2 >= len(stat) {
		return false
	}
	return string(stat[open+1:closing]) != "postgres" || stat[closing+2] == 'Z'
}

// failure builds an error carrying the command output and the tail of the
// server log, which is where PostgreSQL explains why it would not start.
func (c *Cluster) failure(what string, err error, out []byte) error {
	msg := fmt.Sprintf("pgcluster: %s (dir %s): %v", what, c.dir, err)
	if s := strings.TrimSpace(string(out)); s != "" {
		msg += "\n--- output ---\n" + s
	}
	if tail := tailLines(c.logFile, 20); tail != "" {
		msg += "\n--- last lines of " + c.logFile + " ---\n" + tail
	}
	return &detailedError{msg: msg, err: err}
}

// detailedError prints a multi-line report but still unwraps to its cause,
// so callers can use errors.Is/As on it.
type detailedError struct {
	msg string
	err error
}

func (e *detailedError) Error() string { return e.msg }
func (e *detailedError) Unwrap() error { return e.err }

// tailLines returns the last n lines of a file, or "" if it cannot be read.
func tailLines(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
