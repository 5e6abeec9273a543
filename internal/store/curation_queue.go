package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// The curator queue varies in its filters and sort order per request, so
// its SQL is assembled here from fixed fragments: every value typed by a
// user travels as a parameter, and the sort order is one of a fixed set.

// Curation statuses.
const (
	CurationPending  = "pending"
	CurationApproved = "approved"
	CurationRejected = "rejected"
	CurationChanged  = "changed"
)

// CurationFilter narrows the curator queue; zero values mean "any". It is
// stored as JSON with a bulk decision "for everything matching".
type CurationFilter struct {
	SupplierID  int64  `json:"supplier_id,omitempty"`
	Environment string `json:"environment,omitempty"`
	// PlatformCategoryID includes the category's descendants; -1 selects
	// products without a platform category.
	PlatformCategoryID int64      `json:"platform_category_id,omitempty"`
	CatalogCategoryID  int64      `json:"catalog_category_id,omitempty"`
	Brand              string     `json:"brand,omitempty"`
	Statuses           []string   `json:"statuses,omitempty"`
	MinPriceCents      *int64     `json:"min_price_cents,omitempty"`
	MaxPriceCents      *int64     `json:"max_price_cents,omitempty"`
	InStock            bool       `json:"in_stock,omitempty"`
	ChangedSince       *time.Time `json:"changed_since,omitempty"`
	Query              string     `json:"query,omitempty"`
}

// MaxQueryRunes caps a search string; longer input is cut, not refused.
const MaxQueryRunes = 200

// maxFuzzyWords: searches of more words are matched by full text and SKU
// only.
const maxFuzzyWords = 6

// CleanQuery makes any typed text a safe, bounded search string: valid
// UTF-8, no control characters (PostgreSQL refuses NUL), single spaces,
// at most MaxQueryRunes characters.
func CleanQuery(q string) string {
	q = strings.ToValidUTF8(q, "")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, q)
	q = strings.Join(strings.Fields(q), " ")
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		q = strings.TrimSpace(string([]rune(q)[:MaxQueryRunes]))
	}
	return q
}

// Queue sort orders.
const (
	SortOldest    = "oudste"
	SortNewest    = "nieuwste"
	SortName      = "naam"
	SortPriceAsc  = "prijs-oplopend"
	SortPriceDesc = "prijs-aflopend"
	SortUpdated   = "gewijzigd"
	SortRelevance = "relevantie"
)

// QueueSorts lists the sort orders with their Dutch labels, in menu order.
var QueueSorts = []struct{ Key, Label string }{
	{SortOldest, "Oudste eerst"},
	{SortNewest, "Nieuwste eerst"},
	{SortUpdated, "Laatst gewijzigd"},
	{SortName, "Naam (A–Z)"},
	{SortPriceAsc, "Prijs oplopend"},
	{SortPriceDesc, "Prijs aflopend"},
	{SortRelevance, "Relevantie (bij zoeken)"},
}

type sortSpec struct {
	expr string // SQL expression, fixed text
	desc bool
	kind byte // i: int64, s: text, t: time, f: float64, 0: id only
}

// sortFor is the whitelist: unknown keys fall back to the oldest first.
func sortFor(key string, hasQuery bool) (sortSpec, string) {
	switch key {
	case SortNewest:
		return sortSpec{desc: true}, key
	case SortName:
		return sortSpec{expr: "lower(p.name)", kind: 's'}, key
	case SortPriceAsc:
		return sortSpec{expr: "coalesce(p.price_cents, -1)", kind: 'i'}, key
	case SortPriceDesc:
		return sortSpec{expr: "coalesce(p.price_cents, -1)", desc: true, kind: 'i'}, key
	case SortUpdated:
		return sortSpec{expr: "p.updated_at", desc: true, kind: 't'}, key
	case SortRelevance:
		if hasQuery {
			return sortSpec{expr: "ts_rank(p.search_vector, websearch_to_tsquery('dutch', {q}))::float8", desc: true, kind: 'f'}, key
		}
	}
	return sortSpec{}, SortOldest
}

// QueueCursor is where a page ends: the last row's sort value (as text)
// and id. The zero cursor is the first page.
type QueueCursor struct {
	ID    int64
	Value string
}

// CurationQueueRow is one product in the queue.
type CurationQueueRow struct {
	ID                   int64
	Name                 string
	SKU                  string
	Type                 string
	Environment          string
	SupplierName         string
	PriceCents           *int64
	StockStatus          string
	UpdatedAt            time.Time
	Thumbnail            string // first image's src, "" without images
	PlatformCategoryName string
	Status               string
	Version              int64
	ChangeSummary        string
	ReasonLabel          string
	Rank                 float64
	NameKey              string // lower(name) as the database has it, for the name order's cursor
}

// Cursor is the cursor that continues after this row in the given order.
func (r CurationQueueRow) Cursor(sortKey string) QueueCursor {
	spec, _ := sortFor(sortKey, true)
	c := QueueCursor{ID: r.ID}
	switch spec.kind {
	case 's':
		c.Value = r.NameKey
	case 'i':
		p := int64(-1)
		if r.PriceCents != nil {
			p = *r.PriceCents
		}
		c.Value = strconv.FormatInt(p, 10)
	case 't':
		c.Value = r.UpdatedAt.UTC().Format(time.RFC3339Nano)
	case 'f':
		c.Value = strconv.FormatFloat(r.Rank, 'g', -1, 64)
	}
	return c
}

// queueSQL builds the FROM and WHERE of the queue. q is the placeholder
// of the search string ("" without one).
type queueSQL struct {
	where []string
	args  []any
	q     string
	// fuzzy: the search matched nothing as typed and is retried with
	// corrected words.
	fuzzy bool
}

// execArgs are the arguments for pgx, run as an unnamed statement: the
// queue's SQL varies with the filter, and each execution must be planned
// for its own values (a cursor deep in the queue, a rare supplier) rather
// than reuse a generic plan made for none of them.
func (b *queueSQL) execArgs() []any {
	return append([]any{pgx.QueryExecModeExec}, b.args...)
}

func (b *queueSQL) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

const queueFrom = `
FROM products p
JOIN product_curation pc ON pc.product_id = p.id`

// queueStatuses are the statuses a filter may name; they are inlined as
// literals (from this list only) so the planner can use the partial index
// of the queue.
var queueStatuses = map[string]bool{CurationPending: true, CurationApproved: true, CurationRejected: true, CurationChanged: true}

func (s *Store) buildQueue(ctx context.Context, f CurationFilter) (*queueSQL, error) {
	b := &queueSQL{}
	q := CleanQuery(f.Query)
	if q != "" {
		b.q = b.arg(q)
	}
	b.where = append(b.where, "p.deleted_at IS NULL")
	if len(f.Statuses) > 0 {
		var lits []string
		for _, st := range f.Statuses {
			if !queueStatuses[st] {
				return nil, fmt.Errorf("unknown curation status %q", st)
			}
			lits = append(lits, "'"+st+"'")
		}
		b.where = append(b.where, "pc.status IN ("+strings.Join(lits, ", ")+")")
	}
	if f.SupplierID > 0 {
		b.where = append(b.where, "p.supplier_id = "+b.arg(f.SupplierID))
	}
	if f.Environment != "" {
		b.where = append(b.where, "p.environment = "+b.arg(f.Environment))
	}
	switch {
	case f.PlatformCategoryID == -1:
		b.where = append(b.where, "p.platform_category_id IS NULL")
	case f.PlatformCategoryID > 0:
		// Resolved first (the tree is small), so that the planner sees a
		// plain list of ids.
		ids, err := s.q.PlatformCategoryDescendants(ctx, f.PlatformCategoryID)
		if err != nil {
			return nil, interpret(err, "resolving category filter")
		}
		if len(ids) == 0 {
			b.where = append(b.where, "false")
		} else {
			b.where = append(b.where, "p.platform_category_id = ANY ("+b.arg(ids)+"::bigint[])")
		}
	}
	if f.CatalogCategoryID > 0 {
		ref, err := s.q.CatalogCategoryRef(ctx, f.CatalogCategoryID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			b.where = append(b.where, "false")
		case err != nil:
			return nil, interpret(err, "resolving category filter")
		default:
			b.where = append(b.where, "p.connection_id = "+b.arg(ref.ConnectionID)+" AND p.category_ids @> ARRAY["+b.arg(ref.ExternalID)+"::text]")
		}
	}
	if brand := CleanQuery(f.Brand); brand != "" {
		// Resolved first to each shop's brand ids: one index-friendly arm
		// per connection instead of a lookup per product.
		refs, err := s.q.CurationBrandRefs(ctx, brand)
		if err != nil {
			return nil, interpret(err, "resolving brand filter")
		}
		perConn := map[int64][]string{}
		var conns []int64
		for _, r := range refs {
			if perConn[r.ConnectionID] == nil {
				conns = append(conns, r.ConnectionID)
			}
			perConn[r.ConnectionID] = append(perConn[r.ConnectionID], r.ExternalID)
		}
		var arms []string
		for _, c := range conns {
			arms = append(arms, "(p.connection_id = "+b.arg(c)+" AND p.brand_ids && "+b.arg(perConn[c])+"::text[])")
		}
		if len(arms) == 0 {
			arms = []string{"false"}
		}
		b.where = append(b.where, "("+strings.Join(arms, " OR ")+")")
	}
	if f.MinPriceCents != nil {
		b.where = append(b.where, "p.price_cents >= "+b.arg(*f.MinPriceCents))
	}
	if f.MaxPriceCents != nil {
		b.where = append(b.where, "p.price_cents <= "+b.arg(*f.MaxPriceCents))
	}
	if f.InStock {
		b.where = append(b.where, "p.stock_status IN ('instock', 'onbackorder')")
	}
	if f.ChangedSince != nil {
		b.where = append(b.where, "p.updated_at >= "+b.arg(*f.ChangedSince))
	}
	if q != "" {
		// Dutch full text (which knows the endings of compound words in
		// names: "lamp" finds "Ledlamp"), or for three characters and
		// more: a SKU containing the text. A search that finds nothing
		// that way anywhere (a typo, usually) is retried with the known
		// name words closest to each of its words, unless it uses phrases
		// or exclusions.
		cond := "p.search_vector @@ websearch_to_tsquery('dutch', " + b.q + ")"
		if utf8.RuneCountInString(q) >= 3 {
			like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
			cond += " OR p.sku ILIKE " + b.arg(like)
			if words := strings.Fields(q); !websearchOperators(q) && len(words) <= maxFuzzyWords && !s.searchKnown(ctx, q, like) {
				var all []string
				for _, w := range words {
					alts := []string{w}
					if utf8.RuneCountInString(w) >= 4 {
						if corr, err := s.wordCorrections(ctx, w); err != nil {
							return nil, err
						} else if len(corr) > 0 {
							alts = corr
						}
					}
					var alternatives []string
					for _, a := range alts {
						alternatives = append(alternatives, "websearch_to_tsquery('dutch', "+b.arg(a)+")")
					}
					all = append(all, "("+strings.Join(alternatives, " || ")+")")
				}
				cond += " OR p.search_vector @@ (" + strings.Join(all, " && ") + ")"
				b.fuzzy = true
			}
		}
		b.where = append(b.where, "("+cond+")")
	}
	return b, nil
}

// QueueQuery is a queue filter resolved into SQL once (brand and category
// lookups, typo corrections), for a page and its count, which may run at
// the same time.
type QueueQuery struct{ b *queueSQL }

// CurationQueueQuery resolves a filter for CurationQueuePage and
// CurationQueueMatches.
func (s *Store) CurationQueueQuery(ctx context.Context, f CurationFilter) (QueueQuery, error) {
	b, err := s.buildQueue(ctx, f)
	return QueueQuery{b}, err
}

func (b *queueSQL) clone() *queueSQL {
	c := *b
	c.where, c.args = slices.Clone(b.where), slices.Clone(b.args)
	return &c
}

// CurationQueue returns up to limit products matching f in the given order,
// after the cursor. The second result is the sort key actually used.
func (s *Store) CurationQueue(ctx context.Context, f CurationFilter, sortKey string, after QueueCursor, limit int) ([]CurationQueueRow, string, error) {
	qq, err := s.CurationQueueQuery(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return s.CurationQueuePage(ctx, qq, sortKey, after, limit)
}

// CurationQueuePage is CurationQueue for a resolved filter.
func (s *Store) CurationQueuePage(ctx context.Context, qq QueueQuery, sortKey string, after QueueCursor, limit int) ([]CurationQueueRow, string, error) {
	b := qq.b.clone()
	spec, sortKey := sortFor(sortKey, b.q != "")
	spec.expr = strings.ReplaceAll(spec.expr, "{q}", b.q)
	if spec.kind == 'f' && b.fuzzy {
		// Nothing matches the text as typed: the corrected words' matches
		// newest first, which an index walk answers without ranking every
		// candidate.
		spec = sortSpec{desc: true}
	}
	cmp, dir := ">", "ASC"
	if spec.desc {
		cmp, dir = "<", "DESC"
	}
	where := b.where
	if after.ID > 0 {
		if spec.kind == 0 {
			// On both sides of the join, so that a merge join starts both
			// index scans at the cursor instead of the beginning.
			id := b.arg(after.ID)
			where = append(where, "p.id "+cmp+" "+id, "pc.product_id "+cmp+" "+id)
		} else {
			v, err := cursorValue(spec.kind, after.Value)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %w", ErrBadCursor, err)
			}
			where = append(where, "("+spec.expr+", p.id) "+cmp+" ("+b.arg(v)+", "+b.arg(after.ID)+")")
		}
	}
	order := "p.id " + dir
	rank := "0::float8"
	if spec.kind != 0 {
		order = spec.expr + " " + dir + ", " + order
	}
	if spec.kind == 'f' {
		rank = spec.expr
	}
	sql := `SELECT p.id, p.name, p.sku, p.type, p.environment, s.name, p.price_cents, p.stock_status, p.updated_at,
		coalesce(CASE WHEN jsonb_typeof(p.images) = 'array' THEN p.images -> 0 ->> 'src' END, ''),
		coalesce(pcat.name, ''), pc.status, pc.version, pc.change_summary, coalesce(r.label, ''), ` + rank + `, lower(p.name)` + queueFrom + `
		JOIN suppliers s ON s.id = p.supplier_id
		LEFT JOIN platform_categories pcat ON pcat.id = p.platform_category_id
		LEFT JOIN rejection_reasons r ON r.id = pc.reason_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + order + `
		LIMIT ` + b.arg(limit)
	rows, err := s.db.Query(ctx, sql, b.execArgs()...)
	if err != nil {
		return nil, "", interpret(err, "listing curation queue")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CurationQueueRow, error) {
		var r CurationQueueRow
		err := row.Scan(&r.ID, &r.Name, &r.SKU, &r.Type, &r.Environment, &r.SupplierName, &r.PriceCents, &r.StockStatus, &r.UpdatedAt,
			&r.Thumbnail, &r.PlatformCategoryName, &r.Status, &r.Version, &r.ChangeSummary, &r.ReasonLabel, &r.Rank, &r.NameKey)
		return r, err
	})
	if err != nil {
		return nil, "", interpret(err, "reading curation queue")
	}
	return out, sortKey, nil
}

// searchKnown reports whether a search finds anything by full text or SKU
// anywhere in the catalogue. Only an unknown search (a typo, usually)
// falls back to the slower matching of close words in names, so a known
// word is not diluted with look-alikes ("lamp" with "lampen" but not with
// "klamp"). On an error it answers true: no fallback.
func (s *Store) searchKnown(ctx context.Context, q, like string) bool {
	known, err := s.q.CurationSearchKnown(ctx, dbsqlc.CurationSearchKnownParams{Query: q, SkuPattern: like})
	return err != nil || known
}

// wordCorrections are the known name words closest to w (at most three,
// best first); none when nothing is close.
func (s *Store) wordCorrections(ctx context.Context, w string) ([]string, error) {
	rows, err := s.q.SearchWordCorrections(ctx, strings.ToLower(w))
	if err != nil {
		return nil, interpret(err, "correcting a search word")
	}
	var out []string
	for _, r := range rows {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, nil
}

// SearchWordsRefresh brings the words used to correct typos up to date
// with the product names (concurrently: searches keep working).
func (s *Store) SearchWordsRefresh(ctx context.Context) error {
	return interpret(s.q.SearchWordsRefresh(ctx), "refreshing search words")
}

// websearchOperators reports whether a search uses websearch_to_tsquery's
// syntax (a quoted phrase, -exclusion, or), which fuzzy matching would
// ignore.
func websearchOperators(q string) bool {
	if strings.Contains(q, `"`) {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if w == "or" || (len(w) > 1 && w[0] == '-') {
			return true
		}
	}
	return false
}

func cursorValue(kind byte, v string) (any, error) {
	switch kind {
	case 'i':
		return strconv.ParseInt(v, 10, 64)
	case 't':
		return time.Parse(time.RFC3339Nano, v)
	case 'f':
		return strconv.ParseFloat(v, 64)
	}
	return v, nil
}

// ErrBadCursor reports a page cursor that does not fit the sort order.
var ErrBadCursor = errors.New("bad page cursor")

// CurationQueueCount counts the products matching f, up to limit: it
// returns limit+1 when there are more (counting tens of thousands exactly
// on every page view costs more than the number is worth; the bulk
// decision counts exactly when it starts).
func (s *Store) CurationQueueCount(ctx context.Context, f CurationFilter, limit int) (int, error) {
	qq, err := s.CurationQueueQuery(ctx, f)
	if err != nil {
		return 0, err
	}
	return s.CurationQueueMatches(ctx, qq, limit)
}

// CurationQueueMatches is CurationQueueCount for a resolved filter.
func (s *Store) CurationQueueMatches(ctx context.Context, qq QueueQuery, limit int) (int, error) {
	b := qq.b.clone()
	var n int
	err := s.db.QueryRow(ctx, "SELECT count(*) FROM (SELECT 1"+queueFrom+" WHERE "+strings.Join(b.where, " AND ")+
		" LIMIT "+b.arg(limit+1)+") matches", b.execArgs()...).Scan(&n)
	return n, interpret(err, "counting curation queue")
}

// BulkDecisionItemsFromFilter fixes the selection of a bulk decision: every
// product matching f with its curation version now. Returns how many.
func (s *Store) BulkDecisionItemsFromFilter(ctx context.Context, bulkID int64, f CurationFilter) (int, error) {
	b, err := s.buildQueue(ctx, f)
	if err != nil {
		return 0, err
	}
	sql := "INSERT INTO bulk_decision_items (bulk_id, product_id, version) SELECT " + b.arg(bulkID) + "::bigint, p.id, pc.version" +
		queueFrom + " WHERE " + strings.Join(b.where, " AND ")
	tag, err := s.db.Exec(ctx, sql, b.execArgs()...)
	if err != nil {
		return 0, interpret(err, "selecting products for bulk decision")
	}
	return int(tag.RowsAffected()), nil
}
