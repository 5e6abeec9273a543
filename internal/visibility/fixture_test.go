package visibility_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

// The fixture: suppliers in every relevant admission situation, each with a
// connection in every environment, and a way to add products in any state
// through the same set-based writes the catalogue seed uses.

// supplierStates are the fixture's suppliers by index; "" has no
// application at all (an organisation an admin added directly).
var supplierStates = []string{"production", "admitted", "excluded", ""}

var environments = []string{"production", "acceptance", "test"}

type stockCase struct {
	managed    bool
	qty        *int32
	status     string
	backorders string
}

func (s stockCase) String() string {
	q := "nil"
	if s.qty != nil {
		q = fmt.Sprint(*s.qty)
	}
	return fmt.Sprintf("stock{managed=%v qty=%s %s backorders=%s}", s.managed, q, s.status, s.backorders)
}

// offer is a product's or variant's own state.
type offer struct {
	status  string // shop status
	deleted bool
	price   *int64
	stock   stockCase
}

func (o offer) String() string {
	p := "nil"
	if o.price != nil {
		p = fmt.Sprint(*o.price)
	}
	return fmt.Sprintf("{%s deleted=%v price=%s %v}", o.status, o.deleted, p, o.stock)
}

// row is one product of the truth table.
type row struct {
	curation string // "" (no curation row), pending, approved, rejected, changed
	supplier int    // index into supplierStates
	env      string
	variable bool
	product  offer   // for a variable product: the parent's own summary columns, which must not count
	variants []offer // variable products only
}

func (r row) String() string {
	typ := "simple"
	if r.variable {
		typ = fmt.Sprintf("variable%v", r.variants)
	}
	return fmt.Sprintf("curation=%q supplier=%q env=%s %s product=%v", r.curation, supplierStates[r.supplier], r.env, typ, r.product)
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	st    *store.Store
	conns map[string]int64 // "supplierIndex/env" → connection id
	sups  []int64
	n     int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t)
	f := &fixture{t: t, ctx: ctx, pool: pool, st: store.New(pool), conns: map[string]int64{}}
	var names []string
	for i := range supplierStates {
		names = append(names, fmt.Sprintf("Zichtbaarheid %d", i))
	}
	ids, err := f.st.CatalogSeedSuppliers(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int64{}
	for _, id := range ids {
		byName[id.Key] = id.ID
	}
	var apps []store.SeedApplication
	var conns []store.SeedConnection
	for i, state := range supplierStates {
		id := byName[names[i]]
		f.sups = append(f.sups, id)
		if state != "" {
			apps = append(apps, store.SeedApplication{SupplierID: id, CompanyName: names[i], KvK: fmt.Sprintf("8800000%d", i),
				VATID: fmt.Sprintf("NL88000000%dB01", i), IBAN: "NL91ABNA0417164300", ContactName: "Test", Email: "t@example.test",
				Phone: "0201234567", Website: "https://example.test", State: state})
		}
		for _, env := range environments {
			conns = append(conns, store.SeedConnection{SupplierID: id, Environment: env, BaseURL: "https://example.test",
				Credentials: []byte("x"), WebhookSecret: []byte("x")})
		}
	}
	if err := f.st.CatalogSeedApplications(ctx, time.Now(), apps); err != nil {
		t.Fatal(err)
	}
	cids, err := f.st.CatalogSeedConnections(ctx, "test", conns)
	if err != nil {
		t.Fatal(err)
	}
	connByKey := map[string]int64{}
	for _, c := range cids {
		connByKey[c.Key] = c.ID
	}
	for i, id := range f.sups {
		for _, env := range environments {
			f.conns[fmt.Sprint(i, "/", env)] = connByKey[store.SeedConnectionKey(id, env)]
		}
	}
	return f
}

// add writes the rows and returns their product ids, in order.
func (f *fixture) add(rows []row) []int64 {
	f.t.Helper()
	ps := make([]store.SeedProduct, len(rows))
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i, r := range rows {
		f.n++
		typ := "simple"
		if r.variable {
			typ = "variable"
		}
		ps[i] = store.SeedProduct{
			ConnectionID: f.conns[fmt.Sprint(r.supplier, "/", r.env)], SupplierID: f.sups[r.supplier], Environment: r.env,
			ExternalID: fmt.Sprint("p", f.n), Type: typ, ShopStatus: r.product.status, Name: fmt.Sprint("Product ", f.n),
			SKU: fmt.Sprint("SKU-", f.n), RegularCents: r.product.price, PriceCents: r.product.price,
			ManageStock: r.product.stock.managed, StockQuantity: r.product.stock.qty, StockStatus: r.product.stock.status,
			Backorders: r.product.stock.backorders, CategoryExternalID: "1", AttributesJSON: "[]", ImagesJSON: "[]",
			ModifiedAt: now, FirstSeenAt: now, Deleted: r.product.deleted,
		}
	}
	ids, err := f.st.CatalogSeedProducts(f.ctx, ps)
	if err != nil {
		f.t.Fatal(err)
	}
	byExt := map[string]int64{}
	for _, id := range ids {
		byExt[id.Key] = id.ID
	}
	out := make([]int64, len(rows))
	var variants []store.SeedVariant
	var curation []store.SeedCuration
	for i, r := range rows {
		out[i] = byExt[ps[i].ExternalID]
		for j, v := range r.variants {
			opts, _ := json.Marshal([]map[string]string{{"name": "Kleur", "option": fmt.Sprint("optie ", j)}})
			variants = append(variants, store.SeedVariant{
				ProductID: out[i], ExternalID: fmt.Sprint(ps[i].ExternalID, "-", j), ShopStatus: v.status,
				SKU: fmt.Sprint(ps[i].SKU, "-", j), RegularCents: v.price, PriceCents: v.price, ManageStock: v.stock.managed,
				StockQuantity: v.stock.qty, StockStatus: v.stock.status, Backorders: v.stock.backorders,
				OptionsJSON: string(opts), Position: int32(j), ModifiedAt: now, Deleted: v.deleted,
			})
		}
		if r.curation != "" {
			curation = append(curation, store.SeedCuration{ProductID: out[i], Status: r.curation})
		}
	}
	if len(variants) > 0 {
		if err := f.st.CatalogSeedVariants(f.ctx, variants); err != nil {
			f.t.Fatal(err)
		}
	}
	if len(curation) > 0 {
		if err := f.st.CatalogSeedCuration(f.ctx, now, curation); err != nil {
			f.t.Fatal(err)
		}
	}
	return out
}

// visible reports which of ids residents see now.
func (f *fixture) visible() map[int64]bool {
	f.t.Helper()
	ids, err := f.st.VisibleProductIDs(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if !slices.IsSorted(ids) {
		f.t.Fatal("visible ids not in order")
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) setKeepVisible(keep bool) {
	f.t.Helper()
	f.exec("UPDATE curation_settings SET keep_visible_on_change = $1", keep)
}

func ptr[T any](v T) *T { return &v }
