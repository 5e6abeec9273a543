package curation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	ct "github.com/wujw/ohis/internal/curation/curationtest"
	"github.com/wujw/ohis/internal/store"
)

func queueIDs(t *testing.T, e *env, f store.CurationFilter, sortKey string) []int64 {
	t.Helper()
	rows, _, err := e.st.CurationQueue(context.Background(), f, sortKey, store.QueueCursor{}, 1000)
	if err != nil {
		t.Fatalf("queue %+v: %v", f, err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

func TestSearchFindsDutchWordsSKUsBrandsAndTypos(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ct.Brand(t, e.pool, e.conn, "b1", "Philips")
	lamp := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "LED-lampen E27 warmwit", SKU: "PH-E27-0815", BrandIDs: []string{"b1"}})
	deken := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "Isolatiedeken voor de zolder", SKU: "ISO-900",
		Description: "<p>Houdt <strong>warmte</strong> binnen &amp; bespaart energie.</p>"})
	// A brand that arrives after its products still makes them findable.
	late := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "Radiatorventilator", BrandIDs: []string{"b2"}})
	ct.Brand(t, e.pool, e.conn, "b2", "Speedcomfort")
	compound := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "Spaarlamp GU10"})
	// The words typos are corrected against follow the names periodically.
	if err := e.st.SearchWordsRefresh(context.Background()); err != nil {
		t.Fatal(err)
	}

	for q, want := range map[string][]int64{
		"lamp":                  {lamp, compound},        // stemming (lampen → lamp) and a compound's ending (spaarlamp)
		"spaarlampen":           {compound},              // stemming
		"radiatorventilatr":     {late},                  // a typo, corrected to a known word
		"spaarlmap gu10":        {compound},              // a typo beside a known word
		"philips":               {lamp},                  // brand name
		"E27-0815":              {lamp},                  // part of a SKU
		"iso-900":               {deken},                 // SKU, any case
		"isolatiedekn":          {deken},                 // a typo in the name
		"xyzzyq":                {},                      // nothing close
		"warmte bespaart":       {deken},                 // description, HTML stripped
		"speedcomfort":          {late},                  // brand synced after the product
		"zolder -isolatiedeken": {},                      // websearch syntax: exclusion
		`"voor de zolder"`:      {deken},                 // a phrase
		"  lamp  ":              {lamp, compound},        // spaces
		"lamp OR isolatiedeken": {lamp, deken, compound}, // OR
		"warmtepomp":            {},
	} {
		got := queueIDs(t, e, store.CurationFilter{Query: q}, "")
		slices.Sort(got)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	// Brand rename re-indexes.
	ct.Exec(t, e.pool, `UPDATE catalog_brands SET name = 'Signify' WHERE external_id = 'b1'`)
	if got := queueIDs(t, e, store.CurationFilter{Query: "signify"}, ""); !slices.Equal(got, []int64{lamp}) {
		t.Errorf("after brand rename: %v", got)
	}
}

func TestSearchIsSafeForAnyInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	plain := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "Tochtstrip", SKU: "TS-1"})
	odd := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: `50% korting_actie "quote" 'single' back\slash`, SKU: "A_B%C"})
	inputs := []string{
		`'`, `"`, `\`, `\\`, `%`, `_`, `%%`, `__%`, `' OR 1=1 --`, `'); DROP TABLE products; --`,
		`a & b | !c <-> d :* `, `(((`, `)))`, `"unterminated`, `-`, `!`, `:*`, "\x00nul", "tab\tnew\nline",
		string([]byte{0xff, 0xfe, 'x'}), "\u202egnirts", strings.Repeat("a", 10000), strings.Repeat("% ", 5000),
		strings.Repeat("'\"\\", 3000), "ééé", "日本語", "🙂🙂🙂",
	}
	for _, q := range inputs {
		start := time.Now()
		rows, _, err := e.st.CurationQueue(ctx, store.CurationFilter{Query: q}, store.SortRelevance, store.QueueCursor{}, 50)
		if err != nil {
			t.Fatalf("search %.40q: %v", q, err)
		}
		if _, err := e.st.CurationQueueCount(ctx, store.CurationFilter{Query: q}, 100); err != nil {
			t.Fatalf("count %.40q: %v", q, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("search %.40q took %v", q, d)
		}
		for _, r := range rows {
			if r.ID == plain && !strings.Contains(strings.ToLower(q), "tocht") {
				t.Errorf("search %.40q matched an unrelated product: wildcards leaked into the pattern", q)
			}
		}
	}
	// Wildcard characters are literal: "%" and "_" find only the product
	// whose SKU has them.
	for _, q := range []string{"A_B%C", "_B%"} {
		if got := queueIDs(t, e, store.CurationFilter{Query: q}, ""); !slices.Equal(got, []int64{odd}) {
			t.Errorf("search %q = %v, want only %d", q, got, odd)
		}
	}
	if got := store.CleanQuery(strings.Repeat("é", 500)); len([]rune(got)) != store.MaxQueryRunes {
		t.Errorf("long query cut to %d runes", len([]rune(got)))
	}
	if got := store.CleanQuery("a\x00b\u200bc"); got != "a b c" {
		t.Errorf("CleanQuery = %q", got)
	}
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM products`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("products after hostile searches: %d, %v", n, err)
	}
}

func TestQueueFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	test := ct.Connection(t, e.pool, e.supplier, "test")
	other, err := e.st.SupplierCreate(ctx, "Ander B.V.")
	if err != nil {
		t.Fatal(err)
	}
	otherConn := ct.Connection(t, e.pool, other.ID, "production")
	catLamps := ct.Category(t, e.pool, e.conn, "10", "Lampen")
	ct.Category(t, e.pool, e.conn, "11", "Overig")
	ct.Brand(t, e.pool, e.conn, "b1", "Philips")
	ct.Brand(t, e.pool, otherConn, "x9", "philips")

	cheap := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 499, CategoryIDs: []string{"10"}, BrandIDs: []string{"b1"}})
	dear := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 25000, CategoryIDs: []string{"11"}, StockStatus: "outofstock"})
	backorder := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 1500, StockStatus: "onbackorder"})
	inTest := ct.AddProduct(t, e.pool, test, ct.Product{PriceCents: 1500, CategoryIDs: []string{"10"}})
	ofOther := ct.AddProduct(t, e.pool, otherConn, ct.Product{PriceCents: 1500, BrandIDs: []string{"x9"}})
	gone := ct.AddProduct(t, e.pool, e.conn, ct.Product{Deleted: true})
	approved := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 800})
	if err := e.svc.Approve(ctx, e.actor, approved, 1); err != nil {
		t.Fatal(err)
	}
	ct.Exec(t, e.pool, `UPDATE products SET updated_at = now() - interval '10 days' WHERE id <> $1`, dear)
	// Mapping "Lampen" puts the supplier's lamp products in Verlichting.
	pcs, err := e.st.PlatformCategories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lighting := pcs[1].ID
	if pcs[1].Slug != "verlichting" {
		t.Fatalf("seeded platform categories: %+v", pcs)
	}
	if err := e.svc.MapCategory(ctx, e.actor, catLamps, lighting); err != nil {
		t.Fatal(err)
	}
	p1000, p2000 := int64(1000), int64(2000)
	since := time.Now().Add(-24 * time.Hour)
	waiting := []string{store.CurationPending, store.CurationChanged}
	for name, tc := range map[string]struct {
		f    store.CurationFilter
		want []int64
	}{
		"everything not deleted":    {store.CurationFilter{}, []int64{cheap, dear, backorder, inTest, ofOther, approved}},
		"waiting":                   {store.CurationFilter{Statuses: waiting}, []int64{cheap, dear, backorder, inTest, ofOther}},
		"approved":                  {store.CurationFilter{Statuses: []string{store.CurationApproved}}, []int64{approved}},
		"supplier":                  {store.CurationFilter{SupplierID: other.ID}, []int64{ofOther}},
		"environment":               {store.CurationFilter{Environment: "test"}, []int64{inTest}},
		"platform category":         {store.CurationFilter{PlatformCategoryID: lighting}, []int64{cheap}},
		"no platform category":      {store.CurationFilter{PlatformCategoryID: -1, Statuses: waiting}, []int64{dear, backorder, inTest, ofOther}},
		"supplier category":         {store.CurationFilter{CatalogCategoryID: catLamps}, []int64{cheap}},
		"unknown category":          {store.CurationFilter{CatalogCategoryID: 987654}, nil},
		"brand, any case, any shop": {store.CurationFilter{Brand: "PHILIPS"}, []int64{cheap, ofOther}},
		"price range":               {store.CurationFilter{MinPriceCents: &p1000, MaxPriceCents: &p2000}, []int64{backorder, inTest, ofOther}},
		"in stock or backorder":     {store.CurationFilter{InStock: true, Statuses: waiting}, []int64{cheap, backorder, inTest, ofOther}},
		"changed since":             {store.CurationFilter{ChangedSince: &since}, []int64{dear}},
		"combined":                  {store.CurationFilter{SupplierID: e.supplier, Environment: "production", Statuses: waiting, InStock: true, MaxPriceCents: &p2000}, []int64{cheap, backorder}},
	} {
		got := queueIDs(t, e, tc.f, "")
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
		if n, err := e.st.CurationQueueCount(ctx, tc.f, 100); err != nil || n != len(tc.want) {
			t.Errorf("%s: count %d (%v), want %d", name, n, err, len(tc.want))
		}
	}
	_ = gone
	if n, err := e.st.CurationQueueCount(ctx, store.CurationFilter{}, 3); err != nil || n != 4 {
		t.Errorf("capped count: %d (%v), want 4 (more than 3)", n, err)
	}
	if _, _, err := e.st.CurationQueue(ctx, store.CurationFilter{Statuses: []string{"pending' OR true --"}}, "", store.QueueCursor{}, 10); err == nil {
		t.Error("an unknown status was accepted")
	}
}

func TestQueueKeysetPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	names := []string{"Beta", "alfa", "Gamma", "delta", "Beta", "epsilon", "Zeta"}
	prices := []int64{500, 100, 500, -1, 900, 100, 500}
	for i, n := range names {
		ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: n + " isolatie", PriceCents: prices[i], Description: strings.Repeat("isolatie ", i)})
	}
	ct.Exec(t, e.pool, `UPDATE products SET updated_at = now() - (id % 3) * interval '1 hour'`)
	if err := e.st.SearchWordsRefresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range store.QueueSorts {
		// A known word, and a typo (matched by close words in names).
		for _, query := range []string{"isolatie", "isolatei"} {
			f := store.CurationFilter{Query: query}
			all, key, err := e.st.CurationQueue(ctx, f, s.Key, store.QueueCursor{}, 100)
			if err != nil || key != s.Key || len(all) != len(names) {
				t.Fatalf("sort %s, %q: %d rows, key %s, %v", s.Key, query, len(all), key, err)
			}
			var paged []int64
			cur := store.QueueCursor{}
			for range 10 {
				rows, _, err := e.st.CurationQueue(ctx, f, s.Key, cur, 2)
				if err != nil {
					t.Fatalf("sort %s page after %+v: %v", s.Key, cur, err)
				}
				for _, r := range rows {
					paged = append(paged, r.ID)
				}
				if len(rows) < 2 {
					break
				}
				cur = rows[len(rows)-1].Cursor(s.Key)
			}
			var want []int64
			for _, r := range all {
				want = append(want, r.ID)
			}
			if !slices.Equal(paged, want) {
				t.Errorf("sort %s, %q: pages give %v, one query %v", s.Key, query, paged, want)
			}
		}
	}
	if _, _, err := e.st.CurationQueue(ctx, store.CurationFilter{}, store.SortPriceAsc, store.QueueCursor{ID: 1, Value: "not a number"}, 2); err == nil {
		t.Error("a malformed cursor was accepted")
	}
	// An unknown sort key falls back to the oldest first.
	if _, key, err := e.st.CurationQueue(ctx, store.CurationFilter{}, "id; DROP TABLE products", store.QueueCursor{}, 2); err != nil || key != store.SortOldest {
		t.Errorf("unknown sort: %s %v", key, err)
	}
}

func TestPlatformCategoryFollowsMappings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	lamps := ct.Category(t, e.pool, e.conn, "10", "Lampen")
	misc := ct.Category(t, e.pool, e.conn, "11", "Overig")
	pcs, _ := e.st.PlatformCategories(ctx)
	isolation, lighting := pcs[0].ID, pcs[1].ID
	platformOf := func(id int64) int64 {
		t.Helper()
		var pc *int64
		if err := e.pool.QueryRow(ctx, `SELECT platform_category_id FROM products WHERE id = $1`, id).Scan(&pc); err != nil {
			t.Fatal(err)
		}
		if pc == nil {
			return 0
		}
		return *pc
	}
	a := ct.AddProduct(t, e.pool, e.conn, ct.Product{CategoryIDs: []string{"10"}})
	b := ct.AddProduct(t, e.pool, e.conn, ct.Product{CategoryIDs: []string{"11", "10"}})
	if platformOf(a) != 0 {
		t.Fatal("a product has a platform category before any mapping")
	}
	// A curator maps Lampen: both products follow at once.
	if err := e.svc.MapCategory(ctx, e.actor, lamps, lighting); err != nil {
		t.Fatal(err)
	}
	if platformOf(a) != lighting || platformOf(b) != lighting {
		t.Fatalf("after mapping: %d %d, want %d", platformOf(a), platformOf(b), lighting)
	}
	// The first mapped category in the shop's order wins.
	if err := e.svc.MapCategory(ctx, e.actor, misc, isolation); err != nil {
		t.Fatal(err)
	}
	if platformOf(a) != lighting || platformOf(b) != isolation {
		t.Fatalf("two mappings: %d %d", platformOf(a), platformOf(b))
	}
	// The syncer inserts and updates products without telling curation.
	c := ct.AddProduct(t, e.pool, e.conn, ct.Product{CategoryIDs: []string{"10"}})
	ct.Exec(t, e.pool, `UPDATE products SET category_ids = ARRAY['11'] WHERE id = $1`, a)
	if platformOf(c) != lighting || platformOf(a) != isolation {
		t.Fatalf("syncer writes: c %d, a %d", platformOf(c), platformOf(a))
	}
	// Re-mapping moves, unmapping clears.
	if err := e.svc.MapCategory(ctx, e.actor, lamps, isolation); err != nil {
		t.Fatal(err)
	}
	if platformOf(c) != isolation {
		t.Fatalf("remapped: %d", platformOf(c))
	}
	if err := e.svc.MapCategory(ctx, e.actor, misc, 0); err != nil {
		t.Fatal(err)
	}
	if platformOf(a) != 0 || platformOf(b) != isolation {
		t.Fatalf("unmapped: a %d b %d", platformOf(a), platformOf(b))
	}
	// The supplier category disappearing (cascade) clears its products.
	ct.Exec(t, e.pool, `DELETE FROM catalog_categories WHERE id = $1`, lamps)
	if platformOf(b) != 0 || platformOf(c) != 0 {
		t.Fatalf("after the category was deleted: b %d c %d", platformOf(b), platformOf(c))
	}
	unmapped, err := e.st.CategoriesUnmapped(ctx, 10)
	if err != nil || len(unmapped) != 1 || unmapped[0].ID != misc || unmapped[0].Products != 2 {
		t.Fatalf("unmapped = %+v, %v", unmapped, err)
	}
}

// The syncer writes with INSERT … ON CONFLICT DO UPDATE; the search
// document and the platform category follow that path too.
func TestDerivedColumnsFollowUpserts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	cat := ct.Category(t, e.pool, e.conn, "20", "Zonnepanelen")
	pcs, _ := e.st.PlatformCategories(ctx)
	solar := pcs[6].ID
	if err := e.svc.MapCategory(ctx, e.actor, cat, solar); err != nil {
		t.Fatal(err)
	}
	id := ct.AddProduct(t, e.pool, e.conn, ct.Product{ExternalID: "up-1", Name: "Omvormer 3 kW"})
	upsert := func(name string, cats []string) {
		t.Helper()
		ct.Exec(t, e.pool, `INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, category_ids, shop_modified_at, content_hash)
			SELECT c.id, c.supplier_id, c.environment, 'up-1', 'simple', 'publish', $2, $3, now(), '\x01' FROM connections c WHERE c.id = $1
			ON CONFLICT (connection_id, external_id) DO UPDATE SET name = EXCLUDED.name, category_ids = EXCLUDED.category_ids, content_hash = EXCLUDED.content_hash`,
			e.conn, name, cats)
	}
	upsert("Zonnepaneel 400 Wp", []string{"20"})
	if got := queueIDs(t, e, store.CurationFilter{Query: "zonnepaneel"}, ""); !slices.Equal(got, []int64{id}) {
		t.Errorf("after an upsert that renamed: %v", got)
	}
	if got := queueIDs(t, e, store.CurationFilter{Query: "omvormer"}, ""); len(got) != 0 {
		t.Errorf("the old name still matches: %v", got)
	}
	if got := queueIDs(t, e, store.CurationFilter{PlatformCategoryID: solar}, ""); !slices.Equal(got, []int64{id}) {
		t.Errorf("after an upsert that categorised: %v", got)
	}
	upsert("Zonnepaneel 400 Wp", []string{})
	if got := queueIDs(t, e, store.CurationFilter{PlatformCategoryID: solar}, ""); len(got) != 0 {
		t.Errorf("after an upsert that removed the category: %v", got)
	}
}
