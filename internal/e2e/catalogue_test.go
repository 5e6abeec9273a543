package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wujw/ohis/internal/catalogseed"
)

// A resident, not logged in, browses a category of the public catalogue,
// narrows it to one brand, searches from the header and opens a product
// with variants.
func TestResidentBrowsesSearchesAndOpensAProduct(t *testing.T) {
	env := setup(t)
	ctx := context.Background()
	if _, err := catalogseed.Seed(ctx, env.App.Store, catalogseed.Options{
		Suppliers: 2, ProductsPerSupplier: 150, Seed: 5, VariablePercent: 30, Curation: catalogseed.Mix{Approved: 90},
	}); err != nil {
		t.Fatal(err)
	}
	// A visible variable product with at least two variants shown, whose
	// category we browse to and whose name we search for.
	var productID int64
	var productName, categorySlug, categoryName, rootName string
	if err := env.App.Pool.QueryRow(ctx, `
		SELECT vp.id, vp.name, pc.slug, pc.name, coalesce(root.name, pc.name)
		FROM visible_products vp
		JOIN products p ON p.id = vp.id
		JOIN platform_categories pc ON pc.id = vp.platform_category_id
		LEFT JOIN platform_categories root ON root.id = pc.parent_id
		WHERE p.type = 'variable' AND (SELECT count(*) FROM public_variants v WHERE v.product_id = vp.id) >= 2
		ORDER BY vp.id LIMIT 1`).Scan(&productID, &productName, &categorySlug, &categoryName, &rootName); err != nil {
		t.Fatal(err)
	}

	p := newTab(t, env)
	if status := p.open("/catalogus"); status != 200 {
		t.Fatalf("/catalogus: %d", status)
	}
	if got := p.text("h1"); got != "Energiebesparende producten" {
		t.Errorf("heading %q", got)
	}
	if got := p.text("[data-testid=catalogue-login]"); got != "Inloggen voor aanbieders en medewerkers" {
		t.Errorf("login link %q", got)
	}
	p.screenshot("catalogue-index")

	// Into the top-level category, then the subcategory.
	p.follow("open "+rootName, clickXPath(`//ul[@data-testid="category-tree"]//h2/a[normalize-space(.)=`+xpathString(rootName)+`]`))
	if got := p.text("[data-testid=list-title]"); got != rootName {
		t.Fatalf("category heading %q, want %q", got, rootName)
	}
	if categoryName != rootName {
		p.follow("open "+categoryName, clickXPath(`//a[@data-testid="subcategory-link"][normalize-space(.)=`+xpathString(categoryName)+`]`))
	}
	if got := p.path(); got != "/catalogus/"+categorySlug {
		t.Fatalf("on %s, want /catalogus/%s", got, categorySlug)
	}
	cards := p.texts("[data-testid=product-card] [data-testid=product-name]")
	if len(cards) == 0 {
		t.Fatal("the category lists no products")
	}
	p.screenshot("catalogue-category")

	// One brand: htmx swaps the results and puts the filter in the URL.
	brand := p.value(`input[name="merk"]`)
	p.do("tick the first brand", clickXPath(`(//input[@name="merk"])[1]`))
	p.do("apply the filter (htmx, no page load)", chromedp.Click(chromedp.CSS("[data-testid=filters-apply]")))
	p.waitUntil("the brand is in the address", `location.search.includes("merk=")`)
	if got := p.path(); !strings.Contains(got, "merk="+url.QueryEscape(brand)) {
		t.Errorf("address %s lacks the brand filter %q", got, brand)
	}
	for _, n := range p.texts("[data-testid=product-card] [data-testid=product-name]") {
		if !strings.Contains(strings.ToLower(n), brand) {
			t.Errorf("brand %q filter lists %q", brand, n)
		}
	}
	p.screenshot("catalogue-brand")

	// Search from the header.
	p.typeInto("#cat-search-q", productName)
	p.pressButton("Zoeken")
	if got := p.path(); !strings.HasPrefix(got, "/catalogus/zoeken?q=") {
		t.Fatalf("search went to %s", got)
	}
	if got := p.text("[data-testid=list-title]"); !strings.Contains(got, productName) {
		t.Errorf("search heading %q", got)
	}
	results := p.texts("[data-testid=product-card] [data-testid=product-name]")
	if len(results) == 0 || results[0] != productName {
		t.Fatalf("searching the exact name %q: first results %q", productName, results)
	}
	p.screenshot("catalogue-search")

	// The product page, with its variants (other products may share the
	// name: open this one).
	p.follow("open "+productName, clickXPath(`//li[@data-testid="product-card"]//a[starts-with(@href, "/catalogus/product/`+strconv.FormatInt(productID, 10)+`-")]`))
	if got := p.path(); !regexp.MustCompile(`^/catalogus/product/\d+-[a-z0-9-]+$`).MatchString(got) {
		t.Errorf("product address %s is not clean", got)
	}
	if got := p.text("[data-testid=product-title]"); got != productName {
		t.Errorf("product title %q, want %q", got, productName)
	}
	if got := p.text("[data-testid=price]"); !regexp.MustCompile(`^vanaf\s+€ \d{1,3}(\.\d{3})*,\d{2}`).MatchString(got) {
		t.Errorf("price %q, want a Dutch 'vanaf € …'", got)
	}
	variants := p.texts("[data-testid=variant]")
	if len(variants) < 2 {
		t.Fatalf("%d variants shown, want at least 2", len(variants))
	}
	for _, v := range p.texts("[data-testid=variant] [data-testid=availability]") {
		if v != "Op voorraad" && v != "Nabestelbaar" && v != "Uitverkocht" {
			t.Errorf("availability %q is not Dutch", v)
		}
	}
	if got := p.text("[data-testid=supplier]"); got == "" {
		t.Error("no supplier on the product page")
	}
	crumbs := p.texts("[data-testid=crumbs] li")
	if len(crumbs) < 3 || crumbs[0] != "Catalogus" || crumbs[len(crumbs)-1] != productName {
		t.Errorf("breadcrumbs %q", crumbs)
	}
	p.screenshot("catalogue-product")
}
