package visibility_test

import (
	"context"
	"testing"
	"time"
)

// TestVisibilityFollowsEveryChange: a visible product disappears the moment
// any one condition stops holding — written the way the syncer, curators
// and admins write — and comes back when it holds again.
func TestVisibilityFollowsEveryChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.add([]row{
		{curation: "approved", env: "production", product: sellable()},
		{curation: "approved", env: "production", variable: true, product: sellable(), variants: []offer{sellable()}},
	})
	simple, variable := ids[0], ids[1]
	var variant int64
	if err := f.pool.QueryRow(f.ctx, "SELECT id FROM product_variants WHERE product_id = $1", variable).Scan(&variant); err != nil {
		t.Fatal(err)
	}
	production := f.sups[0]
	var conn int64
	if err := f.pool.QueryRow(f.ctx, "SELECT connection_id FROM products WHERE id = $1", simple).Scan(&conn); err != nil {
		t.Fatal(err)
	}

	// The supplier's (empty) acceptance connection would block turning the
	// production one into an acceptance one (one per environment).
	f.exec("DELETE FROM connections WHERE supplier_id = $1 AND environment = 'acceptance'", production)

	both := []int64{simple, variable}
	changes := []struct {
		name       string
		affects    []int64
		hide, undo string
		args       []any
		undoArgs   []any
	}{
		{"curation back to pending", both,
			"UPDATE product_curation SET status = 'pending' WHERE product_id = ANY ($1)",
			"UPDATE product_curation SET status = 'approved' WHERE product_id = ANY ($1)", []any{both}, []any{both}},
		{"rejected", []int64{simple},
			"UPDATE product_curation SET status = 'rejected' WHERE product_id = $1",
			"UPDATE product_curation SET status = 'approved' WHERE product_id = $1", []any{simple}, []any{simple}},
		{"curation row gone", []int64{simple},
			"DELETE FROM product_curation WHERE product_id = $1",
			"INSERT INTO product_curation (product_id, status) VALUES ($1, 'approved')", []any{simple}, []any{simple}},
		{"changed while the setting hides changed products", []int64{variable},
			"UPDATE product_curation SET status = 'changed' WHERE product_id = $1; UPDATE curation_settings SET keep_visible_on_change = false",
			"UPDATE curation_settings SET keep_visible_on_change = true; UPDATE product_curation SET status = 'approved' WHERE product_id = $1", []any{variable}, []any{variable}},
		{"supplier excluded", both,
			"UPDATE applications SET state = 'excluded' WHERE supplier_id = $1",
			"UPDATE applications SET state = 'production' WHERE supplier_id = $1", []any{production}, []any{production}},
		{"supplier back to admitted (failed retest)", both,
			"UPDATE applications SET state = 'admitted' WHERE supplier_id = $1",
			"UPDATE applications SET state = 'production' WHERE supplier_id = $1", []any{production}, []any{production}},
		{"connection no longer production", both,
			"UPDATE connections SET environment = 'acceptance' WHERE id = $1",
			"UPDATE connections SET environment = 'production' WHERE id = $1", []any{conn}, []any{conn}},
		{"deleted in the shop", []int64{simple},
			"UPDATE products SET deleted_at = now() WHERE id = $1", "UPDATE products SET deleted_at = NULL WHERE id = $1",
			[]any{simple}, []any{simple}},
		{"unpublished in the shop", both,
			"UPDATE products SET shop_status = 'draft' WHERE id = ANY ($1)", "UPDATE products SET shop_status = 'publish' WHERE id = ANY ($1)",
			[]any{both}, []any{both}},
		{"price zero", []int64{simple},
			"UPDATE products SET price_cents = 0 WHERE id = $1", "UPDATE products SET price_cents = 2495 WHERE id = $1",
			[]any{simple}, []any{simple}},
		{"price gone", []int64{simple},
			"UPDATE products SET price_cents = NULL WHERE id = $1", "UPDATE products SET price_cents = 2495 WHERE id = $1",
			[]any{simple}, []any{simple}},
		{"sold out", []int64{simple},
			"UPDATE products SET stock_status = 'outofstock' WHERE id = $1", "UPDATE products SET stock_status = 'instock' WHERE id = $1",
			[]any{simple}, []any{simple}},
		{"managed stock ran out without backorders", []int64{simple},
			"UPDATE products SET manage_stock = true, stock_quantity = 0 WHERE id = $1",
			"UPDATE products SET manage_stock = true, stock_quantity = 3 WHERE id = $1", []any{simple}, []any{simple}},
		{"the only variant sold out", []int64{variable},
			"UPDATE product_variants SET stock_status = 'outofstock' WHERE id = $1",
			"UPDATE product_variants SET stock_status = 'instock' WHERE id = $1", []any{variant}, []any{variant}},
		{"the only variant unpublished", []int64{variable},
			"UPDATE product_variants SET shop_status = 'private' WHERE id = $1",
			"UPDATE product_variants SET shop_status = 'publish' WHERE id = $1", []any{variant}, []any{variant}},
		{"the only variant deleted in the shop", []int64{variable},
			"UPDATE product_variants SET deleted_at = now() WHERE id = $1",
			"UPDATE product_variants SET deleted_at = NULL WHERE id = $1", []any{variant}, []any{variant}},
		{"the only variant unpriced", []int64{variable},
			"UPDATE product_variants SET price_cents = NULL WHERE id = $1",
			"UPDATE product_variants SET price_cents = 1495 WHERE id = $1", []any{variant}, []any{variant}},
	}
	for _, c := range changes {
		if !f.visible()[simple] || !f.visible()[variable] {
			t.Fatalf("before %q: both products should be visible", c.name)
		}
		execMulti(t, f, c.hide, c.args...)
		got := f.visible()
		for _, id := range c.affects {
			if got[id] {
				t.Errorf("%s: product %d still visible", c.name, id)
			}
		}
		execMulti(t, f, c.undo, c.undoArgs...)
		got = f.visible()
		if !got[simple] || !got[variable] {
			t.Errorf("%s undone: visible %v, want both", c.name, got)
		}
	}

	// A second, sellable variant keeps the product visible when the first
	// sells out; removing it (the shop deleted the variation) hides it.
	f.exec(`INSERT INTO product_variants (product_id, external_id, shop_status, price_cents, stock_status, shop_modified_at, content_hash)
		VALUES ($1, 'tweede', 'publish', 995, 'instock', now(), '\x00')`, variable)
	f.exec("UPDATE product_variants SET stock_status = 'outofstock' WHERE id = $1", variant)
	if !f.visible()[variable] {
		t.Error("a variable product with one sellable variant left is hidden")
	}
	f.exec("DELETE FROM product_variants WHERE product_id = $1 AND external_id = 'tweede'", variable)
	if f.visible()[variable] {
		t.Error("a variable product whose last sellable variant row was removed is still visible")
	}

	// A product removed altogether is gone.
	f.exec("DELETE FROM products WHERE id = $1", simple)
	if f.visible()[simple] {
		t.Error("a removed product is visible")
	}
	var listed int
	if err := f.pool.QueryRow(f.ctx, "SELECT count(*) FROM public_listing WHERE product_id = $1", simple).Scan(&listed); err != nil || listed != 0 {
		t.Errorf("listing rows of a removed product: %d (%v)", listed, err)
	}
}

// execMulti runs statements separated by "; " in one transaction.
func execMulti(t *testing.T, f *fixture, sql string, args ...any) {
	t.Helper()
	tx, err := f.pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit a no-op
	for _, stmt := range splitStatements(sql) {
		n := countArgs(stmt)
		if _, err := tx.Exec(f.ctx, stmt, args[:n]...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := tx.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func splitStatements(sql string) []string {
	var out []string
	for len(sql) > 0 {
		i := indexOf(sql, "; ")
		if i < 0 {
			out = append(out, sql)
			break
		}
		out = append(out, sql[:i])
		sql = sql[i+2:]
	}
	return out
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// countArgs is the highest $n in a statement.
func countArgs(stmt string) int {
	n := 0
	for i := 0; i+1 < len(stmt); i++ {
		if stmt[i] == '$' && stmt[i+1] >= '1' && stmt[i+1] <= '9' {
			n = max(n, int(stmt[i+1]-'0'))
		}
	}
	return n
}

// TestConcurrentWritersOfOneProduct: the syncer and a curator change
// different inputs of the same product in overlapping transactions. The
// one that commits second sees what the first committed, in both orders;
// neither waits for the other (a long sync transaction must not hold up a
// curator); and the listing is not left stale (a later change is judged on
// current facts).
func TestConcurrentWritersOfOneProduct(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, c := range []struct{ curatorFirst, midCommit bool }{{true, false}, {false, false}, {true, true}, {false, true}} {
		curatorFirst := c.curatorFirst
		ids := f.add([]row{{curation: "pending", env: "production", variable: true, product: sellable(), variants: []offer{sellable()}}})
		id := ids[0]
		curator := "UPDATE product_curation SET status = 'approved' WHERE product_id = $1"
		syncer := "UPDATE product_variants SET stock_status = 'outofstock' WHERE product_id = $1"
		long, short := curator, syncer
		if !curatorFirst {
			long, short = syncer, curator
		}
		// The long transaction writes first and stays open ...
		tx1, err := f.pool.Begin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx1.Exec(f.ctx, long, id); err != nil {
			t.Fatal(err)
		}
		if c.midCommit {
			// The long one is committing right now: its recompute has run
			// (deferred triggers fire here as at COMMIT) and holds the
			// listing row until it commits.
			if _, err := tx1.Exec(f.ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
				t.Fatal(err)
			}
		}
		// ... while the short one writes and commits.
		done := make(chan error, 1)
		go func() {
			tx2, err := f.pool.Begin(f.ctx)
			if err != nil {
				done <- err
				return
			}
			if _, err := tx2.Exec(f.ctx, short, id); err != nil {
				_ = tx2.Rollback(f.ctx)
				done <- err
				return
			}
			done <- tx2.Commit(f.ctx)
		}()
		if c.midCommit {
			// Two commits at once: the second recompute must wait for the
			// first to commit, then read what it wrote.
			select {
			case err := <-done:
				t.Fatalf("curator first %v: the second commit's recompute did not wait for the first (err %v)", curatorFirst, err)
			case <-time.After(300 * time.Millisecond):
			}
			if err := tx1.Commit(f.ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		} else {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("curator first %v: the short transaction waited for the long one", curatorFirst)
			}
			if err := tx1.Commit(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if f.visible()[id] {
			t.Errorf("%+v: approved but its only variant sold out, yet visible", c)
		}
		// Back in stock: approved and sellable, so visible — unless the
		// listing kept a stale curation status.
		f.exec("UPDATE product_variants SET stock_status = 'instock' WHERE product_id = $1", id)
		if !f.visible()[id] {
			t.Errorf("%+v: approved and back in stock, yet hidden (stale listing)", c)
		}
	}
}

// TestListingWrittenAtCommit: inside a transaction many statements touch a
// product; the listing follows at commit, once, and nothing is left in the
// list of products to recompute.
func TestListingWrittenAtCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.add([]row{{curation: "pending", env: "production", product: sellable()}})[0]
	tx, err := f.pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit a no-op
	for _, stmt := range []string{
		"UPDATE product_curation SET status = 'approved' WHERE product_id = $1",
		"UPDATE products SET price_cents = 1234 WHERE id = $1",
		"UPDATE products SET stock_status = 'onbackorder' WHERE id = $1",
	} {
		if _, err := tx.Exec(f.ctx, stmt, id); err != nil {
			t.Fatal(err)
		}
	}
	if f.visible()[id] {
		t.Error("visible to others before the commit")
	}
	if err := tx.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	if !f.visible()[id] {
		t.Error("not visible after the commit")
	}
	var price int64
	var dirty int
	if err := f.pool.QueryRow(f.ctx, "SELECT price_cents, (SELECT count(*) FROM public_listing_dirty) FROM visible_products WHERE id = $1", id).Scan(&price, &dirty); err != nil {
		t.Fatal(err)
	}
	if price != 1234 || dirty != 0 {
		t.Errorf("listing price %d (want 1234), %d products left to recompute (want 0)", price, dirty)
	}
	// A rolled-back change leaves nothing behind.
	tx, err = f.pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(f.ctx, "UPDATE products SET deleted_at = now() WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(f.ctx); err != nil {
		t.Fatal(err)
	}
	if !f.visible()[id] {
		t.Error("a rolled-back deletion hid the product")
	}
}
