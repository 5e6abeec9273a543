package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// The residents' catalogue. Every query here reads visible products through
// the visible_products view (migrations/00010_visibility.sql), the one
// place that decides what residents see, and public_variants for their
// variants. Nothing is cached: a product that stops being visible is gone
// from the next query.

// PublicCategory is a platform category.
type PublicCategory struct {
	ID       int64
	ParentID *int64
	Name     string
	Slug     string
	Position int
}

// PublicCard is a product in a list.
type PublicCard struct {
	ID           int64
	Name         string
	PriceCents   int64 // what a resident pays at least
	RegularCents *int64
	Variable     bool
	Image        PublicImage
	SupplierName string
}

// PublicImage is a product image.
type PublicImage struct {
	Src string `json:"src"`
	Alt string `json:"alt"`
}

// PublicBrand is a brand with the number of products of it in a list
// (before the list's own brand filter).
type PublicBrand struct {
	Key   string // lower case, the filter value
	Name  string
	Count int
}

// PublicProduct is a visible product's page.
type PublicProduct struct {
	ID                     int64
	Name                   string
	Type                   string
	SKU                    string
	Description, Short     string // shop HTML: sanitise before showing
	PriceCents             int64  // the lowest sellable price
	RegularCents           *int64
	ManageStock            bool
	StockQuantity          *int64
	StockStatus            string
	Images                 []PublicImage
	SupplierName           string
	Brands                 []string
	CategoryID             *int64
	FirstSeenAt, UpdatedAt time.Time
}

// PublicVariant is a variant residents see of a visible product.
type PublicVariant struct {
	ID            int64
	SKU           string
	PriceCents    int64
	RegularCents  *int64
	ManageStock   bool
	StockQuantity *int64
	StockStatus   string
	Available     bool
	Options       []PublicOption
	Image         *PublicImage
}

// PublicOption is one attribute value of a variant.
type PublicOption struct {
	Name   string `json:"name"`
	Option string `json:"option"`
}

// PublicCatalogCategories returns the platform categories in tree order
// (position, name), without counts.
func (s *Store) PublicCatalogCategories(ctx context.Context) ([]PublicCategory, error) {
	rows, err := s.q.PublicCatalogCategories(ctx)
	if err != nil {
		return nil, interpret(err, "listing public categories")
	}
	out := make([]PublicCategory, len(rows))
	for i, r := range rows {
		out[i] = PublicCategory{ID: r.ID, ParentID: r.ParentID, Name: r.Name, Slug: r.Slug, Position: int(r.Position)}
	}
	return out, nil
}

// PublicCatalogAllCounts returns how many visible products each category
// holds directly, and how many are in no category.
func (s *Store) PublicCatalogAllCounts(ctx context.Context) (map[int64]int, int, error) {
	var rows []dbsqlc.PublicCatalogAllCountsRow
	err := s.publicRead(ctx, func(tx *Store) error {
		var err error
		rows, err = tx.q.PublicCatalogAllCounts(ctx)
		return err
	})
	if err != nil {
		return nil, 0, interpret(err, "counting public categories")
	}
	out := make(map[int64]int, len(rows))
	none := 0
	for _, r := range rows {
		if r.ID == nil {
			none = int(r.Visible)
			continue
		}
		out[*r.ID] = int(r.Visible)
	}
	return out, none, nil
}

// PublicCatalogProduct returns a visible product; ErrNotFound when there is
// no such product or residents may not see it.
func (s *Store) PublicCatalogProduct(ctx context.Context, id int64) (PublicProduct, error) {
	r, err := s.q.PublicCatalogProduct(ctx, id)
	if err != nil {
		return PublicProduct{}, interpret(err, "getting public product")
	}
	p := PublicProduct{
		ID: r.ID, Name: r.Name, Type: r.Type, SKU: r.Sku, Description: r.Description, Short: r.ShortDescription,
		RegularCents: r.RegularCents, ManageStock: r.ManageStock, StockStatus: r.StockStatus,
		SupplierName: r.SupplierName, Brands: r.Brands, CategoryID: r.PlatformCategoryID,
		FirstSeenAt: r.FirstSeenAt, UpdatedAt: r.UpdatedAt,
	}
	if r.PriceCents != nil {
		p.PriceCents = *r.PriceCents
	}
	if r.StockQuantity != nil {
		q := int64(*r.StockQuantity)
		p.StockQuantity = &q
	}
	var imgs []PublicImage
	if json.Unmarshal(r.Images, &imgs) == nil {
		for _, img := range imgs {
			if img.Src != "" {
				p.Images = append(p.Images, img)
			}
		}
	}
	return p, nil
}

// PublicCatalogVariants returns the variants residents see of a product, in
// the shop's order. Call it only for a visible product.
func (s *Store) PublicCatalogVariants(ctx context.Context, productID int64) ([]PublicVariant, error) {
	rows, err := s.q.PublicCatalogVariants(ctx, productID)
	if err != nil {
		return nil, interpret(err, "listing public variants")
	}
	out := make([]PublicVariant, 0, len(rows))
	for _, r := range rows {
		v := PublicVariant{ID: r.ID, SKU: r.Sku, RegularCents: r.RegularPriceCents, ManageStock: r.ManageStock,
			StockStatus: r.StockStatus, Available: r.Available}
		if r.PriceCents != nil {
			v.PriceCents = *r.PriceCents
		}
		if r.StockQuantity != nil {
			q := int64(*r.StockQuantity)
			v.StockQuantity = &q
		}
		_ = json.Unmarshal(r.Options, &v.Options)
		var img PublicImage
		if len(r.Image) > 0 && json.Unmarshal(r.Image, &img) == nil && img.Src != "" {
			v.Image = &img
		}
		out = append(out, v)
	}
	return out, nil
}

// VisibleProductCount is how many products residents see now.
func (s *Store) VisibleProductCount(ctx context.Context) (int, error) {
	n, err := s.q.PublicCatalogVisibleCount(ctx)
	return int(n), interpret(err, "counting visible products")
}

// VisibleProductIDs returns the ids of every product residents see now, in
// id order (for tests and checks; the pages use the list queries).
func (s *Store) VisibleProductIDs(ctx context.Context) ([]int64, error) {
	ids, err := s.q.PublicCatalogVisibleIDs(ctx)
	return ids, interpret(err, "listing visible products")
}
