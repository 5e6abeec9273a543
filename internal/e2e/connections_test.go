package e2e

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/demoshop"
)

const (
	e2eShopKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	e2eShopSecret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

// connectionsEnv is the application with loopback shops allowed and no
// scheduled syncs (the supplier's own actions start them).
func connectionsEnv(t *testing.T) *apptest.Env {
	t.Helper()
	requireBrowser(t)
	return apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"), apptest.WithEnv("OHIS_SYNC_DISABLED", "true"))
}

func e2eShop(t *testing.T, opts demoshop.Options) (*demoshop.Shop, string) {
	t.Helper()
	opts.ConsumerKey, opts.ConsumerSecret = e2eShopKey, e2eShopSecret
	shop := demoshop.New(opts)
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { srv.Close(); shop.Close() })
	return shop, srv.URL
}

// addConnection fills in and submits the add-connection form.
func (p *page) addConnection(env, shopURL, key, secret string) {
	p.t.Helper()
	p.clickNav("Koppelingen")
	p.clickLink("Koppeling toevoegen")
	p.do("choose the environment", clickXPath(`//input[@id="f-env-`+env+`"]`))
	p.do("choose WooCommerce", clickXPath(`//input[@id="f-platform-woocommerce"]`))
	p.typeInto("#f-shop_url", shopURL)
	p.typeInto("#f-consumer_key", key)
	p.typeInto("#f-consumer_secret", secret)
	p.press("[data-testid=connection-submit]")
}

// A supplier connects a demo shop: the page shows the first sync's live
// progress bar, then the finished sync, and the product list fills.
func TestSupplierConnectsShopAndSeesCatalogueArrive(t *testing.T) {
	env := connectionsEnv(t)
	// 150 products make two pages; the second is slow, so the bar is seen
	// half way.
	shop, shopURL := e2eShop(t, demoshop.Options{Products: 150, Brands: true})
	shop.SetFaults(demoshop.Faults{SlowPage: map[string]int{"products": 2}, SlowDelay: 3 * time.Second})
	p := newTab(t, env)
	p.login(env.Users[account.RoleSupplier].Email, apptest.Password)
	p.addConnection("test", shopURL, e2eShopKey, e2eShopSecret)

	if !strings.HasPrefix(p.path(), "/koppelingen/") {
		t.Fatalf("after adding: on %s", p.path())
	}
	if !containsAny(p.flashes(), "De koppeling is toegevoegd") {
		t.Errorf("flashes %q", p.flashes())
	}
	p.waitUntil("the progress bar half way", `(() => {
		const bar = document.querySelector('progress[data-testid=sync-bar]');
		const items = document.querySelector('[data-testid=progress-items]');
		return bar && items && items.textContent.includes('van 150 producten') && Number(bar.value) > 0 && Number(bar.value) < 150;
	})()`)
	p.screenshot("connection-progress")
	p.waitUntil("the finished sync", `document.querySelector('[data-testid=progress-done]')`)
	if got := p.text("[data-testid=progress-done]"); !strings.Contains(got, "nieuw") {
		t.Errorf("finished text %q", got)
	}
	// The health block was refreshed in place.
	if got := p.text("[data-testid=health-last-success]"); got == "Nog nooit" {
		t.Error("health still says it never synced")
	}
	p.clickNav("Producten")
	if rows := p.texts("[data-testid=product-row]"); len(rows) != 50 {
		t.Errorf("%d products on the first page, want 50", len(rows))
	}
	var live int
	if err := env.App.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM products WHERE supplier_id = $1 AND deleted_at IS NULL", env.Supplier.ID).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if got, want := p.text("[data-testid=products-count]"), strconv.Itoa(live)+" producten in OHIS"; live < 100 || got != want {
		t.Errorf("count %q, want %q (of 150 in the shop)", got, want)
	}
	if !containsAny(p.texts("[data-testid=product-price]"), "€ ") {
		t.Error("no prices in euro")
	}
	p.screenshot("connection-products")
}

// A shop that refuses the keys: "Verbinding testen" says in Dutch which
// step fails and what to do, and the failed sync says so too.
func TestBrokenShopShowsDutchError(t *testing.T) {
	env := connectionsEnv(t)
	_, shopURL := e2eShop(t, demoshop.Options{Products: 3})
	p := newTab(t, env)
	p.login(env.Users[account.RoleSupplier].Email, apptest.Password)
	p.addConnection("acceptance", shopURL, "ck_"+strings.Repeat("a", 40), "cs_"+strings.Repeat("b", 40))

	p.waitUntil("the failed first sync", `document.querySelector('[data-testid=sync-progress][data-state=failed]')`)
	if got := p.text("[data-testid=progress-done]"); !strings.Contains(strings.ToLower(got), "sleutel") {
		t.Errorf("failed sync says %q, want it to be about the keys", got)
	}
	p.pressButton("Verbinding testen")
	if got := p.text("[data-testid=check-result] h2"); !strings.Contains(got, "de verbinding werkt niet") {
		t.Errorf("check heading %q", got)
	}
	failed := p.texts(`[data-testid=check-step][data-ok=false]`)
	if len(failed) != 1 || !strings.Contains(strings.ToLower(failed[0]), "sleutel") {
		t.Errorf("failed steps %q, want one about the key", failed)
	}
	if ok := p.texts(`[data-testid=check-step][data-ok=true]`); len(ok) == 0 {
		t.Error("no step passed: reachability and TLS should")
	}
	p.screenshot("connection-check-failed")
	if path := p.path(); !strings.HasPrefix(path, "/koppelingen/") || !strings.HasSuffix(path, "/testen") {
		t.Errorf("check result shown on %s", path)
	}
}
