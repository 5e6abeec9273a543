package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/demoshop"
)

// Keys of the connection tests' demo shops: WooCommerce-shaped, hex.
const (
	connTestKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	connTestSecret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

// connEnv is an application whose connections may point at loopback
// shops, with scheduled syncs off so tests decide when syncs happen.
func connEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"), apptest.WithEnv("OHIS_SYNC_DISABLED", "true"))
}

// connShop runs a small demo shop.
func connShop(t *testing.T, products int) (*demoshop.Shop, string) {
	t.Helper()
	shop := demoshop.New(demoshop.Options{Products: products, ConsumerKey: connTestKey, ConsumerSecret: connTestSecret, Brands: true})
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { srv.Close(); shop.Close() })
	return shop, srv.URL
}

// connCreate adds a connection through the service.
func connCreate(t *testing.T, env *apptest.Env, supplierID int64, environment, shopURL string) int64 {
	t.Helper()
	id, err := env.App.Connections.Create(context.Background(), supplierID, audit.Actor{Email: "test"}, connections.Input{
		Environment: environment, Platform: connections.PlatformWooCommerce, ShopURL: shopURL, Key: connTestKey, Secret: connTestSecret,
	})
	if err != nil {
		t.Fatalf("creating connection: %v", err)
	}
	return id
}

// connWaitIdle waits until no run of the connection is running or queued
// to start, so a test's own run rows are the newest.
func connWaitIdle(t *testing.T, env *apptest.Env, id int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var busy bool
		if err := env.App.Pool.QueryRow(context.Background(), `
			SELECT EXISTS (SELECT 1 FROM sync_runs WHERE connection_id = $1 AND outcome = 'running')
			    OR EXISTS (SELECT 1 FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')
			               AND (args->>'connection_id')::bigint = $1)`, id).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if !busy {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("connection %d still syncing after 20 s", id)
}

func connExec(t *testing.T, env *apptest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.App.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// A wrong form is shown again with a Dutch message on each field, what was
// typed kept (the secret excepted), and nothing is stored.
func TestConnectionFormShowsEachMistake(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	c := env.LoginRole(t, account.RoleSupplier)
	secret := "cs_secretthatmustnotcomeback000000000000000"
	resp := env.PostForm(t, c, "/koppelingen", url.Values{
		"environment": {""}, "platform": {"shopify"}, "shop_url": {"https://www.winkel.nl/?page=1"},
		"consumer_key": {"cs_0123456789abcdef0123456789abcdef01234567"}, "consumer_secret": {secret},
	})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	for sel, want := range map[string]string{
		`[data-testid="error-environment"]`: "Kies de omgeving",
		`[data-testid="error-platform"]`:    "De koppeling met Shopify komt binnenkort beschikbaar",
		`[data-testid="error-shop_url"]`:    "Laat het deel vanaf ? weg",
	} {
		if got := doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	// The platform is wrong, so the keys are not judged against it yet.
	if got, _ := doc.Find("#f-shop_url").Attr("value"); got != "https://www.winkel.nl/?page=1" {
		t.Errorf("shop address not kept: %q", got)
	}
	if strings.Contains(body, secret) {
		t.Error("the typed secret is sent back in the page")
	}
	if doc.Find(`[data-testid="error-summary"] li`).Length() != 3 {
		t.Errorf("error summary lists %d problems, want 3", doc.Find(`[data-testid="error-summary"] li`).Length())
	}

	resp = env.PostForm(t, c, "/koppelingen", url.Values{
		"environment": {"test"}, "platform": {"woocommerce"}, "shop_url": {"https://www.winkel.nl"},
		"consumer_key": {"cs_0123456789abcdef0123456789abcdef01234567"}, "consumer_secret": {"cs_123"},
	})
	doc = parseHTML(t, apptest.Body(t, resp))
	if got := doc.Find(`[data-testid="error-consumer_key"]`).Text(); !strings.Contains(got, "Wissel de twee om") {
		t.Errorf("swapped key: %q", got)
	}
	if got := doc.Find(`[data-testid="error-consumer_secret"]`).Text(); !strings.Contains(got, "u heeft er 3 na cs_ ingevuld") {
		t.Errorf("short secret: %q", got)
	}
	if cs, err := env.App.Store.ConnectionsBySupplier(context.Background(), env.Supplier.ID); err != nil || len(cs) != 0 {
		t.Errorf("after invalid forms %d connections stored (%v)", len(cs), err)
	}
}

// Adding a connection seals the credentials: the database holds neither
// key nor secret in plain text, and the pages show only the masked key.
func TestConnectionCredentialsStaySealed(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, 3)
	c := env.LoginRole(t, account.RoleSupplier)
	resp := env.PostForm(t, c, "/koppelingen", url.Values{
		"environment": {"test"}, "platform": {"woocommerce"}, "shop_url": {shopURL},
		"consumer_key": {connTestKey}, "consumer_secret": {connTestSecret},
	})
	apptest.Body(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/koppelingen/") {
		t.Fatalf("create: %d to %q", resp.StatusCode, loc)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.Split(loc, "?")[0], "/koppelingen/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	var sealedCreds, sealedHook []byte
	var hint string
	if err := env.App.Pool.QueryRow(context.Background(),
		"SELECT credentials, webhook_secret, credentials_hint FROM connections WHERE id = $1", id).Scan(&sealedCreds, &sealedHook, &hint); err != nil {
		t.Fatal(err)
	}
	hookSecret, err := env.App.Connections.WebhookSecret(context.Background(), id)
	if err != nil || len(hookSecret) < 32 {
		t.Fatalf("webhook secret %q (%v)", hookSecret, err)
	}
	for what, plain := range map[string][]byte{"key": []byte(connTestKey), "key body": []byte(connTestKey[3:20]),
		"secret": []byte(connTestSecret), "secret body": []byte(connTestSecret[3:20]), "webhook secret": hookSecret} {
		if bytes.Contains(sealedCreds, plain) || bytes.Contains(sealedHook, plain) {
			t.Errorf("the %s is stored in plain text", what)
		}
	}
	if hint != "ck_0••••••••" {
		t.Errorf("credentials hint %q, want ck_0••••••••", hint)
	}
	for _, path := range []string{"/koppelingen/" + strconv.FormatInt(id, 10), "/koppelingen"} {
		body := apptest.Body(t, env.Get(t, c, path))
		if strings.Contains(body, connTestKey[4:]) || strings.Contains(body, connTestSecret[3:]) || strings.Contains(body, string(hookSecret)) {
			t.Errorf("%s shows a credential", path)
		}
	}
	doc := parseHTML(t, apptest.Body(t, env.Get(t, c, "/koppelingen/"+strconv.FormatInt(id, 10))))
	if got := doc.Find(`[data-testid="key-hint"]`).Text(); got != "ck_0••••••••" {
		t.Errorf("detail shows key %q, want the mask", got)
	}
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: audit.ConnectionCreated})
	if err != nil || len(entries) != 1 || entries[0].SubjectID != strconv.FormatInt(id, 10) || entries[0].Actor.Email != env.Users[account.RoleSupplier].Email {
		t.Errorf("audit entries %+v (%v)", entries, err)
	}
	for k, v := range entries[0].Detail {
		if strings.Contains(v, connTestKey[3:]) || strings.Contains(v, connTestSecret[3:]) {
			t.Errorf("audit detail %s holds a credential", k)
		}
	}
}

// Another supplier's connection does not exist for this supplier: every
// route answers 404 and nothing changes.
func TestConnectionOfAnotherSupplierIsNotFound(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, 2)
	theirs := connCreate(t, env, env.OtherSupplier.ID, "test", shopURL)
	connWaitIdle(t, env, theirs)
	c := env.LoginRole(t, account.RoleSupplier)
	base := "/koppelingen/" + strconv.FormatInt(theirs, 10)
	for _, path := range []string{base, base + "/voortgang", base + "/fouten", base + "/verwijderen", base + "/voortgang?na=0&tot=99999999999"} {
		resp := env.Get(t, c, path)
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{base + "/testen", nil}, {base + "/synchroniseren", nil}, {base + "/pauzeren", nil}, {base + "/hervatten", nil},
		{base + "/sleutels", url.Values{"consumer_key": {"ck_ffffffffffffffffffffffffffffffffffffffff"}}},
		{base + "/verwijderen", url.Values{"bevestig": {"ja"}}},
	} {
		resp := env.PostForm(t, c, post.path, post.form)
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", post.path, resp.StatusCode)
		}
	}
	got, err := env.App.Store.ConnectionGet(context.Background(), theirs)
	if err != nil || got.Paused || got.CredentialsHint != "ck_0••••••••" {
		t.Errorf("the other supplier's connection changed: %+v (%v)", got, err)
	}
	if n := connAuditTotal(t, env, audit.ConnectionSyncRequested); n != 0 {
		t.Errorf("%d sync requests recorded", n)
	}
	// Its address appears on none of this supplier's pages.
	for _, path := range []string{"/koppelingen", "/producten", "/producten?koppeling=" + strconv.FormatInt(theirs, 10), "/"} {
		if body := apptest.Body(t, env.Get(t, c, path)); strings.Contains(body, strings.TrimPrefix(shopURL, "http://")) {
			t.Errorf("%s shows the other supplier's connection", path)
		}
	}
}

func connAuditTotal(t *testing.T, env *apptest.Env, action audit.Action) int {
	t.Helper()
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// The progress fragment shows a running run's pages and products as a
// <progress> bar and keeps polling; once the run ends it stops polling and
// swaps in fresh health and history.
func TestConnectionProgressFragment(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, -1)
	id := connCreate(t, env, env.Supplier.ID, "test", shopURL)
	connWaitIdle(t, env, id)
	var runID int64
	if err := env.App.Pool.QueryRow(context.Background(), `
		INSERT INTO sync_runs (connection_id, kind, trigger, pages_done, pages_total, items_done, items_total, created, unchanged)
		VALUES ($1, 'full', 'manual', 3, 12, 240, 1200, 200, 40) RETURNING id`, id).Scan(&runID); err != nil {
		t.Fatal(err)
	}
	c := env.LoginRole(t, account.RoleSupplier)
	base := "/koppelingen/" + strconv.FormatInt(id, 10)

	doc := parseHTML(t, apptest.Body(t, env.Get(t, c, base+"/voortgang")))
	region := doc.Find(`[data-testid="sync-progress"]`)
	bar := region.Find(`progress[data-testid="sync-bar"]`)
	if max, _ := bar.Attr("max"); max != "1200" {
		t.Errorf("progress max %q, want 1200", max)
	}
	if v, _ := bar.Attr("value"); v != "240" {
		t.Errorf("progress value %q, want 240", v)
	}
	if got := region.Find(`[data-testid="progress-items"]`).Text(); got != "240 van 1.200 producten" {
		t.Errorf("items text %q", got)
	}
	if got := region.Find(`[data-testid="progress-pages"]`).Text(); got != "pagina 3 van 12" {
		t.Errorf("pages text %q", got)
	}
	if trig, _ := region.Attr("hx-trigger"); trig != "every 1s" {
		t.Errorf("running region polls with %q, want every 1s", trig)
	}
	next, _ := region.Attr("hx-get")
	if next != base+"/voortgang?volg="+strconv.FormatInt(runID, 10) {
		t.Errorf("polls %q", next)
	}
	// The full page shows the same bar, and a reload link without JS.
	page := parseHTML(t, apptest.Body(t, env.Get(t, c, base)))
	if v, _ := page.Find(`progress[data-testid="sync-bar"]`).Attr("value"); v != "240" {
		t.Errorf("detail page bar value %q", v)
	}
	if !strings.Contains(page.Find(`[data-testid="sync-progress"] noscript`).Text(), "Pagina vernieuwen") {
		t.Error("no reload link for browsers without JavaScript")
	}

	connExec(t, env, `UPDATE sync_runs SET outcome = 'succeeded', finished_at = now(), pages_done = 12, items_done = 1200,
		created = 1100, unchanged = 100 WHERE id = $1`, runID)
	connExec(t, env, `UPDATE connections SET last_success_at = now() WHERE id = $1`, id)
	body := apptest.Body(t, env.Get(t, c, next))
	doc = parseHTML(t, body)
	region = doc.Find(`[data-testid="sync-progress"]`)
	if _, polling := region.Attr("hx-trigger"); polling {
		t.Error("the region keeps polling after the run ended")
	}
	if got := region.Find(`[data-testid="progress-done"]`).Text(); !strings.Contains(got, "1.100 nieuw, 100 ongewijzigd") {
		t.Errorf("finished text %q", got)
	}
	if oob, _ := doc.Find(`#health`).Attr("hx-swap-oob"); oob != "true" {
		t.Errorf("no fresh health block swapped in: %s", body)
	}
	if got := doc.Find(`#health [data-testid="health-state"]`).Text(); got != "In orde" {
		t.Errorf("fresh health state %q", got)
	}
	if doc.Find(`#history [data-testid="run-row"]`).Length() == 0 {
		t.Error("no fresh history swapped in")
	}

	// Without a run, a requested sync waits, then gives up politely.
	wait := parseHTML(t, apptest.Body(t, env.Get(t, c, base+"/voortgang?na="+strconv.FormatInt(runID, 10)+"&tot="+strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))))
	if st, _ := wait.Find(`[data-testid="sync-progress"]`).Attr("data-state"); st != "waiting" {
		t.Errorf("waiting state %q", st)
	}
	late := parseHTML(t, apptest.Body(t, env.Get(t, c, base+"/voortgang?na="+strconv.FormatInt(runID, 10)+"&tot=1")))
	if st, _ := late.Find(`[data-testid="sync-progress"]`).Attr("data-state"); st != "not-started" {
		t.Errorf("after the deadline: state %q", st)
	}
}

// Staff see every connection, can narrow to those with problems, and read
// the technical detail of errors that suppliers do not see.
func TestStaffSeeConnectionsAndTechnicalDetail(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, -1)
	ok := connCreate(t, env, env.Supplier.ID, "test", shopURL)
	broken := connCreate(t, env, env.OtherSupplier.ID, "test", shopURL)
	connWaitIdle(t, env, ok)
	connWaitIdle(t, env, broken)
	connExec(t, env, `DELETE FROM sync_errors`)
	connExec(t, env, `UPDATE connections SET failing_since = NULL, auth_failed = false, webhook_status = 'active', incident_kind = '' WHERE id = $1`, ok)
	connExec(t, env, `UPDATE connections SET incident_kind = 'auth', incident_since = now() - interval '2 hours', auth_failed = true WHERE id = $1`, broken)
	connExec(t, env, `INSERT INTO sync_errors (connection_id, code, message, detail) VALUES ($1, 'auth', 'De webshop weigert de sleutels.', 'GET /wp-json/wc/v3/products?page=1: 401 woocommerce_rest_cannot_view')`, broken)

	for _, role := range []account.Role{account.RoleAdmin, account.RoleSupport} {
		c := env.LoginRole(t, role)
		all := parseHTML(t, apptest.Body(t, env.Get(t, c, "/beheer/koppelingen")))
		if n := all.Find(`[data-testid="connection-row"]`).Length(); n != 2 {
			t.Errorf("%s: %d connections listed, want 2", role, n)
		}
		problems := parseHTML(t, apptest.Body(t, env.Get(t, c, "/beheer/koppelingen?problemen=1")))
		rows := problems.Find(`[data-testid="connection-row"]`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), env.OtherSupplier.Name) || !strings.Contains(rows.Text(), "weigert de sleutels") {
			t.Errorf("%s: problems only lists %q", role, rows.Text())
		}
		detail := parseHTML(t, apptest.Body(t, env.Get(t, c, fmt.Sprintf("/beheer/koppelingen/%d", broken))))
		if got := detail.Find(`[data-testid="health-supplier"]`).Text(); got != env.OtherSupplier.Name {
			t.Errorf("%s: detail names supplier %q", role, got)
		}
		if detail.Find(`[data-testid="sync-now"], [data-testid="credentials"], [data-testid="delete-link"]`).Length() != 0 {
			t.Errorf("%s: the staff view offers the supplier's actions", role)
		}
		errs := parseHTML(t, apptest.Body(t, env.Get(t, c, fmt.Sprintf("/beheer/koppelingen/%d/fouten", broken))))
		if got := errs.Find(`[data-testid="error-detail"]`).Text(); !strings.Contains(got, "401 woocommerce_rest_cannot_view") {
			t.Errorf("%s: technical detail %q", role, got)
		}
	}
	// The supplier reads the message, never the detail.
	other := env.Login(t, env.OtherSupplierUser.Email)
	body := apptest.Body(t, env.Get(t, other, fmt.Sprintf("/koppelingen/%d/fouten", broken)))
	doc := parseHTML(t, body)
	if got := doc.Find(`[data-testid="error-message"]`).Text(); !strings.Contains(got, "De webshop weigert de sleutels.") {
		t.Errorf("supplier's error message %q", got)
	}
	if strings.Contains(body, "woocommerce_rest_cannot_view") || doc.Find(`[data-testid="error-detail"]`).Length() > 0 {
		t.Error("the supplier sees the technical detail")
	}
}

// The errors page filters by state, code and product, and pages by keyset.
func TestConnectionErrorsFilterAndPaging(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, -1)
	id := connCreate(t, env, env.Supplier.ID, "test", shopURL)
	connWaitIdle(t, env, id)
	connExec(t, env, `DELETE FROM sync_errors`)
	connExec(t, env, `INSERT INTO sync_errors (connection_id, product_external_id, product_name, code, message)
		SELECT $1, g::text, 'Radiatorfolie ' || g, 'item_no_price', 'Geef het product een prijs in uw webshop.' FROM generate_series(1, 55) g`, id)
	connExec(t, env, `INSERT INTO sync_errors (connection_id, product_external_id, product_name, code, message, resolved_at)
		VALUES ($1, '900', 'Tochtstrip', 'item_bad_stock', 'Controleer de voorraad.', now())`, id)
	c := env.LoginRole(t, account.RoleSupplier)
	base := fmt.Sprintf("/koppelingen/%d/fouten", id)

	first := parseHTML(t, apptest.Body(t, env.Get(t, c, base)))
	if n := first.Find(`[data-testid="error-row"]`).Length(); n != 50 {
		t.Errorf("first page: %d open errors, want 50", n)
	}
	next, ok := first.Find(`[data-testid="errors-next"]`).Attr("href")
	if !ok {
		t.Fatal("no link to older errors")
	}
	second := parseHTML(t, apptest.Body(t, env.Get(t, c, next)))
	if n := second.Find(`[data-testid="error-row"]`).Length(); n != 5 || second.Find(`[data-testid="errors-next"]`).Length() != 0 {
		t.Errorf("second page: %d rows, want the last 5 and no further link", n)
	}
	for query, want := range map[string]int{
		"?status=opgelost":                 1,
		"?status=alle&code=item_bad_stock": 1,
		"?status=alle":                     50,
		"?zoek=Radiatorfolie+17":           1,
		"?zoek=17":                         1, // the shop's id
		"?zoek=radiatorfolie+1":            11,
		"?status=open&zoek=Tochtstrip":     0,
	} {
		doc := parseHTML(t, apptest.Body(t, env.Get(t, c, base+query)))
		if n := doc.Find(`[data-testid="error-row"]`).Length(); n != want {
			t.Errorf("%s: %d rows, want %d", query, n, want)
		}
	}
}

// Connections with an open incident are flagged on the supplier's and the
// admin's start page, with what is wrong and a link.
func TestStartPagesFlagIncidents(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, -1)
	id := connCreate(t, env, env.Supplier.ID, "test", shopURL)
	connWaitIdle(t, env, id)
	connExec(t, env, `UPDATE connections SET incident_kind = 'webhooks', incident_since = now() WHERE id = $1`, id)

	sup := parseHTML(t, apptest.Body(t, env.Get(t, env.LoginRole(t, account.RoleSupplier), "/")))
	flag := sup.Find(`[data-testid="incidents"] [data-testid="incident"][data-kind="webhooks"]`)
	if !strings.Contains(flag.Text(), "webhooks van OHIS uitgeschakeld") {
		t.Errorf("supplier start page flag %q", flag.Text())
	}
	if href, _ := flag.Find("a").Attr("href"); href != fmt.Sprintf("/koppelingen/%d", id) {
		t.Errorf("supplier flag links to %q", href)
	}
	adm := parseHTML(t, apptest.Body(t, env.Get(t, env.LoginRole(t, account.RoleAdmin), "/")))
	flag = adm.Find(`[data-testid="incident"][data-kind="webhooks"]`)
	if !strings.Contains(flag.Text(), env.Supplier.Name) {
		t.Errorf("admin start page flag %q, want the supplier named", flag.Text())
	}
	if href, _ := flag.Find("a").Attr("href"); href != fmt.Sprintf("/beheer/koppelingen/%d", id) {
		t.Errorf("admin flag links to %q", href)
	}
	other := parseHTML(t, apptest.Body(t, env.Get(t, env.Login(t, env.OtherSupplierUser.Email), "/")))
	if other.Find(`[data-testid="incidents"]`).Length() != 0 {
		t.Error("another supplier's start page shows the incident")
	}
}

// The supplier's products: prices the Dutch way, stock, type, the shop's
// status and the curators' decision with the reason; deleted ones on
// request; searchable; paged.
func TestSupplierProductList(t *testing.T) {
	t.Parallel()
	env := connEnv(t)
	_, shopURL := connShop(t, -1)
	id := connCreate(t, env, env.Supplier.ID, "test", shopURL)
	theirs := connCreate(t, env, env.OtherSupplier.ID, "test", shopURL)
	connWaitIdle(t, env, id)
	connWaitIdle(t, env, theirs)
	ins := `INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, sku,
		regular_price_cents, sale_price_cents, price_cents, manage_stock, stock_quantity, stock_status, shop_modified_at, content_hash, deleted_at)
		VALUES ($1, $2, 'test', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), '\x00', $14) RETURNING id`
	add := func(conn, supplier int64, ext, typ, status, name, sku string, regular, sale, price *int64, manage bool, qty *int, stock string, deleted *time.Time) int64 {
		var pid int64
		if err := env.App.Pool.QueryRow(context.Background(), ins, conn, supplier, ext, typ, status, name, sku, regular, sale, price,
			manage, qty, stock, deleted).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	p := func(n int64) *int64 { return &n }
	q := func(n int) *int { return &n }
	now := time.Now()
	add(id, env.Supplier.ID, "1", "simple", "publish", "Warmtepomp Deluxe", "WP-1", p(150000), p(123456), p(123456), true, q(7), "instock", nil)
	variable := add(id, env.Supplier.ID, "2", "variable", "publish", "LED-lamp", "LED", nil, nil, p(499), false, nil, "instock", nil)
	rejected := add(id, env.Supplier.ID, "3", "simple", "draft", "Isolatieplaat", "ISO-9", p(2500), nil, p(2500), false, nil, "outofstock", nil)
	add(id, env.Supplier.ID, "4", "simple", "publish", "Oude kachel", "OLD", p(100), nil, p(100), false, nil, "instock", &now)
	add(theirs, env.OtherSupplier.ID, "1", "simple", "publish", "Product van een ander", "X", p(100), nil, p(100), false, nil, "instock", nil)
	connExec(t, env, `INSERT INTO product_variants (product_id, external_id, price_cents, shop_modified_at, content_hash)
		VALUES ($1, '21', 499, now(), '\x00'), ($1, '22', 699, now(), '\x00')`, variable)
	var reason int64
	if err := env.App.Pool.QueryRow(context.Background(), `INSERT INTO rejection_reasons (label) VALUES ('Geen energiebesparend product') RETURNING id`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	connExec(t, env, `INSERT INTO product_curation (product_id, status, reason_id, reason_text, decided_at)
		VALUES ($1, 'rejected', $2, 'Dit is bouwmateriaal zonder label.', now())
		ON CONFLICT (product_id) DO UPDATE SET status = 'rejected', reason_id = $2, reason_text = EXCLUDED.reason_text`, rejected, reason)

	c := env.LoginRole(t, account.RoleSupplier)
	doc := parseHTML(t, apptest.Body(t, env.Get(t, c, "/producten")))
	rows := map[string]string{}
	doc.Find(`[data-testid="product-row"]`).Each(func(_ int, s *goquery.Selection) {
		rows[s.Find(`[data-testid="product-name"]`).Text()] = strings.Join(strings.Fields(s.Text()), " ")
	})
	if len(rows) != 3 {
		t.Fatalf("listed %v, want the 3 live products of this supplier", rows)
	}
	for name, parts := range map[string][]string{
		"Warmtepomp Deluxe": {"€ 1.234,56", "aanbieding, normaal € 1.500,00", "7 stuks", "Enkelvoudig", "Wacht op beoordeling"},
		"LED-lamp":          {"vanaf € 4,99", "Variabel (2 varianten)", "Op voorraad"},
		"Isolatieplaat":     {"€ 25,00", "Niet op voorraad", "In de webshop: Concept", "Afgewezen", "Geen energiebesparend product: Dit is bouwmateriaal zonder label."},
	} {
		for _, part := range parts {
			if !strings.Contains(rows[name], part) {
				t.Errorf("%s: row %q lacks %q", name, rows[name], part)
			}
		}
	}
	withDeleted := parseHTML(t, apptest.Body(t, env.Get(t, c, "/producten?verwijderd=1")))
	if !strings.Contains(withDeleted.Find(`[data-testid="products-table"]`).Text(), "Oude kachel") ||
		withDeleted.Find(`[data-testid="product-deleted"]`).Length() != 1 {
		t.Error("the deleted product is not listed as deleted on request")
	}
	for query, want := range map[string]int{"?zoek=wp-1": 1, "?zoek=deluxe": 1, "?beoordeling=rejected": 1, "?beoordeling=approved": 0,
		fmt.Sprintf("?koppeling=%d", theirs): 3} {
		if n := parseHTML(t, apptest.Body(t, env.Get(t, c, "/producten"+query))).Find(`[data-testid="product-row"]`).Length(); n != want {
			t.Errorf("%s: %d rows, want %d", query, n, want)
		}
	}

	// Paging: 60 more products make a second page.
	connExec(t, env, `INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, shop_modified_at, content_hash)
		SELECT $1, $2, 'test', (100 + g)::text, 'simple', 'publish', 'Zonnepaneel ' || lpad(g::text, 3, '0'), now(), '\x00' FROM generate_series(1, 60) g`, id, env.Supplier.ID)
	page1 := parseHTML(t, apptest.Body(t, env.Get(t, c, "/producten")))
	next, ok := page1.Find(`[data-testid="products-next"]`).Attr("href")
	if n := page1.Find(`[data-testid="product-row"]`).Length(); n != 50 || !ok {
		t.Fatalf("first page: %d rows, next link %v", n, ok)
	}
	page2 := parseHTML(t, apptest.Body(t, env.Get(t, c, next)))
	if n := page2.Find(`[data-testid="product-row"]`).Length(); n != 13 {
		t.Errorf("second page: %d rows, want 13", n)
	}
	if got := page2.Find(`[data-testid="product-name"]`).Last().Text(); got != "Zonnepaneel 060" {
		t.Errorf("last product %q", got)
	}
}
