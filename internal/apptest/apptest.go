// Package apptest builds the real OHIS application in-process for tests: a
// fresh migrated database, the full portal behind an httptest server, and a
// user for every role. Nothing of ours is mocked.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/testdb"
)

// Password is the password of every user Env creates.
const Password = "correct-horse-battery"

// Env is a running OHIS for one test.
type Env struct {
	App    *app.App
	Server *httptest.Server
	// Users has one active user per role; the supplier user belongs to
	// Supplier.
	Users map[account.Role]account.User
	// Supplier is the supplier organisation of Users[RoleSupplier];
	// OtherSupplier has a user of its own, OtherSupplierUser.
	Supplier          account.Supplier
	OtherSupplier     account.Supplier
	OtherSupplierUser account.User
}

// Option adjusts the configuration before the app is built.
type Option func(env map[string]string)

// WithEnv sets a configuration variable.
func WithEnv(name, value string) Option { return func(env map[string]string) { env[name] = value } }

// New builds and starts the application on a fresh database.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":         testdb.URL(t),
		"OHIS_DATA_DIR":        t.TempDir(),
		"OHIS_SESSION_KEYS":    "t1:" + config.NewKey(),
		"OHIS_ENCRYPTION_KEYS": "t1:" + config.NewKey(),
		"OHIS_LOG_LEVEL":       "error",
	}
	for _, o := range opts {
		o(env)
	}
	// The base URL (for e-mailed links) is the test server's: listen first,
	// build the app, then serve.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if env["OHIS_BASE_URL"] == "" {
		env["OHIS_BASE_URL"] = "http://" + ln.Addr().String()
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var logw io.Writer = io.Discard
	if os.Getenv("OHIS_TEST_LOG") != "" {
		logw = os.Stderr
	}
	logger := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		cancel()
		t.Fatalf("app: %v", err)
	}
	if err := a.River.Start(ctx); err != nil {
		t.Fatalf("starting jobs: %v", err)
	}
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = a.River.Stop(stopCtx)
		cancel()
		a.Close()
	})
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: a.Portal}}
	srv.Start()
	t.Cleanup(srv.Close)
	e := &Env{App: a, Server: srv, Users: map[account.Role]account.User{}}
	e.seed(t)
	return e
}

func (e *Env) seed(t testing.TB) {
	ctx := context.Background()
	var err error
	if e.Supplier, err = e.App.Store.SupplierCreate(ctx, "Testwinkel B.V."); err != nil {
		t.Fatal(err)
	}
	if e.OtherSupplier, err = e.App.Store.SupplierCreate(ctx, "Andere Winkel"); err != nil {
		t.Fatal(err)
	}
	for _, role := range account.Roles {
		var sup *int64
		if role == account.RoleSupplier {
			sup = &e.Supplier.ID
		}
		e.Users[role] = e.CreateUser(t, string(role)+"@test.example", role, sup)
	}
	e.OtherSupplierUser = e.CreateUser(t, "other@andere.example", account.RoleSupplier, &e.OtherSupplier.ID)
}

// CreateUser creates an active user with Password.
func (e *Env) CreateUser(t testing.TB, email string, role account.Role, supplierID *int64) account.User {
	t.Helper()
	u, err := e.App.Auth.CreateUser(context.Background(), audit.Actor{Email: "test"}, auth.NewAccount{
		Email: email, Name: strings.Split(email, "@")[0], Role: role, SupplierID: supplierID, Password: Password,
	})
	if err != nil {
		t.Fatalf("creating %s: %v", email, err)
	}
	return u
}

// Client returns an HTTP client with its own cookie jar that does not
// follow redirects, so tests see exactly what the portal answered.
func (e *Env) Client(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Login returns a client logged in as the user with that e-mail address.
func (e *Env) Login(t testing.TB, email string) *http.Client {
	t.Helper()
	c := e.Client(t)
	resp := e.PostForm(t, c, "/inloggen", url.Values{"email": {email}, "password": {Password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303", email, resp.StatusCode)
	}
	return c
}

// LoginRole returns a client logged in as the Env's user of that role.
func (e *Env) LoginRole(t testing.TB, role account.Role) *http.Client {
	t.Helper()
	return e.Login(t, e.Users[role].Email)
}

// Get fetches a path.
func (e *Env) Get(t testing.TB, c *http.Client, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp
}

// PostForm posts a form the way a browser on the portal's own pages does
// (same-origin Sec-Fetch-Site), so cross-origin protection lets it through.
func (e *Env) PostForm(t testing.TB, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", e.Server.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// Body reads and closes a response body.
func Body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
