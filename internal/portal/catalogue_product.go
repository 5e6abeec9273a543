package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/publiccatalog"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/visibility"
	"github.com/wujw/ohis/web/catalogue"
)

// catalogueProduct is a product page at /catalogus/product/{id}-{slug}.
// Only a visible product has one (else the catalogue's 404); an address
// with another slug (the name changed, or a shortened link) moves
// permanently to the canonical one.
func (s *Server) catalogueProduct(w http.ResponseWriter, r *http.Request) error {
	s.allowShopImages(w) // product images live on the suppliers' shops
	tree, sh, err := s.catalogueShell(r, "Product", nil)
	if err != nil {
		return err
	}
	id, ok := publiccatalog.ParseProductRef(r.PathValue("ref"))
	if !ok {
		return s.catalogueNotFound(w, r, sh)
	}
	ctx := r.Context()
	p, err := s.store.PublicCatalogProduct(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s.catalogueNotFound(w, r, sh)
	}
	if err != nil {
		return err
	}
	if canonical := publiccatalog.ProductPath(p.ID, p.Name); r.URL.Path != canonical {
		http.Redirect(w, r, canonical, http.StatusMovedPermanently)
		return nil
	}
	var cat *publiccatalog.Category
	if p.CategoryID != nil {
		cat = tree.ByID(*p.CategoryID)
	}
	sh = catalogueShellFor(tree, p.Name, cat)
	v := catalogue.ProductView{
		Name: p.Name, Price: publiccatalog.Euros(p.PriceCents), From: p.Type == "variable", Supplier: p.SupplierName,
		Brands: strings.Join(p.Brands, ", "), SKU: p.SKU,
		Short: publiccatalog.SafeHTML(p.Short), Description: publiccatalog.SafeHTML(p.Description),
		// A visible simple product is available by definition; its stock
		// tells in stock from backorder.
		Availability: availabilityView(visibility.Of(true, visibility.Stock{Managed: p.ManageStock, Quantity: p.StockQuantity, Status: p.StockStatus})),
	}
	if p.RegularCents != nil && *p.RegularCents > p.PriceCents {
		v.Regular = publiccatalog.Euros(*p.RegularCents)
	}
	for _, img := range p.Images {
		alt := img.Alt
		if alt == "" {
			alt = p.Name
		}
		v.Images = append(v.Images, catalogue.Image{Src: img.Src, Alt: alt})
	}
	v.Crumbs = []catalogue.Link{{Label: "Catalogus", Href: "/catalogus"}}
	if cat != nil {
		for _, c := range cat.Path() {
			v.Crumbs = append(v.Crumbs, catalogue.Link{Label: c.Name, Href: categoryPath(c)})
		}
	}
	v.Crumbs = append(v.Crumbs, catalogue.Link{Label: p.Name, Current: true})
	if p.Type == "variable" {
		variants, err := s.store.PublicCatalogVariants(ctx, p.ID)
		if err != nil {
			return err
		}
		for i, pv := range variants {
			row := catalogue.VariantRow{
				Label: variantLabel(pv, i), SKU: pv.SKU, Price: publiccatalog.Euros(pv.PriceCents),
				Availability: availabilityView(visibility.Of(pv.Available, visibility.Stock{Managed: pv.ManageStock, Quantity: pv.StockQuantity, Status: pv.StockStatus})),
			}
			if pv.RegularCents != nil && *pv.RegularCents > pv.PriceCents {
				row.Regular = publiccatalog.Euros(*pv.RegularCents)
			}
			v.Variants = append(v.Variants, row)
		}
	}
	return s.render(w, r, catalogue.Product(sh, v))
}

func variantLabel(v store.PublicVariant, i int) string {
	var parts []string
	for _, o := range v.Options {
		if o.Option == "" {
			continue
		}
		if o.Name == "" {
			parts = append(parts, o.Option)
		} else {
			parts = append(parts, o.Name+": "+o.Option)
		}
	}
	if len(parts) == 0 {
		return "Uitvoering " + strconv.Itoa(i+1)
	}
	return strings.Join(parts, ", ")
}

func availabilityView(a visibility.Availability) catalogue.Availability {
	kind := map[visibility.Availability]string{visibility.InStock: "instock", visibility.Backorder: "backorder", visibility.SoldOut: "soldout"}[a]
	return catalogue.Availability{Kind: kind, Label: a.Label()}
}
