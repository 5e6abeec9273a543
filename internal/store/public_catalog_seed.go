package store

import (
	"context"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// The catalogue seed (internal/catalogseed) writes large fake catalogues
// set-based: one statement per table and batch, the rows travelling as
// column arrays. These methods exist for the seed, benchmarks and tests;
// the application never calls them.

// SeedApplication is an application of a seeded supplier, already decided.
type SeedApplication struct {
	SupplierID                         int64
	CompanyName, KvK, VATID, IBAN      string
	ContactName, Email, Phone, Website string
	// State is the admission state, e.g. "production" or "admitted".
	State string
}

// SeedConnection is a seeded webshop connection. Seeded connections are
// paused: nothing ever syncs from their made-up shops.
type SeedConnection struct {
	SupplierID    int64
	Environment   string
	BaseURL       string
	Credentials   []byte // sealed
	WebhookSecret []byte // sealed
}

// SeedTerm is a seeded category or brand of one connection.
type SeedTerm struct {
	ConnectionID     int64
	ExternalID       string
	ParentExternalID string
	Name, Slug       string
}

// SeedProduct is a seeded product. Nil numbers are stored as NULL.
type SeedProduct struct {
	ConnectionID, SupplierID int64
	Environment              string
	ExternalID               string
	Type, ShopStatus         string
	Name, Slug, Permalink    string
	SKU                      string
	Description, Short       string
	RegularCents, SaleCents  *int64
	PriceCents               *int64
	ManageStock              bool
	StockQuantity            *int32
	StockStatus, Backorders  string
	CategoryExternalID       string
	BrandExternalID          string // "" for none
	AttributesJSON           string
	ImagesJSON               string
	ModifiedAt, FirstSeenAt  time.Time
	Deleted                  bool
}

// SeedVariant is a seeded variant of a variable product.
type SeedVariant struct {
	ProductID               int64
	ExternalID, ShopStatus  string
	SKU                     string
	RegularCents, SaleCents *int64
	PriceCents              *int64
	ManageStock             bool
	StockQuantity           *int32
	StockStatus, Backorders string
	OptionsJSON             string
	Position                int32
	ModifiedAt              time.Time
	Deleted                 bool
}

// SeedCuration is a seeded curation decision.
type SeedCuration struct {
	ProductID     int64
	Status        string // pending, approved, rejected, changed
	ReasonText    string
	ChangeSummary string
}

// SeedID pairs a created row's id with the key it was created under.
type SeedID struct {
	ID  int64
	Key string
}

func orMinus1(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func orMinus1i(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

// CatalogSeedSuppliers creates suppliers and returns their ids by name.
func (s *Store) CatalogSeedSuppliers(ctx context.Context, names []string) ([]SeedID, error) {
	rows, err := s.q.CatalogSeedSuppliers(ctx, names)
	if err != nil {
		return nil, interpret(err, "seeding suppliers")
	}
	out := make([]SeedID, len(rows))
	for i, r := range rows {
		out[i] = SeedID{ID: r.ID, Key: r.Name}
	}
	return out, nil
}

// CatalogSeedApplications creates decided applications, admitted at at.
func (s *Store) CatalogSeedApplications(ctx context.Context, at time.Time, apps []SeedApplication) error {
	var p dbsqlc.CatalogSeedApplicationsParams
	p.At = at
	for _, a := range apps {
		p.CompanyNames = append(p.CompanyNames, a.CompanyName)
		p.Kvks = append(p.Kvks, a.KvK)
		p.VatIds = append(p.VatIds, a.VATID)
		p.Ibans = append(p.Ibans, a.IBAN)
		p.ContactNames = append(p.ContactNames, a.ContactName)
		p.Emails = append(p.Emails, a.Email)
		p.Phones = append(p.Phones, a.Phone)
		p.Websites = append(p.Websites, a.Website)
		p.States = append(p.States, a.State)
		p.SupplierIds = append(p.SupplierIds, a.SupplierID)
	}
	return interpret(s.q.CatalogSeedApplications(ctx, p), "seeding applications")
}

// CatalogSeedConnections creates paused connections sealed under keyID and
// returns their ids keyed "supplierID/environment".
func (s *Store) CatalogSeedConnections(ctx context.Context, keyID string, conns []SeedConnection) ([]SeedID, error) {
	p := dbsqlc.CatalogSeedConnectionsParams{KeyID: keyID}
	for _, c := range conns {
		p.SupplierIds = append(p.SupplierIds, c.SupplierID)
		p.Environments = append(p.Environments, c.Environment)
		p.BaseUrls = append(p.BaseUrls, c.BaseURL)
		p.Credentials = append(p.Credentials, c.Credentials)
		p.WebhookSecrets = append(p.WebhookSecrets, c.WebhookSecret)
	}
	rows, err := s.q.CatalogSeedConnections(ctx, p)
	if err != nil {
		return nil, interpret(err, "seeding connections")
	}
	out := make([]SeedID, len(rows))
	for i, r := range rows {
		out[i] = SeedID{ID: r.ID, Key: seedConnKey(r.SupplierID, r.Environment)}
	}
	return out, nil
}

func seedConnKey(supplierID int64, env string) string {
	return env + "/" + strconv.FormatInt(supplierID, 10)
}

// SeedConnectionKey is the key CatalogSeedConnections returns a connection
// under.
func SeedConnectionKey(supplierID int64, env string) string { return seedConnKey(supplierID, env) }

// CatalogSeedCategories creates catalog categories and returns their ids
// keyed "connectionID/externalID".
func (s *Store) CatalogSeedCategories(ctx context.Context, terms []SeedTerm) ([]SeedID, error) {
	var p dbsqlc.CatalogSeedCategoriesParams
	for _, t := range terms {
		p.ConnectionIds = append(p.ConnectionIds, t.ConnectionID)
		p.ExternalIds = append(p.ExternalIds, t.ExternalID)
		p.ParentExternalIds = append(p.ParentExternalIds, t.ParentExternalID)
		p.Names = append(p.Names, t.Name)
		p.Slugs = append(p.Slugs, t.Slug)
	}
	rows, err := s.q.CatalogSeedCategories(ctx, p)
	if err != nil {
		return nil, interpret(err, "seeding categories")
	}
	out := make([]SeedID, len(rows))
	for i, r := range rows {
		out[i] = SeedID{ID: r.ID, Key: strconv.FormatInt(r.ConnectionID, 10) + "/" + r.ExternalID}
	}
	return out, nil
}

// CatalogSeedBrands creates catalog brands.
func (s *Store) CatalogSeedBrands(ctx context.Context, terms []SeedTerm) error {
	var p dbsqlc.CatalogSeedBrandsParams
	for _, t := range terms {
		p.ConnectionIds = append(p.ConnectionIds, t.ConnectionID)
		p.ExternalIds = append(p.ExternalIds, t.ExternalID)
		p.Names = append(p.Names, t.Name)
		p.Slugs = append(p.Slugs, t.Slug)
	}
	return interpret(s.q.CatalogSeedBrands(ctx, p), "seeding brands")
}

// CatalogSeedPlatformCategory creates a platform category, or returns the
// id of the existing one with the slug.
func (s *Store) CatalogSeedPlatformCategory(ctx context.Context, parentID *int64, name, slug string, position int) (int64, error) {
	id, err := s.q.CatalogSeedPlatformCategory(ctx, dbsqlc.CatalogSeedPlatformCategoryParams{
		ParentID: parentID, Name: name, Slug: slug, Position: int32(position),
	})
	return id, interpret(err, "seeding platform category")
}

// CatalogSeedMappings maps catalog categories onto platform categories
// (pairs by index); existing mappings stay.
func (s *Store) CatalogSeedMappings(ctx context.Context, catalogCategoryIDs, platformCategoryIDs []int64) error {
	return interpret(s.q.CatalogSeedMappings(ctx, dbsqlc.CatalogSeedMappingsParams{
		CatalogCategoryIds: catalogCategoryIDs, PlatformCategoryIds: platformCategoryIDs,
	}), "seeding category mappings")
}

// CatalogSeedProducts creates products and returns their ids keyed by
// external id (callers batch per connection).
func (s *Store) CatalogSeedProducts(ctx context.Context, ps []SeedProduct) ([]SeedID, error) {
	n := len(ps)
	p := dbsqlc.CatalogSeedProductsParams{
		ConnectionIds: make([]int64, n), SupplierIds: make([]int64, n), Environments: make([]string, n),
		ExternalIds: make([]string, n), Types: make([]string, n), ShopStatuses: make([]string, n),
		Names: make([]string, n), Slugs: make([]string, n), Permalinks: make([]string, n), Skus: make([]string, n),
		Descriptions: make([]string, n), ShortDescriptions: make([]string, n), RegularPriceCents: make([]int64, n),
		SalePriceCents: make([]int64, n), PriceCents: make([]int64, n), ManageStocks: make([]bool, n),
		StockQuantities: make([]int32, n), StockStatuses: make([]string, n), Backorders: make([]string, n),
		CategoryIds: make([]string, n), BrandIds: make([]string, n), Attributes: make([]string, n),
		Images: make([]string, n), ModifiedAts: make([]time.Time, n), FirstSeenAts: make([]time.Time, n),
		Deleted: make([]bool, n),
	}
	for i, x := range ps {
		p.ConnectionIds[i], p.SupplierIds[i], p.Environments[i] = x.ConnectionID, x.SupplierID, x.Environment
		p.ExternalIds[i], p.Types[i], p.ShopStatuses[i] = x.ExternalID, x.Type, x.ShopStatus
		p.Names[i], p.Slugs[i], p.Permalinks[i], p.Skus[i] = x.Name, x.Slug, x.Permalink, x.SKU
		p.Descriptions[i], p.ShortDescriptions[i] = x.Description, x.Short
		p.RegularPriceCents[i], p.SalePriceCents[i], p.PriceCents[i] = orMinus1(x.RegularCents), orMinus1(x.SaleCents), orMinus1(x.PriceCents)
		p.ManageStocks[i], p.StockQuantities[i] = x.ManageStock, orMinus1i(x.StockQuantity)
		p.StockStatuses[i], p.Backorders[i] = x.StockStatus, x.Backorders
		p.CategoryIds[i], p.BrandIds[i] = x.CategoryExternalID, x.BrandExternalID
		p.Attributes[i], p.Images[i] = x.AttributesJSON, x.ImagesJSON
		p.ModifiedAts[i], p.FirstSeenAts[i], p.Deleted[i] = x.ModifiedAt, x.FirstSeenAt, x.Deleted
	}
	rows, err := s.q.CatalogSeedProducts(ctx, p)
	if err != nil {
		return nil, interpret(err, "seeding products")
	}
	out := make([]SeedID, len(rows))
	for i, r := range rows {
		out[i] = SeedID{ID: r.ID, Key: r.ExternalID}
	}
	return out, nil
}

// CatalogSeedVariants creates variants.
func (s *Store) CatalogSeedVariants(ctx context.Context, vs []SeedVariant) error {
	var p dbsqlc.CatalogSeedVariantsParams
	for _, v := range vs {
		p.ProductIds = append(p.ProductIds, v.ProductID)
		p.ExternalIds = append(p.ExternalIds, v.ExternalID)
		p.ShopStatuses = append(p.ShopStatuses, v.ShopStatus)
		p.Skus = append(p.Skus, v.SKU)
		p.RegularPriceCents = append(p.RegularPriceCents, orMinus1(v.RegularCents))
		p.SalePriceCents = append(p.SalePriceCents, orMinus1(v.SaleCents))
		p.PriceCents = append(p.PriceCents, orMinus1(v.PriceCents))
		p.ManageStocks = append(p.ManageStocks, v.ManageStock)
		p.StockQuantities = append(p.StockQuantities, orMinus1i(v.StockQuantity))
		p.StockStatuses = append(p.StockStatuses, v.StockStatus)
		p.Backorders = append(p.Backorders, v.Backorders)
		p.Options = append(p.Options, v.OptionsJSON)
		p.Positions = append(p.Positions, v.Position)
		p.ModifiedAts = append(p.ModifiedAts, v.ModifiedAt)
		p.Deleted = append(p.Deleted, v.Deleted)
	}
	return interpret(s.q.CatalogSeedVariants(ctx, p), "seeding variants")
}

// CatalogSeedCuration writes curation decisions (replacing pending rows the
// syncer may have made), decided at at.
func (s *Store) CatalogSeedCuration(ctx context.Context, at time.Time, cs []SeedCuration) error {
	p := dbsqlc.CatalogSeedCurationParams{At: at}
	for _, c := range cs {
		p.ProductIds = append(p.ProductIds, c.ProductID)
		p.Statuses = append(p.Statuses, c.Status)
		p.ReasonTexts = append(p.ReasonTexts, c.ReasonText)
		p.ChangeSummaries = append(p.ChangeSummaries, c.ChangeSummary)
	}
	return interpret(s.q.CatalogSeedCuration(ctx, p), "seeding curation")
}

// CatalogSeedVacuum vacuums and analyses the catalogue's tables after a
// seed (outside a transaction only).
func (s *Store) CatalogSeedVacuum(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `VACUUM ANALYZE products, product_variants, product_curation, public_listing, catalog_brands,
		catalog_categories, category_mappings, platform_categories, connections, applications, suppliers, curation_settings`)
	return interpret(err, "vacuuming the seeded catalogue")
}
