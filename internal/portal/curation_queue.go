package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webcuration "github.com/wujw/ohis/web/curation"
)

// queuePageSize is how many products one page of the queue shows.
const queuePageSize = 50

// queueCountLimit: above it the queue says "meer dan 10.000 producten".
const queueCountLimit = 10000

// queueStatuses maps the status filter's URL values to curation statuses;
// "" is the default: what waits for a decision.
var queueStatuses = []struct {
	value, label string
	statuses     []string
}{
	{"te-beoordelen", "Te beoordelen (nieuw en gewijzigd)", []string{store.CurationPending, store.CurationChanged}},
	{"nieuw", "Nieuw", []string{store.CurationPending}},
	{"gewijzigd", "Gewijzigd na goedkeuring", []string{store.CurationChanged}},
	{"goedgekeurd", "Goedgekeurd", []string{store.CurationApproved}},
	{"afgewezen", "Afgewezen", []string{store.CurationRejected}},
	{"alle", "Alle statussen", nil},
}

// queueFilterParams are the URL parameters of the filter (the bulk form
// repeats them as hidden inputs).
var queueFilterParams = []string{"q", "status", "aanbieder", "omgeving", "categorie", "aanbiedercategorie", "merk", "prijs-van", "prijs-tot", "voorraad", "sinds", "sorteer"}

// parseQueueFilter reads the filter from URL (or form) values. Values that
// make no sense are ignored with a Dutch message; nothing typed can fail
// the page.
func parseQueueFilter(q url.Values) (store.CurationFilter, webcuration.QueueFilter, []string) {
	var f store.CurationFilter
	var errs []string
	clip := func(s string, n int) string {
		s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
		if utf8.RuneCountInString(s) > n {
			s = string([]rune(s)[:n])
		}
		return s
	}
	v := webcuration.QueueFilter{
		Query: clip(q.Get("q"), store.MaxQueryRunes), Status: q.Get("status"), Brand: clip(q.Get("merk"), 200),
		PriceFrom: clip(q.Get("prijs-van"), 15), PriceTo: clip(q.Get("prijs-tot"), 15), InStock: q.Get("voorraad") == "ja",
		Since: clip(q.Get("sinds"), 10), Sort: q.Get("sorteer"),
	}
	f.Query, f.Brand, f.InStock = store.CleanQuery(v.Query), v.Brand, v.InStock
	v.Status = "te-beoordelen"
	f.Statuses = queueStatuses[0].statuses
	for _, st := range queueStatuses {
		if q.Get("status") == st.value {
			v.Status, f.Statuses = st.value, st.statuses
		}
	}
	if id, err := strconv.ParseInt(q.Get("aanbieder"), 10, 64); err == nil && id > 0 {
		f.SupplierID, v.Supplier = id, strconv.FormatInt(id, 10)
	}
	if env := q.Get("omgeving"); environmentLabels[env] != "" {
		f.Environment, v.Environment = env, env
	}
	switch c := q.Get("categorie"); {
	case c == "geen":
		f.PlatformCategoryID, v.PlatformCategory = -1, c
	default:
		if id, err := strconv.ParseInt(c, 10, 64); err == nil && id > 0 {
			f.PlatformCategoryID, v.PlatformCategory = id, c
		}
	}
	if id, err := strconv.ParseInt(q.Get("aanbiedercategorie"), 10, 64); err == nil && id > 0 && f.SupplierID > 0 {
		f.CatalogCategoryID, v.SupplierCategory = id, strconv.FormatInt(id, 10)
	}
	var from, to *int64
	if v.PriceFrom != "" {
		if c, err := curation.ParseEuros(v.PriceFrom); err == nil {
			from = &c
		} else {
			errs = append(errs, "‘Prijs vanaf’ is geen bedrag; vul bijvoorbeeld 12,50 in. Dat deel van het filter is niet gebruikt.")
		}
	}
	if v.PriceTo != "" {
		if c, err := curation.ParseEuros(v.PriceTo); err == nil {
			to = &c
		} else {
			errs = append(errs, "‘Prijs tot en met’ is geen bedrag; vul bijvoorbeeld 99,95 in. Dat deel van het filter is niet gebruikt.")
		}
	}
	if from != nil && to != nil && *from > *to {
		errs = append(errs, "‘Prijs vanaf’ is hoger dan ‘Prijs tot en met’; de prijzen zijn niet gebruikt.")
		from, to = nil, nil
	}
	f.MinPriceCents, f.MaxPriceCents = from, to
	if v.Since != "" {
		if t, err := time.ParseInLocation("2006-01-02", v.Since, amsterdam()); err == nil {
			f.ChangedSince = &t
		} else {
			errs = append(errs, "De datum bij ‘Gewijzigd sinds’ is ongeldig; dat deel van het filter is niet gebruikt.")
		}
	}
	return f, v, errs
}

// queueCursor reads the "na" parameter: "id:value".
func queueCursor(q url.Values) store.QueueCursor {
	idStr, val, _ := strings.Cut(q.Get("na"), ":")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil || id <= 0 {
		return store.QueueCursor{}
	}
	return store.QueueCursor{ID: id, Value: val}
}

func (s *Server) curationQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, fv, errs := parseQueueFilter(q)
	// Oldest first also when searching: the queue is a work list, and an
	// order by relevance ranks every match (it is there to choose).
	sortKey := fv.Sort
	after := queueCursor(q)
	// The count, and for a whole page the header's figures, are read on
	// their own connections while the page's rows are read: the page
	// takes as long as the slowest query, not the sum.
	ctx := r.Context()
	type counted struct {
		n   int
		err error
	}
	qq, err := s.store.CurationQueueQuery(ctx, f)
	if err != nil {
		return err
	}
	countc := make(chan counted, 1)
	go func() {
		n, err := s.store.CurationQueueMatches(ctx, qq, queueCountLimit)
		countc <- counted{n, err}
	}()
	type header struct {
		pending, changed int
		bulks            []store.BulkDecision
		err              error
	}
	headerc := make(chan header, 1)
	if isHTMX(r) {
		headerc <- header{}
	} else {
		go func() {
			var h header
			if h.pending, h.changed, h.err = s.queueStats(ctx); h.err == nil {
				h.bulks, h.err = s.curation.RecentBulks(ctx, 5)
			}
			headerc <- h
		}()
	}
	rows, sortKey, err := s.store.CurationQueuePage(ctx, qq, sortKey, after, queuePageSize+1)
	if errors.Is(err, store.ErrBadCursor) {
		// A hand-edited page link: start at the first page.
		after = store.QueueCursor{}
		rows, sortKey, err = s.store.CurationQueuePage(ctx, qq, sortKey, after, queuePageSize+1)
	}
	if err != nil {
		return err
	}
	fv.Sort = sortKey
	v := webcuration.QueueView{Filter: fv, FilterErrors: errs, Back: r.URL.RequestURI()}
	if len(rows) > queuePageSize {
		rows = rows[:queuePageSize]
		next := url.Values{}
		for k, vals := range q {
			if k != "na" {
				next[k] = vals
			}
		}
		c := rows[len(rows)-1].Cursor(sortKey)
		next.Set("na", strconv.FormatInt(c.ID, 10)+":"+c.Value)
		v.NextHref = "/beheer/curatie?" + next.Encode()
	}
	if after.ID > 0 {
		first := url.Values{}
		for k, vals := range q {
			if k != "na" {
				first[k] = vals
			}
		}
		v.FirstHref = "/beheer/curatie?" + first.Encode()
	}
	back := url.QueryEscape(v.Back)
	for _, row := range rows {
		v.Rows = append(v.Rows, queueRow(row, back))
	}
	for _, name := range queueFilterParams {
		if val := q.Get(name); val != "" {
			v.Hidden = append(v.Hidden, webcuration.Hidden{Name: name, Value: val})
		}
	}
	if err := s.queueOptions(r.Context(), f, &v); err != nil {
		return err
	}
	total := <-countc
	if total.err != nil {
		return total.err
	}
	v.Total, v.TotalMore = min(total.n, queueCountLimit), total.n > queueCountLimit
	h := <-headerc
	if h.err != nil {
		return h.err
	}
	s.allowShopImages(w)
	if isHTMX(r) {
		return s.render(w, r, webcuration.QueueFragment(v))
	}
	v.Pending, v.Changed = h.pending, h.changed
	for _, b := range h.bulks {
		if b.Status == "queued" || b.Status == "running" {
			v.Running = append(v.Running, bulkView(b, "/beheer/curatie"))
		}
	}
	return s.render(w, r, webcuration.Queue(s.withFlashes(w, r, s.pageFor(r, "Curatie")), v))
}

func queueRow(p store.CurationQueueRow, back string) webcuration.QueueRow {
	row := webcuration.QueueRow{
		ID: p.ID, Href: "/beheer/curatie/" + strconv.FormatInt(p.ID, 10) + "?terug=" + back,
		Pick: strconv.FormatInt(p.ID, 10) + ":" + strconv.FormatInt(p.Version, 10),
		Name: p.Name, SKU: p.SKU, Supplier: p.SupplierName, Environment: environmentLabel(p.Environment),
		Price: euro(p.PriceCents), Stock: stockLabels[p.StockStatus], InStock: p.StockStatus != "outofstock",
		Category: p.PlatformCategoryName, Status: p.Status, StatusLabel: curationStatusLabels[p.Status],
		Thumbnail: safeImageURL(p.Thumbnail), Variable: p.Type == "variable",
		UpdatedLabel: "bijgewerkt " + components.DateTime(p.UpdatedAt),
	}
	if row.Category == "" {
		row.Category = "—"
	}
	switch p.Status {
	case store.CurationChanged:
		row.Summary, _, _ = strings.Cut(p.ChangeSummary, "\n")
	case store.CurationRejected:
		row.Summary = "Reden: " + p.ReasonLabel
	}
	return row
}

// safeImageURL keeps only http(s) image addresses from a shop.
func safeImageURL(src string) string {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// choicesTTL is how long the queue's filter choices (suppliers, platform
// categories, brands, reasons) are reused: they change rarely, and a
// curator paging through the queue should not pay for them on every page.
const choicesTTL = 10 * time.Second

// queueChoices are the filter's choices that do not depend on the filter.
type queueChoices struct {
	suppliers  []store.Option
	categories []store.PlatformCategory
	brands     []string
	reasons    []store.RejectionReason
}

// choicesCache holds queueChoices for all curators of this process, and
// the queue's size for its header.
type choicesCache struct {
	mu sync.Mutex
	at time.Time
	v  queueChoices

	statsAt          time.Time
	pending, changed int
}

// statsTTL is how long the header's "N nieuw, M gewijzigd" is reused: a
// few seconds of staleness in an overview figure, against counting tens of
// thousands of rows on every page a curator turns.
const statsTTL = 3 * time.Second

func (s *Server) queueStats(ctx context.Context) (pending, changed int, err error) {
	s.curationChoices.mu.Lock()
	defer s.curationChoices.mu.Unlock()
	if now := s.now(); now.Sub(s.curationChoices.statsAt) >= statsTTL {
		p, c, err := s.store.CurationQueueStats(ctx)
		if err != nil {
			return 0, 0, err
		}
		s.curationChoices.pending, s.curationChoices.changed, s.curationChoices.statsAt = p, c, now
	}
	return s.curationChoices.pending, s.curationChoices.changed, nil
}

func (s *Server) queueChoices(ctx context.Context) (queueChoices, error) {
	s.curationChoices.mu.Lock()
	defer s.curationChoices.mu.Unlock()
	if now := s.now(); now.Sub(s.curationChoices.at) >= choicesTTL {
		var c queueChoices
		var err error
		if c.suppliers, err = s.store.CurationSupplierOptions(ctx); err != nil {
			return c, err
		}
		if c.categories, err = s.store.PlatformCategoryOptions(ctx); err != nil {
			return c, err
		}
		if c.brands, err = s.store.CurationBrandNames(ctx); err != nil {
			return c, err
		}
		if c.reasons, err = s.store.RejectionReasons(ctx); err != nil {
			return c, err
		}
		s.curationChoices.v, s.curationChoices.at = c, now
	}
	return s.curationChoices.v, nil
}

// queueOptions fills the filter's choices.
func (s *Server) queueOptions(ctx context.Context, f store.CurationFilter, v *webcuration.QueueView) error {
	choices, err := s.queueChoices(ctx)
	if err != nil {
		return err
	}
	for _, st := range queueStatuses {
		v.Statuses = append(v.Statuses, webcuration.Option{Value: st.value, Label: st.label, Selected: st.value == v.Filter.Status})
	}
	for _, sk := range store.QueueSorts {
		v.Sorts = append(v.Sorts, webcuration.Option{Value: sk.Key, Label: sk.Label, Selected: sk.Key == v.Filter.Sort})
	}
	for _, env := range []string{"production", "acceptance", "test"} {
		v.Environments = append(v.Environments, webcuration.Option{Value: env, Label: environmentLabels[env], Selected: env == f.Environment})
	}
	for _, o := range choices.suppliers {
		v.Suppliers = append(v.Suppliers, webcuration.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Label, Selected: o.ID == f.SupplierID})
	}
	for _, c := range platformTree(choices.categories) {
		v.PlatformCategories = append(v.PlatformCategories, webcuration.Option{Value: strconv.FormatInt(c.ID, 10),
			Label: strings.Repeat("— ", c.depth) + c.Name, Selected: c.ID == f.PlatformCategoryID})
	}
	if f.SupplierID > 0 {
		scats, err := s.store.CurationSupplierCategories(ctx, f.SupplierID)
		if err != nil {
			return err
		}
		for _, c := range scats {
			v.SupplierCategories = append(v.SupplierCategories, webcuration.Option{Value: strconv.FormatInt(c.ID, 10),
				Label: c.Name + " (" + environmentLabel(c.Environment) + ")", Selected: c.ID == f.CatalogCategoryID})
		}
	}
	v.Brands = choices.brands
	for _, rs := range choices.reasons {
		if rs.Active {
			v.Reasons = append(v.Reasons, webcuration.Option{Value: strconv.FormatInt(rs.ID, 10), Label: rs.Label})
		}
	}
	return nil
}

// treeNode is a platform category with its depth, in tree order.
type treeNode struct {
	store.PlatformCategory
	depth int
}

// platformTree orders categories depth-first (each level by position);
// categories whose parent is missing are treated as roots.
func platformTree(cats []store.PlatformCategory) []treeNode {
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	children := map[int64][]store.PlatformCategory{}
	var roots []store.PlatformCategory
	for _, c := range cats {
		if c.ParentID == nil || !known[*c.ParentID] || *c.ParentID == c.ID {
			roots = append(roots, c)
		} else {
			children[*c.ParentID] = append(children[*c.ParentID], c)
		}
	}
	var out []treeNode
	seen := map[int64]bool{}
	var walk func(cs []store.PlatformCategory, depth int)
	walk = func(cs []store.PlatformCategory, depth int) {
		for _, c := range cs {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			out = append(out, treeNode{c, depth})
			walk(children[c.ID], depth+1)
		}
	}
	walk(roots, 0)
	return out
}
