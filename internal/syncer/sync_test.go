package syncer_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// minVariantPrice is what a variable product's price must be: the lowest
// price of its published variants as OHIS stored them.
func minVariantPrice(vars map[string]row, parentExt string) *int64 {
	var best *int64
	for _, v := range vars {
		if v.ParentExt == parentExt && !v.Deleted && v.ShopStatus == "publish" && v.PriceCents != nil {
			if best == nil || *v.PriceCents < *best {
				best = ptr(*v.PriceCents)
			}
		}
	}
	return best
}

func eq(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func show(p *int64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// Connecting syncs the whole catalogue: every product and variation the
// shop sells, taxonomies with brands, curation rows, webhooks. A second
// full sync of the unchanged shop writes no product or variant row.
func TestFullSyncAndUnchangedResync(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 60, Brands: true})
	stats := f.shop.Stats()
	prods, vars := f.products(t), f.variants(t)
	if got, want := len(prods), stats.Simple+stats.Variable; got != want {
		t.Errorf("%d products stored, the shop has %d simple and variable ones", got, want)
	}
	if got, want := len(vars), stats.Variations; got != want {
		t.Errorf("%d variants stored, the shop has %d", got, want)
	}
	for _, id := range f.shop.ProductIDs(demoshop.TypeSimple) {
		p, _ := f.shop.Product(id)
		got, ok := prods[ext(id)]
		if !ok {
			t.Errorf("product %d missing", id)
			continue
		}
		want := f.currentPrice(t, id)
		if got.Name != p.Name || got.PriceCents == nil || *got.PriceCents != want || got.StockStatus != p.StockStatus {
			t.Errorf("product %d stored as %q %v %s, shop has %q %d %s", id, got.Name, show(got.PriceCents), got.StockStatus, p.Name, want, p.StockStatus)
		}
	}
	for _, id := range f.shop.ProductIDs(demoshop.TypeVariable) {
		got := prods[ext(id)]
		if want := minVariantPrice(vars, ext(id)); !eq(got.PriceCents, want) {
			t.Errorf("variable product %d has price %v, its cheapest published variant %v", id, show(got.PriceCents), show(want))
		}
	}
	if n := f.count(t, `SELECT count(*) FROM product_curation c JOIN products p ON p.id = c.product_id WHERE p.connection_id = $1 AND c.status = 'pending'`, f.connID); n != len(prods) {
		t.Errorf("%d pending curation rows, want one per product (%d)", n, len(prods))
	}
	if n := f.count(t, `SELECT count(*) FROM catalog_brands WHERE connection_id = $1 AND deleted_at IS NULL`, f.connID); n == 0 {
		t.Error("no brands stored from a shop with brands")
	}
	withBrand := 0
	for _, p := range prods {
		if len(p.BrandIDs) > 0 {
			withBrand++
		}
	}
	if withBrand == 0 {
		t.Error("no product names its brand")
	}
	if n := f.count(t, `SELECT count(*) FROM catalog_categories WHERE connection_id = $1`, f.connID); n == 0 {
		t.Error("no categories stored")
	}
	if n := f.count(t, `SELECT count(*) FROM catalog_attributes WHERE connection_id = $1 AND jsonb_array_length(terms) > 0`, f.connID); n != 3 {
		t.Errorf("%d global attributes with terms stored, want 3", n)
	}
	st := f.state(t)
	if st.WebhookStatus != "active" || st.Watermark == nil || st.LastSuccessAt == nil || st.NextSyncAt == nil || st.LastReconcileAt == nil {
		t.Errorf("connection after the first sync: %+v", st)
	}
	if n := f.count(t, `SELECT count(*) FROM connection_webhooks WHERE connection_id = $1 AND status = 'active'`, f.connID); n != len(connector.ProductTopics) {
		t.Errorf("%d active webhooks recorded, want %d", n, len(connector.ProductTopics))
	}
	first := f.runs(t)[0]
	if first.Kind != "full" || first.Created != len(prods)+len(vars) || first.PagesDone == 0 || first.PagesDone != first.PagesTotal ||
		first.ItemsDone != first.ItemsTotal || first.FinishedAt == nil {
		t.Errorf("first run: %+v", first)
	}

	// Unchanged: nothing written.
	before := f.shop.Requests()
	sum := f.run(t, syncer.KindFull)
	if sum.Created != 0 || sum.Updated != 0 || sum.Deleted != 0 || sum.Failed != 0 || sum.Unchanged != len(prods)+len(vars) {
		t.Errorf("re-sync of an unchanged shop: %+v", sum.Counts)
	}
	if f.shop.Requests() == before {
		t.Error("the re-sync made no requests")
	}
	assertNoWrites(t, prods, f.products(t), "product")
	assertNoWrites(t, vars, f.variants(t), "variant")
	if n := f.count(t, `SELECT count(*) FROM catalog_categories WHERE connection_id = $1 AND updated_at > $2`, f.connID, *first.FinishedAt); n != 0 {
		t.Errorf("%d categories rewritten by an unchanged re-sync", n)
	}
}

func assertNoWrites(t *testing.T, before, after map[string]row, what string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%d %ss before, %d after", len(before), what, len(after))
	}
	written := 0
	for id, b := range before {
		if a := after[id]; a.XMin != b.XMin {
			written++
		}
	}
	if written != 0 {
		t.Errorf("%d %s rows were written (xmin changed)", written, what)
	}
}

// Without webhooks, an incremental sync brings price, stock, name and
// variation changes, a new product and a new variation; nothing else is
// written.
func TestIncrementalSyncBringsChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 60})
	f.pauseWebhooks(t)
	simples := f.shop.ProductIDs(demoshop.TypeSimple)
	variables := f.shop.ProductIDs(demoshop.TypeVariable)
	parent, _ := f.shop.Product(variables[0])
	before, beforeVars := f.products(t), f.variants(t)
	versions := f.curationVersions(t)

	must(t, f.shop.SetPrice(simples[0], 1234, nil))
	must(t, f.shop.SetStock(simples[1], true, ptr[int64](3), "instock"))
	must(t, f.shop.SetStock(simples[2], false, nil, "outofstock"))
	must(t, f.shop.Rename(simples[3], "Hernoemd product"))
	cheap := parent.Variations[1]
	must(t, f.shop.SetPrice(cheap, 101, nil)) // now the cheapest
	newVar, err := f.shop.AddVariation(parent.ID, demoshop.NewVariation{SKU: "NIEUW-1", RegularCents: 4321, Attributes: nil})
	if err != nil {
		t.Fatal(err)
	}
	newProd, err := f.shop.AddProduct(demoshop.NewProduct{Name: "Nieuwe waterbesparende douchekop", RegularCents: 2995})
	if err != nil {
		t.Fatal(err)
	}

	sum := f.run(t, syncer.KindIncremental)
	if sum.Kind != syncer.KindIncremental {
		t.Errorf("ran as %s", sum.Kind)
	}
	if sum.Created != 2 || sum.Failed != 0 {
		t.Errorf("incremental: %+v, want 2 created (product and variation)", sum.Counts)
	}
	prods, vars := f.products(t), f.variants(t)
	if p := prods[ext(simples[0])]; p.PriceCents == nil || *p.PriceCents != 1234 {
		t.Errorf("price change: %v", show(p.PriceCents))
	}
	if p := prods[ext(simples[1])]; p.StockQty == nil || *p.StockQty != 3 {
		t.Errorf("stock change: %v", show(p.StockQty))
	}
	if p := prods[ext(simples[2])]; p.StockStatus != "outofstock" {
		t.Errorf("stock status change: %s", p.StockStatus)
	}
	if p := prods[ext(simples[3])]; p.Name != "Hernoemd product" {
		t.Errorf("rename: %q", p.Name)
	}
	if v := vars[ext(cheap)]; v.PriceCents == nil || *v.PriceCents != 101 {
		t.Errorf("variation price: %v", show(v.PriceCents))
	}
	if v, ok := vars[ext(newVar)]; !ok || v.ParentExt != ext(parent.ID) {
		t.Errorf("new variation %d: %+v", newVar, v)
	}
	if p := prods[ext(parent.ID)]; p.PriceCents == nil || *p.PriceCents != 101 {
		t.Errorf("variable product price %v, want its cheapest variation 101", show(p.PriceCents))
	}
	if _, ok := prods[ext(newProd)]; !ok {
		t.Errorf("new product %d not stored", newProd)
	}
	if n := f.count(t, `SELECT count(*) FROM product_curation WHERE product_id = $1 AND status = 'pending'`, prods[ext(newProd)].ID); n != 1 {
		t.Error("the new product has no pending curation row")
	}
	// Products the shop did not touch were not written.
	touched := map[string]bool{ext(simples[0]): true, ext(simples[1]): true, ext(simples[2]): true, ext(simples[3]): true, ext(parent.ID): true}
	for id, b := range before {
		if a := prods[id]; !touched[id] && a.XMin != b.XMin {
			t.Errorf("untouched product %s was written", id)
		}
	}
	for id, b := range beforeVars {
		if a := vars[id]; id != ext(cheap) && a.XMin != b.XMin {
			t.Errorf("untouched variant %s was written", id)
		}
	}
	// Curation heard of exactly the existing products that changed (its
	// hook bumps the version of products waiting for a decision).
	after := f.curationVersions(t)
	for id, v := range versions {
		if bumped := after[id] > v; bumped != touched[id] {
			t.Errorf("product %s: curation version %d → %d; changed in the shop: %v", id, v, after[id], touched[id])
		}
	}
}

// curationVersions maps products to their curation version.
func (f *fixture) curationVersions(t *testing.T) map[string]int64 {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT p.external_id, c.version FROM product_curation c JOIN products p ON p.id = c.product_id WHERE p.connection_id = $1`, f.connID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		out[id] = v
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A trashed product arrives through its webhook, a restored one too; a
// permanent deletion (no webhook) and a deleted variation only through
// reconciliation, which incremental syncs never do.
func TestDeletions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 60})
	simples := f.shop.ProductIDs(demoshop.TypeSimple)
	variables := f.shop.ProductIDs(demoshop.TypeVariable)

	trashed := simples[0]
	must(t, f.shop.Trash(trashed))
	f.drain(t)
	if p := f.products(t)[ext(trashed)]; !p.Deleted {
		t.Fatal("trashed product not marked deleted after its webhook")
	}
	must(t, f.shop.Restore(trashed))
	f.drain(t)
	if p := f.products(t)[ext(trashed)]; p.Deleted {
		t.Fatal("restored product still deleted after its webhook")
	}

	// Without webhooks a trashed product, a permanently deleted one and a
	// deleted variation are found by reconciliation only.
	f.pauseWebhooks(t)
	trashedQuietly := simples[2]
	must(t, f.shop.Trash(trashedQuietly))
	gone := simples[1]
	must(t, f.shop.DeletePermanently(gone))
	parent, _ := f.shop.Product(variables[0])
	// Delete the cheapest variation: the parent's price must follow.
	vars := f.variants(t)
	cheapest := parent.Variations[0]
	for _, v := range parent.Variations {
		if *vars[ext(v)].PriceCents < *vars[ext(cheapest)].PriceCents {
			cheapest = v
		}
	}
	must(t, f.shop.DeleteVariation(cheapest))

	if sum := f.run(t, syncer.KindIncremental); sum.Deleted != 0 {
		t.Errorf("an incremental sync deleted %d", sum.Deleted)
	}
	if f.products(t)[ext(gone)].Deleted {
		t.Fatal("deleted without a reconciliation")
	}
	sum := f.run(t, syncer.KindReconcile)
	if sum.Deleted != 3 || !sum.Reconciled {
		t.Errorf("reconciliation: %+v, want two products and the variation deleted", sum)
	}
	prods, vars := f.products(t), f.variants(t)
	if !prods[ext(gone)].Deleted {
		t.Error("permanently deleted product not marked deleted")
	}
	if !prods[ext(trashedQuietly)].Deleted {
		t.Error("product trashed without webhook not marked deleted by reconciliation")
	}
	if !vars[ext(cheapest)].Deleted {
		t.Error("deleted variation not marked deleted")
	}
	if p := prods[ext(parent.ID)]; p.Deleted || !eq(p.PriceCents, minVariantPrice(vars, ext(parent.ID))) {
		t.Errorf("parent after its cheapest variation went: deleted %v, price %v, want %v", p.Deleted, show(p.PriceCents), show(minVariantPrice(vars, ext(parent.ID))))
	}
	deleted := 0
	for _, p := range prods {
		if p.Deleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("%d products deleted, want 2", deleted)
	}
}

// A shop without brands syncs fine and OHIS has no brands for it.
func TestShopWithoutBrands(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 30, Brands: false, NoVariationsEndpoint: true})
	if n := f.count(t, `SELECT count(*) FROM catalog_brands WHERE connection_id = $1`, f.connID); n != 0 {
		t.Errorf("%d brands stored for a shop without brands", n)
	}
	stats := f.shop.Stats()
	if got := len(f.variants(t)); got != stats.Variations {
		t.Errorf("per-product variation listing: %d variants stored, shop has %d", got, stats.Variations)
	}
	if errs := f.openErrors(t); len(errs) != 0 {
		t.Errorf("open errors: %+v", errs)
	}
}

// A shop that fails in the middle of a listing leaves the catalogue
// exactly as it was, and deletes nothing; the error is recorded, and the
// next successful run applies everything and clears it.
func TestPartialFailureChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 250, VariableEvery: 10, VariationsPer: 2})
	f.pauseWebhooks(t)
	simples := f.shop.ProductIDs(demoshop.TypeSimple)
	must(t, f.shop.SetPrice(simples[0], 777, nil))
	must(t, f.shop.Rename(simples[len(simples)-1], "Anders genoemd"))
	must(t, f.shop.DeletePermanently(simples[5]))
	before, beforeVars := f.products(t), f.variants(t)
	stBefore := f.state(t)

	for _, fault := range []demoshop.Faults{
		{FailPage: map[string]int{"products": 2}},   // products page 2 of 3
		{FailPage: map[string]int{"variations": 1}}, // after all products were written
	} {
		f.shop.SetFaults(fault)
		_, err := f.svc.Run(context.Background(), f.connID, syncer.KindFull, "test", nil)
		var re *syncer.RunError
		if !errors.As(err, &re) || re.Code != string(connector.CodeServer) {
			t.Fatalf("run against %+v: %v, want a server error", fault, err)
		}
		assertNoWrites(t, before, f.products(t), "product")
		assertNoWrites(t, beforeVars, f.variants(t), "variant")
		runs := f.runs(t)
		last := runs[len(runs)-1]
		if last.Outcome != "failed" || last.ErrorMessage == "" || last.FinishedAt == nil {
			t.Errorf("failed run recorded as %+v", last)
		}
	}
	st := f.state(t)
	if st.FailingSince == nil || st.LastErrorCode != string(connector.CodeServer) || !eqTime(st.Watermark, stBefore.Watermark) || !eqTime(st.LastSuccessAt, stBefore.LastSuccessAt) {
		t.Errorf("connection after failures: %+v", st)
	}
	errs := connectionErrors(f.openErrors(t))
	if len(errs) != 1 || errs[0].Code != string(connector.CodeServer) || errs[0].Message == "" {
		t.Errorf("open connection errors after two failed runs: %+v, want one server_error", errs)
	}

	f.shop.SetFaults(demoshop.Faults{})
	sum := f.run(t, syncer.KindFull)
	if sum.Updated != 2 || sum.Deleted != 1 {
		t.Errorf("run after the fault: %+v", sum.Counts)
	}
	if errs := connectionErrors(f.openErrors(t)); len(errs) != 0 {
		t.Errorf("connection errors still open after a successful run: %+v", errs)
	}
	if st := f.state(t); st.FailingSince != nil || st.LastErrorCode != "" {
		t.Errorf("connection still failing: %+v", st)
	}
}

func connectionErrors(errs []store.SyncErrorRecord) []store.SyncErrorRecord {
	var out []store.SyncErrorRecord
	for _, e := range errs {
		if e.ProductExternalID == "" {
			out = append(out, e)
		}
	}
	return out
}

func eqTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

// Malformed items become per-product errors (one open row each, however
// often they are synced) and the rest of the catalogue syncs; once fixed,
// the errors are resolved. An item without a usable id makes the id
// listing incomplete: a full sync then fails and deletes nothing.
func TestMalformedItemsArePerProductErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 40})
	f.pauseWebhooks(t)
	simples := f.shop.ProductIDs(demoshop.TypeSimple)
	variation := f.shop.VariationIDs()[0]
	bad := map[int64]string{simples[0]: "price_type", simples[1]: "negative_stock", simples[2]: "missing_price", simples[3]: "bad_json",
		simples[4]: "no_name", variation: "absurd_price"}
	for id := range bad {
		must(t, f.shop.SetStock(id, false, nil, "instock")) // modified now: the incremental lists them
	}
	f.shop.SetFaults(demoshop.Faults{Malformed: bad})
	grouped, err := f.shop.AddProduct(demoshop.NewProduct{Type: "grouped", Name: "Pakket tochtstrips"})
	if err != nil {
		t.Fatal(err)
	}
	before := f.products(t)
	for range 2 {
		sum := f.run(t, syncer.KindIncremental)
		if sum.Failed != len(bad) || sum.Skipped != 1 {
			t.Errorf("run: %+v, want %d failed and 1 skipped", sum.Counts, len(bad))
		}
	}
	errs := f.openErrors(t)
	byProduct := map[string][]string{}
	for _, e := range errs {
		byProduct[e.ProductExternalID] = append(byProduct[e.ProductExternalID], e.Code)
		if e.Message == "" {
			t.Errorf("error without message: %+v", e)
		}
	}
	for id, fault := range bad {
		if fault == "bad_json" {
			continue // no usable id: recorded under the id the connector could read, if any
		}
		if codes := byProduct[ext(id)]; len(codes) != 1 {
			t.Errorf("product %d (%s) has open errors %v, want exactly one", id, fault, codes)
		}
	}
	if codes := byProduct[ext(grouped)]; !slices.Equal(codes, []string{syncer.CodeSkippedType}) {
		t.Errorf("grouped product notes: %v", codes)
	}
	if n := len(errs); n != len(bad)+1 {
		t.Errorf("%d open errors, want %d (one per bad item and the note)", n, len(bad)+1)
	}
	// The bad products keep what OHIS had; nothing was deleted.
	after := f.products(t)
	for id := range bad {
		if b, ok := before[ext(id)]; ok && after[ext(id)].XMin != b.XMin {
			t.Errorf("malformed product %d was written", id)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d products before, %d after", len(before), len(after))
	}

	// A full sync cannot list every id: it fails, nothing is deleted.
	if _, err := f.svc.Run(context.Background(), f.connID, syncer.KindFull, "test", nil); err == nil {
		t.Error("a full sync with an item without id succeeded")
	}
	for id, p := range f.products(t) {
		if p.Deleted {
			t.Errorf("product %s deleted after an incomplete id listing", id)
		}
	}

	f.shop.SetFaults(demoshop.Faults{})
	f.run(t, syncer.KindFull)
	for _, e := range f.openErrors(t) {
		if e.ProductExternalID != ext(grouped) {
			t.Errorf("still open after the shop was fixed: %+v", e)
		}
	}
}
