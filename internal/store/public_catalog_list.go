package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/wujw/ohis/internal/publiccatalog"
)

// Product lists vary in their filters and order per request, so their SQL
// is assembled here from fixed fragments: every value a resident typed
// travels as a parameter, and the order is one of a fixed set
// (publicOrder). One statement reads the matching visible products once and
// answers everything a list page needs from them: the page, the total, the
// brands to filter on and the count per category.

// PublicList is one product list page.
type PublicList struct {
	Cards []PublicCard
	// Total is how many products match (with the brand filter).
	Total int
	// Brands are the brands of the matching products before the brand
	// filter, most products first.
	Brands []PublicBrand
	// ByCategory is how many matching products each platform category
	// holds directly (with the brand filter); key 0 is no category.
	ByCategory map[int64]int
	// Fuzzy: nothing matched the search text exactly; these products have
	// names that look like it.
	Fuzzy bool
}

// publicBuilder assembles a product list query.
type publicBuilder struct {
	args  []any
	where []string
	like  string // the $n of the SKU pattern, "" until needed
}

func (b *publicBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// sources are the FROM-and-condition pairs whose rows a list reads, each
// on visible_products vp (more than one are united). Without search text:
// all visible products. Exact search: Dutch full text over name, SKU,
// brand and description through the listing's copy of the search document
// (no join per hit), and from three characters also a SKU containing the
// text (through the products' trigram index). Fuzzy: a name with words
// close to the text (typos), through the name's trigram index — costly, so
// only asked when the exact search finds nothing, and bounded.
func (b *publicBuilder) sources(search string, fuzzy bool) [][2]string {
	const visible = "visible_products vp"
	switch {
	case search == "":
		return [][2]string{{visible, "true"}}
	case fuzzy:
		// Checking a name's similarity costs far more than any other step,
		// so a fallback looks at no more than fuzzyCandidates names.
		return [][2]string{{visible + " JOIN (SELECT p.id FROM products p WHERE p.name %> " + b.arg(search) +
			" LIMIT " + strconv.Itoa(fuzzyCandidates) + ") f ON f.id = vp.id", "true"}}
	}
	fts := "vp.search_vector @@ websearch_to_tsquery('dutch', " + b.arg(search) + ")"
	out := [][2]string{{visible, fts}}
	if utf8.RuneCountInString(search) >= 3 {
		// Only what the full text did not find, so the sources never
		// overlap and need no de-duplication.
		out = append(out, [2]string{visible + " JOIN products p ON p.id = vp.id",
			"p.sku ILIKE " + b.skuLike(search) + " AND NOT coalesce(" + fts + ", false)"})
	}
	return out
}

// fuzzyCandidates bounds the names a fuzzy fallback compares.
const fuzzyCandidates = 1000

// skuLike is the parameter of the LIKE pattern "the SKU contains the
// text", made once per query.
func (b *publicBuilder) skuLike(search string) string {
	if b.like == "" {
		b.like = b.arg("%" + escapeLike(search) + "%")
	}
	return b.like
}

// fuzzyAllowed reports whether a search may fall back to names that look
// like it: three characters or more, and no search operators (a quoted
// phrase, -exclusion, or) that fuzzy matching would ignore.
func fuzzyAllowed(q string) bool {
	if utf8.RuneCountInString(q) < 3 || strings.Contains(q, `"`) {
		return false
	}
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if w == "or" || (len(w) > 1 && w[0] == '-') {
			return false
		}
	}
	return true
}

// relevance is the rank of a search hit vp. It is cheap on
// purpose (ranking thousands of hits by their full-text documents costs far
// more than a page may): a SKU hit first, then the whole text in the name,
// then how many of its words the name holds; newest first among equals.
// The name is lowered once per row and searched with strpos (no pattern
// matching, so nothing to escape).
func (b *publicBuilder) relevance(search string) string {
	lname := "ln.lname" // lower(vp.name), see publicCatalogList
	rank := "(CASE WHEN strpos(" + lname + ", " + b.arg(strings.ToLower(search)) + ") > 0 THEN 4 ELSE 0 END"
	if utf8.RuneCountInString(search) >= 3 {
		rank += " + CASE WHEN vp.sku ILIKE " + b.skuLike(search) + " THEN 8 ELSE 0 END"
	}
	for i, w := range strings.Fields(search) {
		if i == 5 {
			break
		}
		w = strings.Trim(w, `"-`)
		if utf8.RuneCountInString(w) >= 2 {
			rank += " + CASE WHEN strpos(" + lname + ", " + b.arg(strings.ToLower(w)) + ") > 0 THEN 1 ELSE 0 END"
		}
	}
	return rank + ")::float8"
}

// escapeLike makes text match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// publicOrder is the sort whitelist: the ORDER BY for a sort, on the
// columns id, name, price_cents, first_seen_at and rank of the relation t.
func publicOrder(sort publiccatalog.Sort, search bool, t string) string {
	switch sort {
	case publiccatalog.SortPriceAsc:
		return t + ".price_cents ASC, " + t + ".id ASC"
	case publiccatalog.SortPriceDesc:
		return t + ".price_cents DESC, " + t + ".id DESC"
	case publiccatalog.SortName:
		return "lower(" + t + ".name) ASC, " + t + ".id ASC"
	case publiccatalog.SortRelevance:
		if search {
			return t + ".rank DESC, " + t + ".id DESC"
		}
	}
	return t + ".first_seen_at DESC, " + t + ".id DESC"
}

// PublicCatalogList returns a page of the visible products matching q in
// q's order, with the total, up to brandLimit brands and the counts per
// category. A search that finds nothing exactly is repeated for names that
// look like it (Fuzzy).
func (s *Store) PublicCatalogList(ctx context.Context, q publiccatalog.Query, brandLimit int) (PublicList, error) {
	list, err := s.publicCatalogList(ctx, q, brandLimit, false)
	if err != nil || q.Search == "" || list.Total > 0 || !fuzzyAllowed(q.Search) {
		return list, err
	}
	list, err = s.publicCatalogList(ctx, q, brandLimit, true)
	list.Fuzzy = true
	return list, err
}

func (s *Store) publicCatalogList(ctx context.Context, q publiccatalog.Query, brandLimit int, fuzzy bool) (PublicList, error) {
	var b publicBuilder
	sources := b.sources(q.Search, fuzzy)
	rank, lateral := "0::float8", ""
	if q.Search != "" {
		rank = b.relevance(q.Search)
		lateral = " CROSS JOIN LATERAL (SELECT lower(vp.name) AS lname) ln"
	}
	if q.CategoryIDs != nil {
		b.where = append(b.where, "vp.platform_category_id = ANY ("+b.arg(q.CategoryIDs)+"::bigint[])")
	}
	if q.MinCents != nil {
		b.where = append(b.where, "vp.price_cents >= "+b.arg(*q.MinCents))
	}
	if q.MaxCents != nil {
		b.where = append(b.where, "vp.price_cents <= "+b.arg(*q.MaxCents))
	}
	brandOK := "true"
	if len(q.Brands) > 0 {
		// The chosen brands as "connection/external id" keys, computed
		// once (an uncorrelated sub-select); each product then checks its
		// own few brand ids against them.
		brandOK = `EXISTS (SELECT 1 FROM unnest(vp.brand_ids) AS e (external_id)
			WHERE vp.connection_id::text || '/' || e.external_id = ANY (ARRAY(
				SELECT cb.connection_id::text || '/' || cb.external_id FROM catalog_brands cb
				WHERE cb.deleted_at IS NULL AND lower(cb.name) = ANY (` + b.arg(q.Brands) + `::text[]))))`
	}
	// One SELECT per source; sources do not overlap.
	selects := make([]string, len(sources))
	for i, src := range sources {
		selects[i] = `SELECT vp.id, vp.name, vp.price_cents, vp.regular_cents, vp.supplier_id, vp.connection_id, vp.brand_ids,
		       vp.platform_category_id, vp.first_seen_at, ` + rank + ` AS rank, ` + brandOK + ` AS brand_ok
		FROM ` + src[0] + lateral + `
		WHERE ` + strings.Join(append([]string{src[1]}, b.where...), " AND ")
	}
	sql := `WITH matches AS MATERIALIZED (
		` + strings.Join(selects, "\n\t\tUNION ALL\n\t\t") + `
	), page AS (
		SELECT m.*, row_number() OVER (ORDER BY ` + publicOrder(q.Sort, q.Search != "", "m") + `) AS ord
		FROM (
			SELECT * FROM matches m WHERE m.brand_ok
			ORDER BY ` + publicOrder(q.Sort, q.Search != "", "m") + `
			LIMIT ` + b.arg(publiccatalog.PageSize) + ` OFFSET ` + b.arg(q.Offset()) + `
		) m
	), brands AS (
		-- Products per (connection, brand ids) first: a few hundred groups
		-- to resolve to brand names instead of one lookup per product.
		SELECT lower(cb.name) AS key, min(cb.name) AS name, sum(g.n) AS n
		FROM (SELECT connection_id, brand_ids, count(*) AS n FROM matches GROUP BY connection_id, brand_ids) g
		CROSS JOIN LATERAL unnest(g.brand_ids) AS gb (external_id)
		JOIN catalog_brands cb ON cb.connection_id = g.connection_id AND cb.external_id = gb.external_id AND cb.deleted_at IS NULL
		GROUP BY lower(cb.name)
		ORDER BY n DESC, key
		LIMIT ` + b.arg(brandLimit) + `
	)
	SELECT 1 AS kind, page.ord, page.id, page.name, page.price_cents, page.regular_cents, p.type = 'variable',
	       coalesce(CASE WHEN jsonb_typeof(p.images) = 'array' THEN p.images -> 0 END, '{}'::jsonb), su.name, 0::bigint
	FROM page
	JOIN products p ON p.id = page.id
	JOIN suppliers su ON su.id = page.supplier_id
	UNION ALL
	SELECT 2, row_number() OVER (ORDER BY n DESC, key), NULL, key, NULL, NULL, NULL, NULL, name, n::bigint FROM brands
	UNION ALL
	SELECT 3, 0, coalesce(platform_category_id, 0), NULL, NULL, NULL, NULL, NULL, NULL, count(*)
	FROM matches WHERE brand_ok GROUP BY platform_category_id
	ORDER BY 1, 2`
	out := PublicList{ByCategory: map[int64]int{}}
	err := s.publicRead(ctx, func(tx *Store) error {
		rows, err := tx.db.Query(ctx, sql, b.args...)
		if err != nil {
			return err
		}
		return scanPublicList(rows, &out)
	})
	if err != nil {
		return PublicList{}, interpret(err, "listing public products")
	}
	return out, nil
}

// publicRead runs the catalogue's reads of many rows the way a web page
// needs them: without JIT (on a big catalogue a broad search's cost
// estimate passes jit_above_cost, and compiling then costs tens to hundreds
// of milliseconds more than running the query) and without parallel
// workers (starting them costs more than these queries take, and under
// load they queue for the same CPUs that serve other pages).
func (s *Store) publicRead(ctx context.Context, fn func(tx *Store) error) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// scanPublicList reads the rows of a list statement: kind 1 is a product
// of the page, 2 a brand, 3 a category count.
func scanPublicList(rows pgx.Rows, out *PublicList) error {
	var (
		kind, ord, n   int64
		id             *int64
		name, text     *string
		price, regular *int64
		variable       *bool
		image          []byte
	)
	_, err := pgx.ForEachRow(rows, []any{&kind, &ord, &id, &name, &price, &regular, &variable, &image, &text, &n}, func() error {
		switch kind {
		case 1:
			c := PublicCard{ID: *id, Name: *name, Variable: *variable, Image: firstImage(image), SupplierName: *text}
			if price != nil {
				c.PriceCents = *price
			}
			if regular != nil {
				r := *regular // the scan target is reused row after row
				c.RegularCents = &r
			}
			out.Cards = append(out.Cards, c)
		case 2:
			out.Brands = append(out.Brands, PublicBrand{Key: *name, Name: *text, Count: int(n)})
		case 3:
			out.ByCategory[*id] = int(n)
			out.Total += int(n)
		}
		return nil
	})
	return err
}

// firstImage is the main image of a product's images JSON.
func firstImage(raw []byte) PublicImage {
	var img PublicImage
	_ = json.Unmarshal(raw, &img) // a shop's odd JSON shows no image
	return img
}
