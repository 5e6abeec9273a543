package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/demoshop"
)

// A product synced from a demo webshop is approved by a curator and
// appears in the public catalogue; a price increase beyond the threshold
// in the shop puts it back in the curator's queue with a side-by-side diff.
func TestCuratorApprovesSyncedProductAndSeesPriceIncrease(t *testing.T) {
	requireBrowser(t)
	env := apptest.New(t,
		apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"),
		apptest.WithEnv("OHIS_SYNC_DISABLED", "true"), // no scheduled syncs: changes arrive by webhook
		apptest.WithEnv("OHIS_SHOP_REQUEST_TIMEOUT", "5s"),
	)
	ctx := context.Background()
	// The supplier is admitted to production (the admission flow has its
	// own tests), so its production catalogue can reach residents.
	if _, err := env.App.Pool.Exec(ctx, `INSERT INTO applications (company_name, kvk, vat_id, iban, contact_name, email, phone, website,
			platform, terms_accepted_at, state, supplier_id, admitted_at)
		VALUES ($1, '12345678', 'NL123456789B01', 'NL91ABNA0417164300', 'Test', 'test@testwinkel.example', '020 123 4567',
			'https://testwinkel.example', 'woocommerce', now(), 'production', $2, now())`, env.Supplier.Name, env.Supplier.ID); err != nil {
		t.Fatal(err)
	}

	shop := demoshop.New(demoshop.Options{Products: 2, VariableEvery: -1, Brands: true,
		ConsumerKey: "ck_" + strings.Repeat("0a1b", 10), ConsumerSecret: "cs_" + strings.Repeat("2c3d", 10)})
	ts := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { shop.Close(); ts.Close() })
	shop.SetBaseURL(ts.URL)
	const name = "Waterbesparende douchekop Eco 7 liter"
	shopID, err := shop.AddProduct(demoshop.NewProduct{Name: name, SKU: "ECO-7L", RegularCents: 2995})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Connections.Create(ctx, env.Supplier.ID, audit.Actor{Email: "test"}, connections.Input{
		Environment: "production", Platform: "woocommerce", ShopURL: ts.URL, Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret(),
	}); err != nil {
		t.Fatalf("connecting the demo shop: %v", err)
	}
	// Connecting runs a first full sync and registers OHIS's webhooks.
	var productID int64
	curationWait(t, "the first sync", 30*time.Second, func() bool {
		var hooks string
		err := env.App.Pool.QueryRow(ctx, `SELECT p.id, c.webhook_status FROM products p JOIN connections c ON c.id = p.connection_id
			WHERE p.external_id = $1`, strconv.FormatInt(shopID, 10)).Scan(&productID, &hooks)
		return err == nil && hooks == "active"
	})

	curator := newTab(t, env)
	curator.login(env.Users[account.RoleCurator].Email, apptest.Password)
	if !containsAny(curator.texts("[data-testid=curator-home]"), "wachten op een besluit") {
		t.Errorf("the curator's start page does not show the queue: %v", curator.texts("[data-testid=curator-home]"))
	}
	curator.clickNav("Curatie")
	// Searching filters the queue in place (htmx) and keeps it in the URL.
	curator.typeInto("#f-q", "douchekop")
	curator.waitUntil("the search results", `document.querySelectorAll("[data-testid=queue-row]").length === 1`)
	if !strings.Contains(curator.path(), "q=douchekop") {
		t.Errorf("the search is not in the URL: %s", curator.path())
	}
	curator.screenshot("curation-queue")
	curator.clickLink(name)
	if got := curator.text("[data-testid=product-status]"); got != "Nieuw" {
		t.Errorf("status %q, want Nieuw", got)
	}
	if facts := curator.text("[data-testid=facts]"); !strings.Contains(facts, "€ 29,95") || !strings.Contains(facts, "ECO-7L") {
		t.Errorf("facts: %s", facts)
	}
	curator.screenshot("curation-review")
	curator.press("[data-testid=approve]")
	if !containsAny(curator.flashes(), "Product goedgekeurd") {
		t.Errorf("flashes after approving: %v", curator.flashes())
	}
	if !strings.Contains(curator.path(), "q=douchekop") {
		t.Errorf("approving did not return to the filtered list: %s", curator.path())
	}

	// A resident finds it in the public catalogue.
	resident := newTab(t, env)
	resident.open("/catalogus/zoeken?q=" + url.QueryEscape("douchekop"))
	if !containsAny(resident.texts("[data-testid=product-name]"), name) {
		t.Fatalf("the approved product is not in the public catalogue: %v", resident.texts("[data-testid=product-name]"))
	}
	resident.screenshot("curation-public")

	// The shop raises the price by 50 %: the webhook brings it, and the
	// product is back in the queue.
	if err := shop.SetPrice(shopID, 4495, nil); err != nil {
		t.Fatal(err)
	}
	curationWait(t, "the price increase to reach curation", 30*time.Second, func() bool {
		var status string
		err := env.App.Pool.QueryRow(ctx, `SELECT status FROM product_curation WHERE product_id = $1`, productID).Scan(&status)
		return err == nil && status == "changed"
	})
	curator.clickNav("Curatie")
	curator.choose("#f-status", "Gewijzigd na goedkeuring")
	curator.waitUntil("only the changed products", `(() => {
		const rows = Array.from(document.querySelectorAll("[data-testid=queue-row]"));
		return rows.length > 0 && rows.every(r => r.dataset.status === "changed") && location.search.includes("status=gewijzigd");
	})()`)
	if rows := curator.texts("[data-testid=queue-row]"); len(rows) != 1 || !strings.Contains(rows[0], "Prijs verhoogd van € 29,95 naar € 44,95 (+50 %)") {
		t.Errorf("changed queue: %v", rows)
	}
	curator.clickLink(name)
	diff := curator.texts("[data-testid=diff-row][data-changed=true]")
	if len(diff) != 1 || !strings.Contains(diff[0], "€ 29,95") || !strings.Contains(diff[0], "€ 44,95") {
		t.Errorf("diff rows marked changed: %v", diff)
	}
	if got := curator.text("[data-testid=change-summary]"); !strings.Contains(got, "+50 %") {
		t.Errorf("change summary: %q", got)
	}
	curator.screenshot("curation-diff")
	// The curator maps the product's shop category onto a platform
	// category from the list of unmapped ones; the product follows.
	var shopCategory int64
	if err := env.App.Pool.QueryRow(ctx, `SELECT cc.id FROM products p JOIN catalog_categories cc ON cc.connection_id = p.connection_id
		AND cc.external_id = p.category_ids[1] WHERE p.id = $1`, productID).Scan(&shopCategory); err != nil {
		t.Fatal(err)
	}
	row := "[data-testid=unmapped] [data-testid=mapping-row][data-id=\"" + strconv.FormatInt(shopCategory, 10) + "\"] "
	curator.clickNav("Categorieën")
	curator.choose(row+"[data-testid=mapping-select]", "Water")
	curator.press(row + "[data-testid=mapping-save]")
	if !containsAny(curator.flashes(), "is gekoppeld aan ‘Water’") {
		t.Errorf("flashes after mapping: %v", curator.flashes())
	}
	curator.screenshot("curation-categories")
	var platform string
	if err := env.App.Pool.QueryRow(ctx, `SELECT pc.slug FROM products p JOIN platform_categories pc ON pc.id = p.platform_category_id WHERE p.id = $1`,
		productID).Scan(&platform); err != nil || platform != "water" {
		t.Errorf("the product's platform category after mapping: %q (%v)", platform, err)
	}
	curator.open("/beheer/curatie/instellingen")
	curator.screenshot("curation-settings")

	// The approved version stays visible meanwhile (the default setting).
	resident.open("/catalogus/zoeken?q=" + url.QueryEscape("douchekop"))
	if !containsAny(resident.texts("[data-testid=product-name]"), name) {
		t.Errorf("the product disappeared while back in review, though the setting keeps it visible")
	}
}

// curationWait polls cond until it holds or the timeout passes.
func curationWait(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
