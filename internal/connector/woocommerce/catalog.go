package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/connector"
)

// gmtLayout is how WooCommerce writes and reads GMT dates.
const gmtLayout = "2006-01-02T15:04:05"

func productQuery(since *time.Time) url.Values {
	q := url.Values{
		"orderby": {"id"},
		"order":   {"asc"},
		"status":  {"any"},
	}
	if since != nil {
		q.Set("modified_after", since.UTC().Format(gmtLayout))
		q.Set("dates_are_gmt", "true")
	}
	return q
}

// ListCatalog streams the products modified at or after since (all when
// nil), then their variations: from the store-wide /variations listing
// when the shop has one (WooCommerce 10.3+), otherwise per variable
// product seen in this listing.
func (c *conn) ListCatalog(ctx context.Context, since *time.Time, sink connector.Sink) error {
	var parents []int64 // usable variable products that may have variations
	_, err := list(ctx, c, listing{resource: "products", path: "/products", query: productQuery(since)},
		func(raw []json.RawMessage) []mappedProduct {
			out := make([]mappedProduct, len(raw))
			for i, r := range raw {
				out[i] = mapProduct(r)
			}
			return out
		},
		func(page connector.Page, mapped []mappedProduct, _ int) error {
			items := make([]connector.ProductItem, len(mapped))
			for i, m := range mapped {
				items[i] = m.item
				if m.variable && m.variationCount != 0 {
					parents = append(parents, m.id)
				}
			}
			return sink.Products(ctx, page, items)
		})
	if err != nil {
		return err
	}

	mapVariants := func(parent int64) func([]json.RawMessage) []connector.VariantItem {
		return func(raw []json.RawMessage) []connector.VariantItem {
			out := make([]connector.VariantItem, len(raw))
			for i, r := range raw {
				out[i] = mapVariant(r, parent)
			}
			return out
		}
	}
	if c.variations.Load() != variationsNo {
		st, err := list(ctx, c, listing{resource: "variations", path: "/variations", query: productQuery(since)},
			mapVariants(0),
			func(page connector.Page, items []connector.VariantItem, _ int) error {
				return sink.Variants(ctx, page, items)
			})
		switch {
		case err == nil:
			c.variations.Store(variationsYes)
			return nil
		case c.noVariationsListing(st, err):
			c.variations.Store(variationsNo) // no store-wide listing: per product below
		default:
			return err
		}
	}

	// Per variable product, at most c.width products at a time; each
	// product's pages are delivered together, products in listing order.
	number := 0
	estimate := len(parents)
	return ordered(ctx, len(parents), c.width,
		func(ctx context.Context, i int) ([][]connector.VariantItem, error) {
			var pages [][]connector.VariantItem
			_, err := list(ctx, c, listing{resource: "variations", path: "/products/" + strconv.FormatInt(parents[i], 10) + "/variations", query: url.Values{}},
				mapVariants(parents[i]),
				func(_ connector.Page, items []connector.VariantItem, _ int) error {
					pages = append(pages, items)
					return nil
				})
			return pages, err
		},
		func(_ int, pages [][]connector.VariantItem) error {
			if len(pages) > 1 {
				estimate += len(pages) - 1
			}
			for _, items := range pages {
				number++
				if err := sink.Variants(ctx, connector.Page{Resource: "variations", Number: number, Total: estimate}, items); err != nil {
					return err
				}
			}
			return nil
		})
}

// noVariationsListing reports whether a failed store-wide variations
// listing means the shop has none (no such endpoint before anything was
// delivered, on a connector that never listed it successfully).
func (c *conn) noVariationsListing(st listStats, err error) bool {
	return st.pages == 0 && isAbsent(err) && c.variations.Load() != variationsYes
}

// isAbsent reports that the shop has no such endpoint: 404 (in any of its
// meanings), 405, 410 or 501.
func isAbsent(err error) bool {
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusGone, http.StatusNotImplemented:
		return true
	}
	return false
}

// idItem is an entry of an id listing (_fields=id,type or id,parent_id).
type idItem struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	ParentID int64  `json:"parent_id"`
}

type idPage struct {
	items []idItem
	bad   string // the first entry without a usable id
}

func decodeIDs(raw []json.RawMessage) idPage {
	p := idPage{items: make([]idItem, 0, len(raw))}
	for _, r := range raw {
		var it idItem
		if err := json.Unmarshal(r, &it); err != nil || it.ID <= 0 {
			if p.bad == "" {
				p.bad = snippet(r, 120)
			}
			continue
		}
		p.items = append(p.items, it)
	}
	return p
}

// ListIDs streams the id of every product and variation (any status but
// trash). It returns nil only when every page was read and the counts add
// up to what the shop reported, before and after the listing: a product
// deleted while paging shifts the rest of the list by one and would hide
// a product that still exists, so such a listing is reported incomplete.
func (c *conn) ListIDs(ctx context.Context, sink connector.IDSink) error {
	q := productQuery(nil)
	q.Set("_fields", "id,type")
	var parents []int64
	l := listing{resource: "products", path: "/products", query: q}
	st, err := list(ctx, c, l, decodeIDs, func(page connector.Page, p idPage, _ int) error {
		if p.bad != "" {
			return c.badID(l, page.Number, p.bad)
		}
		ids := make([]string, len(p.items))
		for i, it := range p.items {
			ids[i] = idString(it.ID)
			if it.Type == "variable" {
				parents = append(parents, it.ID)
			}
		}
		return sink.ProductIDs(ctx, page, ids)
	})
	if err == nil {
		err = c.verifyComplete(ctx, l, st)
	}
	if err != nil {
		return err
	}

	if c.variations.Load() != variationsNo {
		q := url.Values{"orderby": {"id"}, "order": {"asc"}, "status": {"any"}, "_fields": {"id,parent_id"}}
		l := listing{resource: "variations", path: "/variations", query: q}
		st, err := list(ctx, c, l, decodeIDs, func(page connector.Page, p idPage, _ int) error {
			if p.bad != "" {
				return c.badID(l, page.Number, p.bad)
			}
			refs := make([]connector.VariantRef, len(p.items))
			for i, it := range p.items {
				if it.ParentID <= 0 {
					return c.badID(l, page.Number, fmt.Sprintf(`{"id":%d} without parent_id`, it.ID))
				}
				refs[i] = connector.VariantRef{ParentExternalID: idString(it.ParentID), ExternalID: idString(it.ID)}
			}
			return sink.VariantIDs(ctx, page, refs)
		})
		switch {
		case err == nil:
			c.variations.Store(variationsYes)
			return c.verifyComplete(ctx, l, st)
		case c.noVariationsListing(st, err):
			c.variations.Store(variationsNo)
		default:
			return err
		}
	}

	number := 0
	return ordered(ctx, len(parents), c.width,
		func(ctx context.Context, i int) ([][]connector.VariantRef, error) {
			parent := idString(parents[i])
			l := listing{resource: "variations", path: "/products/" + parent + "/variations", query: url.Values{"_fields": {"id"}}}
			var pages [][]connector.VariantRef
			st, err := list(ctx, c, l, decodeIDs, func(page connector.Page, p idPage, _ int) error {
				if p.bad != "" {
					return c.badID(l, page.Number, p.bad)
				}
				refs := make([]connector.VariantRef, len(p.items))
				for i, it := range p.items {
					refs[i] = connector.VariantRef{ParentExternalID: parent, ExternalID: idString(it.ID)}
				}
				pages = append(pages, refs)
				return nil
			})
			if err == nil && st.total >= 0 && st.items != st.total {
				err = c.incomplete(l, st.total, st.items, st.total)
			}
			return pages, err
		},
		func(_ int, pages [][]connector.VariantRef) error {
			for _, refs := range pages {
				number++
				if err := sink.VariantIDs(ctx, connector.Page{Resource: "variations", Number: number, Total: len(parents)}, refs); err != nil {
					return err
				}
			}
			return nil
		})
}

// verifyComplete checks an id listing: as many ids as X-WP-Total said at
// the start, and the same total now.
func (c *conn) verifyComplete(ctx context.Context, l listing, st listStats) error {
	if st.total < 0 {
		return nil // no totals: the listing ended at an empty or short page
	}
	if st.items != st.total {
		return c.incomplete(l, st.total, st.items, st.total)
	}
	if st.pages <= 1 {
		return nil // one page cannot shift
	}
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	q.Set("_fields", "id")
	q.Set("per_page", "1")
	resp, err := c.do(ctx, request{method: http.MethodGet, path: l.path, query: q})
	if err != nil {
		return err
	}
	if resp.status < 200 || resp.status > 299 {
		return c.statusError(resp)
	}
	if now := headerInt(resp.header, "X-WP-Total"); now != st.total {
		return c.incomplete(l, st.total, st.items, now)
	}
	return nil
}

func (c *conn) incomplete(l listing, before, got, after int) error {
	return &connector.Error{
		Code:    connector.CodeBadResponse,
		Message: fmt.Sprintf("De lijst met %s veranderde terwijl wij hem ophaalden (of telt niet goed op): er is niets verwijderd. Wij controleren het later opnieuw.", l.resource),
		Detail:  fmt.Sprintf("GET %s%s: X-WP-Total %d at start, %d ids read, X-WP-Total %d at end", c.base, l.path, before, got, after),
	}
}

func (c *conn) badID(l listing, page int, item string) error {
	return &connector.Error{
		Code:    connector.CodeBadResponse,
		Message: fmt.Sprintf("%s gaf in de lijst met %s een element zonder geldig numeriek id (pagina %d). Zonder volledige lijst verwijdert OHIS niets; herstel de API.", c.subject(), l.resource, page),
		Detail:  fmt.Sprintf("GET %s%s page %d: %s", c.base, l.path, page, c.redact(item)),
	}
}
