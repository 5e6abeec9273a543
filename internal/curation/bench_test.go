package curation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/store"
)

// The curation benchmarks run on the reproducible seed of 100,000 products
// (20 suppliers × 5,000, a fifth variable):
//
//	go test ./internal/curation -run '^$' -bench . -benchtime 200x
//
// BenchmarkCuratorQueue times whole requests of the curator queue in the
// real portal's handler (session, filters, list, count, rendering) and reports
// p50/p95 per scenario; BenchmarkBulkApprove10k times the bulk approval of
// 10,000 products (selection, batches, audit rows, the public listing's
// triggers). Target: queue p95 < 100 ms, bulk < 10 s.

// benchSeed is the curation mix of the queue benchmark: 40 % approved, 5 %
// rejected, 5 % changed; the other half (about 50,000 products) waits.
var benchSeed = catalogseed.Options{Curation: catalogseed.Mix{Approved: 40, Rejected: 5, Changed: 5}}

func seeded(b *testing.B, opts catalogseed.Options) (*apptest.Env, catalogseed.Result) {
	b.Helper()
	env := apptest.New(b)
	ctx := context.Background()
	start := time.Now()
	res, err := catalogseed.Seed(ctx, env.App.Store, opts)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.App.Pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	// What the periodic job does in the running app.
	if err := env.App.Store.SearchWordsRefresh(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d products (%d variable, %d variants) in %v; curation %v", res.Products, res.VariableProducts, res.Variants, time.Since(start).Round(time.Millisecond), res.ByStatus)
	return env, res
}

func BenchmarkCuratorQueue(b *testing.B) {
	env, res := seeded(b, benchSeed)
	c := env.LoginRole(b, account.RoleCurator)
	base, _ := url.Parse(env.Server.URL)
	cookies := c.Jar.Cookies(base)
	// The supplier with the most lamps waiting, for a supplier filter with
	// a search that finds something.
	var supID int64
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT p.supplier_id FROM products p JOIN product_curation pc ON pc.product_id = p.id
		WHERE pc.status IN ('pending', 'changed') AND p.name ILIKE '%ledlamp%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&supID); err != nil {
		b.Fatal(err)
	}
	sup := strconv.FormatInt(supID, 10)
	// A cursor deep in the default queue: the product 90 % of the way.
	var deep int64
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT product_id FROM product_curation WHERE status IN ('pending', 'changed')
		ORDER BY product_id OFFSET (SELECT count(*) * 9 / 10 FROM product_curation WHERE status IN ('pending', 'changed')) LIMIT 1`).Scan(&deep); err != nil {
		b.Fatal(err)
	}
	scenarios := []struct{ name, query string }{
		{"default queue", ""},
		{"supplier + search 'ledlamp'", "aanbieder=" + sup + "&q=ledlamp"},
		{"search 'philips dimbaar', production, in stock", "q=philips+dimbaar&omgeving=production&voorraad=ja"},
		{"typo 'radiatorfolei' + price 5-25", "q=radiatorfolei&prijs-van=5&prijs-tot=25"},
		{"search 'tochtstrip' sorted by price, all statuses", "q=tochtstrip&status=alle&sorteer=prijs-oplopend"},
		{"platform category + search 'lamp' + changed since", "categorie=2&q=lamp&sinds=2026-01-01"},
		{"deep page (90 %) of the queue", "na=" + strconv.FormatInt(deep, 10) + ":"},
		{"htmx: brand filter + search 'isolerende'", "merk=Tesa&q=isolerende"},
	}
	type row struct {
		name          string
		n             int
		p50, p95, max time.Duration
		total         string
	}
	var table []row
	for _, sc := range scenarios {
		path := "/beheer/curatie?" + sc.query
		htmx := sc.name[:4] == "htmx"
		b.Run(sc.name, func(b *testing.B) {
			var took []time.Duration
			var total string
			for b.Loop() {
				// Server side: the portal's handler with the curator's
				// session cookie, without the client and the network.
				req := httptest.NewRequest(http.MethodGet, path, nil)
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				if htmx {
					req.Header.Set("HX-Request", "true")
				}
				rec := httptest.NewRecorder()
				start := time.Now()
				env.App.Portal.ServeHTTP(rec, req)
				took = append(took, time.Since(start))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", path, rec.Code)
				}
				total = between(rec.Body.String(), `data-testid="queue-total">`, "<")
			}
			slices.Sort(took)
			p := func(q float64) time.Duration { return took[min(len(took)-1, int(float64(len(took))*q))] }
			b.ReportMetric(float64(p(0.95).Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
			table = append(table, row{sc.name, len(took), p(0.5), p(0.95), took[len(took)-1], total})
		})
	}
	fmt.Fprintf(os.Stderr, "\ncurator queue on %d products (%v), whole requests in the portal's handler (server side):\n", res.Products, res.ByStatus)
	fmt.Fprintf(os.Stderr, "%-52s %6s %9s %9s %9s  %s\n", "scenario", "n", "p50", "p95", "max", "matches")
	for _, r := range table {
		fmt.Fprintf(os.Stderr, "%-52s %6d %9s %9s %9s  %s\n", r.name, r.n, ms(r.p50), ms(r.p95), ms(r.max), r.total)
	}
}

func BenchmarkBulkApprove10k(b *testing.B) {
	// Everything pending, so any 10,000 products can be approved.
	env, res := seeded(b, catalogseed.Options{Curation: catalogseed.Mix{Changed: 1}})
	ctx := context.Background()
	svc := env.App.Curation
	curator := env.Users[account.RoleCurator]
	actor := audit.Actor{UserID: &curator.ID, Email: curator.Email}
	for b.Loop() {
		b.StopTimer()
		rows, err := env.App.Pool.Query(ctx, `SELECT product_id, version FROM product_curation WHERE status = 'pending' ORDER BY product_id LIMIT 10000`)
		if err != nil {
			b.Fatal(err)
		}
		var ids, versions []int64
		for rows.Next() {
			var id, v int64
			if err := rows.Scan(&id, &v); err != nil {
				b.Fatal(err)
			}
			ids, versions = append(ids, id), append(versions, v)
		}
		if len(ids) != 10000 {
			b.Fatalf("only %d pending products left", len(ids))
		}
		b.StartTimer()
		start := time.Now()
		var id int64
		err = env.App.Store.InTx(ctx, func(tx *store.Store) error {
			var err error
			id, _, err = tx.BulkDecisionCreate(ctx, store.NewBulkDecision{Actor: actor, Action: "approve", ProductIDs: ids, Versions: versions})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		selected := time.Since(start)
		if done, err := svc.ResumeBulk(ctx, id, 0); err != nil || !done {
			b.Fatalf("bulk: %v %v", done, err)
		}
		took := time.Since(start)
		b.StopTimer()
		bulk, _ := svc.Bulk(ctx, id)
		if bulk.Decided != 10000 {
			b.Fatalf("decided %d", bulk.Decided)
		}
		fmt.Fprintf(os.Stderr, "\nbulk approval of 10,000 of %d products: %s (selection %s, 10 batches of 1,000 with snapshots, audit rows and listing triggers)\n",
			res.Products, ms(took), ms(selected))
		b.ReportMetric(took.Seconds(), "s/10k")
		// Back to pending for the next round (not timed).
		if _, err := env.App.Pool.Exec(ctx, `UPDATE product_curation SET status = 'pending', approved_snapshot = NULL WHERE product_id = ANY ($1)`, ids); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
