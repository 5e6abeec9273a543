package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/publiccatalog"
)

// catalogueEnv is an app with a small seeded catalogue: two suppliers in
// production, one only admitted, a mix of curation decisions.
func catalogueEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.New(t)
	if _, err := catalogseed.Seed(context.Background(), env.App.Store, catalogseed.Options{
		Suppliers: 3, ProductsPerSupplier: 120, Seed: 11, ProductionPercent: 67,
		Curation: catalogseed.Mix{Approved: 70, Rejected: 10, Changed: 10},
	}); err != nil {
		t.Fatal(err)
	}
	return env
}

// page fetches a catalogue page anonymously and parses it.
func cataloguePage(t *testing.T, env *apptest.Env, path string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp := env.Get(t, env.Client(t), path)
	body := apptest.Body(t, resp)
	return resp, parseHTML(t, body)
}

// listedIDs walks every page of a list and returns the product ids shown.
func listedIDs(t *testing.T, env *apptest.Env, path string) []int64 {
	t.Helper()
	var ids []int64
	for n := 1; n <= publiccatalog.MaxPage; n++ {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		resp, doc := cataloguePage(t, env, path+sep+"pagina="+strconv.Itoa(n))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s page %d: %d", path, n, resp.StatusCode)
		}
		doc.Find(`[data-testid="product-card"] a`).Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			id, ok := publiccatalog.ParseProductRef(strings.TrimPrefix(href, "/catalogus/product/"))
			if !ok {
				t.Fatalf("card links to %q", href)
			}
			ids = append(ids, id)
		})
		if doc.Find(`[data-testid="pager-next"]`).Length() == 0 {
			break
		}
	}
	slices.Sort(ids)
	return ids
}

// visibleIn returns the visible products in the categories, by id.
func visibleIn(t *testing.T, env *apptest.Env, categoryIDs []int64) []int64 {
	t.Helper()
	rows, err := env.App.Pool.Query(context.Background(),
		"SELECT id FROM visible_products WHERE platform_category_id = ANY ($1) ORDER BY id", categoryIDs)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func categoryTree(t *testing.T, env *apptest.Env) *publiccatalog.Tree {
	t.Helper()
	cats, err := env.App.Store.PublicCatalogCategories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var nodes []publiccatalog.Node
	for _, c := range cats {
		nodes = append(nodes, publiccatalog.Node{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Slug: c.Slug})
	}
	return publiccatalog.NewTree(nodes)
}

// TestCataloguePagesShowExactlyTheVisibleProducts: every category page,
// walked through all its pages, lists exactly the visible products of the
// category and its descendants; the overview's counts agree.
func TestCataloguePagesShowExactlyTheVisibleProducts(t *testing.T) {
	t.Parallel()
	env := catalogueEnv(t)
	tree := categoryTree(t, env)
	_, index := cataloguePage(t, env, "/catalogus")
	checkedRoot := false
	for _, id := range tree.IDs() {
		c := tree.ByID(id)
		want := visibleIn(t, env, c.Subtree())
		got := listedIDs(t, env, "/catalogus/"+c.Slug)
		if !slices.Equal(got, want) {
			t.Errorf("/catalogus/%s lists %d products, want the %d visible ones of it and its descendants", c.Slug, len(got), len(want))
		}
		if c.Parent == nil && len(c.Children) > 0 && len(want) > len(visibleIn(t, env, []int64{c.ID})) {
			checkedRoot = true // a root that shows its descendants' products
		}
		if c.Parent == nil {
			link := index.Find(fmt.Sprintf(`[data-testid="category-tree"] h2 a[href="/catalogus/%s"]`, c.Slug)).Closest("li")
			if count := link.Find(`[data-testid="category-count"]`).Text(); count != productCount(len(want)) {
				t.Errorf("overview: %s counts %q, want %q", c.Slug, count, productCount(len(want)))
			}
		}
	}
	if !checkedRoot {
		t.Error("no top-level category with products in its subcategories: the descendants rule went untested")
	}
	all, err := env.App.Store.VisibleProductIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 50 {
		t.Fatalf("only %d visible products: the seed is too small to test with", len(all))
	}
	if got := index.Find(`[data-testid="catalogue-total"]`).Text(); !strings.HasPrefix(got, productCount(len(all))) {
		t.Errorf("overview total %q, want %s", got, productCount(len(all)))
	}
}

func productCount(n int) string {
	if n == 1 {
		return "1 product"
	}
	return publiccatalog.Number(n) + " producten"
}

// TestProductDisappearsOnTheNextLoad: a visible product made invisible by
// each condition in turn is gone from its page, its category and search on
// the very next request, and back once the condition holds again.
func TestProductDisappearsOnTheNextLoad(t *testing.T) {
	t.Parallel()
	env := catalogueEnv(t)
	ctx := context.Background()
	var id, supplierID, connID int64
	var sku, slug string
	var variable bool
	// A simple product in a category, so that all conditions apply to it.
	if err := env.App.Pool.QueryRow(ctx, `SELECT vp.id, vp.supplier_id, vp.connection_id, p.sku, pc.slug, p.type = 'variable'
		FROM visible_products vp JOIN products p ON p.id = vp.id JOIN platform_categories pc ON pc.id = vp.platform_category_id
		WHERE p.type = 'simple' ORDER BY vp.id LIMIT 1`).Scan(&id, &supplierID, &connID, &sku, &slug, &variable); err != nil {
		t.Fatal(err)
	}
	p, err := env.App.Store.PublicCatalogProduct(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	path := publiccatalog.ProductPath(id, p.Name)
	shown := func() (page, category, search bool) {
		resp, _ := cataloguePage(t, env, path)
		page = resp.StatusCode == http.StatusOK
		category = slices.Contains(listedIDs(t, env, "/catalogus/"+slug), id)
		search = slices.Contains(listedIDs(t, env, "/catalogus/zoeken?q="+url.QueryEscape(sku)), id)
		return
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := env.App.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, c := range []struct{ name, hide, show string }{
		{"back in the queue", "UPDATE product_curation SET status = 'pending' WHERE product_id = $1", "UPDATE product_curation SET status = 'approved' WHERE product_id = $1"},
		{"rejected", "UPDATE product_curation SET status = 'rejected' WHERE product_id = $1", "UPDATE product_curation SET status = 'approved' WHERE product_id = $1"},
		{"deleted in the shop", "UPDATE products SET deleted_at = now() WHERE id = $1", "UPDATE products SET deleted_at = NULL WHERE id = $1"},
		{"draft in the shop", "UPDATE products SET shop_status = 'draft' WHERE id = $1", "UPDATE products SET shop_status = 'publish' WHERE id = $1"},
		{"price zero", "UPDATE products SET price_cents = 0 WHERE id = $1", "UPDATE products SET price_cents = 1995 WHERE id = $1"},
		{"sold out", "UPDATE products SET manage_stock = true, stock_quantity = 0, stock_status = 'outofstock', backorders = 'no' WHERE id = $1",
			"UPDATE products SET manage_stock = true, stock_quantity = 4, stock_status = 'instock' WHERE id = $1"},
		{"supplier excluded", "UPDATE applications SET state = 'excluded' WHERE supplier_id = (SELECT supplier_id FROM products WHERE id = $1)",
			"UPDATE applications SET state = 'production' WHERE supplier_id = (SELECT supplier_id FROM products WHERE id = $1)"},
		{"connection moved to acceptance", "UPDATE connections SET environment = 'acceptance' WHERE id = (SELECT connection_id FROM products WHERE id = $1)",
			"UPDATE connections SET environment = 'production' WHERE id = (SELECT connection_id FROM products WHERE id = $1)"},
		{"changed while changed products are hidden", "UPDATE product_curation SET status = 'changed' WHERE product_id = $1; UPDATE curation_settings SET keep_visible_on_change = false",
			"UPDATE curation_settings SET keep_visible_on_change = true; UPDATE product_curation SET status = 'approved' WHERE product_id = $1"},
	} {
		if page, cat, search := shown(); !page || !cat || !search {
			t.Fatalf("before %q: page %v, category %v, search %v; want all shown", c.name, page, cat, search)
		}
		for _, stmt := range strings.Split(c.hide, "; ") {
			exec(stmt, argsFor(stmt, id)...)
		}
		if page, cat, search := shown(); page || cat || search {
			t.Errorf("%s: page %v, category %v, search %v; want it gone everywhere", c.name, page, cat, search)
		}
		for _, stmt := range strings.Split(c.show, "; ") {
			exec(stmt, argsFor(stmt, id)...)
		}
	}
	if page, cat, search := shown(); !page || !cat || !search {
		t.Errorf("after all: page %v, category %v, search %v; want all shown", page, cat, search)
	}
	// The 404 is the Dutch one of the catalogue.
	exec("UPDATE products SET deleted_at = now() WHERE id = $1", id)
	resp, doc := cataloguePage(t, env, path)
	if resp.StatusCode != http.StatusNotFound || doc.Find(`[data-testid="error-404"]`).Length() == 0 ||
		!strings.Contains(doc.Find("h1").Text(), "Pagina niet gevonden") || doc.Find(`[data-testid="catalogue-header"]`).Length() == 0 {
		t.Errorf("an invisible product's page: %d, want the catalogue's Dutch 404", resp.StatusCode)
	}
}

func argsFor(stmt string, id int64) []any {
	if strings.Contains(stmt, "$1") {
		return []any{id}
	}
	return nil
}

// TestCatalogueSearchIsSafe: any search text is answered with a page, never
// an error, never everything; LIKE wildcards and quotes are literal.
func TestCatalogueSearchIsSafe(t *testing.T) {
	t.Parallel()
	env := catalogueEnv(t)
	nasty := []string{
		`"`, `""`, `"unterminated`, `'`, `' OR '1'='1`, `'); DROP TABLE products; --`, `%`, `%%%`, `_`, `___`, `\`, `\\`, `\%`, `%_\`,
		`-`, `- - -`, `!`, `&`, `|`, `&&`, `!(led)`, `led:*`, `<script>alert(1)</script>`, `OR`, `or or`, `-ledlamp`, `"-"`,
		"\x00", "led\x00lamp", "\u200b", strings.Repeat("a", 10_000), strings.Repeat("ledlamp ", 2_000), strings.Repeat(`"`, 5_000),
		strings.Repeat("%_", 5_000), "１２３", "🙂", "ľščťžýáí", "SELECT * FROM products", "1=1", "$1", "{}", "[]",
	}
	for _, q := range nasty {
		resp, doc := cataloguePage(t, env, "/catalogus/zoeken?q="+url.QueryEscape(q))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("search %.40q: %d", q, resp.StatusCode)
			continue
		}
		if doc.Find(`[data-testid="results"]`).Length() == 0 {
			t.Errorf("search %.40q: no results section", q)
		}
		if doc.Find("script:not([src])").Length() > 0 {
			t.Errorf("search %.40q: an inline script on the page", q)
		}
	}
	// Wildcards are literal: no SKU or name contains them, so nothing
	// matches (an unescaped LIKE would match everything).
	for _, q := range []string{"%%%", "___", `%_%`} {
		ids := listedIDs(t, env, "/catalogus/zoeken?q="+url.QueryEscape(q))
		if len(ids) != 0 {
			t.Errorf("search %q finds %d products; wildcards must be literal", q, len(ids))
		}
	}
	// The search box keeps at most 100 characters of the text.
	_, doc := cataloguePage(t, env, "/catalogus/zoeken?q="+strings.Repeat("b", 500))
	if v, _ := doc.Find("#cat-search-q").Attr("value"); len(v) != publiccatalog.MaxQueryRunes {
		t.Errorf("search box holds %d characters, want %d", len(v), publiccatalog.MaxQueryRunes)
	}
	// A real search finds products by their description, by part of a SKU
	// and by a name word with a typo (two letters swapped).
	var name string
	if err := env.App.Pool.QueryRow(context.Background(), "SELECT name FROM visible_products ORDER BY id LIMIT 1").Scan(&name); err != nil {
		t.Fatal(err)
	}
	word := ""
	for _, w := range strings.Fields(name) {
		if len(w) > len(word) && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
			word = w
		}
	}
	if len(word) < 7 {
		t.Fatalf("no long word in %q to misspell", name)
	}
	typo := word[:len(word)-2] + word[len(word)-1:] + word[len(word)-2:len(word)-1]
	for _, q := range []string{"energie", "S01-", typo} {
		if ids := listedIDs(t, env, "/catalogus/zoeken?q="+url.QueryEscape(q)); len(ids) == 0 {
			t.Errorf("search %q finds nothing", q)
		}
	}
	// The typo finds nothing exactly: the page says it shows look-alikes.
	if _, doc := cataloguePage(t, env, "/catalogus/zoeken?q="+url.QueryEscape(typo)); !strings.Contains(doc.Find(`[data-testid="list-intro"]`).Text(), "naam die erop lijkt") {
		t.Errorf("search %q: no note that the results only look like it", typo)
	}
	// Only visible products are found: an invisible product's SKU finds
	// nothing.
	var sku string
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT p.sku FROM products p
		WHERE NOT EXISTS (SELECT 1 FROM visible_products vp WHERE vp.id = p.id) ORDER BY p.id LIMIT 1`).Scan(&sku); err != nil {
		t.Fatal(err)
	}
	if ids := listedIDs(t, env, "/catalogus/zoeken?q="+url.QueryEscape(sku)); len(ids) != 0 {
		t.Errorf("searching the SKU %s of an invisible product finds %v", sku, ids)
	}
}

// TestCatalogueFiltersAndSorting: the brand and price filters narrow the
// list to matching products only; orders are what they say.
func TestCatalogueFiltersAndSorting(t *testing.T) {
	t.Parallel()
	env := catalogueEnv(t)
	ctx := context.Background()
	tree := categoryTree(t, env)
	var root *publiccatalog.Category
	best := 0
	for _, c := range tree.Roots {
		if n := len(visibleIn(t, env, c.Subtree())); n > best {
			root, best = c, n
		}
	}
	base := "/catalogus/" + root.Slug
	_, doc := cataloguePage(t, env, base)
	brand, ok := doc.Find(`input[name="merk"]`).First().Attr("value")
	if !ok {
		t.Fatal("no brand filter offered")
	}
	ids := listedIDs(t, env, base+"?merk="+url.QueryEscape(brand))
	if len(ids) == 0 {
		t.Fatalf("brand %q lists nothing", brand)
	}
	for _, id := range ids {
		p, err := env.App.Store.PublicCatalogProduct(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(p.Brands, func(b string) bool { return strings.EqualFold(b, brand) }) {
			t.Errorf("brand filter %q lists %d of brands %v", brand, id, p.Brands)
		}
	}
	prices := func(path string) []int64 {
		_, doc := cataloguePage(t, env, path)
		var out []int64
		doc.Find(`[data-testid="product-price"]`).Each(func(_ int, s *goquery.Selection) {
			cents, ok := publiccatalog.ParseEuros(strings.TrimSpace(s.Text()))
			if !ok {
				t.Fatalf("price %q", s.Text())
			}
			out = append(out, cents)
		})
		return out
	}
	asc := prices(base + "?sort=prijs-oplopend")
	if len(asc) < 2 || !slices.IsSorted(asc) {
		t.Errorf("price ascending: %v", asc)
	}
	desc := prices(base + "?sort=prijs-aflopend")
	if slices.Reverse(desc); len(desc) < 2 || !slices.IsSorted(desc) {
		t.Errorf("price descending: %v", desc)
	}
	for _, p := range prices(base + "?min=20&max=80,50") {
		if p < 2000 || p > 8050 {
			t.Errorf("price filter € 20 – € 80,50 lists a product of %s", publiccatalog.Euros(p))
		}
	}
	// A bad amount is ignored with a Dutch note, not an error.
	resp, doc := cataloguePage(t, env, base+"?min=twintig")
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find(`[data-testid="filter-problems"]`).Text(), "bedrag in euro") {
		t.Errorf("bad amount: %d without the Dutch note", resp.StatusCode)
	}
	// htmx asks for the results only.
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+base+"?sort=naam", nil)
	req.Header.Set("HX-Request", "true")
	hx, err := env.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := apptest.Body(t, hx)
	if strings.Contains(body, "<html") || !strings.Contains(body, `data-testid="results"`) {
		t.Errorf("htmx filter change: want the results fragment only")
	}
	// An unknown category is the catalogue's 404.
	if resp, _ := cataloguePage(t, env, "/catalogus/bestaat-niet"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown category: %d", resp.StatusCode)
	}
}

// TestProductPage: the canonical address, variants with their options,
// Dutch prices and availability, the supplier, a sanitised description.
func TestProductPage(t *testing.T) {
	t.Parallel()
	env := catalogueEnv(t)
	ctx := context.Background()
	var id int64
	var name string
	// A visible variable product; make its variants tell every story.
	if err := env.App.Pool.QueryRow(ctx, `SELECT vp.id, vp.name FROM visible_products vp JOIN products p ON p.id = vp.id
		WHERE p.type = 'variable' ORDER BY vp.id LIMIT 1`).Scan(&id, &name); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := env.App.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`DELETE FROM product_variants WHERE product_id = $1`, id)
	exec(`INSERT INTO product_variants (product_id, external_id, shop_status, sku, regular_price_cents, sale_price_cents, price_cents,
			manage_stock, stock_quantity, stock_status, backorders, options, position, shop_modified_at, content_hash) VALUES
		($1, 'a', 'publish', 'V-A', 149999, 123456, 123456, true, 5, 'instock', 'no', '[{"name":"Kleur","option":"wit"}]', 0, now(), '\x00'),
		($1, 'b', 'publish', 'V-B', 2495, NULL, 2495, true, 0, 'outofstock', 'no', '[{"name":"Kleur","option":"zwart"}]', 1, now(), '\x00'),
		($1, 'c', 'publish', 'V-C', 2995, NULL, 2995, true, 0, 'onbackorder', 'notify', '[{"name":"Kleur","option":"grijs"}]', 2, now(), '\x00'),
		($1, 'd', 'private', 'V-D', 995, NULL, 995, false, NULL, 'instock', 'no', '[{"name":"Kleur","option":"geheim"}]', 3, now(), '\x00')`, id)
	exec(`UPDATE products SET description = $2 WHERE id = $1`, id,
		`<p style="color:red">Zuinig <strong>en</strong> stil</p><script>alert(1)</script><img src="x" onerror="alert(2)">`)

	canonical := publiccatalog.ProductPath(id, name)
	c := env.Client(t)
	for _, other := range []string{
		fmt.Sprintf("/catalogus/product/%d", id), fmt.Sprintf("/catalogus/product/%d-verkeerde-naam", id),
		fmt.Sprintf("/catalogus/product/%d-", id), fmt.Sprintf("/catalogus/product/000%d-x", id),
	} {
		resp := env.Get(t, c, other)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != canonical {
			t.Errorf("GET %s: %d to %q, want 301 to %s", other, resp.StatusCode, resp.Header.Get("Location"), canonical)
		}
	}
	for _, bad := range []string{"/catalogus/product/abc", "/catalogus/product/0-x", "/catalogus/product/999999999-x"} {
		if resp := env.Get(t, c, bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, resp.StatusCode)
		}
	}

	resp, doc := cataloguePage(t, env, canonical)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", canonical, resp.StatusCode)
	}
	// Product photos live on the suppliers' shops: the page must let the
	// browser load them, while scripts stay our own.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https:") || !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("product page CSP %q does not allow shop images (or allows foreign scripts)", csp)
	}
	if got := doc.Find(`[data-testid="product-title"]`).Text(); got != name {
		t.Errorf("title %q, want %q", got, name)
	}
	if got := doc.Find(`[data-testid="price"]`).Text(); !strings.Contains(got, "vanaf") || !strings.Contains(got, "€ 29,95") {
		t.Errorf("price %q, want from the lowest orderable variant, € 29,95 (the sold-out € 24,95 and the private € 9,95 do not count)", got)
	}
	rows := doc.Find(`[data-testid="variant"]`)
	if rows.Length() != 3 {
		t.Fatalf("%d variants shown, want the 3 published ones", rows.Length())
	}
	want := []struct{ label, price, avail string }{
		{"Kleur: wit", "€ 1.234,56", "Op voorraad"}, {"Kleur: zwart", "€ 24,95", "Uitverkocht"}, {"Kleur: grijs", "€ 29,95", "Nabestelbaar"},
	}
	rows.Each(func(i int, s *goquery.Selection) {
		if got := s.Find(`[data-testid="variant-label"]`).Text(); got != want[i].label {
			t.Errorf("variant %d label %q, want %q", i, got, want[i].label)
		}
		if got := s.Find(`[data-testid="variant-price"]`).Text(); got != want[i].price {
			t.Errorf("variant %d price %q, want %q", i, got, want[i].price)
		}
		if got := s.Find(`[data-testid="availability"]`).Text(); got != want[i].avail {
			t.Errorf("variant %d availability %q, want %q", i, got, want[i].avail)
		}
	})
	if got := rows.First().Find("del").Text(); !strings.Contains(got, "€ 1.499,99") {
		t.Errorf("sale variant: struck regular price %q, want € 1.499,99", got)
	}
	if doc.Find(`[data-testid="supplier"]`).Text() == "" {
		t.Error("no supplier shown")
	}
	descr, _ := doc.Find(`[data-testid="description"]`).Html()
	if !strings.Contains(descr, "<strong>en</strong>") || strings.Contains(descr, "style") || strings.Contains(descr, "alert") || strings.Contains(descr, "<img") {
		t.Errorf("description not sanitised: %s", descr)
	}
	if doc.Find(`[style]`).Length() > 0 || doc.Find("script:not([src])").Length() > 0 {
		t.Error("the page carries an inline style or script")
	}
	if doc.Find(`[data-testid="catalogue-login"]`).Length() == 0 || doc.Find(`[data-testid="nav"]`).Length() > 0 {
		t.Error("product page: want the resident shell (login link, no portal menu)")
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}

	// Every variant sold out: the product is gone.
	exec(`UPDATE product_variants SET stock_status = 'outofstock', backorders = 'no' WHERE product_id = $1`, id)
	if resp, _ := cataloguePage(t, env, canonical); resp.StatusCode != http.StatusNotFound {
		t.Errorf("all variants sold out: %d, want 404", resp.StatusCode)
	}
}
