package catalogseed_test

import (
	"context"
	"testing"

	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

func TestSeedIsReproducible(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fingerprint := func() (catalogseed.Result, string) {
		pool := testdb.New(t)
		res, err := catalogseed.Seed(ctx, store.New(pool), catalogseed.Options{Suppliers: 3, ProductsPerSupplier: 300, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		var fp string
		if err := pool.QueryRow(ctx, `SELECT md5(string_agg(concat_ws('|', p.external_id, p.name, p.sku, p.price_cents, p.stock_status, c.status,
			(SELECT string_agg(concat_ws(':', v.sku, v.price_cents, v.stock_status, v.options::text), ',' ORDER BY v.position) FROM product_variants v WHERE v.product_id = p.id)), ';' ORDER BY p.supplier_id, p.external_id))
			FROM products p JOIN product_curation c ON c.product_id = p.id`).Scan(&fp); err != nil {
			t.Fatal(err)
		}
		return res, fp
	}
	a, fa := fingerprint()
	b, fb := fingerprint()
	if fa != fb {
		t.Errorf("two seeds with the same options differ: %s vs %s", fa, fb)
	}
	if a.Products != 900 || b.Products != 900 {
		t.Errorf("products: %d and %d, want 900", a.Products, b.Products)
	}
	if a.VariableProducts < 900/10 || a.VariableProducts > 900*3/10 || a.Variants < 2*a.VariableProducts {
		t.Errorf("variable products %d with %d variants: want about a fifth, at least two variants each", a.VariableProducts, a.Variants)
	}
	if a.ByStatus["approved"] < 900*7/10 || a.ByStatus["pending"] == 0 || a.ByStatus["rejected"] == 0 {
		t.Errorf("curation mix %v: want mostly approved, some pending and rejected", a.ByStatus)
	}
}

// BenchmarkSeed100k seeds the benchmark catalogue: 20 suppliers × 5,000
// products, a fifth variable.
func BenchmarkSeed100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		pool := testdb.New(b)
		b.StartTimer()
		res, err := catalogseed.Seed(context.Background(), store.New(pool), catalogseed.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Products), "products")
	}
}
