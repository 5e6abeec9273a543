// Package visibility is the Go side of the rule that decides which synced
// products residents see (SPEC §3 "Curation", issue 5). The rule itself
// lives in exactly one place, the SQL of migrations/00010_visibility.sql:
//
//   - visible_products: the products residents see, now. Every public query
//     (the store's PublicCatalog* methods) reads through it.
//   - public_variants: the variants residents see of a visible product.
//
// A product is visible iff
//
//  1. curators approved it, or it is back in review after a significant
//     change (status changed) while the curator setting "keep visible on
//     change" is on;
//  2. its supplier is admitted to production (application state
//     production; a supplier without an application, or excluded later, is
//     not);
//  3. it comes from a production connection;
//  4. it is not deleted in the shop;
//  5. the shop publishes it (status publish);
//  6. it is sellable: a simple product is priced above zero and available;
//     a variable product has at least one variant that is published, not
//     deleted, priced above zero and available (one variant meeting all
//     four).
//
// Available means in stock, or on backorder when the shop allows it (see
// Available). A paused connection keeps its products visible: pausing stops
// syncing, not selling.
//
// Nothing is cached. The view reads a per-product listing (public_listing)
// that triggers recompute inside every transaction that changes a product,
// its curation or its variants, at its commit; the small tables (curator
// setting, admission state, connection environment) are read at query
// time. So a product that stops being visible is gone from the very next
// query, and a long sync transaction never holds up a curator.
//
// The tests of this package check the view against an independent Go
// truth table over every combination of the conditions.
package visibility

// Stock is what a shop says about an offer's (product's or variant's)
// stock.
type Stock struct {
	Managed    bool
	Quantity   *int64
	Status     string // instock, outofstock, onbackorder
	Backorders string // no, notify, yes
}

// Availability is what residents read about an offer.
type Availability int

// The availabilities.
const (
	SoldOut   Availability = iota // not orderable now
	InStock                       // orderable from stock
	Backorder                     // orderable, delivered when back in stock
)

// Label is the Dutch text residents see.
func (a Availability) Label() string {
	switch a {
	case InStock:
		return "Op voorraad"
	case Backorder:
		return "Nabestelbaar"
	}
	return "Uitverkocht"
}

// Of says how an offer reads to residents. available is the database's
// verdict (public_variants.available, or true for a visible simple
// product); the stock only tells in stock from backorder.
func Of(available bool, s Stock) Availability {
	switch {
	case !available:
		return SoldOut
	case s.Status == "instock" && (!s.Managed || (s.Quantity != nil && *s.Quantity > 0)):
		return InStock
	}
	return Backorder
}
