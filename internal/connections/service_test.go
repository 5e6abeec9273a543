package connections_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/internal/testdb"
)

const (
	key    = "ck_0123456789abcdef0123456789abcdef01234567"
	secret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

var actor = audit.Actor{Email: "test"}

func newEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"), apptest.WithEnv("OHIS_SYNC_DISABLED", "true"))
}

// shop runs a small demo shop with the test keys.
func shop(t *testing.T, opts demoshop.Options) (*demoshop.Shop, string) {
	t.Helper()
	if opts.Products == 0 {
		opts.Products = 4
	}
	opts.ConsumerKey, opts.ConsumerSecret = key, secret
	s := demoshop.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { srv.Close(); s.Close() })
	return s, srv.URL
}

func input(env, shopURL string) connections.Input {
	return connections.Input{Environment: env, Platform: connections.PlatformWooCommerce, ShopURL: shopURL, Key: key, Secret: secret}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Creating a connection starts its first full sync and registers webhooks
// in the shop; nothing the application logs at debug level along the way
// holds the key, the secret or the webhook secret.
func TestCreateSyncsAndNeverLogsCredentials(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "OHIS_DATA_DIR": t.TempDir(), "OHIS_SESSION_KEYS": "t1:" + config.NewKey(),
		"OHIS_ENCRYPTION_KEYS": "t1:" + config.NewKey(), "OHIS_SHOP_ALLOW_PRIVATE": "true", "OHIS_SYNC_DISABLED": "true",
		"OHIS_BASE_URL": "http://127.0.0.1:1",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.River.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = a.River.Stop(stop)
		cancel()
		a.Close()
	})
	sup, err := a.Store.SupplierCreate(ctx, "Logwinkel")
	if err != nil {
		t.Fatal(err)
	}
	_, shopURL := shop(t, demoshop.Options{Products: 6})
	id, err := a.Connections.Create(ctx, sup.ID, actor, input("test", shopURL))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first sync", func() bool {
		run, err := a.Store.ConnectionLatestRun(ctx, id)
		return err == nil && run.Outcome != "running"
	})
	run, _ := a.Store.ConnectionLatestRun(ctx, id)
	if run.Kind != "full" || run.Trigger != connections.TriggerConnect || run.Outcome != "succeeded" {
		t.Errorf("first run %+v, want a succeeded full run triggered by connect", run)
	}
	hook, err := a.Connections.WebhookSecret(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "connection created") {
		t.Fatalf("nothing logged about the connection; the log capture does not work:\n%s", out)
	}
	for what, s := range map[string]string{"key": key[3:], "secret": secret[3:], "webhook secret": string(hook)} {
		if strings.Contains(out, s) {
			t.Errorf("the log holds the %s", what)
		}
	}
}

// Production needs admission to production (SPEC §3); before that, the
// environment field says so. An excluded supplier cannot connect at all.
func TestProductionOnlyAfterAdmission(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	_, shopURL := shop(t, demoshop.Options{})
	appl, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: "Productiewinkel", KvK: "12345678", VATID: "NL123456789B01", IBAN: "NL91ABNA0417164300", ContactName: "P",
		Email: "p@productie.example", Phone: "020 123 4567", Website: "https://productie.example", Platform: "woocommerce", AcceptTerms: true,
	}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Supplier.StartReview(ctx, actor, appl.ID); err != nil {
		t.Fatal(err)
	}
	admitted, err := env.App.Supplier.Admit(ctx, actor, appl.ID)
	if err != nil {
		t.Fatal(err)
	}
	supplierID := *admitted.SupplierID

	_, err = env.App.Connections.Create(ctx, supplierID, actor, input("production", shopURL))
	var fe connections.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe[connections.FieldEnvironment], "pas toevoegen als u na een geslaagde integratietest bent toegelaten tot productie") {
		t.Fatalf("production before admission: %v", err)
	}
	if _, err := env.App.Connections.Create(ctx, supplierID, actor, input("acceptance", shopURL)); err != nil {
		t.Fatalf("acceptance after admission: %v", err)
	}
	for _, to := range []admission.State{admission.IntegrationReady, admission.TestBooked, admission.Production} {
		move(t, env, appl.ID, to)
	}
	if _, err := env.App.Connections.Create(ctx, supplierID, actor, input("production", shopURL)); err != nil {
		t.Fatalf("production after admission to production: %v", err)
	}
	move(t, env, appl.ID, admission.Excluded)
	_, err = env.App.Connections.Create(ctx, supplierID, actor, input("test", shopURL))
	var na connections.ErrNotAllowed
	if !errors.As(err, &na) || !strings.Contains(na.Reason, "beëindigd") {
		t.Errorf("excluded supplier: %v", err)
	}
	// An organisation without an application (added by an admin) has no
	// admission to production either.
	if _, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("production", shopURL)); !errors.As(err, &fe) {
		t.Errorf("production without application: %v", err)
	}
}

func move(t *testing.T, env *apptest.Env, appID int64, to admission.State) {
	t.Helper()
	err := env.App.Store.InTx(context.Background(), func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(context.Background(), appID)
		if err != nil {
			return err
		}
		_, err = tx.ApplicationMove(context.Background(), a, to, actor, "test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// One connection per supplier per environment; another supplier may use
// the same environment.
func TestOneConnectionPerEnvironment(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	_, shopURL := shop(t, demoshop.Options{})
	if _, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", shopURL)); err != nil {
		t.Fatal(err)
	}
	_, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", "https://www.andere-winkel.nl"))
	var fe connections.FieldErrors
	if !errors.As(err, &fe) || fe[connections.FieldEnvironment] != "U heeft al een koppeling voor de omgeving Test. Per omgeving is er één koppeling: wijzig de bestaande, of verwijder die eerst." {
		t.Errorf("second test connection: %v (%v)", err, fe)
	}
	if _, err := env.App.Connections.Create(ctx, env.OtherSupplier.ID, actor, input("test", shopURL)); err != nil {
		t.Errorf("another supplier's test connection: %v", err)
	}
	cs, err := env.App.Store.ConnectionsBySupplier(ctx, env.Supplier.ID)
	if err != nil || len(cs) != 1 {
		t.Errorf("%d connections (%v), want 1", len(cs), err)
	}
}

// "Verbinding testen" reports every step against a working shop and
// stores what it learned; wrong keys and a site without the REST API fail
// with a specific Dutch message.
func TestCheck(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	_, shopURL := shop(t, demoshop.Options{SiteName: "Testwinkel Zuid"})
	id, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", shopURL))
	if err != nil {
		t.Fatal(err)
	}
	report, err := env.App.Connections.Check(ctx, env.Supplier.ID, id)
	if err != nil || report.Err != nil {
		t.Fatalf("check of a working shop: %v / %+v", err, report.Err)
	}
	if len(report.Steps) < 4 {
		t.Errorf("only %d steps: %+v", len(report.Steps), report.Steps)
	}
	for _, s := range report.Steps {
		if !s.OK || s.Message == "" {
			t.Errorf("step %+v", s)
		}
	}
	c, _ := env.App.Store.ConnectionGet(ctx, id)
	if info := connections.ShopInfo(c); info.Name != "Testwinkel Zuid" || info.Version == "" {
		t.Errorf("stored shop info %+v", info)
	}

	// Wrong keys: the shop answers 401.
	_, wrongURL := shop(t, demoshop.Options{})
	wrong, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, connections.Input{Environment: "acceptance",
		Platform: "woocommerce", ShopURL: wrongURL, Key: "ck_" + strings.Repeat("a", 40), Secret: "cs_" + strings.Repeat("b", 40)})
	if err != nil {
		t.Fatal(err)
	}
	report, err = env.App.Connections.Check(ctx, env.Supplier.ID, wrong)
	if err != nil || report.Err == nil || report.Err.Code != connector.CodeAuth {
		t.Fatalf("wrong keys: %v / %+v", err, report.Err)
	}
	if last := report.Steps[len(report.Steps)-1]; last.OK || !strings.Contains(strings.ToLower(last.Message), "sleutel") {
		t.Errorf("wrong keys: last step %+v, want a failure about the key", last)
	}

	// A plain website: no REST API.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Welkom</title><p>Onze winkel</p>"))
	}))
	t.Cleanup(html.Close)
	plain, err := env.App.Connections.Create(ctx, env.OtherSupplier.ID, actor, input("test", html.URL))
	if err != nil {
		t.Fatal(err)
	}
	report, err = env.App.Connections.Check(ctx, env.OtherSupplier.ID, plain)
	if err != nil || report.Err == nil || report.Err.Code != connector.CodeNoREST {
		t.Fatalf("plain website: %v / %+v", err, report.Err)
	}
	if last := report.Steps[len(report.Steps)-1]; last.OK || !strings.Contains(last.Message, "REST API") {
		t.Errorf("plain website: last step %+v, want a failure about the REST API", last)
	}
	// Checking another supplier's connection is not found.
	if _, err := env.App.Connections.Check(ctx, env.Supplier.ID, plain); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("check of another supplier's connection: %v", err)
	}
}

// New credentials replace the old (a blank field keeps its value), are
// checked like on creation, and re-seal the webhook secret unchanged.
func TestUpdateCredentials(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	id, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", "https://www.winkel.nl"))
	if err != nil {
		t.Fatal(err)
	}
	hook, _ := env.App.Connections.WebhookSecret(ctx, id)
	svc := env.App.Connections
	var fe connections.FieldErrors
	if err := svc.UpdateCredentials(ctx, env.Supplier.ID, id, actor, connections.CredentialsInput{}); !errors.As(err, &fe) || !strings.Contains(fe[connections.FieldKey], "Vul een nieuwe consumer key") {
		t.Errorf("nothing typed: %v", err)
	}
	if err := svc.UpdateCredentials(ctx, env.Supplier.ID, id, actor, connections.CredentialsInput{Key: "ck_123"}); !errors.As(err, &fe) || !strings.Contains(fe[connections.FieldKey], "u heeft er 3 na ck_") {
		t.Errorf("short key: %v", err)
	}
	newKey := "ck_" + strings.Repeat("9", 40)
	if err := svc.UpdateCredentials(ctx, env.Supplier.ID, id, actor, connections.CredentialsInput{Key: newKey}); err != nil {
		t.Fatal(err)
	}
	c, _ := env.App.Store.ConnectionGet(ctx, id)
	if c.CredentialsHint != "ck_9••••••••" {
		t.Errorf("hint %q", c.CredentialsHint)
	}
	conn, err := svc.Open(ctx, id)
	if err != nil || conn == nil {
		t.Fatalf("open after update: %v", err)
	}
	if again, err := svc.WebhookSecret(ctx, id); err != nil || !bytes.Equal(again, hook) {
		t.Errorf("webhook secret changed or unreadable: %v", err)
	}
	if err := svc.UpdateCredentials(ctx, env.OtherSupplier.ID, id, actor, connections.CredentialsInput{Key: newKey}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another supplier's update: %v", err)
	}
}

// Removing a connection deletes OHIS's webhooks in the shop and the
// synced catalogue with the row.
func TestDeleteRemovesWebhooksAndCatalogue(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	_, shopURL := shop(t, demoshop.Options{Products: 5})
	id, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", shopURL))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "webhooks and products", func() bool {
		hooks, _ := env.App.Store.ConnectionWebhooks(ctx, id)
		_, live, _ := env.App.Store.SupplierProductCounts(ctx, env.Supplier.ID, &id)
		return len(hooks) == len(connector.ProductTopics) && live > 0
	})
	conn, err := env.App.Connections.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if hooks, err := conn.Webhooks(ctx); err != nil || len(hooks) != len(connector.ProductTopics) {
		t.Fatalf("webhooks in the shop before: %d (%v)", len(hooks), err)
	}
	if err := env.App.Connections.Delete(ctx, env.OtherSupplier.ID, id, actor); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another supplier's delete: %v", err)
	}
	if err := env.App.Connections.Delete(ctx, env.Supplier.ID, id, actor); err != nil {
		t.Fatal(err)
	}
	if hooks, err := conn.Webhooks(ctx); err != nil || len(hooks) != 0 {
		t.Errorf("webhooks in the shop after: %d (%v)", len(hooks), err)
	}
	if _, err := env.App.Store.ConnectionGet(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("connection after delete: %v", err)
	}
	if total, _, _ := env.App.Store.SupplierProductCounts(ctx, env.Supplier.ID, nil); total != 0 {
		t.Errorf("%d products left", total)
	}
	// A shop that is gone does not keep a supplier from disconnecting.
	gone, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, input("test", "http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Connections.Delete(ctx, env.Supplier.ID, gone, actor); err != nil {
		t.Errorf("delete with the shop unreachable: %v", err)
	}
}

// The syncer opens connectors and reads webhook secrets through the
// service; both platforms are there.
func TestOpener(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	for _, name := range []string{"woocommerce", "custom"} {
		if p, ok := env.App.Connections.Platform(name); !ok || p.Name() != name {
			t.Errorf("platform %s: %v", name, ok)
		}
	}
	if _, ok := env.App.Connections.Platform("shopify"); ok {
		t.Error("shopify is offered before it is built")
	}
	_, shopURL := shop(t, demoshop.Options{})
	id, err := env.App.Connections.Create(ctx, env.Supplier.ID, actor, connections.Input{Environment: "test", Platform: "custom",
		ShopURL: shopURL + "/wp-json/wc/v3", Key: "eigen-sleutel", Secret: "eigen-geheim"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := env.App.Store.ConnectionGet(ctx, id)
	if u, _ := url.Parse(c.BaseURL); u.Path != "/wp-json/wc/v3" {
		t.Errorf("custom API base stored as %q", c.BaseURL)
	}
	conn, err := env.App.Connections.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// The demo shop refuses these keys: the opened connector really uses
	// the stored credentials.
	if rep := conn.Check(ctx); rep.Err == nil || rep.Err.Code != connector.CodeAuth {
		t.Errorf("custom API with wrong keys: %+v", rep.Err)
	}
	if _, err := env.App.Connections.Open(ctx, id+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("open unknown connection: %v", err)
	}
}
