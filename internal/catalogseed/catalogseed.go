// Package catalogseed fills a database with a large, realistic and
// reproducible synced catalogue: suppliers admitted to production, their
// webshop connections, categories and brands, tens of thousands of Dutch
// energy-saving products (a share of them variable, with variants) and
// curation decisions. Benchmarks, demos and tests use it; the same options
// and seed always give the same catalogue.
//
// It writes set-based (one statement per table and batch) through the
// store's CatalogSeed* methods, so 100,000 products take seconds.
package catalogseed

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
)

// Options say what to seed. Zero values take the defaults noted.
type Options struct {
	// Suppliers is the number of suppliers (default 20).
	Suppliers int
	// ProductsPerSupplier is the number of products of each connection
	// (default 5,000).
	ProductsPerSupplier int
	// VariablePercent is the share of variable products (default 20: a
	// fifth); -1 for none.
	VariablePercent int
	// Seed makes the catalogue reproducible (default 1).
	Seed uint64
	// Environments get one connection each per supplier, each with the
	// full set of products (default: production only).
	Environments []string
	// ProductionPercent is the share of suppliers admitted to production;
	// the others are admitted to test and acceptance only (default 100; -1
	// for none).
	ProductionPercent int
	// Curation is the mix of decisions in percent; the rest stays pending
	// (default 80 approved, 4 rejected, 4 changed).
	Curation Mix
	// Box seals the made-up connection credentials; nil uses a throwaway
	// key (seeded connections are paused and never synced anyway).
	Box *secret.Box
	// Workers write products in parallel (default: GOMAXPROCS, at most 4);
	// 1 writes everything in one transaction.
	Workers int
	// Now is the time decisions are dated (default the seed's fixed epoch,
	// so two seeds are identical).
	Now time.Time
}

// Mix is a curation mix in percent of products.
type Mix struct {
	Approved, Rejected, Changed int
}

// Result counts what was made.
type Result struct {
	SupplierIDs        []int64
	ConnectionIDs      []int64
	PlatformCategories int
	Categories         int
	Brands             int
	Products           int
	VariableProducts   int
	Variants           int
	ByStatus           map[string]int
	// Visible is how many products residents see (see package visibility).
	Visible int
	Took    time.Duration
}

// epoch is the seeded catalogue's reference time: products were first seen
// in the 300 days before it.
var epoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func (o *Options) defaults() error {
	if o.Suppliers == 0 {
		o.Suppliers = 20
	}
	if o.ProductsPerSupplier == 0 {
		o.ProductsPerSupplier = 5000
	}
	switch {
	case o.VariablePercent == 0:
		o.VariablePercent = 20
	case o.VariablePercent < 0:
		o.VariablePercent = 0
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if len(o.Environments) == 0 {
		o.Environments = []string{"production"}
	}
	switch {
	case o.ProductionPercent == 0:
		o.ProductionPercent = 100
	case o.ProductionPercent < 0:
		o.ProductionPercent = 0
	}
	if o.Curation == (Mix{}) {
		o.Curation = Mix{Approved: 80, Rejected: 4, Changed: 4}
	}
	if o.Workers <= 0 {
		o.Workers = min(runtime.GOMAXPROCS(0), 4)
	}
	if o.Now.IsZero() {
		o.Now = epoch
	}
	switch {
	case o.Suppliers < 0 || o.Suppliers > 10000:
		return errors.New("catalogseed: suppliers must be between 1 and 10,000")
	case o.ProductsPerSupplier < 0 || o.ProductsPerSupplier > 1_000_000:
		return errors.New("catalogseed: products per supplier must be between 1 and 1,000,000")
	case o.VariablePercent > 100 || o.ProductionPercent > 100:
		return errors.New("catalogseed: percentages must be at most 100")
	case o.Curation.Approved < 0 || o.Curation.Rejected < 0 || o.Curation.Changed < 0 ||
		o.Curation.Approved+o.Curation.Rejected+o.Curation.Changed > 100:
		return errors.New("catalogseed: the curation mix must be percentages adding up to at most 100")
	}
	for _, e := range o.Environments {
		if e != "test" && e != "acceptance" && e != "production" {
			return fmt.Errorf("catalogseed: unknown environment %q", e)
		}
	}
	if o.Box == nil {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		b, err := secret.NewBox([]config.Key{{ID: "catalogseed", Bytes: key}})
		if err != nil {
			return err
		}
		o.Box = b
	}
	return nil
}

// Seed writes the catalogue. With one worker it is one transaction: all of
// it or nothing. With more (the default on a machine with several CPUs)
// the suppliers, connections and taxonomies are one transaction and then
// each connection's products are written by the workers in parallel, each
// batch (products with their variants and curation rows) in a transaction
// of its own; a failure then leaves the products written so far, and the
// error says so. The suppliers' names are fixed per index, so seeding twice
// into one database fails with store.ErrConflict.
func Seed(ctx context.Context, st *store.Store, o Options) (Result, error) {
	start := time.Now()
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	res := Result{ByStatus: map[string]int{}, Visible: -1}
	var mu sync.Mutex
	add := func(t tally) {
		mu.Lock()
		defer mu.Unlock()
		res.Products += t.products
		res.VariableProducts += t.variable
		res.Variants += t.variants
		for k, n := range t.byStatus {
			res.ByStatus[k] += n
		}
	}
	var jobs []connJob
	err := st.InTx(ctx, func(tx *store.Store) error {
		g := &generator{o: o, st: tx, res: &res}
		var err error
		if jobs, err = g.taxonomy(ctx); err != nil || o.Workers > 1 {
			return err
		}
		for _, job := range jobs {
			t, err := g.fill(ctx, tx, job)
			if err != nil {
				return err
			}
			add(t)
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return Result{}, fmt.Errorf("catalogseed: the database already holds seeded suppliers (use a fresh database): %w", err)
	}
	if err != nil {
		return Result{}, err
	}
	if o.Workers > 1 {
		g := &generator{o: o, st: st, res: &res}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		work := make(chan connJob)
		errs := make([]error, o.Workers)
		var wg sync.WaitGroup
		for w := range o.Workers {
			wg.Go(func() {
				for job := range work {
					t, err := g.fill(ctx, st, job)
					add(t)
					if err != nil {
						errs[w] = err
						cancel()
						return
					}
				}
			})
		}
	feed:
		for _, job := range jobs {
			select {
			case work <- job:
			case <-ctx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return res, fmt.Errorf("catalogseed: writing products (the %d products written so far stay): %w", res.Products, err)
		}
	}
	if st.Tx() == nil {
		// What autovacuum would do after a bulk load, now: statistics for
		// the planner, and visibility maps so that the catalogue's
		// index-only scans need not visit the heap.
		if err := st.CatalogSeedVacuum(ctx); err != nil {
			return res, err
		}
	}
	if res.Visible, err = st.VisibleProductCount(ctx); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}
