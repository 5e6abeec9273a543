package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webcuration "github.com/wujw/ohis/web/curation"
)

// categoryTyped is a category form as typed, for showing it again.
type categoryTyped struct {
	id                           int64
	name, slug, parent, position string
	errs                         curation.CategoryErrors
}

func categoryInput(r *http.Request) (curation.CategoryInput, categoryTyped) {
	t := categoryTyped{name: r.PostFormValue("naam"), slug: r.PostFormValue("slug"), parent: r.PostFormValue("onder"), position: strings.TrimSpace(r.PostFormValue("volgorde"))}
	in := curation.CategoryInput{Name: t.name, Slug: t.slug}
	if id, err := strconv.ParseInt(t.parent, 10, 64); err == nil && id > 0 {
		in.ParentID = &id
	}
	if t.position != "" {
		if n, err := strconv.Atoi(t.position); err == nil {
			in.Position = n
		} else {
			in.Position = -1 // refused by the service with a Dutch message
		}
	}
	return in, t
}

func (s *Server) categoriesView(r *http.Request, typed categoryTyped) (webcuration.CategoriesView, error) {
	ctx := r.Context()
	cats, err := s.store.PlatformCategories(ctx)
	if err != nil {
		return webcuration.CategoriesView{}, err
	}
	tree := platformTree(cats)
	// below[id] holds a category and everything under it: not a valid
	// parent for it.
	below := map[int64]map[int64]bool{}
	for i, c := range tree {
		set := map[int64]bool{c.ID: true}
		for _, d := range tree[i+1:] {
			if d.depth <= c.depth {
				break
			}
			set[d.ID] = true
		}
		below[c.ID] = set
	}
	options := func(exclude map[int64]bool, selected *int64) []webcuration.Option {
		var out []webcuration.Option
		for _, c := range tree {
			if !exclude[c.ID] {
				out = append(out, webcuration.Option{Value: strconv.FormatInt(c.ID, 10), Label: strings.Repeat("— ", c.depth) + c.Name,
					Selected: selected != nil && *selected == c.ID})
			}
		}
		return out
	}
	v := webcuration.CategoriesView{}
	for _, c := range tree {
		row := webcuration.CategoryRow{
			ID: c.ID, Depth: c.depth, Name: c.Name, Slug: c.Slug, Position: strconv.Itoa(c.Position),
			Parents: options(below[c.ID], c.ParentID), Mappings: c.Mappings, Products: c.Products,
			Action: templ.SafeURL(fmt.Sprintf("/beheer/categorieen/%d", c.ID)),
			Delete: templ.SafeURL(fmt.Sprintf("/beheer/categorieen/%d/verwijderen", c.ID)),
		}
		if typed.id == c.ID && typed.errs != nil {
			row.Name, row.Slug, row.Position = typed.name, typed.slug, typed.position
			var msgs []string
			for _, k := range []string{"name", "slug", "parent", "position"} {
				if m := typed.errs[k]; m != "" {
					msgs = append(msgs, m)
				}
			}
			row.Error = strings.Join(msgs, " ")
		}
		v.Rows = append(v.Rows, row)
	}
	newErrs := curation.CategoryErrors{}
	if typed.id == 0 && typed.errs != nil {
		newErrs = typed.errs
	}
	var parent *int64
	if id, err := strconv.ParseInt(typed.parent, 10, 64); err == nil && typed.id == 0 {
		parent = &id
	}
	v.New = webcuration.CategoryForm{
		Name: components.Field{Name: "naam", Label: "Naam", Value: valueIf(typed.id == 0, typed.name), Error: newErrs["name"], Required: true},
		Slug: components.Field{Name: "slug", Label: "URL-naam", Value: valueIf(typed.id == 0, typed.slug), Error: newErrs["slug"],
			Hint: "Leeg laten: wordt gemaakt uit de naam, bijvoorbeeld ‘slimme-meters’."},
		Parents:  options(nil, parent),
		Position: components.Field{Name: "volgorde", Label: "Volgorde", Type: "number", Value: valueIf(typed.id == 0, typed.position), Error: newErrs["position"], Hint: "Lager komt eerder; leeg laten zet de categorie achteraan."},
	}
	if newErrs["parent"] != "" {
		v.New.Name.Error = strings.TrimSpace(v.New.Name.Error + " " + newErrs["parent"])
	}
	summary := components.Errors{}
	for k, m := range newErrs {
		field := map[string]string{"name": "naam", "slug": "slug", "position": "volgorde", "parent": "naam"}[k]
		summary[field] = m
	}
	v.Errors = summary.Summary("naam", "slug", "volgorde")
	unmapped, err := s.store.CategoriesUnmapped(ctx, 50)
	if err != nil {
		return v, err
	}
	for _, m := range unmapped {
		v.Unmapped = append(v.Unmapped, mappingRow(m, options(nil, nil), 0))
	}
	sups, err := s.store.CurationSupplierOptions(ctx)
	if err != nil {
		return v, err
	}
	for _, o := range sups {
		v.Suppliers = append(v.Suppliers, webcuration.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Label})
	}
	return v, nil
}

func valueIf(ok bool, v string) string {
	if ok {
		return v
	}
	return ""
}

func mappingRow(m store.SupplierCategoryMapping, options []webcuration.Option, indent int) webcuration.MappingRow {
	opts := make([]webcuration.Option, len(options))
	for i, o := range options {
		o.Selected = m.PlatformCategoryID != nil && strconv.FormatInt(*m.PlatformCategoryID, 10) == o.Value
		opts[i] = o
	}
	return webcuration.MappingRow{
		ID: m.ID, Name: m.Name, Supplier: m.SupplierName, Environment: environmentLabel(m.Environment), Products: m.Products,
		SupplierHref: "/beheer/categorieen/koppelen?aanbieder=" + strconv.FormatInt(m.SupplierID, 10), Options: opts, Indent: indent,
	}
}

func (s *Server) categoriesPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.categoriesView(r, categoryTyped{})
	if err != nil {
		return err
	}
	return s.render(w, r, webcuration.Categories(s.withFlashes(w, r, s.pageFor(r, "Platformcategorieën")), v))
}

func (s *Server) categoryRefused(w http.ResponseWriter, r *http.Request, typed categoryTyped) error {
	v, err := s.categoriesView(r, typed)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, webcuration.Categories(s.pageFor(r, "Platformcategorieën"), v))
}

func (s *Server) categoryCreate(w http.ResponseWriter, r *http.Request) error {
	in, typed := categoryInput(r)
	c, err := s.curation.CreateCategory(r.Context(), s.actor(r), in)
	var cerrs curation.CategoryErrors
	if errors.As(err, &cerrs) {
		typed.errs = cerrs
		return s.categoryRefused(w, r, typed)
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Categorie ‘"+c.Name+"’ is toegevoegd.")
	return redirect(w, r, "/beheer/categorieen")
}

func (s *Server) categoryUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, typed := categoryInput(r)
	typed.id = id
	c, err := s.curation.UpdateCategory(r.Context(), s.actor(r), id, in)
	var cerrs curation.CategoryErrors
	if errors.As(err, &cerrs) {
		typed.errs = cerrs
		return s.categoryRefused(w, r, typed)
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Categorie ‘"+c.Name+"’ is opgeslagen.")
	return redirect(w, r, "/beheer/categorieen")
}

func (s *Server) categoryDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.curation.DeleteCategory(r.Context(), s.actor(r), id)
	if msg, ok := refusal(err); ok {
		s.flash(w, r, "error", msg)
		return redirect(w, r, "/beheer/categorieen")
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "De categorie is verwijderd.")
	return redirect(w, r, "/beheer/categorieen")
}

func (s *Server) categorySupplierMapping(w http.ResponseWriter, r *http.Request) error {
	supplierID, err := strconv.ParseInt(r.URL.Query().Get("aanbieder"), 10, 64)
	if err != nil || supplierID <= 0 {
		return errNotFound
	}
	sup, err := s.store.SupplierGet(r.Context(), supplierID)
	if err != nil {
		return err
	}
	mappings, err := s.store.CategoryMappings(r.Context(), supplierID)
	if err != nil {
		return err
	}
	cats, err := s.store.PlatformCategoryOptions(r.Context())
	if err != nil {
		return err
	}
	var options []webcuration.Option
	for _, c := range platformTree(cats) {
		options = append(options, webcuration.Option{Value: strconv.FormatInt(c.ID, 10), Label: strings.Repeat("— ", c.depth) + c.Name})
	}
	v := webcuration.SupplierMappingView{Supplier: sup.Name, Back: "/beheer/categorieen"}
	for _, m := range supplierCategoryTree(mappings) {
		m.SupplierName = sup.Name
		v.Rows = append(v.Rows, mappingRow(m.SupplierCategoryMapping, options, m.depth))
	}
	return s.render(w, r, webcuration.SupplierMapping(s.withFlashes(w, r, s.pageFor(r, "Categorieën van "+sup.Name)), v))
}

type mappingNode struct {
	store.SupplierCategoryMapping
	depth int
}

// supplierCategoryTree orders a supplier's categories as their shop's tree,
// per connection.
func supplierCategoryTree(ms []store.SupplierCategoryMapping) []mappingNode {
	type key struct {
		conn int64
		ext  string
	}
	known := map[key]bool{}
	for _, m := range ms {
		known[key{m.ConnectionID, m.ExternalID}] = true
	}
	children := map[key][]store.SupplierCategoryMapping{}
	var roots []store.SupplierCategoryMapping
	for _, m := range ms {
		parent := key{m.ConnectionID, m.ParentExternalID}
		if m.ParentExternalID == "" || !known[parent] || m.ParentExternalID == m.ExternalID {
			roots = append(roots, m)
		} else {
			children[parent] = append(children[parent], m)
		}
	}
	var out []mappingNode
	seen := map[int64]bool{}
	var walk func([]store.SupplierCategoryMapping, int)
	walk = func(list []store.SupplierCategoryMapping, depth int) {
		for _, m := range list {
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			out = append(out, mappingNode{m, depth})
			walk(children[key{m.ConnectionID, m.ExternalID}], depth+1)
		}
	}
	walk(roots, 0)
	return out
}

func (s *Server) categoryMap(w http.ResponseWriter, r *http.Request) error {
	catID := formID(r, "categorie")
	if catID == 0 {
		return errNotFound
	}
	platformID := formID(r, "platformcategorie")
	cc, err := s.store.CatalogCategoryGet(r.Context(), catID)
	if err != nil {
		return err
	}
	back := "/beheer/categorieen"
	if r.PostFormValue("terug") == "aanbieder" {
		back = "/beheer/categorieen/koppelen?aanbieder=" + strconv.FormatInt(cc.SupplierID, 10)
	}
	err = s.curation.MapCategory(r.Context(), s.actor(r), catID, platformID)
	if msg, ok := refusal(err); ok {
		s.flash(w, r, "error", msg)
		return redirect(w, r, back)
	}
	if err != nil {
		return err
	}
	if platformID == 0 {
		s.flash(w, r, "success", "De koppeling van ‘"+cc.Name+"’ is verwijderd.")
	} else {
		pc, err := s.store.PlatformCategoryGet(r.Context(), platformID)
		if err != nil {
			return err
		}
		s.flash(w, r, "success", "‘"+cc.Name+"’ is gekoppeld aan ‘"+pc.Name+"’; de producten in die categorie volgen.")
	}
	return redirect(w, r, back)
}
