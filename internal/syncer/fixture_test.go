package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// fixture is a running OHIS with one supplier connected (test environment)
// to a demo shop over loopback, after the first full sync and webhook
// registration that connecting starts.
type fixture struct {
	env    *apptest.Env
	shop   *demoshop.Shop
	shopTS *httptest.Server
	svc    *syncer.Service
	pool   *pgxpool.Pool
	connID int64
}

func newFixture(t *testing.T, opts demoshop.Options, envOpts ...apptest.Option) *fixture {
	t.Helper()
	if opts.Products == 0 {
		opts.Products = 60
	}
	if opts.ConsumerKey == "" {
		opts.ConsumerKey, opts.ConsumerSecret = "ck_"+strings.Repeat("0a1b", 10), "cs_"+strings.Repeat("2c3d", 10)
	}
	envOpts = append([]apptest.Option{
		apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"),
		apptest.WithEnv("OHIS_SYNC_DISABLED", "true"),
		apptest.WithEnv("OHIS_SHOP_REQUEST_TIMEOUT", "5s"),
	}, envOpts...)
	env := apptest.New(t, envOpts...)
	// The syncer opens connectors through a connections service whose
	// connectors retry without waiting (the real back-off takes seconds).
	plats := connections.DefaultPlatforms(env.App.Config)
	for name, p := range plats {
		plats[name] = fastRetry{p}
	}
	env.App.Syncer.SetOpener(connections.New(connections.Deps{
		Store: env.App.Store, Box: env.App.Box, Config: env.App.Config, Logger: env.App.Logger, Platforms: plats,
	}))
	shop := demoshop.New(opts)
	ts := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { shop.Close(); ts.Close() })
	shop.SetBaseURL(ts.URL)
	f := &fixture{env: env, shop: shop, shopTS: ts, svc: env.App.Syncer, pool: env.App.Pool}
	id, err := env.App.Connections.Create(context.Background(), env.Supplier.ID, audit.Actor{Email: "test"}, connections.Input{
		Environment: "test", Platform: "woocommerce", ShopURL: ts.URL, Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret(),
	})
	if err != nil {
		t.Fatalf("connecting the shop: %v %v", err, err)
	}
	f.connID = id
	// Connecting queued a full sync and the webhook registration.
	f.waitFor(t, "the first sync and webhook registration", 30*time.Second, func() bool {
		st := f.state(t)
		runs := f.runs(t)
		return st.WebhookStatus != "none" && len(runs) > 0 && runs[len(runs)-1].Outcome != "running" && !f.syncing(t)
	})
	if runs := f.runs(t); runs[0].Outcome != "succeeded" {
		t.Fatalf("first sync: %s %q", runs[0].Outcome, runs[0].ErrorMessage)
	}
	return f
}

// fastRetry is a platform whose connectors retry 429/5xx at once.
type fastRetry struct{ connector.Platform }

func (p fastRetry) New(o connector.Options) (connector.Connector, error) {
	o.Sleep = func(ctx context.Context, _ time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
			return nil
		}
	}
	return p.Platform.New(o)
}

func (f *fixture) waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) state(t *testing.T) store.SyncState {
	t.Helper()
	st, err := f.env.App.Store.SyncerConnection(context.Background(), f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) runs(t *testing.T) []store.SyncRunRecord {
	t.Helper()
	runs, err := f.env.App.Store.SyncerRuns(context.Background(), f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func (f *fixture) openErrors(t *testing.T) []store.SyncErrorRecord {
	t.Helper()
	errs, err := f.env.App.Store.SyncerErrorsOpen(context.Background(), f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

// run syncs in the foreground and fails the test on an error.
func (f *fixture) run(t *testing.T, kind syncer.Kind) syncer.Summary {
	t.Helper()
	sum, err := f.svc.Run(context.Background(), f.connID, kind, "test", nil)
	if err != nil {
		t.Fatalf("%s sync: %v", kind, err)
	}
	return sum
}

// row is a stored product or variant as the tests look at it.
type row struct {
	ID          int64
	ParentExt   string // variants
	Name        string
	Type        string
	ShopStatus  string
	PriceCents  *int64
	StockStatus string
	StockQty    *int64
	BrandIDs    []string
	Deleted     bool
	XMin        uint32
}

func (f *fixture) products(t *testing.T) map[string]row {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT external_id, id, '', name, type, shop_status, price_cents, stock_status, stock_quantity,
	       brand_ids, deleted_at IS NOT NULL, xmin::text::bigint
	FROM products WHERE connection_id = $1`, f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return collect(t, rows)
}

func (f *fixture) variants(t *testing.T) map[string]row {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT v.external_id, v.id, p.external_id, '', '', v.shop_status, v.price_cents, v.stock_status,
	       v.stock_quantity, '{}'::text[], v.deleted_at IS NOT NULL, v.xmin::text::bigint
	FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.connection_id = $1`, f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return collect(t, rows)
}

func collect(t *testing.T, rows pgx.Rows) map[string]row {
	t.Helper()
	out := map[string]row{}
	for rows.Next() {
		var ext string
		var r row
		var xmin int64
		var qty *int32
		if err := rows.Scan(&ext, &r.ID, &r.ParentExt, &r.Name, &r.Type, &r.ShopStatus, &r.PriceCents, &r.StockStatus, &qty, &r.BrandIDs, &r.Deleted, &xmin); err != nil {
			t.Fatal(err)
		}
		if qty != nil {
			q := int64(*qty)
			r.StockQty = &q
		}
		r.XMin = uint32(xmin)
		out[ext] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ext(id int64) string { return fmt.Sprint(id) }

func ptr[T any](v T) *T { return &v }

// shopAPI calls the demo shop's REST API with the connection's keys.
func (f *fixture) shopAPI(t *testing.T, method, path string, body any) *http.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, f.shopTS.URL+"/wp-json/wc/v3"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(f.shop.ConsumerKey(), f.shop.ConsumerSecret())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// pauseWebhooks stops the shop delivering webhooks to OHIS, so a change
// can only arrive through a sync.
func (f *fixture) pauseWebhooks(t *testing.T) {
	t.Helper()
	for _, wh := range f.shop.Webhooks() {
		if resp := f.shopAPI(t, http.MethodPut, fmt.Sprintf("/webhooks/%d", wh.ID), map[string]string{"status": "paused"}); resp.StatusCode != 200 {
			t.Fatalf("pausing webhook %d: %d", wh.ID, resp.StatusCode)
		}
	}
}

// drain waits until the shop delivered its webhooks and OHIS processed
// every delivery.
func (f *fixture) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.shop.Drain(ctx); err != nil {
		t.Fatal("webhooks not delivered:", err)
	}
	f.waitFor(t, "webhook deliveries processed", 20*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM webhook_deliveries WHERE connection_id = $1 AND processed_at IS NULL`, f.connID) == 0 &&
			f.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('webhook_delivery', 'sync_connection') AND state NOT IN ('completed', 'cancelled', 'discarded')`) == 0 &&
			!f.syncing(t)
	})
}

// syncing reports whether a run holds the connection's sync lock (a run's
// row says it finished a moment before the lock is released).
func (f *fixture) syncing(t *testing.T) bool {
	t.Helper()
	held, err := f.env.App.Store.SyncerLockHeld(context.Background(), 0x5359, f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return held
}

// hookSecret is the secret the shop signs our webhooks with.
func (f *fixture) hookSecret(t *testing.T) string {
	t.Helper()
	for _, wh := range f.shop.Webhooks() {
		if strings.HasSuffix(wh.DeliveryURL, fmt.Sprintf("/webhooks/%d", f.connID)) {
			return wh.Secret
		}
	}
	t.Fatal("no webhook of OHIS in the shop")
	return ""
}

// deliver posts a webhook to OHIS as the shop would; sign false sends it
// without a signature, secret "" signs with the real secret.
func (f *fixture) deliver(t *testing.T, topic string, body []byte, signWith string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.env.Server.URL+fmt.Sprintf("/webhooks/%d", f.connID), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-WC-Webhook-Topic", topic)
	req.Header.Set("X-WC-Webhook-Delivery-ID", "test-delivery")
	if signWith != "" {
		req.Header.Set("X-WC-Webhook-Signature", demoshop.Sign(body, signWith))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// payload is the shop's current REST representation of a product or
// variation, as a webhook would carry it.
func (f *fixture) payload(t *testing.T, id int64) []byte {
	t.Helper()
	p, ok := f.shop.Product(id)
	if !ok {
		t.Fatalf("no product %d in the shop", id)
	}
	path := fmt.Sprintf("/products/%d", id)
	if p.Type == demoshop.TypeVariation {
		path = fmt.Sprintf("/products/%d/variations/%d", p.ParentID, id)
	}
	resp := f.shopAPI(t, http.MethodGet, path, nil)
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, buf.String())
	}
	return buf.Bytes()
}

// currentPrice is the shop's current price of a product in cents (its
// REST "price": the sale price inside the sale period, else the regular).
func (f *fixture) currentPrice(t *testing.T, id int64) int64 {
	t.Helper()
	var p struct {
		Price string `json:"price"`
	}
	if err := json.Unmarshal(f.payload(t, id), &p); err != nil {
		t.Fatal(err)
	}
	euros, cents, _ := strings.Cut(p.Price, ".")
	cents = (cents + "00")[:2]
	n, err := strconv.ParseInt(euros+cents, 10, 64)
	if err != nil {
		t.Fatalf("price %q of %d: %v", p.Price, id, err)
	}
	return n
}
