package visibility_test

import (
	"testing"

	"github.com/wujw/ohis/internal/visibility"
)

// The truth table, written independently of the SQL: procedural where the
// SQL is declarative, so that a slip in one is not repeated in the other.

func availableTruth(s stockCase) bool {
	if s.status == "outofstock" {
		return false
	}
	backordersAllowed := s.backorders == "notify" || s.backorders == "yes"
	if s.managed {
		if s.qty == nil || *s.qty <= 0 {
			return backordersAllowed
		}
		if s.status == "onbackorder" {
			return backordersAllowed
		}
		return true
	}
	return s.status == "instock" || s.status == "onbackorder"
}

func offerSellableTruth(o offer) bool {
	return o.status == "publish" && !o.deleted && o.price != nil && *o.price > 0 && availableTruth(o.stock)
}

func visibleTruth(r row, keepVisibleOnChange bool) bool {
	switch {
	case r.curation == "approved":
	case r.curation == "changed" && keepVisibleOnChange:
	default:
		return false
	}
	if supplierStates[r.supplier] != "production" || r.env != "production" {
		return false
	}
	if r.product.deleted || r.product.status != "publish" {
		return false
	}
	if !r.variable {
		return offerSellableTruth(r.product)
	}
	for _, v := range r.variants {
		if offerSellableTruth(v) {
			return true
		}
	}
	return false
}

// Every value each condition can take.
var (
	curations    = []string{"", "pending", "approved", "rejected", "changed"}
	shopStatuses = []string{"publish", "draft", "pending", "private"}
	prices       = []*int64{nil, ptr(int64(0)), ptr(int64(1995))}
)

// allStocks is every stock situation: managed or not × quantity (unknown,
// negative, none, one, some) × status × backorder setting.
func allStocks() []stockCase {
	var out []stockCase
	for _, managed := range []bool{false, true} {
		for _, qty := range []*int32{nil, ptr(int32(-2)), ptr(int32(0)), ptr(int32(1)), ptr(int32(7))} {
			for _, status := range []string{"instock", "outofstock", "onbackorder"} {
				for _, bo := range []string{"no", "notify", "yes"} {
					out = append(out, stockCase{managed, qty, status, bo})
				}
			}
		}
	}
	return out
}

// repStocks stand for every way stock can make an offer available or not,
// for crossing with all other conditions (allStocks is crossed with the
// offer conditions separately).
var repStocks = []stockCase{
	{false, nil, "instock", "no"},                  // available: unmanaged in stock
	{true, ptr(int32(5)), "instock", "no"},         // available: managed with stock
	{true, ptr(int32(0)), "onbackorder", "notify"}, // available: backorder allowed
	{false, nil, "outofstock", "no"},               // not: out of stock
	{true, ptr(int32(0)), "instock", "no"},         // not: managed, none left, no backorders
	{true, ptr(int32(-1)), "onbackorder", "no"},    // not: backorder status without backorders allowed
}

var inStock = stockCase{false, nil, "instock", "no"}

func sellable() offer { return offer{status: "publish", price: ptr(int64(2495)), stock: inStock} }

// truthRows builds the table:
//   - simple products: every curation × supplier situation × environment ×
//     deleted × shop status × price × representative stock;
//   - simple products that meet everything else × every stock situation;
//   - variable products: every curation × supplier × environment × deleted
//     × shop status × variant set (one sellable variant; none; one priced
//     but sold out plus one available but unpriced), with the parent's own
//     price and stock contradicting the variants;
//   - variable products that meet everything else × one variant in every
//     combination of its shop status × deleted × price × representative
//     stock, × one variant in every stock situation, × every pair of
//     variant kinds.
func truthRows() []row {
	var rows []row
	for _, cur := range curations {
		for sup := range supplierStates {
			for _, env := range environments {
				for _, deleted := range []bool{false, true} {
					for _, status := range shopStatuses {
						for _, price := range prices {
							for _, st := range repStocks {
								rows = append(rows, row{curation: cur, supplier: sup, env: env,
									product: offer{status: status, deleted: deleted, price: price, stock: st}})
							}
						}
						variantSets := [][]offer{
							{sellable()},
							nil,
							{{status: "publish", price: ptr(int64(995)), stock: stockCase{false, nil, "outofstock", "no"}},
								{status: "publish", price: ptr(int64(0)), stock: inStock}},
						}
						for i, vs := range variantSets {
							// The parent's summary says the opposite of its variants.
							parent := offer{status: status, deleted: deleted, price: prices[i%3], stock: repStocks[3+i%3]}
							if i > 0 {
								parent.price, parent.stock = ptr(int64(995)), inStock
							}
							rows = append(rows, row{curation: cur, supplier: sup, env: env, variable: true, product: parent, variants: vs})
						}
					}
				}
			}
		}
	}
	for _, st := range allStocks() {
		rows = append(rows, row{curation: "approved", env: "production", product: offer{status: "publish", price: ptr(int64(1)), stock: st}})
		rows = append(rows, row{curation: "approved", env: "production", variable: true,
			product:  offer{status: "publish", price: ptr(int64(0)), stock: stockCase{false, nil, "outofstock", "no"}},
			variants: []offer{{status: "publish", price: ptr(int64(1)), stock: st}}})
	}
	for _, status := range []string{"publish", "private", "draft"} {
		for _, deleted := range []bool{false, true} {
			for _, price := range prices {
				for _, st := range repStocks {
					rows = append(rows, row{curation: "approved", env: "production", variable: true, product: sellable(),
						variants: []offer{{status: status, deleted: deleted, price: price, stock: st}}})
				}
			}
		}
	}
	kinds := []offer{
		sellable(),
		{status: "publish", price: nil, stock: inStock},                                                     // unpriced
		{status: "publish", price: ptr(int64(995)), stock: stockCase{true, ptr(int32(0)), "instock", "no"}}, // sold out
		{status: "publish", deleted: true, price: ptr(int64(995)), stock: inStock},                          // deleted
		{status: "private", price: ptr(int64(995)), stock: inStock},                                         // not published
	}
	for _, a := range kinds {
		for _, b := range kinds {
			rows = append(rows, row{curation: "approved", env: "production", variable: true, product: sellable(), variants: []offer{a, b}})
		}
	}
	return rows
}

// TestVisibleProductsTruthTable compares visible_products with the truth
// table for every row, with the "keep visible on change" setting on and
// off.
func TestVisibleProductsTruthTable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rows := truthRows()
	ids := f.add(rows)
	for _, keep := range []bool{true, false} {
		f.setKeepVisible(keep)
		got := f.visible()
		wrong, want := 0, 0
		for i, r := range rows {
			w := visibleTruth(r, keep)
			if w {
				want++
			}
			if got[ids[i]] != w {
				wrong++
				if wrong <= 25 {
					t.Errorf("keep visible on change %v: %v: visible %v, want %v", keep, r, got[ids[i]], w)
				}
			}
		}
		if wrong > 0 {
			t.Errorf("keep visible on change %v: %d of %d rows wrong", keep, wrong, len(rows))
		}
		// The table must exercise both answers plentifully, or it proves little.
		if want < 50 || want > len(rows)/2 {
			t.Errorf("keep visible on change %v: %d of %d rows visible: the table is lopsided", keep, want, len(rows))
		}
		if len(got) != want {
			t.Errorf("keep visible on change %v: %d products visible, the truth table says %d", keep, len(got), want)
		}
		t.Logf("keep visible on change %v: %d rows, %d visible", keep, len(rows), want)
	}
}

// TestAvailableTruthMatchesLabels: what residents read agrees with the
// availability verdict for every stock situation.
func TestAvailabilityLabels(t *testing.T) {
	t.Parallel()
	for _, s := range allStocks() {
		var q *int64
		if s.qty != nil {
			v := int64(*s.qty)
			q = &v
		}
		a := visibility.Of(availableTruth(s), visibility.Stock{Managed: s.managed, Quantity: q, Status: s.status, Backorders: s.backorders})
		switch {
		case !availableTruth(s) && a != visibility.SoldOut:
			t.Errorf("%v: %s, want Uitverkocht", s, a.Label())
		case availableTruth(s) && a == visibility.SoldOut:
			t.Errorf("%v: Uitverkocht, but it can be ordered", s)
		case availableTruth(s) && s.status == "onbackorder" && a != visibility.Backorder:
			t.Errorf("%v: %s, want Nabestelbaar", s, a.Label())
		case availableTruth(s) && s.managed && (s.qty == nil || *s.qty <= 0) && a != visibility.Backorder:
			t.Errorf("%v: %s, want Nabestelbaar (nothing left)", s, a.Label())
		}
	}
	for a, want := range map[visibility.Availability]string{visibility.InStock: "Op voorraad", visibility.Backorder: "Nabestelbaar", visibility.SoldOut: "Uitverkocht"} {
		if a.Label() != want {
			t.Errorf("label %d: %q, want %q", a, a.Label(), want)
		}
	}
}
