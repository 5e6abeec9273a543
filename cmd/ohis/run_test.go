package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe for the job runner's goroutines to log
// into while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type result struct {
	err            error
	stdout, stderr string
}

// ohis runs the program as a shell would: arguments, environment, input.
func ohis(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, append([]string{"ohis"}, args...), func(k string) string { return env[k] },
		strings.NewReader(stdin), &stdout, &stderr)
	return result{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// devEnv is a development environment on a fresh database.
func devEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	url := testdb.URL(t)
	return map[string]string{
		"DATABASE_URL":   url,
		"OHIS_DATA_DIR":  t.TempDir(),
		"OHIS_LOG_LEVEL": "warn",
	}, url
}

func connect(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // before testdb drops the database
	return pool
}

func TestKeygen(t *testing.T) {
	t.Parallel()
	// keygen is what an operator runs before production has its secrets,
	// so it must work in a production environment without any.
	env := map[string]string{"OHIS_MODE": "production"}
	a := ohis(t, env, "", "keygen")
	b := ohis(t, env, "", "keygen")
	if a.err != nil || b.err != nil {
		t.Fatalf("keygen: %v / %v", a.err, b.err)
	}
	key := strings.TrimSuffix(a.stdout, "\n")
	if len(key) != 44 || strings.Contains(key, "\n") {
		t.Fatalf("keygen printed %q, want one 44-character line", a.stdout)
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		t.Errorf("key %q decodes to %d bytes (%v), want 32", key, len(raw), err)
	}
	if a.stdout == b.stdout {
		t.Error("two keygen runs printed the same key")
	}
	// The printed key is accepted as configuration, in the documented form.
	if _, err := config.Load(func(k string) string {
		return map[string]string{"OHIS_SESSION_KEYS": "k2026:" + key}[k]
	}); err != nil {
		t.Errorf("configuration refuses a keygen key: %v", err)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	t.Parallel()
	help := ohis(t, nil, "", "help")
	if help.err != nil || !strings.Contains(help.stdout, "usage: ohis") || !strings.Contains(help.stdout, "user create") {
		t.Errorf("help: %v, stdout %q", help.err, help.stdout)
	}

	r := ohis(t, nil, "", "frobnicate")
	if r.err == nil || !strings.Contains(r.err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: error %v", r.err)
	}
	if !strings.Contains(r.stderr, "usage: ohis") || !strings.Contains(r.stderr, "keygen") {
		t.Errorf("unknown command did not print the usage on stderr: %q", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("unknown command wrote to stdout: %q", r.stdout)
	}

	if r := ohis(t, nil, "", "user", "delete"); r.err == nil || !strings.Contains(r.err.Error(), "usage: ohis user create") {
		t.Errorf("user delete: %v", r.err)
	}
}

var createdRe = regexp.MustCompile(`^created user (\d+) \(([^,]+), (\w+)\)\n$`)

func TestUserCreate(t *testing.T) {
	t.Parallel()
	env, url := devEnv(t)
	st := store.New(connect(t, url))
	ctx := context.Background()

	r := ohis(t, env, "a-long-password\n", "user", "create", "--email", "x@y.nl", "--role", "curator", "--name", "Xander")
	if r.err != nil {
		t.Fatalf("user create: %v\nstderr: %s", r.err, r.stderr)
	}
	m := createdRe.FindStringSubmatch(r.stdout)
	if m == nil || m[2] != "x@y.nl" || m[3] != "curator" {
		t.Fatalf("stdout = %q, want \"created user N (x@y.nl, curator)\"", r.stdout)
	}

	// The new user can log in with the password typed on stdin.
	cred, err := st.UserCredentialsByEmail(ctx, "x@y.nl")
	if err != nil {
		t.Fatalf("created user not in the database: %v", err)
	}
	if strconv.FormatInt(cred.ID, 10) != m[1] || cred.Role != account.RoleCurator || cred.Name != "Xander" || !cred.Active {
		t.Errorf("stored user = %+v", cred.User)
	}
	if ok, err := auth.VerifyPassword(cred.PasswordHash, "a-long-password"); err != nil || !ok {
		t.Errorf("password from stdin does not verify (%v); the newline must not be part of it", err)
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"same address again", "another-long-password\n",
			[]string{"--email", "x@y.nl", "--role", "admin"}, "a user with e-mail x@y.nl already exists"},
		{"same address in capitals", "another-long-password\n",
			[]string{"--email", "X@Y.NL", "--role", "admin"}, "already exists"},
		{"short password", "kort\n",
			[]string{"--email", "kort@y.nl", "--role", "support"}, "password refused: Kies een wachtwoord van minstens 10 tekens."},
		{"password equal to the address", "lang@adres.nl\n",
			[]string{"--email", "lang@adres.nl", "--role", "support"}, "Gebruik niet uw e-mailadres als wachtwoord."},
		{"no password", "",
			[]string{"--email", "leeg@y.nl", "--role", "support"}, "no password on standard input"},
		{"supplier without --supplier", "a-long-password\n",
			[]string{"--email", "shop@y.nl", "--role", "supplier"}, "role supplier needs --supplier ID"},
		{"staff with --supplier", "a-long-password\n",
			[]string{"--email", "staf@y.nl", "--role", "admin", "--supplier", "1"}, "other roles must not have one"},
		{"unknown supplier", "a-long-password\n",
			[]string{"--email", "shop@y.nl", "--role", "supplier", "--supplier", "999"}, "supplier 999 does not exist"},
		{"unknown role", "a-long-password\n",
			[]string{"--email", "rol@y.nl", "--role", "superuser"}, "a valid --role"},
		{"no e-mail", "a-long-password\n",
			[]string{"--role", "curator"}, "--email"},
		{"invalid e-mail", "a-long-password\n",
			[]string{"--email", "geen-adres", "--role", "curator"}, "invalid e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ohis(t, env, tt.stdin, append([]string{"user", "create"}, tt.args...)...)
			if r.err == nil {
				t.Fatalf("accepted; stdout %q", r.stdout)
			}
			if !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", r.err, tt.want)
			}
			if strings.Contains(r.stdout, "created user") {
				t.Errorf("stdout claims success: %q", r.stdout)
			}
		})
	}
	if users, err := st.UserList(ctx, store.UserFilter{}); err != nil || len(users) != 1 {
		t.Errorf("after the refused attempts there are %d users (%v), want only x@y.nl", len(users), err)
	}

	t.Run("supplier user with an existing supplier", func(t *testing.T) {
		sup, err := st.SupplierCreate(ctx, "Zonnig Wonen")
		if err != nil {
			t.Fatal(err)
		}
		r := ohis(t, env, "zonnige-dagen-2026\r\n", "user", "create", "--email", "shop@zonnig.example", "--role", "supplier",
			"--supplier", strconv.FormatInt(sup.ID, 10))
		if r.err != nil {
			t.Fatalf("user create: %v", r.err)
		}
		cred, err := st.UserCredentialsByEmail(ctx, "shop@zonnig.example")
		if err != nil || cred.SupplierID == nil || *cred.SupplierID != sup.ID {
			t.Fatalf("supplier user = %+v, %v", cred.User, err)
		}
		if ok, _ := auth.VerifyPassword(cred.PasswordHash, "zonnige-dagen-2026"); !ok {
			t.Error("a Windows line ending became part of the password")
		}
	})
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	env, url := devEnv(t)
	pool := connect(t, url)
	ctx := context.Background()
	// Start from an empty database, as on a new server.
	if _, err := pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := store.MigrationsCurrent(ctx, pool); ok {
		t.Fatal("empty database reported as current")
	}

	if r := ohis(t, env, "", "migrate"); r.err != nil {
		t.Fatalf("migrate: %v\nstderr: %s", r.err, r.stderr)
	}
	if ok, err := store.MigrationsCurrent(ctx, pool); err != nil || !ok {
		t.Errorf("after migrate: current = %v, %v", ok, err)
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name IN ('users', 'mail_outbox', 'river_job')`).Scan(&tables); err != nil || tables != 3 {
		t.Errorf("after migrate %d of users, mail_outbox, river_job exist (%v)", tables, err)
	}
	// Running it again is harmless.
	if r := ohis(t, env, "", "migrate"); r.err != nil {
		t.Errorf("second migrate: %v", r.err)
	}
}

func TestServeRefusesProductionWithoutSecrets(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"serve"}, {}} { // serve is the default command
		r := ohis(t, map[string]string{"OHIS_MODE": "production"}, "", args...)
		if r.err == nil {
			t.Fatalf("%v: started in production without secrets", args)
		}
		for _, want := range []string{"OHIS_SESSION_KEYS", "OHIS_ENCRYPTION_KEYS", "DATABASE_URL"} {
			if !strings.Contains(r.err.Error(), want) {
				t.Errorf("%v: error %q does not name %s", args, r.err, want)
			}
		}
	}

	// Demo data never goes into production, whichever way it is asked for.
	prod := map[string]string{
		"OHIS_MODE":            "production",
		"OHIS_SESSION_KEYS":    config.NewKey(),
		"OHIS_ENCRYPTION_KEYS": config.NewKey(),
		"DATABASE_URL":         "postgres://ohis@127.0.0.1:1/ohis?connect_timeout=1",
	}
	if r := ohis(t, prod, "", "serve", "--demo"); r.err == nil || !strings.Contains(r.err.Error(), "--demo cannot be used in production") {
		t.Errorf("serve --demo in production: %v", r.err)
	}
	prod["OHIS_DEMO"] = "true"
	if r := ohis(t, prod, "", "serve"); r.err == nil || !strings.Contains(r.err.Error(), "OHIS_DEMO cannot be used in production") {
		t.Errorf("OHIS_DEMO in production: %v", r.err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServeAnswersAndStopsGracefully(t *testing.T) {
	t.Parallel()
	env, _ := devEnv(t)
	addr := freeAddr(t)
	env["OHIS_LISTEN"] = addr
	_, port, _ := net.SplitHostPort(addr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ohis", "serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	}()

	client := &http.Client{Timeout: 2 * time.Second}
	get := func(path string) (int, string, error) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body, err := get("/healthz")
		if err == nil && code == http.StatusOK {
			if body != "ok\n" {
				t.Errorf("/healthz body %q", body)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before answering: %v\nstderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not 200 within 20 s (last: %d, %v)\nstderr: %s", code, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	if code, body, err := get("/readyz"); err != nil || code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz = %d %q %v, want 200 ready", code, body, err)
	}
	if want := "OHIS portal: http://localhost:" + port; !strings.Contains(stdout.String(), want) {
		t.Errorf("start banner %q does not show %s", stdout.String(), want)
	}

	cancel() // SIGINT/SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after shutdown: %v, want nil\nstderr: %s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return within 20 s of the shutdown signal")
	}
	if _, _, err := get("/healthz"); err == nil {
		t.Error("still answering after serve returned")
	} else if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "refused") {
		t.Logf("after shutdown: %v", err)
	}
}

// The README's first command: serve --demo starts the demo webshops,
// prints their admin pages, and the demo suppliers' connections sync
// from them, so the production catalogue has products.
func TestServeDemoSyncsFromDemoShops(t *testing.T) {
	t.Parallel()
	env, url := devEnv(t)
	env["OHIS_LISTEN"] = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ohis", "serve", "--demo"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	}()
	pool := connect(t, url)
	admin := regexp.MustCompile(`De Groene Woning\s+(http://127\.0\.0\.1:\d+/demoshop/)`)
	deadline := time.Now().Add(60 * time.Second)
	var products int
	for {
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM products p JOIN connections c ON c.id = p.connection_id
			JOIN suppliers s ON s.id = c.supplier_id WHERE s.name = 'Groene Woning B.V.' AND c.environment = 'production'`).Scan(&products)
		if err == nil && products > 0 && admin.MatchString(stdout.String()) {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve --demo returned: %v\nstderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no production products of Groene Woning within 60 s (%d, %v)\nstdout: %s", products, err, stdout.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	resp, err := http.Get(admin.FindStringSubmatch(stdout.String())[1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("demo shop admin page: %d", resp.StatusCode)
	}
	var conns int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM connections").Scan(&conns); err != nil || conns != 3 {
		t.Errorf("%d demo connections (%v), want 3", conns, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --demo after shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve --demo did not stop within 30 s")
	}
}
