package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// PlatformCategory is a node of the platform's own category tree.
type PlatformCategory struct {
	ID        int64
	ParentID  *int64
	Name      string
	Slug      string
	Position  int
	CreatedAt time.Time
	// Mappings and Products are filled by PlatformCategories only.
	Mappings int
	Products int
}

func platformCategory(r dbsqlc.PlatformCategory) PlatformCategory {
	return PlatformCategory{ID: r.ID, ParentID: r.ParentID, Name: r.Name, Slug: r.Slug, Position: int(r.Position), CreatedAt: r.CreatedAt}
}

// PlatformCategories lists the whole tree, each level by position.
func (s *Store) PlatformCategories(ctx context.Context) ([]PlatformCategory, error) {
	rows, err := s.q.PlatformCategoryList(ctx)
	if err != nil {
		return nil, interpret(err, "listing platform categories")
	}
	out := make([]PlatformCategory, len(rows))
	for i, r := range rows {
		out[i] = PlatformCategory{ID: r.ID, ParentID: r.ParentID, Name: r.Name, Slug: r.Slug, Position: int(r.Position),
			CreatedAt: r.CreatedAt, Mappings: int(r.Mappings), Products: int(r.Products)}
	}
	return out, nil
}

// PlatformCategoryOptions lists the whole tree without counts, each level
// by position; cheap enough for every page's choices.
func (s *Store) PlatformCategoryOptions(ctx context.Context) ([]PlatformCategory, error) {
	rows, err := s.q.PlatformCategoryOptions(ctx)
	if err != nil {
		return nil, interpret(err, "listing platform categories")
	}
	out := make([]PlatformCategory, len(rows))
	for i, r := range rows {
		out[i] = platformCategory(r)
	}
	return out, nil
}

// PlatformCategoryGet returns one platform category.
func (s *Store) PlatformCategoryGet(ctx context.Context, id int64) (PlatformCategory, error) {
	r, err := s.q.PlatformCategoryGet(ctx, id)
	return platformCategory(r), interpret(err, "getting platform category")
}

// PlatformCategoryCreate adds a platform category at the end of its level
// when position is 0. ErrConflict when the slug is taken.
func (s *Store) PlatformCategoryCreate(ctx context.Context, parentID *int64, name, slug string, position int) (PlatformCategory, error) {
	if position == 0 {
		next, err := s.q.PlatformCategoryNextPosition(ctx, parentID)
		if err != nil {
			return PlatformCategory{}, interpret(err, "positioning platform category")
		}
		position = int(next)
	}
	r, err := s.q.PlatformCategoryCreate(ctx, dbsqlc.PlatformCategoryCreateParams{ParentID: parentID, Name: name, Slug: slug, Position: int32(position)})
	return platformCategory(r), interpret(err, "creating platform category")
}

// PlatformCategoryUpdate renames, moves or re-orders a platform category.
// ErrConflict when the slug is taken.
func (s *Store) PlatformCategoryUpdate(ctx context.Context, c PlatformCategory) (PlatformCategory, error) {
	r, err := s.q.PlatformCategoryUpdate(ctx, dbsqlc.PlatformCategoryUpdateParams{
		ID: c.ID, ParentID: c.ParentID, Name: c.Name, Slug: c.Slug, Position: int32(c.Position),
	})
	return platformCategory(r), interpret(err, "updating platform category")
}

// PlatformCategoryInUse reports whether a category has children or
// mappings (and so cannot be deleted).
func (s *Store) PlatformCategoryInUse(ctx context.Context, id int64) (bool, error) {
	b, err := s.q.PlatformCategoryInUse(ctx, id)
	if err != nil {
		return false, interpret(err, "checking platform category")
	}
	return b != nil && *b, nil
}

// PlatformCategoryDelete deletes an unused platform category.
func (s *Store) PlatformCategoryDelete(ctx context.Context, id int64) error {
	return interpret(s.q.PlatformCategoryDelete(ctx, id), "deleting platform category")
}

// CatalogCategoryRef is a supplier category with where it comes from.
type CatalogCategoryRef struct {
	ID           int64
	ConnectionID int64
	ExternalID   string
	Name         string
	SupplierID   int64
	Environment  string
}

// CatalogCategoryGet returns a supplier category.
func (s *Store) CatalogCategoryGet(ctx context.Context, id int64) (CatalogCategoryRef, error) {
	r, err := s.q.CatalogCategoryRef(ctx, id)
	return CatalogCategoryRef(r), interpret(err, "getting supplier category")
}

// CategoryMappingSet maps a supplier category onto a platform category;
// the products carrying it follow in the same statement (a trigger).
func (s *Store) CategoryMappingSet(ctx context.Context, catalogCategoryID, platformCategoryID int64, by *int64) error {
	return interpret(s.q.CategoryMappingSet(ctx, dbsqlc.CategoryMappingSetParams{
		CatalogCategoryID: catalogCategoryID, PlatformCategoryID: platformCategoryID, MappedBy: by,
	}), "mapping category")
}

// CategoryMappingDelete removes a supplier category's mapping; reports
// whether there was one.
func (s *Store) CategoryMappingDelete(ctx context.Context, catalogCategoryID int64) (bool, error) {
	n, err := s.q.CategoryMappingDelete(ctx, catalogCategoryID)
	return n > 0, interpret(err, "unmapping category")
}

// SupplierCategoryMapping is a supplier category with its mapping.
type SupplierCategoryMapping struct {
	ID                 int64
	Name               string
	ExternalID         string
	ParentExternalID   string
	Environment        string
	ConnectionID       int64
	PlatformCategoryID *int64
	Products           int
	SupplierID         int64
	SupplierName       string
}

// CategoryMappings lists a supplier's categories with their mappings and
// product counts.
func (s *Store) CategoryMappings(ctx context.Context, supplierID int64) ([]SupplierCategoryMapping, error) {
	rows, err := s.q.CategoryMappingList(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing category mappings")
	}
	out := make([]SupplierCategoryMapping, len(rows))
	for i, r := range rows {
		out[i] = SupplierCategoryMapping{ID: r.ID, Name: r.Name, ExternalID: r.ExternalID, ParentExternalID: r.ParentExternalID,
			Environment: r.Environment, ConnectionID: r.ConnectionID, PlatformCategoryID: r.PlatformCategoryID, Products: int(r.Products),
			SupplierID: supplierID}
	}
	return out, nil
}

// CategoriesUnmapped lists supplier categories that have products and no
// mapping, most products first.
func (s *Store) CategoriesUnmapped(ctx context.Context, limit int) ([]SupplierCategoryMapping, error) {
	rows, err := s.q.CategoryUnmappedList(ctx, int32(limit))
	if err != nil {
		return nil, interpret(err, "listing unmapped categories")
	}
	out := make([]SupplierCategoryMapping, len(rows))
	for i, r := range rows {
		out[i] = SupplierCategoryMapping{ID: r.ID, Name: r.Name, ExternalID: r.ExternalID, Environment: r.Environment,
			SupplierID: r.SupplierID, SupplierName: r.SupplierName, Products: int(r.Products)}
	}
	return out, nil
}
