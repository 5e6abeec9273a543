package curation_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

// BenchmarkQueueQueries times the queue's two queries (one page and the
// capped count) at the store, without HTTP. With OHIS_BENCH_DATABASE_URL it
// reads a database seeded before (go run ./cmd/ohis-seed), else it seeds a
// fresh one like BenchmarkCuratorQueue.
func BenchmarkQueueQueries(b *testing.B) {
	ctx := context.Background()
	var pool *pgxpool.Pool
	if url := os.Getenv("OHIS_BENCH_DATABASE_URL"); url != "" {
		var err error
		if pool, err = pgxpool.New(ctx, url); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
	} else {
		pool = testdb.New(b)
		if _, err := catalogseed.Seed(ctx, store.New(pool), benchSeed); err != nil {
			b.Fatal(err)
		}
		if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.New(pool).SearchWordsRefresh(ctx); err != nil {
		b.Fatal(err)
	}
	st := store.New(pool)
	var supplier, deep int64
	if err := pool.QueryRow(ctx, `SELECT p.supplier_id FROM products p JOIN product_curation pc ON pc.product_id = p.id
		WHERE pc.status IN ('pending', 'changed') AND p.name ILIKE '%ledlamp%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&supplier); err != nil {
		b.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT product_id FROM product_curation WHERE status IN ('pending', 'changed')
		ORDER BY product_id OFFSET (SELECT count(*) * 9 / 10 FROM product_curation WHERE status IN ('pending', 'changed')) LIMIT 1`).Scan(&deep); err != nil {
		b.Fatal(err)
	}
	waiting := []string{store.CurationPending, store.CurationChanged}
	five, twentyFive := int64(500), int64(2500)
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	scenarios := []struct {
		name  string
		f     store.CurationFilter
		sort  string
		after store.QueueCursor
	}{
		{"default queue", store.CurationFilter{Statuses: waiting}, "", store.QueueCursor{}},
		{"supplier + search 'ledlamp'", store.CurationFilter{Statuses: waiting, SupplierID: supplier, Query: "ledlamp"}, "", store.QueueCursor{}},
		{"same, by relevance", store.CurationFilter{Statuses: waiting, SupplierID: supplier, Query: "ledlamp"}, store.SortRelevance, store.QueueCursor{}},
		{"'philips dimbaar', production, in stock", store.CurationFilter{Statuses: waiting, Query: "philips dimbaar", Environment: "production", InStock: true}, "", store.QueueCursor{}},
		{"typo 'radiatorfolei' + price 5-25", store.CurationFilter{Statuses: waiting, Query: "radiatorfolei", MinPriceCents: &five, MaxPriceCents: &twentyFive}, "", store.QueueCursor{}},
		{"'tochtstrip', all statuses, by price", store.CurationFilter{Query: "tochtstrip"}, store.SortPriceAsc, store.QueueCursor{}},
		{"category + 'lamp' + changed since", store.CurationFilter{Statuses: waiting, PlatformCategoryID: 2, Query: "lamp", ChangedSince: &since}, "", store.QueueCursor{}},
		{"deep page (90 %)", store.CurationFilter{Statuses: waiting}, "", store.QueueCursor{ID: deep}},
		{"default queue by price", store.CurationFilter{Statuses: waiting}, store.SortPriceAsc, store.QueueCursor{}},
		{"default queue by name", store.CurationFilter{Statuses: waiting}, store.SortName, store.QueueCursor{}},
		{"brand 'Tesa' + 'isolerende'", store.CurationFilter{Statuses: waiting, Brand: "Tesa", Query: "isolerende"}, "", store.QueueCursor{}},
	}
	type row struct {
		name     string
		p50, p95 time.Duration
		n, count int
	}
	var table []row
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			var took []time.Duration
			var n int
			for b.Loop() {
				// As the portal does: the filter resolved once, the page
				// and the count at the same time.
				start := time.Now()
				qq, err := st.CurationQueueQuery(ctx, sc.f)
				if err != nil {
					b.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					var err error
					n, err = st.CurationQueueMatches(ctx, qq, 10000)
					done <- err
				}()
				if _, _, err := st.CurationQueuePage(ctx, qq, sc.sort, sc.after, 51); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			p95 := took[min(len(took)-1, len(took)*95/100)]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
			table = append(table, row{sc.name, took[len(took)/2], p95, len(took), n})
		})
	}
	fmt.Fprintf(os.Stderr, "\nqueue queries (page of 50 + capped count):\n%-44s %6s %9s %9s  %s\n", "scenario", "n", "p50", "p95", "matches")
	for _, r := range table {
		fmt.Fprintf(os.Stderr, "%-44s %6d %9s %9s  %d\n", r.name, r.n, ms(r.p50), ms(r.p95), r.count)
	}
}
