package portal

import (
	"net/http"
	"strconv"

	"github.com/wujw/ohis/internal/publiccatalog"
	"github.com/wujw/ohis/web/catalogue"
)

// The residents' public catalogue (issue 5): no login, Dutch, only visible
// products (the store reads them through the visible_products view). Pages
// are rendered per request and sent with Cache-Control: no-store, so a
// product that stops being visible is gone on the next load.

// registerCatalogueRoutes registers the routes of this area (see routes.go).
func (s *Server) registerCatalogueRoutes(mux *http.ServeMux) {
	s.public(mux, "GET /catalogus", s.catalogueIndex)
	s.public(mux, "GET /catalogus/zoeken", s.catalogueSearch)
	s.public(mux, "GET /catalogus/product/{ref}", s.catalogueProduct)
	// After the fixed paths: a category named "zoeken" or "product" would
	// be shadowed, so curators cannot usefully create one.
	s.public(mux, "GET /catalogus/{categorie}", s.catalogueCategory)
}

// catalogueShell loads the category tree and builds the resident shell.
func (s *Server) catalogueShell(r *http.Request, title string, current *publiccatalog.Category) (*publiccatalog.Tree, catalogue.Shell, error) {
	cats, err := s.store.PublicCatalogCategories(r.Context())
	if err != nil {
		return nil, catalogue.Shell{}, err
	}
	nodes := make([]publiccatalog.Node, len(cats))
	for i, c := range cats {
		nodes[i] = publiccatalog.Node{ID: c.ID, ParentID: c.ParentID, Name: c.Name, Slug: c.Slug}
	}
	tree := publiccatalog.NewTree(nodes)
	return tree, catalogueShellFor(tree, title, current), nil
}

func catalogueShellFor(tree *publiccatalog.Tree, title string, current *publiccatalog.Category) catalogue.Shell {
	sh := catalogue.Shell{Title: title}
	var root *publiccatalog.Category
	if current != nil {
		root = current.Path()[0]
	}
	for _, c := range tree.Roots {
		sh.Nav = append(sh.Nav, catalogue.Link{Label: c.Name, Href: categoryPath(c), Current: root != nil && root.ID == c.ID})
	}
	return sh
}

func categoryPath(c *publiccatalog.Category) string { return "/catalogus/" + c.Slug }

// catalogueNotFound renders the catalogue's own 404 (with a way back into
// the catalogue rather than to the portal's start page).
func (s *Server) catalogueNotFound(w http.ResponseWriter, r *http.Request, sh catalogue.Shell) error {
	sh.Title = "Pagina niet gevonden"
	return s.renderStatus(w, r, http.StatusNotFound, catalogue.NotFound(sh))
}

func (s *Server) catalogueIndex(w http.ResponseWriter, r *http.Request) error {
	s.allowShopImages(w) // product images live on the suppliers' shops
	tree, sh, err := s.catalogueShell(r, "Catalogus", nil)
	if err != nil {
		return err
	}
	direct, uncategorised, err := s.store.PublicCatalogAllCounts(r.Context())
	if err != nil {
		return err
	}
	tree.SetCounts(direct)
	total := uncategorised
	v := catalogue.IndexView{}
	for _, c := range tree.Roots {
		total += c.Count
		ic := catalogue.IndexCategory{Link: catalogue.Link{Label: c.Name, Href: categoryPath(c), Count: productCount(c.Count)}}
		for _, ch := range c.Children {
			if ch.Count > 0 { // an empty subcategory is no use to residents
				ic.Children = append(ic.Children, catalogue.Link{Label: ch.Name, Href: categoryPath(ch), Count: publiccatalog.Number(ch.Count)})
			}
		}
		v.Categories = append(v.Categories, ic)
	}
	v.Total = productCount(total)
	return s.render(w, r, catalogue.Index(sh, v))
}

func productCount(n int) string {
	if n == 1 {
		return "1 product"
	}
	return publiccatalog.Number(n) + " producten"
}

func (s *Server) catalogueCategory(w http.ResponseWriter, r *http.Request) error {
	s.allowShopImages(w) // product images live on the suppliers' shops
	tree, sh, err := s.catalogueShell(r, "Catalogus", nil)
	if err != nil {
		return err
	}
	cat := tree.BySlug(r.PathValue("categorie"))
	if cat == nil {
		return s.catalogueNotFound(w, r, sh)
	}
	sh = catalogueShellFor(tree, cat.Name, cat)
	q, problems := publiccatalog.Parse(r.URL.Query())
	q.CategoryIDs = cat.Subtree()
	v, counts, err := s.catalogueList(r, q, problems, categoryPath(cat), false)
	if err != nil {
		return err
	}
	v.Heading = cat.Name
	v.Crumbs = []catalogue.Link{{Label: "Catalogus", Href: "/catalogus"}}
	for _, c := range cat.Path() {
		v.Crumbs = append(v.Crumbs, catalogue.Link{Label: c.Name, Href: categoryPath(c), Current: c.ID == cat.ID})
	}
	if len(cat.Children) > 0 {
		// Counted within the resident's filters, like the total.
		tree.SetCounts(counts)
		for _, ch := range cat.Children {
			if ch.Count > 0 {
				v.Subcategories = append(v.Subcategories, catalogue.Link{Label: ch.Name, Href: categoryPath(ch), Count: publiccatalog.Number(ch.Count)})
			}
		}
	}
	if v.TotalN == 0 && v.Empty == "" {
		v.Empty = "In deze categorie zijn nu geen producten die aan uw keuze voldoen."
	}
	return s.renderList(w, r, sh, v)
}

func (s *Server) catalogueSearch(w http.ResponseWriter, r *http.Request) error {
	s.allowShopImages(w) // product images live on the suppliers' shops
	_, sh, err := s.catalogueShell(r, "Zoeken", nil)
	if err != nil {
		return err
	}
	q, problems := publiccatalog.Parse(r.URL.Query())
	sh.Search = q.Search
	if q.Search == "" {
		v := catalogue.ListView{Heading: "Zoeken", NeedQuery: true, Filters: filtersView(q, nil, problems, "/catalogus/zoeken", true)}
		return s.renderList(w, r, sh, v)
	}
	v, _, err := s.catalogueList(r, q, problems, "/catalogus/zoeken", true)
	if err != nil {
		return err
	}
	v.Heading = "Zoekresultaten voor “" + q.Search + "”"
	sh.Title = "Zoeken: " + q.Search
	v.Crumbs = []catalogue.Link{{Label: "Catalogus", Href: "/catalogus"}, {Label: "Zoeken", Current: true}}
	if v.TotalN == 0 {
		v.Empty = "Geen producten gevonden. Controleer de spelling, gebruik minder of andere woorden, of kijk in de categorieën."
	}
	return s.renderList(w, r, sh, v)
}

// renderList renders a list page, or only its filters and results for an
// htmx filter change.
func (s *Server) renderList(w http.ResponseWriter, r *http.Request, sh catalogue.Shell, v catalogue.ListView) error {
	if isHTMX(r) {
		return s.render(w, r, catalogue.ListContent(v))
	}
	return s.render(w, r, catalogue.List(sh, v))
}

// maxBrandFacets is how many brands a list offers as filters.
const maxBrandFacets = 30

// catalogueList runs a list query: the page of products, the total, the
// brands to filter on, the pager. It also returns the matching products'
// count per category.
func (s *Server) catalogueList(r *http.Request, q publiccatalog.Query, problems []publiccatalog.Problem, action string, search bool) (catalogue.ListView, map[int64]int, error) {
	list, err := s.store.PublicCatalogList(r.Context(), q, maxBrandFacets)
	if err != nil {
		return catalogue.ListView{}, nil, err
	}
	if len(list.Cards) == 0 && q.Page > 1 && list.Total > 0 {
		// Past the end (the list shrank, or a made-up page).
		problems = append(problems, publiccatalog.Problem{Field: "pagina", Message: "Die pagina bestaat niet (meer); ga terug naar de eerste pagina."})
	}
	facets := make([]brandFacet, len(list.Brands))
	for i, b := range list.Brands {
		facets[i] = brandFacet{key: b.Key, name: b.Name, count: b.Count}
	}
	v := catalogue.ListView{
		Filters: filtersView(q, facets, problems, action, search),
		TotalN:  list.Total,
		Total:   productCount(list.Total),
		Pager:   pagerView(q, list.Total, action),
	}
	if list.Fuzzy {
		v.Intro = "Niets gevonden dat precies overeenkomt. Dit zijn producten met een naam die erop lijkt."
	}
	for _, c := range list.Cards {
		card := catalogue.Card{Href: publiccatalog.ProductPath(c.ID, c.Name), Name: c.Name, Price: publiccatalog.Euros(c.PriceCents),
			From: c.Variable, Image: c.Image.Src, Alt: c.Image.Alt, Supplier: c.SupplierName}
		if c.RegularCents != nil && *c.RegularCents > c.PriceCents {
			card.Regular = publiccatalog.Euros(*c.RegularCents)
		}
		v.Cards = append(v.Cards, card)
	}
	return v, list.ByCategory, nil
}

type brandFacet struct {
	key, name string
	count     int
}

func filtersView(q publiccatalog.Query, facets []brandFacet, problems []publiccatalog.Problem, action string, search bool) catalogue.Filters {
	f := catalogue.Filters{Action: action, Search: q.Search, HasSearch: search}
	checked := map[string]bool{}
	for _, b := range q.Brands {
		checked[b] = true
	}
	listed := map[string]bool{}
	for _, b := range facets {
		listed[b.key] = true
		f.Brands = append(f.Brands, catalogue.BrandOption{Value: b.key, Label: b.name, Count: publiccatalog.Number(b.count), Checked: checked[b.key]})
	}
	// A chosen brand without products here stays listed, so it can be
	// unticked.
	for _, b := range q.Brands {
		if !listed[b] {
			f.Brands = append(f.Brands, catalogue.BrandOption{Value: b, Label: b, Count: "0", Checked: true})
		}
	}
	for i := range f.Brands {
		f.Brands[i].ID = "f-merk-" + strconv.Itoa(i)
	}
	if q.MinCents != nil {
		f.Min = publiccatalog.EurosInput(*q.MinCents)
	}
	if q.MaxCents != nil {
		f.Max = publiccatalog.EurosInput(*q.MaxCents)
	}
	for _, o := range publiccatalog.Sorts {
		if o.Key == publiccatalog.SortRelevance && !search {
			// Without search text, relevance is the newest first: offer it
			// under that name only.
			continue
		}
		selected := o.Key == q.Sort || (!search && o.Key == publiccatalog.SortNew && q.Sort == publiccatalog.SortRelevance)
		f.Sorts = append(f.Sorts, catalogue.SortOption{Value: string(o.Key), Label: o.Label, Selected: selected})
	}
	for _, p := range problems {
		f.Problems = append(f.Problems, p.Message)
	}
	return f
}

// pagerView numbers the pages around the current one, bounded by MaxPage.
func pagerView(q publiccatalog.Query, total int, action string) catalogue.Pager {
	pages := (total + publiccatalog.PageSize - 1) / publiccatalog.PageSize
	p := catalogue.Pager{}
	if pages > publiccatalog.MaxPage {
		pages, p.Capped = publiccatalog.MaxPage, true
	}
	href := func(n int) string {
		qq := q
		qq.Page = n
		if enc := qq.Values().Encode(); enc != "" {
			return action + "?" + enc
		}
		return action
	}
	if q.Page > 1 && q.Page <= pages {
		p.Prev = href(q.Page - 1)
	}
	if q.Page < pages {
		p.Next = href(q.Page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < q.Page-2 || n > q.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Pages = append(p.Pages, catalogue.PageLink{Gap: true})
		}
		p.Pages = append(p.Pages, catalogue.PageLink{Number: strconv.Itoa(n), Href: href(n), Current: n == q.Page})
		last = n
	}
	return p
}
