package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// CurationSettings are the curators' settings (one row).
type CurationSettings struct {
	// PriceIncreasePercent: a price increase above it sends an approved
	// product back to the queue.
	PriceIncreasePercent int
	// KeepVisibleOnChange: while back in review, the approved product stays
	// visible (true) or is hidden.
	KeepVisibleOnChange bool
	UpdatedAt           time.Time
	UpdatedBy           *int64
}

// RejectionReason is an entry of the managed list of rejection reasons.
type RejectionReason struct {
	ID     int64
	Label  string
	Active bool
}

// CurationSnapshot is what a curator approved, or what a product looks like
// now, in the shape the database function product_curation_snapshot
// builds.
type CurationSnapshot struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	PriceCents  *int64            `json:"price_cents"`
	CategoryIDs []string          `json:"category_ids"`
	Variants    []SnapshotVariant `json:"variants"`
}

// SnapshotVariant is one variant in a snapshot.
type SnapshotVariant struct {
	ExternalID string `json:"external_id"`
	SKU        string `json:"sku"`
	Label      string `json:"label"` // "Kleur: Rood, Maat: L"
	PriceCents *int64 `json:"price_cents"`
}

func decodeSnapshot(b []byte) (*CurationSnapshot, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var s CurationSnapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decoding curation snapshot: %w", err)
	}
	return &s, nil
}

// ProductCuration is a product's curation state.
type ProductCuration struct {
	ProductID      int64
	Status         string // pending, approved, rejected, changed
	Version        int64
	ReasonID       *int64
	ReasonLabel    string
	ReasonText     string
	DecidedBy      *int64
	DecidedByEmail string
	DecidedAt      *time.Time
	// Approved is the approved snapshot; nil before the first approval.
	Approved      *CurationSnapshot
	ChangeSummary string
	ChangedAt     *time.Time
}

// CurationSettingsGet returns the curators' settings.
func (s *Store) CurationSettingsGet(ctx context.Context) (CurationSettings, error) {
	r, err := s.q.CurationSettingsGet(ctx)
	if err != nil {
		return CurationSettings{}, interpret(err, "reading curation settings")
	}
	return CurationSettings{PriceIncreasePercent: int(r.PriceIncreasePercent), KeepVisibleOnChange: r.KeepVisibleOnChange, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}, nil
}

// CurationSettingsUpdate stores the curators' settings.
func (s *Store) CurationSettingsUpdate(ctx context.Context, pct int, keepVisible bool, by *int64) error {
	_, err := s.q.CurationSettingsUpdate(ctx, dbsqlc.CurationSettingsUpdateParams{
		PriceIncreasePercent: int32(pct), KeepVisibleOnChange: keepVisible, UpdatedBy: by,
	})
	return interpret(err, "updating curation settings")
}

// RejectionReasons lists all reasons, active ones first.
func (s *Store) RejectionReasons(ctx context.Context) ([]RejectionReason, error) {
	rows, err := s.q.RejectionReasonList(ctx)
	if err != nil {
		return nil, interpret(err, "listing rejection reasons")
	}
	out := make([]RejectionReason, len(rows))
	for i, r := range rows {
		out[i] = RejectionReason(r)
	}
	return out, nil
}

// RejectionReasonGet returns one reason.
func (s *Store) RejectionReasonGet(ctx context.Context, id int64) (RejectionReason, error) {
	r, err := s.q.RejectionReasonGet(ctx, id)
	return RejectionReason(r), interpret(err, "getting rejection reason")
}

// RejectionReasonByLabel finds a reason by its label, ignoring case.
func (s *Store) RejectionReasonByLabel(ctx context.Context, label string) (RejectionReason, error) {
	r, err := s.q.RejectionReasonByLabel(ctx, label)
	return RejectionReason(r), interpret(err, "finding rejection reason")
}

// RejectionReasonAdd adds an active reason.
func (s *Store) RejectionReasonAdd(ctx context.Context, label string) (RejectionReason, error) {
	r, err := s.q.RejectionReasonAdd(ctx, label)
	return RejectionReason(r), interpret(err, "adding rejection reason")
}

// RejectionReasonSetActive switches a reason on or off. Reasons are never
// deleted: past decisions keep naming them.
func (s *Store) RejectionReasonSetActive(ctx context.Context, id int64, active bool) (RejectionReason, error) {
	r, err := s.q.RejectionReasonSetActive(ctx, dbsqlc.RejectionReasonSetActiveParams{ID: id, Active: active})
	return RejectionReason(r), interpret(err, "switching rejection reason")
}

// ProductCurationGet returns a product's curation state.
func (s *Store) ProductCurationGet(ctx context.Context, productID int64) (ProductCuration, error) {
	r, err := s.q.ProductCurationGet(ctx, productID)
	if err != nil {
		return ProductCuration{}, interpret(err, "getting product curation")
	}
	snap, err := decodeSnapshot(r.ApprovedSnapshot)
	if err != nil {
		return ProductCuration{}, err
	}
	return ProductCuration{
		ProductID: r.ProductID, Status: r.Status, Version: r.Version, ReasonID: r.ReasonID, ReasonLabel: r.ReasonLabel,
		ReasonText: r.ReasonText, DecidedBy: r.DecidedBy, DecidedByEmail: r.DecidedByEmail, DecidedAt: r.DecidedAt,
		Approved: snap, ChangeSummary: r.ChangeSummary, ChangedAt: r.ChangedAt,
	}, nil
}

// ProductCurationApprove approves a product if its curation version is
// still version, storing what was approved. ErrNotFound when the version
// moved on (or the product does not exist); returns the new version.
func (s *Store) ProductCurationApprove(ctx context.Context, productID, version int64, by *int64) (int64, error) {
	r, err := s.q.ProductCurationApprove(ctx, dbsqlc.ProductCurationApproveParams{ProductID: productID, Version: version, DecidedBy: by})
	return r.Version, interpret(err, "approving product")
}

// ProductCurationReject rejects a product if its curation version is still
// version. ErrNotFound when the version moved on; returns the new version.
func (s *Store) ProductCurationReject(ctx context.Context, productID, version, reasonID int64, text string, by *int64) (int64, error) {
	r, err := s.q.ProductCurationReject(ctx, dbsqlc.ProductCurationRejectParams{
		ProductID: productID, Version: version, ReasonID: &reasonID, ReasonText: text, DecidedBy: by,
	})
	return r.Version, interpret(err, "rejecting product")
}

// CurationChangeState is a changed product's curation state next to what
// the product looks like now.
type CurationChangeState struct {
	ProductID     int64
	Status        string
	Version       int64
	Approved      *CurationSnapshot
	ChangeSummary string
	Current       CurationSnapshot
	SupplierID    int64
	Deleted       bool
}

// ProductCurationForChange returns the curation states of products, locked
// for the rest of the transaction.
func (s *Store) ProductCurationForChange(ctx context.Context, productIDs []int64) ([]CurationChangeState, error) {
	rows, err := s.q.ProductCurationForChange(ctx, productIDs)
	if err != nil {
		return nil, interpret(err, "locking product curation")
	}
	out := make([]CurationChangeState, len(rows))
	for i, r := range rows {
		approved, err := decodeSnapshot(r.ApprovedSnapshot)
		if err != nil {
			return nil, err
		}
		cur, err := decodeSnapshot(r.CurrentSnapshot)
		if err != nil {
			return nil, err
		}
		out[i] = CurationChangeState{ProductID: r.ProductID, Status: r.Status, Version: r.Version, Approved: approved,
			ChangeSummary: r.ChangeSummary, SupplierID: r.SupplierID, Deleted: r.DeletedAt != nil}
		if cur != nil {
			out[i].Current = *cur
		}
	}
	return out, nil
}

// ProductCurationMarkChanged sends an approved product back to the queue
// with the Dutch summary of what changed.
func (s *Store) ProductCurationMarkChanged(ctx context.Context, productID int64, summary string) error {
	return interpret(s.q.ProductCurationMarkChanged(ctx, dbsqlc.ProductCurationMarkChangedParams{ProductID: productID, ChangeSummary: summary}),
		"marking product changed")
}

// ProductCurationBump moves the curation version of products on, so that
// forms opened before a change are refused.
func (s *Store) ProductCurationBump(ctx context.Context, productIDs []int64) error {
	if len(productIDs) == 0 {
		return nil
	}
	return interpret(s.q.ProductCurationBump(ctx, productIDs), "bumping curation versions")
}

// CurationHistory is a product's audit trail, newest first.
func (s *Store) CurationHistory(ctx context.Context, productID int64) ([]audit.Entry, error) {
	rows, err := s.q.CurationHistory(ctx, strconv.FormatInt(productID, 10))
	if err != nil {
		return nil, interpret(err, "reading curation history")
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{
			ID: r.ID, At: r.At, Action: audit.Action(r.Action),
			Actor:       audit.Actor{UserID: r.ActorID, Email: r.ActorEmail, IP: r.IP},
			SubjectType: r.SubjectType, SubjectID: r.SubjectID, SupplierID: r.SupplierID,
		}
		if len(r.Detail) > 2 {
			_ = json.Unmarshal(r.Detail, &out[i].Detail)
		}
	}
	return out, nil
}

// CurationProduct is everything synced about one product, for review.
type CurationProduct struct {
	ID                   int64
	ConnectionID         int64
	SupplierID           int64
	SupplierName         string
	Environment          string
	Platform             string
	ShopURL              string
	ExternalID           string
	Type                 string
	ShopStatus           string
	Name                 string
	Permalink            string
	SKU                  string
	Description          string // shop HTML: sanitise before showing
	ShortDescription     string // shop HTML: sanitise before showing
	Price                catalog.Price
	PriceCents           *int64
	Stock                catalog.Stock
	CategoryIDs          []string
	BrandIDs             []string
	Attributes           []catalog.ProductAttribute
	Images               []catalog.Image
	ShopModifiedAt       time.Time
	FirstSeenAt          time.Time
	UpdatedAt            time.Time
	DeletedAt            *time.Time
	PlatformCategoryID   *int64
	PlatformCategoryName string
	// Current is the product as a snapshot would record it now.
	Current CurationSnapshot
}

// CurationVariant is one variant of a product under review.
type CurationVariant struct {
	ID         int64
	ExternalID string
	ShopStatus string
	SKU        string
	Price      catalog.Price
	PriceCents *int64
	Stock      catalog.Stock
	Options    []catalog.VariantOption
	Image      *catalog.Image
	Deleted    bool
}

func qty(q *int32) *int64 {
	if q == nil {
		return nil
	}
	v := int64(*q)
	return &v
}

// CurationProductGet returns one product with its supplier and connection.
func (s *Store) CurationProductGet(ctx context.Context, id int64) (CurationProduct, error) {
	r, err := s.q.CurationProductGet(ctx, id)
	if err != nil {
		return CurationProduct{}, interpret(err, "getting product")
	}
	p := CurationProduct{
		ID: r.ID, ConnectionID: r.ConnectionID, SupplierID: r.SupplierID, SupplierName: r.SupplierName, Environment: r.Environment,
		Platform: r.Platform, ShopURL: r.BaseUrl, ExternalID: r.ExternalID, Type: r.Type, ShopStatus: r.ShopStatus, Name: r.Name,
		Permalink: r.Permalink, SKU: r.Sku, Description: r.Description, ShortDescription: r.ShortDescription,
		Price:      catalog.Price{RegularCents: r.RegularPriceCents, SaleCents: r.SalePriceCents, SaleFrom: r.SaleFrom, SaleTo: r.SaleTo},
		PriceCents: r.PriceCents,
		Stock: catalog.Stock{Managed: r.ManageStock, Quantity: qty(r.StockQuantity), Status: catalog.StockStatus(r.StockStatus),
			Backorders: catalog.Backorders(r.Backorders)},
		CategoryIDs: r.CategoryIds, BrandIDs: r.BrandIds, ShopModifiedAt: r.ShopModifiedAt, FirstSeenAt: r.FirstSeenAt,
		UpdatedAt: r.UpdatedAt, DeletedAt: r.DeletedAt, PlatformCategoryID: r.PlatformCategoryID, PlatformCategoryName: r.PlatformCategoryName,
	}
	// Malformed JSON from a shop shows as nothing rather than failing the page.
	_ = json.Unmarshal(r.Attributes, &p.Attributes)
	_ = json.Unmarshal(r.Images, &p.Images)
	if cur, err := decodeSnapshot(r.CurrentSnapshot); err == nil && cur != nil {
		p.Current = *cur
	}
	return p, nil
}

// CurationVariants lists a product's variants, current ones first.
func (s *Store) CurationVariants(ctx context.Context, productID int64) ([]CurationVariant, error) {
	rows, err := s.q.CurationVariantList(ctx, productID)
	if err != nil {
		return nil, interpret(err, "listing variants")
	}
	out := make([]CurationVariant, len(rows))
	for i, r := range rows {
		v := CurationVariant{
			ID: r.ID, ExternalID: r.ExternalID, ShopStatus: r.ShopStatus, SKU: r.Sku, PriceCents: r.PriceCents,
			Price: catalog.Price{RegularCents: r.RegularPriceCents, SaleCents: r.SalePriceCents, SaleFrom: r.SaleFrom, SaleTo: r.SaleTo},
			Stock: catalog.Stock{Managed: r.ManageStock, Quantity: qty(r.StockQuantity), Status: catalog.StockStatus(r.StockStatus),
				Backorders: catalog.Backorders(r.Backorders)},
			Deleted: r.DeletedAt != nil,
		}
		_ = json.Unmarshal(r.Options, &v.Options)
		if len(r.Image) > 0 && string(r.Image) != "null" {
			var img catalog.Image
			if json.Unmarshal(r.Image, &img) == nil {
				v.Image = &img
			}
		}
		out[i] = v
	}
	return out, nil
}

// CatalogCategoryNames maps a connection's category external ids to names.
func (s *Store) CatalogCategoryNames(ctx context.Context, connectionID int64, externalIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(externalIDs) == 0 {
		return out, nil
	}
	rows, err := s.q.CatalogCategoryNames(ctx, dbsqlc.CatalogCategoryNamesParams{ConnectionID: connectionID, ExternalIds: externalIDs})
	if err != nil {
		return nil, interpret(err, "naming categories")
	}
	for _, r := range rows {
		out[r.ExternalID] = r.Name
	}
	return out, nil
}

// CatalogBrandNames maps a connection's brand external ids to names.
func (s *Store) CatalogBrandNames(ctx context.Context, connectionID int64, externalIDs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(externalIDs) == 0 {
		return out, nil
	}
	rows, err := s.q.CatalogBrandNames(ctx, dbsqlc.CatalogBrandNamesParams{ConnectionID: connectionID, ExternalIds: externalIDs})
	if err != nil {
		return nil, interpret(err, "naming brands")
	}
	for _, r := range rows {
		out[r.ExternalID] = r.Name
	}
	return out, nil
}

// Option is a value and its label for a select.
type Option struct {
	ID    int64
	Label string
}

// CurationSupplierOptions lists suppliers with a connection.
func (s *Store) CurationSupplierOptions(ctx context.Context) ([]Option, error) {
	rows, err := s.q.CurationSupplierOptions(ctx)
	if err != nil {
		return nil, interpret(err, "listing suppliers")
	}
	out := make([]Option, len(rows))
	for i, r := range rows {
		out[i] = Option{ID: r.ID, Label: r.Name}
	}
	return out, nil
}

// SupplierCategoryOption is a supplier category for the queue filter.
type SupplierCategoryOption struct {
	ID          int64
	Name        string
	Environment string
}

// CurationSupplierCategories lists a supplier's categories over all its
// connections.
func (s *Store) CurationSupplierCategories(ctx context.Context, supplierID int64) ([]SupplierCategoryOption, error) {
	rows, err := s.q.CurationSupplierCategories(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing supplier categories")
	}
	out := make([]SupplierCategoryOption, len(rows))
	for i, r := range rows {
		out[i] = SupplierCategoryOption(r)
	}
	return out, nil
}

// CurationBrandNames lists distinct brand names over all shops.
func (s *Store) CurationBrandNames(ctx context.Context) ([]string, error) {
	rows, err := s.q.CurationBrandNames(ctx)
	return rows, interpret(err, "listing brands")
}

// CurationQueueStats counts products waiting for a first decision and
// products back after a change.
func (s *Store) CurationQueueStats(ctx context.Context) (pending, changed int, err error) {
	r, err := s.q.CurationQueueStats(ctx)
	return int(r.Pending), int(r.Changed), interpret(err, "counting the queue")
}
